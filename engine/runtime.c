/*
 * runtime.c - the live runtime (runtime.h): persistent queries on Kafka, one libuv loop.
 *
 * This file holds the runtime object, the loop plumbing (rt_wake: librdkafka queues waking
 * the loop through a pipe), the persistent queries' consumers with their rebalance handling,
 * the commit cycle (epochs, see runtime_int.h), backpressure, the processing log and dead
 * letters, and shutdown.  The topics vtable and the producer's delivery reports live in
 * runtime_topics.c; push queries and PRINT in runtime_push.c.
 *
 * At-least-once, in one sentence: a query's position (offset + 1 of the last record it
 * processed) is only committed once every record produced while processing up to that
 * position has been acknowledged, so a crash re-reads, and never skips, unacknowledged work.
 *
 * Blocking calls on the loop thread, on purpose and bounded: metadata and topic creation while
 * a statement executes, the producer flush (10 s) before committing revoked or terminated
 * partitions, and consumer close at TERMINATE and shutdown.  Everything else is event driven.
 *
 * Fatal errors (the idempotent producer lost its guarantees, the state store failed) stop
 * consuming and make the shutdown report -1 without committing; the driver hears of them
 * through opts.fatal, called from the loop (`weir run` then shuts down and exits 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_state.h"
#include "runtime_int.h"

#define RT_BATCH 500                  /* messages per wake before yielding to the loop */
#define RT_PAUSE_HIGH 50000           /* producer queue length that pauses the sources */
#define RT_PAUSE_LOW 10000            /* ... and resumes them */
#define RT_FLUSH_MS 10000             /* flush before committing revoked/terminated work */
#define RT_PLOG_ECHO 20               /* processing-log lines echoed per commit interval */
#define RT_RK_FETCH_QUEUE_BACKOFF 0x020100ff /* librdkafka 2.1.0: fetch.queue.backoff.ms */

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

/* ---------------------------------------------------------------- logging */

void rt_log(wr_runtime *rt, int level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (rt->opts.log)
        rt->opts.log(rt->opts.log_ud, level, msg);
    else if (level >= WR_LOG_INFO)
        fprintf(stderr, "weir: %s %s\n", level_names[level < 0 ? 0 : level > 3 ? 3 : level], msg);
}

static void on_engine_log(void *ud, int level, const char *msg)
{
    rt_log(ud, level, "%s", msg);
}

/* librdkafka's log lines arrive through the client's queue, so on the loop thread. */
static void on_rk_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    rt_wake *w = rd_kafka_opaque(rk);
    if (!w || !w->rt)
        return;
    int lv = level <= 3 ? WR_LOG_ERROR : level == 4 ? WR_LOG_WARN : level <= 6 ? WR_LOG_INFO
                                                                              : WR_LOG_DEBUG;
    /* connection failures are retried for ever; an outage is reported once (error_cb) */
    if (!strcmp(fac, "FAIL"))
        lv = WR_LOG_DEBUG;
    /* librdkafka.X properties go to every client; each ignores the other kind's */
    else if (!strcmp(fac, "CONFWARN") && strstr(buf, "will be ignored by this"))
        lv = WR_LOG_DEBUG;
    else if (lv == WR_LOG_ERROR && !strcmp(fac, "ERROR"))
        lv = WR_LOG_WARN;
    rt_log(w->rt, lv, "kafka %s: %s", fac, buf);
}

void rt_broker_ok(wr_runtime *rt)
{
    if (rt->brokers_down) {
        rt->brokers_down = 0;
        rt_log(rt, WR_LOG_INFO, "connected again to Kafka");
    }
}

static void on_rk_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    rt_wake *w = opaque;
    wr_runtime *rt = w->rt;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[512];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof buf);
        char msg[700];
        snprintf(msg, sizeof msg, "Kafka: %s (%s)", buf, rd_kafka_err2name(orig));
        rt_on_fatal(rt, msg);
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        if (!rt->brokers_down) {
            rt->brokers_down = 1;
            rt_log(rt, WR_LOG_WARN, "all brokers down, retrying (%s)", rt->bootstrap);
        }
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__RESOLVE) {
        rt_log(rt, WR_LOG_DEBUG, "kafka: %s", reason);
        return;
    }
    rt_log(rt, WR_LOG_WARN, "kafka: %s: %s", rd_kafka_err2name(err), reason);
}

static void on_fatal_timer(uv_timer_t *t)
{
    wr_runtime *rt = t->data;
    if (!rt->stopping && rt->opts.fatal)
        rt->opts.fatal(rt->opts.fatal_ud, rt->fatal_msg);
}

void rt_on_fatal(wr_runtime *rt, const char *msg)
{
    if (rt->fatal)
        return;
    rt->fatal = 1;
    snprintf(rt->fatal_msg, sizeof rt->fatal_msg, "%s", msg);
    rt_log(rt, WR_LOG_ERROR,
           "fatal error: %s; stopping all queries (offsets since the last commit stay "
           "uncommitted)", msg);
    for (rt_query *rq = rt->queries; rq; rq = rq->next)
        if (rq->w.open)
            uv_poll_stop(&rq->w.poll);
    /* the driver hears of it from the loop, not from inside a librdkafka callback: its
     * shutdown destroys the clients that may be calling us right now */
    if (rt->opts.fatal && !rt->stopping && rt->stop_timer_open)
        uv_timer_start(&rt->stop_timer, on_fatal_timer, 0, 0);
}

/* ---------------------------------------------------------------- configuration */

int rt_conf_set(rd_kafka_conf_t *conf, const char *k, const char *v, wr_error *err)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, k, v, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        return wr_error_set(err, WR_EUSAGE, "librdkafka property %s=%s: %s", k, v, errstr);
    return 0;
}

rd_kafka_conf_t *rt_conf_new(wr_runtime *rt, const char *const *defaults, wr_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char cid[300];
    snprintf(cid, sizeof cid, "weir-%s", rt->service_id);
    if (rt_conf_set(conf, "bootstrap.servers", rt->bootstrap, err) ||
        rt_conf_set(conf, "client.id", cid, err) ||
        rt_conf_set(conf, "log.queue", "true", err))
        goto fail;
    for (int i = 0; defaults && defaults[i]; i += 2)
        if (rt_conf_set(conf, defaults[i], defaults[i + 1], err))
            goto fail;
    for (int i = 0; i < rt->nrk; i++)
        if (rt_conf_set(conf, rt->rk_keys[i], rt->rk_vals[i], err))
            goto fail;
    rd_kafka_conf_set_log_cb(conf, on_rk_log);
    rd_kafka_conf_set_error_cb(conf, on_rk_error);
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

/* ---------------------------------------------------------------- wake handles */

static void on_wake_poll(uv_poll_t *h, int status, int events)
{
    rt_wake *w = h->data;
    char buf[256];
    while (read(w->fds[0], buf, sizeof buf) > 0) {
    }
    w->serve(w);
}

static void on_wake_idle(uv_idle_t *h)
{
    rt_wake *w = h->data;
    uv_idle_stop(h);
    w->serve(w);
}

int rt_wake_open(wr_runtime *rt, rt_wake *w, rd_kafka_queue_t *rkq, wr_error *err)
{
    w->rt = rt;
    if (pipe2(w->fds, O_NONBLOCK | O_CLOEXEC) < 0)
        return wr_error_set(err, WR_EIO, "cannot create a pipe: %s", strerror(errno));
    int rc = uv_poll_init(rt->loop, &w->poll, w->fds[0]);
    if (rc) {
        close(w->fds[0]);
        close(w->fds[1]);
        return wr_error_set(err, WR_EIO, "uv_poll_init: %s", uv_strerror(rc));
    }
    uv_idle_init(rt->loop, &w->idle);
    w->poll.data = w;
    w->idle.data = w;
    w->open = 1;
    rd_kafka_queue_io_event_enable(rkq, w->fds[1], "1", 1);
    uv_poll_start(&w->poll, UV_READABLE, on_wake_poll);
    rt_wake_more(w); /* whatever was queued before the pipe existed */
    return 0;
}

void rt_wake_more(rt_wake *w)
{
    if (w->open && !w->nclosing)
        uv_idle_start(&w->idle, on_wake_idle);
}

static void on_wake_closed(uv_handle_t *h)
{
    rt_wake *w = h->data;
    if (--w->nclosing > 0)
        return;
    close(w->fds[0]);
    close(w->fds[1]);
    w->open = 0;
    if (w->closed)
        w->closed(w);
}

void rt_wake_close(rt_wake *w)
{
    if (!w->open) {
        if (w->closed)
            w->closed(w);
        return;
    }
    if (w->nclosing)
        return;
    uv_poll_stop(&w->poll);
    uv_idle_stop(&w->idle);
    w->nclosing = 2;
    uv_close((uv_handle_t *)&w->poll, on_wake_closed);
    uv_close((uv_handle_t *)&w->idle, on_wake_closed);
}

/* ---------------------------------------------------------------- positions and commits */

static void stop_soon(wr_runtime *rt);
static void on_cycle_timer(uv_timer_t *t);
static void cycle_start(wr_runtime *rt);

static int tp_index(const rd_kafka_topic_partition_list_t *l, const char *topic, int32_t part)
{
    for (int i = 0; i < l->cnt; i++)
        if (l->elems[i].partition == part && strcmp(l->elems[i].topic, topic) == 0)
            return i;
    return -1;
}

static void pos_set(rt_query *rq, const char *topic, int32_t part, int64_t next)
{
    rd_kafka_topic_partition_list_t *l = rq->pos;
    int i = rq->pos_hint;
    if (i < 0 || i >= l->cnt || l->elems[i].partition != part ||
        strcmp(l->elems[i].topic, topic) != 0) {
        i = tp_index(l, topic, part);
        if (i < 0) {
            rd_kafka_topic_partition_list_add(l, topic, part);
            i = l->cnt - 1;
        }
        rq->pos_hint = i;
    }
    l->elems[i].offset = next;
    rq->dirty = 1;
}

static void tp_remove(rd_kafka_topic_partition_list_t *l, const rd_kafka_topic_partition_list_t *gone)
{
    if (!l)
        return;
    for (int i = 0; i < gone->cnt; i++)
        rd_kafka_topic_partition_list_del(l, gone->elems[i].topic, gone->elems[i].partition);
}

static void query_commit_async(rt_query *rq)
{
    if (!rq->rk || rq->closing || !rq->safe || rq->safe->cnt == 0)
        return;
    rd_kafka_resp_err_t e = rd_kafka_commit(rq->rk, rq->safe, 1);
    rt_log(rq->w.rt, WR_LOG_DEBUG, "query %s: committing %d partition(s): %s", rq->id,
           rq->safe->cnt, rd_kafka_err2name(e));
    if (e) {
        rq->commit_failed = 1;
        rt_log(rq->w.rt, WR_LOG_WARN, "query %s: offset commit failed: %s (retrying on the next "
               "cycle)", rq->id, rd_kafka_err2str(e));
        return;
    }
    rq->commits_in_flight++;
    rq->commit_failed = 0;
}

/* Synchronous commit of offs (TERMINATE, revoke, shutdown).  0 or -1 (logged). */
static int query_commit_sync(rt_query *rq, rd_kafka_topic_partition_list_t *offs)
{
    wr_runtime *rt = rq->w.rt;
    if (!offs || offs->cnt == 0)
        return 0;
    if (rt->brokers_down) {
        rt_log(rt, WR_LOG_WARN, "query %s: not committing: no broker is reachable", rq->id);
        return -1;
    }
    /* the offset_commit_cb reports this commit too (and counts it) */
    rq->commits_in_flight++;
    rd_kafka_resp_err_t e = rd_kafka_commit(rq->rk, offs, 0);
    if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        rt_log(rt, WR_LOG_WARN, "query %s: offset commit failed: %s", rq->id, rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

static void on_offset_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    rt_query *rq = opaque;
    wr_runtime *rt = rq->w.rt;
    if (rq->commits_in_flight > 0)
        rq->commits_in_flight--;
    rt_log(rt, WR_LOG_DEBUG, "query %s: commit result %s (%d partition(s))", rq->id,
           rd_kafka_err2name(err), offsets ? offsets->cnt : 0);
    int last_stop_commit = rq->stop_commits > 0 && --rq->stop_commits == 0;
    if (!err && offsets)
        for (int i = 0; i < offsets->cnt; i++)
            if (offsets->elems[i].err) {
                err = offsets->elems[i].err;
                break;
            }
    /* stopping, a stateful query's positions are already committed with its state (see
     * shutdown_commit), and those are what the next start resumes from */
    int state_has_it = rt->stopping && rq->stateful;
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        rq->commit_failed = 1;
        rt_log(rt, state_has_it ? WR_LOG_INFO : WR_LOG_WARN, "query %s: offset commit failed: %s%s",
               rq->id, rd_kafka_err2str(err),
               state_has_it ? " (the offsets committed with the state will be used)"
               : rt->stopping ? "" : " (retrying on the next cycle)");
    } else if (!err) {
        rt->stats.commits++;
        rt_broker_ok(rt);
    }
    if (last_stop_commit && rt->stop_phase == RT_STOP_COMMIT) {
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET && !state_has_it)
            rt->stop_status = -1;
        if (--rt->stop_commits == 0)
            stop_soon(rt);
    }
}

/* Every snapshot up to seq is covered by acknowledged outputs: the newest becomes `safe`. */
static void query_take_safe(rt_query *rq, uint64_t seq)
{
    rd_kafka_topic_partition_list_t *newest = NULL;
    rt_snap *s;
    while ((s = rq->snaps) && s->seq <= seq) {
        rq->snaps = s->next;
        if (newest)
            rd_kafka_topic_partition_list_destroy(newest);
        newest = s->offsets;
        free(s);
    }
    if (!rq->snaps)
        rq->snaps_tail = NULL;
    if (!newest)
        return;
    if (rq->safe)
        rd_kafka_topic_partition_list_destroy(rq->safe);
    rq->safe = newest;
    query_commit_async(rq);
}


/* Frees the oldest epochs that are closed and fully acknowledged; commits what they cover. */
static void epochs_advance(wr_runtime *rt)
{
    uint64_t safe = 0;
    int moved = 0;
    while (rt->epochs && rt->epochs != rt->cur && rt->epochs->closed &&
           rt->epochs->outstanding == 0) {
        rt_epoch *ep = rt->epochs;
        rt->epochs = ep->next;
        safe = ep->seq;
        moved = 1;
        free(ep);
    }
    if (moved)
        for (rt_query *rq = rt->queries; rq; rq = rq->next)
            query_take_safe(rq, safe);
}

void rt_epoch_done(wr_runtime *rt, rt_epoch *ep)
{
    if (rt->inflight > 0)
        rt->inflight--;
    if (ep && --ep->outstanding == 0 && ep->closed && ep == rt->epochs)
        epochs_advance(rt);
    if (rt->stopping && rt->stop_phase == RT_STOP_DRAIN && rt->inflight == 0)
        stop_soon(rt);
    if (rt->cycling && rt->inflight == 0 && rt->cycle_timer_open && !rt->stopping)
        uv_timer_start(&rt->cycle_timer, on_cycle_timer, 0, 0); /* not from inside a callback */
}

static void epoch_open(wr_runtime *rt)
{
    rt_epoch *ep = wr_xcalloc(1, sizeof *ep);
    ep->seq = ++rt->next_seq;
    if (rt->cur)
        rt->cur->next = ep;
    else
        rt->epochs = ep;
    rt->cur = ep;
}

/* Closes the current epoch with a snapshot of every query's positions; opens the next. */
static void epoch_close(wr_runtime *rt)
{
    rt_epoch *ep = rt->cur;
    for (rt_query *rq = rt->queries; rq; rq = rq->next) {
        if (!rq->dirty || rq->closing)
            continue;
        rt_snap *s = wr_xcalloc(1, sizeof *s);
        s->seq = ep->seq;
        s->offsets = rd_kafka_topic_partition_list_copy(rq->pos);
        if (rq->snaps_tail)
            rq->snaps_tail->next = s;
        else
            rq->snaps = s;
        rq->snaps_tail = s;
        rq->dirty = 0;
    }
    ep->closed = 1;
    epoch_open(rt);
    epochs_advance(rt);
}

/* ---------------------------------------------------------------- properties */

static const char *prop(wr_runtime *rt, const char *name)
{
    const char *v = wr_engine_get_property(rt->eng, name);
    return v && *v ? v : NULL;
}

static int64_t prop_ms(wr_runtime *rt, const char *a, const char *b, int64_t dflt)
{
    const char *v = prop(rt, a);
    if (!v && b)
        v = prop(rt, b);
    if (!v)
        return dflt;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end || n < 0) {
        rt_log(rt, WR_LOG_WARN, "property %s='%s' is not a number of milliseconds; using %lld",
               a, v, (long long)dflt);
        return dflt;
    }
    return n;
}

static const char *offset_reset(wr_runtime *rt)
{
    const char *v = prop(rt, "auto.offset.reset");
    if (!v)
        v = prop(rt, "ksql.streams.auto.offset.reset");
    return v ? v : "latest";
}

/* ---------------------------------------------------------------- backpressure */

static void pause_resume_all(wr_runtime *rt, int pause)
{
    int n = 0;
    for (rt_query *rq = rt->queries; rq; rq = rq->next) {
        if (!rq->rk || rq->closing)
            continue;
        rd_kafka_topic_partition_list_t *l = NULL;
        if (rd_kafka_assignment(rq->rk, &l) == RD_KAFKA_RESP_ERR_NO_ERROR && l) {
            if (l->cnt)
                pause ? rd_kafka_pause_partitions(rq->rk, l) : rd_kafka_resume_partitions(rq->rk, l);
            n += l->cnt;
            rd_kafka_topic_partition_list_destroy(l);
        }
        if (!pause)
            rt_wake_more(&rq->w); /* stale fetches were dropped: serve the queue again */
    }
    rt->stats.paused = pause ? n : 0;
}

static void backpressure_pause(wr_runtime *rt)
{
    if (rt->paused)
        return;
    rt->paused = 1;
    pause_resume_all(rt, 1);
    rt_log(rt, WR_LOG_INFO, "backpressure: %d records waiting for the broker, pausing %d "
           "source partition(s)", rd_kafka_outq_len(rt->producer), rt->stats.paused);
}

void rt_backpressure_check(wr_runtime *rt)
{
    if (!rt->paused || !rt->producer || rd_kafka_outq_len(rt->producer) >= RT_PAUSE_LOW)
        return;
    rt->paused = 0;
    pause_resume_all(rt, 0);
    rt_log(rt, WR_LOG_INFO, "backpressure: producer queue down to %d records, resuming",
           rd_kafka_outq_len(rt->producer));
}

void rt_backpressure_after_produce(wr_runtime *rt, int queue_full)
{
    if (!rt->paused && (queue_full || rd_kafka_outq_len(rt->producer) > RT_PAUSE_HIGH))
        backpressure_pause(rt);
}

/* ---------------------------------------------------------------- persistent queries */

static rt_query *query_find_id(wr_runtime *rt, const char *id)
{
    for (rt_query *rq = rt->queries; rq; rq = rq->next)
        if (!rq->closing && strcmp(rq->id, id) == 0)
            return rq;
    return NULL;
}

/* Windowed keys on Kafka carry the window after the key (Kafka Streams' layout): time
 * windows 8 bytes start, session windows 8 bytes end then 8 bytes start (big-endian). */
void rt_record_from_message(wr_runtime *rt, const rd_kafka_message_t *m, wr_record *rec,
                            wr_header *hdrs, int nh, int windowed)
{
    memset(rec, 0, sizeof *rec);
    rec->key = m->key;
    rec->key_len = m->key ? m->key_len : 0;
    rec->value = m->payload;
    rec->value_len = m->payload ? m->len : 0;
    rd_kafka_timestamp_type_t tt;
    int64_t ts = rd_kafka_message_timestamp(m, &tt);
    rec->ts = ts >= 0 ? ts : 0;
    rec->partition = m->partition;
    rec->offset = m->offset;
    if (windowed && rec->key) {
        const unsigned char *k = (const unsigned char *)rec->key;
        if (windowed == WR_WIN_SESSION && rec->key_len >= 16) {
            rec->win_kind = WR_WIN_SESSION;
            rec->win_end = (int64_t)wr_be_get(k + rec->key_len - 16, 8);
            rec->win_start = (int64_t)wr_be_get(k + rec->key_len - 8, 8);
            rec->key_len -= 16;
        } else if (windowed != WR_WIN_SESSION && rec->key_len >= 8) {
            rec->win_kind = windowed;
            rec->win_start = (int64_t)wr_be_get(k + rec->key_len - 8, 8);
            rec->win_end = rec->win_start; /* the window size is not on the wire */
            rec->key_len -= 8;
        }
    }
    rd_kafka_headers_t *hs = NULL;
    if (nh > 0 && rd_kafka_message_headers(m, &hs) == RD_KAFKA_RESP_ERR_NO_ERROR && hs) {
        size_t n = rd_kafka_header_cnt(hs);
        int k = 0;
        for (size_t i = 0; i < n && k < nh; i++) {
            const char *name;
            const void *val;
            size_t size;
            if (rd_kafka_header_get_all(hs, i, &name, &val, &size))
                break;
            hdrs[k].key = name;
            hdrs[k].value = val;
            hdrs[k].len = val ? size : 0;
            k++;
        }
        rec->nheaders = k;
        rec->headers = hdrs;
    }
}

static void query_message(rt_query *rq, rd_kafka_message_t *m)
{
    wr_runtime *rt = rq->w.rt;
    if (m->err) {
        /* consumer errors repeat while they last: log each kind once in a row */
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && m->err != rq->last_err)
            rt_log(rt, WR_LOG_WARN, "query %s: %s", rq->id, rd_kafka_message_errstr(m));
        rq->last_err = m->err;
        return;
    }
    if (rq->last_err || rt->brokers_down) {
        rq->last_err = 0;
        rt_broker_ok(rt);
    }
    const char *topic = rd_kafka_topic_name(m->rkt);
    if (rq->batch_revoked && tp_index(rq->batch_revoked, topic, m->partition) >= 0)
        return; /* revoked while this batch was taken: the new owner reads it */
    rq->len_sum += (int64_t)m->len;
    rq->len_cnt++;
    if (rq->q) {
        if (topic != rq->last_topic) {
            rq->last_topic = topic;
            rq->last_ti = wr_engine_topic_info(rt->eng, topic);
        }
        wr_header hdrs[64];
        wr_record rec;
        rt_record_from_message(rt, m, &rec, hdrs, 64, rq->last_ti ? rq->last_ti->windowed : 0);
        wr_error err;
        wr_error_clear(&err);
        if (wr_query_process(rq->q, topic, &rec, &err) != 0) {
            /* the engine already wrote the processing log; the record counts as done */
            if (rq->failures++ < 10)
                rt_log(rt, WR_LOG_ERROR, "query %s: record %s/%d@%lld failed: %s", rq->id, topic,
                       (int)m->partition, (long long)m->offset, err.msg);
        }
    }
    pos_set(rq, topic, m->partition, m->offset + 1);
    rt->stats.consumed++;
}

/* librdkafka stops fetching for a consumer whose queue holds queued.min.messages or
 * queued.max.messages.kbytes, and before 2.1 (fetch.queue.backoff.ms) its broker thread looks
 * again only once a second: a query that drains 16 MiB faster than that sat idle for the rest
 * of the second (measured: 0.4-0.8 s stalls after every 100 000 records, two thirds of the
 * throughput lost).  So when the queue had reached a limit and is now empty, each partition
 * is sought to the position the query has reached (rq->pos): a seek to a concrete offset wakes
 * the partition leader's broker thread, which then looks at every partition it fetches.
 * Nothing is lost or read twice: the queue is empty, the seek's version barrier drops any
 * fetch response still in flight, and fetching resumes exactly at the query's position.
 * (Pause and resume do not help: they are served by another thread and never wake it.) */
static void query_fetch_kick(rt_query *rq)
{
    rq->fetch_full = 0;
    if (!rq->pos || rq->pos->cnt == 0)
        return;
    rd_kafka_error_t *e = rd_kafka_seek_partitions(rq->rk, rq->pos, 0);
    if (e) {
        rt_log(rq->w.rt, WR_LOG_DEBUG, "query %s: seek: %s", rq->id, rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return;
    }
    rq->kicks++;
    rt_log(rq->w.rt, WR_LOG_DEBUG, "query %s: consumer queue drained after reaching its limit: "
           "fetching again (%d partition(s))", rq->id, rq->pos->cnt);
}

/* The consumer queue's limits, read back from the configuration (the pass-through may have
 * changed them); librdkafka 2.1 and later wake up by themselves (fetch.queue.backoff.ms). */
static void query_fetch_limits(rt_query *rq, rd_kafka_conf_t *conf)
{
    char v[64];
    size_t n = sizeof v;
    rq->fetch_min_msgs = rq->fetch_max_bytes = 0;
    if (rd_kafka_version() >= RT_RK_FETCH_QUEUE_BACKOFF)
        return;
    if (rd_kafka_conf_get(conf, "queued.min.messages", v, &n) == RD_KAFKA_CONF_OK)
        rq->fetch_min_msgs = strtoll(v, NULL, 10);
    n = sizeof v;
    if (rd_kafka_conf_get(conf, "queued.max.messages.kbytes", v, &n) == RD_KAFKA_CONF_OK)
        rq->fetch_max_bytes = strtoll(v, NULL, 10) * 1024;
}

static void query_teardown(rt_query *rq, int commit);

/* Serves the consumer queue: one batch of up to RT_BATCH records (and the callbacks queued
 * among them: rebalances, commit results), then yields to the loop. */
static void query_serve(rt_wake *w)
{
    rt_query *rq = (rt_query *)w;
    wr_runtime *rt = w->rt;
    if (!rq->rk || rq->closing)
        return;
    if (rt->stopping) { /* commit results only: what is fetched now is read again later */
        rd_kafka_message_t *m;
        for (int n = 0; n < RT_BATCH && (m = rd_kafka_consumer_poll(rq->rk, 0)); n++)
            rd_kafka_message_destroy(m);
        return;
    }
    if (rt->fatal || rt->cycling) /* the commit barrier wakes every query when it ends */
        return;
    rq->in_serve = 1;
    rq->last_topic = NULL; /* the catalog may have changed since the last batch */
    if (rq->fetch_min_msgs > 0 && !rq->fetch_full) {
        int64_t qlen = (int64_t)rd_kafka_queue_length(rq->rkq);
        int64_t avg = rq->len_cnt > 0 ? rq->len_sum / rq->len_cnt : 1;
        if (qlen * 10 >= rq->fetch_min_msgs * 8 || qlen * avg * 10 >= rq->fetch_max_bytes * 8)
            rq->fetch_full = 1;
    }
    rd_kafka_message_t *msgs[RT_BATCH];
    rq->in_batch = 1;
    ssize_t n = rd_kafka_consume_batch_queue(rq->rkq, 0, msgs, RT_BATCH);
    rq->in_batch = 0;
    for (ssize_t i = 0; i < n; i++) {
        if (!rq->close_requested && !rt->fatal && !rt->stopping)
            query_message(rq, msgs[i]);
        rd_kafka_message_destroy(msgs[i]);
    }
    if (rq->batch_revoked) {
        rd_kafka_topic_partition_list_destroy(rq->batch_revoked);
        rq->batch_revoked = NULL;
    }
    rq->in_serve = 0;
    if (rq->close_requested) {
        query_teardown(rq, 1);
        return;
    }
    if (rq->stateful && n > 0 && wr_engine_commit_wanted(rt->eng))
        cycle_start(rt); /* the write-back cache is full: commit now */
    if (rt->cycling)
        return;
    if (n == RT_BATCH)
        rt_wake_more(w);
    else if (n >= 0 && rq->fetch_full && !rt->paused && !rt->stopping && !rt->fatal)
        query_fetch_kick(rq);
}

static void tp_list_text(const rd_kafka_topic_partition_list_t *l, char *buf, size_t size)
{
    size_t off = 0;
    buf[0] = 0;
    for (int i = 0; i < l->cnt && off + 32 < size; i++) {
        int n = snprintf(buf + off, size - off, "%s%s[%d]", i ? ", " : "", l->elems[i].topic,
                         (int)l->elems[i].partition);
        if (n < 0)
            break;
        off += (size_t)n;
    }
    if (off + 32 >= size && size > 4)
        strcpy(buf + size - 5, "...");
}

/* Commits the state with the positions right now; everything produced must have been
 * acknowledged (acked: the producer was flushed).  1 when committed. */
static int state_commit_now(wr_runtime *rt, int acked)
{
    if (!acked)
        return 0;
    wr_error err;
    wr_error_clear(&err);
    if (rt_state_commit(rt, &err) != 0) {
        rt_log(rt, WR_LOG_ERROR, "state commit failed: %s", err.msg);
        return 0;
    }
    return 1;
}

/* Revoked partitions: let their outputs be acknowledged, then commit where we are. */
static void query_revoke(rt_query *rq, rd_kafka_topic_partition_list_t *parts)
{
    wr_runtime *rt = rq->w.rt;
    if (rd_kafka_assignment_lost(rq->rk)) {
        rt_log(rt, WR_LOG_WARN, "query %s: partitions lost (group session expired): they are read "
               "again from the last committed offsets", rq->id);
        return;
    }
    if (rq->stateful)
        rt_engine_flush(rt);
    int flushed = rt->producer && rd_kafka_flush(rt->producer, RT_FLUSH_MS) == 0;
    if (rq->stateful && !state_commit_now(rt, flushed))
        flushed = 0; /* the state could not be committed: only the safe snapshot goes to Kafka */
    rd_kafka_topic_partition_list_t *c = rd_kafka_topic_partition_list_new(parts->cnt);
    for (int i = 0; i < parts->cnt; i++) {
        const char *t = parts->elems[i].topic;
        int32_t p = parts->elems[i].partition;
        /* flushed: everything processed is acknowledged; otherwise only the safe snapshot */
        const rd_kafka_topic_partition_list_t *src = flushed ? rq->pos : rq->safe;
        int k = src ? tp_index(src, t, p) : -1;
        if (k >= 0)
            rd_kafka_topic_partition_list_add(c, t, p)->offset = src->elems[k].offset;
    }
    if (!flushed)
        rt_log(rt, WR_LOG_WARN, "query %s: outputs not acknowledged within %d s while partitions "
               "were revoked; committing only acknowledged work", rq->id, RT_FLUSH_MS / 1000);
    query_commit_sync(rq, c);
    rd_kafka_topic_partition_list_destroy(c);
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    rt_query *rq = opaque;
    wr_runtime *rt = rq->w.rt;
    int coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    char text[512];
    tp_list_text(parts, text, sizeof text);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (rq->stateful && parts->cnt) {
            /* the state's offsets win over Kafka's: they are those of the state itself */
            int found = rt_state_offsets(rq, parts);
            if (found > 0)
                rt_log(rt, WR_LOG_INFO, "query %s: %d partition(s) resume at the offsets "
                       "committed with the state", rq->id, found);
            else if (found < 0)
                rt_log(rt, WR_LOG_WARN, "query %s: cannot read the state's offsets; resuming "
                       "from Kafka's", rq->id);
        }
        if (coop) {
            rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
            if (e) {
                rt_log(rt, WR_LOG_WARN, "query %s: assign failed: %s", rq->id,
                       rd_kafka_error_string(e));
                rd_kafka_error_destroy(e);
            }
            rq->assigned += parts->cnt;
        } else {
            rd_kafka_assign(rk, parts);
            rq->assigned = parts->cnt;
        }
        if (rt->paused && parts->cnt)
            rd_kafka_pause_partitions(rk, parts);
        rt_log(rt, WR_LOG_INFO, "query %s: assigned %d partition(s): %s", rq->id, parts->cnt, text);
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        if (rq->in_batch && parts->cnt) { /* see query_message */
            if (!rq->batch_revoked)
                rq->batch_revoked = rd_kafka_topic_partition_list_new(parts->cnt);
            for (int i = 0; i < parts->cnt; i++)
                rd_kafka_topic_partition_list_add(rq->batch_revoked, parts->elems[i].topic,
                                                  parts->elems[i].partition);
        }
        if (!rq->closing && !rt->stopping && !rt->fatal && parts->cnt)
            query_revoke(rq, parts);
        tp_remove(rq->pos, parts);
        tp_remove(rq->safe, parts);
        for (rt_snap *s = rq->snaps; s; s = s->next)
            tp_remove(s->offsets, parts);
        rq->pos_hint = -1;
        if (coop) {
            rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
            if (e)
                rd_kafka_error_destroy(e);
            rq->assigned -= parts->cnt;
        } else {
            rd_kafka_assign(rk, NULL);
            rq->assigned = 0;
        }
        if (!rq->closing)
            rt_log(rt, WR_LOG_INFO, "query %s: revoked %d partition(s): %s", rq->id, parts->cnt,
                   text);
        return;
    }
    rt_log(rt, WR_LOG_WARN, "query %s: rebalance failed: %s", rq->id, rd_kafka_err2str(err));
    rd_kafka_assign(rk, NULL);
    rq->assigned = 0;
}

static void query_free(rt_query *rq)
{
    rt_snap *s = rq->snaps;
    while (s) {
        rt_snap *n = s->next;
        rd_kafka_topic_partition_list_destroy(s->offsets);
        free(s);
        s = n;
    }
    if (rq->pos)
        rd_kafka_topic_partition_list_destroy(rq->pos);
    if (rq->safe)
        rd_kafka_topic_partition_list_destroy(rq->safe);
    free(rq->id);
    free(rq->dlq);
    free(rq->group);
    free(rq);
}

static void query_freed(rt_wake *w)
{
    query_free((rt_query *)w);
}

static void query_closed(rt_wake *w)
{
    wr_runtime *rt = w->rt;
    int counted = ((rt_query *)w)->close_counted;
    query_free((rt_query *)w);
    if (counted && --rt->nclosing == 0)
        stop_soon(rt);
}

/* Closes the consumer and the handles; commit: commit what is safe first (TERMINATE). */
static void *destroy_thread(void *arg)
{
    rd_kafka_destroy_flags(arg, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    return NULL;
}

/* A consumer whose group coordinator does not answer: rd_kafka_destroy waits for its pending
 * requests (up to the session timeout), so it is destroyed on a thread of its own and the
 * shutdown goes on.  Nothing of ours is used by it any more (no callbacks are served). */
static void destroy_in_background(wr_runtime *rt, rd_kafka_t *rk)
{
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, destroy_thread, rk) != 0) {
        rt_log(rt, WR_LOG_WARN, "cannot start a thread: destroying the consumer here");
        destroy_thread(rk);
    }
    pthread_attr_destroy(&attr);
}

static void query_teardown(rt_query *rq, int commit)
{
    wr_runtime *rt = rq->w.rt;
    rq->closing = 1;
    rq->q = NULL;
    if (rq->w.open)
        uv_poll_stop(&rq->w.poll);
    if (commit && rq->rk && !rt->fatal) {
        if (rq->stateful)
            rt_engine_flush(rt); /* the other queries' held outputs (this one is closing) */
        int flushed = rt->producer && rd_kafka_flush(rt->producer, RT_FLUSH_MS) == 0;
        if (rq->stateful && !state_commit_now(rt, flushed))
            flushed = 0;
        query_commit_sync(rq, flushed ? rq->pos : rq->safe);
    }
    for (rt_query **pp = &rt->queries; *pp; pp = &(*pp)->next)
        if (*pp == rq) {
            *pp = rq->next;
            break;
        }
    rt->stats.queries--;
    if (rq->rkq) {
        rd_kafka_queue_io_event_enable(rq->rkq, -1, NULL, 0);
        rd_kafka_queue_destroy(rq->rkq);
        rq->rkq = NULL;
    }
    if (rq->rk) {
        if (rt->skip_close) {
            destroy_in_background(rt, rq->rk);
        } else if (rt->fatal) {
            rd_kafka_destroy_flags(rq->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        } else {
            rd_kafka_consumer_close(rq->rk);
            rd_kafka_destroy(rq->rk);
        }
        rq->rk = NULL;
    }
    rt_wake_close(&rq->w);
}

static void query_close(rt_query *rq, int commit)
{
    if (rq->closing)
        return;
    rq->q = NULL;
    if (rq->in_serve) {
        rq->close_requested = 1;
        return;
    }
    query_teardown(rq, commit);
}

/* engine hook: a persistent query is about to be freed (TERMINATE, DROP, engine free) */
static void on_query_closing(void *ud, wr_query *q)
{
    wr_runtime *rt = ud;
    for (rt_query *rq = rt->queries; rq; rq = rq->next)
        if (rq->q == q) {
            rt_log(rt, WR_LOG_INFO, "query %s: stopping its consumer", rq->id);
            query_close(rq, !rt->stopping);
            return;
        }
}

static int query_start(wr_runtime *rt, wr_query *q, wr_error *err)
{
    rt_query *rq = wr_xcalloc(1, sizeof *rq);
    rq->w.kind = RT_QUERY;
    rq->w.rt = rt;
    rq->w.serve = query_serve;
    rq->w.closed = query_closed;
    rq->q = q;
    rq->id = wr_xstrdup(wr_query_id(q));
    rq->pos = rd_kafka_topic_partition_list_new(8);
    rq->pos_hint = -1;

    const char *dlq = prop(rt, "errors.deadletterqueue.topic.name");
    if (dlq) {
        wr_error e2;
        wr_error_clear(&e2);
        if (rt_topic_partitions(rt, dlq) < 0 && rt_topic_create(rt, dlq, 1, -1, &e2) != 0)
            rt_log(rt, WR_LOG_WARN, "query %s: cannot create dead-letter topic '%s': %s", rq->id,
                   dlq, e2.msg);
        rq->dlq = wr_xstrdup(dlq);
    }

    char group[512];
    snprintf(group, sizeof group, "_confluent-ksql-%squery_%s", rt->service_id, rq->id);
    rq->group = wr_xstrdup(group);
    rq->stateful = wr_query_stateful(q);
    /* bounded prefetch (4 MiB of records per query: measured as fast as 16 MiB on bench/kafka.sh
     * and 20-30 MiB smaller); see query_fetch_kick for librdkafka < 2.1 */
    const char *tuning[] = {"queued.max.messages.kbytes", "4096", "fetch.max.bytes", "8388608",
                            rd_kafka_version() >= RT_RK_FETCH_QUEUE_BACKOFF ?
                                "fetch.queue.backoff.ms" : NULL, "10", NULL};
    rd_kafka_conf_t *conf = rt_conf_new(rt, tuning, err);
    if (!conf)
        goto fail;
    if (rt_conf_set(conf, "group.id", group, err) ||
        rt_conf_set(conf, "enable.auto.commit", "false", err) ||
        rt_conf_set(conf, "enable.auto.offset.store", "false", err) ||
        rt_conf_set(conf, "auto.offset.reset", offset_reset(rt), err)) {
        rd_kafka_conf_destroy(conf);
        goto fail;
    }
    query_fetch_limits(rq, conf);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf, on_offset_commit);
    rd_kafka_conf_set_opaque(conf, rq);
    char errstr[512];
    rq->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rq->rk) {
        rd_kafka_conf_destroy(conf);
        wr_error_set(err, WR_EKAFKA, "cannot create the consumer of query %s: %s", rq->id, errstr);
        goto fail;
    }
    rd_kafka_set_log_queue(rq->rk, NULL);
    rd_kafka_poll_set_consumer(rq->rk);
    rq->rkq = rd_kafka_queue_get_consumer(rq->rk);
    if (rt_wake_open(rt, &rq->w, rq->rkq, err))
        goto fail;

    int ns = wr_query_source_count(q);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(ns + 1);
    int nparts = 1;
    for (int i = 0; i < ns; i++) {
        const char *t = wr_query_source_topic(q, i);
        if (tp_index(sub, t, RD_KAFKA_PARTITION_UA) < 0)
            rd_kafka_topic_partition_list_add(sub, t, RD_KAFKA_PARTITION_UA);
        int np = rt_topic_partitions(rt, t);
        if (np > nparts)
            nparts = np;
    }
    /* an aggregation that re-keys reads its repartition topic too (same consumer and group,
     * as a Kafka Streams application reads all its topics); it has as many partitions as
     * the source, like ksqlDB's */
    const char *rp = wr_query_repartition_topic(q);
    if (rp) {
        if (rt_topic_partitions(rt, rp) < 0 && rt_topic_create(rt, rp, nparts, -1, err) != 0) {
            rd_kafka_topic_partition_list_destroy(sub);
            goto fail;
        }
        rd_kafka_topic_partition_list_add(sub, rp, RD_KAFKA_PARTITION_UA);
        rt_log(rt, WR_LOG_INFO, "query %s: GROUP BY re-keys: records go through %s "
               "(%d partitions)", rq->id, rp, nparts);
    }
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rq->rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        wr_error_set(err, WR_EKAFKA, "query %s: cannot subscribe: %s", rq->id, rd_kafka_err2str(e));
        goto fail;
    }
    rq->next = rt->queries;
    rt->queries = rq;
    rt->stats.queries++;
    rt_log(rt, WR_LOG_DEBUG, "query %s: consuming (group %s, auto.offset.reset=%s)", rq->id,
           group, offset_reset(rt));
    return 0;
fail:
    rq->closing = 1;
    if (rq->rkq) {
        rd_kafka_queue_io_event_enable(rq->rkq, -1, NULL, 0);
        rd_kafka_queue_destroy(rq->rkq);
        rq->rkq = NULL;
    }
    if (rq->rk) {
        rd_kafka_destroy(rq->rk);
        rq->rk = NULL;
    }
    rq->w.closed = query_freed;
    rt_wake_close(&rq->w);
    return err->code ? err->code : WR_EKAFKA;
}

/* ---------------------------------------------------------------- processing log */

static const char *const plog_type_names[] = {"deserialization", "processing", "production",
                                              "serialization"};
static const char *const plog_type_verbs[] = {"Failed to deserialize", "Failed to process",
                                              "Failed to produce", "Failed to serialize"};

static void plog_echo(wr_runtime *rt, const char *qid, int type, const char *reason,
                      const char *topic, const wr_record *rec)
{
    if (rt->opts.interactive)
        return;
    if (rt->plog_echoed >= RT_PLOG_ECHO) {
        rt->plog_suppressed++;
        return;
    }
    rt->plog_echoed++;
    char where[300] = "";
    if (rec && topic)
        snprintf(where, sizeof where, " (topic %s, partition %d, offset %lld)", topic,
                 (int)rec->partition, (long long)rec->offset);
    const char *verb = plog_type_verbs[type >= 0 && type <= 3 ? type : 1];
    if (strncmp(reason, "Failed", 6) == 0)
        rt_log(rt, WR_LOG_WARN, "%s: %s%s", qid ? qid : "-", reason, where);
    else
        rt_log(rt, WR_LOG_WARN, "%s: %s record%s: %s", qid ? qid : "-", verb, where, reason);
}

static void dead_letter(wr_runtime *rt, rt_query *rq, const wr_plog_entry *e)
{
    const wr_record *in = e->record;
    char part[24], off[24];
    snprintf(part, sizeof part, "%d", (int)in->partition);
    snprintf(off, sizeof off, "%lld", (long long)in->offset);
    int type = e->type >= 0 && e->type <= 3 ? e->type : 1;
    const char *topic = e->topic ? e->topic : "";
    wr_header hs[6] = {
        {"weir.error.reason", e->reason ? e->reason : "", strlen(e->reason ? e->reason : "")},
        {"weir.error.query", e->query_id, strlen(e->query_id)},
        {"weir.error.type", plog_type_names[type], strlen(plog_type_names[type])},
        {"weir.error.topic", topic, strlen(topic)},
        {"weir.error.partition", part, strlen(part)},
        {"weir.error.offset", off, strlen(off)},
    };
    wr_record rec;
    memset(&rec, 0, sizeof rec);
    rec.key = in->key;
    rec.key_len = in->key_len;
    rec.value = in->value;
    rec.value_len = in->value_len;
    rec.ts = in->ts;
    rec.partition = -1;
    rec.offset = -1;
    rec.nheaders = 6;
    rec.headers = hs;
    wr_error err;
    wr_error_clear(&err);
    if (rt_produce(rt, rq->dlq, &rec, &err))
        rt_log(rt, WR_LOG_ERROR, "query %s: dead letter lost: %s", rq->id, err.msg);
    else
        rt->stats.dead_letters++;
}

static void plog_write(wr_runtime *rt, const char *json)
{
    if (rt->fatal)
        return; /* the producer is gone; the fatal error was logged */
    wr_record rec;
    memset(&rec, 0, sizeof rec);
    rec.value = json;
    rec.value_len = strlen(json);
    rec.ts = wr_now_ms();
    rec.partition = -1;
    rec.offset = -1;
    wr_error err;
    wr_error_clear(&err);
    if (rt_produce(rt, rt->plog_topic, &rec, &err))
        rt_log(rt, WR_LOG_ERROR, "processing-log entry lost: %s", err.msg);
}

static void on_plog(void *ud, const wr_plog_entry *e)
{
    wr_runtime *rt = ud;
    rt->stats.plog++;
    plog_write(rt, e->json);
    plog_echo(rt, e->query_id, e->type, e->reason ? e->reason : "", e->topic, e->record);
    if (e->dropped && e->record && e->query_id) {
        rt_query *rq = query_find_id(rt, e->query_id);
        if (rq && rq->dlq)
            dead_letter(rt, rq, e);
    }
}

void rt_plog_production_error(wr_runtime *rt, const char *query_id, const char *msg)
{
    wr_buf b;
    wr_buf_init(&b);
    const char *qid = query_id ? query_id : "-";
    wr_buf_printf(&b, "{\"level\":\"ERROR\",\"logger\":\"processing.%s.KsqlTopic.Sink.producer\","
                  "\"time\":%lld,\"message\":{\"type\":2,\"deserializationError\":null,"
                  "\"recordProcessingError\":null,\"productionError\":{\"errorMessage\":",
                  qid, (long long)wr_now_ms());
    wr_json_write_string(msg, strlen(msg), &b);
    wr_buf_puts(&b, "},\"serializationError\":null,\"kafkaStreamsThreadError\":null}}");
    rt->stats.plog++;
    plog_write(rt, b.data);
    plog_echo(rt, qid, 2, msg, NULL, NULL);
    wr_buf_fini(&b);
}

/* ---------------------------------------------------------------- commit timer */

/* The commit cycle.  Without state: close the epoch (its offsets are committed to Kafka once
 * its outputs are acknowledged).  With state (runtime_state.c): a barrier - no records are
 * taken, coalesced outputs are emitted, and when every output is acknowledged the state is
 * committed with the positions, then the epoch closes. */
static void cycle_finish(wr_runtime *rt)
{
    rt->cycling = 0;
    if (rt->cycle_timer_open)
        uv_timer_stop(&rt->cycle_timer);
    wr_error err;
    wr_error_clear(&err);
    if (rt_state_commit(rt, &err) != 0) {
        rt->state_failures++;
        rt_log(rt, WR_LOG_ERROR, "state commit failed: %s (%s)", err.msg,
               rt->state_failures < 5 ? "retrying at the next commit cycle" : "giving up");
        if (rt->state_failures >= 5) {
            char msg[600];
            snprintf(msg, sizeof msg, "state: %s", err.msg);
            rt_on_fatal(rt, msg);
            return;
        }
    } else {
        rt->state_failures = 0;
        epoch_close(rt);
    }
    for (rt_query *rq = rt->queries; rq; rq = rq->next)
        rt_wake_more(&rq->w);
}

static void on_cycle_timer(uv_timer_t *t)
{
    wr_runtime *rt = t->data;
    if (rt->cycling && rt->inflight == 0 && !rt->stopping && !rt->fatal)
        cycle_finish(rt);
}

static void cycle_start(wr_runtime *rt)
{
    if (rt->stopping || rt->fatal || rt->cycling)
        return;
    if (!rt_has_state(rt)) {
        epoch_close(rt);
        return;
    }
    rt->cycling = 1;
    rt_engine_flush(rt);
    if (rt->inflight == 0)
        cycle_finish(rt);
}

static void on_commit_timer(uv_timer_t *t)
{
    wr_runtime *rt = t->data;
    if (rt->stopping || rt->fatal)
        return;
    rt_log(rt, WR_LOG_DEBUG, "commit cycle: epoch %llu closes with %lld outstanding (%lld in flight)",
           (unsigned long long)rt->cur->seq, (long long)rt->cur->outstanding, (long long)rt->inflight);
    cycle_start(rt);
    for (rt_query *rq = rt->queries; rq; rq = rq->next) {
        if (rq->commit_failed && rq->commits_in_flight == 0)
            query_commit_async(rq);
        /* a consumer that is not polled for max.poll.interval.ms (5 min) leaves its group,
         * and an idle topic wakes nothing: poll each one every cycle */
        rt_wake_more(&rq->w);
    }
    if (rt->plog_suppressed > 0)
        rt_log(rt, WR_LOG_WARN, "... and %d more processing-log entries (topic %s)",
               rt->plog_suppressed, rt->plog_topic);
    rt->plog_echoed = rt->plog_suppressed = 0;
    int64_t iv = prop_ms(rt, "commit.interval.ms", "ksql.streams.commit.interval.ms", 2000);
    if (iv < 10)
        iv = 10;
    if (iv != rt->commit_interval) {
        rt->commit_interval = iv;
        uv_timer_set_repeat(t, (uint64_t)iv);
    }
}

/* ---------------------------------------------------------------- execute */

typedef struct exec_ctx {
    wr_runtime *rt;
    wr_result_cb cb;
    void *ud;
    wr_error err;   /* first query that failed to start */
} exec_ctx;

static void on_exec_result(void *ud, const wr_result *res)
{
    exec_ctx *x = ud;
    wr_runtime *rt = x->rt;
    if (res->kind == WR_RES_QUERY && res->query_id) {
        wr_query *q = NULL;
        for (int i = 0; i < wr_engine_query_count(rt->eng); i++) {
            wr_query *c = wr_engine_query_at(rt->eng, i);
            if (c && !wr_query_is_transient(c) && strcmp(wr_query_id(c), res->query_id) == 0)
                q = c;
        }
        wr_error e;
        wr_error_clear(&e);
        if (q && query_start(rt, q, &e) != 0) {
            rt_log(rt, WR_LOG_ERROR, "query %s does not run: %s", res->query_id, e.msg);
            if (!x->err.code)
                x->err = e;
        }
    }
    if (x->cb)
        x->cb(x->ud, res);
    else if (res->kind == WR_RES_PUSH && res->query)
        wr_query_close(res->query);
}

int wr_runtime_execute(wr_runtime *rt, const char *sql, size_t len, wr_result_cb cb, void *ud,
                       wr_error *err)
{
    wr_error local;
    if (!err)
        err = &local;
    if (rt->stopping)
        return wr_error_set(err, WR_EUSAGE, "the runtime is shutting down");
    exec_ctx x = {rt, cb, ud, {0}};
    int rc = wr_engine_execute(rt->eng, sql, len, on_exec_result, &x, err);
    if (!rc && x.err.code) {
        *err = x.err;
        rc = x.err.code;
    }
    return rc;
}

/* ---------------------------------------------------------------- startup */

static int mkdir_p(const char *path, wr_error *err)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return wr_error_set(err, WR_EUSAGE, "bad state directory '%s'", path);
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
            return wr_error_set(err, WR_EIO, "cannot create %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0700) < 0 && errno != EEXIST)
        return wr_error_set(err, WR_EIO, "cannot create state directory %s: %s", buf,
                            strerror(errno));
    struct stat st;
    if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
        return wr_error_set(err, WR_EIO, "state directory %s is not a directory", buf);
    return 0;
}

static int state_lock(wr_runtime *rt, const char *dir, wr_error *err)
{
    if (mkdir_p(dir, err))
        return err->code;
    char path[4200];
    snprintf(path, sizeof path, "%s/weir.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return wr_error_set(err, WR_EIO, "cannot open %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return wr_error_set(err, WR_EUSAGE,
                                "state directory %s is in use by another weir process", dir);
        return wr_error_set(err, WR_EIO, "cannot lock %s: %s", path, strerror(e));
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && write(fd, pid, (size_t)n) < 0) {
        /* the pid is informational only */
    }
    rt->lock_fd = fd;
    return 0;
}

static int producer_start(wr_runtime *rt, wr_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char cid[300];
    snprintf(cid, sizeof cid, "weir-%s", rt->service_id);
    /* our defaults first, so that librdkafka.X pass-through properties can tune them; the
     * queue holds at most 16 MiB / 50 000 records (half the Java producer's buffer.memory):
     * on bench/kafka.sh as fast as 64 MiB / 100 000, and an aggregation's burst of coalesced
     * results at a commit costs tens of MiB less */
    if (rt_conf_set(conf, "bootstrap.servers", rt->bootstrap, err) ||
        rt_conf_set(conf, "client.id", cid, err) ||
        rt_conf_set(conf, "enable.idempotence", "true", err) ||
        rt_conf_set(conf, "partitioner", "murmur2_random", err) ||
        rt_conf_set(conf, "message.timeout.ms", "0", err) ||
        rt_conf_set(conf, "linger.ms", "5", err) ||
        rt_conf_set(conf, "queue.buffering.max.messages", "50000", err) ||
        rt_conf_set(conf, "queue.buffering.max.kbytes", "16384", err) ||
        rt_conf_set(conf, "log.queue", "true", err)) {
        rd_kafka_conf_destroy(conf);
        return err->code;
    }
    for (int i = 0; i < rt->nrk; i++)
        if (rt_conf_set(conf, rt->rk_keys[i], rt->rk_vals[i], err)) {
            rd_kafka_conf_destroy(conf);
            return err->code;
        }
    rd_kafka_conf_set_log_cb(conf, on_rk_log);
    rd_kafka_conf_set_error_cb(conf, on_rk_error);
    rd_kafka_conf_set_dr_msg_cb(conf, rt_on_delivery);
    rd_kafka_conf_set_opaque(conf, &rt->prod_wake);
    char errstr[512];
    rt->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rt->producer) {
        rd_kafka_conf_destroy(conf);
        return wr_error_set(err, WR_EKAFKA, "cannot create the Kafka producer: %s", errstr);
    }
    rd_kafka_set_log_queue(rt->producer, NULL);
    rt->prod_q = rd_kafka_queue_get_main(rt->producer);
    return 0;
}

static int processing_log_start(wr_runtime *rt)
{
    wr_error err;
    wr_error_clear(&err);
    int exists = rt_topic_partitions(rt, rt->plog_topic) >= 0;
    if (!exists) {
        if (rt_topic_create(rt, rt->plog_topic, 1, -1, &err) == 0)
            exists = 1;
        else
            rt_log(rt, WR_LOG_WARN, "cannot create processing-log topic '%s': %s",
                   rt->plog_topic, err.msg);
    }
    const char *ac = prop(rt, "ksql.logging.processing.stream.auto.create");
    if (ac && wr_strcaseeq(ac, "false"))
        return 0;
    wr_buf sql;
    wr_buf_init(&sql);
    wr_buf_puts(&sql,
                "CREATE STREAM IF NOT EXISTS KSQL_PROCESSING_LOG (logger VARCHAR, level VARCHAR, "
                "time BIGINT, message STRUCT<type INT, deserializationError STRUCT<target VARCHAR, "
                "errorMessage VARCHAR, recordB64 VARCHAR, cause ARRAY<VARCHAR>, `topic` VARCHAR>, "
                "recordProcessingError STRUCT<errorMessage VARCHAR, record VARCHAR, "
                "cause ARRAY<VARCHAR>>, productionError STRUCT<errorMessage VARCHAR>, "
                "serializationError STRUCT<target VARCHAR, errorMessage VARCHAR, record VARCHAR, "
                "cause ARRAY<VARCHAR>, `topic` VARCHAR>, kafkaStreamsThreadError "
                "STRUCT<errorMessage VARCHAR, threadName VARCHAR, cause ARRAY<VARCHAR>>>) "
                "WITH (KAFKA_TOPIC='");
    for (const char *p = rt->plog_topic; *p; p++) {
        if (*p == '\'')
            wr_buf_putc(&sql, '\'');
        wr_buf_putc(&sql, *p);
    }
    wr_buf_puts(&sql, exists ? "', VALUE_FORMAT='JSON');" : "', VALUE_FORMAT='JSON', PARTITIONS=1);");
    wr_error_clear(&err);
    if (wr_engine_execute(rt->eng, sql.data, sql.len, NULL, NULL, &err) != 0)
        rt_log(rt, WR_LOG_WARN, "cannot declare the KSQL_PROCESSING_LOG stream: %s", err.msg);
    wr_buf_fini(&sql);
    return 0;
}

static void on_handle_closed(uv_handle_t *h);

/* Destroys the producer and its queue; records not yet acknowledged are purged (and logged
 * when `report`: their input offsets stay uncommitted). */
static void producer_close(wr_runtime *rt, int report)
{
    if (rt->prod_q) {
        rd_kafka_queue_io_event_enable(rt->prod_q, -1, NULL, 0);
        rd_kafka_queue_destroy(rt->prod_q);
        rt->prod_q = NULL;
    }
    if (!rt->producer)
        return;
    if (rt->inflight > 0) {
        if (report)
            rt_log(rt, WR_LOG_WARN, "%lld record(s) were not acknowledged and are dropped; their "
                   "input offsets stay uncommitted", (long long)rt->inflight);
        rd_kafka_purge(rt->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    }
    rt_topic_handles_free(rt);
    rd_kafka_destroy(rt->producer);
    rt->producer = NULL;
}

static void runtime_release(wr_runtime *rt)
{
    rt_push_stop_all(rt);
    wr_engine_free(rt->eng);
    rt->eng = NULL;
    while (rt->queries) /* only when freed without a shutdown */
        query_teardown(rt->queries, 0);
    producer_close(rt, 0);
}

wr_runtime *wr_runtime_new(const wr_runtime_opts *opts, wr_error *err)
{
    wr_error local;
    if (!err)
        err = &local;
    wr_error_clear(err);
    if (!opts || !opts->loop || !opts->bootstrap || !*opts->bootstrap) {
        wr_error_set(err, WR_EUSAGE, "no Kafka bootstrap servers given");
        return NULL;
    }
    wr_runtime *rt = wr_xcalloc(1, sizeof *rt);
    rt->opts = *opts;
    rt->loop = opts->loop;
    rt->lock_fd = -1;
    rt->bootstrap = wr_xstrdup(opts->bootstrap);
    rt->prod_wake.kind = RT_PRODUCER;
    rt->prod_wake.rt = rt;
    rt->prod_wake.serve = rt_producer_serve;
    rt->opts.state_dir = NULL;
    rt->opts.prop_keys = rt->opts.prop_vals = NULL;
    rt->opts.nprops = 0;

    if (opts->state_dir && state_lock(rt, opts->state_dir, err))
        goto fail;

    wr_engine_opts eo = {
        .topics = &rt_topics_vt, .topics_ud = rt, .state_dir = opts->state_dir,
        .plog = on_plog, .plog_ud = rt, .query_closing = on_query_closing,
        .query_closing_ud = rt, .log = on_engine_log, .log_ud = rt,
    };
    rt->eng = wr_engine_new(&eo);
    for (int i = 0; i < opts->nprops; i++) {
        const char *k = opts->prop_keys[i], *v = opts->prop_vals[i] ? opts->prop_vals[i] : "";
        if (strncmp(k, "librdkafka.", 11) == 0 && k[11]) {
            rt->rk_keys = wr_xrealloc(rt->rk_keys, (size_t)(rt->nrk + 1) * sizeof(char *));
            rt->rk_vals = wr_xrealloc(rt->rk_vals, (size_t)(rt->nrk + 1) * sizeof(char *));
            rt->rk_keys[rt->nrk] = wr_xstrdup(k + 11);
            rt->rk_vals[rt->nrk] = wr_xstrdup(v);
            rt->nrk++;
        } else {
            wr_engine_set_property(rt->eng, k, v);
        }
    }
    const char *sid = prop(rt, "ksql.service.id");
    rt->service_id = wr_xstrdup(sid ? sid : "default_");
    const char *pt = prop(rt, "ksql.logging.processing.topic.name");
    if (pt)
        rt->plog_topic = wr_xstrdup(pt);
    else {
        rt->plog_topic = wr_xmalloc(strlen(rt->service_id) + 32);
        sprintf(rt->plog_topic, "%sksql_processing_log", rt->service_id);
    }
    epoch_open(rt);

    /* the pass-through properties are checked once, on a throw-away configuration */
    rd_kafka_conf_t *probe = rt_conf_new(rt, NULL, err);
    if (!probe)
        goto fail;
    rd_kafka_conf_destroy(probe);
    if (producer_start(rt, err))
        goto fail;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rt->producer, 1, NULL, &md, 10000);
    if (e) {
        wr_error_set(err, WR_EKAFKA, "cannot reach Kafka at %s within 10 s: %s", rt->bootstrap,
                     rd_kafka_err2str(e));
        goto fail;
    }
    rd_kafka_metadata_destroy(md);
    processing_log_start(rt);

    if (rt_wake_open(rt, &rt->prod_wake, rt->prod_q, err))
        goto fail;
    rt->commit_interval = prop_ms(rt, "commit.interval.ms", "ksql.streams.commit.interval.ms", 2000);
    if (rt->commit_interval < 10)
        rt->commit_interval = 10;
    uv_timer_init(rt->loop, &rt->commit_timer);
    rt->commit_timer.data = rt;
    rt->timer_open = 1;
    uv_timer_start(&rt->commit_timer, on_commit_timer, (uint64_t)rt->commit_interval,
                   (uint64_t)rt->commit_interval);
    uv_timer_init(rt->loop, &rt->stop_timer);
    rt->stop_timer.data = rt;
    rt->stop_timer_open = 1;
    uv_timer_init(rt->loop, &rt->cycle_timer);
    rt->cycle_timer.data = rt;
    rt->cycle_timer_open = 1;
    rt_log(rt, WR_LOG_INFO, "connected to Kafka at %s (service id %s, processing log %s)",
           rt->bootstrap, rt->service_id, rt->plog_topic);
    return rt;
fail:
    runtime_release(rt);
    wr_runtime_free(rt);
    return NULL;
}

wr_engine *wr_runtime_engine(wr_runtime *rt) { return rt->eng; }
const char *wr_runtime_service_id(wr_runtime *rt) { return rt->service_id; }

void wr_runtime_stats_get(wr_runtime *rt, wr_runtime_stats *out)
{
    *out = rt->stats;
    out->paused = rt->paused ? rt->stats.paused : 0;
}

/* ---------------------------------------------------------------- shutdown */

static void on_handle_closed(uv_handle_t *h)
{
    wr_runtime *rt = h->data;
    if (--rt->nclosing == 0)
        stop_soon(rt);
}

static void on_stop_timer(uv_timer_t *t);

static void prod_wake_closed(rt_wake *w)
{
    wr_runtime *rt = w->rt;
    if (--rt->nclosing == 0)
        stop_soon(rt);
}

/* Phase 3: close every client and handle; done() runs when the last handle is closed. */
static void shutdown_close(wr_runtime *rt)
{
    rt->stop_phase = RT_STOP_CLOSE;
    if (rt->fatal)
        rt->stop_status = -1;
    uv_timer_stop(&rt->stop_timer);
    rt->nclosing = 1; /* held until every close below was started */
    while (rt->queries) {
        rt->nclosing++;
        rt->queries->close_counted = 1;
        query_teardown(rt->queries, 0);
    }
    producer_close(rt, 1);
    if (rt->prod_wake.open) {
        rt->nclosing++;
        rt->prod_wake.closed = prod_wake_closed;
        rt_wake_close(&rt->prod_wake);
    }
    if (rt->timer_open) {
        rt->timer_open = 0;
        rt->nclosing++;
        uv_close((uv_handle_t *)&rt->commit_timer, on_handle_closed);
    }
    if (rt->stop_timer_open) {
        rt->stop_timer_open = 0;
        rt->nclosing++;
        uv_close((uv_handle_t *)&rt->stop_timer, on_handle_closed);
    }
    if (rt->cycle_timer_open) {
        rt->cycle_timer_open = 0;
        rt->nclosing++;
        uv_close((uv_handle_t *)&rt->cycle_timer, on_handle_closed);
    }
    if (--rt->nclosing == 0)
        stop_soon(rt);
}

/* Phase 2: commit what acknowledged outputs cover (everything, when the drain finished),
 * asynchronously, and wait on the loop for the results (bounded: a coordinator that does not
 * answer must not hold the process). */
static void shutdown_commit(wr_runtime *rt)
{
    rt->stop_phase = RT_STOP_COMMIT;
    rt->stop_commits = 0;
    /* the state first, with the final positions, when every output is acknowledged; when it
     * cannot be committed, neither are the stateful queries' Kafka offsets */
    int state_ok = 1;
    if (!rt->fatal && rt_has_state(rt)) {
        state_ok = state_commit_now(rt, rt->inflight == 0);
        if (!state_ok)
            rt->stop_status = -1;
    }
    if (!rt->fatal)
        for (rt_query *rq = rt->queries; rq; rq = rq->next) {
            if (!rq->rk)
                continue;
            if (rq->stateful && !state_ok)
                continue;
            rd_kafka_topic_partition_list_t *l = NULL;
            if (rd_kafka_assignment(rq->rk, &l) == RD_KAFKA_RESP_ERR_NO_ERROR && l) {
                if (l->cnt)
                    rd_kafka_pause_partitions(rq->rk, l); /* serve callbacks, fetch nothing */
                rd_kafka_topic_partition_list_destroy(l);
            }
            if (!rq->safe || rq->safe->cnt == 0)
                continue;
            if (rd_kafka_commit(rq->rk, rq->safe, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                if (!rq->stateful) /* else its positions are in the state just committed */
                    rt->stop_status = -1;
                continue;
            }
            rq->commits_in_flight++;
            rq->stop_commits = rq->commits_in_flight; /* results arrive in order */
            rt->stop_commits++;
            if (rq->w.open) {
                uv_poll_start(&rq->w.poll, UV_READABLE, on_wake_poll);
                rt_wake_more(&rq->w);
            }
        }
    if (rt->stop_commits == 0) {
        shutdown_close(rt);
        return;
    }
    uv_timer_start(&rt->stop_timer, on_stop_timer, 10000, 0);
}

static void on_stop_timer(uv_timer_t *t)
{
    wr_runtime *rt = t->data;
    if (rt->stop_phase == RT_STOP_DRAIN) {
        if (rt->inflight > 0) {
            rt_log(rt, WR_LOG_WARN, "shutdown: %lld record(s) still unacknowledged after %lld ms",
                   (long long)rt->inflight,
                   (long long)prop_ms(rt, "weir.shutdown.timeout.ms", NULL, 30000));
            rt->stop_status = -1;
        }
        shutdown_commit(rt);
    } else if (rt->stop_phase == RT_STOP_COMMIT) {
        if (rt->stop_commits > 0) {
            rt_log(rt, WR_LOG_WARN, "shutdown: offset commit not confirmed within 10 s; leaving "
                   "without it");
            rt->stop_status = -1;
            rt->skip_close = 1; /* the coordinator does not answer: no group leave either */
        }
        shutdown_close(rt);
    }
}

/* Moves the shutdown on from a safe place (never from inside a librdkafka callback). */
static void stop_soon(wr_runtime *rt)
{
    if (rt->stop_phase == RT_STOP_DRAIN || rt->stop_phase == RT_STOP_COMMIT) {
        if (rt->stop_timer_open)
            uv_timer_start(&rt->stop_timer, on_stop_timer, 0, 0);
        return;
    }
    if (rt->stop_phase == RT_STOP_CLOSE && rt->nclosing == 0) {
        rt->stop_phase = RT_STOP_DONE;
        if (rt->fatal_dropped > 0)
            rt_log(rt, WR_LOG_WARN, "%lld record(s) in flight at the fatal error were not "
                   "delivered; their input offsets stay uncommitted",
                   (long long)rt->fatal_dropped);
        char extra[160] = "";
        if (rt->state_commits)
            snprintf(extra, sizeof extra, ", %llu state commits",
                     (unsigned long long)rt->state_commits);
        rt_log(rt, WR_LOG_INFO, "stopped (%llu consumed, %llu produced, %llu commits%s)",
               (unsigned long long)rt->stats.consumed, (unsigned long long)rt->stats.produced,
               (unsigned long long)rt->stats.commits, extra);
        st_stats st;
        if (rt->eng && wr_engine_state_stats(rt->eng, &st))
            rt_log(rt, WR_LOG_INFO, "state: %llu LMDB writes in %llu commits, %llu entries in "
                   "%zu KiB of pages, %zu KiB used of a %zu MiB map (%llu grows), cache %zu KiB",
                   (unsigned long long)st.writes, (unsigned long long)st.commits,
                   (unsigned long long)st.entries, st.data_bytes >> 10, st.used_bytes >> 10,
                   st.map_size >> 20,
                   (unsigned long long)st.map_grows, st.cache_bytes >> 10);
        if (rt->stop_done)
            rt->stop_done(rt->stop_ud, rt->stop_status);
    }
}

void wr_runtime_shutdown(wr_runtime *rt, wr_runtime_done_cb done, void *ud)
{
    if (rt->stopping)
        return;
    rt->stopping = 1;
    rt->stop_done = done;
    rt->stop_ud = ud;
    rt->stop_phase = RT_STOP_DRAIN;
    rt->stop_status = 0;
    rt_push_stop_all(rt);
    if (rt->timer_open)
        uv_timer_stop(&rt->commit_timer);
    for (rt_query *rq = rt->queries; rq; rq = rq->next)
        if (rq->w.open)
            uv_poll_stop(&rq->w.poll);
    rt->cycling = 0; /* the drain below waits for the acknowledgements instead */
    if (rt->cycle_timer_open)
        uv_timer_stop(&rt->cycle_timer);
    if (!rt->fatal && rt_has_state(rt))
        rt_engine_flush(rt);
    epoch_close(rt);
    if (rt->fatal) {
        shutdown_close(rt);
        return;
    }
    int64_t timeout = prop_ms(rt, "weir.shutdown.timeout.ms", NULL, 30000);
    rt_log(rt, WR_LOG_INFO, "shutting down: waiting for %lld record(s) to be acknowledged "
           "(at most %lld ms)", (long long)rt->inflight, (long long)timeout);
    if (rt->producer)
        rd_kafka_flush(rt->producer, 0); /* send what lingers now */
    uv_timer_start(&rt->stop_timer, on_stop_timer, rt->inflight == 0 ? 0 : (uint64_t)timeout, 0);
}

void wr_runtime_free(wr_runtime *rt)
{
    if (!rt)
        return;
    runtime_release(rt);
    if (rt->prod_wake.open || rt->timer_open || rt->stop_timer_open || rt->cycle_timer_open) {
        /* freed without a shutdown: close the handles and let the loop run their callbacks */
        if (rt->prod_wake.open) {
            rt->prod_wake.closed = NULL;
            rt_wake_close(&rt->prod_wake);
        }
        if (rt->timer_open)
            uv_close((uv_handle_t *)&rt->commit_timer, NULL);
        if (rt->stop_timer_open)
            uv_close((uv_handle_t *)&rt->stop_timer, NULL);
        if (rt->cycle_timer_open)
            uv_close((uv_handle_t *)&rt->cycle_timer, NULL);
        rt->timer_open = rt->stop_timer_open = rt->cycle_timer_open = 0;
        while (rt->prod_wake.open)
            uv_run(rt->loop, UV_RUN_NOWAIT);
        uv_run(rt->loop, UV_RUN_NOWAIT);
    }
    while (rt->epochs) {
        rt_epoch *n = rt->epochs->next;
        free(rt->epochs);
        rt->epochs = n;
    }
    for (int i = 0; i < rt->nrk; i++) {
        free(rt->rk_keys[i]);
        free(rt->rk_vals[i]);
    }
    free(rt->rk_keys);
    free(rt->rk_vals);
    if (rt->lock_fd >= 0)
        close(rt->lock_fd);
    free(rt->bootstrap);
    free(rt->service_id);
    free(rt->plog_topic);
    free(rt);
}
