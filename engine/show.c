/*
 * show.c - statements that describe rather than change: SHOW/LIST (streams, tables,
 * queries, topics, properties, functions, types, variables), DESCRIBE [EXTENDED], DESCRIBE
 * FUNCTION (read from the same function registry the compiler uses) and EXPLAIN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* A table result under construction: cells in the statement arena. */
typedef struct table {
    wr_arena *a;
    int ncols;
    const char **cols;
    int nrows, cap;
    const char ***rows;
} table;

static void table_init(table *t, wr_arena *a, int ncols, const char *const *cols)
{
    memset(t, 0, sizeof *t);
    t->a = a;
    t->ncols = ncols;
    t->cols = wr_arena_calloc(a, sizeof(char *) * (size_t)ncols);
    for (int i = 0; i < ncols; i++)
        t->cols[i] = cols[i];
}

static const char **table_row(table *t)
{
    if (t->nrows == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        const char ***rows = wr_arena_calloc(t->a, sizeof(char **) * (size_t)cap);
        if (t->nrows)
            memcpy(rows, t->rows, sizeof(char **) * (size_t)t->nrows);
        t->rows = rows;
        t->cap = cap;
    }
    const char **r = wr_arena_calloc(t->a, sizeof(char *) * (size_t)t->ncols);
    t->rows[t->nrows++] = r;
    return r;
}

static void table_emit(wr_exec *ex, table *t)
{
    if (!ex->cb)
        return;
    wr_result res;
    memset(&res, 0, sizeof res);
    res.kind = WR_RES_TABLE;
    res.stmt_text = ex->text;
    res.ncols = t->ncols;
    res.cols = t->cols;
    res.nrows = t->nrows;
    res.cells = (const char *const *const *)t->rows;
    res.limit = -1;
    ex->cb(ex->ud, &res);
}

static void text_emit(wr_exec *ex, const char *text)
{
    if (!ex->cb)
        return;
    wr_result res;
    memset(&res, 0, sizeof res);
    res.kind = WR_RES_TEXT;
    res.stmt_text = ex->text;
    res.text = text;
    res.limit = -1;
    ex->cb(ex->ud, &res);
}

static const char *fmt_name(const wr_format *f) { return wr_format_name(f->kind); }

static const char *type_text(wr_arena *a, const wr_type *t)
{
    wr_buf b;
    wr_buf_init(&b);
    wr_type_format(t, &b);
    char *s = wr_arena_strdup(a, b.data ? b.data : "");
    wr_buf_fini(&b);
    return s;
}

static const char *win_name(int w)
{
    switch (w) {
    case WR_WIN_TUMBLING: return "TUMBLING";
    case WR_WIN_HOPPING: return "HOPPING";
    case WR_WIN_SESSION: return "SESSION";
    default: return NULL;
    }
}

static void describe_source(wr_engine *eng, const wr_source *s, int extended, wr_buf *out);

/* ---------------------------------------------------------------- SHOW */

typedef struct topic_list {
    table *t;
    wr_engine *eng;
} topic_list;

static void on_topic(void *ud, const char *topic, int partitions)
{
    topic_list *tl = ud;
    const char **r = table_row(tl->t);
    r[0] = wr_arena_strdup(tl->t->a, topic);
    r[1] = wr_arena_sprintf(tl->t->a, "%d", partitions);
    int reps = 1;
    for (int i = 0; i < tl->eng->nsources; i++)
        if (strcmp(tl->eng->sources[i]->topic, topic) == 0)
            reps = tl->eng->sources[i]->replicas;
    r[2] = wr_arena_sprintf(tl->t->a, "%d", reps);
}

static const char *query_type(const wr_query *q)
{
    return q->kind == WR_Q_TRANSIENT ? "PUSH" : "PERSISTENT";
}

static int exec_show(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    wr_engine *eng = ex->eng;
    wr_arena *a = ex->arena;
    table t;
    switch (stmt->obj) {
    case SQL_OBJ_STREAMS:
    case SQL_OBJ_TABLES: {
        int tables = stmt->obj == SQL_OBJ_TABLES;
        if (stmt->flags & SQL_S_EXTENDED) {
            /* SHOW STREAMS EXTENDED: every description, as DESCRIBE ... EXTENDED prints it */
            wr_buf out;
            wr_buf_init(&out);
            for (int i = 0; i < eng->nsources; i++)
                if (eng->sources[i]->is_table == tables) {
                    describe_source(eng, eng->sources[i], 1, &out);
                    wr_buf_putc(&out, '\n');
                }
            text_emit(ex, out.data ? out.data : "");
            wr_buf_fini(&out);
            return 0;
        }
        static const char *const sc[] = {"Stream Name", "Kafka Topic", "Key Format",
                                         "Value Format", "Windowed"};
        static const char *const tc[] = {"Table Name", "Kafka Topic", "Key Format",
                                         "Value Format", "Windowed"};
        table_init(&t, a, 5, tables ? tc : sc);
        for (int i = 0; i < eng->nsources; i++) {
            wr_source *s = eng->sources[i];
            if (s->is_table != tables)
                continue;
            const char **r = table_row(&t);
            r[0] = s->name;
            r[1] = s->topic;
            r[2] = fmt_name(&s->key_fmt);
            r[3] = fmt_name(&s->val_fmt);
            r[4] = s->windowed ? "true" : "false";
        }
        break;
    }
    case SQL_OBJ_QUERIES: {
        static const char *const qc[] = {"Query ID", "Query Type", "Status", "Sink Name",
                                         "Sink Kafka Topic", "Query String"};
        table_init(&t, a, 6, qc);
        for (int i = 0; i < eng->nqueries; i++) {
            wr_query *q = eng->queries[i];
            const char **r = table_row(&t);
            r[0] = q->id;
            r[1] = query_type(q);
            r[2] = "RUNNING:1";
            r[3] = q->sink_name;
            r[4] = q->sink_topic;
            r[5] = q->sql;
        }
        break;
    }
    case SQL_OBJ_TOPICS:
    case SQL_OBJ_ALL_TOPICS: {
        static const char *const tc[] = {"Kafka Topic", "Partitions", "Partition Replicas"};
        table_init(&t, a, 3, tc);
        topic_list tl = {&t, eng};
        if (eng->opts.topics && eng->opts.topics->list)
            eng->opts.topics->list(eng->opts.topics_ud, on_topic, &tl);
        break;
    }
    case SQL_OBJ_PROPERTIES: {
        static const char *const pc[] = {"Property", "Scope", "Level", "Value"};
        table_init(&t, a, 4, pc);
        static const char *const dflt[][2] = {
            {"ksql.persistence.default.format.key", "KAFKA"},
            {"ksql.persistence.default.format.value", ""},
            {"ksql.persistence.wrap.single.values", "true"},
            {"ksql.functions.substring.legacy.args", "false"},
            {"ksql.output.topic.name.prefix", ""},
            {"ksql.timestamp.throw.on.invalid", "false"},
            {"auto.offset.reset", "latest"}};
        for (size_t i = 0; i < sizeof dflt / sizeof dflt[0]; i++) {
            if (wr_engine_get_property(eng, dflt[i][0]))
                continue;
            const char **r = table_row(&t);
            r[0] = dflt[i][0];
            r[1] = "KSQL";
            r[2] = "SERVER";
            r[3] = dflt[i][1];
        }
        for (int i = 0; i < eng->nprops; i++) {
            const char **r = table_row(&t);
            r[0] = eng->props[i].name;
            r[1] = "KSQL";
            r[2] = "SESSION";
            r[3] = eng->props[i].value;
        }
        break;
    }
    case SQL_OBJ_FUNCTIONS: {
        static const char *const fc[] = {"Function Name", "Category"};
        table_init(&t, a, 2, fc);
        for (int i = 0; i < wr_fn_count(); i++) {
            const wr_scalar_def *d = wr_fn_at(i);
            const char **r = table_row(&t);
            r[0] = d->name;
            r[1] = d->category ? d->category : "OTHER";
        }
        break;
    }
    case SQL_OBJ_TYPES: {
        static const char *const tc[] = {"Type Name", "Schema"};
        table_init(&t, a, 2, tc);
        for (int i = 0; i < eng->ntypes; i++) {
            const char **r = table_row(&t);
            r[0] = eng->types[i]->name;
            r[1] = type_text(a, eng->types[i]->type);
        }
        break;
    }
    case SQL_OBJ_VARIABLES: {
        static const char *const vc[] = {"Variable Name", "Value"};
        table_init(&t, a, 2, vc);
        for (int i = 0; i < eng->nvars; i++) {
            const char **r = table_row(&t);
            r[0] = eng->vars[i].name;
            r[1] = eng->vars[i].value;
        }
        break;
    }
    default:
        return wr_error_at(err, WR_EUNSUPPORTED, stmt->span.off, stmt->span.len,
                           "SHOW of this object is not supported yet by weir.");
    }
    table_emit(ex, &t);
    return 0;
}

/* ---------------------------------------------------------------- DESCRIBE */

static void describe_source(wr_engine *eng, const wr_source *s, int extended, wr_buf *out)
{
    wr_buf_printf(out, "%-20s : %s\n", "Name", s->name);
    if (extended) {
        wr_buf_printf(out, "%-20s : %s\n", "Type", s->is_table ? "TABLE" : "STREAM");
        if (s->ts_col >= 0)
            wr_buf_printf(out, "%-20s : %s\n", "Timestamp field", s->schema.cols[s->ts_col].name);
        else
            wr_buf_printf(out, "%-20s : %s\n", "Timestamp field",
                          "Not set - using <ROWTIME>");
        wr_buf_printf(out, "%-20s : %s\n", "Key format", fmt_name(&s->key_fmt));
        wr_buf_printf(out, "%-20s : %s\n", "Value format", fmt_name(&s->val_fmt));
        wr_buf_printf(out, "%-20s : %s (partitions: %d, replication: %d)\n", "Kafka topic",
                      s->topic, s->partitions, s->replicas);
        if (s->windowed)
            wr_buf_printf(out, "%-20s : %s\n", "Windowed", win_name(s->windowed));
        wr_buf_printf(out, "%-20s : %s\n", "Statement", s->sql ? s->sql : "");
    }
    /* field table */
    int w = 5;
    for (int i = 0; i < s->schema.ncols; i++)
        if ((int)strlen(s->schema.cols[i].name) > w)
            w = (int)strlen(s->schema.cols[i].name);
    wr_buf_printf(out, " %-*s | Type\n", w, "Field");
    for (int i = 0; i < w + 30; i++)
        wr_buf_putc(out, '-');
    wr_buf_putc(out, '\n');
    /* types as the ksqlDB CLI prints them: VARCHAR(STRING), role padded after the type */
    int tw = 16;
    for (int i = 0; i < s->schema.ncols; i++) {
        wr_buf tb;
        wr_buf_init(&tb);
        wr_type_format(s->schema.cols[i].type, &tb);
        if ((int)tb.len + 10 > tw && s->schema.cols[i].type->kind != WR_STRING)
            tw = (int)tb.len + 1;
        wr_buf_fini(&tb);
    }
    for (int i = 0; i < s->schema.ncols; i++) {
        const wr_column *c = &s->schema.cols[i];
        wr_buf tb;
        wr_buf_init(&tb);
        if (c->type->kind == WR_STRING)
            wr_buf_puts(&tb, "VARCHAR(STRING)");
        else
            wr_type_format(c->type, &tb);
        const char *role = c->role == WR_COL_KEY ? (s->is_table ? "(primary key)" : "(key)")
                           : c->role == WR_COL_HEADERS ? (c->header ? "(header)" : "(headers)")
                                                      : "";
        if (*role)
            wr_buf_printf(out, " %-*s | %-*s %s\n", w, c->name, tw, tb.data ? tb.data : "", role);
        else
            wr_buf_printf(out, " %-*s | %s\n", w, c->name, tb.data ? tb.data : "");
        wr_buf_fini(&tb);
    }
    for (int i = 0; i < w + 30; i++)
        wr_buf_putc(out, '-');
    wr_buf_putc(out, '\n');
    if (extended) {
        const char *kw = s->is_table ? "TABLE" : "STREAM";
        wr_buf_printf(out, "\nQueries that write from this %s\n-----------------------------------\n", kw);
        for (int i = 0; i < eng->nqueries; i++)
            if (eng->queries[i]->sink_name && strcmp(eng->queries[i]->sink_name, s->name) == 0)
                wr_buf_printf(out, "%s (RUNNING) : %s\n", eng->queries[i]->id, eng->queries[i]->sql);
        wr_buf_printf(out, "\nQueries that read from this %s\n----------------------------------\n", kw);
        for (int i = 0; i < eng->nqueries; i++)
            if (eng->queries[i]->src_name && strcmp(eng->queries[i]->src_name, s->name) == 0)
                wr_buf_printf(out, "%s (RUNNING) : %s\n", eng->queries[i]->id, eng->queries[i]->sql);
    } else {
        wr_buf_puts(out, "For runtime statistics and query details run: DESCRIBE <Stream,Table> "
                         "EXTENDED;\n");
    }
}

static void describe_function(const wr_scalar_def *d, wr_buf *out)
{
    wr_buf_printf(out, "%-12s: %s\n", "Name", d->name);
    wr_buf_printf(out, "%-12s: %s\n", "Author", "Confluent");
    wr_buf_printf(out, "%-12s: %s\n", "Overview", d->description ? d->description : "");
    wr_buf_printf(out, "%-12s: %s\n", "Type", (d->flags & WR_FN_TABLE) ? "TABLE" : "SCALAR");
    wr_buf_printf(out, "%-12s: %s\n", "Jar", "internal");
    wr_buf_printf(out, "%-12s: \n", "Variations");
    for (int i = 0; d->variants && d->variants[i]; i++) {
        const char *v = d->variants[i];
        const char *arrow = strstr(v, " => ");
        wr_buf_puts(out, "\n");
        if (arrow) {
            wr_buf_printf(out, "\t%-12s: %.*s\n", "Variation", (int)(arrow - v), v);
            wr_buf_printf(out, "\t%-12s: %s\n", "Returns", arrow + 4);
        } else
            wr_buf_printf(out, "\t%-12s: %s\n", "Variation", v);
        wr_buf_printf(out, "\t%-12s: %s\n", "Description", d->description ? d->description : "");
    }
}

/* ---------------------------------------------------------------- EXPLAIN */

/* ksqlDB's EXPLAIN layout: header, sources and sinks, then the plan tree. */
static void explain_query(const wr_query *q, const char *sql, size_t sql_len, int dot, wr_buf *out)
{
    if (dot) {
        wr_plan_explain(q->root, 1, out);
        return;
    }
    if (q->id && q->kind != WR_Q_TRANSIENT)
        wr_buf_printf(out, "%-21s: %s\n", "ID", q->id);
    wr_buf_printf(out, "%-21s: %s\n", "Query Type", q->kind == WR_Q_TRANSIENT ? "PUSH" : "PERSISTENT");
    wr_buf_printf(out, "%-21s: %.*s\n\n", "SQL", (int)sql_len, sql);
    const wr_schema *rs = q->plan.result;
    if (rs) {
        int w = 5;
        for (int i = 0; i < rs->ncols; i++)
            if ((int)strlen(rs->cols[i].name) > w)
                w = (int)strlen(rs->cols[i].name);
        wr_buf_printf(out, " %-*s | Type\n", w, "Field");
        for (int i = 0; i < rs->ncols; i++) {
            wr_buf_printf(out, " %-*s | ", w, rs->cols[i].name);
            if (rs->cols[i].type->kind == WR_STRING)
                wr_buf_puts(out, "VARCHAR(STRING)");
            else
                wr_type_format(rs->cols[i].type, out);
            wr_buf_puts(out, rs->cols[i].role == WR_COL_KEY ? " (key)\n" : "\n");
        }
        wr_buf_putc(out, '\n');
    }
    if (q->plan.from)
        wr_buf_printf(out, "Sources that this query reads from:\n-----------------------------------\n%s\n\n"
                      "For source description please run: DESCRIBE [EXTENDED] <SourceId>\n\n",
                      q->plan.from->name);
    if (q->sink_name && q->kind != WR_Q_TRANSIENT)
        wr_buf_printf(out, "Sinks that this query writes to:\n-----------------------------------\n%s\n\n"
                      "For sink description please run: DESCRIBE [EXTENDED] <SinkId>\n\n",
                      q->sink_name);
    wr_buf_puts(out, "Execution plan\n--------------\n");
    wr_plan_explain(q->root, 0, out);
}

static int exec_explain(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    int dot = (stmt->flags & SQL_S_FORMAT_DOT) != 0;
    if (!stmt->inner) {
        wr_query *q = wr_cat_query_find(ex->eng, stmt->name.name);
        if (!q)
            return wr_error_at(err, WR_ENOTFOUND, stmt->name.span.off, stmt->name.span.len,
                               "Query with id:%s does not exist, use SHOW QUERIES to view the "
                               "full set of queries.", stmt->name.name);
        wr_buf out;
        wr_buf_init(&out);
        /* the plan's source may have been altered since: the sources section names it */
        explain_query(q, q->sql, strlen(q->sql), dot, &out);
        text_emit(ex, out.data ? out.data : "");
        wr_buf_fini(&out);
        return 0;
    }
    const sql_stmt *in = stmt->inner;
    wr_query *q;
    int rc;
    if (in->kind == SQL_S_CREATE_AS || in->kind == SQL_S_INSERT_SELECT) {
        q = wr_query_new(ex->eng, in->kind == SQL_S_INSERT_SELECT ? WR_Q_INSERT
                                  : in->obj == SQL_OBJ_TABLE ? WR_Q_CTAS : WR_Q_CSAS);
        rc = wr_stmt_prepare(ex, in, q, err);
    } else if (in->kind == SQL_S_SELECT) {
        q = wr_query_new(ex->eng, WR_Q_TRANSIENT);
        wr_analyze_opts ao = {0, NULL, ex->text, 0};
        rc = wr_analyze_select(ex->eng, q, in->select, &ao, err);
        q->root = q->plan.top;
    } else {
        return wr_error_at(err, WR_ESEMANTIC, in->span.off, in->span.len,
                           "EXPLAIN takes a query (SELECT, CREATE ... AS SELECT, INSERT INTO ... "
                           "SELECT) or a query id.");
    }
    if (!rc) {
        wr_buf out;
        wr_buf_init(&out);
        explain_query(q, ex->text + in->span.off, in->span.len, dot, &out);
        text_emit(ex, out.data ? out.data : "");
        wr_buf_fini(&out);
    }
    wr_query_free(q);
    return rc;
}

int wr_show_execute(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    wr_engine *eng = ex->eng;
    switch (stmt->kind) {
    case SQL_S_SHOW:
        return exec_show(ex, stmt, err);
    case SQL_S_EXPLAIN:
        return exec_explain(ex, stmt, err);
    case SQL_S_DESCRIBE_FUNCTION: {
        const wr_scalar_def *d = wr_fn_lookup(stmt->name.name);
        if (!d) {
            wr_error_at(err, WR_ENOTFOUND, stmt->name.span.off, stmt->name.span.len,
                        "Can't find any functions with the name '%s'", stmt->name.name);
            const char *best = wr_fn_suggest(stmt->name.name);
            if (best)
                wr_error_hint(err, "Did you mean %s?", best);
            return WR_ENOTFOUND;
        }
        wr_buf out;
        wr_buf_init(&out);
        describe_function(d, &out);
        text_emit(ex, out.data ? out.data : "");
        wr_buf_fini(&out);
        return 0;
    }
    case SQL_S_DESCRIBE: {
        int extended = (stmt->flags & SQL_S_EXTENDED) != 0;
        wr_buf out;
        wr_buf_init(&out);
        if (stmt->obj == SQL_OBJ_STREAMS || stmt->obj == SQL_OBJ_TABLES) {
            int tables = stmt->obj == SQL_OBJ_TABLES;
            for (int i = 0; i < eng->nsources; i++)
                if (eng->sources[i]->is_table == tables) {
                    describe_source(eng, eng->sources[i], extended, &out);
                    wr_buf_putc(&out, '\n');
                }
        } else {
            wr_source *s = wr_cat_source_find(eng, stmt->name.name);
            if (!s) {
                wr_buf_fini(&out);
                return wr_cat_source_missing(eng, &stmt->name, err,
                                             "Could not find STREAM/TABLE '%s' in the Metastore",
                                             stmt->name.name);
            }
            describe_source(eng, s, extended, &out);
        }
        text_emit(ex, out.data ? out.data : "");
        wr_buf_fini(&out);
        return 0;
    }
    default:
        return wr_error_at(err, WR_EUNSUPPORTED, stmt->span.off, stmt->span.len,
                           "This statement is not supported yet by weir.");
    }
}
