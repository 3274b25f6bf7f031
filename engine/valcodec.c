/*
 * valcodec.c - the value codec: a compact binary form of typed values for the state stores
 * (aggregate states, table rows).  Contract in agg.h.
 *
 * The static type drives everything, so the bytes carry no type tags:
 *
 *   value      := seq(1)                    one presence bitmap byte, then the body
 *   row        := seq(n)                    wr_values_encode
 *   seq(n)     := bitmap body*              ceil(n/8) bytes, bit i (LSB first) set when item i
 *                                           is present; bodies of the present items only;
 *                                           unused high bits are zero
 *   body       := BOOLEAN  one byte 0/1
 *                 INT BIGINT DATE TIME TIMESTAMP   zigzag LEB128 varint (int64)
 *                 DOUBLE   8 bytes, IEEE bits little-endian
 *                 DECIMAL  zigzag LEB128 varint of the unscaled int128 at the type's scale
 *                 STRING BYTES   varint length, bytes
 *                 ARRAY    varint count, seq(count) of elements
 *                 MAP      varint count, seq(2*count) of key, value, key, value ...
 *                 STRUCT   seq(nfields) in the type's field order
 *
 * Encoding never fails: a value whose kind does not fit the type (and cannot be converted
 * exactly: INT into BIGINT, integers into DOUBLE or DECIMAL, a DECIMAL at another scale) is
 * written as NULL.  Decoding checks every length against the bytes left, rejects overlong
 * varints, non-canonical bitmaps and out-of-range INT/BOOLEAN/DECIMAL values, and returns
 * WR_EDATA instead of reading out of bounds.  Recursion depth is bounded by the type, never
 * by the data, and allocations by the input length (a count needs at least one bitmap bit per
 * item).
 */
#include <stdlib.h>
#include <string.h>

#include "agg.h"

/* ---------------------------------------------------------------- encoding */

static void put_uvarint(wr_buf *out, unsigned __int128 x)
{
    unsigned char b[19];
    int n = 0;
    do {
        unsigned char c = (unsigned char)(x & 0x7f);
        x >>= 7;
        if (x) c |= 0x80;
        b[n++] = c;
    } while (x);
    wr_buf_append(out, b, (size_t)n);
}

static void put_svarint(wr_buf *out, wr_int128 x)
{
    unsigned __int128 u = (unsigned __int128)x;
    put_uvarint(out, (u << 1) ^ (x < 0 ? ~(unsigned __int128)0 : 0));
}

static int is_int64_kind(int k)
{
    return k == WR_INT || k == WR_BIGINT || k == WR_TIMESTAMP || k == WR_DATE || k == WR_TIME;
}

/* The value v, converted to the representation type t expects, in *c; 0 when it does not fit
 * (then it is written as NULL).  Never allocates: a rescaled decimal goes to *dec. */
static int fit(const wr_value *v, const wr_type *t, wr_value *c, wr_int128 *dec)
{
    if (!t || v->kind == WR_NULL) return 0;
    *c = *v;
    switch (t->kind) {
    case WR_BOOLEAN: return v->kind == WR_BOOLEAN;
    case WR_INT:
    case WR_BIGINT:
    case WR_TIMESTAMP:
    case WR_DATE:
    case WR_TIME: return is_int64_kind(v->kind);
    case WR_DOUBLE:
        if (v->kind == WR_DOUBLE) return 1;
        if (v->kind == WR_INT || v->kind == WR_BIGINT) {
            c->kind = WR_DOUBLE;
            c->u.d = (double)v->u.i;
            return 1;
        }
        if (v->kind == WR_DECIMAL) {
            c->kind = WR_DOUBLE;
            c->u.d = wr_decimal_to_double(*v->u.dec, (int)v->len);
            return 1;
        }
        return 0;
    case WR_DECIMAL: {
        wr_int128 u;
        int s;
        if (v->kind == WR_DECIMAL) {
            u = *v->u.dec;
            s = (int)v->len;
        } else if (v->kind == WR_INT || v->kind == WR_BIGINT) {
            u = v->u.i;
            s = 0;
        } else {
            return 0;
        }
        if (wr_decimal_rescale(u, s, t->scale, 38, dec)) return 0;
        c->kind = WR_DECIMAL;
        c->len = (uint32_t)t->scale;
        c->u.dec = dec;
        return 1;
    }
    case WR_STRING:
    case WR_BYTES: return v->kind == WR_STRING || v->kind == WR_BYTES;
    case WR_ARRAY:
    case WR_MAP:
    case WR_STRUCT: return v->kind == t->kind;
    default: return 0; /* NULL, LAMBDA: nothing to store */
    }
}

/* The item types of a sequence: a row's list, a struct's fields, or alternating t0/t1 (an
 * array passes its element type twice, a map its key and value types). */
typedef struct seq_types {
    const wr_type *const *list;
    const wr_field *fields;
    const wr_type *t0, *t1;
} seq_types;

static const wr_type *item_type(const seq_types *st, uint32_t i)
{
    if (st->list) return st->list[i];
    if (st->fields) return st->fields[i].type;
    return (i & 1) ? st->t1 : st->t0;
}

static void encode_seq(const wr_value *v, const seq_types *st, uint32_t n, wr_buf *out);

/* The body of a present value c (already fitted to t). */
static void encode_body(const wr_value *c, const wr_type *t, wr_buf *out)
{
    switch (t->kind) {
    case WR_BOOLEAN: wr_buf_putc(out, c->u.b ? 1 : 0); break;
    case WR_INT: put_svarint(out, (int32_t)c->u.i); break;
    case WR_BIGINT:
    case WR_TIMESTAMP:
    case WR_DATE:
    case WR_TIME: put_svarint(out, c->u.i); break;
    case WR_DOUBLE: {
        uint64_t bits;
        unsigned char b[8];
        memcpy(&bits, &c->u.d, sizeof bits);
        for (int i = 0; i < 8; i++) b[i] = (unsigned char)(bits >> (8 * i));
        wr_buf_append(out, b, 8);
        break;
    }
    case WR_DECIMAL: put_svarint(out, *c->u.dec); break;
    case WR_STRING:
    case WR_BYTES:
        put_uvarint(out, c->len);
        wr_buf_append(out, c->len ? c->u.s : "", c->len);
        break;
    case WR_ARRAY: {
        seq_types st = {NULL, NULL, t->elem, t->elem};
        put_uvarint(out, c->len);
        encode_seq(c->u.items, &st, c->len, out);
        break;
    }
    case WR_MAP: {
        seq_types st = {NULL, NULL, t->key ? t->key : &wr_type_string, t->elem};
        put_uvarint(out, c->len);
        encode_seq(c->u.items, &st, 2 * c->len, out);
        break;
    }
    case WR_STRUCT: {
        /* fields beyond the value's items are NULL */
        uint32_t nf = t->nfields > 0 ? (uint32_t)t->nfields : 0;
        seq_types st = {NULL, t->fields, NULL, NULL};
        if (c->len >= nf) {
            encode_seq(c->u.items, &st, nf, out);
            break;
        }
        wr_value *items = wr_xcalloc(nf, sizeof *items);
        for (uint32_t i = 0; i < c->len; i++) items[i] = c->u.items[i];
        encode_seq(items, &st, nf, out);
        free(items);
        break;
    }
    default: break;
    }
}

/* n values with a presence bitmap. */
static void encode_seq(const wr_value *v, const seq_types *st, uint32_t n, wr_buf *out)
{
    size_t at = out->len, nb = ((size_t)n + 7) / 8;
    unsigned char zero[64] = {0};
    for (size_t left = nb; left;) {
        size_t k = left < sizeof zero ? left : sizeof zero;
        wr_buf_append(out, zero, k);
        left -= k;
    }
    for (uint32_t i = 0; i < n; i++) {
        const wr_type *ti = item_type(st, i);
        wr_value c;
        wr_int128 dec;
        if (!fit(&v[i], ti, &c, &dec)) continue;
        out->data[at + i / 8] |= (char)(1u << (i % 8));
        encode_body(&c, ti, out);
    }
}

void wr_value_encode(const wr_value *v, const wr_type *t, wr_buf *out)
{
    seq_types st = {&t, NULL, NULL, NULL};
    encode_seq(v, &st, 1, out);
}

void wr_values_encode(const wr_value *v, const wr_type *const *t, int n, wr_buf *out)
{
    seq_types st = {t, NULL, NULL, NULL};
    if (n > 0) encode_seq(v, &st, (uint32_t)n, out);
}

/* ---------------------------------------------------------------- decoding */

typedef struct rd {
    const unsigned char *p, *end;
    wr_arena *a;
} rd;

/* An unsigned LEB128 of at most `bits` bits; -1 when truncated, overlong or too big. */
static int get_uvarint(rd *r, int bits, unsigned __int128 *out)
{
    unsigned __int128 x = 0;
    int shift = 0;
    for (;;) {
        if (r->p >= r->end) return -1;
        unsigned c = *r->p++;
        if (shift >= bits) return -1;
        unsigned __int128 part = (unsigned __int128)(c & 0x7f);
        if (bits - shift < 7 && (part >> (bits - shift))) return -1; /* bits past the top */
        x |= part << shift;
        shift += 7;
        if (!(c & 0x80)) {
            if (c == 0 && shift > 7) return -1; /* overlong: a trailing zero group */
            break;
        }
    }
    *out = x;
    return 0;
}

static int get_svarint(rd *r, int bits, wr_int128 *out)
{
    unsigned __int128 u;
    if (get_uvarint(r, bits, &u)) return -1;
    /* zigzag back; the top bit lives at `bits`-1 */
    unsigned __int128 mag = u >> 1;
    *out = (u & 1) ? -(wr_int128)mag - 1 : (wr_int128)mag;
    return 0;
}

static int get_count(rd *r, uint32_t max, uint32_t *out)
{
    unsigned __int128 u;
    if (get_uvarint(r, 32, &u) || u > max) return -1;
    *out = (uint32_t)u;
    return 0;
}

static int decode_seq(rd *r, const seq_types *st, uint32_t n, wr_value *out);

static int decode_body(rd *r, const wr_type *t, wr_value *out)
{
    *out = wr_null();
    switch (t->kind) {
    case WR_BOOLEAN:
        if (r->p >= r->end || *r->p > 1) return -1;
        *out = wr_bool(*r->p++);
        return 0;
    case WR_INT: {
        wr_int128 x;
        if (get_svarint(r, 64, &x) || x < INT32_MIN || x > INT32_MAX) return -1;
        *out = wr_int((int32_t)x);
        return 0;
    }
    case WR_BIGINT:
    case WR_TIMESTAMP:
    case WR_DATE:
    case WR_TIME: {
        wr_int128 x;
        if (get_svarint(r, 64, &x)) return -1;
        *out = wr_i64(t->kind, (int64_t)x);
        return 0;
    }
    case WR_DOUBLE: {
        if (r->end - r->p < 8) return -1;
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++) bits |= (uint64_t)r->p[i] << (8 * i);
        r->p += 8;
        double d;
        memcpy(&d, &bits, sizeof d);
        *out = wr_double(d);
        return 0;
    }
    case WR_DECIMAL: {
        static const wr_int128 max38 =
            (wr_int128)10000000000000000000ULL * (wr_int128)10000000000000000000ULL;
        wr_int128 x;
        if (get_svarint(r, 128, &x) || x >= max38 || x <= -max38) return -1;
        *out = wr_decimal(r->a, x, t->scale);
        return 0;
    }
    case WR_STRING:
    case WR_BYTES: {
        uint32_t n;
        if (get_count(r, UINT32_MAX, &n) || (size_t)(r->end - r->p) < n) return -1;
        *out = wr_str(wr_arena_strndup(r->a, (const char *)r->p, n), n);
        out->kind = (uint8_t)t->kind;
        r->p += n;
        return 0;
    }
    case WR_ARRAY: {
        uint32_t n;
        /* every item costs at least one bitmap bit */
        size_t left = (size_t)(r->end - r->p);
        if (get_count(r, left > UINT32_MAX / 8 ? UINT32_MAX : (uint32_t)(left * 8), &n))
            return -1;
        seq_types st = {NULL, NULL, t->elem, t->elem};
        wr_value v = wr_array(r->a, n);
        if (decode_seq(r, &st, n, v.u.items)) return -1;
        *out = v;
        return 0;
    }
    case WR_MAP: {
        uint32_t n;
        size_t left = (size_t)(r->end - r->p);
        if (get_count(r, left > UINT32_MAX / 16 ? UINT32_MAX / 2 : (uint32_t)(left * 4), &n))
            return -1;
        seq_types st = {NULL, NULL, t->key ? t->key : &wr_type_string, t->elem};
        wr_value v = wr_map(r->a, n);
        if (decode_seq(r, &st, 2 * n, v.u.items)) return -1;
        *out = v;
        return 0;
    }
    case WR_STRUCT: {
        uint32_t nf = t->nfields > 0 ? (uint32_t)t->nfields : 0;
        seq_types st = {NULL, t->fields, NULL, NULL};
        wr_value v = wr_struct(r->a, nf);
        if (decode_seq(r, &st, nf, v.u.items)) return -1;
        *out = v;
        return 0;
    }
    default: return -1; /* NULL and LAMBDA have no body: a set presence bit is malformed */
    }
}

static int decode_seq(rd *r, const seq_types *st, uint32_t n, wr_value *out)
{
    size_t nb = ((size_t)n + 7) / 8;
    if ((size_t)(r->end - r->p) < nb) return -1;
    const unsigned char *bm = r->p;
    r->p += nb;
    if (n % 8 && (bm[nb - 1] >> (n % 8))) return -1; /* bits for items that do not exist */
    for (uint32_t i = 0; i < n; i++) {
        out[i] = wr_null();
        if (!(bm[i / 8] & (1u << (i % 8)))) continue;
        const wr_type *ti = item_type(st, i);
        if (!ti || decode_body(r, ti, &out[i])) return -1;
    }
    return 0;
}

int wr_value_decode(const void *p, size_t n, const wr_type *t, wr_arena *a, wr_value *out,
                    size_t *used)
{
    static const unsigned char none[1];
    *out = wr_null();
    if (!p && n) return WR_EDATA;
    if (!p) p = none;
    rd r = {p, (const unsigned char *)p + n, a};
    seq_types st = {&t, NULL, NULL, NULL};
    if (decode_seq(&r, &st, 1, out)) {
        *out = wr_null();
        return WR_EDATA;
    }
    if (used) *used = (size_t)(r.p - (const unsigned char *)p);
    return 0;
}

int wr_values_decode(const void *p, size_t len, const wr_type *const *t, int n, wr_arena *a,
                     wr_value *out)
{
    static const unsigned char none[1];
    if (n <= 0) return len == 0 ? 0 : WR_EDATA;
    if (!p && len) return WR_EDATA;
    if (!p) p = none;
    rd r = {p, (const unsigned char *)p + len, a};
    seq_types st = {t, NULL, NULL, NULL};
    if (decode_seq(&r, &st, (uint32_t)n, out) || r.p != r.end) {
        for (int i = 0; i < n; i++) out[i] = wr_null();
        return WR_EDATA;
    }
    return 0;
}
