/*
 * op_filter.c - WHERE: forwards the rows whose predicate is true (NULL counts as false).
 * Null-valued records never pass a filter (rule 7).  Rows are forwarded by pointer.
 */
#include <stdlib.h>

#include "op.h"

static int filter_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    const op_filter_spec *sp = o->spec;
    wr_row **keep = wr_arena_alloc(ctx->arena, sizeof(wr_row *) * (size_t)(b->n ? b->n : 1));
    int n = 0;
    for (int i = 0; i < b->n; i++) {
        wr_row *row = b->rows[i];
        if (row->tombstone)
            continue;
        ctx->row = row;
        const wr_value *slots = op_slots_fill(o, row);
        if (wr_expr_eval_bool(sp->pred, slots, ctx->eval))
            keep[n++] = row;
    }
    op_batch out = {n, keep};
    return op_emit(o, ctx, &out);
}

static const op_vt filter_vt = {"filter", NULL, filter_push, NULL, NULL, NULL};

op *op_filter_new(const op_filter_spec *spec)
{
    return op_alloc(sizeof(op), &filter_vt, spec);
}
