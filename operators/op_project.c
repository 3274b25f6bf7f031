/*
 * op_project.c - SELECT list: one compiled expression per output column, keys first.  A
 * null-valued stream record passes as a null-valued record with its key (rule 7): only the
 * key columns are evaluated for it.
 */
#include <stdlib.h>

#include "op.h"

static int project_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    const op_project_spec *sp = o->spec;
    wr_row **rows = wr_arena_alloc(ctx->arena, sizeof(wr_row *) * (size_t)(b->n ? b->n : 1));
    for (int i = 0; i < b->n; i++) {
        const wr_row *in = b->rows[i];
        wr_row *row = op_row_new(ctx, sp->out, in);
        ctx->row = in;
        const wr_value *slots = op_slots_fill(o, in);
        int n = in->tombstone ? sp->out->nkey : sp->out->ncols;
        for (int c = 0; c < n; c++)
            wr_expr_eval(sp->exprs[c], slots, ctx->eval, &row->cols[c]);
        rows[i] = row;
    }
    op_batch out = {b->n, rows, NULL};
    return op_emit(o, ctx, &out);
}

static const op_vt project_vt = {"project", NULL, project_push, NULL, NULL, NULL};

op *op_project_new(const op_project_spec *spec)
{
    return op_alloc(sizeof(op), &project_vt, spec);
}
