/*
 * fn_map.c - MAP functions: AS_MAP MAP_KEYS MAP_UNION MAP_VALUES.
 *
 * Maps are values with items k0,v0,k1,v1,... in insertion order (base.h); maps built here
 * keep it too.  MAP_KEYS and MAP_VALUES list entries in the order ksqlDB's Java HashMaps
 * iterate (fn_javamap.h), since that order is visible in their results.
 */
#include <string.h>

#include "fn_javamap.h"
#include "func.h"

static int type_is_null(const wr_type *t) { return !t || t->kind == WR_NULL; }
static int type_is_map(const wr_type *t) { return t && t->kind == WR_MAP; }

/* Index of key k among the first n entries of map items, or -1 (linear: maps built here
 * are small; a hash set is not worth its setup). */
static int64_t map_find(const wr_value *items, uint32_t n, const wr_value *k)
{
    for (uint32_t i = 0; i < n; i++)
        if (wr_value_equal(&items[2 * i], k))
            return i;
    return -1;
}

/* Puts k=v into a map under construction with *n entries: an existing key keeps its
 * position and takes the new value (HashMap.put). */
static void map_put(wr_value *items, uint32_t *n, const wr_value *k, const wr_value *v)
{
    int64_t at = map_find(items, *n, k);
    if (at >= 0) {
        items[2 * at + 1] = *v;
        return;
    }
    items[2 * *n] = *k;
    items[2 * *n + 1] = *v;
    (*n)++;
}

/* ---------------------------------------------------------------- AS_MAP */

static const wr_type *as_map_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *k = argt[0], *v = argt[1];
    if (!k || k->kind != WR_ARRAY || !v || v->kind != WR_ARRAY ||
        (!type_is_null(k->elem) && k->elem->kind != WR_STRING))
        return wr_fn_bad_args(rc, "AS_MAP", argc, argt);
    return wr_type_map(rc->arena, &wr_type_string, v->elem ? v->elem : &wr_type_null);
}

/* keys[i] -> values[i]; missing values are NULL, extra values ignored, a repeated key takes
 * the later value.  NULL keys are skipped (a JSON object cannot hold them; ksqlDB would fail
 * to serialise the row). */
static int as_map_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *keys = &argv[0], *vals = &argv[1];
    *out = wr_map(ctx->arena, keys->len);
    uint32_t n = 0;
    for (uint32_t i = 0; i < keys->len; i++) {
        const wr_value *k = &keys->u.items[i];
        if (wr_is_null(k))
            continue;
        wr_value v = i < vals->len ? vals->u.items[i] : wr_null();
        map_put(out->u.items, &n, k, &v);
    }
    out->len = n;
    return 0;
}

/* ---------------------------------------------------------------- MAP_KEYS / MAP_VALUES */

static const wr_type *keys_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (!type_is_map(argt[0]))
        return wr_fn_bad_args(rc, "MAP_KEYS", argc, argt);
    return wr_type_array(rc->arena, argt[0]->key ? argt[0]->key : &wr_type_string);
}

static const wr_type *values_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (!type_is_map(argt[0]))
        return wr_fn_bad_args(rc, "MAP_VALUES", argc, argt);
    return wr_type_array(rc->arena, argt[0]->elem ? argt[0]->elem : &wr_type_null);
}

/* Keys (which=0) or values (1) in ksqlDB's map order (fn_javamap.h). */
static void map_column(wr_fn_ctx *ctx, const wr_value *m, int which, wr_value *out)
{
    const uint32_t *order = jm_order(ctx->arena, m);
    *out = wr_array(ctx->arena, m->len);
    for (uint32_t i = 0; i < m->len; i++)
        out->u.items[i] = m->u.items[2 * order[i] + which];
}

static int keys_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    map_column(ctx, &argv[0], 0, out);
    return 0;
}

static int values_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    map_column(ctx, &argv[0], 1, out);
    return 0;
}

/* ---------------------------------------------------------------- MAP_UNION */

static const wr_type *union_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *a = argt[0], *b = argt[1];
    if (type_is_null(a) && type_is_map(b))
        return b;
    if (type_is_null(b) && type_is_map(a))
        return a;
    if (!type_is_map(a) || !type_is_map(b))
        return wr_fn_bad_args(rc, "MAP_UNION", argc, argt);
    if (wr_type_equal(a, b))
        return a;
    if (!wr_type_equal(a->key, b->key))
        return wr_fn_bad_args(rc, "MAP_UNION", argc, argt);
    const wr_type *w = wr_fn_numeric_widen(rc->arena, a->elem, b->elem);
    if (!w)
        return wr_fn_bad_args(rc, "MAP_UNION", argc, argt);
    const wr_type *t = wr_type_map(rc->arena, a->key, w);
    if (!wr_type_equal(a, t))
        rc->coerce[0] = t;
    if (!wr_type_equal(b, t))
        rc->coerce[1] = t;
    return t;
}

/* Entries of both maps, the second winning on common keys; a NULL map counts as empty and
 * two NULLs give NULL. */
static int union_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *a = &argv[0], *b = &argv[1];
    if (wr_is_null(a) && wr_is_null(b)) {
        *out = wr_null();
        return 0;
    }
    uint32_t na = wr_is_null(a) ? 0 : a->len, nb = wr_is_null(b) ? 0 : b->len;
    *out = wr_map(ctx->arena, na + nb);
    uint32_t n = 0;
    for (uint32_t i = 0; i < na; i++)
        map_put(out->u.items, &n, &a->u.items[2 * i], &a->u.items[2 * i + 1]);
    for (uint32_t i = 0; i < nb; i++)
        map_put(out->u.items, &n, &b->u.items[2 * i], &b->u.items[2 * i + 1]);
    out->len = n;
    return 0;
}

/* ---------------------------------------------------------------- the table */

static const char *const as_map_v[] = {
    "AS_MAP(keys ARRAY<STRING>, values ARRAY<T>) => MAP<STRING, T>", NULL};
static const char *const keys_v[] = {"MAP_KEYS(input MAP<STRING, T>) => ARRAY<STRING>", NULL};
static const char *const union_v[] = {
    "MAP_UNION(map1 MAP<STRING, T>, map2 MAP<STRING, T>) => MAP<STRING, T>", NULL};
static const char *const values_v[] = {"MAP_VALUES(input MAP<STRING, T>) => ARRAY<T>", NULL};

const wr_scalar_def wr_fns_map[] = {
    {"AS_MAP", "MAP",
     "Construct a map from a list of keys and a list of values. Missing values are NULL, "
     "extra values are ignored.",
     as_map_v, 2, 2, WR_FN_NULL_IN_NULL_OUT, as_map_resolve, NULL, as_map_fn},
    {"MAP_KEYS", "MAP", "Returns an array of all the keys in the map, or NULL if the map is NULL.",
     keys_v, 1, 1, WR_FN_NULL_IN_NULL_OUT, keys_resolve, NULL, keys_fn},
    {"MAP_UNION", "MAP",
     "Returns a new map containing the union of all entries from both input maps. If a key is "
     "present in both maps, the value from the second map is kept. Returns NULL if both maps "
     "are NULL.",
     union_v, 2, 2, 0, union_resolve, NULL, union_fn},
    {"MAP_VALUES", "MAP",
     "Returns an array of all the values in the map, or NULL if the map is NULL.",
     values_v, 1, 1, WR_FN_NULL_IN_NULL_OUT, values_resolve, NULL, values_fn},
    {0},
};
