/*
 * runtime_push.c - transient push queries and PRINT on the live runtime.
 *
 * Both read a topic with a consumer of their own that joins no group: every partition is
 * assign()ed at the beginning or the end, and nothing is ever committed (librdkafka still
 * wants a group.id: a random "_confluent-ksql-<service id>transient_..." one).  Push query
 * rows come out of the engine through the query's row callback, which is wrapped here to count
 * them against LIMIT; PRINT formats each record itself, as the ksql CLI does.
 *
 * Stopping (LIMIT reached, *_stop, shutdown) may be asked for while a record is being handled
 * (from the row callback): then it is only flagged, and done() runs once the batch unwinds.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime_int.h"

static void push_unlink(wr_runtime *rt, rt_push *p)
{
    for (rt_push **pp = &rt->pushes; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            return;
        }
}

static void push_free(rt_wake *w)
{
    rt_push *p = (rt_push *)w;
    free(p->topic);
    free(p);
}

static void push_destroy_client(rt_push *p)
{
    if (p->rkq) {
        rd_kafka_queue_io_event_enable(p->rkq, -1, NULL, 0);
        rd_kafka_queue_destroy(p->rkq);
        p->rkq = NULL;
    }
    if (p->rk) {
        rd_kafka_consumer_close(p->rk);
        rd_kafka_destroy(p->rk);
        p->rk = NULL;
    }
}

/* done(ud, status), then the query is closed and the consumer with it. */
static void push_finish(rt_push *p, int status)
{
    if (p->finished)
        return;
    if (p->in_serve) {
        if (!p->finish_pending) {
            p->finish_pending = 1;
            p->finish_status = status;
        }
        return;
    }
    p->finished = 1;
    push_unlink(p->w.rt, p);
    if (p->w.open)
        uv_poll_stop(&p->w.poll);
    push_destroy_client(p);
    if (p->done)
        p->done(p->ud, status);
    if (p->q)
        wr_query_close(p->q);
    p->q = NULL;
    rt_wake_close(&p->w);
}

/* ---------------------------------------------------------------- PRINT lines */

static void fmt_rowtime(int64_t ts, char *out, size_t size)
{
    if (ts < 0) {
        snprintf(out, size, "N/A");
        return;
    }
    time_t secs = (time_t)(ts / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, size, "%04d/%02d/%02d %02d:%02d:%02d.%03d Z", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts % 1000));
}

static const char *kafka_type_name(const wr_column *cols, int n)
{
    for (int i = 0; i < n; i++) {
        if (cols[i].role == WR_COL_HEADERS)
            continue;
        switch (cols[i].type->kind) {
        case WR_INT: return "KAFKA_INT";
        case WR_BIGINT: return "KAFKA_BIGINT";
        case WR_DOUBLE: return "KAFKA_DOUBLE";
        case WR_BYTES: return "KAFKA_BYTES";
        default: return "KAFKA_STRING";
        }
    }
    return "KAFKA_STRING";
}

static const char *declared_format(const wr_topic_info *ti, int is_key)
{
    const wr_format *f = is_key ? &ti->key_format : &ti->value_format;
    if (f->kind == WR_FMT_KAFKA)
        return is_key ? kafka_type_name(ti->key_cols, ti->nkey)
                      : kafka_type_name(ti->value_cols, ti->nvalue);
    return wr_format_name(f->kind);
}

static int is_json(const char *data, size_t len)
{
    json_error_t je;
    json_t *j = json_loadb(data, len, JSON_DECODE_ANY, &je);
    if (!j)
        return 0;
    json_decref(j);
    return 1;
}

/* One key or value as PRINT shows it: declared KAFKA primitives decoded, text as it is. */
static void print_payload(const wr_topic_info *ti, int is_key, const char *data, size_t len,
                          wr_buf *out)
{
    if (!data) {
        wr_buf_puts(out, "null");
        return;
    }
    const wr_format *f = ti ? (is_key ? &ti->key_format : &ti->value_format) : NULL;
    if (f && f->kind == WR_FMT_KAFKA) {
        const wr_column *cols = is_key ? ti->key_cols : ti->value_cols;
        int n = is_key ? ti->nkey : ti->nvalue;
        wr_column one[1];
        int k = 0;
        for (int i = 0; i < n && k < 1; i++)
            if (cols[i].role != WR_COL_HEADERS)
                one[k++] = cols[i];
        if (k == 1 && one[0].type->kind != WR_STRING) {
            wr_arena a;
            wr_arena_init(&a, 0);
            wr_value v;
            wr_error err;
            wr_error_clear(&err);
            if (wr_serde_decode(f, is_key, one, 1, NULL, data, len, &v, &a, &err) == 0) {
                wr_value_format(&v, one[0].type, out);
                wr_arena_fini(&a);
                return;
            }
            wr_arena_fini(&a);
        }
    }
    wr_buf_append(out, data, len);
}

static void print_message(rt_push *p, const rd_kafka_message_t *m)
{
    wr_runtime *rt = p->w.rt;
    const wr_topic_info *ti = wr_engine_topic_info(rt->eng, p->topic);
    wr_buf line;
    wr_buf_init(&line);
    if (!p->header_done) {
        p->header_done = 1;
        const char *kf, *vf;
        if (ti) {
            kf = declared_format(ti, 1);
            vf = declared_format(ti, 0);
        } else {
            kf = "KAFKA_STRING";
            vf = m->payload && is_json(m->payload, m->len) ? "JSON" : "KAFKA_STRING";
        }
        wr_buf_printf(&line, "Key format: %s", kf);
        p->line_cb(p->ud, line.data);
        wr_buf_reset(&line);
        wr_buf_printf(&line, "Value format: %s", vf);
        p->line_cb(p->ud, line.data);
        wr_buf_reset(&line);
    }
    char rowtime[64];
    fmt_rowtime(rd_kafka_message_timestamp(m, NULL), rowtime, sizeof rowtime);
    wr_buf_printf(&line, "rowtime: %s, key: ", rowtime);
    print_payload(ti, 1, m->key, m->key_len, &line);
    wr_buf_puts(&line, ", value: ");
    print_payload(ti, 0, m->payload, m->len, &line);
    wr_buf_printf(&line, ", partition: %d", (int)m->partition);
    p->line_cb(p->ud, line.data);
    wr_buf_fini(&line);
    p->count++;
    if (p->limit >= 0 && p->count >= p->limit)
        push_finish(p, 0);
}

/* ---------------------------------------------------------------- consuming */

static void push_message(rt_push *p, const rd_kafka_message_t *m)
{
    wr_runtime *rt = p->w.rt;
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            rt_log(rt, WR_LOG_WARN, "%s: %s", p->q ? wr_query_id(p->q) : "PRINT",
                   rd_kafka_message_errstr(m));
        return;
    }
    rt_broker_ok(rt);
    if (p->w.kind == RT_PRINT) {
        print_message(p, m);
        return;
    }
    const char *topic = rd_kafka_topic_name(m->rkt);
    const wr_topic_info *ti = wr_engine_topic_info(rt->eng, topic);
    wr_header hdrs[64];
    wr_record rec;
    rt_record_from_message(rt, m, &rec, hdrs, 64, ti ? ti->windowed : 0);
    wr_error err;
    wr_error_clear(&err);
    if (wr_query_process(p->q, topic, &rec, &err) != 0)
        rt_log(rt, WR_LOG_WARN, "%s: record %s/%d@%lld failed: %s", wr_query_id(p->q), topic,
               (int)m->partition, (long long)m->offset, err.msg);
}

static void push_serve(rt_wake *w)
{
    rt_push *p = (rt_push *)w;
    if (p->finished || !p->rk)
        return;
    p->in_serve = 1;
    int n = 0, more = 0;
    while (!p->finish_pending) {
        if (n >= 500) {
            more = 1;
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(p->rk, 0);
        if (!m)
            break;
        push_message(p, m);
        rd_kafka_message_destroy(m);
        n++;
    }
    p->in_serve = 0;
    if (p->finish_pending) {
        push_finish(p, p->finish_status);
        return;
    }
    if (more)
        rt_wake_more(w);
}

static void push_on_row(void *ud, const wr_query *q, int ncols, const char *const *cells,
                        int tombstone)
{
    rt_push *p = ud;
    if (p->finished || p->finish_pending)
        return;
    p->count++;
    if (p->row_cb)
        p->row_cb(p->row_ud, q, ncols, cells, tombstone);
    if (p->limit >= 0 && p->count >= p->limit)
        push_finish(p, 0);
}

/* Consumer assigned to every partition of topic, from the beginning or the end. */
static int push_open(wr_runtime *rt, rt_push *p, const char *topic, int beginning, wr_error *err)
{
    int nparts = rt_topic_partitions(rt, topic);
    if (nparts < 0)
        return wr_error_set(err, WR_ENOTFOUND, "topic '%s' does not exist", topic);
    static unsigned counter;
    char group[512];
    snprintf(group, sizeof group, "_confluent-ksql-%stransient_%lx%lx_%u", rt->service_id,
             (unsigned long)getpid(), (unsigned long)wr_now_ms(), ++counter);
    rd_kafka_conf_t *conf = rt_conf_new(rt, NULL, err);
    if (!conf)
        return err->code;
    if (rt_conf_set(conf, "group.id", group, err) ||
        rt_conf_set(conf, "enable.auto.commit", "false", err) ||
        rt_conf_set(conf, "enable.auto.offset.store", "false", err)) {
        rd_kafka_conf_destroy(conf);
        return err->code;
    }
    rd_kafka_conf_set_opaque(conf, p);
    char errstr[512];
    p->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        return wr_error_set(err, WR_EKAFKA, "cannot create a consumer: %s", errstr);
    }
    rd_kafka_set_log_queue(p->rk, NULL);
    rd_kafka_poll_set_consumer(p->rk);
    p->rkq = rd_kafka_queue_get_consumer(p->rk);
    if (rt_wake_open(rt, &p->w, p->rkq, err))
        return err->code;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(nparts);
    for (int i = 0; i < nparts; i++)
        rd_kafka_topic_partition_list_add(l, topic, i)->offset =
            beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
    rd_kafka_resp_err_t e = rd_kafka_assign(p->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        return wr_error_set(err, WR_EKAFKA, "cannot read topic '%s': %s", topic,
                            rd_kafka_err2str(e));
    return 0;
}

static rt_push *push_new(wr_runtime *rt, int kind)
{
    rt_push *p = wr_xcalloc(1, sizeof *p);
    p->w.kind = kind;
    p->w.rt = rt;
    p->w.serve = push_serve;
    p->w.closed = push_free;
    p->limit = -1;
    return p;
}

/* A start that failed: the client goes, the handles close (p freed in their callback). */
static void push_abort(rt_push *p)
{
    p->finished = 1;
    push_destroy_client(p);
    if (p->q)
        wr_query_close(p->q);
    p->q = NULL;
    rt_wake_close(&p->w);
}

static int reset_is_earliest(wr_runtime *rt)
{
    const char *v = wr_engine_get_property(rt->eng, "auto.offset.reset");
    if (!v || !*v)
        v = wr_engine_get_property(rt->eng, "ksql.streams.auto.offset.reset");
    return v && (wr_strcaseeq(v, "earliest") || wr_strcaseeq(v, "beginning") ||
                 wr_strcaseeq(v, "smallest"));
}

int wr_runtime_push_start(wr_runtime *rt, wr_query *q, wr_row_cb row_cb, wr_runtime_done_cb done,
                          void *ud, wr_error *err)
{
    wr_error local;
    if (!err)
        err = &local;
    wr_error_clear(err);
    if (rt->stopping || rt->fatal) {
        wr_query_close(q);
        return wr_error_set(err, WR_EUSAGE, "the runtime is shutting down");
    }
    rt_push *p = push_new(rt, RT_PUSH);
    p->q = q;
    p->row_cb = row_cb;
    p->row_ud = ud;
    p->done = done;
    p->ud = ud;
    p->limit = wr_query_limit(q);
    const char *topic = wr_query_source_topic(q, 0);
    if (!topic) {
        push_abort(p);
        return wr_error_set(err, WR_EUSAGE, "the query reads no topic");
    }
    if (push_open(rt, p, topic, reset_is_earliest(rt), err)) {
        push_abort(p);
        return err->code;
    }
    wr_query_set_row_cb(q, push_on_row, p);
    p->next = rt->pushes;
    rt->pushes = p;
    if (p->limit == 0)
        push_finish(p, 0);
    return 0;
}

void wr_runtime_push_stop(wr_runtime *rt, wr_query *q)
{
    for (rt_push *p = rt->pushes; p; p = p->next)
        if (p->w.kind == RT_PUSH && p->q == q) {
            push_finish(p, 1);
            return;
        }
}

int wr_runtime_print_start(wr_runtime *rt, const char *topic, int from_beginning, int64_t limit,
                           void (*line_cb)(void *ud, const char *line), wr_runtime_done_cb done,
                           void *ud, wr_error *err)
{
    wr_error local;
    if (!err)
        err = &local;
    wr_error_clear(err);
    if (rt->stopping || rt->fatal)
        return wr_error_set(err, WR_EUSAGE, "the runtime is shutting down");
    for (rt_push *o = rt->pushes; o; o = o->next)
        if (o->w.kind == RT_PRINT && !o->finished && !o->finish_pending)
            return wr_error_set(err, WR_EUSAGE, "a PRINT is already running");
    rt_push *p = push_new(rt, RT_PRINT);
    p->topic = wr_xstrdup(topic);
    p->line_cb = line_cb;
    p->done = done;
    p->ud = ud;
    p->limit = limit;
    if (push_open(rt, p, topic, from_beginning, err)) {
        push_abort(p);
        return err->code;
    }
    p->next = rt->pushes;
    rt->pushes = p;
    if (p->limit == 0)
        push_finish(p, 0);
    return 0;
}

void wr_runtime_print_stop(wr_runtime *rt)
{
    for (rt_push *p = rt->pushes; p; p = p->next)
        if (p->w.kind == RT_PRINT) {
            push_finish(p, 1);
            return;
        }
}

void rt_push_stop_all(wr_runtime *rt)
{
    while (rt->pushes) {
        rt_push *p = rt->pushes;
        if (p->in_serve) { /* finishes when its batch unwinds; unlink now */
            push_finish(p, 1);
            push_unlink(rt, p);
            continue;
        }
        push_finish(p, 1);
    }
}
