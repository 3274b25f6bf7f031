/*
 * runtime_topics.c - the engine's topics (wr_topics_vt) on Kafka, and the shared producer's
 * produce path and delivery reports.
 *
 * Metadata questions (exists, partitions, list) ask the cluster every time, through the
 * producer handle, for all topics: asking for one named topic would auto-create it on brokers
 * that allow it.  Topics are created with CreateTopics, except on weir's development broker
 * (librdkafka's mock cluster has no CreateTopics API): it is recognised by its control topic,
 * and a "topic NAME N" line produced there makes it create the topic.
 *
 * A record that cannot be queued because the producer's queue is full waits here, serving
 * delivery reports, until it fits (the sources are paused meanwhile): records are never
 * dropped for lack of room.  With message.timeout.ms=0 the only delivery failures are
 * permanent ones (too large, invalid topic ...): those go to the log and the processing log,
 * and count as done so the commit cycle moves on.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime_int.h"

/* ---------------------------------------------------------------- metadata */

static int md_get(wr_runtime *rt, const struct rd_kafka_metadata **md, wr_error *err)
{
    if (!rt->producer)
        return wr_error_set(err, WR_EKAFKA, "not connected to Kafka");
    rd_kafka_resp_err_t e = rd_kafka_metadata(rt->producer, 1, NULL, md, 5000);
    if (e)
        return wr_error_set(err, WR_EKAFKA, "cannot read topic metadata from %s: %s",
                            rt->bootstrap, rd_kafka_err2str(e));
    return 0;
}

static const rd_kafka_metadata_topic_t *md_find(const struct rd_kafka_metadata *md,
                                                const char *topic)
{
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 &&
            (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR || md->topics[i].partition_cnt > 0))
            return &md->topics[i];
    return NULL;
}

int rt_topic_partitions(wr_runtime *rt, const char *topic)
{
    const struct rd_kafka_metadata *md;
    wr_error err;
    wr_error_clear(&err);
    if (md_get(rt, &md, &err)) {
        rt_log(rt, WR_LOG_WARN, "%s", err.msg);
        return -1;
    }
    const rd_kafka_metadata_topic_t *t = md_find(md, topic);
    int n = t ? t->partition_cnt : -1;
    rd_kafka_metadata_destroy(md);
    return n;
}

static int on_exists(void *ud, const char *topic)
{
    return rt_topic_partitions(ud, topic) >= 0;
}

static int on_partitions(void *ud, const char *topic)
{
    return rt_topic_partitions(ud, topic);
}

static int cmp_topic(const void *a, const void *b)
{
    return strcmp(((const rd_kafka_metadata_topic_t *)a)->topic,
                  ((const rd_kafka_metadata_topic_t *)b)->topic);
}

/* Every topic except Kafka's and weir's internal ones (names starting with "__"), by name. */
static void on_list(void *ud, void (*cb)(void *cbud, const char *topic, int partitions),
                    void *cbud)
{
    wr_runtime *rt = ud;
    const struct rd_kafka_metadata *md;
    wr_error err;
    wr_error_clear(&err);
    if (md_get(rt, &md, &err)) {
        rt_log(rt, WR_LOG_WARN, "%s", err.msg);
        return;
    }
    int n = md->topic_cnt;
    rd_kafka_metadata_topic_t *ts = wr_xcalloc((size_t)(n ? n : 1), sizeof *ts);
    memcpy(ts, md->topics, (size_t)n * sizeof *ts);
    qsort(ts, (size_t)n, sizeof *ts, cmp_topic);
    for (int i = 0; i < n; i++)
        if (strncmp(ts[i].topic, "__", 2) != 0 && ts[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
            cb(cbud, ts[i].topic, ts[i].partition_cnt);
    free(ts);
    rd_kafka_metadata_destroy(md);
}

/* ---------------------------------------------------------------- create / delete */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Development broker: a control line, then wait until the topic shows in the metadata. */
static int devbroker_create(wr_runtime *rt, const char *topic, int partitions, wr_error *err)
{
    char line[600];
    snprintf(line, sizeof line, "topic %s %d", topic, partitions);
    wr_record rec;
    memset(&rec, 0, sizeof rec);
    rec.value = line;
    rec.value_len = strlen(line);
    rec.partition = 0;
    rec.offset = -1;
    if (rt_produce(rt, WR_DEVBROKER_CONTROL_TOPIC, &rec, err))
        return err->code;
    rd_kafka_flush(rt->producer, 5000);
    for (int waited = 0; waited <= 10000; waited += 100) {
        if (rt_topic_partitions(rt, topic) >= 0)
            return 0;
        sleep_ms(100);
    }
    return wr_error_set(err, WR_EKAFKA, "the development broker did not create it within 10 s");
}

/* Admin requests (CreateTopics, DeleteTopics) wait 30 s for the cluster; the caller polls
 * its temporary queue a little longer (ADMIN_WAIT_MS) so the request's own timeout answers. */
#define ADMIN_TIMEOUT_MS 30000
#define ADMIN_WAIT_MS 35000

static rd_kafka_AdminOptions_t *admin_options(wr_runtime *rt, rd_kafka_admin_op_t op)
{
    char errstr[256];
    rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(rt->producer, op);
    rd_kafka_AdminOptions_set_request_timeout(ao, ADMIN_TIMEOUT_MS, errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_operation_timeout(ao, ADMIN_TIMEOUT_MS, errstr, sizeof errstr);
    return ao;
}

/* Sends one CreateTopics (nt) or DeleteTopics (dt) request and waits for the answer: 0, or
 * err with the cluster's reason; `ignore` is a topic error that counts as success. */
static int admin_topic(wr_runtime *rt, rd_kafka_NewTopic_t *nt, rd_kafka_DeleteTopic_t *dt,
                       rd_kafka_resp_err_t ignore, wr_error *err)
{
    rd_kafka_AdminOptions_t *ao = admin_options(rt, nt ? RD_KAFKA_ADMIN_OP_CREATETOPICS
                                                       : RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rt->producer);
    if (nt)
        rd_kafka_CreateTopics(rt->producer, &nt, 1, ao, q);
    else
        rd_kafka_DeleteTopics(rt->producer, &dt, 1, ao, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_WAIT_MS);
    int rc = 0;
    if (!ev) {
        rc = wr_error_set(err, WR_EKAFKA, "no answer from the cluster within 30 s");
    } else if (rd_kafka_event_error(ev)) {
        rc = wr_error_set(err, WR_EKAFKA, "%s", rd_kafka_event_error_string(ev));
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t **tr = NULL;
        if (nt) {
            const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
            tr = res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
        } else {
            const rd_kafka_DeleteTopics_result_t *res = rd_kafka_event_DeleteTopics_result(ev);
            tr = res ? rd_kafka_DeleteTopics_result_topics(res, &n) : NULL;
        }
        for (size_t i = 0; i < n; i++) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
            if (e && e != ignore) {
                const char *m = rd_kafka_topic_result_error_string(tr[i]);
                rc = wr_error_set(err, WR_EKAFKA, "%s", m && *m ? m : rd_kafka_err2str(e));
                err->sub = e;
            }
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(ao);
    return rc;
}

static int admin_create(wr_runtime *rt, const char *topic, int partitions, int replicas,
                        wr_error *err)
{
    char errstr[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, replicas > 0 ? replicas : -1,
                                                    errstr, sizeof errstr);
    if (!nt)
        return wr_error_set(err, WR_EUSAGE, "%s", errstr);
    int rc = admin_topic(rt, nt, NULL, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, err);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

int rt_topic_create(wr_runtime *rt, const char *topic, int partitions, int replicas,
                    wr_error *err)
{
    const struct rd_kafka_metadata *md;
    if (md_get(rt, &md, err))
        return err->code;
    int dev = md_find(md, WR_DEVBROKER_CONTROL_TOPIC) != NULL;
    int exists = md_find(md, topic) != NULL;
    rd_kafka_metadata_destroy(md);
    if (exists)
        return 0;
    if (partitions < 1)
        partitions = 1;
    int rc = dev ? devbroker_create(rt, topic, partitions, err)
                 : admin_create(rt, topic, partitions, replicas, err);
    if (!rc)
        rt_log(rt, WR_LOG_INFO, "created topic %s (%d partition(s))", topic, partitions);
    return rc;
}

static int on_create(void *ud, const char *topic, int partitions, int replicas, wr_error *err)
{
    return rt_topic_create(ud, topic, partitions, replicas, err);
}

static int on_remove(void *ud, const char *topic)
{
    wr_runtime *rt = ud;
    const struct rd_kafka_metadata *md;
    wr_error err;
    wr_error_clear(&err);
    if (md_get(rt, &md, &err)) {
        rt_log(rt, WR_LOG_WARN, "cannot delete topic '%s': %s", topic, err.msg);
        return -1;
    }
    int dev = md_find(md, WR_DEVBROKER_CONTROL_TOPIC) != NULL;
    rd_kafka_metadata_destroy(md);
    if (dev) {
        rt_log(rt, WR_LOG_WARN, "the development broker cannot delete topics: '%s' stays", topic);
        return 0;
    }
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
    wr_error_clear(&err);
    int rc = admin_topic(rt, NULL, dt, RD_KAFKA_RESP_ERR_NO_ERROR, &err);
    rd_kafka_DeleteTopic_destroy(dt);
    if (rc) {
        rt_log(rt, WR_LOG_WARN, "cannot delete topic '%s': %s", topic, err.msg);
        return -1;
    }
    rt_log(rt, WR_LOG_INFO, "deleted topic %s", topic);
    return 0;
}

/* ---------------------------------------------------------------- produce */

/* The producer's handle of topic, created on first use and kept until the producer goes:
 * rd_kafka_producev with a topic name looks the handle up (and locks) for every record.  A
 * handle is a local object: holding one creates nothing on the cluster. */
static rd_kafka_topic_t *topic_handle(wr_runtime *rt, const char *topic)
{
    for (int i = 0; i < rt->nrkts; i++)
        if (strcmp(rt->rkts[i].name, topic) == 0)
            return rt->rkts[i].rkt;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rt->producer, topic, NULL);
    if (!rkt)
        return NULL;
    rt->rkts = wr_xrealloc(rt->rkts, (size_t)(rt->nrkts + 1) * sizeof *rt->rkts);
    rt->rkts[rt->nrkts].name = wr_xstrdup(topic);
    rt->rkts[rt->nrkts].rkt = rkt;
    rt->nrkts++;
    return rkt;
}

void rt_topic_handles_free(wr_runtime *rt)
{
    for (int i = 0; i < rt->nrkts; i++) {
        rd_kafka_topic_destroy(rt->rkts[i].rkt);
        free(rt->rkts[i].name);
    }
    free(rt->rkts);
    rt->rkts = NULL;
    rt->nrkts = 0;
}

int rt_produce(wr_runtime *rt, const char *topic, const wr_record *rec, wr_error *err)
{
    if (rt->fatal)
        return wr_error_set(err, WR_EKAFKA, "cannot produce to topic '%s': the Kafka producer "
                            "failed: %s", topic, rt->fatal_msg);
    if (!rt->producer)
        return wr_error_set(err, WR_EKAFKA, "cannot produce to topic '%s': not connected", topic);
    /* windowed keys carry their window (see rt_record_from_message) */
    const char *key = rec->key;
    size_t klen = rec->key ? rec->key_len : 0;
    char kbuf[512];
    char *kheap = NULL;
    if (key && rec->win_kind != WR_WIN_NONE) {
        size_t extra = rec->win_kind == WR_WIN_SESSION ? 16 : 8;
        char *k = klen + extra <= sizeof kbuf ? kbuf : (kheap = wr_xmalloc(klen + extra));
        memcpy(k, key, klen);
        if (rec->win_kind == WR_WIN_SESSION) {
            wr_be_put(k + klen, (uint64_t)rec->win_end, 8);
            wr_be_put(k + klen + 8, (uint64_t)rec->win_start, 8);
        } else {
            wr_be_put(k + klen, (uint64_t)rec->win_start, 8);
        }
        key = k;
        klen += extra;
    }
    int64_t waited_since = 0, last_warn = 0;
    int rc = 0;
    for (;;) {
        rd_kafka_headers_t *hs = NULL;
        if (rec->nheaders > 0) {
            hs = rd_kafka_headers_new((size_t)rec->nheaders);
            for (int i = 0; i < rec->nheaders; i++) {
                const wr_header *h = &rec->headers[i];
                rd_kafka_header_add(hs, h->key ? h->key : "", -1, h->value,
                                    h->value ? (ssize_t)h->len : 0);
            }
        }
        rt_epoch *ep = rt->cur;
        rd_kafka_topic_t *rkt = topic_handle(rt, topic);
        if (!rkt) {
            if (hs)
                rd_kafka_headers_destroy(hs);
            rc = wr_error_set(err, WR_EKAFKA, "cannot produce to topic '%s': %s", topic,
                              rd_kafka_err2str(rd_kafka_last_error()));
            break;
        }
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rt->producer, RD_KAFKA_V_RKT(rkt),
            RD_KAFKA_V_PARTITION(rec->partition >= 0 ? rec->partition : RD_KAFKA_PARTITION_UA),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY((void *)key, klen),
            RD_KAFKA_V_VALUE((void *)rec->value, rec->value ? rec->value_len : 0),
            RD_KAFKA_V_TIMESTAMP(rec->ts > 0 ? rec->ts : 0), RD_KAFKA_V_HEADERS(hs),
            RD_KAFKA_V_OPAQUE(ep), RD_KAFKA_V_END);
        if (!e) {
            ep->outstanding++;
            rt->inflight++;
            rt->stats.produced++;
            rt_backpressure_after_produce(rt, 0);
            break;
        }
        if (hs)
            rd_kafka_headers_destroy(hs);
        if (e == RD_KAFKA_RESP_ERR__FATAL) {
            /* the error callback reports it later; stop taking records now */
            char buf[512], msg[700];
            rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rt->producer, buf, sizeof buf);
            snprintf(msg, sizeof msg, "Kafka: %s (%s)", buf, rd_kafka_err2name(orig));
            rt_on_fatal(rt, msg);
            rc = wr_error_set(err, WR_EKAFKA, "cannot produce to topic '%s': %s", topic,
                              rt->fatal_msg);
            break;
        }
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL || rt->in_dr) {
            rc = wr_error_set(err, WR_EKAFKA, "cannot produce to topic '%s': %s", topic,
                              rd_kafka_err2str(e));
            err->sub = e;
            break;
        }
        /* full: stop the sources and wait here, serving delivery reports, until it fits */
        rt_backpressure_after_produce(rt, 1);
        int64_t now = wr_now_ms();
        if (!waited_since)
            waited_since = last_warn = now;
        if (now - last_warn >= 10000) {
            last_warn = now;
            rt_log(rt, WR_LOG_WARN, "producer queue full for %lld s (%d records waiting for the "
                   "broker)", (long long)((now - waited_since) / 1000),
                   rd_kafka_outq_len(rt->producer));
        }
        rd_kafka_poll(rt->producer, 100);
        if (rt->fatal) {
            rc = wr_error_set(err, WR_EKAFKA, "cannot produce to topic '%s': %s", topic,
                              rt->fatal_msg);
            break;
        }
    }
    free(kheap);
    return rc;
}

static int on_produce(void *ud, const char *topic, const wr_record *rec, wr_error *err)
{
    return rt_produce(ud, topic, rec, err);
}

/* The query whose sink is `topic` (for the processing-log entry of a failed delivery). */
static const char *sink_query(wr_runtime *rt, const char *topic)
{
    for (int i = 0; i < wr_engine_query_count(rt->eng); i++) {
        wr_query *q = wr_engine_query_at(rt->eng, i);
        for (int s = 0; q && s < wr_query_sink_count(q); s++)
            if (strcmp(wr_query_sink_topic(q, s), topic) == 0)
                return wr_query_id(q);
    }
    return NULL;
}

void rt_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    rt_wake *w = opaque;
    wr_runtime *rt = w->rt;
    if (!m->err) {
        rt->stats.acked++;
        rt_broker_ok(rt);
    } else if (rt->fatal) {
        /* after a fatal producer error every pending record fails: the fatal error was
         * logged once and nothing is committed, so the records are read again next time */
        rt->fatal_dropped++;
    } else if (m->err != RD_KAFKA_RESP_ERR__PURGE_QUEUE &&
               m->err != RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
        const char *topic = rd_kafka_topic_name(m->rkt);
        char msg[600];
        snprintf(msg, sizeof msg, "record to topic '%s' failed for good and is dropped: %s", topic,
                 rd_kafka_err2str(m->err));
        rt_log(rt, WR_LOG_ERROR, "%s", msg);
        if (strcmp(topic, rt->plog_topic) != 0 && strcmp(topic, WR_DEVBROKER_CONTROL_TOPIC) != 0 &&
            rt->eng) {
            rt->in_dr++;
            rt_plog_production_error(rt, sink_query(rt, topic), msg);
            rt->in_dr--;
        }
    }
    rt_epoch_done(rt, m->_private);
}

void rt_producer_serve(rt_wake *w)
{
    wr_runtime *rt = w->rt;
    for (int i = 0; rt->producer && rd_kafka_poll(rt->producer, 0) > 0; i++)
        if (i >= 16) {
            rt_wake_more(w);
            break;
        }
    rt_backpressure_check(rt);
}

const wr_topics_vt rt_topics_vt = {
    .exists = on_exists,
    .create = on_create,
    .remove = on_remove,
    .partitions = on_partitions,
    .list = on_list,
    .produce = on_produce,
};
