/*
 * plog.c - the processing log: one JSON entry per record that was skipped or degraded,
 * in ksqlDB's shape, handed to the driver's plog callback.  Logging never stops a query.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static const char *const logger_suffix[] = {
    "KsqlTopic.Source.deserializer", "Project", "KsqlTopic.Sink.producer",
    "KsqlTopic.Sink.serializer"};

static void put_row(const wr_row *row, wr_buf *out)
{
    if (!row) {
        wr_buf_puts(out, "null");
        return;
    }
    wr_buf js;
    wr_buf_init(&js);
    wr_buf_putc(&js, '{');
    const wr_schema *s = row->schema;
    for (int i = 0; i < s->ncols; i++) {
        if (i)
            wr_buf_putc(&js, ',');
        wr_json_write_string(s->cols[i].name, strlen(s->cols[i].name), &js);
        wr_buf_putc(&js, ':');
        wr_json_write_value(&row->cols[i], s->cols[i].type, &js);
    }
    wr_buf_putc(&js, '}');
    wr_json_write_string(js.data, js.len, out);
    wr_buf_fini(&js);
}

void wr_plog_report(op_ctx *ctx, const op_report *rep)
{
    wr_query *q = ctx->ud;
    if (!q || !q->eng->opts.plog)
        return;
    const char *msg = rep->msg ? rep->msg : "";
    wr_buf b;
    wr_buf_init(&b);
    int type = rep->type >= 0 && rep->type <= 3 ? rep->type : 1;
    wr_buf_printf(&b, "{\"level\":\"ERROR\",\"logger\":\"processing.%s.%s\",\"time\":%lld,"
                  "\"message\":{\"type\":%d,", q->id, logger_suffix[type],
                  (long long)(q->eng->opts.test_mode ? 0 : wr_now_ms()), type);
    wr_buf_puts(&b, "\"deserializationError\":");
    if (type == OP_REP_DESERIALIZE) {
        wr_buf_puts(&b, "{\"target\":");
        wr_json_write_string(rep->target ? rep->target : "value",
                             strlen(rep->target ? rep->target : "value"), &b);
        wr_buf_puts(&b, ",\"errorMessage\":");
        wr_json_write_string(msg, strlen(msg), &b);
        wr_buf_puts(&b, ",\"recordB64\":");
        if (rep->data) {
            wr_buf b64;
            wr_buf_init(&b64);
            wr_base64_encode(rep->data, rep->len, &b64);
            wr_json_write_string(b64.data ? b64.data : "", b64.len, &b);
            wr_buf_fini(&b64);
        } else
            wr_buf_puts(&b, "null");
        wr_buf_puts(&b, ",\"cause\":[],\"topic\":");
        const char *t = rep->topic ? rep->topic : "";
        wr_json_write_string(t, strlen(t), &b);
        wr_buf_putc(&b, '}');
    } else
        wr_buf_puts(&b, "null");
    wr_buf_puts(&b, ",\"recordProcessingError\":");
    if (type == OP_REP_PROCESSING) {
        wr_buf_puts(&b, "{\"errorMessage\":");
        wr_json_write_string(msg, strlen(msg), &b);
        wr_buf_puts(&b, ",\"record\":");
        put_row(rep->row, &b);
        wr_buf_puts(&b, ",\"cause\":[]}");
    } else
        wr_buf_puts(&b, "null");
    wr_buf_puts(&b, ",\"productionError\":");
    if (type == OP_REP_PRODUCTION) {
        wr_buf_puts(&b, "{\"errorMessage\":");
        wr_json_write_string(msg, strlen(msg), &b);
        wr_buf_putc(&b, '}');
    } else
        wr_buf_puts(&b, "null");
    wr_buf_puts(&b, ",\"serializationError\":");
    if (type == OP_REP_SERIALIZE) {
        wr_buf_puts(&b, "{\"target\":");
        wr_json_write_string(rep->target ? rep->target : "value",
                             strlen(rep->target ? rep->target : "value"), &b);
        wr_buf_puts(&b, ",\"errorMessage\":");
        wr_json_write_string(msg, strlen(msg), &b);
        wr_buf_puts(&b, ",\"record\":");
        put_row(rep->row, &b);
        wr_buf_puts(&b, ",\"cause\":[],\"topic\":");
        const char *t = q->sink_topic ? q->sink_topic : "";
        wr_json_write_string(t, strlen(t), &b);
        wr_buf_putc(&b, '}');
    } else
        wr_buf_puts(&b, "null");
    wr_buf_puts(&b, ",\"kafkaStreamsThreadError\":null}}");
    wr_plog_entry entry = {q->id, b.data, msg, type, rep->dropped, ctx->record,
                           rep->topic ? rep->topic : q->src_topic};
    q->eng->opts.plog(q->eng->opts.plog_ud, &entry);
    wr_buf_fini(&b);
}
