/*
 * stmt.c - statement execution: DDL (CREATE STREAM/TABLE/TYPE, DROP), persistent queries
 * (CREATE ... AS SELECT, INSERT INTO ... SELECT), INSERT VALUES, SET/UNSET, DEFINE/UNDEFINE,
 * TERMINATE, transient SELECT and PRINT.  SHOW/DESCRIBE/EXPLAIN live in show.c.
 *
 * Every error carries the span of the AST node it is about; nothing here may crash on a
 * bad statement.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

void wr_exec_ok(wr_exec *ex, int kind, const char *msg, const char *query_id)
{
    if (!ex->cb)
        return;
    wr_result res;
    memset(&res, 0, sizeof res);
    res.kind = kind;
    res.stmt_text = ex->text;
    res.message = msg;
    res.query_id = query_id;
    res.limit = -1;
    ex->cb(ex->ud, &res);
}

static int at(wr_error *err, int code, sql_span sp, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int at(wr_error *err, int code, sql_span sp, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wr_error_at(err, code, sp.off, sp.len, "%s", msg);
}

static const char *kind_word(int is_table) { return is_table ? "table" : "stream"; }
static const char *kind_Word(int is_table) { return is_table ? "Table" : "Stream"; }

/* ---------------------------------------------------------------- WITH properties */

typedef struct props {
    const sql_prop *kafka_topic, *value_format, *key_format, *format, *partitions, *replicas,
        *timestamp, *timestamp_format, *value_delim, *key_delim, *wrap, *window_type,
        *window_size, *retention, *query_id;
} props;

static const char *prop_text(wr_arena *a, const sql_prop *p)
{
    if (!p || !p->value)
        return NULL;
    const sql_expr *e = p->value;
    switch (e->kind) {
    case SQL_E_STRING: return wr_arena_strndup(a, e->text, e->tlen);
    case SQL_E_INT: return wr_arena_sprintf(a, "%lld", (long long)e->ival);
    case SQL_E_BOOL: return e->ival ? "true" : "false";
    case SQL_E_COLUMN: return e->name;
    default: return e->text ? wr_arena_strndup(a, e->text, e->tlen ? e->tlen : strlen(e->text)) : "";
    }
}

static int prop_int(const sql_prop *p, long long *out, wr_error *err)
{
    const sql_expr *e = p->value;
    if (e->kind == SQL_E_INT) {
        *out = e->ival;
        return 0;
    }
    if (e->kind == SQL_E_STRING) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.*s", (int)e->tlen, e->text);
        char *end;
        *out = strtoll(buf, &end, 10);
        if (*buf && !*end)
            return 0;
    }
    return at(err, WR_ESEMANTIC, p->span, "Invalid value for property %s: expected an integer",
              p->name.name);
}

/* Where a WITH clause appears; each accepts its own property set (ksqlDB rejects the rest). */
enum { PROPS_DDL = 1, PROPS_CSAS = 2, PROPS_INSERT = 4 };

static int parse_props(const sql_stmt *stmt, int where, props *pr, wr_error *err)
{
    memset(pr, 0, sizeof *pr);
    static const struct {
        const char *name;
        int where;
    } known[] = {
        {"KAFKA_TOPIC", PROPS_DDL | PROPS_CSAS}, {"VALUE_FORMAT", PROPS_DDL | PROPS_CSAS},
        {"KEY_FORMAT", PROPS_DDL | PROPS_CSAS}, {"FORMAT", PROPS_DDL | PROPS_CSAS},
        {"PARTITIONS", PROPS_DDL | PROPS_CSAS}, {"REPLICAS", PROPS_DDL | PROPS_CSAS},
        {"TIMESTAMP", PROPS_DDL | PROPS_CSAS}, {"TIMESTAMP_FORMAT", PROPS_DDL | PROPS_CSAS},
        {"VALUE_DELIMITER", PROPS_DDL | PROPS_CSAS}, {"KEY_DELIMITER", PROPS_DDL | PROPS_CSAS},
        {"WRAP_SINGLE_VALUE", PROPS_DDL | PROPS_CSAS}, {"WINDOW_TYPE", PROPS_DDL},
        {"WINDOW_SIZE", PROPS_DDL}, {"RETENTION", PROPS_DDL | PROPS_CSAS},
        {"QUERY_ID", PROPS_INSERT},
    };
    const sql_prop **slots[] = {&pr->kafka_topic, &pr->value_format, &pr->key_format, &pr->format,
                                &pr->partitions, &pr->replicas, &pr->timestamp,
                                &pr->timestamp_format, &pr->value_delim, &pr->key_delim, &pr->wrap,
                                &pr->window_type, &pr->window_size, &pr->retention, &pr->query_id};
    for (int i = 0; i < stmt->nprops; i++) {
        const sql_prop *p = &stmt->props[i];
        int found = 0;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            if (wr_strcaseeq(known[k].name, p->name.name) && (known[k].where & where)) {
                *slots[k] = p;
                found = 1;
            }
        if (!found) {
            /* schema-registry knobs are accepted and ignored */
            static const char *const ignored[] = {"VALUE_SCHEMA_ID", "KEY_SCHEMA_ID",
                                                  "VALUE_SCHEMA_FULL_NAME", "KEY_SCHEMA_FULL_NAME",
                                                  "VALUE_AVRO_SCHEMA_FULL_NAME",
                                                  "KEY_PROTOBUF_NULLABLE_REPRESENTATION",
                                                  "VALUE_PROTOBUF_NULLABLE_REPRESENTATION", NULL};
            int ok = 0;
            for (int k = 0; ignored[k] && where != PROPS_INSERT; k++)
                if (wr_strcaseeq(ignored[k], p->name.name))
                    ok = 1;
            if (!ok)
                return at(err, WR_ESEMANTIC, p->span,
                          "Invalid config variable(s) in the WITH clause: %s", p->name.name);
        }
    }
    if (pr->format && (pr->value_format || pr->key_format))
        return at(err, WR_ESEMANTIC, pr->format->span,
                  "Cannot supply both 'FORMAT' and '%s' properties, as 'FORMAT' sets both key "
                  "and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and "
                  "'VALUE_FORMAT'.", pr->value_format ? "VALUE_FORMAT" : "KEY_FORMAT");
    return 0;
}

static int format_of(wr_arena *a, const sql_prop *p, wr_format *f, wr_error *err)
{
    const char *name = prop_text(a, p);
    if (!name || wr_format_parse(name, f))
        return at(err, WR_ESEMANTIC, p->value ? p->value->span : p->span, "Unknown format: %s",
                  name ? name : "");
    return 0;
}

static int delim_of(wr_arena *a, const sql_prop *p, wr_format *f, wr_error *err)
{
    if (!p)
        return 0;
    if (f->kind != WR_FMT_DELIMITED)
        return at(err, WR_ESEMANTIC, p->span,
                  "%s is only applicable for the DELIMITED format, not %s", p->name.name,
                  wr_format_name(f->kind));
    const char *t = prop_text(a, p);
    if (!t || wr_format_parse_delim(t, &f->delim))
        return at(err, WR_ESEMANTIC, p->span,
                  "Invalid delimiter value: '%s'. Delimiter must be a single character or TAB "
                  "or SPACE", t ? t : "");
    return 0;
}

static const char *prop_get(wr_engine *eng, const char *name)
{
    return wr_cat_kv_get(eng->props, eng->nprops, name);
}

/* Default key format (ksql.persistence.default.format.key, KAFKA). */
static wr_format default_key_format(wr_engine *eng)
{
    wr_format f = {WR_FMT_KAFKA, ',', 1};
    const char *v = prop_get(eng, "ksql.persistence.default.format.key");
    if (v)
        wr_format_parse(v, &f);
    f.delim = ',';
    return f;
}

static int64_t duration_ms(const char *s, int *ok)
{
    char unit[32] = "";
    long long n = 0;
    *ok = sscanf(s, "%lld %31s", &n, unit) == 2;
    if (!*ok)
        return 0;
    for (char *p = unit; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    size_t l = strlen(unit);
    if (l > 1 && unit[l - 1] == 'S')
        unit[l - 1] = 0;
    static const struct { const char *u; int64_t ms; } units[] = {
        {"MILLISECOND", 1}, {"SECOND", 1000}, {"MINUTE", 60000}, {"HOUR", 3600000},
        {"DAY", 86400000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].u) == 0)
            return n * units[i].ms;
    *ok = 0;
    return 0;
}

/* Finds a column named by a property value: exact, then upper-cased (unquoted). */
static int find_col_prop(wr_arena *a, const wr_schema *s, const char *name)
{
    int i = wr_schema_find(s, name);
    if (i >= 0)
        return i;
    size_t n = strlen(name);
    if (n >= 2 && name[0] == '`' && name[n - 1] == '`')
        return wr_schema_find(s, wr_arena_strndup(a, name + 1, n - 2));
    return wr_schema_find(s, wr_upper(a, name, n));
}

static int check_ts_col(wr_arena *a, const wr_schema *s, const props *pr, int *col, wr_error *err)
{
    *col = -1;
    if (!pr->timestamp)
        return 0;
    const char *name = prop_text(a, pr->timestamp);
    int i = find_col_prop(a, s, name);
    if (i < 0)
        return at(err, WR_ESEMANTIC, pr->timestamp->span,
                  "The TIMESTAMP column set in the WITH clause does not exist in the schema: '%s'",
                  name);
    int k = s->cols[i].type->kind;
    if (k == WR_STRING && !pr->timestamp_format)
        return at(err, WR_ESEMANTIC, pr->timestamp->span,
                  "A String timestamp field has been specified without also specifying the "
                  "TIMESTAMP_FORMAT property.");
    if (k != WR_BIGINT && k != WR_TIMESTAMP && k != WR_STRING)
        return at(err, WR_ESEMANTIC, pr->timestamp->span,
                  "Timestamp column, `%s`, should be LONG(INT64), TIMESTAMP, or a String with a "
                  "timestamp_format specified.", s->cols[i].name);
    *col = i;
    return 0;
}

static int ensure_topic(wr_engine *eng, const char *topic, int partitions, int replicas,
                        sql_span sp, wr_error *err)
{
    const wr_topics_vt *t = eng->opts.topics;
    if (!t)
        return 0;
    if (t->exists && t->exists(eng->opts.topics_ud, topic))
        return 0;
    if (!t->create)
        return at(err, WR_EKAFKA, sp, "Cannot create topic '%s'", topic);
    wr_error e2;
    wr_error_clear(&e2);
    int rc = t->create(eng->opts.topics_ud, topic, partitions, replicas, &e2);
    if (rc)
        return at(err, rc, sp, "Could not create topic '%s': %s", topic, e2.msg);
    return 0;
}

/* ---------------------------------------------------------------- CREATE STREAM/TABLE */

static int check_exists(wr_exec *ex, const sql_stmt *stmt, int is_table, int *skip,
                        wr_error *err)
{
    *skip = 0;
    wr_source *old = wr_cat_source_find(ex->eng, stmt->name.name);
    if (!old)
        return 0;
    if (stmt->flags & SQL_S_IF_NOT_EXISTS) {
        *skip = 1;
        return 0;
    }
    if (stmt->flags & SQL_S_OR_REPLACE) {
        if (old->is_table != is_table)
            return at(err, WR_ESEMANTIC, stmt->name.span,
                      "Cannot add %s '%s': A %s with the same name already exists",
                      kind_word(is_table), stmt->name.name, kind_word(old->is_table));
        /* running readers point at the old definition: refuse rather than dangle (CREATE
         * SOURCE TABLE's own query is replaced with it) */
        for (int i = 0; i < ex->eng->nqueries; i++) {
            wr_query *q = ex->eng->queries[i];
            if (q->kind == WR_Q_CST && stmt->kind == SQL_S_CREATE_SOURCE)
                continue;
            if (q->src_name && strcmp(q->src_name, old->name) == 0)
                return at(err, WR_ESEMANTIC, stmt->name.span,
                          "Cannot replace %s '%s' while query %s reads from it. Terminate the "
                          "query first.", kind_word(is_table), old->name, q->id);
        }
        return 0;
    }
    return at(err, WR_EEXISTS, stmt->name.span,
              "Cannot add %s '%s': A %s with the same name already exists", kind_word(is_table),
              stmt->name.name, kind_word(old->is_table));
}

static void terminate(wr_engine *eng, wr_query *q);
static void next_query_id(wr_engine *eng, wr_query *q, const char *prefix, const char *sink);
static int start_cst(wr_exec *ex, wr_source *src, wr_error *err);

static int exec_create_source(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    wr_engine *eng = ex->eng;
    int is_table = stmt->obj == SQL_OBJ_TABLE;
    int rc, skip;
    if ((rc = check_exists(ex, stmt, is_table, &skip, err)))
        return rc;
    if (skip) {
        wr_exec_ok(ex, WR_RES_OK, wr_arena_sprintf(ex->arena, "%s %s already exists.",
                   kind_Word(is_table), stmt->name.name), NULL);
        return 0;
    }
    props pr;
    if ((rc = parse_props(stmt, PROPS_DDL, &pr, err)))
        return rc;
    if (!pr.kafka_topic)
        return at(err, WR_ESEMANTIC, stmt->span,
                  "Missing required property \"KAFKA_TOPIC\" which has no default value.");
    if (stmt->ncols == 0)
        return at(err, WR_ESEMANTIC, stmt->name.span,
                  "The statement does not define any columns.");

    wr_source *src = wr_cat_source_new();
    wr_arena *a = &src->arena;
    src->name = wr_arena_strdup(a, stmt->name.name);
    src->is_table = is_table;
    src->read_only = (stmt->flags & SQL_S_SOURCE) != 0;
    src->topic = wr_arena_strdup(a, prop_text(ex->arena, pr.kafka_topic));
    src->sql = wr_arena_strdup(a, ex->text);

    /* columns: keys first, then values and headers, each in declaration order */
    wr_column *cols = wr_arena_calloc(a, sizeof(wr_column) * (size_t)stmt->ncols);
    int n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < stmt->ncols; i++) {
            const sql_column_def *cd = &stmt->cols[i];
            int iskey = (cd->flags & (SQL_COL_KEY | SQL_COL_PRIMARY_KEY)) != 0;
            if (iskey != (pass == 0))
                continue;
            if (pass == 0) {
                if (is_table && (cd->flags & SQL_COL_KEY) && !(cd->flags & SQL_COL_PRIMARY_KEY)) {
                    rc = at(err, WR_ESEMANTIC, cd->span,
                            "Column `%s` is a 'KEY' column: please use 'PRIMARY KEY' for tables.\n"
                            "Tables have PRIMARY KEYs, which are unique and NON NULL.\n"
                            "Streams have KEYs, which have no uniqueness or NON NULL constraints.",
                            cd->name.name);
                    goto fail;
                }
                if (!is_table && (cd->flags & SQL_COL_PRIMARY_KEY)) {
                    rc = at(err, WR_ESEMANTIC, cd->span,
                            "Column `%s` is a 'PRIMARY KEY' column: please use 'KEY' for streams.\n"
                            "Tables have PRIMARY KEYs, which are unique and NON NULL.\n"
                            "Streams have KEYs, which have no uniqueness or NON NULL constraints.",
                            cd->name.name);
                    goto fail;
                }
            }
            for (int j = 0; j < n; j++)
                if (strcmp(cols[j].name, cd->name.name) == 0) {
                    rc = at(err, WR_ESEMANTIC, cd->name.span, "Duplicate column names: %s",
                            cd->name.name);
                    goto fail;
                }
            if (!cd->name.quoted) {
                for (int p = 0; p < OP_PSEUDO_COUNT; p++) {
                    static const char *const reserved[] = {"ROWTIME", "ROWPARTITION", "ROWOFFSET",
                                                           "WINDOWSTART", "WINDOWEND"};
                    if (strcmp(cd->name.name, reserved[p]) == 0) {
                        rc = at(err, WR_ESEMANTIC, cd->name.span,
                                "'%s' is a reserved column name. You cannot use it as a name "
                                "for a column.", cd->name.name);
                        goto fail;
                    }
                }
            }
            cols[n].name = wr_arena_strdup(a, cd->name.name);
            if ((rc = wr_cat_type_resolve(eng, cd->type, a, &cols[n].type, err)))
                goto fail;
            cols[n].role = iskey ? WR_COL_KEY : WR_COL_VALUE;
            if (cd->flags & (SQL_COL_HEADERS | SQL_COL_HEADER)) {
                cols[n].role = WR_COL_HEADERS;
                if (cd->flags & SQL_COL_HEADER) {
                    cols[n].header = wr_arena_strdup(a, cd->header_key ? cd->header_key : "");
                    if (cols[n].type->kind != WR_BYTES) {
                        rc = at(err, WR_ESEMANTIC, cd->span,
                                "Invalid type for HEADER('%s') column: expected BYTES.",
                                cols[n].header);
                        goto fail;
                    }
                } else {
                    const wr_type *t = cols[n].type;
                    if (t->kind != WR_ARRAY || !t->elem || t->elem->kind != WR_STRUCT ||
                        t->elem->nfields != 2) {
                        rc = at(err, WR_ESEMANTIC, cd->span,
                                "Invalid type for HEADERS column: expected "
                                "ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>>.");
                        goto fail;
                    }
                }
            }
            n++;
            if (pass == 0)
                src->schema.nkey = n;
        }
    src->schema.ncols = n;
    src->schema.cols = cols;
    if (is_table && src->schema.nkey == 0) {
        rc = at(err, WR_ESEMANTIC, stmt->name.span,
                "Tables require a PRIMARY KEY. Please define the PRIMARY KEY.");
        goto fail;
    }

    /* formats */
    const sql_prop *kf = pr.key_format ? pr.key_format : pr.format;
    const sql_prop *vf = pr.value_format ? pr.value_format : pr.format;
    if (kf) {
        if ((rc = format_of(ex->arena, kf, &src->key_fmt, err)))
            goto fail;
    } else if (src->schema.nkey == 0)
        src->key_fmt.kind = WR_FMT_NONE;
    else
        src->key_fmt = default_key_format(eng);
    src->key_fmt.delim = ',';
    src->key_fmt.wrap_single = 0;
    if (vf) {
        if ((rc = format_of(ex->arena, vf, &src->val_fmt, err)))
            goto fail;
    } else {
        const char *dv = prop_get(eng, "ksql.persistence.default.format.value");
        if (!dv || wr_format_parse(dv, &src->val_fmt)) {
            rc = at(err, WR_ESEMANTIC, stmt->span,
                    "Statement is missing the 'VALUE_FORMAT' property from the WITH clause.\n"
                    "Either provide one or set a default via the "
                    "'ksql.persistence.default.format.value' config.");
            goto fail;
        }
    }
    src->val_fmt.delim = ',';
    src->val_fmt.wrap_single = wr_cat_prop_bool(eng, "ksql.persistence.wrap.single.values", 1);
    if (pr.wrap) {
        const char *w = prop_text(ex->arena, pr.wrap);
        src->val_fmt.wrap_single = w && wr_strcaseeq(w, "true");
    }
    if ((rc = delim_of(ex->arena, pr.value_delim, &src->val_fmt, err)) ||
        (rc = delim_of(ex->arena, pr.key_delim, &src->key_fmt, err)))
        goto fail;
    wr_cat_source_finish(src);
    if ((rc = wr_serde_check(&src->key_fmt, 1, src->schema.cols, src->schema.nkey, err)) ||
        (rc = wr_serde_check(&src->val_fmt, 0, src->val_cols, src->nval, err))) {
        err->has_span = 1;
        err->off = stmt->span.off;
        err->len = stmt->span.len;
        goto fail;
    }

    /* time and windows */
    if ((rc = check_ts_col(ex->arena, &src->schema, &pr, &src->ts_col, err)))
        goto fail;
    if (pr.timestamp_format)
        src->ts_format = wr_arena_strdup(a, prop_text(ex->arena, pr.timestamp_format));
    if (pr.window_type) {
        const char *wt = prop_text(ex->arena, pr.window_type);
        if (wr_strcaseeq(wt, "TUMBLING"))
            src->windowed = WR_WIN_TUMBLING;
        else if (wr_strcaseeq(wt, "HOPPING"))
            src->windowed = WR_WIN_HOPPING;
        else if (wr_strcaseeq(wt, "SESSION"))
            src->windowed = WR_WIN_SESSION;
        else {
            rc = at(err, WR_ESEMANTIC, pr.window_type->span,
                    "WINDOW_TYPE must be one of TUMBLING, HOPPING or SESSION, not '%s'", wt);
            goto fail;
        }
        if (src->windowed != WR_WIN_SESSION) {
            int ok = 0;
            if (pr.window_size)
                src->win_size_ms = duration_ms(prop_text(ex->arena, pr.window_size), &ok);
            if (!ok) {
                rc = at(err, WR_ESEMANTIC, pr.window_size ? pr.window_size->span : stmt->span,
                        "Tumbling and Hopping window types should set WINDOW_SIZE in the WITH "
                        "clause, e.g. WINDOW_SIZE='10 SECONDS'.");
                goto fail;
            }
        } else if (pr.window_size) {
            rc = at(err, WR_ESEMANTIC, pr.window_size->span,
                    "'WINDOW_SIZE' should not be set for SESSION windows.");
            goto fail;
        }
    }

    /* topic */
    long long parts = -1, reps = 1;
    if (pr.partitions && (rc = prop_int(pr.partitions, &parts, err)))
        goto fail;
    if (pr.replicas && (rc = prop_int(pr.replicas, &reps, err)))
        goto fail;
    const wr_topics_vt *tv = eng->opts.topics;
    if (tv && tv->exists && !tv->exists(eng->opts.topics_ud, src->topic)) {
        if (parts < 0) {
            rc = at(err, WR_ENOTFOUND, pr.kafka_topic->span,
                    "Topic '%s' does not exist. If you want to create a new topic for the %s "
                    "please re-run the statement providing the required 'PARTITIONS' "
                    "configuration in the WITH clause (and optionally 'REPLICAS'). For example: "
                    "CREATE %s %s (...) WITH (KAFKA_TOPIC='%s', PARTITIONS=2, ...);",
                    src->topic, kind_word(is_table), is_table ? "TABLE" : "STREAM", src->name,
                    src->topic);
            goto fail;
        }
        if ((rc = ensure_topic(eng, src->topic, (int)parts, (int)reps, pr.kafka_topic->span, err)))
            goto fail;
    }
    src->partitions = parts > 0 ? (int)parts
                                : (tv && tv->partitions ? tv->partitions(eng->opts.topics_ud, src->topic) : 1);
    if (src->partitions < 1)
        src->partitions = 1;
    src->replicas = (int)reps;

    /* OR REPLACE keeps queries running against the old definition's name */
    wr_query *cst = wr_cat_cst_query(eng, src->name);
    if (cst)
        terminate(eng, cst);
    if (is_table && src->read_only)
        return start_cst(ex, src, err);
    wr_cat_source_put(eng, src);
    wr_exec_ok(ex, WR_RES_OK, is_table ? "Table created" : "Stream created", NULL);
    return 0;
fail:
    wr_cat_source_free(src);
    return rc;
}

/* CREATE SOURCE TABLE: the table goes into the catalog with a query that materializes it
 * (ksqlDB's CST_ query), so that pull queries can read it.  Takes ownership of src. */
static int start_cst(wr_exec *ex, wr_source *src, wr_error *err)
{
    wr_engine *eng = ex->eng;
    wr_query *q = wr_query_new(eng, WR_Q_CST);
    q->sql = wr_xstrdup(ex->text);
    q->src_name = wr_xstrdup(src->name);
    q->src_topic = wr_xstrdup(src->topic);
    int rc = wr_analyze_source(eng, q, src, err);
    if (!rc) {
        next_query_id(eng, q, "CST", src->name);
        rc = wr_plan_build(q, err);
    }
    if (rc) {
        wr_query_free(q);
        wr_cat_source_free(src);
        return rc;
    }
    wr_cat_source_put(eng, src);
    /* the plan points into src: the catalog keeps it until the query is gone (DROP
     * terminates the query first) */
    wr_cat_query_add(eng, q);
    wr_engine_log(eng, WR_LOG_DEBUG, "query %s started: materializing %s", q->id, q->src_topic);
    wr_exec_ok(ex, WR_RES_QUERY, "Table created", q->id);
    return 0;
}

/* ---------------------------------------------------------------- persistent queries */

int wr_query_produce(wr_query *q, op_ctx *ctx, const char *topic, const wr_record *rec)
{
    wr_error e;
    wr_error_clear(&e);
    int rc = wr_engine_produce(q->eng, topic, rec, &e);
    if (rc) {
        op_report rep = {OP_REP_PRODUCTION, "value", e.msg, NULL, 0, topic, NULL, 1};
        wr_plog_report(ctx, &rep);
        *ctx->err = e;
    }
    return rc;
}

static int sink_produce(void *ud, op_ctx *ctx, const wr_record *rec)
{
    wr_query *q = ud;
    return wr_query_produce(q, ctx, q->sink_topic, rec);
}

/* Deep copy of a schema into arena a. */
static void schema_copy(wr_arena *a, const wr_schema *from, wr_schema *to)
{
    wr_column *cols = wr_arena_calloc(a, sizeof(wr_column) * (size_t)(from->ncols + 1));
    for (int i = 0; i < from->ncols; i++) {
        cols[i] = from->cols[i];
        cols[i].name = wr_arena_strdup(a, from->cols[i].name);
        cols[i].type = wr_type_copy(a, from->cols[i].type);
        cols[i].header = from->cols[i].header ? wr_arena_strdup(a, from->cols[i].header) : NULL;
        if (cols[i].role == WR_COL_HEADERS)
            cols[i].role = WR_COL_VALUE;
    }
    to->ncols = from->ncols;
    to->nkey = from->nkey;
    to->cols = cols;
}

static void next_query_id(wr_engine *eng, wr_query *q, const char *prefix, const char *sink)
{
    char buf[512];
    if (sink) {
        /* ksqlDB ids keep only identifier characters of the sink name */
        char nm[400];
        size_t j = 0;
        for (const char *p = sink; *p && j < sizeof nm - 1; p++)
            nm[j++] = isalnum((unsigned char)*p) || *p == '_' ? (char)toupper((unsigned char)*p) : '_';
        nm[j] = 0;
        snprintf(buf, sizeof buf, "%s_%s_%d", prefix, nm, eng->next_query_id++);
    } else
        snprintf(buf, sizeof buf, "%s_%d", prefix, eng->next_query_id++);
    q->id = wr_xstrdup(buf);
}

static void fill_sink(wr_query *q, wr_plan_node *sink, const wr_format *kf, const wr_format *vf,
                      int ts_col, const char *ts_format)
{
    op_sink_spec *sp = &sink->u.sink;
    sp->schema = sink->schema;
    sp->key_fmt = *kf;
    sp->val_fmt = *vf;
    sp->ts_col = ts_col;
    sp->ts_is_string = ts_col >= 0 && sink->schema->cols[ts_col].type->kind == WR_STRING;
    sp->ts_format = ts_format;
    sp->produce = sink_produce;
    sp->ud = q;
    sink->detail = wr_arena_sprintf(&q->arena, "topic %s, key %s, value %s", q->sink_topic,
                                    wr_format_name(kf->kind), wr_format_name(vf->kind));
}

/* Readers and writers of a source, for DROP. */
static void query_users(wr_engine *eng, const char *name, wr_buf *readers, wr_buf *writers)
{
    for (int i = 0; i < eng->nqueries; i++) {
        wr_query *q = eng->queries[i];
        if (q->kind == WR_Q_CST) /* goes with its table */
            continue;
        if (q->src_name && strcmp(q->src_name, name) == 0)
            wr_buf_printf(readers, "%s%s", readers->len ? ", " : "", q->id);
        if (q->sink_name && strcmp(q->sink_name, name) == 0)
            wr_buf_printf(writers, "%s%s", writers->len ? ", " : "", q->id);
    }
}

static void terminate(wr_engine *eng, wr_query *q)
{
    wr_engine_log(eng, WR_LOG_INFO, "query %s terminated", q->id);
    for (int i = 0; i < eng->nsources; i++)
        if (eng->sources[i]->query_id && strcmp(eng->sources[i]->query_id, q->id) == 0)
            eng->sources[i]->query_id = NULL;
    wr_cat_query_remove(eng, q);
    /* like ksqlDB, a terminated query's state is deleted (at the next commit) */
    for (int i = 0; i < q->ctx.nstores; i++)
        st_store_clear(q->ctx.stores[i], NULL);
    /* and its internal repartition topic, once nothing reads it any more (a shutdown frees
     * queries too, but keeps their topics: it does not come here) */
    char *rp = q->rp_topic ? wr_xstrdup(q->rp_topic) : NULL;
    wr_query_free(q);
    if (rp && eng->opts.topics && eng->opts.topics->remove)
        eng->opts.topics->remove(eng->opts.topics_ud, rp);
    free(rp);
}


static int schema_compatible(const wr_schema *a, const wr_schema *b)
{
    if (a->ncols != b->ncols || a->nkey != b->nkey)
        return 0;
    for (int i = 0; i < a->ncols; i++)
        if (strcmp(a->cols[i].name, b->cols[i].name) != 0 ||
            !wr_type_equal(a->cols[i].type, b->cols[i].type))
            return 0;
    return 1;
}

int wr_stmt_prepare(wr_exec *ex, const sql_stmt *stmt, wr_query *q, wr_error *err)
{
    wr_engine *eng = ex->eng;
    int rc;
    int is_insert = stmt->kind == SQL_S_INSERT_SELECT;
    int is_table = stmt->obj == SQL_OBJ_TABLE;
    props pr;
    if ((rc = parse_props(stmt, is_insert ? PROPS_INSERT : PROPS_CSAS, &pr, err)))
        return rc;
    wr_source *target = NULL;
    if (is_insert) {
        target = wr_cat_source_find(eng, stmt->name.name);
        if (!target)
            return wr_cat_source_missing(eng, &stmt->name, err, "%s does not exist.",
                                         stmt->name.name);
        if (target->is_table)
            return at(err, WR_ESEMANTIC, stmt->name.span,
                      "INSERT INTO can only be used to insert into a stream. %s is a table.",
                      target->name);
        if (target->read_only)
            return at(err, WR_ESEMANTIC, stmt->name.span,
                      "Cannot insert into read-only stream: %s", target->name);
    }
    q->sql = wr_xstrdup(ex->text);
    wr_analyze_opts ao = {1, stmt->name.name, ex->text, 0};
    if ((rc = wr_analyze_select(eng, q, stmt->select, &ao, err)))
        return rc;
    const wr_source *from = q->plan.from;
    int result_table = from->is_table || q->plan.grouped;
    if (!is_insert && is_table != result_table)
        return at(err, WR_ESEMANTIC, stmt->span,
                  "Invalid result type. Your SELECT query produces a %s. Please use CREATE "
                  "%s AS SELECT statement instead.", result_table ? "TABLE" : "STREAM",
                  result_table ? "TABLE" : "STREAM");
    if (is_insert && result_table)
        return at(err, WR_ESEMANTIC, stmt->span,
                  "Incompatible data sink and query result. Data sink (%s) type is KSTREAM but "
                  "select query result is KTABLE.", target->name);
    q->src_name = wr_xstrdup(from->name);
    q->src_topic = wr_xstrdup(from->topic);
    q->sink_name = wr_xstrdup(stmt->name.name);
    if (strcmp(from->name, stmt->name.name) == 0)
        return at(err, WR_ESEMANTIC, stmt->name.span,
                  "Cannot insert into %s: it is also the source of the query.", stmt->name.name);
    const wr_schema *rs = q->plan.result;
    wr_format kf, vf;
    int ts_col = -1;
    const char *ts_format = NULL;
    wr_plan_node *sink = wr_plan_node_new(&q->arena, WR_PLAN_SINK, q->plan.top, rs);
    if (is_insert) {
        wr_schema ts = target->schema;
        /* header columns of the target are not written */
        if (!schema_compatible(rs, &ts)) {
            wr_buf b1, b2;
            wr_buf_init(&b1);
            wr_buf_init(&b2);
            wr_schema_format(rs, &b1);
            wr_schema_format(&ts, &b2);
            at(err, WR_ESEMANTIC, stmt->select->span,
               "Incompatible schema between results and sink.\nResult schema is %s\n"
               "Sink schema is %s", b1.data ? b1.data : "", b2.data ? b2.data : "");
            wr_buf_fini(&b1);
            wr_buf_fini(&b2);
            return WR_ESEMANTIC;
        }
        q->sink_topic = wr_xstrdup(target->topic);
        kf = target->key_fmt;
        vf = target->val_fmt;
        /* the target's TIMESTAMP column says how it is read, not how it is written */
    } else {
        const char *prefix = prop_get(eng, "ksql.output.topic.name.prefix");
        const char *topic = pr.kafka_topic ? prop_text(ex->arena, pr.kafka_topic)
                                           : wr_arena_sprintf(ex->arena, "%s%s", prefix ? prefix : "",
                                                              stmt->name.name);
        q->sink_topic = wr_xstrdup(topic);
        const sql_prop *kp = pr.key_format ? pr.key_format : pr.format;
        const sql_prop *vp = pr.value_format ? pr.value_format : pr.format;
        if (kp) {
            if ((rc = format_of(ex->arena, kp, &kf, err)))
                return rc;
        } else {
            kf = from->key_fmt;
            if (rs->nkey > 0 && kf.kind == WR_FMT_NONE)
                kf = default_key_format(eng);
            if (rs->nkey == 0)
                kf.kind = WR_FMT_NONE;
        }
        kf.wrap_single = 0;
        if (!kp || kf.kind != from->key_fmt.kind)
            kf.delim = kp ? ',' : kf.delim;
        if (vp) {
            if ((rc = format_of(ex->arena, vp, &vf, err)))
                return rc;
            vf.delim = vf.kind == from->val_fmt.kind ? from->val_fmt.delim : ',';
        } else
            vf = from->val_fmt;
        if (!vf.delim)
            vf.delim = ',';
        if (!kf.delim)
            kf.delim = ',';
        vf.wrap_single = wr_cat_prop_bool(eng, "ksql.persistence.wrap.single.values", 1);
        if (pr.wrap) {
            const char *w = prop_text(ex->arena, pr.wrap);
            vf.wrap_single = w && wr_strcaseeq(w, "true");
        }
        if ((rc = delim_of(ex->arena, pr.value_delim, &vf, err)) ||
            (rc = delim_of(ex->arena, pr.key_delim, &kf, err)))
            return rc;
        if ((rc = check_ts_col(ex->arena, rs, &pr, &ts_col, err)))
            return rc;
        if (pr.timestamp_format)
            ts_format = wr_arena_strdup(&q->arena, prop_text(ex->arena, pr.timestamp_format));
    }
    if (q->plan.grouped && !is_insert && !pr.key_format && !pr.format && rs->nkey > 0) {
        /* ksqlDB changes a key format the user did not choose to JSON when it cannot carry
         * the grouping key (several columns in KAFKA, a type the format lacks) */
        wr_error ke;
        wr_error_clear(&ke);
        if (wr_serde_check(&kf, 1, rs->cols, rs->nkey, &ke)) {
            kf.kind = WR_FMT_JSON;
            kf.delim = ',';
        }
    }
    if ((rc = wr_serde_check(&kf, 1, rs->cols, rs->nkey, err)) ||
        (rc = wr_serde_check(&vf, 0, rs->cols + rs->nkey, rs->ncols - rs->nkey, err))) {
        err->has_span = 1;
        err->off = stmt->select->span.off;
        err->len = stmt->select->span.len;
        return rc;
    }
    fill_sink(q, sink, &kf, &vf, ts_col, ts_format);
    q->root = sink;
    /* pass the chosen formats to the caller through the sink spec */
    return 0;
}

static int exec_create_as(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    wr_engine *eng = ex->eng;
    int is_table = stmt->obj == SQL_OBJ_TABLE;
    int is_insert = stmt->kind == SQL_S_INSERT_SELECT;
    int rc, skip = 0;
    if (!is_insert) {
        if ((rc = check_exists(ex, stmt, is_table, &skip, err)))
            return rc;
        if (skip) {
            wr_exec_ok(ex, WR_RES_OK, wr_arena_sprintf(ex->arena, "%s %s already exists.",
                       kind_Word(is_table), stmt->name.name), NULL);
            return 0;
        }
    }
    wr_query *q = wr_query_new(eng, is_insert ? WR_Q_INSERT : is_table ? WR_Q_CTAS : WR_Q_CSAS);
    if ((rc = wr_stmt_prepare(ex, stmt, q, err)))
        goto fail;
    props pr;
    parse_props(stmt, is_insert ? PROPS_INSERT : PROPS_CSAS, &pr, err); /* checked by prepare */
    if (!is_insert) {
        /* the sink topic: the source's partition count unless PARTITIONS says otherwise */
        long long parts = -1, reps = -1;
        if (pr.partitions && (rc = prop_int(pr.partitions, &parts, err)))
            goto fail;
        if (pr.replicas && (rc = prop_int(pr.replicas, &reps, err)))
            goto fail;
        if (parts < 0)
            parts = q->plan.from->partitions;
        if (reps < 0)
            reps = q->plan.from->replicas;
        if ((rc = ensure_topic(eng, q->sink_topic, (int)parts, (int)reps, stmt->name.span, err)))
            goto fail;
        wr_source *old = wr_cat_source_find(eng, stmt->name.name);
        if (old && old->query_id) {
            wr_query *oq = wr_cat_query_find(eng, old->query_id);
            if (oq)
                terminate(eng, oq);
        }
        wr_source *src = wr_cat_source_new();
        wr_arena *a = &src->arena;
        src->name = wr_arena_strdup(a, stmt->name.name);
        src->is_table = is_table;
        src->topic = wr_arena_strdup(a, q->sink_topic);
        src->key_fmt = q->root->u.sink.key_fmt;
        src->val_fmt = q->root->u.sink.val_fmt;
        schema_copy(a, q->plan.result, &src->schema);
        src->ts_col = q->root->u.sink.ts_col;
        src->ts_format = q->root->u.sink.ts_format ? wr_arena_strdup(a, q->root->u.sink.ts_format)
                                                   : NULL;
        src->windowed = q->plan.grouped ? q->plan.win_kind : q->plan.from->windowed;
        src->win_size_ms = q->plan.grouped ? q->plan.win_size : q->plan.from->win_size_ms;
        src->partitions = (int)parts;
        src->replicas = (int)reps;
        src->sql = wr_arena_strdup(a, ex->text);
        next_query_id(eng, q, is_table ? "CTAS" : "CSAS", stmt->name.name);
        src->query_id = wr_arena_strdup(a, q->id);
        wr_cat_source_finish(src);
        if ((rc = wr_plan_build(q, err)))
            goto fail_src;
        wr_cat_source_put(eng, src);
        goto started;
    fail_src:
        wr_cat_source_free(src);
        goto fail;
    }
    if (pr.query_id) {
        /* INSERT INTO ... WITH (QUERY_ID='x'): a user-chosen id, upper-cased like ksqlDB's */
        const char *qid = prop_text(ex->arena, pr.query_id);
        char *up = wr_upper(ex->arena, qid, strlen(qid));
        if (wr_cat_query_find(eng, up)) {
            rc = at(err, WR_EEXISTS, pr.query_id->span, "Query ID '%s' already exists.", up);
            goto fail;
        }
        q->id = wr_xstrdup(up);
    } else
        next_query_id(eng, q, "INSERTQUERY", NULL);
    if ((rc = wr_plan_build(q, err)))
        goto fail;
started:
    wr_cat_query_add(eng, q);
    /* drivers announce running queries from the WR_RES_QUERY result; this is detail */
    wr_engine_log(eng, WR_LOG_DEBUG, "query %s started: %s -> %s", q->id, q->src_topic,
                  q->sink_topic);
    wr_exec_ok(ex, WR_RES_QUERY, wr_arena_sprintf(ex->arena, "Created query with ID %s", q->id),
               q->id);
    return 0;
fail:
    wr_query_free(q);
    return rc;
}

/* ---------------------------------------------------------------- INSERT VALUES */

static int no_columns(void *ud, const sql_expr *e, int *slot, const wr_type **type, wr_error *err)
{
    if (e->kind == SQL_E_COLUMN)
        return wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                           "Column '%s' cannot be resolved: INSERT VALUES takes literals and "
                           "expressions of literals only.", e->name);
    return 0;
}

static const wr_type *values_custom_type(void *ud, const char *name)
{
    wr_custom_type *ct = wr_cat_type_find(ud, name);
    return ct ? ct->type : NULL;
}

/* INSERT VALUES evaluation errors fail the statement (there is no record to skip). */
static void on_values_error(void *ud, const wr_error *e)
{
    wr_error *first = ud;
    if (!first->code)
        *first = *e;
}

static int exec_insert_values(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    wr_engine *eng = ex->eng;
    wr_source *src = wr_cat_source_find(eng, stmt->name.name);
    if (!src)
        return wr_cat_source_missing(eng, &stmt->name, err, "%s does not exist.", stmt->name.name);
    if (src->read_only)
        return at(err, WR_ESEMANTIC, stmt->name.span, "Cannot insert values into read-only %s: %s",
                  kind_word(src->is_table), src->name);
    const wr_schema *s = &src->schema;
    wr_arena *a = ex->arena;
    int ncols = stmt->ninsert_cols;
    int *target = wr_arena_calloc(a, sizeof(int) * (size_t)(s->ncols + ncols + 1));
    const int ROWTIME_COL = -2;
    if (ncols == 0) {
        for (int i = 0; i < s->ncols; i++)
            if (s->cols[i].role != WR_COL_HEADERS)
                target[ncols++] = i;
    } else {
        for (int i = 0; i < ncols; i++) {
            const sql_ident *id = &stmt->insert_cols[i];
            int idx = wr_schema_find(s, id->name);
            if (idx < 0 && strcmp(id->name, "ROWTIME") == 0)
                idx = ROWTIME_COL;
            if (idx == -1) {
                at(err, WR_ESEMANTIC, id->span, "Column name %s does not exist.", id->name);
                const char **cands = wr_arena_calloc(a, sizeof(char *) * (size_t)(s->ncols + 1));
                for (int c = 0; c < s->ncols; c++)
                    cands[c] = s->cols[c].name;
                const char *best = wr_suggest(id->name, cands, s->ncols);
                if (best)
                    wr_error_hint(err, "Did you mean '%s'?", best);
                return WR_ESEMANTIC;
            }
            if (idx >= 0 && s->cols[idx].role == WR_COL_HEADERS)
                return at(err, WR_ESEMANTIC, id->span, "Cannot insert into HEADER columns: %s",
                          id->name);
            target[i] = idx;
        }
    }
    int nvals = stmt->values ? stmt->values->n : 0;
    if (nvals != ncols)
        return at(err, WR_ESEMANTIC, stmt->span,
                  "Expected number columns and values to match: %d columns, %d values", ncols,
                  nvals);
    wr_value *row = wr_arena_calloc(a, sizeof(wr_value) * (size_t)(s->ncols + 1));
    int64_t ts = eng->opts.test_mode ? 0 : wr_now_ms();
    int have_ts = 0;
    wr_fn_config cfg;
    wr_cat_fn_config(eng, &cfg);
    wr_expr_env env = {a, &cfg, no_columns, eng, values_custom_type};
    wr_eval_ctx ectx;
    memset(&ectx, 0, sizeof ectx);
    ectx.arena = a;
    ectx.cfg = &cfg;
    ectx.now_ms = wr_now_ms();
    wr_error eval_err;
    wr_error_clear(&eval_err);
    ectx.on_error = on_values_error;
    ectx.ud = &eval_err;
    int rc = 0;
    for (int i = 0; i < nvals; i++) {
        const sql_expr *e = stmt->values->items[i];
        wr_expr *x;
        if ((rc = wr_expr_compile(&env, e, &x, err)))
            return rc;
        wr_value v;
        wr_expr_eval(x, NULL, &ectx, &v);
        if (eval_err.code) {
            wr_expr_release(x);
            return at(err, WR_ESEMANTIC, e->span, "Failed to insert values into '%s'. %s",
                      src->name, eval_err.msg);
        }
        const wr_type *from = wr_expr_type(x);
        const wr_type *to = target[i] == ROWTIME_COL ? &wr_type_bigint : s->cols[target[i]].type;
        wr_value out = v;
        if (!wr_is_null(&v) && !wr_type_equal(from, to)) {
            wr_error ce;
            wr_error_clear(&ce);
            if (wr_value_cast(a, &v, from, to, &out, &ce)) {
                wr_buf tb, fb;
                wr_buf_init(&tb);
                wr_buf_init(&fb);
                wr_type_format(to, &tb);
                wr_type_format(from, &fb);
                at(err, WR_ESEMANTIC, e->span, "Expected type %s for field %s but got %s(%s)",
                   tb.data, target[i] == ROWTIME_COL ? "ROWTIME" : s->cols[target[i]].name, fb.data,
                   ce.msg);
                wr_buf_fini(&tb);
                wr_buf_fini(&fb);
                wr_expr_release(x);
                return WR_ESEMANTIC;
            }
        }
        wr_expr_release(x);
        if (target[i] == ROWTIME_COL) {
            if (!wr_is_null(&out)) {
                ts = out.u.i;
                have_ts = 1;
            }
        } else
            row[target[i]] = out;
    }
    if (!have_ts && src->ts_col >= 0 && !wr_is_null(&row[src->ts_col]) &&
        s->cols[src->ts_col].type->kind != WR_STRING)
        ts = row[src->ts_col].u.i;

    wr_record rec;
    memset(&rec, 0, sizeof rec);
    rec.ts = ts;
    rec.partition = -1;
    rec.offset = -1;
    wr_buf kb, vb;
    wr_buf_init(&kb);
    wr_buf_init(&vb);
    int keynull = 1;
    for (int k = 0; k < s->nkey; k++)
        if (!wr_is_null(&row[k]))
            keynull = 0;
    if (!keynull && src->key_fmt.kind != WR_FMT_NONE) {
        if ((rc = wr_serde_encode(&src->key_fmt, 1, s->cols, s->nkey, row, &kb, err)))
            goto out;
        rec.key = kb.data ? kb.data : "";
        rec.key_len = kb.len;
    }
    wr_value *vals = wr_arena_calloc(a, sizeof(wr_value) * (size_t)(src->nval + 1));
    for (int i = 0; i < src->nval; i++)
        vals[i] = row[src->val_idx[i]];
    if ((rc = wr_serde_encode(&src->val_fmt, 0, src->val_cols, src->nval, vals, &vb, err)))
        goto out;
    rec.value = vb.data ? vb.data : "";
    rec.value_len = vb.len;
    if (src->windowed)
        rec.win_kind = src->windowed;
    rc = wr_engine_produce(eng, src->topic, &rec, err);
out:
    wr_buf_fini(&kb);
    wr_buf_fini(&vb);
    if (rc) {
        if (!err->has_span) {
            err->has_span = 1;
            err->off = stmt->span.off;
            err->len = stmt->span.len;
        }
        return rc;
    }
    wr_exec_ok(ex, WR_RES_OK, "", NULL);
    return 0;
}

/* ---------------------------------------------------------------- DROP, TYPES */

static int exec_drop(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    wr_engine *eng = ex->eng;
    if (stmt->obj == SQL_OBJ_TYPE) {
        if (wr_cat_type_remove(eng, stmt->name.name)) {
            if (stmt->flags & SQL_S_IF_EXISTS) {
                wr_exec_ok(ex, WR_RES_OK, wr_arena_sprintf(ex->arena, "Type '%s' does not exist",
                           stmt->name.name), NULL);
                return 0;
            }
            return at(err, WR_ENOTFOUND, stmt->name.span, "Type %s does not exist.",
                      stmt->name.name);
        }
        wr_exec_ok(ex, WR_RES_OK, wr_arena_sprintf(ex->arena, "Dropped type '%s'", stmt->name.name),
                   NULL);
        return 0;
    }
    if (stmt->obj != SQL_OBJ_STREAM && stmt->obj != SQL_OBJ_TABLE)
        return at(err, WR_EUNSUPPORTED, stmt->span, "DROP of this object is not supported yet.");
    int is_table = stmt->obj == SQL_OBJ_TABLE;
    wr_source *src = wr_cat_source_find(eng, stmt->name.name);
    if (!src) {
        if (stmt->flags & SQL_S_IF_EXISTS) {
            wr_exec_ok(ex, WR_RES_OK, wr_arena_sprintf(ex->arena, "Source `%s` does not exist.",
                       stmt->name.name), NULL);
            return 0;
        }
        return wr_cat_source_missing(eng, &stmt->name, err, "%s %s does not exist.",
                                     kind_Word(is_table), stmt->name.name);
    }
    if (src->is_table != is_table)
        return at(err, WR_ESEMANTIC, stmt->name.span,
                  "Incompatible data source type is %s, but statement was DROP %s",
                  src->is_table ? "TABLE" : "STREAM", is_table ? "TABLE" : "STREAM");
    wr_buf r, w;
    wr_buf_init(&r);
    wr_buf_init(&w);
    query_users(eng, src->name, &r, &w);
    if (r.len || w.len) {
        char rq[256], wq[256];
        snprintf(rq, sizeof rq, "%s", r.data ? r.data : "");
        snprintf(wq, sizeof wq, "%s", w.data ? w.data : "");
        wr_buf_fini(&r);
        wr_buf_fini(&w);
        return at(err, WR_ESEMANTIC, stmt->name.span,
                  "Cannot drop %s.\nThe following queries read from this source: [%s].\n"
                  "The following queries write into this source: [%s].\n"
                  "You need to terminate them before dropping %s.",
                  src->name, rq, wq, src->name);
    }
    wr_buf_fini(&r);
    wr_buf_fini(&w);
    const char *msg = wr_arena_sprintf(ex->arena, "Source `%s` (topic: %s) was dropped.",
                                       src->name, src->topic);
    wr_query *cst = wr_cat_cst_query(eng, src->name);
    if (cst)
        terminate(eng, cst);
    if ((stmt->flags & SQL_S_DELETE_TOPIC) && eng->opts.topics && eng->opts.topics->remove)
        eng->opts.topics->remove(eng->opts.topics_ud, src->topic);
    wr_cat_source_remove(eng, src);
    wr_exec_ok(ex, WR_RES_OK, msg, NULL);
    return 0;
}

static int exec_create_type(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    wr_engine *eng = ex->eng;
    wr_custom_type *old = wr_cat_type_find(eng, stmt->name.name);
    if (old) {
        if (stmt->flags & SQL_S_IF_NOT_EXISTS) {
            wr_exec_ok(ex, WR_RES_OK, "", NULL);
            return 0;
        }
        wr_buf tb;
        wr_buf_init(&tb);
        wr_type_format(old->type, &tb);
        at(err, WR_EEXISTS, stmt->name.span,
           "Cannot register custom type '%s' since it is already registered with type: %s",
           stmt->name.name, tb.data ? tb.data : "");
        wr_buf_fini(&tb);
        return WR_EEXISTS;
    }
    const wr_type *t;
    int rc = wr_cat_type_resolve(eng, stmt->type, ex->arena, &t, err);
    if (rc)
        return rc;
    wr_cat_type_put(eng, stmt->name.name, t);
    wr_buf tb;
    wr_buf_init(&tb);
    wr_type_format(t, &tb);
    wr_exec_ok(ex, WR_RES_OK, wr_arena_sprintf(ex->arena,
               "Registered custom type with name '%s' and SQL type %s", stmt->name.name,
               tb.data ? tb.data : ""), NULL);
    wr_buf_fini(&tb);
    return 0;
}

/* ---------------------------------------------------------------- transient SELECT */

static int exec_select(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    const sql_select *sel = stmt->select;
    if (sel->emit == SQL_EMIT_NONE) /* EMIT CHANGES or EMIT FINAL make a push query */
        return wr_pull_execute(ex, stmt, err);
    wr_query *q = wr_query_new(ex->eng, WR_Q_TRANSIENT);
    wr_analyze_opts ao = {0, NULL, ex->text, 0};
    int rc = wr_analyze_select(ex->eng, q, sel, &ao, err);
    if (rc) {
        wr_query_free(q);
        return rc;
    }
    q->sql = wr_xstrdup(ex->text);
    q->src_name = wr_xstrdup(q->plan.from->name);
    q->src_topic = wr_xstrdup(q->plan.from->topic);
    q->limit = sel->limit;
    char buf[64];
    snprintf(buf, sizeof buf, "transient_%s_%d", q->plan.from->name, ex->eng->next_query_id++);
    q->id = wr_xstrdup(buf);
    q->root = q->plan.top;
    if ((rc = wr_plan_build(q, err))) {
        wr_query_free(q);
        return rc;
    }
    const wr_schema *s = q->plan.result;
    const char **cols = wr_arena_calloc(ex->arena, sizeof(char *) * (size_t)(s->ncols + 1));
    for (int i = 0; i < s->ncols; i++)
        cols[i] = s->cols[i].name;
    wr_result res;
    memset(&res, 0, sizeof res);
    res.kind = WR_RES_PUSH;
    res.stmt_text = ex->text;
    res.query_id = q->id;
    res.query = q;
    res.ncols = s->ncols;
    res.cols = cols;
    res.limit = q->limit;
    if (ex->cb)
        ex->cb(ex->ud, &res);
    else
        wr_query_free(q);
    return 0;
}

/* ---------------------------------------------------------------- ALTER, ASSERT, RUN SCRIPT */

static int exec_alter(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    wr_engine *eng = ex->eng;
    wr_source *src = wr_cat_source_find(eng, stmt->name.name);
    int is_table = stmt->obj == SQL_OBJ_TABLE;
    if (!src || src->is_table != is_table)
        return at(err, WR_ENOTFOUND, stmt->name.span, "Source %s does not exist.",
                  stmt->name.name);
    if (src->query_id)
        return at(err, WR_ESEMANTIC, stmt->name.span,
                  "ALTER command is not supported for CREATE ... AS statements.");
    /* Running queries keep the old column array (their plans copied the schema header), so
     * the new array is built beside it in the source arena. */
    int n = src->schema.ncols;
    wr_column *cols = wr_arena_calloc(&src->arena, sizeof(wr_column) * (size_t)(n + stmt->ncols));
    memcpy(cols, src->schema.cols, sizeof(wr_column) * (size_t)n);
    for (int i = 0; i < stmt->ncols; i++) {
        const sql_column_def *cd = &stmt->cols[i];
        for (int j = 0; j < n; j++)
            if (strcmp(cols[j].name, cd->name.name) == 0)
                return at(err, WR_ESEMANTIC, cd->name.span,
                          "Cannot add column `%s` to schema. A column with the same name "
                          "already exists.", cd->name.name);
        cols[n].name = wr_arena_strdup(&src->arena, cd->name.name);
        int rc = wr_cat_type_resolve(eng, cd->type, &src->arena, &cols[n].type, err);
        if (rc)
            return rc;
        cols[n].role = WR_COL_VALUE;
        n++;
    }
    src->schema.cols = cols;
    src->schema.ncols = n;
    src->sql = wr_arena_sprintf(&src->arena, "%s;\n%s", src->sql, ex->text);
    wr_cat_source_finish(src);
    wr_exec_ok(ex, WR_RES_OK, is_table ? "Table altered." : "Stream altered.", NULL);
    return 0;
}

static int exec_assert(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    if (stmt->obj != SQL_OBJ_TOPIC)
        return at(err, WR_EUNSUPPORTED, stmt->span,
                  "ASSERT SCHEMA needs a schema registry, which weir does not support yet.");
    const wr_topics_vt *t = ex->eng->opts.topics;
    int exists = t && t->exists && t->exists(ex->eng->opts.topics_ud, stmt->str);
    int want = !(stmt->flags & SQL_S_NOT_EXISTS);
    if (exists != want)
        return at(err, WR_ENOTFOUND, stmt->name.span, "Topic %s %s", stmt->str,
                  exists ? "exists" : "does not exist");
    wr_exec_ok(ex, WR_RES_OK, wr_arena_sprintf(ex->arena, "Topic %s %s", stmt->str,
               exists ? "exists" : "does not exist"), NULL);
    return 0;
}

static int exec_run_script(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    FILE *fp = fopen(stmt->str, "rb");
    if (!fp)
        return at(err, WR_EIO, stmt->span, "Failed to read file %s", stmt->str);
    wr_buf b;
    wr_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        wr_buf_append(&b, chunk, n);
    fclose(fp);
    int rc = wr_engine_execute(ex->eng, b.data ? b.data : "", b.len, ex->cb, ex->ud, err);
    if (rc) {
        /* the span points into the script file: fold the position into the message */
        wr_buf m;
        wr_buf_init(&m);
        wr_error_format(err, b.data, &m);
        wr_error e2 = *err;
        at(err, rc, stmt->span, "%s: %s", stmt->str, m.data ? m.data : e2.msg);
        wr_buf_fini(&m);
    }
    wr_buf_fini(&b);
    return rc;
}

/* ---------------------------------------------------------------- dispatcher */

int wr_stmt_execute(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    wr_engine *eng = ex->eng;
    switch (stmt->kind) {
    case SQL_S_CREATE_SOURCE:
        return exec_create_source(ex, stmt, err);
    case SQL_S_CREATE_AS:
    case SQL_S_INSERT_SELECT:
        return exec_create_as(ex, stmt, err);
    case SQL_S_INSERT_VALUES:
        return exec_insert_values(ex, stmt, err);
    case SQL_S_DROP:
        return exec_drop(ex, stmt, err);
    case SQL_S_CREATE_TYPE:
        return exec_create_type(ex, stmt, err);
    case SQL_S_SELECT:
        return exec_select(ex, stmt, err);
    case SQL_S_SET:
        wr_engine_set_property(eng, stmt->str, stmt->str2 ? stmt->str2 : "");
        /* a credential's value is not echoed (screens, spool files, logs) */
        wr_exec_ok(ex, WR_RES_OK, wr_arena_sprintf(ex->arena,
                   "Successfully changed local property '%s' to '%s'.", stmt->str,
                   wr_secret_key(stmt->str, strlen(stmt->str)) ? "[hidden]"
                   : stmt->str2 ? stmt->str2 : ""), NULL);
        return 0;
    case SQL_S_UNSET:
        wr_cat_kv_unset(eng->props, &eng->nprops, stmt->str);
        wr_exec_ok(ex, WR_RES_OK, wr_arena_sprintf(ex->arena,
                   "Successfully unset local property '%s'.", stmt->str), NULL);
        return 0;
    case SQL_S_DEFINE:
        wr_cat_kv_set(&eng->vars, &eng->nvars, &eng->capvars, stmt->name.name,
                      stmt->str ? stmt->str : "");
        wr_exec_ok(ex, WR_RES_OK, "", NULL);
        return 0;
    case SQL_S_UNDEFINE:
        if (wr_cat_kv_unset(eng->vars, &eng->nvars, stmt->name.name))
            return at(err, WR_ENOTFOUND, stmt->name.span,
                      "Cannot undefine variable '%s' which was never defined", stmt->name.name);
        wr_exec_ok(ex, WR_RES_OK, "", NULL);
        return 0;
    case SQL_S_TERMINATE:
        if (stmt->flags & SQL_S_ALL) {
            while (eng->nqueries > 0)
                terminate(eng, eng->queries[eng->nqueries - 1]);
        } else {
            wr_query *q = wr_cat_query_find(eng, stmt->name.name);
            if (!q)
                return at(err, WR_ENOTFOUND, stmt->name.span, "Unknown queryId: %s",
                          stmt->name.name);
            terminate(eng, q);
        }
        wr_exec_ok(ex, WR_RES_OK, "Query terminated.", NULL);
        return 0;
    case SQL_S_PAUSE:
    case SQL_S_RESUME:
        if (!(stmt->flags & SQL_S_ALL) && !wr_cat_query_find(eng, stmt->name.name))
            return at(err, WR_ENOTFOUND, stmt->name.span, "Unknown queryId: %s", stmt->name.name);
        wr_exec_ok(ex, WR_RES_OK, stmt->kind == SQL_S_PAUSE ? "Query paused." : "Query resumed.",
                   NULL);
        return 0;
    case SQL_S_PRINT: {
        wr_result res;
        memset(&res, 0, sizeof res);
        res.kind = WR_RES_PRINT;
        res.stmt_text = ex->text;
        res.topic = stmt->str;
        res.from_beginning = (stmt->flags & SQL_S_FROM_BEGINNING) != 0;
        res.limit = stmt->limit;
        if (ex->cb)
            ex->cb(ex->ud, &res);
        return 0;
    }
    case SQL_S_ALTER:
        return exec_alter(ex, stmt, err);
    case SQL_S_ASSERT:
        return exec_assert(ex, stmt, err);
    case SQL_S_RUN_SCRIPT:
        return exec_run_script(ex, stmt, err);
    case SQL_S_SHOW:
    case SQL_S_DESCRIBE:
    case SQL_S_DESCRIBE_FUNCTION:
    case SQL_S_EXPLAIN:
        return wr_show_execute(ex, stmt, err);
    default:
        return at(err, WR_EUNSUPPORTED, stmt->span, "This statement is not supported yet by weir.");
    }
}
