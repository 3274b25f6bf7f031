/*
 * serde.c - record formats: format names, per-format column checks, and the dispatch of
 * wr_serde_decode / wr_serde_encode to serde_json.c, serde_delimited.c and serde_kafka.c.
 *
 * Also holds what more than one format needs: Java's number parsers (ksqlDB reads numeric
 * text with Integer.parseInt / Long.parseLong / Double.parseDouble, and which strings they
 * accept is observable), and the column-list text used in ksqlDB's error messages.
 */
#include "serde_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int kind;
} format_names[] = {
    {"NONE", WR_FMT_NONE},         {"KAFKA", WR_FMT_KAFKA}, {"JSON", WR_FMT_JSON},
    {"DELIMITED", WR_FMT_DELIMITED}, {"JSON_SR", WR_FMT_JSON_SR}, {"AVRO", WR_FMT_AVRO},
    {"PROTOBUF", WR_FMT_PROTOBUF},
};

int wr_format_parse(const char *name, wr_format *out)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        if (wr_strcaseeq(name, format_names[i].name)) {
            out->kind = format_names[i].kind;
            out->delim = ',';
            out->wrap_single = 1;
            return 0;
        }
    }
    return -1;
}

const char *wr_format_name(int kind)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (format_names[i].kind == kind)
            return format_names[i].name;
    return "UNKNOWN";
}

int wr_format_parse_delim(const char *text, char *out)
{
    if (!text || !*text)
        return -1;
    if (text[1] == '\0') {
        *out = text[0];
        return 0;
    }
    if (wr_strcaseeq(text, "TAB")) {
        *out = '\t';
        return 0;
    }
    if (wr_strcaseeq(text, "SPACE")) {
        *out = ' ';
        return 0;
    }
    return -1;
}

void wr_serde_columns_text(const wr_column *cols, int ncols, int is_key, wr_buf *out)
{
    wr_buf_putc(out, '[');
    for (int i = 0; i < ncols; i++) {
        if (i)
            wr_buf_puts(out, ", ");
        wr_buf_printf(out, "`%s` ", cols[i].name);
        wr_type_format(cols[i].type, out);
        if (is_key)
            wr_buf_puts(out, " KEY");
    }
    wr_buf_putc(out, ']');
}

void wr_serde_decimal_text(const wr_value *v, const wr_type *t, wr_buf *out)
{
    wr_int128 u = *v->u.dec;
    int scale = (int)v->len;
    if (t && t->kind == WR_DECIMAL && t->scale != scale &&
        wr_decimal_rescale(u, scale, t->scale, 0, &u) == 0)
        scale = t->scale;
    wr_decimal_format(u, scale, out);
}

int wr_serde_int_text(int64_t v, char *out)
{
    char tmp[24];
    int n = 0, len = 0;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = tmp[--n];
    out[len] = '\0';
    return len;
}

/* ksqlDB's "Got: [...]" errors list every column; build the text once, only on failure. */
static int columns_error(wr_error *err, const char *prefix, const wr_column *cols, int ncols,
                         int is_key)
{
    wr_buf b;
    wr_buf_init(&b);
    wr_serde_columns_text(cols, ncols, is_key, &b);
    wr_error_set(err, WR_ESEMANTIC, "%s%s", prefix, b.data ? b.data : "[]");
    wr_buf_fini(&b);
    return WR_ESEMANTIC;
}

static int kafka_type_ok(wr_kind k)
{
    return k == WR_INT || k == WR_BIGINT || k == WR_DOUBLE || k == WR_STRING || k == WR_BYTES;
}

int wr_serde_check(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                   wr_error *err)
{
    switch (f->kind) {
    case WR_FMT_NONE:
        if (ncols != 0)
            return columns_error(err,
                                 "The 'NONE' format can only be used when no columns are "
                                 "defined. Got: ",
                                 cols, ncols, is_key);
        return 0;
    case WR_FMT_KAFKA:
        /* A KAFKA key may be absent (no key columns); a value always carries its column. */
        if (ncols > 1 || (!is_key && ncols != 1))
            return columns_error(err, "The 'KAFKA' format only supports a single field. Got: ",
                                 cols, ncols, is_key);
        if (ncols == 1 && !kafka_type_ok(cols[0].type->kind))
            return wr_error_set(err, WR_ESEMANTIC,
                                "The 'KAFKA' format does not support type '%s'",
                                wr_kind_name(cols[0].type->kind));
        return 0;
    case WR_FMT_DELIMITED:
        for (int i = 0; i < ncols; i++) {
            wr_kind k = cols[i].type->kind;
            if (k == WR_ARRAY || k == WR_MAP || k == WR_STRUCT)
                return wr_error_set(err, WR_ESEMANTIC,
                                    "The 'DELIMITED' format does not support type '%s', "
                                    "column: `%s`",
                                    wr_kind_name(k), cols[i].name);
        }
        return 0;
    case WR_FMT_JSON:
        return 0;
    default:
        return wr_error_set(err, WR_EUNSUPPORTED, "The '%s' format is not supported yet",
                            wr_format_name(f->kind));
    }
}

int wr_serde_decode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                    const uint8_t *need, const char *data, size_t len, wr_value *out,
                    wr_arena *a, wr_error *err)
{
    for (int i = 0; i < ncols; i++)
        out[i] = wr_null();
    switch (f->kind) {
    case WR_FMT_NONE:
        return 0;
    case WR_FMT_KAFKA:
        return wr_serde_kafka_decode(f, is_key, cols, ncols, need, data, len, out, a, err);
    case WR_FMT_JSON:
        return wr_serde_json_decode(f, is_key, cols, ncols, need, data, len, out, a, err);
    case WR_FMT_DELIMITED:
        return wr_serde_delimited_decode(f, is_key, cols, ncols, need, data, len, out, a, err);
    default:
        return wr_error_set(err, WR_EUNSUPPORTED, "The '%s' format is not supported yet",
                            wr_format_name(f->kind));
    }
}

int wr_serde_encode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                    const wr_value *vals, wr_buf *out, wr_error *err)
{
    switch (f->kind) {
    case WR_FMT_NONE:
        return 0;
    case WR_FMT_KAFKA:
        return wr_serde_kafka_encode(f, is_key, cols, ncols, vals, out, err);
    case WR_FMT_JSON:
        return wr_serde_json_encode(f, is_key, cols, ncols, vals, out, err);
    case WR_FMT_DELIMITED:
        return wr_serde_delimited_encode(f, is_key, cols, ncols, vals, out, err);
    default:
        return wr_error_set(err, WR_EUNSUPPORTED, "The '%s' format is not supported yet",
                            wr_format_name(f->kind));
    }
}

/* ---------------------------------------------------------------- Java number parsing */

/* Integer.parseInt / Long.parseLong: an optional sign, then one or more ASCII digits, nothing
 * else (no spaces); overflow is an error. */
static int parse_integer(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (n == 0)
        return -1;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
        if (n == 1)
            return -1;
    }
    /* accumulate negatively so that the minimum value does not overflow */
    int64_t acc = 0;
    int64_t limit = neg ? min : -max;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        int d = s[i] - '0';
        if (acc < limit / 10) /* Java's multmin check */
            return -1;
        acc *= 10;
        if (acc < limit + d)
            return -1;
        acc -= d;
    }
    *out = neg ? acc : -acc;
    return 0;
}

int wr_serde_parse_int32(const char *s, size_t n, int32_t *out)
{
    int64_t v;
    if (parse_integer(s, n, INT32_MIN, INT32_MAX, &v) < 0)
        return -1;
    *out = (int32_t)v;
    return 0;
}

int wr_serde_parse_int64(const char *s, size_t n, int64_t *out)
{
    return parse_integer(s, n, INT64_MIN, INT64_MAX, out);
}

/* Double.parseDouble: surrounding chars <= ' ' are trimmed; optional sign; "NaN",
 * "Infinity", or decimal digits with optional fraction and exponent and an optional
 * f/F/d/D suffix.  Hexadecimal floating literals are not accepted (Java does; nobody sends
 * them).  The digits are converted by strtod, which rounds correctly like Java. */
int wr_serde_parse_double(const char *s, size_t n, double *out)
{
    while (n > 0 && (unsigned char)s[0] <= ' ')
        s++, n--;
    while (n > 0 && (unsigned char)s[n - 1] <= ' ')
        n--;
    if (n == 0)
        return -1;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    if (n - i == 3 && memcmp(s + i, "NaN", 3) == 0) {
        *out = __builtin_nan("");
        return 0;
    }
    if (n - i == 8 && memcmp(s + i, "Infinity", 8) == 0) {
        *out = neg ? -__builtin_inf() : __builtin_inf();
        return 0;
    }
    size_t digits = 0, end;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, ed++;
        if (ed == 0)
            return -1;
    }
    end = i;
    if (i < n && (s[i] == 'f' || s[i] == 'F' || s[i] == 'd' || s[i] == 'D'))
        i++;
    if (i != n)
        return -1;
    char tmp[128];
    char *heap = NULL, *p = tmp;
    if (end >= sizeof tmp)
        p = heap = wr_xmalloc(end + 1);
    memcpy(p, s, end);
    p[end] = '\0';
    double d = strtod(p, NULL); /* overflow gives +-HUGE_VAL = Infinity, as in Java */
    free(heap);
    *out = d;
    return 0;
}
