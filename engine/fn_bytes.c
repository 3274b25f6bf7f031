/*
 * fn_bytes.c - BYTES conversions (ksqlDB's CONVERSIONS category) and ENCODE (STRING), which
 * share the text codecs: hex, utf8, ascii and base64.
 *
 * As in ksqlDB (Java charsets): decoding text as ascii turns each non-ASCII character into
 * '?'; rendering bytes as utf8/ascii turns each malformed byte into U+FFFD; FROM_BYTES hex is
 * upper case (Guava base16) while ENCODE's hex output is lower case (commons-codec).
 */
#include <stdio.h>
#include <string.h>

#include "fn_sig.h"
#include "func.h"

enum { ENC_HEX, ENC_UTF8, ENC_ASCII, ENC_BASE64 };

static int encoding_parse(const wr_value *v)
{
    static const char *const names[] = {"hex", "utf8", "ascii", "base64"};
    for (int i = 0; i < 4; i++)
        if (v->len == strlen(names[i]) && wr_strncaseeq_n(v->u.s, v->len, names[i]))
            return i;
    return -1;
}

static int bad_encoding(wr_fn_ctx *ctx)
{
    return wr_error_set(ctx->err, WR_EDATA,
                        "Supported input and output encodings are: hex, utf8, ascii and base64");
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Text -> bytes in arena memory; 0 or WR_EDATA. */
static int text_decode(wr_fn_ctx *ctx, const char *s, size_t n, int enc, wr_value *out)
{
    switch (enc) {
    case ENC_HEX: {
        if (n % 2)
            return wr_error_set(ctx->err, WR_EDATA, "Odd number of characters in hex input: "
                                "'%.*s'", (int)n, s);
        unsigned char *p = wr_arena_alloc(ctx->arena, n / 2 + 1);
        for (size_t i = 0; i < n; i += 2) {
            int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);
            if (hi < 0 || lo < 0)
                return wr_error_set(ctx->err, WR_EDATA, "Illegal hexadecimal character in "
                                    "'%.*s'", (int)n, s);
            p[i / 2] = (unsigned char)(hi << 4 | lo);
        }
        *out = wr_bytes(p, n / 2);
        return 0;
    }
    case ENC_UTF8:
        *out = sig_blob(ctx->arena, WR_BYTES, s, n);
        return 0;
    case ENC_ASCII: {
        char *p = wr_arena_alloc(ctx->arena, n + 1);
        size_t i = 0, k = 0;
        while (i < n) {
            int32_t c = utf8_next(s, n, &i);
            p[k++] = c < 0x80 ? (char)c : '?';
        }
        *out = wr_bytes(p, k);
        return 0;
    }
    default: {
        unsigned char *p = wr_arena_alloc(ctx->arena, 3 * n / 4 + 3);
        long k = wr_base64_decode(s, n, p);
        if (k < 0)
            return wr_error_set(ctx->err, WR_EDATA, "Illegal base64 input: '%.*s'", (int)n, s);
        *out = wr_bytes(p, (size_t)k);
        return 0;
    }
    }
}

/* Bytes -> text; upper selects upper-case hex digits. */
static wr_value text_encode(wr_fn_ctx *ctx, const unsigned char *p, size_t n, int enc, int upper)
{
    wr_buf b;
    wr_buf_init(&b);
    switch (enc) {
    case ENC_HEX: {
        const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
            wr_buf_putc(&b, digits[p[i] >> 4]);
            wr_buf_putc(&b, digits[p[i] & 15]);
        }
        break;
    }
    case ENC_UTF8: utf8_append_valid(&b, p, n, 0); break;
    case ENC_ASCII: utf8_append_valid(&b, p, n, 1); break;
    default: wr_base64_encode(p, n, &b); break;
    }
    wr_value v = wr_str_copy(ctx->arena, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return v;
}

/* ---------------------------------------------------------------- functions */

SIG_RESOLVER(to_bytes, "TO_BYTES", "SS=Y")
SIG_RESOLVER(from_bytes, "FROM_BYTES", "YS=S")
SIG_RESOLVER(encode, "ENCODE", "SSS=S")
SIG_RESOLVER(int_from_bytes, "INT_FROM_BYTES", "Y?S=I")
SIG_RESOLVER(bigint_from_bytes, "BIGINT_FROM_BYTES", "Y?S=L")
SIG_RESOLVER(double_from_bytes, "DOUBLE_FROM_BYTES", "Y?S=D")

static int fn_to_bytes(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int enc = encoding_parse(&argv[1]);
    if (enc < 0)
        return bad_encoding(ctx);
    return text_decode(ctx, argv[0].u.s, argv[0].len, enc, out);
}

static int fn_from_bytes(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int enc = encoding_parse(&argv[1]);
    if (enc < 0)
        return bad_encoding(ctx);
    *out = text_encode(ctx, (const unsigned char *)argv[0].u.s, argv[0].len, enc, 1);
    return 0;
}

static int fn_encode(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int in = encoding_parse(&argv[1]), to = encoding_parse(&argv[2]);
    if (in < 0 || to < 0 || in == to) /* ksqlDB has no converter from a codec to itself */
        return bad_encoding(ctx);
    const char *s = argv[0].u.s;
    size_t n = argv[0].len;
    if (in == ENC_HEX && n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2; /* a 0x prefix is accepted on hex input */
        n -= 2;
    }
    wr_value raw;
    int rc = text_decode(ctx, s, n, in, &raw);
    if (rc)
        return rc;
    *out = text_encode(ctx, (const unsigned char *)raw.u.s, raw.len, to, 0);
    return 0;
}

/* Reads an n-byte integer in the requested byte order (default BIG_ENDIAN). */
static int read_uint(wr_fn_ctx *ctx, int argc, const wr_value *argv, size_t n, uint64_t *out)
{
    int little = 0;
    if (argc > 1) {
        if (wr_strncaseeq_n(argv[1].u.s, argv[1].len, "LITTLE_ENDIAN") && argv[1].len == 13)
            little = 1;
        else if (!(wr_strncaseeq_n(argv[1].u.s, argv[1].len, "BIG_ENDIAN") && argv[1].len == 10))
            return wr_error_set(ctx->err, WR_EDATA, "Byte order must be BIG_ENDIAN or "
                                "LITTLE_ENDIAN. Unknown byte order '%.*s'.",
                                (int)argv[1].len, argv[1].u.s);
    }
    if (argv[0].len != n)
        return wr_error_set(ctx->err, WR_EDATA, "Number of bytes must be equal to %zu, but "
                            "found %u", n, argv[0].len);
    const unsigned char *p = (const unsigned char *)argv[0].u.s;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[little ? n - 1 - i : i];
    *out = v;
    return 0;
}

static int fn_int_from_bytes(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    uint64_t v;
    int rc = read_uint(ctx, argc, argv, 4, &v);
    if (rc)
        return rc;
    *out = wr_int((int32_t)(uint32_t)v);
    return 0;
}

static int fn_bigint_from_bytes(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    uint64_t v;
    int rc = read_uint(ctx, argc, argv, 8, &v);
    if (rc)
        return rc;
    *out = wr_bigint((int64_t)v);
    return 0;
}

static int fn_double_from_bytes(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    uint64_t v;
    int rc = read_uint(ctx, argc, argv, 8, &v);
    if (rc)
        return rc;
    double d;
    memcpy(&d, &v, sizeof d);
    *out = wr_double(d);
    return 0;
}

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NN WR_FN_NULL_IN_NULL_OUT

const wr_scalar_def wr_fns_bytes[] = {
    {"BIGINT_FROM_BYTES", "CONVERSIONS",
     "Converts a BYTES value to a BIGINT value according to the specified byte order "
     "(BIG_ENDIAN by default). BYTES must be 8 bytes long.",
     V("BIGINT_FROM_BYTES(value BYTES) => BIGINT",
       "BIGINT_FROM_BYTES(value BYTES, byteOrder STRING) => BIGINT"),
     1, 2, NN, res_bigint_from_bytes, NULL, fn_bigint_from_bytes},
    {"DOUBLE_FROM_BYTES", "CONVERSIONS",
     "Converts a BYTES value to a DOUBLE value according to the specified byte order "
     "(BIG_ENDIAN by default). BYTES must be 8 bytes long.",
     V("DOUBLE_FROM_BYTES(value BYTES) => DOUBLE",
       "DOUBLE_FROM_BYTES(value BYTES, byteOrder STRING) => DOUBLE"),
     1, 2, NN, res_double_from_bytes, NULL, fn_double_from_bytes},
    {"ENCODE", "STRING",
     "Given a STRING that is encoded as inputEncoding, encode it using the outputEncoding. The "
     "accepted input and output encodings are: hex, utf8, ascii and base64.",
     V("ENCODE(str STRING, inputEncoding STRING, outputEncoding STRING) => STRING"), 3, 3, NN,
     res_encode, NULL, fn_encode},
    {"FROM_BYTES", "CONVERSIONS",
     "Converts a BYTES value to STRING in the specified encoding: hex, utf8, ascii or base64.",
     V("FROM_BYTES(bytes BYTES, encoding STRING) => STRING"), 2, 2, NN, res_from_bytes, NULL,
     fn_from_bytes},
    {"INT_FROM_BYTES", "CONVERSIONS",
     "Converts a BYTES value to an INT value according to the specified byte order "
     "(BIG_ENDIAN by default). BYTES must be 4 bytes long.",
     V("INT_FROM_BYTES(value BYTES) => INT",
       "INT_FROM_BYTES(value BYTES, byteOrder STRING) => INT"),
     1, 2, NN, res_int_from_bytes, NULL, fn_int_from_bytes},
    {"TO_BYTES", "CONVERSIONS",
     "Converts a STRING value in the specified encoding to BYTES: hex, utf8, ascii or base64.",
     V("TO_BYTES(str STRING, encoding STRING) => BYTES"), 2, 2, NN, res_to_bytes, NULL,
     fn_to_bytes},
    {0},
};
