/*
 * op_partition.c - PARTITION BY: re-keys each row by the partition expressions (rule 29).
 * The old key columns move into the value; a null partition value gives a null key;
 * timestamps are unchanged.  A null-valued record is forwarded with a null key (rule 7).
 */
#include <stdlib.h>

#include "op.h"

static int partition_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    const op_partition_spec *sp = o->spec;
    wr_row **rows = wr_arena_alloc(ctx->arena, sizeof(wr_row *) * (size_t)(b->n ? b->n : 1));
    wr_value *keys = wr_arena_alloc(ctx->arena, sizeof(wr_value) * (size_t)(sp->nkeys ? sp->nkeys : 1));
    for (int i = 0; i < b->n; i++) {
        const wr_row *in = b->rows[i];
        wr_row *row = op_row_new(ctx, sp->out, in);
        if (in->tombstone) {
            row->key_null = 1;
            rows[i] = row;
            continue;
        }
        ctx->row = in;
        const wr_value *slots = op_slots_fill(o, in);
        int allnull = 1;
        for (int k = 0; k < sp->nkeys; k++) {
            wr_expr_eval(sp->keys[k], slots, ctx->eval, &keys[k]);
            if (!wr_is_null(&keys[k]))
                allnull = 0;
        }
        row->key_null = (uint8_t)allnull;
        for (int c = 0; c < sp->out->ncols; c++)
            row->cols[c] = sp->src[c] >= 0 ? in->cols[sp->src[c]] : keys[-1 - sp->src[c]];
        rows[i] = row;
    }
    op_batch out = {b->n, rows, NULL};
    return op_emit(o, ctx, &out);
}

static const op_vt partition_vt = {"partition", NULL, partition_push, NULL, NULL, NULL};

op *op_partition_new(const op_partition_spec *spec)
{
    return op_alloc(sizeof(op), &partition_vt, spec);
}
