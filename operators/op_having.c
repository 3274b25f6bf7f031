/*
 * op_having.c - a filter over a changelog (HAVING; later WHERE on tables), rule 24: rows
 * that pass are forwarded; when a key that was forwarded before stops passing (or arrives as
 * a tombstone), a tombstone is forwarded for it; a key that never passed produces nothing.
 *
 * State store "<QUERY_ID>#<spec->store>": one entry per key (and window) whose last row
 * was forwarded:
 *   key    st_key(K)               not windowed; K = wr_values_encode(key columns)
 *          st_key(K, start)        TUMBLING / HOPPING
 *          st_key(K, start, end)   SESSION (several sessions of a key may exist)
 *   value  one byte
 */
#include <stdlib.h>
#include <string.h>

#include "op.h"

typedef struct having_op {
    op base;
    st_store *store;
    const wr_type **ktypes;  /* [nkey] */
    wr_buf kb, key;
} having_op;

static void row_key(having_op *h, const wr_row *row)
{
    const op_having_spec *sp = h->base.spec;
    int nsuf = row->win_kind == WR_WIN_SESSION ? 2 : row->win_kind ? 1 : 0;
    int64_t suf[2] = {row->win_start, row->win_end};
    wr_buf_reset(&h->kb);
    wr_values_encode(row->cols, h->ktypes, sp->in->nkey, &h->kb);
    st_key(&h->key, h->kb.data, h->kb.len, nsuf, suf);
}

static int having_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    having_op *h = (having_op *)o;
    const op_having_spec *sp = o->spec;
    wr_row **rows = wr_arena_alloc(ctx->arena, sizeof(wr_row *) * (size_t)(b->n ? b->n : 1));
    int n = 0;
    for (int i = 0; i < b->n; i++) {
        wr_row *row = b->rows[i];
        ctx->row = row;
        int pass = 0;
        if (!row->tombstone) {
            const wr_value *slots = op_slots_fill(o, row);
            pass = wr_expr_eval_bool(sp->pred, slots, ctx->eval);
        }
        row_key(h, row);
        const void *v;
        size_t vl;
        int found = st_get(h->store, h->key.data, h->key.len, &v, &vl, ctx->err);
        if (found < 0)
            return found;
        if (pass) {
            if (!found)
                st_put(h->store, h->key.data, h->key.len, "", 1);
            rows[n++] = row;
        } else if (found) {
            st_del(h->store, h->key.data, h->key.len);
            wr_row *t = op_row_new(ctx, row->schema, row);
            memcpy(t->cols, row->cols, sizeof(wr_value) * (size_t)sp->in->nkey);
            t->tombstone = 1;
            rows[n++] = t;
        }
    }
    op_batch out = {n, rows, NULL};
    return op_emit(o, ctx, &out);
}

static int having_open(op *o, op_ctx *ctx)
{
    having_op *h = (having_op *)o;
    const op_having_spec *sp = o->spec;
    h->ktypes = wr_xcalloc((size_t)sp->in->nkey + 1, sizeof(wr_type *));
    for (int k = 0; k < sp->in->nkey; k++)
        h->ktypes[k] = sp->in->cols[k].type;
    h->store = op_store_open(ctx, sp->store ? sp->store : "having");
    return h->store ? 0 : (ctx->err->code ? ctx->err->code : WR_ESTATE);
}

static void having_close(op *o)
{
    having_op *h = (having_op *)o;
    free(h->ktypes);
    wr_buf_fini(&h->kb);
    wr_buf_fini(&h->key);
    free(h);
}

static const op_vt having_vt = {"having", having_open, having_push, NULL, NULL, having_close};

op *op_having_new(const op_having_spec *spec)
{
    having_op *h = (having_op *)op_alloc(sizeof(having_op), &having_vt, spec);
    wr_buf_init(&h->kb);
    wr_buf_init(&h->key);
    return &h->base;
}
