/*
 * fn_lambda.c - higher-order functions over arrays and maps: TRANSFORM, FILTER, REDUCE.
 *
 * Lambda arguments follow the contract in func.h: lambda_params() tells the compiler the
 * parameter types of each lambda, resolve() then sees the body types, and at run time the
 * implementation calls ctx->call_lambda() with the parameter values.
 *
 * The map forms reproduce ksqlDB's use of Java's Collectors.toMap, which rejects NULL
 * values and duplicate keys: TRANSFORM producing a NULL value or the same key twice, or
 * FILTER keeping an entry with a NULL value, fails (the call yields NULL and the processing
 * log gets the message).  FILTER whose predicate is NULL fails too (Boolean unboxing).
 */
#include <stdio.h>
#include <string.h>

#include "fn_javamap.h"
#include "func.h"

static int type_is_null(const wr_type *t) { return !t || t->kind == WR_NULL; }
static int is_lambda_arg(const wr_fn_resolve_ctx *rc, int i) { return (rc->lambda_mask >> i) & 1u; }

static int param_count_error(wr_fn_resolve_ctx *rc, const char *name, int want, int got)
{
    snprintf(rc->errmsg, sizeof rc->errmsg,
             "Function '%s' expects a lambda with %d argument%s but the lambda has %d.", name,
             want, want == 1 ? "" : "s", got);
    return -1;
}

static int collection_error(wr_fn_resolve_ctx *rc, const char *name, const char *what)
{
    snprintf(rc->errmsg, sizeof rc->errmsg, "Function '%s' %s.", name, what);
    return -1;
}

/* ---------------------------------------------------------------- TRANSFORM */

/* Array form: (x) => ..., map form: (k, v) => key, (k, v) => value. */
static int transform_params(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt, int arg,
                            int nparams, const wr_type **out)
{
    const wr_type *c = argt[0];
    if (c && c->kind == WR_ARRAY && argc == 2 && arg == 1) {
        if (nparams != 1)
            return param_count_error(rc, "TRANSFORM", 1, nparams);
        out[0] = c->elem ? c->elem : &wr_type_null;
        return 0;
    }
    if (c && c->kind == WR_MAP && argc == 3 && (arg == 1 || arg == 2)) {
        if (nparams != 2)
            return param_count_error(rc, "TRANSFORM", 2, nparams);
        out[0] = c->key ? c->key : &wr_type_string;
        out[1] = c->elem ? c->elem : &wr_type_null;
        return 0;
    }
    return collection_error(rc, "TRANSFORM",
                            "takes an array and one lambda, or a map and two lambdas");
}

static const wr_type *transform_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *c = argt[0];
    if (c && c->kind == WR_ARRAY && argc == 2 && is_lambda_arg(rc, 1))
        return wr_type_array(rc->arena, argt[1]);
    if (c && c->kind == WR_MAP && argc == 3 && is_lambda_arg(rc, 1) && is_lambda_arg(rc, 2))
        return wr_type_map(rc->arena, argt[1], argt[2]);
    return wr_fn_bad_args(rc, "TRANSFORM", argc, argt);
}

/* Index of key k among the first n entries of a map under construction, or -1. */
static int64_t map_find(const wr_value *items, uint32_t n, const wr_value *k)
{
    for (uint32_t i = 0; i < n; i++)
        if (wr_value_equal(&items[2 * i], k))
            return i;
    return -1;
}

static int transform_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *c = &argv[0];
    if (wr_is_null(c)) {
        *out = wr_null();
        return 0;
    }
    int rc;
    if (c->kind == WR_ARRAY) {
        wr_value r = wr_array(ctx->arena, c->len);
        for (uint32_t i = 0; i < c->len; i++)
            if ((rc = ctx->call_lambda(ctx, 1, 1, &c->u.items[i], &r.u.items[i])) != 0)
                return rc;
        *out = r;
        return 0;
    }
    wr_value r = wr_map(ctx->arena, c->len);
    for (uint32_t i = 0; i < c->len; i++) {
        wr_value k, v;
        if ((rc = ctx->call_lambda(ctx, 1, 2, &c->u.items[2 * i], &k)) != 0 ||
            (rc = ctx->call_lambda(ctx, 2, 2, &c->u.items[2 * i], &v)) != 0)
            return rc;
        if (wr_is_null(&v))
            return wr_error_set(ctx->err, WR_EDATA,
                                "TRANSFORM: the value lambda returned null (map values cannot be null)");
        if (map_find(r.u.items, i, &k) >= 0)
            return wr_error_set(ctx->err, WR_EDATA,
                                "TRANSFORM: duplicate key produced by the key lambda");
        r.u.items[2 * i] = k;
        r.u.items[2 * i + 1] = v;
    }
    *out = r;
    return 0;
}

/* ---------------------------------------------------------------- FILTER */

static int filter_params(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt, int arg,
                         int nparams, const wr_type **out)
{
    const wr_type *c = argt[0];
    if (arg != 1)
        return collection_error(rc, "FILTER", "takes a collection and one lambda");
    if (c && c->kind == WR_ARRAY) {
        if (nparams != 1)
            return param_count_error(rc, "FILTER", 1, nparams);
        out[0] = c->elem ? c->elem : &wr_type_null;
        return 0;
    }
    if (c && c->kind == WR_MAP) {
        if (nparams != 2)
            return param_count_error(rc, "FILTER", 2, nparams);
        out[0] = c->key ? c->key : &wr_type_string;
        out[1] = c->elem ? c->elem : &wr_type_null;
        return 0;
    }
    return collection_error(rc, "FILTER", "takes an array or a map as its first argument");
}

static const wr_type *filter_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *c = argt[0];
    if (!c || (c->kind != WR_ARRAY && c->kind != WR_MAP) || !is_lambda_arg(rc, 1))
        return wr_fn_bad_args(rc, "FILTER", argc, argt);
    if (!argt[1] || (argt[1]->kind != WR_BOOLEAN && argt[1]->kind != WR_NULL)) {
        snprintf(rc->errmsg, sizeof rc->errmsg,
                 "Function 'FILTER' expects a lambda that returns BOOLEAN.");
        return NULL;
    }
    return c;
}

static int filter_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *c = &argv[0];
    if (wr_is_null(c)) {
        *out = wr_null();
        return 0;
    }
    int is_map = c->kind == WR_MAP, rc;
    wr_value r = is_map ? wr_map(ctx->arena, c->len) : wr_array(ctx->arena, c->len);
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->len; i++) {
        const wr_value *item = is_map ? &c->u.items[2 * i] : &c->u.items[i];
        wr_value keep;
        if ((rc = ctx->call_lambda(ctx, 1, is_map ? 2 : 1, item, &keep)) != 0)
            return rc;
        if (wr_is_null(&keep))
            return wr_error_set(ctx->err, WR_EDATA, "FILTER: the lambda returned null");
        if (!keep.u.b)
            continue;
        if (is_map) {
            if (wr_is_null(&item[1]))
                return wr_error_set(ctx->err, WR_EDATA,
                                    "FILTER: a kept map entry has a null value");
            r.u.items[2 * n] = item[0];
            r.u.items[2 * n + 1] = item[1];
        } else {
            r.u.items[n] = *item;
        }
        n++;
    }
    r.len = n;
    *out = r;
    return 0;
}

/* ---------------------------------------------------------------- REDUCE */

/* Array form: (state, x) => state', map form: (state, k, v) => state'. */
static int reduce_params(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt, int arg,
                         int nparams, const wr_type **out)
{
    const wr_type *c = argt[0];
    if (arg != 2)
        return collection_error(rc, "REDUCE", "takes a collection, an initial state and a lambda");
    if (type_is_null(argt[1]))
        return collection_error(rc, "REDUCE", "needs a typed initial state (cast NULL to a type)");
    if (c && c->kind == WR_ARRAY) {
        if (nparams != 2)
            return param_count_error(rc, "REDUCE", 2, nparams);
        out[0] = argt[1];
        out[1] = c->elem ? c->elem : &wr_type_null;
        return 0;
    }
    if (c && c->kind == WR_MAP) {
        if (nparams != 3)
            return param_count_error(rc, "REDUCE", 3, nparams);
        out[0] = argt[1];
        out[1] = c->key ? c->key : &wr_type_string;
        out[2] = c->elem ? c->elem : &wr_type_null;
        return 0;
    }
    return collection_error(rc, "REDUCE", "takes an array or a map as its first argument");
}

static const wr_type *reduce_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *c = argt[0], *state = argt[1], *body = argt[2];
    if (!c || (c->kind != WR_ARRAY && c->kind != WR_MAP) || type_is_null(state) ||
        !is_lambda_arg(rc, 2))
        return wr_fn_bad_args(rc, "REDUCE", argc, argt);
    /* the state is fed back into the lambda, so the body must produce the state's type;
     * decimals of another precision are rescaled to the state's type at every step */
    if (type_is_null(body) || wr_type_equal(body, state) ||
        (body->kind == WR_DECIMAL && state->kind == WR_DECIMAL))
        return state;
    wr_buf sb, bb;
    wr_buf_init(&sb);
    wr_buf_init(&bb);
    wr_type_format(state, &sb);
    wr_type_format(body, &bb);
    snprintf(rc->errmsg, sizeof rc->errmsg,
             "Function 'REDUCE': the lambda returns %s but the initial state is %s; "
             "cast the initial state to %s.", bb.data, sb.data, bb.data);
    wr_buf_fini(&sb);
    wr_buf_fini(&bb);
    return NULL;
}

/* NULL initial state -> NULL; NULL collection -> the initial state. */
static int reduce_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *c = &argv[0];
    wr_value state = argv[1];
    if (wr_is_null(&state) || wr_is_null(c)) {
        *out = state;
        return 0;
    }
    const wr_type *st = ctx->argt[1], *bt = ctx->argt[2];
    int rescale = st && bt && st->kind == WR_DECIMAL && !wr_type_equal(st, bt);
    int is_map = c->kind == WR_MAP, rc;
    /* a map is folded in ksqlDB's entry order (fn_javamap.h): it shows in the result of an
     * order-sensitive lambda such as string concatenation */
    const uint32_t *order = is_map ? jm_order(ctx->arena, c) : NULL;
    wr_value args[3];
    for (uint32_t i = 0; i < c->len; i++) {
        args[0] = state;
        if (is_map) {
            args[1] = c->u.items[2 * order[i]];
            args[2] = c->u.items[2 * order[i] + 1];
        } else {
            args[1] = c->u.items[i];
        }
        if ((rc = ctx->call_lambda(ctx, 2, is_map ? 3 : 2, args, &state)) != 0)
            return rc;
        if (rescale && !wr_is_null(&state)) {
            wr_value cast;
            if ((rc = wr_value_cast(ctx->arena, &state, bt, st, &cast, ctx->err)) != 0)
                return rc;
            state = cast;
        }
    }
    *out = state;
    return 0;
}

/* ---------------------------------------------------------------- the table */

static const char *const transform_v[] = {
    "TRANSFORM(array ARRAY<T>, function T => R) => ARRAY<R>",
    "TRANSFORM(map MAP<K, V>, keyFunction (K, V) => K1, valueFunction (K, V) => V1) => MAP<K1, V1>",
    NULL};
static const char *const filter_v[] = {
    "FILTER(array ARRAY<T>, function T => BOOLEAN) => ARRAY<T>",
    "FILTER(map MAP<K, V>, function (K, V) => BOOLEAN) => MAP<K, V>", NULL};
static const char *const reduce_v[] = {
    "REDUCE(array ARRAY<T>, initialState S, function (S, T) => S) => S",
    "REDUCE(map MAP<K, V>, initialState S, function (S, K, V) => S) => S", NULL};

const wr_scalar_def wr_fns_lambda[] = {
    {"FILTER", "LAMBDA",
     "Filter the input array or map using a lambda function. Elements (or entries) for which "
     "the lambda returns true are kept.",
     filter_v, 2, 2, WR_FN_LAMBDA, filter_resolve, filter_params, filter_fn},
    {"REDUCE", "LAMBDA",
     "Reduce the input array or map down to a single value using an initial state and a "
     "lambda function. Returns NULL if the initial state is NULL, and the initial state if the "
     "collection is NULL.",
     reduce_v, 3, 3, WR_FN_LAMBDA, reduce_resolve, reduce_params, reduce_fn},
    {"TRANSFORM", "LAMBDA",
     "Apply a lambda function to each element of an array, or apply a key lambda and a value "
     "lambda to each entry of a map.",
     transform_v, 2, 3, WR_FN_LAMBDA, transform_resolve, transform_params, transform_fn},
    {0},
};
