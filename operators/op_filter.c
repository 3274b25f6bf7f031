/*
 * op_filter.c - WHERE: forwards the rows whose predicate is true (NULL counts as false).
 * Null-valued records never pass a filter (rule 7).  Rows are forwarded by pointer.
 *
 * On a changelog (op_batch.old set: a materialized table) the filter is a changelog filter
 * (rule 24), as Kafka Streams' KTableFilter with old values: the predicate is applied to the
 * new row and to the key's old row; a new row that passes is forwarded (with the old row when
 * that passed too); when only the old row passed, the key gets a tombstone; when neither
 * passed, nothing is forwarded.  No state of its own: the old rows come from the source.
 */
#include <stdlib.h>
#include <string.h>

#include "op.h"

static int passes(op *o, op_ctx *ctx, const wr_row *row)
{
    const op_filter_spec *sp = o->spec;
    if (!row || row->tombstone)
        return 0;
    ctx->row = row;
    return wr_expr_eval_bool(sp->pred, op_slots_fill(o, row), ctx->eval);
}

/* A tombstone for row's key (row itself when it is one). */
static wr_row *tombstone_of(op_ctx *ctx, wr_row *row)
{
    if (row->tombstone)
        return row;
    wr_row *t = op_row_new(ctx, row->schema, row);
    memcpy(t->cols, row->cols, sizeof(wr_value) * (size_t)row->schema->nkey);
    t->tombstone = 1;
    return t;
}

static int filter_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    size_t sz = sizeof(wr_row *) * (size_t)(b->n ? b->n : 1);
    wr_row **keep = wr_arena_alloc(ctx->arena, sz);
    wr_row **old = b->old ? wr_arena_alloc(ctx->arena, sz) : NULL;
    int n = 0;
    for (int i = 0; i < b->n; i++) {
        wr_row *row = b->rows[i];
        int now = passes(o, ctx, row);
        if (!old) {
            if (now)
                keep[n++] = row;
            continue;
        }
        int before = passes(o, ctx, b->old[i]);
        if (now || before) {
            keep[n] = now ? row : tombstone_of(ctx, row);
            old[n++] = before ? b->old[i] : NULL;
        }
    }
    op_batch out = {n, keep, old};
    return op_emit(o, ctx, &out);
}

static const op_vt filter_vt = {"filter", NULL, filter_push, NULL, NULL, NULL};

op *op_filter_new(const op_filter_spec *spec)
{
    return op_alloc(sizeof(op), &filter_vt, spec);
}
