/*
 * op_aggregate.c - GROUP BY: the group-by step (re-keying in process) and the aggregate
 * operator with TUMBLING / HOPPING / SESSION windows, grace, retention, EMIT CHANGES and
 * EMIT FINAL (SEMANTICS.md rules 17-25).  Every state lives in LMDB through the state
 * layer's write-back cache (state/state.h); nothing about a group is kept in RAM between
 * records, so a restart on the same state directory continues where the last commit was.
 *
 * State store "<QUERY_ID>#agg", one entry per (group key, window):
 *   key    not windowed      st_key(G)
 *          TUMBLING/HOPPING  st_key(S) G             S = the window start's 8 bytes (big-endian,
 *                                                    sign flipped, as st_key's suffixes): the
 *                                                    window first, so a window's groups are one
 *                                                    prefix, as in Kafka Streams' time-ordered
 *                                                    segments
 *          SESSION           st_key(G, end, start)   sessions of a key never overlap, so end
 *                                                    order is start order: the sessions an
 *                                                    event may touch are a run of the prefix
 *          G = wr_values_encode(grouping values, key types)
 *   value  8 bytes big-endian: the max timestamp of the rows so far (rule 22),
 *          then wr_values_encode(aggregate states, state types)
 *
 * Timer store "<QUERY_ID>#timers" (windowed aggregations):
 *   st_key("", time, kind) + W                kind 0 = close (EMIT FINAL: emit the window),
 *                                             kind 1 = expire (RETENTION: delete the window)
 *                                             W = st_key(S) for a time window: ONE timer per
 *                                             window start, whatever its number of groups (a
 *                                             close emits the prefix, an expiry drops it with
 *                                             st_del_prefix); the session's state key for a
 *                                             session
 *   st_key("")  (4 zero bytes, first)         meta: stream time, row sequence (2 x 8 bytes),
 *                                             layout version (1 byte; absent = version 1, the
 *                                             group-first time windows before 2026-11)
 * Timers are scanned only when stream time reaches the earliest pending one (kept in memory
 * and recomputed after each scan), so a record costs no scan in the common case.  So a new
 * (group, window) costs one LMDB write, and the state of a window is one key range.
 *
 * Aggregating a table (rule 23, never windowed) uses the same store: each change retracts
 * the key's old row from its group's state and adds the new one (op_batch.old).  Pull
 * queries decode the store with op_aggregate_row.
 *
 * Stream time here is the largest timestamp of the rows that reached this operator (Kafka
 * Streams keeps it per processor): records dropped before the aggregation (WHERE, null
 * grouping values) do not move it.
 *
 * Coalescing (the live runtime's cache.max.bytes.buffering, when wr_query_coalesces): under
 * EMIT CHANGES the updated (group key, window) state keys are only remembered ("held", in
 * memory, deduplicated), and the checkpoint - the driver's commit cycle, before the state
 * commit - emits each one's current row from the store, or its tombstone for a session merged
 * away: only the latest row per key and window goes downstream, as behind Kafka Streams' record
 * cache.  Past AGG_HOLD_MAX bytes of held keys they are emitted at once.  `weir test` emits
 * every update.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_state.h"
#include "op.h"

/* ---------------------------------------------------------------- group-by */

static void report_row(op_ctx *ctx, const wr_row *row, const char *msg)
{
    if (!ctx->report)
        return;
    op_report rep = {OP_REP_PROCESSING, "value", msg, NULL, 0, NULL, row, 1};
    ctx->report(ctx, &rep);
}

/* The group-by row of `in` (grouping values, then in's columns), or NULL when a grouping
 * value is NULL (rule 8: processing-logged when `report`). */
static wr_row *group_row(op *o, op_ctx *ctx, const wr_row *in, int report)
{
    const op_groupby_spec *sp = o->spec;
    ctx->row = in;
    const wr_value *slots = op_slots_fill(o, in);
    wr_row *row = op_row_new(ctx, sp->out, in);
    int null_at = -1;
    for (int k = 0; k < sp->nkeys; k++) {
        wr_expr_eval(sp->keys[k], slots, ctx->eval, &row->cols[k]);
        if (wr_is_null(&row->cols[k]) && null_at < 0)
            null_at = k;
    }
    if (null_at >= 0) {
        if (report) {
            /* rule 8, in ksqlDB's words */
            char msg[160];
            snprintf(msg, sizeof msg,
                     "Group-by column with index %d resolved to null. The source row will be "
                     "excluded from the table.", null_at);
            report_row(ctx, in, msg);
        }
        return NULL;
    }
    row->key_null = 0;
    int nin = in->schema->ncols;
    if (nin)
        memcpy(row->cols + sp->nkeys, in->cols, sizeof(wr_value) * (size_t)nin);
    return row;
}

static int same_group(const op_groupby_spec *sp, const wr_row *a, const wr_row *b)
{
    for (int k = 0; k < sp->nkeys; k++)
        if (!wr_value_equal(&a->cols[k], &b->cols[k]))
            return 0;
    return 1;
}

/* A table's changes (rule 23), as Kafka Streams' KTableRepartitionMap: one change when the
 * group is unchanged, else the retraction from the old group first, then the addition. */
static int groupby_changes(op *o, op_ctx *ctx, const op_batch *b)
{
    const op_groupby_spec *sp = o->spec;
    size_t sz = sizeof(wr_row *) * (size_t)(2 * b->n + 1);
    wr_row **rows = wr_arena_alloc(ctx->arena, sz);
    wr_row **old = wr_arena_alloc(ctx->arena, sz);
    int n = 0;
    for (int i = 0; i < b->n; i++) {
        const wr_row *in = b->rows[i];
        wr_row *now = in->tombstone ? NULL : group_row(o, ctx, in, 1);
        wr_row *before = b->old[i] ? group_row(o, ctx, b->old[i], 0) : NULL;
        if (now && before && same_group(sp, now, before)) {
            rows[n] = now;
            old[n++] = before;
            continue;
        }
        if (before) {
            /* no new row in this group: a tombstone entry with the group's key, timestamped
             * with the record being processed */
            wr_row *t = op_row_new(ctx, sp->out, in);
            memcpy(t->cols, before->cols, sizeof(wr_value) * (size_t)sp->nkeys);
            t->tombstone = 1;
            t->key_null = 0;
            rows[n] = t;
            old[n++] = before;
        }
        if (now) {
            rows[n] = now;
            old[n++] = NULL;
        }
    }
    op_batch out = {n, rows, old};
    return op_emit(o, ctx, &out);
}

static int groupby_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    if (b->old)
        return groupby_changes(o, ctx, b);
    wr_row **rows = wr_arena_alloc(ctx->arena, sizeof(wr_row *) * (size_t)(b->n ? b->n : 1));
    int n = 0;
    for (int i = 0; i < b->n; i++) {
        const wr_row *in = b->rows[i];
        if (in->tombstone)
            continue; /* rule 7: GROUP BY drops null-valued records */
        wr_row *row = group_row(o, ctx, in, 1);
        if (row)
            rows[n++] = row;
    }
    op_batch out = {n, rows, NULL};
    return op_emit(o, ctx, &out);
}

static const op_vt groupby_vt = {"groupby", NULL, groupby_push, NULL, NULL, NULL};

op *op_groupby_new(const op_groupby_spec *spec)
{
    return op_alloc(sizeof(op), &groupby_vt, spec);
}

/* ---------------------------------------------------------------- aggregate */

enum { TIMER_CLOSE = 0, TIMER_EXPIRE = 1 };
#define TIMER_HEAD 20 /* st_key("", time, kind): 4 + 2 * 8 bytes, then W */
#define WIN_PREFIX OP_WINDOW_PREFIX /* st_key(S): a time window's prefix */
#define KNOWN 8       /* time windows whose timers this operator has set lately */
#define LAYOUT 2      /* the meta entry's layout version */

typedef struct agg_op {
    op base;
    st_store *store;         /* (group key, window) -> max ts + states */
    st_store *timers;        /* close / expire timers and the meta entry */
    int64_t stream_time;     /* max timestamp of the rows seen here (rule 20) */
    int64_t seq;             /* order of rows without an offset (*_BY_OFFSET) */
    int64_t next_timer;      /* earliest pending timer; INT64_MAX: none */
    int meta_dirty;
    int64_t known[KNOWN];    /* window starts whose timers are set (a ring; saves puts) */
    int nknown, known_at;
    const wr_type **ktypes;  /* [nkeys] */
    const wr_type **stypes;  /* [naggs] state types */
    wr_buf gk, key, val, tkey;
    /* coalescing (see the top of the file) */
    int coalesce;
    struct held { unsigned char *k; size_t kl; uint64_t h; int tomb; int64_t ts; int next; } *held;
    int nheld, heldcap;
    int *htab;               /* hash buckets: index into held, -1 empty */
    int hcap;
    size_t held_bytes;
    wr_arena flush;          /* the rows a flush emits, reset every FLUSH_ROWS */
} agg_op;

#define AGG_HOLD_MAX ((size_t)8 << 20)
#define FLUSH_ROWS 256

/* ---- state keys ---- */

static int time_window(const op_aggregate_spec *sp)
{
    return sp->win.kind == WR_WIN_TUMBLING || sp->win.kind == WR_WIN_HOPPING;
}

/* Splits a state key into its group bytes and window: 0, or -1 for bytes of another layout. */
static int state_key_parse(const op_aggregate_spec *sp, const void *k, size_t kl,
                           const void **g, size_t *gl, int64_t *ws, int64_t *we)
{
    *ws = *we = 0;
    if (time_window(sp)) {
        if (op_window_key_parse(k, kl, ws, g, gl))
            return -1;
        *we = *ws + sp->win.size;
        return 0;
    }
    int64_t suf[2];
    int ns = st_key_parse(k, kl, g, gl, suf, 2);
    if (sp->win.kind == WR_WIN_SESSION) {
        if (ns != 2)
            return -1;
        *we = suf[0];
        *ws = suf[1];
        return 0;
    }
    return ns == 0 ? 0 : -1;
}

/* ---- states ---- */

/* Fresh states for a new group/window. */
static void states_init(const op_aggregate_spec *sp, op_ctx *ctx, wr_value *st)
{
    for (int j = 0; j < sp->naggs; j++) {
        const wr_agg_call *c = &sp->aggs[j].call;
        st[j] = wr_null();
        c->def->init(c, ctx->arena, &st[j]);
    }
}

/* Decodes a stored value into st and *maxts; 0, or WR_EDATA for bytes that do not fit the
 * state types (a query redefined over an old state directory). */
static int states_decode(agg_op *a, op_ctx *ctx, const void *v, size_t vl, wr_value *st,
                         int64_t *maxts)
{
    const op_aggregate_spec *sp = a->base.spec;
    if (vl < 8)
        return WR_EDATA;
    *maxts = (int64_t)wr_be_get(v, 8);
    return wr_values_decode((const unsigned char *)v + 8, vl - 8, a->stypes, sp->naggs,
                            ctx->arena, st);
}

/* Loads the state stored under key k into st and *maxts: 1 found, 0 absent (st fresh),
 * <0 on a state error (ctx->err filled). */
static int state_load(agg_op *a, op_ctx *ctx, const void *k, size_t kl, wr_value *st,
                      int64_t *maxts)
{
    const op_aggregate_spec *sp = a->base.spec;
    const void *v;
    size_t vl;
    int rc = st_get(a->store, k, kl, &v, &vl, ctx->err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        /* v is valid only until the next state call: decode now (the codec copies) */
        if (states_decode(a, ctx, v, vl, st, maxts) == 0)
            return 1;
        report_row(ctx, ctx->row, "Stored aggregate state does not match the query's state "
                                  "types; the group starts again from an empty state.");
    }
    states_init(sp, ctx, st);
    *maxts = INT64_MIN;
    return 0;
}

static void state_store(agg_op *a, const void *k, size_t kl, const wr_value *st, int64_t maxts)
{
    const op_aggregate_spec *sp = a->base.spec;
    unsigned char b[8];
    wr_be_put(b, (uint64_t)maxts, 8);
    wr_buf_reset(&a->val);
    wr_buf_append(&a->val, b, 8);
    wr_values_encode(st, a->stypes, sp->naggs, &a->val);
    st_put(a->store, k, kl, a->val.data, a->val.len);
}

/* ---- timers ---- */

static void timer_key(agg_op *a, int64_t time, int kind, const void *skey, size_t sklen)
{
    int64_t suf[2] = {time, kind};
    st_key(&a->tkey, NULL, 0, 2, suf);
    wr_buf_append(&a->tkey, skey, sklen);
}

static void timer_add(agg_op *a, int64_t time, int kind, const void *skey, size_t sklen)
{
    timer_key(a, time, kind, skey, sklen);
    st_put(a->timers, a->tkey.data, a->tkey.len, "", 1);
    if (time < a->next_timer)
        a->next_timer = time;
}

static void timer_del(agg_op *a, int64_t time, int kind, const void *skey, size_t sklen)
{
    timer_key(a, time, kind, skey, sklen);
    st_del(a->timers, a->tkey.data, a->tkey.len);
}

static int64_t close_time(const op_window_spec *w, int64_t start, int64_t end)
{
    (void)start;
    /* sessions close inactivity gap + grace after their last event (Kafka Streams adds the
     * gap to the grace of session windows) */
    return w->kind == WR_WIN_SESSION ? end + w->size + w->grace : end + w->grace;
}

/* When a window's state may go.  Time windows: at start + retention, when every record for
 * them is late.  Sessions: an old session can still be bridged into a recent one by a record
 * that is not late, so when it goes changes results; Kafka Streams drops sessions by store
 * segment (segment interval max(retention / 2, 60 s)), and so does weir, to give the same
 * merges. */
static int64_t expire_time(const op_window_spec *w, int64_t start, int64_t end)
{
    if (w->kind == WR_WIN_SESSION) {
        int64_t seg = w->retention / 2 > 60000 ? w->retention / 2 : 60000;
        return (end / seg + 1) * seg + w->retention;
    }
    return start + w->retention;
}

/* The timers of a new window (close under EMIT FINAL, expire always). */
static void window_timers_add(agg_op *a, int64_t start, int64_t end, const void *skey,
                              size_t sklen)
{
    const op_aggregate_spec *sp = a->base.spec;
    if (sp->emit_final)
        timer_add(a, close_time(&sp->win, start, end), TIMER_CLOSE, skey, sklen);
    timer_add(a, expire_time(&sp->win, start, end), TIMER_EXPIRE, skey, sklen);
}

/* A new group in the time window at start (a->key holds its state key): the window's timers,
 * unless this operator set them lately. */
static void time_window_timers(agg_op *a, int64_t start, int64_t end)
{
    for (int i = 0; i < a->nknown; i++)
        if (a->known[i] == start)
            return;
    a->known[a->known_at] = start;
    a->known_at = (a->known_at + 1) % KNOWN;
    if (a->nknown < KNOWN)
        a->nknown++;
    window_timers_add(a, start, end, a->key.data, WIN_PREFIX);
}

static void window_timers_del(agg_op *a, int64_t start, int64_t end, const void *skey,
                              size_t sklen)
{
    const op_aggregate_spec *sp = a->base.spec;
    if (sp->emit_final)
        timer_del(a, close_time(&sp->win, start, end), TIMER_CLOSE, skey, sklen);
    timer_del(a, expire_time(&sp->win, start, end), TIMER_EXPIRE, skey, sklen);
}

static int first_timer_cb(void *ud, const void *k, size_t kl, const void *v, size_t vl)
{
    int64_t *next = ud;
    int64_t suf[2];
    const void *key;
    size_t klen;
    if (kl < TIMER_HEAD || st_key_parse(k, TIMER_HEAD, &key, &klen, suf, 2) != 2)
        return 0;
    *next = suf[0];
    return 1;
}

/* Recomputes the earliest pending timer from the store. */
static int next_timer_load(agg_op *a, op_ctx *ctx)
{
    static const unsigned char lo[5] = {0, 0, 0, 0, 0}; /* past the meta entry */
    a->next_timer = INT64_MAX;
    return st_scan(a->timers, lo, sizeof lo, NULL, 0, first_timer_cb, &a->next_timer, ctx->err);
}

/* ---- output rows ---- */

/* The key columns of a state key's group (decoded from its bytes). */
static int keys_decode(agg_op *a, op_ctx *ctx, const void *gk, size_t gkl, wr_value *keys)
{
    const op_aggregate_spec *sp = a->base.spec;
    return wr_values_decode(gk, gkl, a->ktypes, sp->nkeys, ctx->arena, keys);
}

static wr_row *out_row(agg_op *a, op_ctx *ctx, const wr_row *like, const wr_value *keys,
                       const wr_value *st, int64_t ts, int64_t ws, int64_t we)
{
    const op_aggregate_spec *sp = a->base.spec;
    wr_row *row = op_row_new(ctx, sp->out, like);
    row->ts = ts;
    row->tombstone = 0;
    row->key_null = 0;
    row->win_kind = (uint8_t)sp->win.kind;
    row->win_start = sp->win.kind ? ws : 0;
    row->win_end = sp->win.kind ? we : 0;
    memcpy(row->cols, keys, sizeof(wr_value) * (size_t)sp->nkeys);
    if (st)
        for (int j = 0; j < sp->naggs; j++) {
            const wr_agg_call *c = &sp->aggs[j].call;
            c->def->result(c, ctx->arena, &st[j], &row->cols[sp->nkeys + j]);
        }
    else
        row->tombstone = 1;
    return row;
}

/* Emits the row of the state entry under key k: from its value v, with the max event time as
 * timestamp, or a tombstone timestamped ts when v is NULL (a session merged away).  Entries
 * that do not decode are skipped. */
static int emit_entry(agg_op *a, op_ctx *ctx, const void *k, size_t kl, const void *v, size_t vl,
                      int64_t ts)
{
    const op_aggregate_spec *sp = a->base.spec;
    const void *g;
    size_t gl;
    int64_t ws, we, maxts;
    wr_value *keys = wr_arena_alloc(ctx->arena, sizeof(wr_value) * (size_t)(sp->nkeys + 1));
    if (state_key_parse(sp, k, kl, &g, &gl, &ws, &we) || keys_decode(a, ctx, g, gl, keys))
        return 0;
    if (!v)
        return op_emit_row(&a->base, ctx, out_row(a, ctx, NULL, keys, NULL, ts, ws, we));
    wr_value *st = wr_arena_alloc(ctx->arena, sizeof(wr_value) * (size_t)(sp->naggs + 1));
    if (states_decode(a, ctx, v, vl, st, &maxts))
        return 0;
    return op_emit_row(&a->base, ctx, out_row(a, ctx, NULL, keys, st, maxts, ws, we));
}

/* ---- input ---- */

/* Evaluates the aggregate arguments of row: args[j] points at call j's argc values. */
static wr_value **eval_args(agg_op *a, op_ctx *ctx, const wr_row *row)
{
    const op_aggregate_spec *sp = a->base.spec;
    wr_value **args = wr_arena_alloc(ctx->arena, sizeof(wr_value *) * (size_t)(sp->naggs + 1));
    const wr_value *slots = op_slots_fill(&a->base, row);
    for (int j = 0; j < sp->naggs; j++) {
        const op_agg_fn *f = &sp->aggs[j];
        int argc = f->call.argc;
        args[j] = wr_arena_alloc(ctx->arena, sizeof(wr_value) * (size_t)(argc + 1));
        for (int i = 0; i < argc; i++) {
            wr_value v;
            wr_expr_eval(f->args[i], slots, ctx->eval, &v);
            const wr_type *to = f->call.coerce[i];
            if (to && !wr_is_null(&v) && f->call.argt[i] && !wr_type_equal(to, f->call.argt[i])) {
                wr_value cv;
                wr_error ce;
                wr_error_clear(&ce);
                if (wr_value_cast(ctx->arena, &v, f->call.argt[i], to, &cv, &ce) == 0)
                    v = cv;
                else
                    v = wr_null();
            }
            args[j][i] = v;
        }
    }
    return args;
}

static void states_add(const op_aggregate_spec *sp, op_ctx *ctx, wr_value *st,
                       wr_value *const *args, int64_t seq)
{
    for (int j = 0; j < sp->naggs; j++) {
        const wr_agg_call *c = &sp->aggs[j].call;
        c->def->add(c, ctx->arena, &st[j], args[j], seq);
    }
}

/* A late record (rule 20): counted and written to the processing log, in Kafka Streams'
 * words (session windows are closed intervals, time windows half-open). */
static void report_late(agg_op *a, op_ctx *ctx, const wr_row *row, int64_t ws, int64_t we,
                        int64_t expiration)
{
    const op_aggregate_spec *sp = a->base.spec;
    char msg[256];
    ctx->late++;
    snprintf(msg, sizeof msg,
             "Skipping record for expired window. partition=[%d] offset=[%lld] timestamp=[%lld] "
             "window=[%lld,%lld%c expiration=[%lld] streamTime=[%lld]",
             (int)row->partition, (long long)row->offset, (long long)row->ts, (long long)ws,
             (long long)we, sp->win.kind == WR_WIN_SESSION ? ']' : ')', (long long)expiration,
             (long long)a->stream_time);
    /* the processing log shows the input row, without the grouping values in front */
    wr_schema *view = wr_arena_alloc(ctx->arena, sizeof *view);
    view->ncols = row->schema->ncols - sp->nkeys;
    view->nkey = 0;
    view->cols = row->schema->cols + sp->nkeys;
    wr_row *in = wr_arena_alloc(ctx->arena, sizeof *in);
    *in = *row;
    in->schema = view;
    in->cols = row->cols + sp->nkeys;
    report_row(ctx, in, msg);
}

/* ---- coalescing ---- */

static uint64_t held_hash(const unsigned char *k, size_t kl)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < kl; i++)
        h = (h ^ k[i]) * 1099511628211ULL;
    return h;
}

static void held_rehash(agg_op *a, int cap)
{
    free(a->htab);
    a->hcap = cap;
    a->htab = wr_xmalloc(sizeof(int) * (size_t)cap);
    for (int i = 0; i < cap; i++)
        a->htab[i] = -1;
    for (int i = 0; i < a->nheld; i++) {
        int b = (int)(a->held[i].h & (uint64_t)(cap - 1));
        a->held[i].next = a->htab[b];
        a->htab[b] = i;
    }
}

static int held_flush(agg_op *a, op_ctx *ctx);

/* Remembers that the state under skey changed (tomb: it was merged away, ts its row time). */
static int hold(agg_op *a, const void *skey, size_t sklen, int tomb, int64_t ts)
{
    uint64_t h = held_hash(skey, sklen);
    if (!a->hcap)
        held_rehash(a, 1024);
    int b = (int)(h & (uint64_t)(a->hcap - 1));
    for (int i = a->htab[b]; i >= 0; i = a->held[i].next)
        if (a->held[i].h == h && a->held[i].kl == sklen && !memcmp(a->held[i].k, skey, sklen)) {
            a->held[i].tomb = tomb;
            a->held[i].ts = ts;
            return 0;
        }
    if (a->nheld == a->heldcap) {
        a->heldcap = a->heldcap ? 2 * a->heldcap : 256;
        a->held = wr_xrealloc(a->held, sizeof *a->held * (size_t)a->heldcap);
    }
    struct held *e = &a->held[a->nheld];
    e->k = wr_xmalloc(sklen ? sklen : 1);
    memcpy(e->k, skey, sklen);
    e->kl = sklen;
    e->h = h;
    e->tomb = tomb;
    e->ts = ts;
    e->next = a->htab[b];
    a->htab[b] = a->nheld++;
    a->held_bytes += sizeof *e + sklen;
    if (a->nheld * 2 > a->hcap)
        held_rehash(a, a->hcap * 2);
    return 0;
}

/* Emits the current row of every held key (a tombstone for a merged-away session) and forgets
 * them.  The held set is taken first: emitting cannot come back into it. */
static int held_flush(agg_op *a, op_ctx *ctx)
{
    struct held *v = a->held;
    int n = a->nheld, rc = 0;
    a->held = NULL;
    a->nheld = a->heldcap = 0;
    a->held_bytes = 0;
    for (int i = 0; i < a->hcap; i++)
        a->htab[i] = -1;
    /* a flush may emit a row for every group: their memory (and what downstream allocates
     * for them: projection, serialization) is reused every FLUSH_ROWS rows, which downstream
     * has produced by then (it keeps no row past its push) */
    wr_arena *outer = ctx->arena;
    ctx->arena = &a->flush;
    for (int i = 0; i < n; i++) {
        if (i % FLUSH_ROWS == 0)
            wr_arena_reset(&a->flush);
        if (!rc) {
            const void *val;
            size_t vl;
            int found = st_get(a->store, v[i].k, v[i].kl, &val, &vl, ctx->err);
            if (found < 0)
                rc = found;
            else if (found || v[i].tomb)
                rc = emit_entry(a, ctx, v[i].k, v[i].kl, found ? val : NULL, vl, v[i].ts);
        }
        free(v[i].k);
    }
    ctx->arena = outer;
    wr_arena_reset(&a->flush);
    free(v);
    return rc;
}

static int agg_checkpoint(op *o, op_ctx *ctx)
{
    agg_op *a = (agg_op *)o;
    return a->nheld ? held_flush(a, ctx) : 0;
}

/* Not windowed: one state per group, the row's arguments (args, or evaluated here when
 * NULL) added to it.  Aggregating a table (rule 23), the change's old row is first retracted
 * from the group's state, the new row added unless it is a tombstone, and the group's row
 * emitted once.  Like Kafka Streams' KTableAggregate, a retraction finds nothing to undo
 * when the group has no state, and the row's timestamp is the max of the record's and the
 * state's. */
static int agg_plain(agg_op *a, op_ctx *ctx, const wr_row *row, const wr_row *old,
                     wr_value *const *args, int64_t seq)
{
    const op_aggregate_spec *sp = a->base.spec;
    wr_value *st = wr_arena_alloc(ctx->arena, sizeof(wr_value) * (size_t)(sp->naggs + 1));
    int64_t maxts;
    st_key(&a->key, a->gk.data, a->gk.len, 0, NULL);
    int found = state_load(a, ctx, a->key.data, a->key.len, st, &maxts);
    if (found < 0)
        return found;
    if (!found && row->tombstone)
        return 0; /* nothing to retract from, nothing to add */
    if (old && found) {
        wr_value **oargs = eval_args(a, ctx, old);
        int64_t oseq = old->offset >= 0 ? old->offset : seq;
        for (int j = 0; j < sp->naggs; j++) {
            const wr_agg_call *c = &sp->aggs[j].call;
            if (c->def->retract) /* the analyzer accepts only retractable aggregates */
                c->def->retract(c, ctx->arena, &st[j], oargs[j], oseq);
        }
    }
    if (!row->tombstone)
        states_add(sp, ctx, st, args ? args : eval_args(a, ctx, row), seq);
    if (row->ts > maxts)
        maxts = row->ts;
    state_store(a, a->key.data, a->key.len, st, maxts);
    if (a->coalesce)
        return hold(a, a->key.data, a->key.len, 0, maxts);
    return op_emit_row(&a->base, ctx, out_row(a, ctx, row, row->cols, st, maxts, 0, 0));
}

/* TUMBLING / HOPPING: every window [k*advance, k*advance + size) holding ts, start >= 0, in
 * ascending start (rule 19); late windows are dropped (rule 20). */
static int agg_time(agg_op *a, op_ctx *ctx, const wr_row *row, wr_value *const *args,
                    int64_t seq)
{
    const op_aggregate_spec *sp = a->base.spec;
    const op_window_spec *w = &sp->win;
    int64_t ts = row->ts;
    int64_t lo = ts - w->size + w->advance;
    int64_t start = (lo > 0 ? lo : 0) / w->advance * w->advance;
    wr_value *st = wr_arena_alloc(ctx->arena, sizeof(wr_value) * (size_t)(sp->naggs + 1));
    for (; start <= ts; start += w->advance) {
        int64_t end = start + w->size;
        if (end + w->grace <= a->stream_time) {
            report_late(a, ctx, row, start, end, a->stream_time - w->grace);
            continue;
        }
        int64_t maxts;
        op_window_key(&a->key, start, a->gk.data, a->gk.len);
        int rc = state_load(a, ctx, a->key.data, a->key.len, st, &maxts);
        if (rc < 0)
            return rc;
        if (rc == 0)
            time_window_timers(a, start, end);
        states_add(sp, ctx, st, args, seq);
        if (ts > maxts)
            maxts = ts;
        state_store(a, a->key.data, a->key.len, st, maxts);
        int erc = 0;
        if (!sp->emit_final && a->coalesce)
            erc = hold(a, a->key.data, a->key.len, 0, maxts);
        else if (!sp->emit_final)
            erc = op_emit_row(&a->base, ctx, out_row(a, ctx, row, row->cols, st, maxts, start, end));
        if (erc)
            return erc;
    }
    return 0;
}

/* A stored session found by the scan (copied: scan memory is valid during the callback). */
typedef struct session {
    void *key;
    size_t klen;
    void *val;
    size_t vlen;
    int64_t start, end;
} session;

typedef struct session_scan {
    op_ctx *ctx;
    int64_t from_end, to_start; /* candidates: end >= from_end and start <= to_start */
    session *v;
    int n, cap;
} session_scan;

static int session_cb(void *ud, const void *k, size_t kl, const void *v, size_t vl)
{
    session_scan *ss = ud;
    const void *g;
    size_t gl;
    int64_t suf[2];
    if (st_key_parse(k, kl, &g, &gl, suf, 2) != 2)
        return 0;
    if (suf[0] < ss->from_end)
        return 0;
    if (suf[1] > ss->to_start)
        return 1; /* later sessions start later still */
    if (ss->n == ss->cap) {
        int cap = ss->cap ? 2 * ss->cap : 4;
        session *nv = wr_arena_alloc(ss->ctx->arena, sizeof(session) * (size_t)cap);
        if (ss->n)
            memcpy(nv, ss->v, sizeof(session) * (size_t)ss->n);
        ss->v = nv;
        ss->cap = cap;
    }
    session *s = &ss->v[ss->n++];
    s->key = wr_arena_memdup(ss->ctx->arena, k, kl);
    s->klen = kl;
    s->val = wr_arena_memdup(ss->ctx->arena, v, vl ? vl : 1);
    s->vlen = vl;
    s->end = suf[0];
    s->start = suf[1];
    return 0;
}

/* SESSION: the event merges every session of its key within the inactivity gap; superseded
 * sessions get tombstones first (rule 21); the merged session is dropped as late when its end
 * + gap + grace < stream time (rule 20). */
static int agg_session(agg_op *a, op_ctx *ctx, const wr_row *row, wr_value *const *args,
                       int64_t seq)
{
    const op_aggregate_spec *sp = a->base.spec;
    const op_window_spec *w = &sp->win;
    int64_t ts = row->ts, gap = w->size;
    size_t plen = st_key(&a->key, a->gk.data, a->gk.len, 0, NULL);
    session_scan ss;
    memset(&ss, 0, sizeof ss);
    ss.ctx = ctx;
    ss.from_end = ts - gap;
    ss.to_start = ts + gap;
    int rc = st_scan_prefix(a->store, a->key.data, plen, session_cb, &ss, ctx->err);
    if (rc < 0)
        return rc;

    wr_value *st = wr_arena_alloc(ctx->arena, sizeof(wr_value) * (size_t)(sp->naggs + 1));
    wr_value *other = wr_arena_alloc(ctx->arena, sizeof(wr_value) * (size_t)(sp->naggs + 1));
    int64_t mstart = ts, mend = ts, maxts = ts;
    states_init(sp, ctx, st);
    int64_t *old_ts = wr_arena_alloc(ctx->arena, sizeof(int64_t) * (size_t)(ss.n + 1));
    for (int i = 0; i < ss.n; i++) {
        session *s = &ss.v[i];
        if (s->start < mstart)
            mstart = s->start;
        if (s->end > mend)
            mend = s->end;
        int64_t t;
        if (states_decode(a, ctx, s->val, s->vlen, other, &t)) {
            report_row(ctx, row, "Stored aggregate state does not match the query's state "
                                 "types; the session starts again from an empty state.");
            t = s->end;
        } else
            for (int j = 0; j < sp->naggs; j++) {
                const wr_agg_call *c = &sp->aggs[j].call;
                c->def->merge(c, ctx->arena, &st[j], &other[j]);
            }
        old_ts[i] = t;
        if (t > maxts)
            maxts = t;
    }
    if (mend + gap + w->grace < a->stream_time) {
        report_late(a, ctx, row, mstart, mend, a->stream_time - gap - w->grace);
        return 0;
    }
    wr_value *keys = row->cols;
    if (mstart != ts || mend != ts)
        for (int i = 0; i < ss.n; i++) {
            session *s = &ss.v[i];
            st_del(a->store, s->key, s->klen);
            window_timers_del(a, s->start, s->end, s->key, s->klen);
            if (!sp->emit_final && a->coalesce)
                rc = hold(a, s->key, s->klen, 1, old_ts[i]);
            else if (!sp->emit_final)
                rc = op_emit_row(&a->base, ctx, out_row(a, ctx, row, keys, NULL, old_ts[i],
                                                        s->start, s->end));
            if (rc)
                return rc;
        }
    states_add(sp, ctx, st, args, seq);
    int64_t suf[2] = {mend, mstart};
    st_key(&a->key, a->gk.data, a->gk.len, 2, suf);
    state_store(a, a->key.data, a->key.len, st, maxts);
    window_timers_add(a, mstart, mend, a->key.data, a->key.len);
    if (sp->emit_final)
        return 0;
    if (a->coalesce)
        return hold(a, a->key.data, a->key.len, 0, maxts);
    return op_emit_row(&a->base, ctx, out_row(a, ctx, row, keys, st, maxts, mstart, mend));
}

/* ---- EMIT FINAL and retention ---- */

typedef struct due {
    unsigned char *k;
    size_t kl;
} due;

typedef struct due_scan {
    op_ctx *ctx;
    due *v;
    int n, cap;
} due_scan;

static int due_cb(void *ud, const void *k, size_t kl, const void *v, size_t vl)
{
    due_scan *ds = ud;
    if (kl < TIMER_HEAD)
        return 0;
    if (ds->n == ds->cap) {
        int cap = ds->cap ? 2 * ds->cap : 16;
        due *nv = wr_arena_alloc(ds->ctx->arena, sizeof(due) * (size_t)cap);
        if (ds->n)
            memcpy(nv, ds->v, sizeof(due) * (size_t)ds->n);
        ds->v = nv;
        ds->cap = cap;
    }
    ds->v[ds->n].k = wr_arena_memdup(ds->ctx->arena, k, kl);
    ds->v[ds->n].kl = kl;
    ds->n++;
    return 0;
}

/* Rule 25's Kafka Streams artefact: a window whose close time has already passed when a close
 * check runs (its start is older than stream time - (size + grace)) is lost, not emitted. */
static int final_lost(const agg_op *a, int64_t close)
{
    return close < a->stream_time;
}

typedef struct close_scan {
    agg_op *a;
    op_ctx *ctx;
    int rc, n;
} close_scan;

/* A closing time window's groups, emitted as the scan finds them: emitting goes downstream
 * only (HAVING, projection, sink), never back into this store, as st_scan asks. */
static int close_cb(void *ud, const void *k, size_t kl, const void *v, size_t vl)
{
    close_scan *cs = ud;
    if (cs->n++ % FLUSH_ROWS == 0)
        wr_arena_reset(&cs->a->flush); /* as held_flush: rows are produced when emit returns */
    cs->rc = emit_entry(cs->a, cs->ctx, k, kl, v, vl, 0);
    return cs->rc != 0;
}

/* The close timer of W: every group of a time window (W its prefix), or one session (W its
 * state key). */
static int close_window(agg_op *a, op_ctx *ctx, const unsigned char *w, size_t wl)
{
    if (time_window(a->base.spec)) {
        close_scan cs = {a, ctx, 0, 0};
        wr_arena *outer = ctx->arena;
        ctx->arena = &a->flush;
        int rc = st_scan_prefix(a->store, w, wl, close_cb, &cs, ctx->err);
        ctx->arena = outer;
        wr_arena_reset(&a->flush);
        return rc ? rc : cs.rc;
    }
    const void *v;
    size_t vl;
    int rc = st_get(a->store, w, wl, &v, &vl, ctx->err);
    return rc <= 0 ? rc : emit_entry(a, ctx, w, wl, v, vl, 0);
}

/* Runs every timer due at the current stream time, in (time, kind, key) order. */
static int timers_fire(agg_op *a, op_ctx *ctx)
{
    const op_aggregate_spec *sp = a->base.spec;
    if (a->stream_time < a->next_timer)
        return 0;
    wr_buf hi;
    wr_buf_init(&hi);
    int64_t limit = a->stream_time + 1;
    st_key(&hi, NULL, 0, 1, &limit);
    due_scan ds;
    memset(&ds, 0, sizeof ds);
    ds.ctx = ctx;
    static const unsigned char lo[5] = {0, 0, 0, 0, 0};
    int rc = st_scan(a->timers, lo, sizeof lo, hi.data, hi.len, due_cb, &ds, ctx->err);
    wr_buf_fini(&hi);
    if (rc < 0)
        return rc;
    for (int i = 0; i < ds.n && !rc; i++) {
        const unsigned char *k = ds.v[i].k;
        const void *g;
        size_t gl;
        int64_t suf[2];
        if (st_key_parse(k, TIMER_HEAD, &g, &gl, suf, 2) == 2) {
            const unsigned char *w = k + TIMER_HEAD;
            size_t wl = ds.v[i].kl - TIMER_HEAD;
            if (suf[1] == TIMER_CLOSE) {
                if (!final_lost(a, suf[0]))
                    rc = close_window(a, ctx, w, wl);
            } else if (time_window(sp))
                st_del_prefix(a->store, w, wl);
            else
                st_del(a->store, w, wl);
        }
        st_del(a->timers, k, ds.v[i].kl);
    }
    if (rc)
        return rc;
    return next_timer_load(a, ctx);
}

/* ---- meta ---- */

static const unsigned char meta_key[4] = {0, 0, 0, 0}; /* st_key("") */

static void meta_store(agg_op *a)
{
    unsigned char b[17];
    wr_be_put(b, (uint64_t)a->stream_time, 8);
    wr_be_put(b + 8, (uint64_t)a->seq, 8);
    b[16] = LAYOUT;
    st_put(a->timers, meta_key, sizeof meta_key, b, sizeof b);
    a->meta_dirty = 0;
}

/* ---- vtable ---- */

static int agg_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    agg_op *a = (agg_op *)o;
    const op_aggregate_spec *sp = o->spec;
    int rc = 0;
    for (int i = 0; i < b->n && !rc; i++) {
        const wr_row *row = b->rows[i];
        const wr_row *old = b->old ? b->old[i] : NULL;
        if (row->tombstone && !old)
            continue;
        ctx->row = row;
        if (row->ts > a->stream_time) {
            a->stream_time = row->ts;
            a->meta_dirty = 1;
        }
        int64_t seq = row->offset;
        if (seq < 0) {
            seq = a->seq++;
            a->meta_dirty = 1;
        }
        wr_buf_reset(&a->gk);
        wr_values_encode(row->cols, a->ktypes, sp->nkeys, &a->gk);
        if (b->old && sp->win.kind == WR_WIN_NONE) {
            rc = agg_plain(a, ctx, row, old, NULL, seq);
            continue;
        }
        if (row->tombstone)
            continue;
        wr_value **args = eval_args(a, ctx, row);
        switch (sp->win.kind) {
        case WR_WIN_NONE: rc = agg_plain(a, ctx, row, NULL, args, seq); break;
        case WR_WIN_SESSION: rc = agg_session(a, ctx, row, args, seq); break;
        default: rc = agg_time(a, ctx, row, args, seq); break;
        }
        if (!rc && sp->win.kind != WR_WIN_NONE)
            rc = timers_fire(a, ctx);
    }
    if (a->meta_dirty)
        meta_store(a);
    if (!rc && a->held_bytes > AGG_HOLD_MAX)
        rc = held_flush(a, ctx);
    return rc;
}

static int agg_open(op *o, op_ctx *ctx)
{
    agg_op *a = (agg_op *)o;
    const op_aggregate_spec *sp = o->spec;
    a->ktypes = wr_xcalloc((size_t)sp->nkeys + 1, sizeof(wr_type *));
    a->stypes = wr_xcalloc((size_t)sp->naggs + 1, sizeof(wr_type *));
    for (int k = 0; k < sp->nkeys; k++)
        a->ktypes[k] = sp->out->cols[k].type;
    for (int j = 0; j < sp->naggs; j++)
        a->stypes[j] = sp->aggs[j].call.state_type;
    if (!(a->store = op_store_open(ctx, OP_STORE_AGG)) ||
        !(a->timers = op_store_open(ctx, OP_STORE_TIMERS)))
        return ctx->err->code ? ctx->err->code : WR_ESTATE;
    a->coalesce = ctx->ud && wr_query_coalesces(ctx->ud);
    a->stream_time = -1;
    a->seq = 0;
    const void *v;
    size_t vl;
    int layout = 0;
    int rc = st_get(a->timers, meta_key, sizeof meta_key, &v, &vl, ctx->err);
    if (rc < 0)
        return rc;
    if (rc == 1 && (vl == 16 || vl == 17)) {
        a->stream_time = (int64_t)wr_be_get(v, 8);
        a->seq = (int64_t)wr_be_get((const unsigned char *)v + 8, 8);
        layout = vl == 17 ? ((const unsigned char *)v)[16] : 1;
    }
    if (layout && layout != LAYOUT && time_window(sp))
        return wr_error_set(ctx->err, WR_ESTATE,
                            "query %s: its windowed state in %s was written by an older weir "
                            "(state layout %d, this one reads %d); remove that state directory "
                            "and replay the input from the start to rebuild it",
                            ctx->query_id ? ctx->query_id : "?", st_env_dir(ctx->state), layout,
                            LAYOUT);
    return next_timer_load(a, ctx);
}

static void agg_close(op *o)
{
    agg_op *a = (agg_op *)o;
    free(a->ktypes);
    free(a->stypes);
    for (int i = 0; i < a->nheld; i++)
        free(a->held[i].k);
    free(a->held);
    free(a->htab);
    wr_buf_fini(&a->gk);
    wr_buf_fini(&a->key);
    wr_buf_fini(&a->val);
    wr_buf_fini(&a->tkey);
    wr_arena_fini(&a->flush);
    free(a);
}

static const op_vt aggregate_vt = {"aggregate", agg_open, agg_push, NULL, agg_checkpoint,
                                   agg_close};

int op_aggregate_row(const op_aggregate_spec *sp, wr_arena *a, const void *k, size_t kl,
                     const void *v, size_t vl, wr_row *out)
{
    int n = sp->nkeys + sp->naggs;
    const wr_type **t = wr_arena_alloc(a, sizeof(wr_type *) * (size_t)(n + 1));
    for (int i = 0; i < sp->nkeys; i++)
        t[i] = sp->out->cols[i].type;
    for (int j = 0; j < sp->naggs; j++)
        t[sp->nkeys + j] = sp->aggs[j].call.state_type;
    memset(out, 0, sizeof *out);
    out->schema = sp->out;
    out->partition = -1;
    out->offset = -1;
    out->cols = wr_arena_calloc(a, sizeof(wr_value) * (size_t)(n + 1));
    const void *g;
    size_t gl;
    int64_t ws, we;
    if (state_key_parse(sp, k, kl, &g, &gl, &ws, &we) || vl < 8 ||
        wr_values_decode(g, gl, t, sp->nkeys, a, out->cols))
        return WR_EDATA;
    wr_value *st = wr_arena_alloc(a, sizeof(wr_value) * (size_t)(sp->naggs + 1));
    if (wr_values_decode((const unsigned char *)v + 8, vl - 8, t + sp->nkeys, sp->naggs, a, st))
        return WR_EDATA;
    out->ts = (int64_t)wr_be_get(v, 8);
    out->win_start = ws;
    out->win_end = we;
    out->win_kind = (uint8_t)sp->win.kind;
    for (int j = 0; j < sp->naggs; j++) {
        const wr_agg_call *c = &sp->aggs[j].call;
        c->def->result(c, a, &st[j], &out->cols[sp->nkeys + j]);
    }
    return 0;
}

static int starts_cb(void *ud, const void *k, size_t kl, const void *v, size_t vl)
{
    op_window_starts *ss = ud;
    const unsigned char *p = k;
    (void)v;
    (void)vl;
    /* expire timers of time windows: st_key("", time, 1) + st_key(S) */
    if (kl != TIMER_HEAD + WIN_PREFIX || wr_be_get(p + 12, 8) != (TIMER_EXPIRE ^ (UINT64_C(1) << 63)))
        return 0;
    if (ss->n == ss->cap) {
        ss->cap = ss->cap ? 2 * ss->cap : 64;
        ss->v = wr_xrealloc(ss->v, sizeof(int64_t) * ss->cap);
    }
    ss->v[ss->n++] = (int64_t)(wr_be_get(p + TIMER_HEAD + 4, 8) ^ (UINT64_C(1) << 63));
    return 0;
}

int op_aggregate_lookup(const op_aggregate_spec *sp, st_store *store, st_store *timers,
                        op_window_starts *ss, const void *prefix, size_t plen, st_scan_cb cb,
                        void *ud, wr_error *err)
{
    if (!time_window(sp))
        return st_scan_prefix(store, prefix, plen, cb, ud, err);
    int rc = 0;
    if (!ss->loaded) {
        /* the live window starts are those with an expire timer; they come in expiry order,
         * which is start order (one retention for all) */
        static const unsigned char lo[5] = {0, 0, 0, 0, 0};
        rc = st_scan(timers, lo, sizeof lo, NULL, 0, starts_cb, ss, err);
        ss->loaded = rc == 0;
    }
    wr_buf key;
    wr_buf_init(&key);
    const void *g = (const unsigned char *)prefix + 4;
    size_t gl = plen >= 4 ? plen - 4 : 0;
    for (size_t i = 0; i < ss->n && !rc; i++) {
        const void *v;
        size_t vl;
        op_window_key(&key, ss->v[i], g, gl);
        int found = st_get(store, key.data, key.len, &v, &vl, err);
        if (found < 0)
            rc = found;
        else if (found && cb(ud, key.data, key.len, v, vl))
            break;
    }
    wr_buf_fini(&key);
    return rc;
}

op *op_aggregate_new(const op_aggregate_spec *spec)
{
    agg_op *a = (agg_op *)op_alloc(sizeof(agg_op), &aggregate_vt, spec);
    a->next_timer = INT64_MAX;
    wr_buf_init(&a->gk);
    wr_buf_init(&a->key);
    wr_buf_init(&a->val);
    wr_buf_init(&a->tkey);
    wr_arena_init(&a->flush, 0);
    return &a->base;
}
