/*
 * fn_table.c - table functions: EXPLODE and CUBE_EXPLODE.
 *
 * A table function returns an ARRAY whose elements become one output row each (func.h);
 * resolve() returns the element type.  A NULL input produces no rows (an empty array), as
 * ksqlDB's UDTFs return an empty list for NULL.
 */
#include <string.h>

#include "func.h"

/* ---------------------------------------------------------------- EXPLODE */

static const wr_type *explode_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (!argt[0] || argt[0]->kind != WR_ARRAY)
        return wr_fn_bad_args(rc, "EXPLODE", argc, argt);
    return argt[0]->elem ? argt[0]->elem : &wr_type_null;
}

/* One row per element, NULL elements included. */
static int explode_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_is_null(&argv[0]) ? wr_array(ctx->arena, 0) : argv[0];
    return 0;
}

/* ---------------------------------------------------------------- CUBE_EXPLODE */

static const wr_type *cube_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (!argt[0] || argt[0]->kind != WR_ARRAY)
        return wr_fn_bad_args(rc, "CUBE_EXPLODE", argc, argt);
    return argt[0];
}

/* ksqlDB's cube: every combination of keeping or nulling each element, counting a mask up
 * from 0 with the first element as the most significant bit (so [a, b] gives [null, null],
 * [null, b], [a, null], [a, b]).  A NULL element has only one state, so masks that would
 * "keep" a NULL are skipped as duplicates.  More than 20 non-NULL elements (over a million
 * rows for one record) are refused rather than exhausting memory. */
static int cube_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *in = &argv[0];
    if (wr_is_null(in)) {
        *out = wr_array(ctx->arena, 0);
        return 0;
    }
    uint32_t n = in->len;
    uint32_t nonnull = 0;
    for (uint32_t i = 0; i < n; i++)
        nonnull += !wr_is_null(&in->u.items[i]);
    if (nonnull > 20 || n > 31)
        return wr_error_set(ctx->err, WR_EDATA,
                            "CUBE_EXPLODE supports at most 20 non-null elements, got %u", nonnull);
    uint32_t present = 0; /* bit (n-1-i) set when element i is not NULL */
    for (uint32_t i = 0; i < n; i++)
        if (!wr_is_null(&in->u.items[i]))
            present |= 1u << (n - 1 - i);
    uint32_t rows = 1u << __builtin_popcount(present);
    *out = wr_array(ctx->arena, rows);
    /* the sub-masks of `present` in increasing order: (mask - present) & present steps to
     * the next one */
    uint32_t mask = 0;
    for (uint32_t r = 0; r < rows; r++, mask = (mask - present) & present) {
        wr_value row = wr_array(ctx->arena, n);
        for (uint32_t i = 0; i < n; i++)
            if (mask & (1u << (n - 1 - i)))
                row.u.items[i] = in->u.items[i];
        out->u.items[r] = row;
    }
    return 0;
}

/* ---------------------------------------------------------------- the table */

static const char *const explode_v[] = {"EXPLODE(list ARRAY<T>) => T", NULL};
static const char *const cube_v[] = {"CUBE_EXPLODE(list ARRAY<T>) => ARRAY<T>", NULL};

const wr_scalar_def wr_fns_table[] = {
    {"CUBE_EXPLODE", "TABLE",
     "Takes as argument a list of columns and outputs all possible combinations of them, "
     "producing 2^d new rows where d is the number of columns given as parameters. Duplicate "
     "entries for columns with NULL value are skipped.",
     cube_v, 1, 1, WR_FN_TABLE, cube_resolve, NULL, cube_fn},
    {"EXPLODE", "TABLE",
     "Explodes an array. This function outputs one value for each element of the array.",
     explode_v, 1, 1, WR_FN_TABLE, explode_resolve, NULL, explode_fn},
    {0},
};
