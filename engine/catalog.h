/*
 * catalog.h - the engine's state, private to engine/: streams and tables (sources), custom
 * types, properties, variables, and the persistent queries.  Drivers see it only through
 * engine.h.  Each catalog object owns an arena holding everything it points at, so dropping
 * an object frees it in one call.
 */
#ifndef WEIR_CATALOG_H
#define WEIR_CATALOG_H

#include "engine.h"
#include "func.h"
#include "sql.h"

/* A stream or table. */
typedef struct wr_source {
    wr_arena arena;
    char *name;           /* cased per rule 1 */
    int is_table;
    int read_only;        /* CREATE SOURCE STREAM|TABLE: no INSERT */
    char *topic;
    wr_format key_fmt, val_fmt;
    wr_schema schema;     /* keys, values, header columns, in declaration order per role */
    int nval;             /* value columns carried by the value format */
    wr_column *val_cols;
    int *val_idx;         /* schema index of val_cols[i] */
    int ts_col;           /* TIMESTAMP column, -1 when none */
    char *ts_format;      /* TIMESTAMP_FORMAT or NULL */
    int windowed;         /* wr_window_kind (WINDOW_TYPE) */
    int64_t win_size_ms;
    int partitions, replicas;
    char *sql;            /* the statement that created it */
    char *query_id;       /* the CSAS/CTAS query that writes it, or NULL */
    wr_topic_info info;
} wr_source;

typedef struct wr_custom_type {
    wr_arena arena;
    char *name;
    const wr_type *type;
} wr_custom_type;

typedef struct wr_kv {
    char *name, *value;   /* heap */
} wr_kv;

typedef struct wr_plan_node wr_plan_node;

struct wr_engine {
    wr_engine_opts opts;
    int nsources, capsources;
    wr_source **sources;  /* creation order */
    int ntypes, captypes;
    wr_custom_type **types;
    int nprops, capprops;
    wr_kv *props;
    int nvars, capvars;
    wr_kv *vars;
    int nqueries, capqueries;
    wr_query **queries;   /* persistent, creation order */
    int next_query_id;    /* ksqlDB numbers queries per engine, terminated ones included */
    char *tmpdir;         /* private state directory (removed on free) */
    struct st_env *state; /* LMDB state, opened on first use (wr_engine_state) */
};

/* ---- sources ---- */
wr_source *wr_cat_source_find(wr_engine *eng, const char *name);
/* Closest source name for "Did you mean" hints, or NULL. */
const char *wr_cat_source_suggest(wr_engine *eng, const char *name);
/* Fails a lookup of source `name`: WR_ENOTFOUND at the name's span with the message (each
 * statement keeps ksqlDB's own wording) and a "Did you mean" hint naming the closest source.
 * Returns WR_ENOTFOUND. */
int wr_cat_source_missing(wr_engine *eng, const sql_ident *name, wr_error *err, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));
/* Takes ownership; replaces a source of the same name when present. */
void wr_cat_source_put(wr_engine *eng, wr_source *src);
void wr_cat_source_remove(wr_engine *eng, wr_source *src); /* frees it */
wr_source *wr_cat_source_new(void);
void wr_cat_source_free(wr_source *src);
/* Fills src->val_cols/val_idx and info from the schema. */
void wr_cat_source_finish(wr_source *src);

/* ---- types ---- */
wr_custom_type *wr_cat_type_find(wr_engine *eng, const char *name);
void wr_cat_type_put(wr_engine *eng, const char *name, const wr_type *type);
int wr_cat_type_remove(wr_engine *eng, const char *name); /* 0, or -1 when absent */
/* Converts a declared type (custom names resolved) into a wr_type in arena a. */
int wr_cat_type_resolve(wr_engine *eng, const sql_type *st, wr_arena *a, const wr_type **out,
                        wr_error *err);

/* ---- properties and variables (heap strings) ---- */
const char *wr_cat_kv_get(wr_kv *kv, int n, const char *name);
void wr_cat_kv_set(wr_kv **kv, int *n, int *cap, const char *name, const char *value);
int wr_cat_kv_unset(wr_kv *kv, int *n, const char *name);
/* Property as a boolean ("true"/"false", any case); dflt when unset. */
int wr_cat_prop_bool(wr_engine *eng, const char *name, int dflt);
/* The function configuration implied by the current properties. */
void wr_cat_fn_config(wr_engine *eng, wr_fn_config *cfg);

/* ---- queries ---- */
void wr_cat_query_add(wr_engine *eng, wr_query *q);
void wr_cat_query_remove(wr_engine *eng, wr_query *q); /* does not free */
wr_query *wr_cat_query_find(wr_engine *eng, const char *id);
/* CREATE SOURCE TABLE's query of the source named `name` (it only materializes it), or NULL. */
wr_query *wr_cat_cst_query(wr_engine *eng, const char *name);
/* The running query whose state holds table src's rows for pull queries: the CTAS writing
 * it, or its CREATE SOURCE TABLE query.  NULL when there is none (not materialized). */
wr_query *wr_cat_table_query(wr_engine *eng, const wr_source *src);

#endif
