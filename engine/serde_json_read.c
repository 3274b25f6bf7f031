/*
 * serde_json_read.c - reading JSON: the JSON format's decoder and wr_json_read_value.
 *
 * Reproduces ksqlDB's KsqlJsonDeserializer: Jackson reads the document into a tree (floats
 * as exact BigDecimals, text after the first value ignored), then every column is coerced
 * to its declared type (JsonSerdeUtils): field names matched exactly, else by their
 * upper-cased form; numbers and numeric strings converted with Java's rules; STRING from
 * any scalar (number text as Jackson prints it), from objects (their compact JSON) and from
 * arrays (Java's List.toString of the elements read as STRING).
 *
 * Why not jansson: it reads every JSON real as a double, which cannot give DECIMAL(38, x)
 * columns their exact value, and it builds the whole tree even when a query reads one
 * field.  This scanner works on the text directly: it validates the document in one pass,
 * remembers where the wanted fields start, and converts only those; strings without
 * escapes point into the record bytes, so a typical record allocates nothing.
 *
 * Known differences, all at the edges: invalid UTF-8 inside strings is not rejected; field
 * names are upper-cased by ASCII rules only (Java uses Unicode case mapping); for duplicate
 * field names the last one wins (Jackson too) but MAP entries keep the position of the last
 * occurrence.  Syntax error texts are weir's own, not Jackson's.
 */
#include "serde_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 1000 /* Jackson's default nesting limit */

typedef struct jscan {
    const char *start, *p, *end;
    wr_arena *a;
    wr_error *err;
    int depth;
} jscan;

/* ---------------------------------------------------------------- syntax */

static void ws(jscan *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static int syntax_error(jscan *j, const char *what)
{
    if (j->p >= j->end)
        return wr_error_set(j->err, WR_EDATA, "Invalid JSON: unexpected end-of-input (%s)",
                            what);
    unsigned char c = (unsigned char)*j->p;
    if (c >= 0x20 && c < 0x7f)
        return wr_error_set(j->err, WR_EDATA,
                            "Invalid JSON: unexpected character ('%c' (code %d)) at offset "
                            "%ld: %s",
                            c, c, (long)(j->p - j->start), what);
    return wr_error_set(j->err, WR_EDATA,
                        "Invalid JSON: unexpected character (code %d) at offset %ld: %s", c,
                        (long)(j->p - j->start), what);
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* p at the opening quote; leaves p after the closing quote.  *esc = 1 when the string has
 * backslash escapes (its raw bytes are then not its value). */
static int skip_string(jscan *j, int *esc)
{
    const char *p = j->p + 1, *end = j->end;
    *esc = 0;
    for (;;) {
        while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
            p++;
        if (p >= end) {
            j->p = p;
            return syntax_error(j, "string not closed");
        }
        if (*p == '"') {
            j->p = p + 1;
            return 0;
        }
        if (*p != '\\') {
            j->p = p;
            return syntax_error(j, "control character in string must be escaped");
        }
        *esc = 1;
        p++;
        if (p >= end || !strchr("\"\\/bfnrtu", *p) || *p == '\0') {
            j->p = p;
            return syntax_error(j, "invalid escape");
        }
        if (*p == 'u') {
            if (end - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4])) {
                j->p = p;
                return syntax_error(j, "invalid \\u escape");
            }
            p += 4;
        }
        p++;
    }
}

/* A number token: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?  *real = has . or e. */
static int skip_number(jscan *j, int *real)
{
    const char *p = j->p, *end = j->end;
    *real = 0;
    if (p < end && *p == '-')
        p++;
    if (p >= end || *p < '0' || *p > '9') {
        j->p = p;
        return syntax_error(j, "expected digit");
    }
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9') {
            j->p = p;
            return syntax_error(j, "leading zeroes not allowed");
        }
    } else {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && *p == '.') {
        *real = 1;
        p++;
        if (p >= end || *p < '0' || *p > '9') {
            j->p = p;
            return syntax_error(j, "expected digit after decimal point");
        }
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        *real = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9') {
            j->p = p;
            return syntax_error(j, "expected digit in exponent");
        }
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    j->p = p;
    return 0;
}

static int skip_literal(jscan *j, const char *word, size_t n)
{
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
        return syntax_error(j, "unrecognized token");
    const char *after = j->p + n;
    if (after < j->end && ((*after >= 'a' && *after <= 'z') || (*after >= 'A' && *after <= 'Z') ||
                           (*after >= '0' && *after <= '9') || *after == '_'))
        return syntax_error(j, "unrecognized token");
    j->p = after;
    return 0;
}

static int skip_value(jscan *j);

static int skip_container(jscan *j, char close)
{
    if (++j->depth > MAX_DEPTH)
        return syntax_error(j, "nesting too deep");
    j->p++;
    ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return 0;
    }
    for (;;) {
        int esc, rc;
        ws(j);
        if (close == '}') {
            if (j->p >= j->end || *j->p != '"')
                return syntax_error(j, "expected a field name");
            if ((rc = skip_string(j, &esc)))
                return rc;
            ws(j);
            if (j->p >= j->end || *j->p != ':')
                return syntax_error(j, "expected ':'");
            j->p++;
        }
        if ((rc = skip_value(j)))
            return rc;
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == close) {
            j->p++;
            j->depth--;
            return 0;
        }
        return syntax_error(j, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

/* Validates one value and leaves p after it. */
static int skip_value(jscan *j)
{
    int esc, real;
    ws(j);
    if (j->p >= j->end)
        return syntax_error(j, "expected a value");
    switch (*j->p) {
    case '{': return skip_container(j, '}');
    case '[': return skip_container(j, ']');
    case '"': return skip_string(j, &esc);
    case 't': return skip_literal(j, "true", 4);
    case 'f': return skip_literal(j, "false", 5);
    case 'n': return skip_literal(j, "null", 4);
    default:
        if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
            return skip_number(j, &real);
        return syntax_error(j, "expected a value");
    }
}

/* Validates the document: one value, then (like Jackson at root level) at least a space
 * before anything that follows; the rest of the text is not read.  Returns 1 for a blank
 * document, 0 when valid, WR_EDATA otherwise. */
static int validate_doc(jscan *j)
{
    ws(j);
    if (j->p >= j->end)
        return 1;
    const char *first = j->p;
    int rc = skip_value(j);
    if (rc)
        return rc;
    if (j->p < j->end && (*first == '-' || (*first >= '0' && *first <= '9')) &&
        *j->p != ' ' && *j->p != '\t' && *j->p != '\n' && *j->p != '\r')
        return syntax_error(j, "expected space separating root-level values");
    j->p = first;
    return 0;
}

/* ---------------------------------------------------------------- strings */


static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* Reads the (already validated) string at p: its value points into the record when it has
 * no escapes, else into the arena.  Leaves p after it. */
static int read_string(jscan *j, const char **s, size_t *n)
{
    int esc, rc;
    const char *open = j->p;
    if ((rc = skip_string(j, &esc)))
        return rc;
    const char *raw = open + 1;
    size_t rawn = (size_t)(j->p - 1 - raw);
    if (!esc) {
        *s = raw;
        *n = rawn;
        return 0;
    }
    char *out = wr_arena_alloc(j->a, rawn + 1); /* unescaping never grows the text */
    size_t o = 0;
    for (size_t i = 0; i < rawn; i++) {
        if (raw[i] != '\\') {
            out[o++] = raw[i];
            continue;
        }
        char c = raw[++i];
        switch (c) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned cp = hex4(raw + i + 1);
            i += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < rawn && raw[i + 1] == '\\' &&
                raw[i + 2] == 'u') {
                unsigned lo = hex4(raw + i + 3);
                if (lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                }
            }
            if (cp >= 0xd800 && cp < 0xe000)
                cp = '?'; /* a lone surrogate: Java's UTF-8 encoder writes '?' */
            o += (size_t)wr_utf8_put(cp, out + o);
            break;
        }
        default: out[o++] = c; break; /* " \ / */
        }
    }
    out[o] = '\0';
    *s = out;
    *n = o;
    return 0;
}

/* ---------------------------------------------------------------- numbers */

/* The parts of a validated number token. */
typedef struct jnum {
    const char *s;
    size_t n;
    int real, neg;
    const char *ip; /* integer digits */
    size_t ipn;
    const char *fp; /* fraction digits */
    size_t fpn;
    long exp;       /* exponent, saturated at +-1e9 */
} jnum;

static void num_split(const char *s, size_t n, int real, jnum *x)
{
    size_t i = 0;
    memset(x, 0, sizeof *x);
    x->s = s;
    x->n = n;
    x->real = real;
    if (s[0] == '-')
        x->neg = 1, i = 1;
    x->ip = s + i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, x->ipn++;
    if (i < n && s[i] == '.') {
        i++;
        x->fp = s + i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, x->fpn++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        i++;
        if (s[i] == '+' || s[i] == '-')
            eneg = s[i++] == '-';
        long e = 0;
        for (; i < n; i++)
            if (e < 1000000000L)
                e = e * 10 + (s[i] - '0');
        x->exp = eneg ? -e : e;
    }
}

static char num_digit(const jnum *x, long k) /* k-th digit of ip||fp, '0' past the end */
{
    if (k < (long)x->ipn)
        return x->ip[k];
    if (k < (long)(x->ipn + x->fpn))
        return x->fp[k - (long)x->ipn];
    return '0';
}

/* Java's intValue()/longValue() of the node: the fraction is dropped and the low 64 bits of
 * the integer kept (callers cut to 32).  Unsigned wrap-around gives the low bits exactly,
 * and past 64 more decimal zeros they are all 0, hence the cap. */
static uint64_t num_low_bits(const jnum *x)
{
    long int_digits = (long)x->ipn + x->exp; /* digits before the point after the shift */
    uint64_t acc = 0;
    long total = (long)(x->ipn + x->fpn);
    if (int_digits > total + 64)
        int_digits = total + 64;
    for (long k = 0; k < int_digits; k++)
        acc = acc * 10 + (uint64_t)(num_digit(x, k) - '0');
    return x->neg ? (uint64_t)0 - acc : acc;
}

/* Jackson's node class for a number: IntNode, LongNode, BigIntegerNode or DecimalNode. */
static const char *num_node(const jnum *x)
{
    if (x->real)
        return "DecimalNode";
    int64_t v;
    if (wr_serde_parse_int64(x->s, x->n, &v) < 0)
        return "BigIntegerNode";
    return v >= INT32_MIN && v <= INT32_MAX ? "IntNode" : "LongNode";
}

/* The text Jackson gives a number node: integers as they are ("-0" is 0), reals as
 * BigDecimal.toString() of the exact value ("1.50", "1E+10", "1E-7"). */
static void num_text(const jnum *x, wr_buf *out)
{
    /* unscaled digits without leading zeros */
    long total = (long)(x->ipn + x->fpn), k = 0;
    while (k < total - 1 && num_digit(x, k) == '0')
        k++;
    int zero = total - k == 1 && num_digit(x, k) == '0';
    if (x->neg && !zero)
        wr_buf_putc(out, '-');
    if (!x->real) {
        wr_buf_append(out, x->ip, x->ipn);
        return;
    }
    long ndig = total - k;
    long scale = (long)x->fpn - x->exp;
    long adjusted = -scale + (ndig - 1);
    if (scale >= 0 && adjusted >= -6) {
        if (scale == 0) {
            for (long i = k; i < total; i++)
                wr_buf_putc(out, num_digit(x, i));
        } else if (ndig > scale) {
            for (long i = k; i < total - scale; i++)
                wr_buf_putc(out, num_digit(x, i));
            wr_buf_putc(out, '.');
            for (long i = total - scale; i < total; i++)
                wr_buf_putc(out, num_digit(x, i));
        } else {
            wr_buf_puts(out, "0.");
            for (long i = ndig; i < scale; i++)
                wr_buf_putc(out, '0');
            for (long i = k; i < total; i++)
                wr_buf_putc(out, num_digit(x, i));
        }
        return;
    }
    wr_buf_putc(out, num_digit(x, k));
    if (ndig > 1) {
        wr_buf_putc(out, '.');
        for (long i = k + 1; i < total; i++)
            wr_buf_putc(out, num_digit(x, i));
    }
    if (adjusted != 0)
        wr_buf_printf(out, "E%s%ld", adjusted > 0 ? "+" : "", adjusted);
}

/* ---------------------------------------------------------------- conversion */

static void type_text(const wr_type *t, wr_buf *b)
{
    if (t->kind <= WR_TIME && t->kind != WR_DECIMAL)
        wr_buf_puts(b, wr_kind_name(t->kind));
    else
        wr_type_format(t, b);
}

static int convert_error(jscan *j, const char *node, const wr_type *t)
{
    wr_buf b;
    wr_buf_init(&b);
    type_text(t, &b);
    wr_error_set(j->err, WR_EDATA, "Can't convert type. sourceType: %s, requiredType: %s", node,
                 b.data ? b.data : "");
    wr_buf_fini(&b);
    return WR_EDATA;
}

static int coerce_error(jscan *j, const wr_type *t)
{
    wr_buf b;
    wr_buf_init(&b);
    type_text(t, &b);
    wr_error_set(j->err, WR_EDATA, "Can't coerce string to type. targetType: %s",
                 b.data ? b.data : "");
    wr_buf_fini(&b);
    return WR_EDATA;
}

/* BigDecimal -> DECIMAL(p, s): HALF_UP to the scale, then the precision check
 * (ksqlDB's DecimalUtil.ensureFit). */
static int decimal_fit(jscan *j, const char *s, size_t n, const wr_type *t, wr_value *out)
{
    wr_int128 u, r;
    int scale;
    if (wr_decimal_parse(s, n, &u, &scale) < 0 ||
        wr_decimal_rescale(u, scale, t->scale, t->precision, &r) < 0)
        return wr_error_set(j->err, WR_EDATA,
                            "Numeric field overflow: A field with precision %d and scale %d "
                            "must round to an absolute value less than 10^%d. Got %.*s",
                            t->precision, t->scale, t->precision - t->scale,
                            (int)(n > 100 ? 100 : n), s);
    *out = wr_decimal(j->a, r, t->scale);
    return 0;
}

/* A scalar from text: JSON strings, and MAP keys (which are field names). */
static int convert_text(jscan *j, const char *s, size_t n, const wr_type *t, wr_value *out)
{
    switch (t->kind) {
    case WR_BOOLEAN:
        if (n == 4 && wr_strncaseeq_n(s, n, "true"))
            *out = wr_bool(1);
        else if (n == 5 && wr_strncaseeq_n(s, n, "false"))
            *out = wr_bool(0);
        else
            return coerce_error(j, t);
        return 0;
    case WR_INT:
    case WR_DATE:
    case WR_TIME: {
        int32_t v;
        if (wr_serde_parse_int32(s, n, &v) < 0)
            return coerce_error(j, t);
        *out = wr_i64(t->kind, v);
        return 0;
    }
    case WR_BIGINT:
    case WR_TIMESTAMP: {
        int64_t v;
        if (wr_serde_parse_int64(s, n, &v) < 0)
            return coerce_error(j, t);
        *out = wr_i64(t->kind, v);
        return 0;
    }
    case WR_DOUBLE: {
        double d;
        if (wr_serde_parse_double(s, n, &d) < 0)
            return coerce_error(j, t);
        *out = wr_double(d);
        return 0;
    }
    case WR_DECIMAL: {
        wr_int128 u;
        int scale;
        if (wr_decimal_parse(s, n, &u, &scale) < 0)
            return coerce_error(j, t);
        return decimal_fit(j, s, n, t, out);
    }
    case WR_STRING:
        *out = wr_str(s, n);
        return 0;
    case WR_BYTES: {
        unsigned char *p = wr_arena_alloc(j->a, 3 * n / 4 + 3);
        long m = wr_base64_decode(s, n, p);
        if (m < 0)
            return wr_error_set(j->err, WR_EDATA,
                                "Value is not a valid Base64 encoded string: %.*s",
                                (int)(n > 64 ? 64 : n), s);
        *out = wr_bytes(p, (size_t)m);
        return 0;
    }
    default:
        return convert_error(j, "TextNode", t);
    }
}

static int convert_number(jscan *j, const jnum *x, const wr_type *t, wr_value *out)
{
    switch (t->kind) {
    case WR_INT:
    case WR_DATE:
    case WR_TIME:
        *out = wr_i64(t->kind, (int32_t)(uint32_t)num_low_bits(x));
        return 0;
    case WR_BIGINT:
    case WR_TIMESTAMP:
        *out = wr_i64(t->kind, (int64_t)num_low_bits(x));
        return 0;
    case WR_DOUBLE: {
        double d;
        if (wr_double_parse_fast(x->s, x->n, &d) == 0) {
            *out = wr_double(d);
            return 0;
        }
        char tmp[64];
        char *buf = x->n < sizeof tmp ? tmp : wr_arena_alloc(j->a, x->n + 1);
        memcpy(buf, x->s, x->n);
        buf[x->n] = '\0';
        *out = wr_double(strtod(buf, NULL)); /* correctly rounded, like BigDecimal's */
        return 0;
    }
    case WR_DECIMAL:
        return decimal_fit(j, x->s, x->n, t, out);
    case WR_STRING: {
        if (!x->real && !(x->neg && x->ipn == 1 && x->ip[0] == '0')) {
            *out = wr_str(x->s, x->n); /* the token itself */
            return 0;
        }
        wr_buf b;
        wr_buf_init(&b);
        num_text(x, &b);
        *out = wr_str_copy(j->a, b.data, b.len);
        wr_buf_fini(&b);
        return 0;
    }
    default:
        return convert_error(j, num_node(x), t);
    }
}

static int upper_eq_n(const char *key, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        char k = key[i];
        if (k >= 'a' && k <= 'z')
            k = (char)(k - 'a' + 'A');
        if (k != name[i])
            return 0;
    }
    return 1;
}

/* Scans the object at p (validating it) and finds where the values of n names start: the
 * `name` members of structs `stride` bytes apart (wr_column and wr_field both begin with
 * it).  ksqlDB's rule: a field with exactly that name, else one whose upper-cased name is
 * it; with several, the last.  Names with need[i] == 0 are not looked for.  Leaves p after
 * the object. */
static int scan_fields(jscan *j, const void *base, size_t stride, int n, const uint8_t *need,
                       const char **found)
{
    const char *stack_up[32];
    size_t stack_len[32];
    const char **upper = n <= 32 ? stack_up : wr_arena_alloc(j->a, sizeof *upper * (size_t)n);
    size_t *lens = n <= 32 ? stack_len : wr_arena_alloc(j->a, sizeof *lens * (size_t)n);
    for (int i = 0; i < n; i++) {
        found[i] = upper[i] = NULL;
        lens[i] = strlen(*(const char *const *)((const char *)base + stride * (size_t)i));
    }
    if (++j->depth > MAX_DEPTH)
        return syntax_error(j, "nesting too deep");
    j->p++;
    ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
        j->depth--;
        return 0;
    }
    for (;;) {
        const char *key;
        size_t klen;
        int rc;
        ws(j);
        if (j->p >= j->end || *j->p != '"')
            return syntax_error(j, "expected a field name");
        if ((rc = read_string(j, &key, &klen)))
            return rc;
        ws(j);
        if (j->p >= j->end || *j->p != ':')
            return syntax_error(j, "expected ':'");
        j->p++;
        ws(j);
        const char *val = j->p;
        for (int i = 0; i < n; i++) {
            if ((need && !need[i]) || lens[i] != klen)
                continue;
            const char *name = *(const char *const *)((const char *)base + stride * (size_t)i);
            if (memcmp(key, name, klen) == 0)
                found[i] = val;
            else if (upper_eq_n(key, klen, name))
                upper[i] = val;
        }
        if ((rc = skip_value(j)))
            return rc;
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == '}') {
            j->p++;
            break;
        }
        return syntax_error(j, "expected ',' or '}'");
    }
    j->depth--;
    for (int i = 0; i < n; i++)
        if (!found[i])
            found[i] = upper[i];
    return 0;
}

static int convert(jscan *j, const wr_type *t, wr_value *out);
static int string_of(jscan *j, wr_buf *b);

/* Compact JSON text of the value at p, as Jackson re-serialises it (objects read into a
 * STRING column). */
static int compact(jscan *j, wr_buf *b)
{
    int rc, real;
    ws(j);
    char c = *j->p;
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        int first = 1;
        wr_buf_putc(b, c);
        j->p++;
        for (;;) {
            ws(j);
            if (*j->p == close) {
                j->p++;
                wr_buf_putc(b, close);
                break;
            }
            if (*j->p == ',')
                j->p++, ws(j);
            if (!first)
                wr_buf_putc(b, ',');
            first = 0;
            if (close == '}') {
                const char *key;
                size_t klen;
                if ((rc = read_string(j, &key, &klen)))
                    return rc;
                wr_json_write_string(key, klen, b);
                ws(j);
                j->p++; /* ':' */
                wr_buf_putc(b, ':');
            }
            if ((rc = compact(j, b)))
                return rc;
        }
        return 0;
    }
    if (c == '"') {
        const char *s;
        size_t n;
        if ((rc = read_string(j, &s, &n)))
            return rc;
        wr_json_write_string(s, n, b);
        return 0;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *s = j->p;
        jnum x;
        if ((rc = skip_number(j, &real)))
            return rc;
        num_split(s, (size_t)(j->p - s), real, &x);
        num_text(&x, b);
        return 0;
    }
    const char *s = j->p;
    if ((rc = skip_value(j)))
        return rc;
    wr_buf_append(b, s, (size_t)(j->p - s)); /* true false null */
    return 0;
}

/* The STRING reading of the value at p appended to b (processString in ksqlDB). */
static int string_of(jscan *j, wr_buf *b)
{
    ws(j);
    char c = *j->p;
    if (c == '{')
        return compact(j, b);
    if (c == '[') {
        /* each element read as STRING, then Java's List.toString() */
        int first = 1, rc;
        wr_buf_putc(b, '[');
        j->p++;
        for (;;) {
            ws(j);
            if (*j->p == ']') {
                j->p++;
                break;
            }
            if (*j->p == ',')
                j->p++, ws(j);
            if (!first)
                wr_buf_puts(b, ", ");
            first = 0;
            if ((rc = string_of(j, b)))
                return rc;
        }
        wr_buf_putc(b, ']');
        return 0;
    }
    wr_value v;
    int rc = convert(j, &wr_type_string, &v);
    if (rc)
        return rc;
    if (wr_is_null(&v))
        wr_buf_puts(b, "null");
    else
        wr_buf_append(b, v.u.s, v.len);
    return 0;
}

/* Reads the value at p as type t; leaves p after it. */
static int convert(jscan *j, const wr_type *t, wr_value *out)
{
    int rc, real;
    ws(j);
    *out = wr_null();
    if (j->p >= j->end)
        return syntax_error(j, "expected a value");
    char c = *j->p;
    switch (c) {
    case 'n':
        return skip_literal(j, "null", 4);
    case 't':
    case 'f':
        if ((rc = skip_literal(j, c == 't' ? "true" : "false", c == 't' ? 4 : 5)))
            return rc;
        if (t->kind == WR_BOOLEAN)
            *out = wr_bool(c == 't');
        else if (t->kind == WR_STRING)
            *out = c == 't' ? wr_str("true", 4) : wr_str("false", 5);
        else
            return convert_error(j, "BooleanNode", t);
        return 0;
    case '"': {
        const char *s;
        size_t n;
        if ((rc = read_string(j, &s, &n)))
            return rc;
        return convert_text(j, s, n, t, out);
    }
    case '{':
        if (t->kind == WR_STRUCT) {
            const char *stackf[32];
            const char **found = t->nfields <= 32
                                     ? stackf
                                     : wr_arena_alloc(j->a, sizeof *found * (size_t)t->nfields);
            if ((rc = scan_fields(j, t->fields, sizeof(wr_field), t->nfields, NULL, found)))
                return rc;
            const char *after = j->p;
            *out = wr_struct(j->a, (uint32_t)t->nfields);
            for (int i = 0; i < t->nfields; i++) {
                if (!found[i])
                    continue;
                j->p = found[i];
                if ((rc = convert(j, t->fields[i].type, &out->u.items[i])))
                    return rc;
            }
            j->p = after;
            return 0;
        }
        if (t->kind == WR_MAP) {
            const wr_type *kt = t->key ? t->key : &wr_type_string;
            const char *open = j->p;
            uint32_t n = 0, cap;
            if ((rc = skip_value(j)))
                return rc;
            const char *after = j->p;
            /* count the entries (a validated object: every "x": starts one at depth 1) */
            j->p = open + 1;
            ws(j);
            while (*j->p != '}') {
                const char *s;
                size_t sn;
                read_string(j, &s, &sn);
                ws(j);
                j->p++;
                skip_value(j);
                ws(j);
                n++;
                if (*j->p == ',')
                    j->p++, ws(j);
            }
            cap = n;
            *out = wr_map(j->a, cap);
            n = 0;
            j->p = open + 1;
            ws(j);
            while (*j->p != '}') {
                const char *s;
                size_t sn;
                wr_value key, val;
                read_string(j, &s, &sn);
                ws(j);
                j->p++;
                if ((rc = convert_text(j, s, sn, kt, &key)) || (rc = convert(j, t->elem, &val)))
                    return rc;
                uint32_t at = n;
                for (uint32_t i = 0; i < n; i++) /* a repeated field name: the last wins */
                    if (wr_value_equal(&out->u.items[2 * i], &key))
                        at = i;
                out->u.items[2 * at] = key;
                out->u.items[2 * at + 1] = val;
                if (at == n)
                    n++;
                ws(j);
                if (*j->p == ',')
                    j->p++, ws(j);
            }
            out->len = n;
            j->p = after;
            return 0;
        }
        if (t->kind == WR_STRING)
            break;
        return convert_error(j, "ObjectNode", t);
    case '[':
        if (t->kind == WR_ARRAY) {
            const char *open = j->p;
            uint32_t n = 0;
            if ((rc = skip_value(j)))
                return rc;
            const char *after = j->p;
            j->p = open + 1;
            ws(j);
            while (*j->p != ']') {
                skip_value(j);
                ws(j);
                n++;
                if (*j->p == ',')
                    j->p++;
            }
            *out = wr_array(j->a, n);
            j->p = open + 1;
            for (uint32_t i = 0; i < n; i++) {
                if ((rc = convert(j, t->elem, &out->u.items[i])))
                    return rc;
                ws(j);
                if (*j->p == ',')
                    j->p++;
            }
            j->p = after;
            return 0;
        }
        if (t->kind == WR_STRING)
            break;
        return convert_error(j, "ArrayNode", t);
    default: {
        const char *s = j->p;
        jnum x;
        if ((rc = skip_number(j, &real)))
            return rc;
        num_split(s, (size_t)(j->p - s), real, &x);
        return convert_number(j, &x, t, out);
    }
    }
    /* an object or array read as STRING */
    const char *open = j->p;
    if ((rc = skip_value(j)))
        return rc;
    const char *after = j->p;
    wr_buf b;
    wr_buf_init(&b);
    j->p = open;
    rc = string_of(j, &b);
    if (!rc)
        *out = wr_str_copy(j->a, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    j->p = after;
    return rc;
}

/* ---------------------------------------------------------------- entry points */

/* A wrapped value or multi-column key that is not an object: ksqlDB reports the value
 * columns as the STRUCT they are read into. */
static int root_error(jscan *j, const wr_column *cols, int ncols)
{
    const char *node = *j->p == '[' ? "ArrayNode" : *j->p == '"' ? "TextNode"
                       : (*j->p == 't' || *j->p == 'f') ? "BooleanNode" : NULL;
    if (!node) {
        const char *s = j->p;
        jnum x;
        int real;
        skip_number(j, &real);
        num_split(s, (size_t)(j->p - s), real, &x);
        node = num_node(&x);
    }
    wr_buf b;
    wr_buf_init(&b);
    wr_buf_puts(&b, "STRUCT<");
    for (int i = 0; i < ncols; i++) {
        wr_buf_printf(&b, "%s`%s` ", i ? ", " : "", cols[i].name);
        wr_type_format(cols[i].type, &b);
    }
    wr_buf_putc(&b, '>');
    wr_error_set(j->err, WR_EDATA, "Can't convert type. sourceType: %s, requiredType: %s", node,
                 b.data);
    wr_buf_fini(&b);
    return WR_EDATA;
}

int wr_serde_json_decode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                         const uint8_t *need, const char *data, size_t len, wr_value *out,
                         wr_arena *a, wr_error *err)
{
    jscan j = {data, data, data + len, a, err, 0};
    int rc, bare = ncols == 1 && (is_key || !f->wrap_single);
    ws(&j);
    if (j.p == j.end)
        return 0; /* a blank document reads as all NULL */
    /* The whole document is validated before any column is converted, even when no column
     * is needed: ksqlDB drops a record that is not JSON (a COUNT(*) must not count it).
     * For an object scan_fields validates as it goes, saving a pass in the common case. */
    if (*j.p == '{' && !bare) {
        const char *stackf[64];
        const char **found =
            ncols <= 64 ? stackf : wr_arena_alloc(a, sizeof *found * (size_t)ncols);
        if ((rc = scan_fields(&j, cols, sizeof(wr_column), ncols, need, found)))
            return rc;
        for (int i = 0; i < ncols; i++) {
            if (!found[i])
                continue;
            j.p = found[i];
            if ((rc = convert(&j, cols[i].type, &out[i])))
                return rc;
        }
        return 0;
    }
    if ((rc = validate_doc(&j)))
        return rc < 0 ? rc : 0;
    int any = 0;
    for (int i = 0; i < ncols; i++)
        any |= !need || need[i];
    if (!any || (*j.p == 'n' && skip_literal(&j, "null", 4) == 0))
        return 0; /* a JSON null document reads as all columns NULL */
    if (bare)
        return convert(&j, cols[0].type, &out[0]);
    return root_error(&j, cols, ncols);
}

int wr_json_read_value(const char *json, size_t len, const wr_type *t, wr_arena *a,
                       wr_value *out, wr_error *err)
{
    jscan j = {json, json, json + len, a, err, 0};
    *out = wr_null();
    int rc = validate_doc(&j);
    if (rc)
        return rc < 0 ? rc : 0;
    return convert(&j, t, out);
}
