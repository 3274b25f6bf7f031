/*
 * engine.h - the engine as the drivers see it (test runner, live runtime, REPL, server).
 *
 * An engine holds a catalog (streams, tables, types, variables, properties) and the running
 * persistent queries.  Statements go in as text; queries are fed records by a driver, which
 * also decides where topics live: in memory (weir test), on Kafka (weir run), ...
 * Operators never know which driver feeds them.
 *
 * Records at this boundary are raw bytes (key, value) plus metadata: the engine deserialises
 * them with the source's formats, runs the operator graph, serialises outputs with the
 * sink's formats, and hands them to the driver through wr_topics_vt.produce().
 */
#ifndef WEIR_ENGINE_H
#define WEIR_ENGINE_H

#include "base.h"
#include "serde.h"

typedef struct wr_engine wr_engine;
typedef struct wr_query wr_query;

typedef struct wr_header {
    const char *key;
    const char *value; /* NULL: header with a null value */
    size_t len;
} wr_header;

typedef struct wr_record {
    const char *key;       /* NULL: null key */
    size_t key_len;
    const char *value;     /* NULL: null value (tombstone) */
    size_t value_len;
    int64_t ts;            /* record timestamp, epoch ms */
    int win_kind;          /* wr_window_kind of a windowed key; the key bytes are the plain key */
    int64_t win_start, win_end;
    int nheaders;
    const wr_header *headers;
    int32_t partition;     /* -1 unknown / let the driver choose */
    int64_t offset;        /* -1 unknown */
} wr_record;

/* Where topics live.  Every callback gets `ud`.  produce() must copy what it keeps. */
typedef struct wr_topics_vt {
    int (*exists)(void *ud, const char *topic);
    /* 0, or WR_EKAFKA/WR_EUSAGE with a message */
    int (*create)(void *ud, const char *topic, int partitions, int replicas, wr_error *err);
    int (*remove)(void *ud, const char *topic);
    int (*partitions)(void *ud, const char *topic); /* -1 when the topic does not exist */
    /* Calls cb for every topic name; for SHOW TOPICS. */
    void (*list)(void *ud, void (*cb)(void *cbud, const char *topic, int partitions), void *cbud);
    int (*produce)(void *ud, const char *topic, const wr_record *rec, wr_error *err);
} wr_topics_vt;

/* A record that was skipped or degraded, for the processing log and dead-letter topics. */
typedef struct wr_plog_entry {
    const char *query_id;
    const char *json;          /* the entry in ksqlDB's shape (level, logger, time, message{...}) */
    const char *reason;        /* the error message alone */
    int type;                  /* ksqlDB's: 0 deserialization, 1 processing, 2 production,
                                  3 serialization */
    int dropped;               /* the record produced no output because of this error (a
                                  dead-letter candidate); 0 when processing went on with NULL */
    const wr_record *record;   /* the input record being processed, or NULL (INSERT VALUES) */
    const char *topic;         /* the topic the record came from, or NULL */
} wr_plog_entry;

/* Log levels for wr_engine_opts.log */
enum { WR_LOG_DEBUG = 0, WR_LOG_INFO, WR_LOG_WARN, WR_LOG_ERROR };

typedef struct wr_engine_opts {
    const wr_topics_vt *topics;
    void *topics_ud;
    const char *state_dir;     /* NULL: state in a private temporary directory */
    /* One processing-log entry (see wr_plog_entry).  May be NULL. */
    void (*plog)(void *ud, const struct wr_plog_entry *entry);
    void *plog_ud;
    /* A persistent query is about to be freed (TERMINATE, DROP, engine free): drivers that
     * feed it must let go of it.  May be NULL. */
    void (*query_closing)(void *ud, wr_query *q);
    void *query_closing_ud;
    /* Operational log line; may be NULL (then nothing is logged). */
    void (*log)(void *ud, int level, const char *msg);
    void *log_ud;
    int test_mode;             /* deterministic: no wall clock in generated ids, every update
                                  emitted (no caching) */
} wr_engine_opts;

wr_engine *wr_engine_new(const wr_engine_opts *opts);
void wr_engine_free(wr_engine *eng); /* closes queries; accepts NULL */

/* SET/UNSET a property (ksqlDB names: ksql.*, auto.offset.reset ...).  Unknown names are
 * kept and ignored.  Returns 0. */
int wr_engine_set_property(wr_engine *eng, const char *name, const char *value);
const char *wr_engine_get_property(wr_engine *eng, const char *name);

/* ---- statement results ---- */

typedef enum wr_result_kind {
    WR_RES_OK = 1,     /* DDL done: message ("Stream created") */
    WR_RES_QUERY,      /* persistent query started: query_id, message */
    WR_RES_TABLE,      /* tabular result (SHOW, DESCRIBE, pull query): ncols/cols/nrows/cells */
    WR_RES_TEXT,       /* preformatted text (EXPLAIN, DESCRIBE FUNCTION) */
    WR_RES_PUSH,       /* transient push query: query handle; rows arrive via its row callback */
    WR_RES_PRINT,      /* PRINT topic: topic, from_beginning, limit for the driver to run */
} wr_result_kind;

typedef struct wr_result {
    int kind;
    const char *stmt_text;   /* the statement as executed (after variable substitution) */
    const char *message;
    const char *query_id;
    int ncols;
    const char *const *cols;
    int nrows;
    const char *const *const *cells; /* cells[row][col], NULL = null */
    const char *text;
    wr_query *query;
    const char *topic;       /* PRINT */
    int from_beginning;
    int64_t limit;
} wr_result;

/* Called once per statement that executed; the result and everything in it is valid only
 * during the call. */
typedef void (*wr_result_cb)(void *ud, const wr_result *res);

/* Executes a script: SET/DEFINE/CREATE/INSERT/... in order, with ${var} substitution.  Stops
 * at the first failing statement and returns its error code with err filled; the error's
 * span is relative to `sql`, so wr_error_format(err, sql, ...) shows line, column and a
 * caret.  Returns 0 when every statement ran. */
int wr_engine_execute(wr_engine *eng, const char *sql, size_t len, wr_result_cb cb, void *ud,
                      wr_error *err);

/* ---- catalog view for drivers ---- */

/* What the catalog knows about a topic: the formats and columns of the (first) source
 * declared on it.  Returns NULL when no stream or table uses the topic. */
typedef struct wr_topic_info {
    const char *topic;
    wr_format key_format, value_format;
    int nkey;
    const wr_column *key_cols;
    int nvalue;
    const wr_column *value_cols;
    int windowed;            /* wr_window_kind of a windowed key (WR_WIN_NONE otherwise) */
} wr_topic_info;
const wr_topic_info *wr_engine_topic_info(wr_engine *eng, const char *topic);

/* ---- persistent queries ---- */

int wr_engine_query_count(wr_engine *eng);
wr_query *wr_engine_query_at(wr_engine *eng, int i); /* creation order */
const char *wr_query_id(const wr_query *q);           /* CSAS_OUT_0, CTAS_T_1, INSERTQUERY_2 */
int wr_query_source_count(const wr_query *q);
const char *wr_query_source_topic(const wr_query *q, int i);
int wr_query_sink_count(const wr_query *q);
const char *wr_query_sink_topic(const wr_query *q, int i);

/* Feeds one input record read from `topic` into the query.  Outputs are produced through
 * topics->produce() before this returns.  A record that fails to deserialise or evaluate is
 * written to the processing log and skipped: that still returns 0.  Non-zero only for
 * failures that stop the query (e.g. produce failed). */
int wr_query_process(wr_query *q, const char *topic, const wr_record *rec, wr_error *err);

/* Transient (push) queries: rows are delivered to cb as the query produces them; the row's
 * columns are formatted strings (NULL = null) in the result's column order. */
typedef void (*wr_row_cb)(void *ud, const wr_query *q, int ncols, const char *const *cells,
                          int tombstone);
void wr_query_set_row_cb(wr_query *q, wr_row_cb cb, void *ud);
int wr_query_column_count(const wr_query *q);
const char *wr_query_column_name(const wr_query *q, int i);
const wr_type *wr_query_column_type(const wr_query *q, int i); /* NULL when out of range */
int wr_query_is_transient(const wr_query *q);
int64_t wr_query_limit(const wr_query *q);          /* -1 none */
void wr_query_close(wr_query *q);                   /* transient: stop and free */

#endif
