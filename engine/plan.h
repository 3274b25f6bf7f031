/*
 * plan.h - analyzed, typed, immutable query plans and the queries that run them (private to
 * engine/).  The analyzer (analyze.c) turns a sql_select into a chain of plan nodes with
 * resolved columns (indexes) and compiled expressions; the graph builder (plan.c)
 * instantiates runtime operators (operators/op.h) from it; EXPLAIN prints it.
 *
 * An aggregation is the chain group-by -> aggregate (with its window) [-> having] ->
 * project; the group-by node is where the live runtime cuts the graph for its repartition
 * topic when the grouping key differs from the message key.
 */
#ifndef WEIR_PLAN_H
#define WEIR_PLAN_H

#include "catalog.h"
#include "expr.h"
#include "op.h"
#include "sql.h"

typedef enum wr_plan_kind {
    WR_PLAN_SOURCE = 1,
    WR_PLAN_FILTER,
    WR_PLAN_PARTITION,
    WR_PLAN_FLATMAP,
    WR_PLAN_PROJECT,
    WR_PLAN_SINK,
    WR_PLAN_AGGREGATE, /* GROUP BY aggregation and its window, state on LMDB */
    WR_PLAN_WINDOW,    /* (the window is part of the aggregate node) */
    WR_PLAN_JOIN,      /* later: two inputs */
    WR_PLAN_HAVING,    /* changelog filter (rule 24) */
    WR_PLAN_GROUPBY,   /* re-key by the GROUP BY expressions (in-process repartition) */
} wr_plan_kind;

struct wr_plan_node {
    int kind;                  /* wr_plan_kind */
    wr_plan_node *input;       /* upstream (NULL for a source) */
    wr_plan_node *input2;      /* joins (later) */
    const wr_schema *schema;   /* output schema: keys first */
    const char *detail;        /* EXPLAIN text: predicate, expressions, topic */
    union {
        op_source_spec source;
        op_filter_spec filter;
        op_partition_spec partition;
        op_flatmap_spec flatmap;
        op_project_spec project;
        op_sink_spec sink;
        op_groupby_spec groupby;
        op_aggregate_spec aggregate;
        op_having_spec having;
    } u;
};

/* What the analyzer produces for a SELECT. */
typedef struct wr_plan {
    wr_plan_node *source;      /* the chain starts here ... */
    wr_plan_node *top;         /* ... and ends here (the projection) */
    const wr_source *from;     /* the source read */
    const wr_schema *result;   /* = top->schema */
    int nexprs;                /* every compiled expression, for release at close */
    wr_expr **exprs;
    int capexprs;
    int key_from_partition;    /* PARTITION BY was used */
    int grouped;               /* GROUP BY: the result is a table */
    int win_kind;              /* wr_window_kind of the result's keys (WINDOW clause) */
    int64_t win_size;          /* TUMBLING/HOPPING size */
} wr_plan;

/* WR_Q_CST: CREATE SOURCE TABLE's query, which only materializes the table (no sink) so that
 * pull queries can read it. */
typedef enum wr_query_kind {
    WR_Q_CSAS = 1,
    WR_Q_CTAS,
    WR_Q_INSERT,
    WR_Q_TRANSIENT,
    WR_Q_CST
} wr_query_kind;

struct wr_query {
    wr_engine *eng;
    wr_arena arena;            /* plan memory, lives as long as the query */
    char *id;
    int kind;                  /* wr_query_kind */
    char *sql;
    char *src_name, *src_topic;
    char *sink_name, *sink_topic;
    wr_plan plan;
    wr_plan_node *root;        /* the sink node (persistent) or the projection (transient) */
    op *head;                  /* runtime chain, the source operator first */
    /* An aggregation whose grouping key is not the message key runs as two chains, as in
     * ksqlDB: head .. group-by -> repartition-out, then rp_head (repartition-in) ->
     * aggregate ... sink.  Live, a Kafka topic (rp_topic) joins them; in weir test
     * (rp_topic NULL) repartition-out feeds rp_head directly. */
    op *rp_head;
    char *rp_topic;
    op_repart_spec rp_spec;
    wr_fn_config cfg;
    wr_arena cycle;            /* reset after every input record */
    wr_error err;
    op_ctx ctx;
    wr_eval_ctx eval;
    int throw_on_invalid_ts;
    /* transient queries */
    wr_row_cb row_cb;
    void *row_ud;
    int64_t limit, emitted;
};

/* ---- analyzer (analyze.c) ---- */

typedef struct wr_analyze_opts {
    int persistent;            /* CSAS/CTAS/INSERT: rule 4 keys, reserved names */
    const char *sink_name;     /* for messages */
    const char *text;          /* statement text (expression formatting in messages) */
    int pull;                  /* a pull query: nothing is materialized, SELECT * on a windowed
                                  table lists WINDOWSTART and WINDOWEND after the keys */
} wr_analyze_opts;

/* Analyzes sel into q->plan (memory in q->arena, functions per q->cfg).  0, or an error
 * with the span of the offending node. */
int wr_analyze_select(wr_engine *eng, wr_query *q, const sql_select *sel,
                      const wr_analyze_opts *ao, wr_error *err);
/* The plan of CREATE SOURCE TABLE's query: a source node materializing src (every column
 * decoded), which is also q->root. */
int wr_analyze_source(wr_engine *eng, wr_query *q, const wr_source *src, wr_error *err);
/* Adds an expression to the plan's release list. */
void wr_plan_track(wr_plan *p, wr_arena *a, wr_expr *x);

/* ---- plan and graph (plan.c) ---- */

wr_plan_node *wr_plan_node_new(wr_arena *a, int kind, wr_plan_node *input,
                               const wr_schema *schema);
/* Builds the runtime operator chain for q->root and opens it.  0 or an error. */
int wr_plan_build(wr_query *q, wr_error *err);
/* EXPLAIN text of a node tree (indented, ksqlDB-like) or Graphviz with dot=1. */
void wr_plan_explain(const wr_plan_node *root, int dot, wr_buf *out);
void wr_schema_format(const wr_schema *s, wr_buf *out); /* "`ID` INTEGER KEY, `X` STRING" */

/* ---- queries (engine.c) ---- */
/* Operational log line through opts->log (nothing when unset). */
void wr_engine_log(wr_engine *eng, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
wr_query *wr_query_new(wr_engine *eng, int kind);
void wr_query_free(wr_query *q);
/* The engine's state environment, opened on first use in opts.state_dir (NULL: a private
 * temporary directory) with the cache size of property cache.max.bytes.buffering.  NULL
 * with err filled when LMDB cannot open it. */
st_env *wr_engine_state(wr_engine *eng, wr_error *err);
/* Produces through the engine's topics vtable (sink specs point here). */
int wr_engine_produce(wr_engine *eng, const char *topic, const wr_record *rec, wr_error *err);

/* ---- statements (stmt.c, show.c) ---- */
typedef struct wr_exec {
    wr_engine *eng;
    const char *text;          /* statement text after substitution (spans point here) */
    wr_result_cb cb;
    void *ud;
    wr_arena *arena;           /* statement arena */
} wr_exec;

int wr_stmt_execute(wr_exec *ex, const sql_stmt *stmt, wr_error *err);
/* Analyzes CREATE ... AS SELECT / INSERT INTO ... SELECT into q without starting it (q->root
 * is the sink).  EXPLAIN uses it too. */
int wr_stmt_prepare(wr_exec *ex, const sql_stmt *stmt, wr_query *q, wr_error *err);
int wr_show_execute(wr_exec *ex, const sql_stmt *stmt, wr_error *err);
/* A pull query (SELECT without EMIT) answered from the materialized state of a table
 * (pull.c): a WR_RES_TABLE result.  0 or an error at the offending span. */
int wr_pull_execute(wr_exec *ex, const sql_stmt *stmt, wr_error *err);
/* Emits a result with just a message. */
void wr_exec_ok(wr_exec *ex, int kind, const char *msg, const char *query_id);

/* ---- processing log (plog.c) ---- */
void wr_plog_report(op_ctx *ctx, const op_report *rep);
/* Produces one record of q to topic; a failure is processing-logged (production error) and
 * set as the cycle's fatal error.  0 or the WR_E* code. */
int wr_query_produce(wr_query *q, op_ctx *ctx, const char *topic, const wr_record *rec);

/* ---- helpers shared by the statement code ---- */
/* The candidate for a "Did you mean 'X'?" hint on a name: the closest within one edit per
 * three letters of name (wr_closest), or NULL. */
const char *wr_suggest(const char *name, const char *const *cands, int n);
int wr_error_unsupported(wr_error *err, sql_span sp, const char *what);

#endif
