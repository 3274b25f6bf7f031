/*
 * op_source.c - the source operator: raw record -> typed row (keys first), event time, and
 * the drops ksqlDB's sources make (null keys on tables, invalid timestamps).  Records that
 * fail to decode go to the processing log and are skipped; the query goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op.h"

typedef struct source_op {
    op base;
    wr_fn_site ts_site; /* the TIMESTAMP_FORMAT pattern, opened once */
} source_op;

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
    return op_emit_row(o, ctx, row);
}

static int source_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    /* Sources are fed raw records through op_source_feed; rows pushed here pass through. */
    return op_emit(o, ctx, b);
}

static void source_close(op *o)
{
    op_site_release(&((source_op *)o)->ts_site);
    free(o);
}

static const op_vt source_vt = {"source", NULL, source_push, NULL, NULL, source_close};

op *op_source_new(const op_source_spec *spec)
{
    return op_alloc(sizeof(source_op), &source_vt, spec);
}
