/*
 * runtime_int.h - private to the live runtime (runtime.c, runtime_topics.c, runtime_push.c).
 *
 * Objects and who owns what:
 *  - wr_runtime owns the engine, the shared producer, every consumer and the epochs.
 *  - rt_wake: a librdkafka queue that wakes the loop.  librdkafka writes one byte to a pipe
 *    when an op lands on the queue (rd_kafka_queue_io_event_enable); a uv_poll on the read end
 *    calls serve().  serve() handles a bounded amount of work and, when it stops before the
 *    queue is empty, starts the uv_idle so the rest is served on the next loop iteration
 *    (io events are only written once per non-polling period, so unserved ops would otherwise
 *    sit there until something new arrives).  The rt_wake is the librdkafka opaque of its
 *    client, so callbacks find their owner from rd_kafka_opaque(rk).
 *  - Epochs (commit cycle): every produced record counts in the epoch that was current when
 *    it was produced (its msg_opaque); its delivery report decrements that count.  The commit
 *    timer closes the current epoch, snapshotting each query's positions under its sequence
 *    number; when all epochs up to N are closed and fully acknowledged, snapshots up to N are
 *    safe and get committed.
 */
#ifndef WEIR_RUNTIME_INT_H
#define WEIR_RUNTIME_INT_H

#include <librdkafka/rdkafka.h>

#include "runtime.h"

typedef struct rt_wake rt_wake;
struct rt_wake {
    wr_runtime *rt;
    int kind;                  /* RT_PRODUCER, RT_QUERY, RT_PUSH, RT_PRINT */
    int fds[2];                /* pipe: librdkafka writes [1], the loop polls [0] */
    uv_poll_t poll;
    uv_idle_t idle;
    int open;                  /* handles initialised (need uv_close) */
    int nclosing;              /* handles whose close callback is pending */
    void (*serve)(rt_wake *w); /* drain up to a budget; rt_wake_more() when work remains */
    void (*closed)(rt_wake *w); /* every handle closed: free the owner */
};

enum { RT_PRODUCER = 1, RT_QUERY, RT_PUSH, RT_PRINT };

/* shutdown phases: drain outputs, commit, close clients and handles, done */
enum { RT_STOP_DRAIN = 1, RT_STOP_COMMIT, RT_STOP_CLOSE, RT_STOP_DONE };

typedef struct rt_epoch rt_epoch;
struct rt_epoch {
    uint64_t seq;
    int64_t outstanding;       /* produced, delivery report not yet served */
    int closed;                /* the commit timer moved on to a newer epoch */
    rt_epoch *next;            /* newer */
};

typedef struct rt_snap rt_snap;
struct rt_snap {
    uint64_t seq;              /* epoch this snapshot closes */
    rd_kafka_topic_partition_list_t *offsets;
    rt_snap *next;
};

/* A persistent query and its consumer. */
typedef struct rt_query rt_query;
struct rt_query {
    rt_wake w;                 /* first: the consumer's opaque */
    wr_query *q;               /* NULL once the engine let go of it */
    char *id;
    char *dlq;                 /* dead-letter topic or NULL */
    rd_kafka_t *rk;
    rd_kafka_queue_t *rkq;     /* the consumer queue (main queue forwarded to it) */
    rd_kafka_topic_partition_list_t *pos;  /* next offset to read per assigned partition */
    int pos_hint;              /* index of the last partition updated (per-record lookup) */
    int dirty;                 /* pos changed since the last snapshot */
    rt_snap *snaps, *snaps_tail; /* closed-epoch snapshots, oldest first */
    rd_kafka_topic_partition_list_t *safe; /* newest safe snapshot (committed or to commit) */
    int commit_failed;         /* the last commit of `safe` failed: retry on the next cycle */
    int commits_in_flight;
    int assigned;              /* partitions assigned right now */
    int closing;               /* being torn down: the rebalance callback only unassigns */
    int in_serve;              /* serve() is running: teardown is deferred to its end */
    int close_requested;       /* teardown asked for while in_serve */
    int64_t failures;          /* records wr_query_process failed on */
    int last_err;              /* last consumer error logged (repeats are not) */
    int close_counted;         /* counted in the runtime's shutdown (nclosing) */
    int stop_commits;          /* commit results to wait for until the shutdown commit's */
    /* prefetch limits of the consumer queue and the fetch restart (query_fetch_kick) */
    int64_t fetch_min_msgs;    /* queued.min.messages */
    int64_t fetch_max_bytes;   /* queued.max.messages.kbytes * 1024 */
    int64_t len_sum, len_cnt;  /* consumed payload bytes and records (mean record size) */
    int fetch_full;            /* the queue reached a limit: the fetcher may have stopped */
    uint64_t kicks;            /* fetch restarts (debug statistics) */
    /* partitions revoked while a batch was taken: its records of them are skipped */
    rd_kafka_topic_partition_list_t *batch_revoked;
    int in_batch;
    const char *last_topic;    /* topic name of the last record (librdkafka's, stable) */
    const wr_topic_info *last_ti;
    char *group;               /* consumer group (also the state's offsets group) */
    int stateful;              /* keeps state: commits it with pos, resumes from its offsets */
    rt_query *next;
};

/* A push query or PRINT: an assign()ed consumer without a group. */
typedef struct rt_push rt_push;
struct rt_push {
    rt_wake w;
    rd_kafka_t *rk;
    rd_kafka_queue_t *rkq;
    wr_query *q;               /* push query (NULL for PRINT) */
    wr_row_cb row_cb;
    void *row_ud;
    wr_runtime_done_cb done;
    void *ud;
    int64_t limit;             /* -1 none */
    int64_t count;             /* rows (push) or lines (PRINT) delivered */
    int finished;              /* done() was called */
    int finish_status;         /* status to report once serve() unwinds */
    int finish_pending;
    int in_serve;
    /* PRINT */
    char *topic;
    void (*line_cb)(void *ud, const char *line);
    int header_done;
    rt_push *next;
};

struct wr_runtime {
    wr_runtime_opts opts;      /* strings below are our copies */
    uv_loop_t *loop;
    wr_engine *eng;
    char *bootstrap;
    char *service_id;
    char *plog_topic;
    int nrk;                   /* librdkafka.X pass-through properties */
    char **rk_keys, **rk_vals;

    rd_kafka_t *producer;
    rd_kafka_queue_t *prod_q;  /* its main queue (delivery reports, logs, errors) */
    /* topic handles of the producer, so producing looks no topic up by name per record
     * (rt_topic_handle); released with rt_topic_handles_free before the producer goes */
    int nrkts;
    struct rt_rkt { char *name; rd_kafka_topic_t *rkt; } *rkts;
    rt_wake prod_wake;

    rt_epoch *epochs;          /* oldest first; the last one is current */
    rt_epoch *cur;
    uint64_t next_seq;

    rt_query *queries;
    rt_push *pushes;           /* push queries and the PRINT (kind tells) */

    uv_timer_t commit_timer;
    int64_t commit_interval;

    /* backpressure */
    int paused;
    int64_t stuck_since, stuck_logged;

    /* health */
    int brokers_down;
    int fatal;
    char fatal_msg[512];
    int64_t fatal_dropped;     /* delivery failures after the fatal error (not logged each) */

    /* processing-log echo, per commit interval */
    int plog_echoed, plog_suppressed;

    /* shutdown */
    int stopping;              /* wr_runtime_shutdown called */
    int stop_phase;            /* RT_STOP_* */
    int stop_commits;          /* queries whose shutdown commit is unconfirmed */
    int skip_close;            /* leave the group without LeaveGroup (coordinator silent) */
    int stop_status;
    uv_timer_t stop_timer;
    int stop_timer_open;
    int nclosing;              /* runtime-level handles still closing */
    wr_runtime_done_cb stop_done;
    void *stop_ud;

    /* commit cycle with state (runtime_state.c) */
    int cycling;               /* barrier: queries take no records until the state commit */
    uv_timer_t cycle_timer;    /* runs cycle_finish from the loop */
    int cycle_timer_open;
    int state_failures;        /* state commits failed in a row */
    uint64_t state_commits, map_grows;
    int lock_fd;               /* flock on <state_dir>/weir.lock, -1 none */
    int timer_open;
    wr_runtime_stats stats;
    int64_t inflight;          /* produced records whose delivery report is pending */
    int in_dr;                 /* inside a delivery report: producing must not wait */
};

/* ---- runtime.c ---- */
void rt_log(wr_runtime *rt, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A librdkafka configuration with bootstrap.servers, then `defaults` (NULL, or key, value,
 * ..., NULL: weir's tuning, which the pass-through properties may override), then the
 * pass-through properties, and the callbacks every client shares (log, error).  NULL with err
 * filled.  Settings weir relies on for correctness are set by the caller afterwards. */
rd_kafka_conf_t *rt_conf_new(wr_runtime *rt, const char *const *defaults, wr_error *err);
int rt_conf_set(rd_kafka_conf_t *conf, const char *k, const char *v, wr_error *err);
/* Opens w on queue rkq: pipe, uv_poll, uv_idle.  0 or an error. */
int rt_wake_open(wr_runtime *rt, rt_wake *w, rd_kafka_queue_t *rkq, wr_error *err);
/* serve() stopped with work left: serve again on the next loop iteration. */
void rt_wake_more(rt_wake *w);
/* Stops waking and closes the handles; w->closed runs when they are closed (the librdkafka
 * client must be destroyed first: it owns the pipe's write end). */
void rt_wake_close(rt_wake *w);
/* librdkafka log, error and fatal-error handling shared by every client */
void rt_on_fatal(wr_runtime *rt, const char *msg);
void rt_broker_ok(wr_runtime *rt);
/* Writes a processing-log entry built by the runtime (delivery failures). */
void rt_plog_production_error(wr_runtime *rt, const char *query_id, const char *msg);
/* Delivery report: one produced record is done (acknowledged or failed for good). */
void rt_epoch_done(wr_runtime *rt, rt_epoch *ep);
/* Backpressure: pause the sources after a record was queued when the producer's queue is past
 * its high-water mark (or was full); resume after delivery reports brought it under the low one. */
void rt_backpressure_after_produce(wr_runtime *rt, int queue_full);
void rt_backpressure_check(wr_runtime *rt);
/* Fills rec from a consumed message (headers into hdrs, at most nh; windowed: the source's
 * wr_window_kind, whose window is split off the key). */
void rt_record_from_message(wr_runtime *rt, const rd_kafka_message_t *m, wr_record *rec,
                            wr_header *hdrs, int nh, int windowed);

/* ---- runtime_topics.c ---- */
extern const wr_topics_vt rt_topics_vt;
/* Produces one record through the shared producer, counted in the current epoch.  0, or
 * WR_EKAFKA with a message (permanent errors only: a full queue waits). */
int rt_produce(wr_runtime *rt, const char *topic, const wr_record *rec, wr_error *err);
int rt_topic_partitions(wr_runtime *rt, const char *topic); /* -1 when missing */
int rt_topic_create(wr_runtime *rt, const char *topic, int partitions, int replicas,
                    wr_error *err);
void rt_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);
/* Releases the producer's topic handles (before rd_kafka_destroy of the producer). */
void rt_topic_handles_free(wr_runtime *rt);
/* Serves the producer's queue (delivery reports, logs). */
void rt_producer_serve(rt_wake *w);

/* ---- runtime_state.c ---- */
/* wr_engine_flush: coalesced aggregation outputs are emitted now (errors logged).  0 or <0. */
int rt_engine_flush(wr_runtime *rt);
/* Some running query keeps state. */
int rt_has_state(wr_runtime *rt);
/* wr_engine_commit with every stateful query's positions; logs map growth.  0 or <0. */
int rt_state_commit(wr_runtime *rt, wr_error *err);
/* Sets parts' offsets from the state's committed offsets of rq's group: the number found,
 * or <0 when the state cannot be opened. */
int rt_state_offsets(rt_query *rq, rd_kafka_topic_partition_list_t *parts);

/* ---- runtime_push.c ---- */
/* Stops every push query and the PRINT with done(ud, 1) (shutdown). */
void rt_push_stop_all(wr_runtime *rt);

#endif
