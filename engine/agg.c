/*
 * agg.c - the aggregate function registry (ksqlDB 0.29 semantics): one wr_agg_def per
 * function, sorted by name.  Contract in agg.h.
 *
 * States are plain values of the state type chosen by resolve() and are never modified in
 * place: add/retract/merge build a new state in the arena (copy on write), so a value handed
 * out by result() - which may share memory with the state - stays valid, and the caller may
 * keep decoded states in any arena.  Argument values are deep-copied into the arena before a
 * state keeps them.  A state that does not have the shape of its type (never produced here,
 * but possible from a damaged store) is read as the initial state.
 *
 * Where weir deliberately differs from ksqlDB, or copies one of its quirks:
 *  - SUM and AVG of INT wrap at 32 bits, of BIGINT at 64 bits, like Java.  A DECIMAL(p,s)
 *    sum is exact: the state is DECIMAL(38,s) (so retractions can bring it back into range);
 *    a value that would take it past 38 digits is ignored, and the result is NULL while the
 *    sum does not fit DECIMAL(p,s) (ksqlDB rounds to p digits and then fails to serialize).
 *  - AVG with no values is 0.0 (AverageUdaf); STDDEV_SAMP with fewer than 2 values is 0.0;
 *    CORRELATION with fewer than 2 pairs is NaN.
 *  - COUNT_DISTINCT is exact (a sorted set of the values in the state) where ksqlDB keeps a
 *    HyperLogLog sketch and is approximate for large groups; the state grows with the number
 *    of distinct values.
 *  - *_BY_OFFSET order rows by the seq the caller passes (ksqlDB: a process-wide counter).
 *    EARLIEST_BY_OFFSET(x, false) keeps a NULL first value (ksqlDB would let a later value
 *    replace it, as it cannot tell "no value yet" from NULL).  The N forms return the values
 *    in seq order, earliest to latest, and an empty array before any row.
 *  - COLLECT_LIST keeps NULLs, COLLECT_SET keeps one NULL (both as ksqlDB, which adds
 *    whatever it is given).  Limits: cfg->collect_list_limit / collect_set_limit, read at
 *    resolve time (negative: none; no cfg: none, like wr_fn_config_default).  Retracting
 *    from COLLECT_LIST removes the last equal element; from COLLECT_SET it removes the
 *    value even if another row still holds it (ksqlDB's undo is a Set.remove).
 *  - TOPK keeps duplicates, TOPKDISTINCT does not; both ignore NULLs.
 *  - HISTOGRAM keeps at most 1000 distinct values; further new values are ignored.
 *  - ATTR: the value when every non-null value of the group is equal, else NULL.
 */
#include <math.h>
#include <string.h>

#include "agg.h"

#define HISTOGRAM_LIMIT 1000

static const wr_value null_value;

/* ---------------------------------------------------------------- resolve helpers */

/* ksqlDB's "Function 'SUM' does not accept parameters (STRING)." */
static int bad_args(const wr_agg_call *call, const char *name, wr_error *err)
{
    wr_fn_resolve_ctx rc;
    memset(&rc, 0, sizeof rc);
    int argc = call->argc < 0 ? 0 : call->argc > WR_AGG_MAXARGS ? WR_AGG_MAXARGS : call->argc;
    wr_fn_bad_args(&rc, name, argc, call->argt);
    return wr_error_set(err, WR_ESEMANTIC, "%s", rc.errmsg);
}

static int arity(const wr_agg_call *call, int min, int max)
{
    return call->argc >= min && call->argc <= max && call->argc <= WR_AGG_MAXARGS;
}

static int kind_of(const wr_agg_call *call, int i)
{
    return call->argt[i] ? (int)call->argt[i]->kind : WR_NULL;
}

static int is_numeric_kind(int k)
{
    return k == WR_INT || k == WR_BIGINT || k == WR_DOUBLE || k == WR_DECIMAL;
}

/* A value argument: any real type (not the NULL literal, not a lambda). */
static int is_value_kind(int k)
{
    return k != WR_NULL && k != WR_LAMBDA && k < WR_KIND_COUNT;
}

/* MIN, MAX: the ordered primitive types. */
static int is_ordered_kind(int k)
{
    return is_numeric_kind(k) || k == WR_STRING || k == WR_DATE || k == WR_TIME ||
           k == WR_TIMESTAMP;
}

static int need_arena(const wr_agg_call *call, wr_error *err)
{
    if (call->arena) return 0;
    return wr_error_set(err, WR_EINTERNAL, "aggregate resolution needs an arena");
}

/* The integer literal of argument i in *out; -1 when it is not one. */
static int lit_int(const wr_agg_call *call, int i, int64_t *out)
{
    const wr_value *v = call->literal[i];
    if (!v || (v->kind != WR_INT && v->kind != WR_BIGINT)) return -1;
    *out = v->u.i;
    return 0;
}

static int lit_bool(const wr_agg_call *call, int i, int *out)
{
    const wr_value *v = call->literal[i];
    if (!v || v->kind != WR_BOOLEAN) return -1;
    *out = v->u.b;
    return 0;
}

static int not_literal(const char *name, const char *param, wr_error *err)
{
    return wr_error_set(err, WR_ESEMANTIC,
                        "Function '%s' requires a literal for its parameter %s.", name, param);
}

static const wr_type *struct_type(wr_arena *a, int n, const char *const *names,
                                  const wr_type *const *types)
{
    wr_field f[8];
    for (int i = 0; i < n; i++) {
        f[i].name = names[i];
        f[i].type = types[i];
    }
    return wr_type_struct(a, n, f);
}

/* The type a running sum of values of type t is kept in (SUM, AVG, SUM_LIST). */
static const wr_type *sum_state_type(wr_arena *a, const wr_type *t)
{
    return t->kind == WR_DECIMAL ? wr_type_decimal(a, 38, t->scale) : t;
}

/* ---------------------------------------------------------------- value helpers */

static const wr_value *arg(const wr_value *args, int i)
{
    return args ? &args[i] : &null_value;
}

/* Item i of a STRUCT state, NULL value when missing. */
static const wr_value *field(const wr_value *s, uint32_t i)
{
    return s->kind == WR_STRUCT && i < s->len ? &s->u.items[i] : &null_value;
}

static int64_t field_i64(const wr_value *s, uint32_t i)
{
    const wr_value *f = field(s, i);
    return f->kind == WR_BIGINT || f->kind == WR_INT ? f->u.i : 0;
}

static double field_d(const wr_value *s, uint32_t i)
{
    const wr_value *f = field(s, i);
    return f->kind == WR_DOUBLE ? f->u.d : 0.0;
}

static int to_double(const wr_value *v, double *out)
{
    switch (v->kind) {
    case WR_INT:
    case WR_BIGINT: *out = (double)v->u.i; return 0;
    case WR_DOUBLE: *out = v->u.d; return 0;
    case WR_DECIMAL: *out = wr_decimal_to_double(*v->u.dec, (int)v->len); return 0;
    default: return -1;
    }
}

/* The array items of an ARRAY state (an empty array for anything else). */
static wr_value as_array(const wr_value *s)
{
    if (s->kind == WR_ARRAY) return *s;
    wr_value v = {0};
    v.kind = WR_ARRAY;
    return v;
}

/* A new array of `n` items: the first `keep` of src, then room for n - keep more. */
static wr_value array_from(wr_arena *a, const wr_value *src, uint32_t keep, uint32_t n)
{
    wr_value r = wr_array(a, n);
    if (keep) memcpy(r.u.items, src->u.items, sizeof(wr_value) * keep);
    return r;
}

/* src with v inserted at pos. */
static wr_value array_insert(wr_arena *a, const wr_value *src, uint32_t pos, const wr_value *v)
{
    wr_value r = wr_array(a, src->len + 1);
    if (pos) memcpy(r.u.items, src->u.items, sizeof(wr_value) * pos);
    r.u.items[pos] = *v;
    if (src->len > pos)
        memcpy(r.u.items + pos + 1, src->u.items + pos, sizeof(wr_value) * (src->len - pos));
    return r;
}

/* src without item pos. */
static wr_value array_remove(wr_arena *a, const wr_value *src, uint32_t pos)
{
    wr_value r = wr_array(a, src->len - 1);
    if (pos) memcpy(r.u.items, src->u.items, sizeof(wr_value) * pos);
    if (src->len > pos + 1)
        memcpy(r.u.items + pos, src->u.items + pos + 1, sizeof(wr_value) * (src->len - pos - 1));
    return r;
}

/* src[from, from+n) as a new array. */
static wr_value array_slice(wr_arena *a, const wr_value *src, uint32_t from, uint32_t n)
{
    wr_value r = wr_array(a, n);
    if (n) memcpy(r.u.items, src->u.items + from, sizeof(wr_value) * n);
    return r;
}

static int array_find(const wr_value *arr, const wr_value *v)
{
    for (uint32_t i = 0; i < arr->len; i++)
        if (wr_value_equal(&arr->u.items[i], v)) return (int)i;
    return -1;
}

/* The limit of COLLECT_LIST/SET as resolved (param[0]); negative: none. */
static int at_limit(const wr_agg_call *c, uint32_t len)
{
    return c->param[0] >= 0 && (int64_t)len >= c->param[0];
}

/* ---------------------------------------------------------------- running sums */

static wr_value zero_of(wr_arena *a, const wr_type *t)
{
    switch (t->kind) {
    case WR_INT: return wr_int(0);
    case WR_BIGINT: return wr_bigint(0);
    case WR_DOUBLE: return wr_double(0);
    case WR_DECIMAL: return wr_decimal(a, 0, t->scale);
    default: return wr_null();
    }
}

/* *acc + sign * v, kept in the representation of type t: INT wraps at 32 bits and BIGINT at
 * 64 bits (Java arithmetic), DOUBLE as is, DECIMAL exact - a result past 38 digits leaves
 * *acc unchanged.  A non-numeric or NULL v leaves *acc unchanged and returns -1. */
static int accumulate(wr_arena *a, const wr_type *t, wr_value *acc, const wr_value *v, int sign)
{
    if (acc->kind != t->kind) *acc = zero_of(a, t);
    switch (t->kind) {
    case WR_INT:
    case WR_BIGINT: {
        if (v->kind != WR_INT && v->kind != WR_BIGINT) return -1;
        uint64_t x = (uint64_t)acc->u.i, y = (uint64_t)v->u.i;
        uint64_t r = sign > 0 ? x + y : x - y;
        acc->u.i = t->kind == WR_INT ? (int64_t)(int32_t)(uint32_t)r : (int64_t)r;
        return 0;
    }
    case WR_DOUBLE: {
        double d;
        if (to_double(v, &d)) return -1;
        acc->u.d = sign > 0 ? acc->u.d + d : acc->u.d - d;
        return 0;
    }
    case WR_DECIMAL: {
        static const wr_int128 max38 =
            (wr_int128)10000000000000000000ULL * (wr_int128)10000000000000000000ULL;
        wr_int128 u;
        if (v->kind == WR_DECIMAL) {
            if (wr_decimal_rescale(*v->u.dec, (int)v->len, t->scale, 38, &u)) return -1;
        } else if (v->kind == WR_INT || v->kind == WR_BIGINT) {
            if (wr_decimal_rescale(v->u.i, 0, t->scale, 38, &u)) return -1;
        } else {
            return -1;
        }
        wr_int128 r = sign > 0 ? *acc->u.dec + u : *acc->u.dec - u; /* |both| < 1e38: no overflow */
        if (r >= max38 || r <= -max38) return -1;
        *acc = wr_decimal(a, r, t->scale);
        return 0;
    }
    default: return -1;
    }
}

static double sum_to_double(const wr_value *v)
{
    double d = 0;
    to_double(v, &d);
    return d;
}

/* ---------------------------------------------------------------- COUNT */

static int count_rows(const wr_agg_call *c)
{
    return c->star || c->argc == 0 || !c->argt[0];
}

static int count_resolve(wr_agg_call *call, wr_error *err)
{
    if (!arity(call, 0, 1) || (call->argc == 1 && call->argt[0] && kind_of(call, 0) == WR_LAMBDA))
        return bad_args(call, "COUNT", err);
    call->state_type = call->result_type = &wr_type_bigint;
    return 0;
}

static void count_init(const wr_agg_call *c, wr_arena *a, wr_value *state)
{
    *state = wr_bigint(0);
}

static void count_step(const wr_agg_call *c, wr_value *state, const wr_value *args, int64_t d)
{
    if (!count_rows(c) && wr_is_null(arg(args, 0))) return;
    *state = wr_bigint((state->kind == WR_BIGINT ? state->u.i : 0) + d);
}

static void count_add(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                      int64_t seq)
{
    count_step(c, state, args, 1);
}

static void count_retract(const wr_agg_call *c, wr_arena *a, wr_value *state,
                          const wr_value *args, int64_t seq)
{
    count_step(c, state, args, -1);
}

static void count_merge(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *other)
{
    int64_t x = state->kind == WR_BIGINT ? state->u.i : 0;
    *state = wr_bigint(x + (other->kind == WR_BIGINT ? other->u.i : 0));
}

static void copy_result(const wr_agg_call *c, wr_arena *a, const wr_value *state, wr_value *out)
{
    *out = *state;
}

/* ---------------------------------------------------------------- SUM */

static int sum_resolve(wr_agg_call *call, wr_error *err)
{
    if (!arity(call, 1, 1) || !is_numeric_kind(kind_of(call, 0)))
        return bad_args(call, "SUM", err);
    if (need_arena(call, err)) return err->code;
    call->result_type = call->argt[0];
    call->state_type = sum_state_type(call->arena, call->argt[0]);
    return 0;
}

static void sum_init(const wr_agg_call *c, wr_arena *a, wr_value *state)
{
    *state = zero_of(a, c->state_type);
}

static void sum_add(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                    int64_t seq)
{
    wr_value acc = *state;
    if (!accumulate(a, c->state_type, &acc, arg(args, 0), 1)) *state = acc;
}

static void sum_retract(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                        int64_t seq)
{
    wr_value acc = *state;
    if (!accumulate(a, c->state_type, &acc, arg(args, 0), -1)) *state = acc;
}

static void sum_merge(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *other)
{
    wr_value acc = *state;
    if (!accumulate(a, c->state_type, &acc, other, 1)) *state = acc;
}

/* The sum as the result type: a DECIMAL that does not fit the column's precision is NULL. */
static void sum_value(const wr_agg_call *c, wr_arena *a, const wr_value *sum, wr_value *out)
{
    const wr_type *rt = c->result_type;
    if (sum->kind != c->state_type->kind) {
        *out = zero_of(a, rt);
        return;
    }
    *out = *sum;
    if (rt->kind == WR_DECIMAL && wr_decimal_digits(*sum->u.dec) > rt->precision &&
        *sum->u.dec != 0)
        *out = wr_null();
}

static void sum_result(const wr_agg_call *c, wr_arena *a, const wr_value *state, wr_value *out)
{
    sum_value(c, a, state, out);
}

/* ---------------------------------------------------------------- AVG */

enum { AVG_SUM, AVG_COUNT };

static int avg_resolve(wr_agg_call *call, wr_error *err)
{
    if (!arity(call, 1, 1) || !is_numeric_kind(kind_of(call, 0)))
        return bad_args(call, "AVG", err);
    if (need_arena(call, err)) return err->code;
    static const char *const names[] = {"SUM", "COUNT"};
    const wr_type *types[] = {sum_state_type(call->arena, call->argt[0]), &wr_type_bigint};
    call->state_type = struct_type(call->arena, 2, names, types);
    call->result_type = &wr_type_double;
    return 0;
}

static wr_value avg_make(wr_arena *a, wr_value sum, int64_t count)
{
    wr_value s = wr_struct(a, 2);
    s.u.items[AVG_SUM] = sum;
    s.u.items[AVG_COUNT] = wr_bigint(count);
    return s;
}

static void avg_init(const wr_agg_call *c, wr_arena *a, wr_value *state)
{
    *state = avg_make(a, zero_of(a, c->state_type->fields[AVG_SUM].type), 0);
}

static void avg_step(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *v,
                     int sign)
{
    int64_t count = field_i64(state, AVG_COUNT);
    if (sign < 0 && count <= 0) return;
    wr_value acc = *field(state, AVG_SUM);
    if (accumulate(a, c->state_type->fields[AVG_SUM].type, &acc, v, sign)) return;
    *state = avg_make(a, acc, count + sign);
}

static void avg_add(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                    int64_t seq)
{
    avg_step(c, a, state, arg(args, 0), 1);
}

static void avg_retract(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                        int64_t seq)
{
    avg_step(c, a, state, arg(args, 0), -1);
}

static void avg_merge(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *other)
{
    const wr_type *st = c->state_type->fields[AVG_SUM].type;
    wr_value acc = *field(state, AVG_SUM);
    if (acc.kind != st->kind) acc = zero_of(a, st);
    accumulate(a, st, &acc, field(other, AVG_SUM), 1);
    *state = avg_make(a, acc, field_i64(state, AVG_COUNT) + field_i64(other, AVG_COUNT));
}

static void avg_result(const wr_agg_call *c, wr_arena *a, const wr_value *state, wr_value *out)
{
    int64_t count = field_i64(state, AVG_COUNT);
    *out = wr_double(count <= 0 ? 0.0 : sum_to_double(field(state, AVG_SUM)) / (double)count);
}

/* ---------------------------------------------------------------- SUM_LIST */

static int sum_list_resolve(wr_agg_call *call, wr_error *err)
{
    const wr_type *t = call->argc == 1 ? call->argt[0] : NULL;
    if (!arity(call, 1, 1) || !t || t->kind != WR_ARRAY || !t->elem ||
        (t->elem->kind != WR_INT && t->elem->kind != WR_BIGINT && t->elem->kind != WR_DOUBLE))
        return bad_args(call, "SUM_LIST", err);
    call->state_type = call->result_type = t->elem;
    return 0;
}

static void sum_list_step(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *v,
                          int sign)
{
    if (v->kind != WR_ARRAY) return;
    wr_value acc = *state;
    if (acc.kind != c->state_type->kind) acc = zero_of(a, c->state_type);
    for (uint32_t i = 0; i < v->len; i++) accumulate(a, c->state_type, &acc, &v->u.items[i], sign);
    *state = acc;
}

static void sum_list_add(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                         int64_t seq)
{
    sum_list_step(c, a, state, arg(args, 0), 1);
}

static void sum_list_retract(const wr_agg_call *c, wr_arena *a, wr_value *state,
                             const wr_value *args, int64_t seq)
{
    sum_list_step(c, a, state, arg(args, 0), -1);
}

/* ---------------------------------------------------------------- MIN, MAX */

static int minmax_resolve(wr_agg_call *call, const char *name, wr_error *err)
{
    if (!arity(call, 1, 1) || !is_ordered_kind(kind_of(call, 0))) return bad_args(call, name, err);
    call->state_type = call->result_type = call->argt[0];
    return 0;
}

static int min_resolve(wr_agg_call *call, wr_error *err) { return minmax_resolve(call, "MIN", err); }
static int max_resolve(wr_agg_call *call, wr_error *err) { return minmax_resolve(call, "MAX", err); }

static void null_init(const wr_agg_call *c, wr_arena *a, wr_value *state)
{
    *state = wr_null();
}

/* Keeps v when it beats the state (dir -1: smaller, +1: larger). */
static void minmax_step(wr_arena *a, wr_value *state, const wr_value *v, int dir)
{
    if (wr_is_null(v)) return;
    if (wr_is_null(state) || wr_value_compare(v, state) * dir > 0) *state = wr_value_copy(a, v);
}

static void min_add(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                    int64_t seq)
{
    minmax_step(a, state, arg(args, 0), -1);
}

static void max_add(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                    int64_t seq)
{
    minmax_step(a, state, arg(args, 0), 1);
}

static void min_merge(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *other)
{
    minmax_step(a, state, other, -1);
}

static void max_merge(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *other)
{
    minmax_step(a, state, other, 1);
}

/* ---------------------------------------------------------------- COUNT_DISTINCT */

static int count_distinct_resolve(wr_agg_call *call, wr_error *err)
{
    if (!arity(call, 1, 1) || !is_value_kind(kind_of(call, 0)))
        return bad_args(call, "COUNT_DISTINCT", err);
    if (need_arena(call, err)) return err->code;
    call->state_type = wr_type_array(call->arena, call->argt[0]);
    call->result_type = &wr_type_bigint;
    return 0;
}

static void empty_array_init(const wr_agg_call *c, wr_arena *a, wr_value *state)
{
    *state = wr_array(a, 0);
}

/* Index of v in the sorted array, or -(insertion point)-1. */
static int64_t sorted_find(const wr_value *arr, const wr_value *v)
{
    int64_t lo = 0, hi = (int64_t)arr->len - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int cmp = wr_value_compare(&arr->u.items[mid], v);
        if (cmp == 0) return mid;
        if (cmp < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return -lo - 1;
}

static void distinct_insert(wr_arena *a, wr_value *state, const wr_value *v)
{
    if (wr_is_null(v)) return;
    wr_value arr = as_array(state);
    int64_t at = sorted_find(&arr, v);
    if (at >= 0) return;
    wr_value copy = wr_value_copy(a, v);
    *state = array_insert(a, &arr, (uint32_t)(-at - 1), &copy);
}

static void count_distinct_add(const wr_agg_call *c, wr_arena *a, wr_value *state,
                               const wr_value *args, int64_t seq)
{
    distinct_insert(a, state, arg(args, 0));
}

static void count_distinct_merge(const wr_agg_call *c, wr_arena *a, wr_value *state,
                                 const wr_value *other)
{
    wr_value o = as_array(other);
    for (uint32_t i = 0; i < o.len; i++) distinct_insert(a, state, &o.u.items[i]);
}

static void count_distinct_result(const wr_agg_call *c, wr_arena *a, const wr_value *state,
                                  wr_value *out)
{
    *out = wr_bigint(as_array(state).len);
}

/* ---------------------------------------------------------------- LATEST/EARLIEST_BY_OFFSET
 *
 * param[0] = N (0: the single-value form), param[1] = ignoreNulls.
 * State: NULL or STRUCT<SEQ, VAL>; with N an ARRAY of them sorted by SEQ, at most N long. */

enum { BY_SEQ, BY_VAL };

static int by_offset_resolve(wr_agg_call *call, const char *name, wr_error *err)
{
    int64_t n = 0;
    int ignore = 1;
    if (!arity(call, 1, 3) || !is_value_kind(kind_of(call, 0))) return bad_args(call, name, err);
    if (call->argc == 2) {
        int k = kind_of(call, 1);
        if (k == WR_BOOLEAN) {
            if (lit_bool(call, 1, &ignore)) return not_literal(name, "ignoreNulls", err);
        } else if (k == WR_INT || k == WR_BIGINT) {
            if (lit_int(call, 1, &n)) return not_literal(name, "N", err);
        } else {
            return bad_args(call, name, err);
        }
    } else if (call->argc == 3) {
        int k1 = kind_of(call, 1), k2 = kind_of(call, 2);
        if ((k1 != WR_INT && k1 != WR_BIGINT) || k2 != WR_BOOLEAN) return bad_args(call, name, err);
        if (lit_int(call, 1, &n)) return not_literal(name, "N", err);
        if (lit_bool(call, 2, &ignore)) return not_literal(name, "ignoreNulls", err);
    }
    if (call->argc >= 2 && kind_of(call, 1) != WR_BOOLEAN && (n < 1 || n > INT32_MAX))
        return wr_error_set(err, WR_ESEMANTIC,
                            "Function '%s' requires N to be a positive integer, got %lld.", name,
                            (long long)n);
    if (need_arena(call, err)) return err->code;
    static const char *const names[] = {"SEQ", "VAL"};
    const wr_type *types[] = {&wr_type_bigint, call->argt[0]};
    const wr_type *entry = struct_type(call->arena, 2, names, types);
    call->param[0] = n;
    call->param[1] = ignore;
    call->state_type = n ? wr_type_array(call->arena, entry) : entry;
    call->result_type = n ? wr_type_array(call->arena, call->argt[0]) : call->argt[0];
    return 0;
}

static int latest_resolve(wr_agg_call *call, wr_error *err)
{
    return by_offset_resolve(call, "LATEST_BY_OFFSET", err);
}

static int earliest_resolve(wr_agg_call *call, wr_error *err)
{
    return by_offset_resolve(call, "EARLIEST_BY_OFFSET", err);
}

static void by_offset_init(const wr_agg_call *c, wr_arena *a, wr_value *state)
{
    *state = c->param[0] ? wr_array(a, 0) : wr_null();
}

/* Does an entry at `seq` replace (single form) or enter (N form) the state?  latest: the
 * highest seq wins, a tie goes to the newer call; earliest: the lowest seq wins. */
static int by_offset_beats(int latest, int64_t seq, int64_t old)
{
    return latest ? seq >= old : seq < old;
}

/* Adds the entry {seq, v} (v already in a) to the state. */
static void by_offset_put(const wr_agg_call *c, wr_arena *a, wr_value *state, int latest,
                          int64_t seq, const wr_value *v, int copy)
{
    wr_value e = wr_struct(a, 2);
    if (!c->param[0]) {
        if (state->kind == WR_STRUCT && !by_offset_beats(latest, seq, field_i64(state, BY_SEQ)))
            return;
        e.u.items[BY_SEQ] = wr_bigint(seq);
        e.u.items[BY_VAL] = copy ? wr_value_copy(a, v) : *v;
        *state = e;
        return;
    }
    uint32_t n = (uint32_t)c->param[0];
    wr_value arr = as_array(state);
    /* insertion point: after every entry with a smaller or equal seq (a tie ranks the older
     * call earlier, for both directions, as the single form does) */
    uint32_t pos = arr.len;
    while (pos > 0 && field_i64(&arr.u.items[pos - 1], BY_SEQ) > seq) pos--;
    if (arr.len >= n && (latest ? pos == 0 : pos >= n)) return; /* would fall off at once */
    e.u.items[BY_SEQ] = wr_bigint(seq);
    e.u.items[BY_VAL] = copy ? wr_value_copy(a, v) : *v;
    wr_value r = array_insert(a, &arr, pos, &e);
    if (r.len > n) r = latest ? array_slice(a, &r, r.len - n, n) : array_slice(a, &r, 0, n);
    *state = r;
}

static void by_offset_add(const wr_agg_call *c, wr_arena *a, wr_value *state,
                          const wr_value *args, int64_t seq, int latest)
{
    const wr_value *v = arg(args, 0);
    if (wr_is_null(v) && c->param[1]) return;
    by_offset_put(c, a, state, latest, seq, v, 1);
}

static void latest_add(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                       int64_t seq)
{
    by_offset_add(c, a, state, args, seq, 1);
}

static void earliest_add(const wr_agg_call *c, wr_arena *a, wr_value *state,
                         const wr_value *args, int64_t seq)
{
    by_offset_add(c, a, state, args, seq, 0);
}

static void by_offset_merge(const wr_agg_call *c, wr_arena *a, wr_value *state,
                            const wr_value *other, int latest)
{
    if (!c->param[0]) {
        if (other->kind == WR_STRUCT)
            by_offset_put(c, a, state, latest, field_i64(other, BY_SEQ), field(other, BY_VAL), 0);
        return;
    }
    wr_value o = as_array(other);
    for (uint32_t i = 0; i < o.len; i++)
        if (o.u.items[i].kind == WR_STRUCT)
            by_offset_put(c, a, state, latest, field_i64(&o.u.items[i], BY_SEQ),
                          field(&o.u.items[i], BY_VAL), 0);
}

static void latest_merge(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *other)
{
    by_offset_merge(c, a, state, other, 1);
}

static void earliest_merge(const wr_agg_call *c, wr_arena *a, wr_value *state,
                           const wr_value *other)
{
    by_offset_merge(c, a, state, other, 0);
}

static void by_offset_result(const wr_agg_call *c, wr_arena *a, const wr_value *state,
                             wr_value *out)
{
    if (!c->param[0]) {
        *out = *field(state, BY_VAL);
        return;
    }
    wr_value arr = as_array(state);
    *out = wr_array(a, arr.len);
    for (uint32_t i = 0; i < arr.len; i++) out->u.items[i] = *field(&arr.u.items[i], BY_VAL);
}

/* ---------------------------------------------------------------- COLLECT_LIST, COLLECT_SET */

static int collect_resolve(wr_agg_call *call, const char *name, int limit, wr_error *err)
{
    if (!arity(call, 1, 1) || !is_value_kind(kind_of(call, 0))) return bad_args(call, name, err);
    if (need_arena(call, err)) return err->code;
    call->state_type = call->result_type = wr_type_array(call->arena, call->argt[0]);
    call->param[0] = limit < 0 ? -1 : limit;
    return 0;
}

static int collect_list_resolve(wr_agg_call *call, wr_error *err)
{
    return collect_resolve(call, "COLLECT_LIST", call->cfg ? call->cfg->collect_list_limit : -1,
                           err);
}

static int collect_set_resolve(wr_agg_call *call, wr_error *err)
{
    return collect_resolve(call, "COLLECT_SET", call->cfg ? call->cfg->collect_set_limit : -1,
                           err);
}

/* Appends v (already in a) unless the limit is reached or, for a set, it is present. */
static void collect_put(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *v,
                        int set)
{
    wr_value arr = as_array(state);
    if (at_limit(c, arr.len) || (set && array_find(&arr, v) >= 0)) return;
    wr_value r = array_from(a, &arr, arr.len, arr.len + 1);
    r.u.items[arr.len] = *v;
    *state = r;
}

static void collect_list_add(const wr_agg_call *c, wr_arena *a, wr_value *state,
                             const wr_value *args, int64_t seq)
{
    wr_value v = wr_value_copy(a, arg(args, 0));
    collect_put(c, a, state, &v, 0);
}

static void collect_set_add(const wr_agg_call *c, wr_arena *a, wr_value *state,
                            const wr_value *args, int64_t seq)
{
    wr_value v = wr_value_copy(a, arg(args, 0));
    collect_put(c, a, state, &v, 1);
}

/* Removes the last element equal to v (COLLECT_LIST; a set holds at most one). */
static void collect_retract(const wr_agg_call *c, wr_arena *a, wr_value *state,
                            const wr_value *args, int64_t seq)
{
    wr_value arr = as_array(state);
    const wr_value *v = arg(args, 0);
    for (uint32_t i = arr.len; i-- > 0;)
        if (wr_value_equal(&arr.u.items[i], v)) {
            *state = array_remove(a, &arr, i);
            return;
        }
}

static void collect_list_merge(const wr_agg_call *c, wr_arena *a, wr_value *state,
                               const wr_value *other)
{
    wr_value arr = as_array(state), o = as_array(other);
    uint32_t take = o.len;
    if (c->param[0] >= 0) {
        int64_t room = c->param[0] - (int64_t)arr.len;
        take = room <= 0 ? 0 : room < (int64_t)take ? (uint32_t)room : take;
    }
    if (!take) return;
    wr_value r = array_from(a, &arr, arr.len, arr.len + take);
    memcpy(r.u.items + arr.len, o.u.items, sizeof(wr_value) * take);
    *state = r;
}

static void collect_set_merge(const wr_agg_call *c, wr_arena *a, wr_value *state,
                              const wr_value *other)
{
    wr_value o = as_array(other);
    for (uint32_t i = 0; i < o.len; i++) collect_put(c, a, state, &o.u.items[i], 1);
}

static void array_result(const wr_agg_call *c, wr_arena *a, const wr_value *state, wr_value *out)
{
    *out = as_array(state);
}

/* ---------------------------------------------------------------- TOPK, TOPKDISTINCT
 * param[0] = k.  State: ARRAY<T> in descending order, at most k long. */

static int topk_resolve_named(wr_agg_call *call, const char *name, wr_error *err)
{
    int k0 = call->argc >= 1 ? kind_of(call, 0) : WR_NULL;
    int k1 = call->argc >= 2 ? kind_of(call, 1) : WR_NULL;
    if (!arity(call, 2, 2) || !(is_numeric_kind(k0) || k0 == WR_STRING) ||
        (k1 != WR_INT && k1 != WR_BIGINT))
        return bad_args(call, name, err);
    int64_t k;
    if (lit_int(call, 1, &k)) return not_literal(name, "k", err);
    if (k < 1 || k > INT32_MAX)
        return wr_error_set(err, WR_ESEMANTIC,
                            "Function '%s' requires k to be a positive integer, got %lld.", name,
                            (long long)k);
    if (need_arena(call, err)) return err->code;
    call->param[0] = k;
    call->state_type = call->result_type = wr_type_array(call->arena, call->argt[0]);
    return 0;
}

static int topk_resolve(wr_agg_call *call, wr_error *err)
{
    return topk_resolve_named(call, "TOPK", err);
}

static int topkdistinct_resolve(wr_agg_call *call, wr_error *err)
{
    return topk_resolve_named(call, "TOPKDISTINCT", err);
}

/* Inserts v (already in a) into the descending top-k array. */
static void topk_put(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *v,
                     int distinct)
{
    if (wr_is_null(v)) return;
    wr_value arr = as_array(state);
    uint32_t k = (uint32_t)c->param[0], pos = arr.len;
    /* after every element >= v (a duplicate goes behind its equals) */
    while (pos > 0 && wr_value_compare(&arr.u.items[pos - 1], v) < 0) pos--;
    if (distinct && pos > 0 && wr_value_compare(&arr.u.items[pos - 1], v) == 0) return;
    if (pos >= k) return;
    wr_value r = array_insert(a, &arr, pos, v);
    if (r.len > k) r.len = k;
    *state = r;
}

static void topk_add(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                     int64_t seq)
{
    if (wr_is_null(arg(args, 0))) return;
    wr_value v = wr_value_copy(a, arg(args, 0));
    topk_put(c, a, state, &v, 0);
}

static void topkdistinct_add(const wr_agg_call *c, wr_arena *a, wr_value *state,
                             const wr_value *args, int64_t seq)
{
    if (wr_is_null(arg(args, 0))) return;
    wr_value v = wr_value_copy(a, arg(args, 0));
    topk_put(c, a, state, &v, 1);
}

static void topk_merge_impl(const wr_agg_call *c, wr_arena *a, wr_value *state,
                            const wr_value *other, int distinct)
{
    wr_value o = as_array(other);
    for (uint32_t i = 0; i < o.len; i++) topk_put(c, a, state, &o.u.items[i], distinct);
}

static void topk_merge(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *other)
{
    topk_merge_impl(c, a, state, other, 0);
}

static void topkdistinct_merge(const wr_agg_call *c, wr_arena *a, wr_value *state,
                               const wr_value *other)
{
    topk_merge_impl(c, a, state, other, 1);
}

/* ---------------------------------------------------------------- HISTOGRAM */

static int histogram_resolve(wr_agg_call *call, wr_error *err)
{
    if (!arity(call, 1, 1) || kind_of(call, 0) != WR_STRING)
        return bad_args(call, "HISTOGRAM", err);
    if (need_arena(call, err)) return err->code;
    call->state_type = call->result_type =
        wr_type_map(call->arena, &wr_type_string, &wr_type_bigint);
    return 0;
}

static void histogram_init(const wr_agg_call *c, wr_arena *a, wr_value *state)
{
    *state = wr_map(a, 0);
}

static wr_value as_map(const wr_value *s)
{
    if (s->kind == WR_MAP) return *s;
    wr_value v = {0};
    v.kind = WR_MAP;
    return v;
}

/* Adds d to the count of key (already in a); a count reaching 0 removes the entry. */
static void histogram_put(wr_arena *a, wr_value *state, const wr_value *key, int64_t d)
{
    if (key->kind != WR_STRING || d == 0) return;
    wr_value m = as_map(state);
    uint32_t i = 0;
    while (i < m.len && !wr_value_equal(&m.u.items[2 * i], key)) i++;
    if (i == m.len) {
        if (d < 0 || m.len >= HISTOGRAM_LIMIT) return;
        wr_value r = wr_map(a, m.len + 1);
        if (m.len) memcpy(r.u.items, m.u.items, sizeof(wr_value) * 2 * m.len);
        r.u.items[2 * m.len] = *key;
        r.u.items[2 * m.len + 1] = wr_bigint(d);
        *state = r;
        return;
    }
    const wr_value *cv = &m.u.items[2 * i + 1];
    int64_t n = (cv->kind == WR_BIGINT ? cv->u.i : 0) + d;
    wr_value r;
    if (n <= 0) {
        r = wr_map(a, m.len - 1);
        if (i) memcpy(r.u.items, m.u.items, sizeof(wr_value) * 2 * i);
        if (m.len > i + 1)
            memcpy(r.u.items + 2 * i, m.u.items + 2 * i + 2, sizeof(wr_value) * 2 * (m.len - i - 1));
    } else {
        r = wr_map(a, m.len);
        memcpy(r.u.items, m.u.items, sizeof(wr_value) * 2 * m.len);
        r.u.items[2 * i + 1] = wr_bigint(n);
    }
    *state = r;
}

static void histogram_add(const wr_agg_call *c, wr_arena *a, wr_value *state,
                          const wr_value *args, int64_t seq)
{
    const wr_value *v = arg(args, 0);
    if (v->kind != WR_STRING) return;
    wr_value key = wr_value_copy(a, v);
    histogram_put(a, state, &key, 1);
}

static void histogram_retract(const wr_agg_call *c, wr_arena *a, wr_value *state,
                              const wr_value *args, int64_t seq)
{
    histogram_put(a, state, arg(args, 0), -1);
}

static void histogram_merge(const wr_agg_call *c, wr_arena *a, wr_value *state,
                            const wr_value *other)
{
    wr_value o = as_map(other);
    for (uint32_t i = 0; i < o.len; i++) {
        const wr_value *cv = &o.u.items[2 * i + 1];
        if (cv->kind == WR_BIGINT && cv->u.i > 0) histogram_put(a, state, &o.u.items[2 * i], cv->u.i);
    }
}

static void histogram_result(const wr_agg_call *c, wr_arena *a, const wr_value *state,
                             wr_value *out)
{
    *out = as_map(state);
}

/* ---------------------------------------------------------------- STDDEV_SAMP (Welford) */

enum { SD_COUNT, SD_SUM, SD_M2 };

static int stddev_resolve(wr_agg_call *call, wr_error *err)
{
    if (!arity(call, 1, 1) || !is_numeric_kind(kind_of(call, 0)))
        return bad_args(call, "STDDEV_SAMP", err);
    if (need_arena(call, err)) return err->code;
    static const char *const names[] = {"COUNT", "SUM", "M2"};
    const wr_type *types[] = {&wr_type_bigint, &wr_type_double, &wr_type_double};
    call->state_type = struct_type(call->arena, 3, names, types);
    call->result_type = &wr_type_double;
    return 0;
}

static wr_value stddev_make(wr_arena *a, int64_t n, double sum, double m2)
{
    wr_value s = wr_struct(a, 3);
    if (n <= 0) { /* back to the initial state exactly */
        n = 0;
        sum = m2 = 0;
    }
    s.u.items[SD_COUNT] = wr_bigint(n);
    s.u.items[SD_SUM] = wr_double(sum);
    s.u.items[SD_M2] = wr_double(m2 < 0 ? 0 : m2);
    return s;
}

static void stddev_init(const wr_agg_call *c, wr_arena *a, wr_value *state)
{
    *state = stddev_make(a, 0, 0, 0);
}

static void stddev_add(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                       int64_t seq)
{
    double x;
    if (to_double(arg(args, 0), &x)) return;
    int64_t n = field_i64(state, SD_COUNT);
    double sum = field_d(state, SD_SUM), m2 = field_d(state, SD_M2);
    double mean_old = n > 0 ? sum / (double)n : 0;
    double mean_new = (sum + x) / (double)(n + 1);
    *state = stddev_make(a, n + 1, sum + x, m2 + (x - mean_old) * (x - mean_new));
}

static void stddev_retract(const wr_agg_call *c, wr_arena *a, wr_value *state,
                           const wr_value *args, int64_t seq)
{
    double x;
    if (to_double(arg(args, 0), &x)) return;
    int64_t n = field_i64(state, SD_COUNT);
    if (n <= 0) return;
    double sum = field_d(state, SD_SUM), m2 = field_d(state, SD_M2);
    if (n == 1) {
        *state = stddev_make(a, 0, 0, 0);
        return;
    }
    double mean_old = sum / (double)n, mean_new = (sum - x) / (double)(n - 1);
    *state = stddev_make(a, n - 1, sum - x, m2 - (x - mean_old) * (x - mean_new));
}

static void stddev_merge(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *other)
{
    int64_t na = field_i64(state, SD_COUNT), nb = field_i64(other, SD_COUNT);
    if (nb <= 0) return;
    double sa = field_d(state, SD_SUM), sb = field_d(other, SD_SUM);
    double ma = field_d(state, SD_M2), mb = field_d(other, SD_M2);
    if (na <= 0) {
        *state = stddev_make(a, nb, sb, mb);
        return;
    }
    double delta = sb / (double)nb - sa / (double)na;
    double n = (double)(na + nb);
    *state = stddev_make(a, na + nb, sa + sb, ma + mb + delta * delta * (double)na * (double)nb / n);
}

static void stddev_result(const wr_agg_call *c, wr_arena *a, const wr_value *state, wr_value *out)
{
    int64_t n = field_i64(state, SD_COUNT);
    *out = wr_double(n < 2 ? 0.0 : sqrt(field_d(state, SD_M2) / (double)(n - 1)));
}

/* ---------------------------------------------------------------- CORRELATION (Pearson) */

enum { CO_X, CO_Y, CO_XX, CO_YY, CO_XY, CO_COUNT, CO_NFIELDS };

static int correlation_resolve(wr_agg_call *call, wr_error *err)
{
    if (!arity(call, 2, 2) || !is_numeric_kind(kind_of(call, 0)) ||
        !is_numeric_kind(kind_of(call, 1)))
        return bad_args(call, "CORRELATION", err);
    if (need_arena(call, err)) return err->code;
    static const char *const names[] = {"X_SUM", "Y_SUM", "X_SQUARED_SUM", "Y_SQUARED_SUM",
                                        "XY_SUM", "COUNT"};
    const wr_type *types[] = {&wr_type_double, &wr_type_double, &wr_type_double,
                              &wr_type_double, &wr_type_double, &wr_type_bigint};
    call->state_type = struct_type(call->arena, CO_NFIELDS, names, types);
    call->result_type = &wr_type_double;
    return 0;
}

/* state + sign * (the sums of one pair or of another state) */
static void correlation_combine(wr_arena *a, wr_value *state, const double *d, int64_t n,
                                int sign)
{
    wr_value s = wr_struct(a, CO_NFIELDS);
    int64_t count = field_i64(state, CO_COUNT) + sign * n;
    for (int i = 0; i < CO_COUNT; i++)
        s.u.items[i] = wr_double(count <= 0 ? 0 : field_d(state, (uint32_t)i) + sign * d[i]);
    s.u.items[CO_COUNT] = wr_bigint(count <= 0 ? 0 : count);
    *state = s;
}

static void correlation_init(const wr_agg_call *c, wr_arena *a, wr_value *state)
{
    static const double zero[CO_COUNT];
    *state = wr_null();
    correlation_combine(a, state, zero, 0, 1);
}

static void correlation_step(wr_arena *a, wr_value *state, const wr_value *args, int sign)
{
    double x, y;
    if (to_double(arg(args, 0), &x) || to_double(arg(args, 1), &y)) return;
    if (sign < 0 && field_i64(state, CO_COUNT) <= 0) return;
    double d[CO_COUNT] = {x, y, x * x, y * y, x * y};
    correlation_combine(a, state, d, 1, sign);
}

static void correlation_add(const wr_agg_call *c, wr_arena *a, wr_value *state,
                            const wr_value *args, int64_t seq)
{
    correlation_step(a, state, args, 1);
}

static void correlation_retract(const wr_agg_call *c, wr_arena *a, wr_value *state,
                                const wr_value *args, int64_t seq)
{
    correlation_step(a, state, args, -1);
}

static void correlation_merge(const wr_agg_call *c, wr_arena *a, wr_value *state,
                              const wr_value *other)
{
    double d[CO_COUNT];
    for (int i = 0; i < CO_COUNT; i++) d[i] = field_d(other, (uint32_t)i);
    int64_t n = field_i64(other, CO_COUNT);
    if (n > 0) correlation_combine(a, state, d, n, 1);
}

static void correlation_result(const wr_agg_call *c, wr_arena *a, const wr_value *state,
                               wr_value *out)
{
    int64_t count = field_i64(state, CO_COUNT);
    if (count < 2) {
        *out = wr_double(NAN);
        return;
    }
    double n = (double)count;
    double sx = field_d(state, CO_X), sy = field_d(state, CO_Y);
    double num = n * field_d(state, CO_XY) - sx * sy;
    double den = sqrt(n * field_d(state, CO_XX) - sx * sx) * sqrt(n * field_d(state, CO_YY) - sy * sy);
    *out = wr_double(num / den);
}

/* ---------------------------------------------------------------- ATTR */

enum { ATTR_VAL, ATTR_MIXED };

static int attr_resolve(wr_agg_call *call, wr_error *err)
{
    if (!arity(call, 1, 1) || !is_value_kind(kind_of(call, 0))) return bad_args(call, "ATTR", err);
    if (need_arena(call, err)) return err->code;
    static const char *const names[] = {"VAL", "MIXED"};
    const wr_type *types[] = {call->argt[0], &wr_type_boolean};
    call->state_type = struct_type(call->arena, 2, names, types);
    call->result_type = call->argt[0];
    return 0;
}

static wr_value attr_make(wr_arena *a, const wr_value *v, int mixed)
{
    wr_value s = wr_struct(a, 2);
    s.u.items[ATTR_VAL] = mixed ? wr_null() : *v;
    s.u.items[ATTR_MIXED] = wr_bool(mixed);
    return s;
}

static void attr_init(const wr_agg_call *c, wr_arena *a, wr_value *state)
{
    *state = attr_make(a, &null_value, 0);
}

static int attr_mixed(const wr_value *s)
{
    const wr_value *m = field(s, ATTR_MIXED);
    return m->kind == WR_BOOLEAN && m->u.b;
}

/* v already in a. */
static void attr_put(wr_arena *a, wr_value *state, const wr_value *v)
{
    if (wr_is_null(v) || attr_mixed(state)) return;
    const wr_value *cur = field(state, ATTR_VAL);
    if (wr_is_null(cur)) *state = attr_make(a, v, 0);
    else if (!wr_value_equal(cur, v)) *state = attr_make(a, &null_value, 1);
}

static void attr_add(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                     int64_t seq)
{
    if (wr_is_null(arg(args, 0)) || attr_mixed(state)) return;
    wr_value v = wr_value_copy(a, arg(args, 0));
    attr_put(a, state, &v);
}

static void attr_merge(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *other)
{
    if (attr_mixed(other)) {
        if (!attr_mixed(state)) *state = attr_make(a, &null_value, 1);
        return;
    }
    attr_put(a, state, field(other, ATTR_VAL));
}

static void attr_result(const wr_agg_call *c, wr_arena *a, const wr_value *state, wr_value *out)
{
    *out = attr_mixed(state) ? wr_null() : *field(state, ATTR_VAL);
}

/* ---------------------------------------------------------------- the registry */

static const wr_agg_def aggs[] = {
    {"ATTR", "Returns the value when every non-null value of the group is the same, else NULL.",
     attr_resolve, attr_init, attr_add, NULL, attr_merge, attr_result},
    {"AVG", "Returns the average of the non-null values of a numeric column, as a DOUBLE.",
     avg_resolve, avg_init, avg_add, avg_retract, avg_merge, avg_result},
    {"COLLECT_LIST", "Returns an array of all the values of a column, in arrival order.",
     collect_list_resolve, empty_array_init, collect_list_add, collect_retract,
     collect_list_merge, array_result},
    {"COLLECT_SET", "Returns an array of the distinct values of a column, in first-seen order.",
     collect_set_resolve, empty_array_init, collect_set_add, collect_retract, collect_set_merge,
     array_result},
    {"CORRELATION", "Returns the Pearson correlation coefficient of two numeric columns.",
     correlation_resolve, correlation_init, correlation_add, correlation_retract,
     correlation_merge, correlation_result},
    {"COUNT", "Counts the rows (COUNT(*)) or the non-null values of a column.", count_resolve,
     count_init, count_add, count_retract, count_merge, copy_result},
    {"COUNT_DISTINCT", "Returns the number of distinct non-null values of a column.",
     count_distinct_resolve, empty_array_init, count_distinct_add, NULL, count_distinct_merge,
     count_distinct_result},
    {"EARLIEST_BY_OFFSET",
     "Returns the earliest value (or N earliest values) of a column by offset; nulls are "
     "skipped unless ignoreNulls is false.",
     earliest_resolve, by_offset_init, earliest_add, NULL, earliest_merge, by_offset_result},
    {"HISTOGRAM", "Returns a map of each distinct string value to the number of times it occurs.",
     histogram_resolve, histogram_init, histogram_add, histogram_retract, histogram_merge,
     histogram_result},
    {"LATEST_BY_OFFSET",
     "Returns the latest value (or N latest values) of a column by offset; nulls are skipped "
     "unless ignoreNulls is false.",
     latest_resolve, by_offset_init, latest_add, NULL, latest_merge, by_offset_result},
    {"MAX", "Returns the largest non-null value of a column.", max_resolve, null_init, max_add,
     NULL, max_merge, copy_result},
    {"MIN", "Returns the smallest non-null value of a column.", min_resolve, null_init, min_add,
     NULL, min_merge, copy_result},
    {"STDDEV_SAMP", "Returns the sample standard deviation of a numeric column.", stddev_resolve,
     stddev_init, stddev_add, stddev_retract, stddev_merge, stddev_result},
    {"SUM", "Returns the sum of the non-null values of a numeric column.", sum_resolve, sum_init,
     sum_add, sum_retract, sum_merge, sum_result},
    {"SUM_LIST", "Returns the sum of the elements of all the arrays of a column.",
     sum_list_resolve, sum_init, sum_list_add, sum_list_retract, sum_merge, sum_result},
    {"TOPK", "Returns the k largest values of a column, in descending order.", topk_resolve,
     empty_array_init, topk_add, NULL, topk_merge, array_result},
    {"TOPKDISTINCT", "Returns the k largest distinct values of a column, in descending order.",
     topkdistinct_resolve, empty_array_init, topkdistinct_add, NULL, topkdistinct_merge,
     array_result},
};

#define NAGGS ((int)(sizeof aggs / sizeof aggs[0]))

/* The registry is small: a linear case-insensitive scan. */
const wr_agg_def *wr_agg_find(const char *name)
{
    if (!name) return NULL;
    for (int i = 0; i < NAGGS; i++)
        if (wr_strcaseeq(aggs[i].name, name)) return &aggs[i];
    return NULL;
}

int wr_agg_count(void) { return NAGGS; }

const wr_agg_def *wr_agg_at(int i) { return i >= 0 && i < NAGGS ? &aggs[i] : NULL; }
