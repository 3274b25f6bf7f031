/*
 * op_sink.c - serialises rows with the sink's key and value formats and produces them.
 * The output timestamp is the row's, or the sink's TIMESTAMP column (rule 30: a negative
 * one drops the row).  Output records carry no headers (ksqlDB writes none).
 */
#include <stdlib.h>
#include <string.h>

#include "op.h"

typedef struct sink_op {
    op base;
    wr_buf key, val;
    wr_fn_site ts_site; /* the TIMESTAMP_FORMAT pattern, opened once */
} sink_op;

static int sink_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    sink_op *s = (sink_op *)o;
    const op_sink_spec *sp = o->spec;
    const wr_schema *sch = sp->schema;
    wr_error err;
    for (int i = 0; i < b->n; i++) {
        const wr_row *row = b->rows[i];
        wr_record rec;
        memset(&rec, 0, sizeof rec);
        rec.ts = row->ts;
        rec.partition = -1;
        rec.offset = -1;
        rec.win_kind = row->win_kind;
        rec.win_start = row->win_start;
        rec.win_end = row->win_end;
        wr_error_clear(&err);
        if (sp->ts_col >= 0 && !row->tombstone) {
            int64_t ts;
            if (op_column_timestamp(ctx, &s->ts_site, &row->cols[sp->ts_col],
                                    sch->cols[sp->ts_col].name, sp->ts_is_string, sp->ts_format,
                                    &ts, &err) || ts < 0)
                continue; /* rule 30: no valid sink timestamp, no record */
            rec.ts = ts;
        }
        /* key: null when there is no key column or every key column is null */
        int keynull = 1;
        for (int k = 0; k < sch->nkey; k++)
            if (!wr_is_null(&row->cols[k]))
                keynull = 0;
        if (sp->key_fmt.kind == WR_FMT_NONE)
            keynull = 1;
        wr_buf_reset(&s->key);
        wr_buf_reset(&s->val);
        if (!keynull) {
            if (wr_serde_encode(&sp->key_fmt, 1, sch->cols, sch->nkey, row->cols, &s->key, &err)) {
                if (ctx->report) {
                    op_report rep = {OP_REP_SERIALIZE, "key", err.msg, NULL, 0, NULL, row, 1};
                    ctx->report(ctx, &rep);
                }
                continue;
            }
            rec.key = s->key.data ? s->key.data : "";
            rec.key_len = s->key.len;
        }
        if (!row->tombstone) {
            if (wr_serde_encode(&sp->val_fmt, 0, sch->cols + sch->nkey, sch->ncols - sch->nkey,
                                row->cols + sch->nkey, &s->val, &err)) {
                if (ctx->report) {
                    op_report rep = {OP_REP_SERIALIZE, "value", err.msg, NULL, 0, NULL, row, 1};
                    ctx->report(ctx, &rep);
                }
                continue;
            }
            rec.value = s->val.data ? s->val.data : "";
            rec.value_len = s->val.len;
        }
        int rc = sp->produce(sp->ud, ctx, &rec);
        if (rc)
            return rc;
    }
    return 0;
}

static void sink_close(op *o)
{
    sink_op *s = (sink_op *)o;
    wr_buf_fini(&s->key);
    wr_buf_fini(&s->val);
    op_site_release(&s->ts_site);
    free(s);
}

static const op_vt sink_vt = {"sink", NULL, sink_push, NULL, NULL, sink_close};

op *op_sink_new(const op_sink_spec *spec)
{
    sink_op *s = (sink_op *)op_alloc(sizeof(sink_op), &sink_vt, spec);
    wr_buf_init(&s->key);
    wr_buf_init(&s->val);
    return &s->base;
}
