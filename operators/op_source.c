/*
 * op_source.c - the source operator: raw record -> typed row (keys first), event time, and
 * the drops ksqlDB's sources make (null keys on tables, invalid timestamps).  Records that
 * fail to decode go to the processing log and are skipped; the query goes on.
 *
 * A materializing table source (spec->materialize: Kafka Streams' materialized KTable
 * source) keeps the latest row of every key and hands each record downstream as a change
 * with the key's previous row (op_batch.old), which filters (rule 24) and aggregations
 * (rule 23) need.  State store "<QUERY_ID>#source":
 *   key    st_key(K)              K = wr_values_encode(key columns)
 *          st_key(K, start, end)  windowed sources (the key carries its window)
 *   value  8 bytes big-endian: the row's timestamp, then wr_values_encode(the other columns)
 * A tombstone deletes the key's entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op.h"

typedef struct source_op {
    op base;
    wr_fn_site ts_site; /* the TIMESTAMP_FORMAT pattern, opened once */
    st_store *store;    /* materialize: latest row per key */
    const wr_type **types; /* [ncols] column types: keys, then the stored columns */
    wr_buf kb, key, val;
} source_op;

/* The store key of row (its key columns and window) into s->key. */
static void row_key(source_op *s, const wr_row *row)
{
    const op_source_spec *sp = s->base.spec;
    int64_t suf[2] = {row->win_start, row->win_end};
    wr_buf_reset(&s->kb);
    wr_values_encode(row->cols, s->types, sp->schema->nkey, &s->kb);
    st_key(&s->key, s->kb.data ? s->kb.data : "", s->kb.len, row->win_kind ? 2 : 0, suf);
}

/* Decodes a stored value into the value columns and ts of row; 0 or WR_EDATA. */
static int value_decode(const op_source_spec *sp, const wr_type *const *vtypes, wr_arena *a,
                        const void *v, size_t vl, wr_row *row)
{
    const wr_schema *sch = sp->schema;
    if (vl < 8)
        return WR_EDATA;
    row->ts = (int64_t)wr_be_get(v, 8);
    return wr_values_decode((const unsigned char *)v + 8, vl - 8, vtypes, sch->ncols - sch->nkey,
                            a, row->cols + sch->nkey);
}

/* Materialize: replaces the key's stored row by `row` (deletes it for a tombstone) and sets
 * *old to the row it had, or NULL.  0 or a state error. */
static int materialize(source_op *s, op_ctx *ctx, wr_row *row, wr_row **old)
{
    const op_source_spec *sp = s->base.spec;
    const wr_schema *sch = sp->schema;
    *old = NULL;
    row_key(s, row);
    const void *v;
    size_t vl;
    int found = st_get(s->store, s->key.data, s->key.len, &v, &vl, ctx->err);
    if (found < 0)
        return found;
    if (found) {
        wr_row *o = op_row_new(ctx, sch, row);
        o->tombstone = 0;
        memcpy(o->cols, row->cols, sizeof(wr_value) * (size_t)sch->nkey);
        if (value_decode(sp, s->types + sch->nkey, ctx->arena, v, vl, o) == 0)
            *old = o;
    }
    if (row->tombstone) {
        if (found)
            st_del(s->store, s->key.data, s->key.len);
        return 0;
    }
    unsigned char b[8];
    wr_be_put(b, (uint64_t)row->ts, 8);
    wr_buf_reset(&s->val);
    wr_buf_append(&s->val, b, 8);
    wr_values_encode(row->cols + sch->nkey, s->types + sch->nkey, sch->ncols - sch->nkey, &s->val);
    st_put(s->store, s->key.data, s->key.len, s->val.data, s->val.len);
    return 0;
}

int op_source_row(const op_source_spec *sp, wr_arena *a, const void *k, size_t kl,
                  const void *v, size_t vl, wr_row *out)
{
    const wr_schema *sch = sp->schema;
    const wr_type *types[64];
    int nt = sch->ncols > 0 ? sch->ncols : 1;
    const wr_type **t = nt <= 64 ? types : wr_arena_alloc(a, sizeof(wr_type *) * (size_t)nt);
    for (int i = 0; i < sch->ncols; i++)
        t[i] = sch->cols[i].type;
    memset(out, 0, sizeof *out);
    out->schema = sch;
    out->partition = -1;
    out->offset = -1;
    out->cols = wr_arena_calloc(a, sizeof(wr_value) * (size_t)nt);
    const void *g;
    size_t gl;
    int64_t suf[2];
    int ns = st_key_parse(k, kl, &g, &gl, suf, 2);
    if (ns < 0 || wr_values_decode(g, gl, t, sch->nkey, a, out->cols))
        return WR_EDATA;
    if (ns == 2 && sp->windowed) {
        out->win_kind = (uint8_t)sp->windowed;
        out->win_start = suf[0];
        out->win_end = suf[1];
    }
    return value_decode(sp, t + sch->nkey, a, v, vl, out);
}

static void report(op_ctx *ctx, int type, const char *target, const wr_error *err,
                   const char *data, size_t len, const char *topic, const wr_row *row)
{
    if (!ctx->report)
        return;
    char msg[sizeof err->msg + 128];
    const char *m = err->msg;
    /* ksqlDB's deserialisation messages always name the target and topic */
    if (type == OP_REP_DESERIALIZE && strncmp(m, "Failed to deserialize", 21) != 0) {
        snprintf(msg, sizeof msg, "Failed to deserialize %s from topic: %s. %s", target,
                 topic ? topic : "", m);
        m = msg;
    }
    op_report rep = {type, target, m, data, len, topic, row, 1}; /* the source skips it */
    ctx->report(ctx, &rep);
}

/* HEADERS columns: ARRAY<STRUCT<KEY STRING, VALUE BYTES>>; HEADER('k'): the last value. */
static void fill_header(op_ctx *ctx, const wr_column *col, const wr_record *rec, wr_value *out)
{
    *out = wr_null();
    if (col->header) {
        for (int i = rec->nheaders - 1; i >= 0; i--)
            if (rec->headers[i].key && strcmp(rec->headers[i].key, col->header) == 0) {
                if (rec->headers[i].value)
                    *out = wr_bytes(rec->headers[i].value, rec->headers[i].len);
                return;
            }
        return;
    }
    *out = wr_array(ctx->arena, (uint32_t)rec->nheaders);
    for (int i = 0; i < rec->nheaders; i++) {
        wr_value st = wr_struct(ctx->arena, 2);
        const char *k = rec->headers[i].key ? rec->headers[i].key : "";
        st.u.items[0] = wr_str(k, strlen(k));
        st.u.items[1] = rec->headers[i].value ? wr_bytes(rec->headers[i].value, rec->headers[i].len)
                                              : wr_null();
        out->u.items[i] = st;
    }
}

int op_source_feed(op *o, op_ctx *ctx, const wr_record *rec)
{
    const op_source_spec *sp = o->spec;
    const wr_schema *sch = sp->schema;
    wr_error err;
    wr_error_clear(&err);

    if (!rec->key && sp->is_table)
        return 0; /* rule 8: tables ignore null keys */
    wr_row *row = op_row_new(ctx, sch, NULL);
    row->ts = rec->ts;
    row->partition = rec->partition;
    row->offset = rec->offset;
    if (sp->windowed && rec->win_kind) {
        row->win_kind = (uint8_t)rec->win_kind;
        row->win_start = rec->win_start;
        row->win_end = rec->win_end;
    }

    if (!rec->key) {
        row->key_null = 1;
    } else if (sch->nkey > 0) {
        if (wr_serde_decode(&sp->key_fmt, 1, sch->cols, sch->nkey, sp->key_need, rec->key,
                            rec->key_len, row->cols, ctx->arena, &err)) {
            report(ctx, OP_REP_DESERIALIZE, "key", &err, rec->key, rec->key_len, sp->topic, NULL);
            return 0;
        }
    }

    if (!rec->value) {
        row->tombstone = 1;
    } else if (sp->nval > 0) {
        wr_value *vals = wr_arena_calloc(ctx->arena, sizeof(wr_value) * (size_t)sp->nval);
        if (wr_serde_decode(&sp->val_fmt, 0, sp->val_cols, sp->nval, sp->val_need, rec->value,
                            rec->value_len, vals, ctx->arena, &err)) {
            report(ctx, OP_REP_DESERIALIZE, "value", &err, rec->value, rec->value_len, sp->topic,
                   NULL);
            return 0;
        }
        for (int i = 0; i < sp->nval; i++)
            row->cols[sp->val_idx[i]] = vals[i];
    }
    if (!row->tombstone)
        for (int i = sch->nkey; i < sch->ncols; i++)
            if (sch->cols[i].role == WR_COL_HEADERS)
                fill_header(ctx, &sch->cols[i], rec, &row->cols[i]);

    if (sp->ts_col >= 0 && !row->tombstone) {
        int64_t ts;
        if (op_column_timestamp(ctx, &((source_op *)o)->ts_site, &row->cols[sp->ts_col],
                                sch->cols[sp->ts_col].name, sp->ts_is_string, sp->ts_format, &ts,
                                &err) == 0)
            row->ts = ts;
    }
    if (row->ts < 0 || err.code) {
        if (!err.code)
            wr_error_set(&err, WR_EDATA,
                         "Invalid timestamp %lld: the record timestamp must not be negative",
                         (long long)row->ts);
        if (sp->throw_on_invalid_ts) {
            *ctx->err = err;
            return WR_EDATA;
        }
        report(ctx, OP_REP_PROCESSING, "value", &err, NULL, 0, sp->topic, row);
        return 0;
    }
    if (row->ts > ctx->stream_time)
        ctx->stream_time = row->ts;
    source_op *s = (source_op *)o;
    if (!s->store)
        return op_emit_row(o, ctx, row);
    wr_row *old;
    int rc = materialize(s, ctx, row, &old);
    if (rc)
        return rc;
    op_batch b = {1, &row, &old};
    return op_emit(o, ctx, &b);
}

static int source_open(op *o, op_ctx *ctx)
{
    source_op *s = (source_op *)o;
    const op_source_spec *sp = o->spec;
    if (!sp->materialize)
        return 0;
    const wr_schema *sch = sp->schema;
    s->types = wr_xcalloc((size_t)sch->ncols + 1, sizeof(wr_type *));
    for (int i = 0; i < sch->ncols; i++)
        s->types[i] = sch->cols[i].type;
    s->store = op_store_open(ctx, OP_STORE_SOURCE);
    return s->store ? 0 : (ctx->err->code ? ctx->err->code : WR_ESTATE);
}

static int source_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    /* Sources are fed raw records through op_source_feed; rows pushed here pass through. */
    return op_emit(o, ctx, b);
}

static void source_close(op *o)
{
    source_op *s = (source_op *)o;
    op_site_release(&s->ts_site);
    free(s->types);
    wr_buf_fini(&s->kb);
    wr_buf_fini(&s->key);
    wr_buf_fini(&s->val);
    free(o);
}

static const op_vt source_vt = {"source", source_open, source_push, NULL, NULL, source_close};

op *op_source_new(const op_source_spec *spec)
{
    return op_alloc(sizeof(source_op), &source_vt, spec);
}
