/*
 * fn_array.c - ARRAY functions: ARRAY_CONCAT ARRAY_CONTAINS ARRAY_DISTINCT ARRAY_EXCEPT
 * ARRAY_INTERSECT ARRAY_JOIN ARRAY_LENGTH ARRAY_MAX ARRAY_MIN ARRAY_REMOVE ARRAY_SORT
 * ARRAY_UNION GENERATE_SERIES SLICE ENTRIES.
 *
 * Each function reproduces the Java UDF of ksqlDB, including its null handling, which is not
 * uniform: ARRAY_CONCAT treats a NULL side as empty, ARRAY_CONTAINS is never NULL, the set
 * operations (DISTINCT/EXCEPT/INTERSECT/UNION) behave like a LinkedHashSet (first occurrence
 * wins, one NULL kept), ARRAY_SORT puts NULLs last in both directions, SLICE answers NULL for
 * out-of-range bounds (List.subList throwing), GENERATE_SERIES fails on a zero or wrong-sign
 * step.
 */
#include <stdio.h>
#include <string.h>

#include "fn_javamap.h"
#include "func.h"

/* ---------------------------------------------------------------- helpers */

static int type_is_null(const wr_type *t) { return !t || t->kind == WR_NULL; }
static int type_is_array(const wr_type *t) { return t && t->kind == WR_ARRAY; }
static int type_is_string(const wr_type *t) { return t && t->kind == WR_STRING; }

/* Scalar types are Comparable in Java (what ARRAY_SORT/MAX/MIN require); collections and
 * structs are not. */
static int type_is_orderable(const wr_type *t)
{
    return t && t->kind != WR_ARRAY && t->kind != WR_MAP && t->kind != WR_STRUCT &&
           t->kind != WR_LAMBDA;
}

/* An element of static type `v` may be searched for in an array of `elem`. */
static int elem_compatible(const wr_type *elem, const wr_type *v)
{
    if (type_is_null(elem) || type_is_null(v))
        return 1;
    if (wr_type_is_numeric(elem) && wr_type_is_numeric(v))
        return 1;
    return wr_type_equal(elem, v);
}

/* The common array type of two array arguments (numeric elements widen; a NULL literal or
 * an empty ARRAY[] takes the other side's type); coercions requested in rc.  NULL when the
 * arguments do not fit together. */
static const wr_type *unify_arrays(wr_fn_resolve_ctx *rc, const wr_type *const *argt)
{
    const wr_type *a = argt[0], *b = argt[1];
    if (type_is_null(a) && type_is_null(b))
        return NULL;
    if (type_is_null(a))
        return type_is_array(b) ? b : NULL;
    if (type_is_null(b))
        return type_is_array(a) ? a : NULL;
    if (!type_is_array(a) || !type_is_array(b))
        return NULL;
    if (wr_type_equal(a, b))
        return a;
    if (type_is_null(a->elem))
        return b;
    if (type_is_null(b->elem))
        return a;
    const wr_type *w = wr_fn_numeric_widen(rc->arena, a->elem, b->elem);
    if (!w)
        return NULL;
    const wr_type *t = wr_type_array(rc->arena, w);
    if (!wr_type_equal(a, t))
        rc->coerce[0] = t;
    if (!wr_type_equal(b, t))
        rc->coerce[1] = t;
    return t;
}

/* An insertion-ordered set of values (Java's LinkedHashSet semantics for the set
 * operations): open addressing over pointers to the values, memory from the cycle arena. */
typedef struct vset {
    const wr_value **slot;
    uint32_t mask;
} vset;

static void vset_init(vset *s, wr_arena *a, uint32_t n)
{
    uint32_t cap = 8;
    while (cap < 2 * n + 2)
        cap <<= 1;
    s->slot = wr_arena_calloc(a, sizeof *s->slot * cap);
    s->mask = cap - 1;
}

/* Finds v; with add=1 inserts it when absent.  Returns 1 when v was already present. */
static int vset_probe(vset *s, const wr_value *v, int add)
{
    uint32_t i = (uint32_t)wr_value_hash(v) & s->mask;
    while (s->slot[i]) {
        if (wr_value_equal(s->slot[i], v))
            return 1;
        i = (i + 1) & s->mask;
    }
    if (add)
        s->slot[i] = v;
    return 0;
}

/* Copies the first n values of `items` into a new array value. */
static wr_value array_of(wr_arena *a, const wr_value *items, uint32_t n)
{
    wr_value r = wr_array(a, n);
    if (n)
        memcpy(r.u.items, items, sizeof *items * n);
    return r;
}

/* ---------------------------------------------------------------- ARRAY_CONCAT */

static const wr_type *concat_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *t = unify_arrays(rc, argt);
    return t ? t : wr_fn_bad_args(rc, "ARRAY_CONCAT", argc, argt);
}

/* A NULL side counts as empty; both NULL gives NULL. */
static int concat_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *l = &argv[0], *r = &argv[1];
    if (wr_is_null(l) && wr_is_null(r)) {
        *out = wr_null();
        return 0;
    }
    uint32_t nl = wr_is_null(l) ? 0 : l->len, nr = wr_is_null(r) ? 0 : r->len;
    *out = wr_array(ctx->arena, nl + nr);
    if (nl)
        memcpy(out->u.items, l->u.items, sizeof(wr_value) * nl);
    if (nr)
        memcpy(out->u.items + nl, r->u.items, sizeof(wr_value) * nr);
    return 0;
}

/* ---------------------------------------------------------------- ARRAY_CONTAINS / REMOVE */

static const wr_type *elem_arg_check(wr_fn_resolve_ctx *rc, const char *name, int argc,
                                     const wr_type *const *argt)
{
    const wr_type *arr = argt[0];
    if (type_is_null(arr) || !type_is_array(arr) || !elem_compatible(arr->elem, argt[1]))
        return wr_fn_bad_args(rc, name, argc, argt);
    return arr;
}

static const wr_type *contains_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (!type_is_null(argt[0]) && !elem_arg_check(rc, "ARRAY_CONTAINS", argc, argt))
        return NULL;
    return &wr_type_boolean;
}

/* Java: array != null && array.contains(val); NULL finds a NULL element. */
static int contains_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int found = 0;
    if (!wr_is_null(&argv[0]))
        for (uint32_t i = 0; i < argv[0].len && !found; i++)
            found = wr_value_equal(&argv[0].u.items[i], &argv[1]);
    *out = wr_bool(found);
    return 0;
}

static const wr_type *remove_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return elem_arg_check(rc, "ARRAY_REMOVE", argc, argt);
}

/* Removes every element equal to the victim (a NULL victim removes the NULLs). */
static int remove_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *arr = &argv[0];
    if (wr_is_null(arr)) {
        *out = wr_null();
        return 0;
    }
    *out = wr_array(ctx->arena, arr->len);
    uint32_t n = 0;
    for (uint32_t i = 0; i < arr->len; i++)
        if (!wr_value_equal(&arr->u.items[i], &argv[1]))
            out->u.items[n++] = arr->u.items[i];
    out->len = n;
    return 0;
}

/* ---------------------------------------------------------------- set operations */

static const wr_type *one_array_resolve(wr_fn_resolve_ctx *rc, const char *name, int argc,
                                        const wr_type *const *argt)
{
    if (!type_is_array(argt[0]))
        return wr_fn_bad_args(rc, name, argc, argt);
    return argt[0];
}

static const wr_type *distinct_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return one_array_resolve(rc, "ARRAY_DISTINCT", argc, argt);
}

/* First occurrence of each value, in order; one NULL kept. */
static int distinct_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *arr = &argv[0];
    vset s;
    vset_init(&s, ctx->arena, arr->len);
    *out = wr_array(ctx->arena, arr->len);
    uint32_t n = 0;
    for (uint32_t i = 0; i < arr->len; i++)
        if (!vset_probe(&s, &arr->u.items[i], 1))
            out->u.items[n++] = arr->u.items[i];
    out->len = n;
    return 0;
}

static const wr_type *except_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *t = unify_arrays(rc, argt);
    return t ? t : wr_fn_bad_args(rc, "ARRAY_EXCEPT", argc, argt);
}

static const wr_type *intersect_resolve(wr_fn_resolve_ctx *rc, int argc,
                                        const wr_type *const *argt)
{
    const wr_type *t = unify_arrays(rc, argt);
    return t ? t : wr_fn_bad_args(rc, "ARRAY_INTERSECT", argc, argt);
}

static const wr_type *union_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *t = unify_arrays(rc, argt);
    return t ? t : wr_fn_bad_args(rc, "ARRAY_UNION", argc, argt);
}

/* Distinct elements of the left array that are (keep=1) or are not (keep=0) in the right. */
static void set_filter(wr_fn_ctx *ctx, const wr_value *l, const wr_value *r, int keep,
                       wr_value *out)
{
    vset right, seen;
    vset_init(&right, ctx->arena, r->len);
    for (uint32_t i = 0; i < r->len; i++)
        vset_probe(&right, &r->u.items[i], 1);
    vset_init(&seen, ctx->arena, l->len);
    *out = wr_array(ctx->arena, l->len);
    uint32_t n = 0;
    for (uint32_t i = 0; i < l->len; i++) {
        const wr_value *v = &l->u.items[i];
        if (vset_probe(&seen, v, 1))
            continue;
        if (vset_probe(&right, v, 0) == keep)
            out->u.items[n++] = *v;
    }
    out->len = n;
}

static int except_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    set_filter(ctx, &argv[0], &argv[1], 0, out);
    return 0;
}

static int intersect_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    set_filter(ctx, &argv[0], &argv[1], 1, out);
    return 0;
}

/* Distinct elements of both arrays, left first. */
static int union_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    uint32_t total = argv[0].len + argv[1].len;
    vset s;
    vset_init(&s, ctx->arena, total);
    *out = wr_array(ctx->arena, total);
    uint32_t n = 0;
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; i < argv[k].len; i++)
            if (!vset_probe(&s, &argv[k].u.items[i], 1))
                out->u.items[n++] = argv[k].u.items[i];
    out->len = n;
    return 0;
}

/* ---------------------------------------------------------------- ARRAY_JOIN */

/* Elements ARRAY_JOIN accepts (ksqlDB: Boolean, Integer, Long, Double, BigDecimal, String). */
static int join_elem_ok(const wr_type *t)
{
    if (type_is_null(t))
        return 1;
    switch (t->kind) {
    case WR_BOOLEAN: case WR_INT: case WR_BIGINT: case WR_DOUBLE: case WR_DECIMAL:
    case WR_STRING:
        return 1;
    default:
        return 0;
    }
}

static const wr_type *join_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (!type_is_array(argt[0]) || !join_elem_ok(argt[0]->elem) ||
        (argc > 1 && !type_is_null(argt[1]) && !type_is_string(argt[1])))
        return wr_fn_bad_args(rc, "ARRAY_JOIN", argc, argt);
    return &wr_type_string;
}

/* Java's String.valueOf of an element.  DECIMAL: BigDecimal.toString, which is plain
 * notation for every scale >= 0 except tiny fractions (adjusted exponent < -6, scientific
 * in Java; printed plain here). */
static void elem_text(const wr_value *v, wr_buf *b)
{
    char num[40];
    switch (v->kind) {
    case WR_NULL: wr_buf_puts(b, "null"); break;
    case WR_BOOLEAN: wr_buf_puts(b, v->u.b ? "true" : "false"); break;
    case WR_DOUBLE: wr_double_format(v->u.d, num); wr_buf_puts(b, num); break;
    case WR_DECIMAL: wr_decimal_format(*v->u.dec, (int)v->len, b); break;
    case WR_STRING: wr_buf_append(b, v->u.s, v->len); break;
    default: wr_buf_printf(b, "%lld", (long long)v->u.i); break;
    }
}

/* NULL array -> NULL; NULL delimiter joins with ""; NULL elements print "null". */
static int join_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *arr = &argv[0];
    if (wr_is_null(arr)) {
        *out = wr_null();
        return 0;
    }
    const char *delim = ",";
    size_t dlen = 1;
    if (argc > 1) {
        delim = wr_is_null(&argv[1]) ? "" : argv[1].u.s;
        dlen = wr_is_null(&argv[1]) ? 0 : argv[1].len;
    }
    wr_buf b;
    wr_buf_init(&b);
    for (uint32_t i = 0; i < arr->len; i++) {
        if (i && dlen)
            wr_buf_append(&b, delim, dlen);
        elem_text(&arr->u.items[i], &b);
    }
    *out = wr_str_copy(ctx->arena, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return 0;
}

/* ---------------------------------------------------------------- ARRAY_LENGTH */

static const wr_type *length_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (!type_is_null(argt[0]) && !type_is_array(argt[0]))
        return wr_fn_bad_args(rc, "ARRAY_LENGTH", argc, argt);
    return &wr_type_int;
}

static int length_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_int((int32_t)argv[0].len);
    return 0;
}

/* ---------------------------------------------------------------- ARRAY_MAX / ARRAY_MIN */

static const wr_type *ordered_elem_resolve(wr_fn_resolve_ctx *rc, const char *name, int argc,
                                           const wr_type *const *argt)
{
    if (!type_is_array(argt[0]) || !type_is_orderable(argt[0]->elem))
        return wr_fn_bad_args(rc, name, argc, argt);
    return argt[0]->elem;
}

static const wr_type *max_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return ordered_elem_resolve(rc, "ARRAY_MAX", argc, argt);
}

static const wr_type *min_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return ordered_elem_resolve(rc, "ARRAY_MIN", argc, argt);
}

/* NULL elements are skipped; an empty or all-NULL array gives NULL. */
static void extreme(const wr_value *arr, int sign, wr_value *out)
{
    const wr_value *best = NULL;
    for (uint32_t i = 0; i < arr->len; i++) {
        const wr_value *v = &arr->u.items[i];
        if (wr_is_null(v))
            continue;
        if (!best || sign * wr_value_compare(v, best) > 0)
            best = v;
    }
    *out = best ? *best : wr_null();
}

static int max_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    extreme(&argv[0], 1, out);
    return 0;
}

static int min_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    extreme(&argv[0], -1, out);
    return 0;
}

/* ---------------------------------------------------------------- ARRAY_SORT */

static const wr_type *sort_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (!type_is_array(argt[0]) || !type_is_orderable(argt[0]->elem) ||
        (argc > 1 && !type_is_null(argt[1]) && !type_is_string(argt[1])))
        return wr_fn_bad_args(rc, "ARRAY_SORT", argc, argt);
    return argt[0];
}

/* Stable merge sort (Java's List.sort is stable: equal DECIMALs of different scale keep
 * their order). */
static void merge_sort(wr_value *v, wr_value *tmp, uint32_t n, int sign)
{
    if (n < 2)
        return;
    uint32_t h = n / 2;
    merge_sort(v, tmp, h, sign);
    merge_sort(v + h, tmp, n - h, sign);
    uint32_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = sign * wr_value_compare(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, sizeof *v * n);
}

/* ASC/ASCENDING or DESC/DESCENDING (any case), NULLs always last; another direction gives
 * NULL. */
static int sort_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int sign = 1;
    if (argc > 1) {
        const wr_value *d = &argv[1];
        if (wr_strncaseeq_n(d->u.s, d->len, "ASC") || wr_strncaseeq_n(d->u.s, d->len, "ASCENDING"))
            sign = 1;
        else if (wr_strncaseeq_n(d->u.s, d->len, "DESC") ||
                 wr_strncaseeq_n(d->u.s, d->len, "DESCENDING"))
            sign = -1;
        else {
            *out = wr_null();
            return 0;
        }
    }
    const wr_value *arr = &argv[0];
    *out = wr_array(ctx->arena, arr->len);
    uint32_t n = 0;
    for (uint32_t i = 0; i < arr->len; i++)
        if (!wr_is_null(&arr->u.items[i]))
            out->u.items[n++] = arr->u.items[i];
    /* the NULLs stay at the end: wr_array() filled the tail with NULL */
    wr_value *tmp = wr_arena_alloc(ctx->arena, sizeof *tmp * (n ? n : 1));
    merge_sort(out->u.items, tmp, n, sign);
    for (uint32_t i = n; i < arr->len; i++)
        out->u.items[i] = wr_null();
    return 0;
}

/* ---------------------------------------------------------------- GENERATE_SERIES */

static int is_int_type(const wr_type *t)
{
    return t && (t->kind == WR_INT || t->kind == WR_BIGINT);
}

static const wr_type *series_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    int big = 0;
    for (int i = 0; i < argc; i++) {
        if (type_is_null(argt[i]))
            continue;
        if (!is_int_type(argt[i]))
            return wr_fn_bad_args(rc, "GENERATE_SERIES", argc, argt);
        if (i < 2 && argt[i]->kind == WR_BIGINT)
            big = 1;
    }
    /* one representation for the implementation: start/end in the result element type, the
     * step as BIGINT */
    const wr_type *et = big ? &wr_type_bigint : &wr_type_int;
    for (int i = 0; i < argc; i++) {
        const wr_type *want = i < 2 ? et : &wr_type_bigint;
        if (!type_is_null(argt[i]) && !wr_type_equal(argt[i], want))
            rc->coerce[i] = want;
    }
    return wr_type_array(rc->arena, et);
}

/* Upper bound on the number of generated elements, to fail cleanly instead of exhausting
 * memory (ksqlDB would run out of heap). */
#define SERIES_MAX 10000000

static int series_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int64_t start = argv[0].u.i, end = argv[1].u.i;
    wr_int128 diff = (wr_int128)end - start;
    int64_t step = argc > 2 ? argv[2].u.i : (diff > 0 ? 1 : -1);
    if (step == 0)
        return wr_error_set(ctx->err, WR_EDATA, "GENERATE_SERIES step cannot be zero");
    if ((diff > 0 && step < 0) || (diff < 0 && step > 0))
        return wr_error_set(ctx->err, WR_EDATA, "GENERATE_SERIES step has wrong sign");
    wr_int128 size = 1 + diff / step;
    if (size > SERIES_MAX)
        return wr_error_set(ctx->err, WR_EDATA,
                            "GENERATE_SERIES would produce more than %d elements", SERIES_MAX);
    int big = ctx->rtype && ctx->rtype->elem && ctx->rtype->elem->kind == WR_BIGINT;
    *out = wr_array(ctx->arena, (uint32_t)size);
    wr_int128 pos = start;
    for (uint32_t i = 0; i < (uint32_t)size; i++, pos += step)
        out->u.items[i] = big ? wr_bigint((int64_t)pos) : wr_int((int32_t)pos);
    return 0;
}

/* ---------------------------------------------------------------- SLICE */

static const wr_type *slice_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (!type_is_array(argt[0]))
        return wr_fn_bad_args(rc, "SLICE", argc, argt);
    /* ksqlDB's bounds are Integer: a BIGINT bound does not match */
    for (int i = 1; i < 3; i++)
        if (!type_is_null(argt[i]) && argt[i]->kind != WR_INT)
            return wr_fn_bad_args(rc, "SLICE", argc, argt);
    return argt[0];
}

/* 1-based, both ends inclusive; NULL bounds mean the array's ends; bounds outside the array
 * (List.subList throwing in ksqlDB) give NULL. */
static int slice_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *arr = &argv[0];
    *out = wr_null();
    if (wr_is_null(arr))
        return 0;
    int64_t from = wr_is_null(&argv[1]) ? 0 : argv[1].u.i - 1;
    int64_t to = wr_is_null(&argv[2]) ? (int64_t)arr->len : argv[2].u.i;
    if (from < 0 || to > (int64_t)arr->len || from > to)
        return 0;
    *out = array_of(ctx->arena, arr->u.items + from, (uint32_t)(to - from));
    return 0;
}

/* ---------------------------------------------------------------- ENTRIES */

static const wr_type *entries_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *m = argt[0];
    if (!m || m->kind != WR_MAP ||
        (!type_is_null(argt[1]) && argt[1]->kind != WR_BOOLEAN))
        return wr_fn_bad_args(rc, "ENTRIES", argc, argt);
    wr_field f[2] = {
        {"K", m->key ? m->key : &wr_type_string},
        {"V", m->elem ? m->elem : &wr_type_null},
    };
    return wr_type_array(rc->arena, wr_type_struct(rc->arena, 2, f));
}

/* One STRUCT<K, V> per entry, in ksqlDB's map order (fn_javamap.h) or sorted by key. */
static int entries_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *m = &argv[0];
    const uint32_t *order = jm_order(ctx->arena, m);
    *out = wr_array(ctx->arena, m->len);
    for (uint32_t i = 0; i < m->len; i++) {
        wr_value s = wr_struct(ctx->arena, 2);
        s.u.items[0] = m->u.items[2 * order[i]];
        s.u.items[1] = m->u.items[2 * order[i] + 1];
        out->u.items[i] = s;
    }
    if (argv[1].u.b && m->len > 1) {
        /* entries are structs whose first item is the key: wr_value_compare on the struct
         * orders by key first; keys are unique so the value never decides */
        wr_value *tmp = wr_arena_alloc(ctx->arena, sizeof *tmp * m->len);
        merge_sort(out->u.items, tmp, m->len, 1);
    }
    return 0;
}

/* ---------------------------------------------------------------- the table */

static const char *const concat_v[] = {
    "ARRAY_CONCAT(left ARRAY<T>, right ARRAY<T>) => ARRAY<T>", NULL};
static const char *const contains_v[] = {"ARRAY_CONTAINS(array ARRAY<T>, val T) => BOOLEAN", NULL};
static const char *const distinct_v[] = {"ARRAY_DISTINCT(input ARRAY<T>) => ARRAY<T>", NULL};
static const char *const except_v[] = {
    "ARRAY_EXCEPT(left ARRAY<T>, right ARRAY<T>) => ARRAY<T>", NULL};
static const char *const intersect_v[] = {
    "ARRAY_INTERSECT(left ARRAY<T>, right ARRAY<T>) => ARRAY<T>", NULL};
static const char *const join_v[] = {
    "ARRAY_JOIN(array ARRAY<T>) => STRING",
    "ARRAY_JOIN(array ARRAY<T>, delimiter STRING) => STRING", NULL};
static const char *const length_v[] = {"ARRAY_LENGTH(array ARRAY<T>) => INT", NULL};
static const char *const max_v[] = {"ARRAY_MAX(array ARRAY<T>) => T", NULL};
static const char *const min_v[] = {"ARRAY_MIN(array ARRAY<T>) => T", NULL};
static const char *const remove_v[] = {
    "ARRAY_REMOVE(array ARRAY<T>, victim T) => ARRAY<T>", NULL};
static const char *const sort_v[] = {
    "ARRAY_SORT(input ARRAY<T>) => ARRAY<T>",
    "ARRAY_SORT(input ARRAY<T>, direction STRING) => ARRAY<T>", NULL};
static const char *const union_v[] = {
    "ARRAY_UNION(left ARRAY<T>, right ARRAY<T>) => ARRAY<T>", NULL};
static const char *const series_v[] = {
    "GENERATE_SERIES(start INT, end INT) => ARRAY<INT>",
    "GENERATE_SERIES(start INT, end INT, step INT) => ARRAY<INT>",
    "GENERATE_SERIES(start BIGINT, end BIGINT) => ARRAY<BIGINT>",
    "GENERATE_SERIES(start BIGINT, end BIGINT, step INT) => ARRAY<BIGINT>", NULL};
static const char *const entries_v[] = {
    "ENTRIES(map MAP<STRING, T>, sorted BOOLEAN) => ARRAY<STRUCT<K STRING, V T>>", NULL};
static const char *const slice_v[] = {
    "SLICE(list ARRAY<T>, from INT, to INT) => ARRAY<T>", NULL};

#define NN WR_FN_NULL_IN_NULL_OUT

const wr_scalar_def wr_fns_array[] = {
    {"ARRAY_CONCAT", "ARRAY",
     "Returns an array representing the concatenation of both input arrays. A NULL array is "
     "treated as empty; returns NULL only when both inputs are NULL.",
     concat_v, 2, 2, 0, concat_resolve, NULL, concat_fn},
    {"ARRAY_CONTAINS", "ARRAY",
     "Returns true if the array is non-null and contains the supplied value.",
     contains_v, 2, 2, 0, contains_resolve, NULL, contains_fn},
    {"ARRAY_DISTINCT", "ARRAY",
     "Returns an array of all the distinct values, including NULL if present, from the input "
     "array. The output array elements are in order of their first occurrence in the input.",
     distinct_v, 1, 1, NN, distinct_resolve, NULL, distinct_fn},
    {"ARRAY_EXCEPT", "ARRAY",
     "Returns an array of all the distinct elements from an array, except for those also "
     "present in a second array. The order of entries in the first array is preserved. "
     "Returns NULL if either input is NULL.",
     except_v, 2, 2, NN, except_resolve, NULL, except_fn},
    {"ARRAY_INTERSECT", "ARRAY",
     "Returns an array of all the distinct elements from the intersection of both input "
     "arrays, in the order of the first array. Returns NULL if either input is NULL.",
     intersect_v, 2, 2, NN, intersect_resolve, NULL, intersect_fn},
    {"ARRAY_JOIN", "ARRAY",
     "Creates a flat string representation of all the primitive elements contained in the "
     "given array, separated by the delimiter (default ',').",
     join_v, 1, 2, 0, join_resolve, NULL, join_fn},
    {"ARRAY_LENGTH", "ARRAY",
     "Returns the number of elements in the array. Returns NULL if the array is NULL.",
     length_v, 1, 1, NN, length_resolve, NULL, length_fn},
    {"ARRAY_MAX", "ARRAY",
     "Returns the maximum value from within a given array of primitive elements, ignoring "
     "NULLs. Returns NULL for an empty or all-NULL array.",
     max_v, 1, 1, NN, max_resolve, NULL, max_fn},
    {"ARRAY_MIN", "ARRAY",
     "Returns the minimum value from within a given array of primitive elements, ignoring "
     "NULLs. Returns NULL for an empty or all-NULL array.",
     min_v, 1, 1, NN, min_resolve, NULL, min_fn},
    {"ARRAY_REMOVE", "ARRAY",
     "Removes all elements from the input array equal to the second argument (NULL removes "
     "the NULL elements).",
     remove_v, 2, 2, 0, remove_resolve, NULL, remove_fn},
    {"ARRAY_SORT", "ARRAY",
     "Sorts an array of primitive values, in ascending order by default or in the direction "
     "given ('ASC' or 'DESC'). NULL elements are moved to the end.",
     sort_v, 1, 2, NN, sort_resolve, NULL, sort_fn},
    {"ARRAY_UNION", "ARRAY",
     "Returns an array of all the distinct elements from both input arrays, in order of first "
     "occurrence. Returns NULL if either input is NULL.",
     union_v, 2, 2, NN, union_resolve, NULL, union_fn},
    {"ENTRIES", "MAP",
     "Constructs an array of structs from the entries in a map. Each struct has a field named "
     "K containing the key and a field named V holding the value. If sorted is true, the "
     "entries are sorted by key.",
     entries_v, 2, 2, NN, entries_resolve, NULL, entries_fn},
    {"GENERATE_SERIES", "ARRAY",
     "Constructs an array of values between start and end (inclusive), stepping by step "
     "(default 1 or -1).",
     series_v, 2, 3, NN, series_resolve, NULL, series_fn},
    {"SLICE", "ARRAY",
     "Slices a list based on the supplied indices. The indices start at 1 and include both "
     "endpoints; NULL bounds mean the start or end of the list.",
     slice_v, 3, 3, 0, slice_resolve, NULL, slice_fn},
    {0},
};
