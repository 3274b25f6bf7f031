/*
 * serde_delimited.c - the DELIMITED format, as ksqlDB runs it on Apache Commons CSV 1.4
 * (CSVFormat.DEFAULT with the configured delimiter).
 *
 * Reading: the first record of the text is split like Commons CSV's lexer (quoted fields
 * with doubled quotes, whitespace allowed after a closing quote, leading empty lines
 * skipped); the field count must equal the column count; an empty field, quoted or not, is
 * NULL; text is converted with Java's parsers (Integer.parseInt, Boolean.parseBoolean, ...).
 * Writing: CSVPrinter's MINIMAL quoting, NULL as an empty unquoted field (SEMANTICS rule 15).
 */
#include "serde_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- reading */

typedef struct csv_field {
    const char *s;
    size_t n;
    int escaped; /* quoted with doubled quotes inside: s..n still holds them */
} csv_field;

static int is_java_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == 0x0b || c == '\f' || (c >= 0x1c && c <= 0x1f);
}

/* Splits the first record into fields; stores at most `max` of them but counts all.
 * Returns the field count (0 = no record), or -1 with err set. */
static int csv_split(const char *data, size_t len, char delim, csv_field *fields, int max,
                     wr_error *err)
{
    size_t i = 0;
    int line = 1, count = 0;
    /* leading empty lines are not records */
    while (i < len && (data[i] == '\n' || data[i] == '\r')) {
        if (data[i] == '\n' || !(i + 1 < len && data[i + 1] == '\n'))
            line++;
        i++;
    }
    if (i == len)
        return 0;
    for (;;) {
        csv_field fld = {data + i, 0, 0};
        if (i < len && data[i] == '"') {
            size_t start = ++i;
            for (;;) {
                if (i >= len)
                    return wr_error_set(err, WR_EDATA,
                                        "(startline %d) EOF reached before encapsulated token "
                                        "finished",
                                        line);
                if (data[i] == '"') {
                    if (i + 1 < len && data[i + 1] == '"') {
                        fld.escaped = 1;
                        i += 2;
                        continue;
                    }
                    break;
                }
                if (data[i] == '\n')
                    line++;
                i++;
            }
            fld.s = data + start;
            fld.n = i - start;
            i++; /* closing quote */
            while (i < len && data[i] != delim && data[i] != '\n' && data[i] != '\r') {
                if (!is_java_space((unsigned char)data[i]))
                    return wr_error_set(err, WR_EDATA,
                                        "(line %d) invalid char between encapsulated token "
                                        "and delimiter",
                                        line);
                i++;
            }
        } else {
            while (i < len && data[i] != delim && data[i] != '\n' && data[i] != '\r')
                i++;
            fld.n = (size_t)(data + i - fld.s);
        }
        if (count < max)
            fields[count] = fld;
        count++;
        if (i < len && data[i] == delim) {
            i++;
            continue; /* a delimiter at the very end still opens an (empty) last field */
        }
        return count; /* end of line or of text */
    }
}

static int number_error(wr_error *err, const char *s, size_t n)
{
    return wr_error_set(err, WR_EDATA, "For input string: \"%.*s\"", (int)(n > 200 ? 200 : n),
                        s);
}

static int field_value(const char *s, size_t n, const wr_type *t, wr_arena *a, wr_value *out,
                       wr_error *err)
{
    switch (t->kind) {
    case WR_BOOLEAN: /* Boolean.parseBoolean: anything but "true" is false */
        *out = wr_bool(n == 4 && wr_strncaseeq_n(s, n, "true"));
        return 0;
    case WR_INT:
    case WR_DATE: {
        int32_t v;
        if (wr_serde_parse_int32(s, n, &v) < 0)
            return number_error(err, s, n);
        *out = wr_i64(t->kind, v);
        return 0;
    }
    case WR_BIGINT:
    case WR_TIMESTAMP:
    case WR_TIME: {
        int64_t v;
        if (wr_serde_parse_int64(s, n, &v) < 0)
            return number_error(err, s, n);
        *out = wr_i64(t->kind, v);
        return 0;
    }
    case WR_DOUBLE: {
        double d;
        if (wr_serde_parse_double(s, n, &d) < 0)
            return number_error(err, s, n);
        *out = wr_double(d);
        return 0;
    }
    case WR_DECIMAL: {
        wr_int128 u, r;
        int scale;
        if (wr_decimal_parse(s, n, &u, &scale) < 0)
            return wr_error_set(err, WR_EDATA, "Invalid decimal: \"%.*s\"",
                                (int)(n > 200 ? 200 : n), s);
        if (wr_decimal_rescale(u, scale, t->scale, t->precision, &r) < 0)
            return wr_error_set(err, WR_EDATA,
                                "Numeric field overflow: A field with precision %d and scale "
                                "%d must round to an absolute value less than 10^%d. Got %.*s",
                                t->precision, t->scale, t->precision - t->scale,
                                (int)(n > 200 ? 200 : n), s);
        *out = wr_decimal(a, r, t->scale);
        return 0;
    }
    case WR_STRING:
        *out = wr_str(s, n);
        return 0;
    case WR_BYTES: {
        unsigned char *p = wr_arena_alloc(a, 3 * n / 4 + 3);
        long m = wr_base64_decode(s, n, p);
        if (m < 0)
            return wr_error_set(err, WR_EDATA, "Illegal base64 value: \"%.*s\"",
                                (int)(n > 200 ? 200 : n), s);
        *out = wr_bytes(p, (size_t)m);
        return 0;
    }
    default:
        return wr_error_set(err, WR_EDATA, "The 'DELIMITED' format does not support type '%s'",
                            wr_kind_name(t->kind));
    }
}

int wr_serde_delimited_decode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                              const uint8_t *need, const char *data, size_t len,
                              wr_value *out, wr_arena *a, wr_error *err)
{
    csv_field stackf[32];
    int max = ncols + 1; /* one more, so that a long record is still cut short cheaply */
    csv_field *fields = max <= 32 ? stackf : wr_arena_alloc(a, sizeof *fields * (size_t)max);
    char delim = f->delim ? f->delim : ',';
    int nf = csv_split(data, len, delim, fields, max, err);
    if (nf < 0)
        return WR_EDATA;
    if (nf == 0)
        return wr_error_set(err, WR_EDATA, "No fields in record");
    if (nf != ncols)
        return wr_error_set(err, WR_EDATA, "Unexpected field count, csvFields:%d schemaFields:%d",
                            nf, ncols);
    for (int i = 0; i < ncols; i++) {
        if ((need && !need[i]) || fields[i].n == 0)
            continue;
        const char *s = fields[i].s;
        size_t n = fields[i].n;
        if (fields[i].escaped) { /* undouble the quotes */
            char *p = wr_arena_alloc(a, n);
            size_t m = 0;
            for (size_t k = 0; k < n; k++) {
                p[m++] = s[k];
                if (s[k] == '"')
                    k++;
            }
            s = p;
            n = m;
        }
        int rc = field_value(s, n, cols[i].type, a, &out[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- writing */

/* CSVFormat.printAndQuote in MINIMAL mode (Commons CSV 1.4): quote when the value starts
 * with a char <= '#', contains CR, LF, a quote or the delimiter, or ends with a char <= ' ';
 * the first value of a record also when it does not start with an ASCII letter or digit
 * (bytes >= 0x80 stand for Java chars above 'z', which counts as not alphanumeric). */
static void put_field(wr_buf *out, const char *s, size_t n, int first, char delim)
{
    int quote = 0;
    if (n == 0) {
        quote = first;
    } else {
        unsigned char c = (unsigned char)s[0];
        if (first && !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            quote = 1;
        else if (c <= '#')
            quote = 1;
        else {
            for (size_t i = 0; i < n && !quote; i++)
                if (s[i] == '\n' || s[i] == '\r' || s[i] == '"' || s[i] == delim)
                    quote = 1;
            if (!quote && (unsigned char)s[n - 1] <= ' ')
                quote = 1;
        }
    }
    if (!quote) {
        wr_buf_append(out, s, n);
        return;
    }
    wr_buf_putc(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            wr_buf_append(out, s + run, i + 1 - run);
            wr_buf_putc(out, '"');
            run = i + 1;
        }
    }
    wr_buf_append(out, s + run, n - run);
    wr_buf_putc(out, '"');
}

int wr_serde_delimited_encode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                              const wr_value *vals, wr_buf *out, wr_error *err)
{
    char delim = f->delim ? f->delim : ',';
    wr_buf tmp;
    wr_buf_init(&tmp);
    int rc = 0;
    for (int i = 0; i < ncols && !rc; i++) {
        const wr_value *v = &vals[i];
        char num[48];
        const char *s = num;
        size_t n = 0;
        if (i)
            wr_buf_putc(out, delim);
        switch ((wr_kind)v->kind) {
        case WR_NULL:
            continue; /* null: empty and never quoted */
        case WR_BOOLEAN:
            s = v->u.b ? "true" : "false";
            n = strlen(s);
            break;
        case WR_INT:
        case WR_BIGINT:
        case WR_TIMESTAMP:
        case WR_DATE:
        case WR_TIME:
            if (cols[i].type->kind == WR_DOUBLE) /* an integer value in a DOUBLE column */
                n = (size_t)wr_double_format((double)v->u.i, num);
            else
                n = (size_t)wr_serde_int_text(v->u.i, num);
            break;
        case WR_DOUBLE:
            n = (size_t)wr_double_format(v->u.d, num);
            break;
        case WR_DECIMAL:
            wr_buf_reset(&tmp);
            wr_serde_decimal_text(v, cols[i].type, &tmp);
            s = tmp.data;
            n = tmp.len;
            break;
        case WR_STRING:
            s = v->u.s;
            n = v->len;
            break;
        case WR_BYTES:
            wr_buf_reset(&tmp);
            wr_base64_encode(v->u.s, v->len, &tmp);
            s = tmp.data ? tmp.data : "";
            n = tmp.len;
            break;
        default:
            rc = wr_error_set(err, WR_EDATA,
                              "The 'DELIMITED' format does not support type '%s', column: `%s`",
                              wr_kind_name((wr_kind)v->kind), cols[i].name);
            continue;
        }
        put_field(out, s, n, i == 0, delim);
    }
    wr_buf_fini(&tmp);
    return rc;
}
