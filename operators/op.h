/*
 * op.h - the operator interface: push-based batches of rows through a graph of small
 * vtables (PostgreSQL's execProcnode split: an immutable spec from the planner, a runtime
 * operator built from it).
 *
 * Lifecycle: op_*_new(spec) -> open(ctx) once -> push(port, batch) / advance(watermark) /
 * checkpoint(ctx) per cycle -> close().  An operator forwards results downstream with
 * op_emit(), which calls the next operator's push synchronously; nothing an operator
 * receives may be kept after push returns unless copied into its own arena or state.
 *
 * The specs below are owned by the query plan (engine/plan.h) and outlive the operators.
 * Operators know nothing of drivers, topics or the catalog.
 * Prefix: op_ / OP_.
 */
#ifndef WEIR_OP_H
#define WEIR_OP_H

#include "agg.h"
#include "base.h"
#include "engine.h" /* wr_record: the shape of a raw record, nothing of the drivers */
#include "expr.h"
#include "serde.h"
#include "state.h"

/* Pseudo columns follow the row's columns in an operator's slot vector:
 * slot ncols + OP_PSEUDO_ROWTIME ... (see op_slots_fill). */
enum {
    OP_PSEUDO_ROWTIME = 0,
    OP_PSEUDO_ROWPARTITION,
    OP_PSEUDO_ROWOFFSET,
    OP_PSEUDO_WINDOWSTART,
    OP_PSEUDO_WINDOWEND,
    OP_PSEUDO_COUNT
};

typedef struct op op;
typedef struct op_ctx op_ctx;

/* Processing-log report kinds, ksqlDB's numbering. */
enum { OP_REP_DESERIALIZE = 0, OP_REP_PROCESSING = 1, OP_REP_PRODUCTION = 2, OP_REP_SERIALIZE = 3 };

typedef struct op_report {
    int type;              /* OP_REP_* */
    const char *target;    /* "key" / "value" (deserialisation, serialisation) */
    const char *msg;
    const char *data;      /* the raw bytes that failed (deserialisation), or NULL */
    size_t len;
    const char *topic;
    const wr_row *row;     /* the row being processed (processing errors), or NULL */
    int dropped;           /* the record is skipped (no output) because of this error */
} op_report;

/* A batch of rows.  On a changelog (a table read with its old values, see op_source_spec
 * .materialize) every entry is a change: rows[i] is the new row of a key (a tombstone when
 * the key has no row any more) and old[i] the row that key had before, as seen at this point
 * of the graph (NULL: none, or it did not pass an earlier filter).  old == NULL: a stream,
 * or a changelog whose old values nobody downstream needs.  An operator that does not know
 * about changes simply ignores old (Kafka Streams' Change<V> with sendOldValues). */
typedef struct op_batch {
    int n;
    wr_row **rows;
    wr_row **old;
} op_batch;

/* The per-cycle context, one per query, reset after every input record. */
struct op_ctx {
    wr_arena *arena;        /* cycle arena: decoded values, rows, batches */
    wr_error *err;          /* fatal error of this cycle */
    int64_t stream_time;    /* max timestamp seen by the query */
    st_env *state;          /* the engine's state environment (set when the query has
                               stateful operators; they open their stores in open()) */
    const char *query_id;   /* names the query's stores: "<query_id>#<operator>" */
    int fresh_state;        /* transient query: stores are cleared at open */
    uint64_t late;          /* records (windows) dropped as late, for metrics */
    st_store *stores[8];    /* the stores the query's operators opened (TERMINATE clears) */
    int nstores;
    wr_eval_ctx *eval;      /* expression evaluation context (arena = cycle arena) */
    const wr_record *record; /* the raw record being processed */
    const wr_row *row;       /* the row whose expressions are being evaluated (error reports) */
    /* Reports a record that is skipped or degraded (processing log). */
    void (*report)(op_ctx *ctx, const struct op_report *rep);
    void *ud;               /* owner of the context (the query) */
};

typedef struct op_vt {
    const char *name;
    int (*open)(op *o, op_ctx *ctx);
    /* 0, or a negative WR_E* code that stops the query (ctx->err filled). */
    int (*push)(op *o, op_ctx *ctx, int port, const op_batch *b);
    int (*advance)(op *o, op_ctx *ctx, int64_t watermark); /* windows close, timers */
    int (*checkpoint)(op *o, op_ctx *ctx);                 /* before a state commit */
    void (*close)(op *o);                                  /* frees o */
} op_vt;

struct op {
    const op_vt *vt;
    op *next;         /* downstream operator (NULL for sinks) */
    int next_port;    /* port of next that receives our output */
    const void *spec; /* the immutable spec this operator runs */
    wr_value *slots;  /* scratch slot vector (columns + pseudo columns) */
    int nslots;
};

/* Calls next->push; 0 when there is no next operator or the batch is empty. */
int op_emit(op *o, op_ctx *ctx, const op_batch *b);
/* Emits one row as a batch of one. */
int op_emit_row(op *o, op_ctx *ctx, wr_row *row);
/* Lifecycle helpers walking the chain from `o` downstream. */
int op_chain_open(op *o, op_ctx *ctx);
int op_chain_advance(op *o, op_ctx *ctx, int64_t watermark);
void op_chain_close(op *o);
/* Fills o->slots from a row: columns, then pseudo columns.  Grows the scratch as needed. */
const wr_value *op_slots_fill(op *o, const wr_row *row);
/* A fresh row in the cycle arena with ncols NULL columns and the metadata of `like`. */
wr_row *op_row_new(op_ctx *ctx, const wr_schema *schema, const wr_row *like);
/* Allocates the common op header; the kind-specific part follows when size > sizeof(op). */
op *op_alloc(size_t size, const op_vt *vt, const void *spec);
/* Opens the operator's named store "<ctx->query_id>#<name>" (cleared when ctx->fresh_state).
 * NULL with ctx->err filled when there is no state environment or LMDB fails. */
st_store *op_store_open(op_ctx *ctx, const char *name);

/* ---------------------------------------------------------------- specs */

/* filter: passes rows whose predicate is true; tombstones never pass (rule 7).  On a
 * changelog (rule 24) the predicate is applied to the new and the old row: a key whose old
 * row passed and whose new row does not gets a tombstone; a key that passes neither
 * produces nothing. */
typedef struct op_filter_spec {
    const wr_expr *pred;
} op_filter_spec;

/* flatmap: appends one column per table function to the input row; one output row per
 * element of the longest generated array, shorter ones padded with NULL. */
typedef struct op_flatmap_spec {
    int nfns;
    const wr_expr *const *fns;
    const wr_schema *out;      /* input columns + nfns generated columns */
} op_flatmap_spec;

/* project: evaluates one expression per output column (keys first). */
typedef struct op_project_spec {
    const wr_schema *out;
    const wr_expr *const *exprs; /* [out->ncols] */
} op_project_spec;

/* partition-by: re-keys rows.  Output columns are taken from the input by index
 * (src[i] >= 0) or from the key expressions (src[i] = -1 - k for key expression k). */
typedef struct op_partition_spec {
    const wr_schema *out;
    int nkeys;
    const wr_expr *const *keys;
    const int *src;            /* [out->ncols] */
} op_partition_spec;

/* group-by: re-keys rows by the GROUP BY expressions, in process (the repartition step of
 * an aggregation).  Output rows hold the key values, then every input column unchanged.
 * Null-valued records are dropped (rule 7); a row whose grouping values include a NULL is
 * dropped and processing-logged (rule 8).  On a changelog (aggregating a table, rule 23)
 * each change becomes one change of its group when the old and new rows fall in the same
 * group, else a retraction from the old group (a tombstone entry carrying the old group's
 * key, with the old row) followed by an addition to the new group. */
typedef struct op_groupby_spec {
    const wr_schema *out;      /* nkeys key columns, then the input schema's columns */
    int nkeys;
    const wr_expr *const *keys; /* [nkeys] over the input row */
} op_groupby_spec;

/* repartition: the two ends of an aggregation's repartition topic (op_repartition.c).  `out`
 * encodes the group-by rows (and a table's old rows) keyed by their group key and hands each
 * record to `produce`; `in` decodes such records (op_repart_in_feed) and pushes them on to
 * the aggregate. */
typedef struct op_repart_spec {
    const wr_schema *schema;   /* the group-by output: group key columns, then the input's */
    const char *topic;         /* for processing-log entries */
    int changelog;             /* the input is a table: `in` emits batches with old rows */
    int dedupe;                /* `in` skips records it applied before (a live topic: a
                                  replay after a crash writes some twice) */
    int (*produce)(void *ud, op_ctx *ctx, const wr_record *rec);
    void *ud;
} op_repart_spec;

/* The window of an aggregation (all times in ms). */
typedef struct op_window_spec {
    int kind;                  /* wr_window_kind; WR_WIN_NONE: not windowed */
    int64_t size;              /* TUMBLING/HOPPING size; SESSION inactivity gap */
    int64_t advance;           /* HOPPING advance (TUMBLING: = size) */
    int64_t grace;             /* resolved (rule 20 defaults applied) */
    int64_t retention;         /* resolved: >= size + grace */
} op_window_spec;

/* One aggregate call of an aggregation. */
typedef struct op_agg_fn {
    wr_agg_call call;          /* resolved (agg.h) */
    const wr_expr *const *args; /* [call.argc] over the group-by output (literals included) */
} op_agg_fn;

/* aggregate: one state per (group key, window) in LMDB (see op_aggregate.c for the layout).
 * Input: group-by rows (the first nkeys columns are the group key).  Output: a changelog of
 * rows keyed by the group key (plus the window), holding one column per aggregate; under
 * EMIT CHANGES one row per update, under EMIT FINAL one row per window when it closes.  On
 * a changelog input (a table, never windowed) each change retracts its old row and adds its
 * new one, then emits the group's row once (rule 23). */
typedef struct op_aggregate_spec {
    const wr_schema *out;      /* the nkeys key columns, then naggs aggregate results */
    int nkeys;
    int naggs;
    const op_agg_fn *aggs;     /* [naggs] */
    op_window_spec win;
    int emit_final;
} op_aggregate_spec;

/* having: a filter over a changelog (rule 24).  A key whose row stops passing gets a
 * tombstone, but only when an earlier row of it was emitted: a state store remembers the
 * keys (and windows) that were forwarded. */
typedef struct op_having_spec {
    const wr_schema *in;       /* the changelog's schema (keys first) */
    const wr_expr *pred;       /* over the input row */
    const char *store;         /* store name suffix ("having") */
    const op_window_spec *win; /* the aggregation's window (NULL: none): a time window's
                                * entries go when the aggregate has expired it */
} op_having_spec;

/* sink: serialises rows with the sink's formats and hands them to `produce`. */
typedef struct op_sink_spec {
    const wr_schema *schema;  /* keys then values */
    wr_format key_fmt, val_fmt;
    int ts_col;               /* column giving the output timestamp (-1: row timestamp) */
    int ts_is_string;         /* ts_col is a STRING parsed with ts_format */
    const char *ts_format;
    /* Produces one encoded record (key/value NULL for null).  0 or a fatal WR_E* code. */
    int (*produce)(void *ud, op_ctx *ctx, const wr_record *rec);
    void *ud;
} op_sink_spec;

/* source: decodes raw records into rows (keys first), extracts the event time, drops what
 * the source semantics drop (null keys on tables, invalid timestamps). */
typedef struct op_source_spec {
    const wr_schema *schema;   /* keys, values, header columns (schema order) */
    const char *topic;
    wr_format key_fmt, val_fmt;
    int nval;                  /* value columns carried by the value format */
    const wr_column *val_cols; /* [nval] */
    const int *val_idx;        /* [nval] schema index of each */
    const uint8_t *key_need;   /* [nkey] or NULL = all */
    const uint8_t *val_need;   /* [nval] or NULL = all */
    int ts_col;                /* TIMESTAMP column (-1: record timestamp) */
    int ts_is_string;
    const char *ts_format;
    int is_table;              /* null keys are ignored (rule 8) */
    int windowed;              /* wr_window_kind */
    int throw_on_invalid_ts;   /* ksql.timestamp.throw.on.invalid */
    /* A table kept in the store "<query_id>#source" (OP_STORE_SOURCE): the latest row per
     * key (and window), deleted by tombstones; the rows go downstream as changes with their
     * old values (op_batch.old).  Pull queries read this store.  Needs every key column. */
    int materialize;
} op_source_spec;

/* Store names (suffixes after "<query_id>#") of the operators that hold a table. */
#define OP_STORE_SOURCE "source"
#define OP_STORE_AGG "agg"
#define OP_STORE_TIMERS "timers"

op *op_source_new(const op_source_spec *spec);
/* Decodes one record and pushes the row downstream.  A record that cannot be decoded is
 * reported (ctx->report) and skipped: returns 0.  Negative only for fatal errors. */
int op_source_feed(op *o, op_ctx *ctx, const wr_record *rec);
op *op_filter_new(const op_filter_spec *spec);
op *op_flatmap_new(const op_flatmap_spec *spec);
op *op_project_new(const op_project_spec *spec);
op *op_partition_new(const op_partition_spec *spec);
op *op_sink_new(const op_sink_spec *spec);
op *op_groupby_new(const op_groupby_spec *spec);
op *op_aggregate_new(const op_aggregate_spec *spec);
op *op_having_new(const op_having_spec *spec);
op *op_repart_out_new(const op_repart_spec *spec);
op *op_repart_in_new(const op_repart_spec *spec);
/* Decodes one repartition record and pushes it downstream (a record that does not decode is
 * reported and skipped: 0).  Negative only for fatal errors. */
int op_repart_in_feed(op *o, op_ctx *ctx, const wr_record *rec);

/* ---------------------------------------------------------------- materialized tables
 * Pull queries read the stores of running queries directly (the same LMDB environment and
 * write-back cache, on the loop thread).  The store key of a table row is
 * st_key(wr_values_encode(key columns), [window suffix]), op_table_key builds its prefix;
 * a time-windowed aggregate stores the window first (op_aggregate_lookup). */

/* Builds into out the store key prefix of key values keys[0..s->nkey) (typed by the key
 * columns of s) and returns its length; every window of the key starts with it. */
size_t op_table_key(const wr_schema *s, const wr_value *keys, wr_buf *out);
/* The store key of group bytes g in the time window starting at start, window first:
 * st_key(S) + g with S the start's 8 bytes (big-endian, sign flipped, as st_key's suffixes),
 * so that a window's groups are the one prefix of its first OP_WINDOW_PREFIX bytes.  Parses
 * back with op_window_key_parse (0, or -1 for bytes of another layout). */
#define OP_WINDOW_PREFIX 12
void op_window_key(wr_buf *out, int64_t start, const void *g, size_t gl);
int op_window_key_parse(const void *k, size_t kl, int64_t *start, const void **g, size_t *gl);
/* Decodes one entry of a materializing source's store into *out (schema sp->schema, columns
 * in arena a, ts and window restored).  0, or WR_EDATA for bytes that do not fit. */
int op_source_row(const op_source_spec *sp, wr_arena *a, const void *k, size_t kl,
                  const void *v, size_t vl, wr_row *out);
/* Decodes one entry of an aggregate's store into the aggregate's output row (keys, then one
 * result per aggregate; ts = the max timestamp; the window).  0, or WR_EDATA. */
int op_aggregate_row(const op_aggregate_spec *sp, wr_arena *a, const void *k, size_t kl,
                     const void *v, size_t vl, wr_row *out);
/* The live window starts of a time-windowed aggregate, read from its timers by the first
 * op_aggregate_lookup and reused by the next ones (zero it first; free(v) after). */
typedef struct op_window_starts {
    int64_t *v;
    size_t n, cap;
    int loaded;
} op_window_starts;
/* Visits the stored entries of one group of an aggregate (every window of it, in window
 * order); prefix is op_table_key's.  Time windows are stored window first, so these are point
 * reads of the window starts that have timers in `timers` (kept in *starts); the other
 * layouts are one prefix scan. */
int op_aggregate_lookup(const op_aggregate_spec *sp, st_store *store, st_store *timers,
                        op_window_starts *starts, const void *prefix, size_t plen,
                        st_scan_cb cb, void *ud, wr_error *err);

/* The event time held in a TIMESTAMP='col' column (rule 30): BIGINT/TIMESTAMP milliseconds,
 * or a STRING parsed with the TIMESTAMP_FORMAT pattern (ISO-8601 when NULL) by the function
 * library's PARSE_TIMESTAMP.  `site` belongs to the calling operator and caches the opened
 * pattern across records; release it with op_site_release() when the operator closes.
 * 0 and *ms, or WR_EDATA with a message (NULL column `col`, unparsable text). */
int op_column_timestamp(op_ctx *ctx, wr_fn_site *site, const wr_value *v, const char *col,
                        int is_string, const char *pattern, int64_t *ms, wr_error *err);
void op_site_release(wr_fn_site *site);

#endif
