/*
 * fn_null.c - NULL handling functions (ksqlDB's CONDITIONAL category): COALESCE, IFNULL,
 * NULLIF.  They see NULL arguments (no WR_FN_NULL_IN_NULL_OUT).  The result type is the
 * common type of the arguments: numeric types widen (INT < BIGINT < DECIMAL < DOUBLE) and the
 * compiler coerces the narrower arguments; any other types must be equal.
 */
#include "fn_sig.h"
#include "func.h"

/* Common type of argt[from..to) (NULL literals ignored) with coercions; NULL when the types
 * do not agree or every argument is a NULL literal. */
static const wr_type *common_type(wr_fn_resolve_ctx *rc, int from, int to,
                                  const wr_type *const *argt)
{
    const wr_type *common = NULL;
    for (int i = from; i < to; i++) {
        const wr_type *t = argt[i];
        if (t->kind == WR_NULL || t->kind == WR_LAMBDA) {
            if (t->kind == WR_LAMBDA)
                return NULL;
            continue;
        }
        if (!common)
            common = t;
        else if (wr_type_is_numeric(common) && wr_type_is_numeric(t))
            common = wr_fn_numeric_widen(rc->arena, common, t);
        else if (!wr_type_equal(common, t))
            return NULL;
    }
    if (!common)
        return NULL;
    for (int i = from; i < to; i++)
        if (!wr_type_equal(argt[i], common))
            rc->coerce[i] = common;
    return common;
}

static const wr_type *res_coalesce(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *t = common_type(rc, 0, argc, argt);
    return t ? t : wr_fn_bad_args(rc, "COALESCE", argc, argt);
}

static const wr_type *res_ifnull(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *t = common_type(rc, 0, argc, argt);
    return t ? t : wr_fn_bad_args(rc, "IFNULL", argc, argt);
}

/* NULLIF(a, b) has a's type; b must be comparable with it (equal type or both numeric). */
static const wr_type *res_nullif(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    const wr_type *a = argt[0], *b = argt[1];
    if (a->kind == WR_LAMBDA || b->kind == WR_LAMBDA)
        return wr_fn_bad_args(rc, "NULLIF", argc, argt);
    if (a->kind == WR_NULL) {
        if (b->kind == WR_NULL)
            return wr_fn_bad_args(rc, "NULLIF", argc, argt);
        rc->coerce[0] = b;
        return b;
    }
    if (b->kind == WR_NULL || wr_type_equal(a, b) ||
        (wr_type_is_numeric(a) && wr_type_is_numeric(b))) {
        if (b->kind == WR_NULL)
            rc->coerce[1] = a;
        return a;
    }
    return wr_fn_bad_args(rc, "NULLIF", argc, argt);
}

/* The first non-NULL argument. */
static int fn_coalesce(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_null();
    for (int i = 0; i < argc; i++)
        if (!wr_is_null(&argv[i])) {
            *out = argv[i];
            break;
        }
    return 0;
}

/* NULL when both are equal (numbers by value), else the first argument. */
static int fn_nullif(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    if (!wr_is_null(&argv[0]) && !wr_is_null(&argv[1]) && wr_value_equal(&argv[0], &argv[1]))
        *out = wr_null();
    else
        *out = argv[0];
    return 0;
}

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})

const wr_scalar_def wr_fns_null[] = {
    {"COALESCE", "CONDITIONAL",
     "Returns the first parameter that is not NULL. All parameters must be of the same type "
     "(numbers are widened to the widest numeric type).",
     V("COALESCE(first T, others T[]) => T"), 1, -1, 0, res_coalesce, NULL, fn_coalesce},
    {"IFNULL", "CONDITIONAL",
     "Returns expression if not NULL, otherwise the alternative value; both must be of the "
     "same type.",
     V("IFNULL(expression T, altValue T) => T"), 2, 2, 0, res_ifnull, NULL, fn_coalesce},
    {"NULLIF", "CONDITIONAL",
     "Returns NULL if expr1 is equal to expr2; otherwise, returns expr1.",
     V("NULLIF(expr1 T, expr2 T) => T"), 2, 2, 0, res_nullif, NULL, fn_nullif},
    {0},
};
