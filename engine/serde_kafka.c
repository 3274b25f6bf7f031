/*
 * serde_kafka.c - the KAFKA format: one primitive column in Kafka's own serialisers'
 * encoding (IntegerSerializer 4-byte big-endian, LongSerializer 8-byte big-endian,
 * DoubleSerializer IEEE-754 big-endian, StringSerializer UTF-8, BytesSerializer raw).
 * wr_serde_check has already rejected other types and column counts.
 */
#include "serde_int.h"

#include <string.h>

static uint64_t load_be(const char *data, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | (unsigned char)data[i];
    return v;
}

static void store_be(uint64_t v, size_t n, wr_buf *out)
{
    char b[8];
    for (size_t i = 0; i < n; i++)
        b[i] = (char)(v >> (8 * (n - 1 - i)));
    wr_buf_append(out, b, n);
}

int wr_serde_kafka_decode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                          const uint8_t *need, const char *data, size_t len, wr_value *out,
                          wr_arena *a, wr_error *err)
{
    if (ncols == 0)
        return 0;
    /* sizes are checked even for an unneeded column: Kafka's deserialisers would fail */
    int skip = need && !need[0];
    switch (cols[0].type->kind) {
    case WR_INT:
        if (len != 4)
            return wr_error_set(err, WR_EDATA,
                                "Size of data received by IntegerDeserializer is not 4");
        if (!skip)
            out[0] = wr_int((int32_t)(uint32_t)load_be(data, 4));
        return 0;
    case WR_BIGINT:
        if (len != 8)
            return wr_error_set(err, WR_EDATA,
                                "Size of data received by LongDeserializer is not 8");
        if (!skip)
            out[0] = wr_bigint((int64_t)load_be(data, 8));
        return 0;
    case WR_DOUBLE: {
        if (len != 8)
            return wr_error_set(err, WR_EDATA,
                                "Size of data received by DoubleDeserializer is not 8");
        uint64_t bits = load_be(data, 8);
        double d;
        memcpy(&d, &bits, 8);
        if (!skip)
            out[0] = wr_double(d);
        return 0;
    }
    case WR_STRING:
        if (!skip)
            out[0] = wr_str(data, len);
        return 0;
    case WR_BYTES:
        if (!skip)
            out[0] = wr_bytes(data, len);
        return 0;
    default:
        return wr_error_set(err, WR_EDATA, "The 'KAFKA' format does not support type '%s'",
                            wr_kind_name(cols[0].type->kind));
    }
}

/* A NULL column appends nothing: Kafka's serialisers turn null into a null key/value, which
 * only the caller can represent. */
int wr_serde_kafka_encode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                          const wr_value *vals, wr_buf *out, wr_error *err)
{
    if (ncols == 0 || wr_is_null(&vals[0]))
        return 0;
    const wr_value *v = &vals[0];
    switch (cols[0].type->kind) {
    case WR_INT:
        store_be((uint32_t)(int32_t)v->u.i, 4, out);
        return 0;
    case WR_BIGINT:
        store_be((uint64_t)v->u.i, 8, out);
        return 0;
    case WR_DOUBLE: {
        uint64_t bits;
        double d = v->kind == WR_DOUBLE ? v->u.d : (double)v->u.i;
        memcpy(&bits, &d, 8);
        store_be(bits, 8, out);
        return 0;
    }
    case WR_STRING:
    case WR_BYTES:
        if (v->len)
            wr_buf_append(out, v->u.s, v->len);
        return 0;
    default:
        return wr_error_set(err, WR_EDATA, "The 'KAFKA' format does not support type '%s'",
                            wr_kind_name(cols[0].type->kind));
    }
}
