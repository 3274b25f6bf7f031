/*
 * runtime.h - the live runtime: the engine's operator graphs on Kafka, driven by one libuv loop.
 *
 * One wr_runtime owns an engine whose topics live on a Kafka cluster.  Every persistent query
 * gets its own consumer (group `_confluent-ksql-<service.id>query_<QUERY_ID>`, as ksqlDB names
 * it) and all queries share one idempotent producer (partitioner murmur2_random, so keys land
 * where Kafka Streams puts them).  librdkafka's queues wake the loop through their event file
 * descriptors (rd_kafka_queue_io_event_enable + uv_poll); nothing busy-polls or sleeps.
 *
 * Commit cycle (every commit.interval.ms, default 2000, and on shutdown): the positions each
 * query has processed are snapshotted into an epoch; once every record produced before the
 * snapshot (outputs, processing-log entries, dead letters) is acknowledged by the broker, the
 * snapshot's offsets are committed.  So offsets never run ahead of outputs: at-least-once.
 *
 * Backpressure: when the producer's queue passes its high-water mark the runtime stops taking
 * records from the consumers and pauses their partitions; it resumes below the low-water mark.
 * librdkafka's queue limits are set explicitly, so memory stays bounded during a broker outage.
 *
 * Everything here runs on the loop thread; no function is thread-safe.
 */
#ifndef WEIR_RUNTIME_H
#define WEIR_RUNTIME_H

#include <uv.h>

#include "engine.h"

typedef struct wr_runtime wr_runtime;

typedef struct wr_runtime_opts {
    uv_loop_t *loop;
    const char *bootstrap;    /* bootstrap.servers; required */
    const char *state_dir;    /* NULL: none (REPL); created 0700 and locked when given */
    /* Properties, in order: ksqlDB names (ksql.service.id, auto.offset.reset,
     * commit.interval.ms, ksql.streams.*, processing log ...) are SET on the engine;
     * `librdkafka.X=V` sets X=V on every librdkafka client (SASL/TLS, tuning). */
    int nprops;
    const char *const *prop_keys;
    const char *const *prop_vals;
    /* One operational log line (no newline); level WR_LOG_*.  NULL: stderr. */
    void (*log)(void *ud, int level, const char *msg);
    void *log_ud;
    int interactive;          /* REPL: processing-log entries are not echoed to the log */
    /* A fatal error (the idempotent producer failed, the state store failed): the runtime has
     * stopped consuming and will commit nothing more; the driver should shut down and exit
     * non-zero (a restart resumes at the committed offsets).  NULL: log only. */
    void (*fatal)(void *ud, const char *msg);
    void *fatal_ud;
} wr_runtime_opts;

/* Connects (metadata round trip to check the cluster answers, bounded by
 * `socket.connection.setup.timeout.ms`-ish 10 s), creates the processing-log topic and the
 * KSQL_PROCESSING_LOG stream.  NULL with err filled on failure. */
wr_runtime *wr_runtime_new(const wr_runtime_opts *opts, wr_error *err);
wr_engine *wr_runtime_engine(wr_runtime *rt);
const char *wr_runtime_service_id(wr_runtime *rt);

/* Runs statements like wr_engine_execute (same callback, same error contract); persistent
 * queries they create start consuming at once.  WR_RES_PUSH and WR_RES_PRINT results are
 * handed to cb; the driver then starts them with the calls below. */
int wr_runtime_execute(wr_runtime *rt, const char *sql, size_t len, wr_result_cb cb, void *ud,
                       wr_error *err);

/* done(ud, status): 0 = finished (LIMIT reached), 1 = stopped by wr_runtime_*_stop or shutdown,
 * -1 = failed (message logged). */
typedef void (*wr_runtime_done_cb)(void *ud, int status);

/* Starts a transient push query from a WR_RES_PUSH result.  Rows arrive through row_cb; the
 * runtime counts them against the query's LIMIT and stops by itself when it is reached.  Its
 * consumer reads from `auto.offset.reset` (default latest) and never commits.  The runtime
 * owns q from here: it is closed after done() returns. */
int wr_runtime_push_start(wr_runtime *rt, wr_query *q, wr_row_cb row_cb, wr_runtime_done_cb done,
                          void *ud, wr_error *err);
void wr_runtime_push_stop(wr_runtime *rt, wr_query *q);

/* PRINT 'topic' [FROM BEGINNING] [LIMIT n]: line_cb gets each line without newline, in the
 * ksql CLI's form ("Key format: ...", "Value format: ...", then
 * "rowtime: 2024/01/01 10:00:00.000 Z, key: k, value: {...}, partition: 0").  One PRINT at a
 * time per runtime.  limit < 0: none. */
int wr_runtime_print_start(wr_runtime *rt, const char *topic, int from_beginning, int64_t limit,
                           void (*line_cb)(void *ud, const char *line), wr_runtime_done_cb done,
                           void *ud, wr_error *err);
void wr_runtime_print_stop(wr_runtime *rt);

/* Counters for logs, the REPL and benchmarks. */
typedef struct wr_runtime_stats {
    uint64_t consumed;       /* records handed to queries */
    uint64_t produced;       /* records produced (all topics) */
    uint64_t acked;          /* ... and acknowledged by the broker */
    uint64_t plog;           /* processing-log entries */
    uint64_t dead_letters;
    uint64_t commits;        /* offset commits that succeeded */
    int paused;              /* sources paused by backpressure right now */
    int queries;             /* running persistent queries */
} wr_runtime_stats;
void wr_runtime_stats_get(wr_runtime *rt, wr_runtime_stats *out);

/* Graceful stop: stop taking records, let in-flight outputs be acknowledged (bounded by
 * `weir.shutdown.timeout.ms`, default 30000), commit what they cover, close every client and
 * handle.  done(ud, 0) when everything was committed, done(ud, -1) when the drain timed out or
 * failed (offsets not covered stay uncommitted: at-least-once).  Then wr_runtime_free. */
void wr_runtime_shutdown(wr_runtime *rt, wr_runtime_done_cb done, void *ud);
void wr_runtime_free(wr_runtime *rt);

/* The development broker, in-process (the REPL's embedded broker) or as `weir broker`.
 * librdkafka's mock cluster has no CreateTopics API, so the broker consumes the control topic
 * WR_DEVBROKER_CONTROL_TOPIC and runs each record's value as a control line ("topic NAME N").
 * The runtime uses that topic to create topics when it exists; against any other cluster it
 * uses CreateTopics. */
#define WR_DEVBROKER_CONTROL_TOPIC "__weir_broker_control"
typedef struct wr_devbroker wr_devbroker;
wr_devbroker *wr_devbroker_start(int nbrokers, wr_error *err);
const char *wr_devbroker_bootstrap(const wr_devbroker *db);
/* Runs one control line (see `weir broker help`); the reply line goes to reply (may be NULL). */
void wr_devbroker_control(wr_devbroker *db, const char *line, wr_buf *reply);
void wr_devbroker_stop(wr_devbroker *db);

#endif
