/*
 * op_flatmap.c - table functions (EXPLODE, CUBE ...) in a projection: each input row becomes
 * as many rows as the longest generated array; shorter arrays give NULL in the extra rows
 * (ksqlDB's KudtfFlatMapper).  Generated values are appended after the input columns.
 */
#include <stdlib.h>
#include <string.h>

#include "op.h"

static int flatmap_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    const op_flatmap_spec *sp = o->spec;
    wr_value *arrays = wr_arena_alloc(ctx->arena, sizeof(wr_value) * (size_t)sp->nfns);
    for (int i = 0; i < b->n; i++) {
        const wr_row *in = b->rows[i];
        if (in->tombstone)
            continue;
        ctx->row = in;
        const wr_value *slots = op_slots_fill(o, in);
        uint32_t max = 0;
        for (int f = 0; f < sp->nfns; f++) {
            wr_expr_eval(sp->fns[f], slots, ctx->eval, &arrays[f]);
            if (arrays[f].kind == WR_ARRAY && arrays[f].len > max)
                max = arrays[f].len;
        }
        if (max == 0)
            continue;
        wr_row **rows = wr_arena_alloc(ctx->arena, sizeof(wr_row *) * max);
        int nin = in->schema->ncols;
        for (uint32_t r = 0; r < max; r++) {
            wr_row *row = op_row_new(ctx, sp->out, in);
            memcpy(row->cols, in->cols, sizeof(wr_value) * (size_t)nin);
            for (int f = 0; f < sp->nfns; f++)
                row->cols[nin + f] = arrays[f].kind == WR_ARRAY && r < arrays[f].len
                                         ? arrays[f].u.items[r] : wr_null();
            rows[r] = row;
        }
        op_batch out = {(int)max, rows, NULL};
        int rc = op_emit(o, ctx, &out);
        if (rc)
            return rc;
    }
    return 0;
}

static const op_vt flatmap_vt = {"flatmap", NULL, flatmap_push, NULL, NULL, NULL};

op *op_flatmap_new(const op_flatmap_spec *spec)
{
    return op_alloc(sizeof(op), &flatmap_vt, spec);
}
