/*
 * serde_json.c - writing JSON: the JSON format's encoder and the JSON text of single values.
 *
 * Output reproduces Kafka Connect's JsonConverter as ksqlDB configures it: compact (no
 * spaces), every value column present in order with explicit nulls, DOUBLE in Java's
 * Double.toString form with NaN/Infinity as strings (Jackson's QUOTE_NON_NUMERIC_NUMBERS),
 * DECIMAL as a bare number with its full scale, TIMESTAMP/DATE/TIME as numbers, BYTES as
 * base64, strings escaped like Jackson.  Reading is in serde_json_read.c.
 */
#include "serde_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- writing */

void wr_json_write_string(const char *s, size_t n, wr_buf *out)
{
    /* Jackson's escapes: '"', '\\', the short forms \b \t \n \f \r, other control characters
     * as \u00XX with upper-case hex; '/' and non-ASCII are written as they are. */
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;
    wr_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        wr_buf_append(out, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\t': esc[1] = 't'; break;
        case '\n': esc[1] = 'n'; break;
        case '\f': esc[1] = 'f'; break;
        case '\r': esc[1] = 'r'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            wr_buf_append(out, esc, 6);
            continue;
        }
        wr_buf_append(out, esc, 2);
    }
    wr_buf_append(out, s + run, n - run);
    wr_buf_putc(out, '"');
}

static void write_double(double d, wr_buf *out)
{
    char tmp[32];
    int n = wr_double_format(d, tmp);
    if (isfinite(d)) {
        wr_buf_append(out, tmp, (size_t)n);
    } else { /* Jackson's QUOTE_NON_NUMERIC_NUMBERS (on by default) */
        wr_buf_putc(out, '"');
        wr_buf_append(out, tmp, (size_t)n);
        wr_buf_putc(out, '"');
    }
}

void wr_json_write_value(const wr_value *v, const wr_type *t, wr_buf *out)
{
    switch ((wr_kind)v->kind) {
    case WR_NULL:
        wr_buf_puts(out, "null");
        return;
    case WR_BOOLEAN:
        wr_buf_puts(out, v->u.b ? "true" : "false");
        return;
    case WR_INT:
    case WR_BIGINT:
    case WR_TIMESTAMP:
    case WR_DATE:
    case WR_TIME:
    case WR_LAMBDA: {
        char tmp[24];
        if (t && t->kind == WR_DOUBLE) /* an integer value in a DOUBLE column: 4.0 */
            write_double((double)v->u.i, out);
        else
            wr_buf_append(out, tmp, (size_t)wr_serde_int_text(v->u.i, tmp));
        return;
    }
    case WR_DOUBLE:
        write_double(v->u.d, out);
        return;
    case WR_DECIMAL:
        wr_serde_decimal_text(v, t, out);
        return;
    case WR_STRING:
        wr_json_write_string(v->u.s, v->len, out);
        return;
    case WR_BYTES:
        wr_buf_putc(out, '"');
        wr_base64_encode(v->u.s, v->len, out);
        wr_buf_putc(out, '"');
        return;
    case WR_ARRAY: {
        const wr_type *et = t && t->kind == WR_ARRAY ? t->elem : NULL;
        wr_buf_putc(out, '[');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i)
                wr_buf_putc(out, ',');
            wr_json_write_value(&v->u.items[i], et, out);
        }
        wr_buf_putc(out, ']');
        return;
    }
    case WR_MAP: {
        const wr_type *vt = t && t->kind == WR_MAP ? t->elem : NULL;
        const wr_type *kt = t && t->kind == WR_MAP ? t->key : NULL;
        wr_buf_putc(out, '{');
        for (uint32_t i = 0; i < v->len; i++) {
            const wr_value *k = &v->u.items[2 * i];
            if (i)
                wr_buf_putc(out, ',');
            if (k->kind == WR_STRING) {
                wr_json_write_string(k->u.s, k->len, out);
            } else { /* a non-STRING key becomes the text of its JSON form */
                wr_buf kb;
                wr_buf_init(&kb);
                wr_json_write_value(k, kt, &kb);
                if (k->kind == WR_BYTES && kb.len >= 2)
                    wr_buf_append(out, kb.data, kb.len);
                else
                    wr_json_write_string(kb.data ? kb.data : "", kb.len, out);
                wr_buf_fini(&kb);
            }
            wr_buf_putc(out, ':');
            wr_json_write_value(&v->u.items[2 * i + 1], vt, out);
        }
        wr_buf_putc(out, '}');
        return;
    }
    case WR_STRUCT: {
        int named = t && t->kind == WR_STRUCT && (uint32_t)t->nfields == v->len;
        wr_buf_putc(out, '{');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i)
                wr_buf_putc(out, ',');
            if (named) {
                wr_json_write_string(t->fields[i].name, strlen(t->fields[i].name), out);
            } else { /* no type: positional names, never expected in output */
                char name[16];
                int n = snprintf(name, sizeof name, "F%u", i + 1);
                wr_json_write_string(name, (size_t)n, out);
            }
            wr_buf_putc(out, ':');
            wr_json_write_value(&v->u.items[i], named ? t->fields[i].type : NULL, out);
        }
        wr_buf_putc(out, '}');
        return;
    }
    default:
        wr_buf_puts(out, "null");
        return;
    }
}

int wr_serde_json_encode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                         const wr_value *vals, wr_buf *out, wr_error *err)
{
    if (ncols == 0 && is_key)
        return 0;
    if (ncols == 1 && (is_key || !f->wrap_single)) {
        wr_json_write_value(&vals[0], cols[0].type, out);
        return 0;
    }
    wr_buf_putc(out, '{');
    for (int i = 0; i < ncols; i++) {
        if (i)
            wr_buf_putc(out, ',');
        wr_json_write_string(cols[i].name, strlen(cols[i].name), out);
        wr_buf_putc(out, ':');
        wr_json_write_value(&vals[i], cols[i].type, out);
    }
    wr_buf_putc(out, '}');
    return 0;
}
