/*
 * op_having.c - a filter over a changelog (HAVING; later WHERE on tables), rule 24: rows
 * that pass are forwarded; when a key that was forwarded before stops passing (or arrives as
 * a tombstone), a tombstone is forwarded for it; a key that never passed produces nothing.
 *
 * State store "<QUERY_ID>#<spec->store>": one entry per key (and window) whose last row
 * was forwarded:
 *   key    st_key(K)               not windowed; K = wr_values_encode(key columns)
 *          st_key(S) K             TUMBLING / HOPPING, window first (op_window_key)
 *          st_key(K, start, end)   SESSION (several sessions of a key may exist)
 *   value  one byte
 * A time window's entries are dropped together (st_del_prefix) once the largest row time seen
 * here reaches start + retention: the aggregate, whose stream time is at least that, has
 * expired the window by then, so no row of it comes again.  The window starts with entries are
 * kept in memory (rebuilt from the store at open).  Session entries stay (Kafka Streams'
 * filter keeps no state at all; weir's is one byte per session that passed).
 */
#include <stdlib.h>
#include <string.h>

#include "op.h"

typedef struct having_op {
    op base;
    st_store *store;
    const wr_type **ktypes;  /* [nkey] */
    wr_buf kb, key;
    int timed;               /* a time window: window-first keys, pruned */
    int64_t max_ts;          /* largest row time seen */
    int64_t *starts;         /* window starts with entries, ascending */
    int nstarts, capstarts;
} having_op;

static void row_key(having_op *h, const wr_row *row)
{
    const op_having_spec *sp = h->base.spec;
    wr_buf_reset(&h->kb);
    wr_values_encode(row->cols, h->ktypes, sp->in->nkey, &h->kb);
    if (h->timed) {
        op_window_key(&h->key, row->win_start, h->kb.data, h->kb.len);
        return;
    }
    int nsuf = row->win_kind == WR_WIN_SESSION ? 2 : row->win_kind ? 1 : 0;
    int64_t suf[2] = {row->win_start, row->win_end};
    st_key(&h->key, h->kb.data, h->kb.len, nsuf, suf);
}

/* Remembers that window `start` has entries. */
static void start_add(having_op *h, int64_t start)
{
    int lo = 0, hi = h->nstarts;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (h->starts[mid] < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < h->nstarts && h->starts[lo] == start)
        return;
    if (h->nstarts == h->capstarts) {
        h->capstarts = h->capstarts ? 2 * h->capstarts : 16;
        h->starts = wr_xrealloc(h->starts, sizeof(int64_t) * (size_t)h->capstarts);
    }
    memmove(h->starts + lo + 1, h->starts + lo, sizeof(int64_t) * (size_t)(h->nstarts - lo));
    h->starts[lo] = start;
    h->nstarts++;
}

/* Drops the windows the aggregate has expired (see the top of the file). */
static void prune(having_op *h)
{
    const op_having_spec *sp = h->base.spec;
    int n = 0;
    while (n < h->nstarts && h->starts[n] + sp->win->retention <= h->max_ts) {
        op_window_key(&h->key, h->starts[n], "", 0);
        st_del_prefix(h->store, h->key.data, h->key.len);
        n++;
    }
    if (n) {
        memmove(h->starts, h->starts + n, sizeof(int64_t) * (size_t)(h->nstarts - n));
        h->nstarts -= n;
    }
}

static int first_start_cb(void *ud, const void *k, size_t kl, const void *v, size_t vl)
{
    (void)v, (void)vl;
    const void *g;
    size_t gl;
    int64_t *start = ud;
    if (op_window_key_parse(k, kl, start, &g, &gl))
        *start = INT64_MIN;
    return 1;
}

/* The window starts of the store, one seek each. */
static int starts_load(having_op *h, op_ctx *ctx)
{
    int64_t from = INT64_MIN;
    for (;;) {
        int64_t start = INT64_MAX;
        op_window_key(&h->key, from, "", 0);
        int rc = st_scan(h->store, h->key.data, h->key.len, NULL, 0, first_start_cb, &start,
                         ctx->err);
        if (rc < 0)
            return rc;
        if (start == INT64_MAX || start == INT64_MIN)
            return 0; /* the end, or bytes of another layout */
        start_add(h, start);
        if (start == INT64_MAX - 1)
            return 0;
        from = start + 1;
    }
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
        if (row->ts > h->max_ts)
            h->max_ts = row->ts;
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
            if (!found) {
                st_put(h->store, h->key.data, h->key.len, "", 1);
                if (h->timed)
                    start_add(h, row->win_start);
            }
            rows[n++] = row;
        } else if (found) {
            st_del(h->store, h->key.data, h->key.len);
            wr_row *t = op_row_new(ctx, row->schema, row);
            memcpy(t->cols, row->cols, sizeof(wr_value) * (size_t)sp->in->nkey);
            t->tombstone = 1;
            rows[n++] = t;
        }
    }
    if (h->timed)
        prune(h);
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
    if (!h->store)
        return ctx->err->code ? ctx->err->code : WR_ESTATE;
    h->timed = sp->win && (sp->win->kind == WR_WIN_TUMBLING || sp->win->kind == WR_WIN_HOPPING);
    h->max_ts = INT64_MIN;
    return h->timed ? starts_load(h, ctx) : 0;
}

static void having_close(op *o)
{
    having_op *h = (having_op *)o;
    free(h->ktypes);
    free(h->starts);
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
