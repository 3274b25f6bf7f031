/*
 * analyze.c - the analyzer: a sql_select over the catalog -> a typed, immutable plan chain
 * (source -> filter -> partition-by -> flat-map -> project, or with GROUP BY: source ->
 * filter -> group-by -> aggregate [-> having] -> project).  Names are resolved to column
 * indexes here, once; expressions are compiled with expr.h; ksqlDB's rules for keys (4),
 * generated names (5), PARTITION BY (29) and record time (30) are applied here, so the
 * operators never look at names.
 *
 * Column references resolve against a scope: the schema flowing into the node being
 * compiled, followed by the pseudo columns (op.h OP_PSEUDO_*).  Each scope column remembers
 * which source column it came from so that the source decodes only the columns a query uses.
 *
 * Aggregations (rules 17-25): GROUP BY expressions and aggregate arguments are compiled over
 * the source; HAVING and the projection over the aggregate's output rows (grouping values,
 * then one column per distinct aggregate call), where aggregate calls and GROUP BY
 * expressions resolve to those columns (agg_resolve).
 *
 * Tables: a persistent query over a table, or any query that filters or aggregates one,
 * reads it through a materializing source (op_source_spec.materialize), so that filters and
 * aggregations get each key's old row (rules 23, 24) and pull queries can read it.  A table
 * aggregation must not be windowed and its aggregates must retract (ksqlDB's messages).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "plan.h"

typedef struct scope {
    wr_engine *eng;
    wr_arena *arena;           /* the query's plan arena */
    const wr_schema *schema;
    const char *src_name, *alias;
    int windowed;
    const int *origin;         /* scope column -> source column, or -1 */
    uint8_t *need;             /* per source column */
    int nsrc;                  /* source column count (need[] size) */
    int all;                   /* SELECT *: everything needed */
    /* table function calls mapped to slots tf_base.. */
    int ntf;
    const sql_expr **tf;
    const wr_type **tf_type;
    int tf_base;
    /* PARTITION BY expressions matched textually to key slots 0.. */
    int npart;
    char **part_text;
    /* columns and pseudo columns resolve to slot_base + their index: aggregate arguments
     * read group-by rows, whose first slot_base columns are the grouping values */
    int slot_base;
} scope;

/* Aggregate functions live in their own registry (agg.h), apart from scalar functions. */
static int is_aggregate(const char *name)
{
    return wr_agg_find(name) != NULL;
}

static const char *const pseudo_names[] = {"ROWTIME", "ROWPARTITION", "ROWOFFSET", "WINDOWSTART",
                                           "WINDOWEND"};

static int pseudo_index(const char *name)
{
    for (int i = 0; i < OP_PSEUDO_COUNT; i++)
        if (strcmp(pseudo_names[i], name) == 0)
            return i;
    return -1;
}

static const wr_type *pseudo_type(int i)
{
    return i == OP_PSEUDO_ROWPARTITION ? &wr_type_int : &wr_type_bigint;
}

static char *expr_text(wr_arena *a, const sql_expr *e)
{
    wr_buf b;
    wr_buf_init(&b);
    sql_expr_format(e, &b);
    char *s = wr_arena_strdup(a, b.data ? b.data : "");
    wr_buf_fini(&b);
    return s;
}

/* A WHERE or HAVING predicate must be BOOLEAN (or the NULL literal): ksqlDB's type error. */
static int check_boolean(wr_arena *a, const char *clause, const sql_expr *e, const wr_expr *pred,
                         wr_error *err)
{
    const wr_type *t = wr_expr_type(pred);
    if (t->kind == WR_BOOLEAN || t->kind == WR_NULL)
        return 0;
    wr_buf tb;
    wr_buf_init(&tb);
    wr_type_format(t, &tb);
    wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                "Type error in %s expression: Should be BOOLEAN: %s, but is %s", clause,
                expr_text(a, e), tb.data);
    wr_buf_fini(&tb);
    return WR_ESEMANTIC;
}

/* Finds a column of the scope; -1 when absent.  Pseudo columns are slots ncols+i. */
static int scope_find(const scope *sc, const sql_expr *e, const wr_type **type)
{
    if (e->qual && strcmp(e->qual, sc->src_name) != 0 && !(sc->alias && strcmp(e->qual, sc->alias) == 0))
        return -2;
    int idx = wr_schema_find(sc->schema, e->name);
    if (idx >= 0) {
        *type = sc->schema->cols[idx].type;
        return idx;
    }
    int p = pseudo_index(e->name);
    if (p >= 0 && (p < OP_PSEUDO_WINDOWSTART || sc->windowed)) {
        *type = pseudo_type(p);
        return sc->schema->ncols + p;
    }
    return -1;
}

static void scope_mark(scope *sc, int idx)
{
    if (idx < sc->schema->ncols && sc->origin && sc->origin[idx] >= 0 && sc->need)
        sc->need[sc->origin[idx]] = 1;
}

static int resolve(void *ud, const sql_expr *e, int *slot, const wr_type **type, wr_error *err)
{
    scope *sc = ud;
    for (int i = 0; i < sc->ntf; i++)
        if (sc->tf[i] == e) {
            *slot = sc->tf_base + i;
            *type = sc->tf_type[i];
            return 1;
        }
    if (sc->npart && e->kind != SQL_E_COLUMN && e->kind > SQL_E_STRING) {
        wr_arena tmp;
        wr_arena_init(&tmp, 1024);
        char *t = expr_text(&tmp, e);
        int hit = -1;
        for (int k = 0; k < sc->npart; k++)
            if (strcmp(t, sc->part_text[k]) == 0)
                hit = k;
        wr_arena_fini(&tmp);
        if (hit >= 0) {
            *slot = hit;
            *type = sc->schema->cols[hit].type;
            return 1;
        }
    }
    if (e->kind == SQL_E_CALL && wr_strcaseeq(e->name, "AS_VALUE") && e->list &&
        e->list->n == 1 && e->list->items[0]->kind == SQL_E_COLUMN) {
        /* AS_VALUE(k): the key column's value as a plain value column (rule 4) */
        int idx = scope_find(sc, e->list->items[0], type);
        if (idx < 0)
            return 0;
        scope_mark(sc, idx);
        *slot = sc->slot_base + idx;
        return 1;
    }
    if (e->kind != SQL_E_COLUMN)
        return 0;
    int idx = scope_find(sc, e, type);
    if (idx < 0)
        return 0; /* a lambda parameter, or an error the pre-check already reported */
    scope_mark(sc, idx);
    *slot = sc->slot_base + idx;
    return 1;
}

/* ---------------------------------------------------------------- AST walks */

typedef struct names {
    int n;
    const char *v[64];
} names;

static int in_names(const names *ln, const char *name)
{
    for (int i = 0; i < ln->n; i++)
        if (strcmp(ln->v[i], name) == 0)
            return 1;
    return 0;
}

/* Reports the first column reference the scope cannot resolve, with a hint. */
static int check_columns(const scope *sc, const sql_expr *e, names *lambda, wr_error *err)
{
    if (!e)
        return 0;
    for (int i = 0; i < sc->ntf; i++)
        if (sc->tf[i] == e)
            return 0;
    if (e->kind == SQL_E_COLUMN) {
        if (!e->qual && in_names(lambda, e->name))
            return 0;
        const wr_type *t;
        int idx = scope_find(sc, e, &t);
        if (idx >= 0)
            return 0;
        if (idx == -2)
            return wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                               "Column '%s.%s' cannot be resolved: '%s' is not a source or alias "
                               "of this query.", e->qual, e->name, e->qual);
        wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                    "Column '%s' cannot be resolved.", e->name);
        const char **cands = wr_xcalloc((size_t)sc->schema->ncols + OP_PSEUDO_COUNT, sizeof(char *));
        int n = 0;
        for (int i = 0; i < sc->schema->ncols; i++)
            if (strncmp(sc->schema->cols[i].name, "KSQL_SYNTH_", 11) != 0)
                cands[n++] = sc->schema->cols[i].name;
        cands[n++] = "ROWTIME";
        const char *best = wr_suggest(e->name, cands, n);
        free(cands);
        if (best)
            wr_error_hint(err, "Did you mean '%s'?", best);
        return WR_ESEMANTIC;
    }
    if (e->kind == SQL_E_LAMBDA) {
        int save = lambda->n;
        if (e->list)
            for (int i = 0; i < e->list->n && lambda->n < 64; i++)
                lambda->v[lambda->n++] = e->list->items[i]->name;
        int rc = check_columns(sc, e->a, lambda, err);
        lambda->n = save;
        return rc;
    }
    int rc;
    if ((rc = check_columns(sc, e->a, lambda, err)) || (rc = check_columns(sc, e->b, lambda, err)) ||
        (rc = check_columns(sc, e->c, lambda, err)))
        return rc;
    if (e->list)
        for (int i = 0; i < e->list->n; i++)
            if ((rc = check_columns(sc, e->list->items[i], lambda, err)))
                return rc;
    return 0;
}

/* First aggregate call in e, or NULL. */
static const sql_expr *find_aggregate(const sql_expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == SQL_E_CALL && is_aggregate(e->name))
        return e;
    const sql_expr *r;
    if ((r = find_aggregate(e->a)) || (r = find_aggregate(e->b)) || (r = find_aggregate(e->c)))
        return r;
    if (e->list)
        for (int i = 0; i < e->list->n; i++)
            if ((r = find_aggregate(e->list->items[i])))
                return r;
    return NULL;
}

/* True when column reference e names a GROUP BY column (a qualifier may differ). */
static int grouped_column(const sql_expr *e, const sql_expr_list *gb)
{
    for (int i = 0; gb && i < gb->n; i++) {
        const sql_expr *g = gb->items[i];
        if (g->kind == SQL_E_COLUMN && strcmp(g->name, e->name) == 0 &&
            (!g->qual || !e->qual || strcmp(g->qual, e->qual) == 0))
            return 1;
    }
    return 0;
}

/* Column references of e outside aggregate calls that are not (inside) a GROUP BY
 * expression; the first one is returned and all are listed in `out`. */
static const sql_expr *ungrouped(wr_arena *a, const sql_expr *e, char **gtext,
                                 const sql_expr_list *gb, wr_buf *out)
{
    int ng = gb ? gb->n : 0;
    if (!e || e->kind == SQL_E_LAMBDA)
        return NULL;
    if (e->kind == SQL_E_CALL && is_aggregate(e->name))
        return NULL;
    if (e->kind > SQL_E_STRING) {
        char *t = expr_text(a, e);
        for (int i = 0; i < ng; i++)
            if (strcmp(t, gtext[i]) == 0)
                return NULL;
    }
    if (e->kind == SQL_E_COLUMN) {
        if (pseudo_index(e->name) >= 0 || grouped_column(e, gb))
            return NULL;
        char *t = expr_text(a, e);
        int seen = 0;
        for (const char *p = out->data; p && *p && !seen;) {
            const char *end = strstr(p, ", ");
            size_t n = end ? (size_t)(end - p) : strlen(p);
            seen = n == strlen(t) && strncmp(p, t, n) == 0;
            p = end ? end + 2 : p + n;
        }
        if (!seen)
            wr_buf_printf(out, "%s%s", out->len ? ", " : "", t);
        return e;
    }
    const sql_expr *first = NULL, *r;
    if ((r = ungrouped(a, e->a, gtext, gb, out)) && !first)
        first = r;
    if ((r = ungrouped(a, e->b, gtext, gb, out)) && !first)
        first = r;
    if ((r = ungrouped(a, e->c, gtext, gb, out)) && !first)
        first = r;
    if (e->list)
        for (int i = 0; i < e->list->n; i++)
            if ((r = ungrouped(a, e->list->items[i], gtext, gb, out)) && !first)
                first = r;
    return first;
}

/* An aggregate call nested in the arguments of aggregate call e, or NULL. */
static const sql_expr *nested_aggregate(const sql_expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == SQL_E_CALL && is_aggregate(e->name)) {
        for (int i = 0; e->list && i < e->list->n; i++) {
            const sql_expr *in = find_aggregate(e->list->items[i]);
            if (in)
                return in;
        }
        return NULL;
    }
    const sql_expr *r;
    if ((r = nested_aggregate(e->a)) || (r = nested_aggregate(e->b)) || (r = nested_aggregate(e->c)))
        return r;
    for (int i = 0; e->list && i < e->list->n; i++)
        if ((r = nested_aggregate(e->list->items[i])))
            return r;
    return NULL;
}

/* The first call of a function that is neither a scalar nor an aggregate function. */
static const sql_expr *unknown_call(const sql_expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == SQL_E_CALL && !wr_fn_lookup(e->name) && !is_aggregate(e->name))
        return e;
    const sql_expr *r;
    if ((r = unknown_call(e->a)) || (r = unknown_call(e->b)) || (r = unknown_call(e->c)))
        return r;
    for (int i = 0; e->list && i < e->list->n; i++)
        if ((r = unknown_call(e->list->items[i])))
            return r;
    return NULL;
}

/* "Can't find any functions with the name 'X'", hinting the closest aggregate or scalar. */
static int unknown_function(const sql_expr *e, wr_error *err)
{
    wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                "Can't find any functions with the name '%s'", e->name);
    int n = wr_agg_count();
    const char **names = wr_xcalloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n; i++)
        names[i] = wr_agg_at(i)->name;
    const char *best = wr_suggest(e->name, names, n);
    if (!best)
        best = wr_fn_suggest(e->name);
    if (best)
        wr_error_hint(err, "Did you mean %s?", best);
    free(names);
    return WR_ESEMANTIC;
}

/* ksqlDB's checks of aggregate placement, GROUP BY, HAVING, WINDOW and EMIT FINAL, made
 * before anything is resolved so that wrong queries get ksqlDB's messages. */
static int check_aggregates(wr_arena *a, const sql_select *sel, wr_error *err)
{
    const sql_expr *agg;
    for (int i = 0; i < sel->nitems; i++)
        if ((agg = unknown_call(sel->items[i].expr)))
            return unknown_function(agg, err);
    if ((agg = unknown_call(sel->having)))
        return unknown_function(agg, err);
    if (sel->where && (agg = find_aggregate(sel->where)))
        return wr_error_at(err, WR_ESEMANTIC, agg->span.off, agg->span.len,
                           "Aggregate functions can not be used in the WHERE clause: %s. Use "
                           "HAVING to filter on aggregates.", expr_text(a, agg));
    if (sel->partition_by)
        for (int i = 0; i < sel->partition_by->n; i++)
            if ((agg = find_aggregate(sel->partition_by->items[i])))
                return wr_error_at(err, WR_ESEMANTIC, agg->span.off, agg->span.len,
                                   "PARTITION BY expressions can not contain aggregate "
                                   "functions: %s", expr_text(a, agg));
    for (int i = 0; i < sel->nitems; i++)
        if ((agg = nested_aggregate(sel->items[i].expr)))
            return wr_error_at(err, WR_ESEMANTIC, agg->span.off, agg->span.len,
                               "Aggregate functions can not be nested: %s",
                               expr_text(a, sel->items[i].expr));
    if ((agg = nested_aggregate(sel->having)))
        return wr_error_at(err, WR_ESEMANTIC, agg->span.off, agg->span.len,
                           "Aggregate functions can not be nested: %s", expr_text(a, sel->having));
    int ng = sel->group_by ? sel->group_by->n : 0;
    if (ng == 0) {
        for (int i = 0; i < sel->nitems; i++)
            if (sel->items[i].expr && (agg = find_aggregate(sel->items[i].expr)))
                return wr_error_at(err, WR_ESEMANTIC, agg->span.off, agg->span.len,
                                   "Use of aggregate function %s requires a GROUP BY clause.",
                                   agg->name);
        if (sel->having)
            return wr_error_at(err, WR_ESEMANTIC, sel->having->span.off, sel->having->span.len,
                               "HAVING requires a GROUP BY clause.");
        if (sel->window)
            return wr_error_at(err, WR_ESEMANTIC, sel->window->span.off, sel->window->span.len,
                               "WINDOW clause requires a GROUP BY clause.");
        if (sel->emit == SQL_EMIT_FINAL)
            return wr_error_at(err, WR_ESEMANTIC, sel->span.off, sel->span.len,
                               "EMIT FINAL is only supported for windowed aggregations.");
        return 0;
    }
    char **gtext = wr_arena_calloc(a, sizeof(char *) * (size_t)ng);
    for (int i = 0; i < ng; i++) {
        gtext[i] = expr_text(a, sel->group_by->items[i]);
        if ((agg = find_aggregate(sel->group_by->items[i])))
            return wr_error_at(err, WR_ESEMANTIC, agg->span.off, agg->span.len,
                               "GROUP BY expressions can not contain aggregate functions: %s",
                               expr_text(a, agg));
    }
    int has_agg = sel->having && find_aggregate(sel->having);
    for (int i = 0; i < sel->nitems && !has_agg; i++)
        has_agg = sel->items[i].expr && find_aggregate(sel->items[i].expr);
    if (!has_agg)
        return wr_error_at(err, WR_ESEMANTIC, sel->group_by->items[0]->span.off,
                           sel->group_by->items[0]->span.len,
                           "GROUP BY requires aggregate functions in either the SELECT or HAVING "
                           "clause.");
    wr_buf list;
    wr_buf_init(&list);
    const sql_expr *first = NULL, *r;
    for (int i = 0; i < sel->nitems; i++)
        if (sel->items[i].expr &&
            (r = ungrouped(a, sel->items[i].expr, gtext, sel->group_by, &list)) && !first)
            first = r;
    if (first) {
        wr_error_at(err, WR_ESEMANTIC, first->span.off, first->span.len,
                    "Non-aggregate SELECT expression(s) not part of GROUP BY: %s",
                    list.data ? list.data : "");
        wr_buf_fini(&list);
        return WR_ESEMANTIC;
    }
    wr_buf_reset(&list);
    if (sel->having && (r = ungrouped(a, sel->having, gtext, sel->group_by, &list))) {
        wr_error_at(err, WR_ESEMANTIC, r->span.off, r->span.len,
                    "Non-aggregate HAVING expression not part of GROUP BY: %s",
                    list.data ? list.data : "");
        wr_buf_fini(&list);
        return WR_ESEMANTIC;
    }
    wr_buf_fini(&list);
    if (sel->emit == SQL_EMIT_FINAL && !sel->window)
        return wr_error_at(err, WR_ESEMANTIC, sel->span.off, sel->span.len,
                           "EMIT FINAL is only supported for windowed aggregations.");
    return 0;
}

/* Collects table function calls (outside lambdas). */
static void find_table_fns(const sql_expr *e, const sql_expr **out, int *n, int max)
{
    if (!e || e->kind == SQL_E_LAMBDA)
        return;
    if (e->kind == SQL_E_CALL) {
        const wr_scalar_def *def = wr_fn_lookup(e->name);
        if (def && (def->flags & WR_FN_TABLE) && *n < max) {
            out[(*n)++] = e;
            return;
        }
    }
    find_table_fns(e->a, out, n, max);
    find_table_fns(e->b, out, n, max);
    find_table_fns(e->c, out, n, max);
    if (e->list)
        for (int i = 0; i < e->list->n; i++)
            find_table_fns(e->list->items[i], out, n, max);
}

/* ---------------------------------------------------------------- helpers */

void wr_plan_track(wr_plan *p, wr_arena *a, wr_expr *x)
{
    if (p->nexprs == p->capexprs) {
        int cap = p->capexprs ? 2 * p->capexprs : 16;
        wr_expr **v = wr_arena_alloc(a, sizeof(wr_expr *) * (size_t)cap);
        if (p->nexprs)
            memcpy(v, p->exprs, sizeof(wr_expr *) * (size_t)p->nexprs);
        p->exprs = v;
        p->capexprs = cap;
    }
    p->exprs[p->nexprs++] = x;
}

static const wr_type *custom_type(void *ud, const char *name)
{
    scope *sc = ud;
    wr_custom_type *ct = wr_cat_type_find(sc->eng, name);
    return ct ? wr_type_copy(sc->arena, ct->type) : NULL;
}

static int compile(wr_query *q, scope *sc, const sql_expr *e, wr_expr **out, wr_error *err)
{
    names lambda = {0};
    int rc = check_columns(sc, e, &lambda, err);
    if (rc)
        return rc;
    wr_expr_env env = {&q->arena, &q->cfg, resolve, sc, custom_type};
    rc = wr_expr_compile(&env, e, out, err);
    if (rc)
        return rc;
    wr_plan_track(&q->plan, &q->arena, *out);
    return 0;
}

/* Builds a column-reference AST node for `name` (SELECT * expansion). */
static sql_expr *column_ref(wr_arena *a, const char *name, sql_span span)
{
    sql_expr *e = wr_arena_calloc(a, sizeof *e);
    e->kind = SQL_E_COLUMN;
    e->name = name;
    e->quoted = 1;
    e->span = span;
    return e;
}

/* KSQL_COL_n generator (rule 5): smallest n not taken by a source column or earlier name. */
typedef struct namegen {
    const wr_schema *src;
    int n;
    const char *taken[256];
    int ntaken;
} namegen;

static const char *gen_name(namegen *g, wr_arena *a)
{
    for (int n = 0;; n++) {
        char buf[32];
        snprintf(buf, sizeof buf, "KSQL_COL_%d", n);
        int used = wr_schema_find(g->src, buf) >= 0;
        for (int i = 0; i < g->ntaken && !used; i++)
            if (strcmp(g->taken[i], buf) == 0)
                used = 1;
        if (!used) {
            const char *s = wr_arena_strdup(a, buf);
            if (g->ntaken < 256)
                g->taken[g->ntaken++] = s;
            return s;
        }
    }
}

/* The default name of a projected expression: column name, last struct field, or NULL. */
static const char *default_name(const sql_expr *e)
{
    if (e->kind == SQL_E_COLUMN)
        return e->name;
    if (e->kind == SQL_E_DEREF)
        return e->name;
    return NULL;
}

/* ---------------------------------------------------------------- the analyzer */

typedef struct item {
    const sql_expr *expr;
    const char *name;
    sql_span span;
    wr_expr *x;
    int key_slot;   /* >= 0: a bare reference to key column key_slot of the scope */
    int aliased;
} item;

/* Decode only what is used: the source's key and value needs from the per-column flags. */
static void set_needs(wr_arena *a, op_source_spec *sps, const wr_source *src, const uint8_t *need)
{
    const wr_schema *ss = sps->schema;
    uint8_t *kneed = wr_arena_calloc(a, (size_t)ss->nkey + 1);
    uint8_t *vneed = wr_arena_calloc(a, (size_t)src->nval + 1);
    for (int k = 0; k < ss->nkey; k++)
        kneed[k] = need[k];
    for (int v = 0; v < src->nval; v++)
        vneed[v] = need[src->val_idx[v]];
    if (sps->materialize) /* rows are stored by their whole key */
        memset(kneed, 1, (size_t)ss->nkey);
    sps->key_need = kneed;
    sps->val_need = vneed;
}

/* ---------------------------------------------------------------- aggregations */

/* The aggregation being analyzed: GROUP BY expressions, the distinct aggregate calls of the
 * projection and HAVING, and the schema of the aggregate's output rows. */
typedef struct aggscope {
    const sql_expr_list *group_by;
    char **gtext;                /* GROUP BY expression texts */
    int nkeys;
    int naggs, capaggs;
    const sql_expr **calls;      /* distinct aggregate calls, first use first */
    char **ctext;
    const wr_schema *out;        /* keys, then KSQL_AGG_VARIABLE_n */
    int windowed;
} aggscope;

static void collect_aggs(wr_arena *a, const sql_expr *e, aggscope *g)
{
    if (!e)
        return;
    if (e->kind == SQL_E_CALL && is_aggregate(e->name)) {
        char *t = expr_text(a, e);
        for (int j = 0; j < g->naggs; j++)
            if (strcmp(g->ctext[j], t) == 0)
                return;
        if (g->naggs == g->capaggs) {
            int cap = g->capaggs ? 2 * g->capaggs : 8;
            const sql_expr **c = wr_arena_alloc(a, sizeof(sql_expr *) * (size_t)cap);
            char **tx = wr_arena_alloc(a, sizeof(char *) * (size_t)cap);
            if (g->naggs) {
                memcpy(c, g->calls, sizeof(sql_expr *) * (size_t)g->naggs);
                memcpy(tx, g->ctext, sizeof(char *) * (size_t)g->naggs);
            }
            g->calls = c;
            g->ctext = tx;
            g->capaggs = cap;
        }
        g->calls[g->naggs] = e;
        g->ctext[g->naggs++] = t;
        return;
    }
    collect_aggs(a, e->a, g);
    collect_aggs(a, e->b, g);
    collect_aggs(a, e->c, g);
    for (int i = 0; e->list && i < e->list->n; i++)
        collect_aggs(a, e->list->items[i], g);
}

/* Resolver for expressions over the aggregate's output (HAVING, the projection): aggregate
 * calls and GROUP BY expressions are inputs; so are the pseudo columns. */
static int agg_resolve(void *ud, const sql_expr *e, int *slot, const wr_type **type,
                       wr_error *err)
{
    aggscope *g = ud;
    wr_arena tmp;
    if (e->kind == SQL_E_CALL && is_aggregate(e->name)) {
        wr_arena_init(&tmp, 1024);
        char *t = expr_text(&tmp, e);
        int hit = -1;
        for (int j = 0; j < g->naggs && hit < 0; j++)
            if (strcmp(t, g->ctext[j]) == 0)
                hit = j;
        wr_arena_fini(&tmp);
        if (hit < 0)
            return 0;
        *slot = g->nkeys + hit;
        *type = g->out->cols[*slot].type;
        return 1;
    }
    if (e->kind > SQL_E_STRING && e->kind != SQL_E_LAMBDA) {
        wr_arena_init(&tmp, 1024);
        char *t = expr_text(&tmp, e);
        int hit = -1;
        for (int k = 0; k < g->nkeys && hit < 0; k++)
            if (strcmp(t, g->gtext[k]) == 0)
                hit = k;
        wr_arena_fini(&tmp);
        if (hit >= 0) {
            *slot = hit;
            *type = g->out->cols[hit].type;
            return 1;
        }
    }
    if (e->kind != SQL_E_COLUMN)
        return 0;
    for (int k = 0; k < g->nkeys; k++) {
        const sql_expr *ge = g->group_by->items[k];
        if (ge->kind == SQL_E_COLUMN && strcmp(ge->name, e->name) == 0) {
            *slot = k;
            *type = g->out->cols[k].type;
            return 1;
        }
    }
    int p = e->qual ? -1 : pseudo_index(e->name);
    if (p >= 0 && (p < OP_PSEUDO_WINDOWSTART || g->windowed)) {
        *slot = g->out->ncols + p;
        *type = pseudo_type(p);
        return 1;
    }
    return wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                       "Column '%s' cannot be resolved.", e->name);
}

static int compile_over_agg(wr_query *q, aggscope *g, const sql_expr *e, wr_expr **out,
                            wr_error *err)
{
    wr_expr_env env = {&q->arena, &q->cfg, agg_resolve, g, NULL};
    int rc = wr_expr_compile(&env, e, out, err);
    if (rc)
        return rc;
    wr_plan_track(&q->plan, &q->arena, *out);
    return 0;
}

static const char *win_kind_name(int kind)
{
    switch (kind) {
    case SQL_WIN_TUMBLING: return "TUMBLING";
    case SQL_WIN_HOPPING: return "HOPPING";
    case SQL_WIN_SESSION: return "SESSION";
    default: return "SLIDING";
    }
}

/* The window of the aggregation with ksqlDB's defaults (rule 20) and Kafka Streams' checks. */
static int analyze_window(const sql_select *sel, op_window_spec *w, wr_error *err)
{
    const sql_window *win = sel->window;
    memset(w, 0, sizeof *w);
    if (!win)
        return 0;
    const int64_t day = 24 * 3600 * 1000LL;
    switch (win->kind) {
    case SQL_WIN_TUMBLING: w->kind = WR_WIN_TUMBLING; break;
    case SQL_WIN_HOPPING: w->kind = WR_WIN_HOPPING; break;
    case SQL_WIN_SESSION: w->kind = WR_WIN_SESSION; break;
    default: return wr_error_unsupported(err, (sql_span){win->span.off, win->span.len},
                                         "WINDOW SLIDING");
    }
    w->size = win->size_ms;
    w->advance = win->kind == SQL_WIN_HOPPING ? win->advance_ms : win->size_ms;
    if (w->size <= 0)
        return wr_error_at(err, WR_ESEMANTIC, win->span.off, win->span.len,
                           "%s window %s must be larger than zero.", win_kind_name(win->kind),
                           win->kind == SQL_WIN_SESSION ? "inactivity gap" : "size");
    if (win->kind == SQL_WIN_HOPPING && (w->advance <= 0 || w->advance > w->size))
        return wr_error_at(err, WR_ESEMANTIC, win->span.off, win->span.len,
                           "Window advancement interval should be more than zero and less than "
                           "window duration");
    if (win->has_grace && win->grace_ms < 0)
        return wr_error_at(err, WR_ESEMANTIC, win->span.off, win->span.len,
                           "Grace period must not be negative.");
    if (win->has_grace)
        w->grace = win->grace_ms;
    else if (sel->emit == SQL_EMIT_FINAL)
        w->grace = 0;
    else
        w->grace = day - w->size > 0 ? day - w->size : 0;
    int64_t min_retention = w->size + w->grace;
    if (win->has_retention) {
        if (win->retention_ms < min_retention)
            return wr_error_at(err, WR_ESEMANTIC, win->span.off, win->span.len,
                               "The retention period of the window store must be no smaller "
                               "than its %s plus the grace period. Got %s=[%lld], grace=[%lld], "
                               "retention=[%lld]",
                               win->kind == SQL_WIN_SESSION ? "inactivity gap" : "window size",
                               win->kind == SQL_WIN_SESSION ? "gap" : "size",
                               (long long)w->size, (long long)w->grace,
                               (long long)win->retention_ms);
        w->retention = win->retention_ms;
    } else
        w->retention = min_retention;
    return 0;
}

/* Aggregating a table retracts old rows (rule 23): every aggregate must be able to, else
 * ksqlDB's "The aggregation function(s) MIN and MAX cannot be applied to a table source, only
 * to a stream source." at the first such call. */
static int check_retractable(const aggscope *g, const op_agg_fn *fns, wr_error *err)
{
    const char *names[64];
    int n = 0;
    const sql_expr *first = NULL;
    for (int j = 0; j < g->naggs; j++) {
        const wr_agg_def *def = fns[j].call.def;
        if (def->retract)
            continue;
        if (!first)
            first = g->calls[j];
        int dup = 0;
        for (int i = 0; i < n; i++)
            dup |= strcmp(names[i], def->name) == 0;
        if (!dup && n < 64)
            names[n++] = def->name;
    }
    if (!n)
        return 0;
    wr_buf list;
    wr_buf_init(&list);
    for (int i = 0; i < n; i++)
        wr_buf_printf(&list, "%s%s", i == 0 ? "" : i == n - 1 ? " and " : ", ", names[i]);
    wr_error_at(err, WR_ESEMANTIC, first->span.off, first->span.len,
                "The aggregation function%s %s cannot be applied to a table source, only to a "
                "stream source.", n > 1 ? "s" : "", list.data);
    wr_buf_fini(&list);
    return WR_ESEMANTIC;
}

/* Source (and WHERE) -> group-by -> aggregate [-> HAVING] -> projection, for a query with
 * GROUP BY.  The result is a table keyed by the GROUP BY expressions in their order
 * (rule 17), windowed when there is a WINDOW clause. */
static int analyze_grouped(wr_query *q, const sql_select *sel, const wr_analyze_opts *ao,
                           scope *sc, wr_plan_node *node, namegen *gen, wr_error *err)
{
    wr_arena *a = &q->arena;
    wr_plan *p = &q->plan;
    const wr_schema *in = sc->schema;
    const sql_expr_list *gb = sel->group_by;
    int nk = gb->n, rc;
    aggscope g;
    memset(&g, 0, sizeof g);
    g.group_by = gb;
    g.nkeys = nk;
    g.gtext = wr_arena_calloc(a, sizeof(char *) * (size_t)nk);

    op_window_spec win;
    if ((rc = analyze_window(sel, &win, err)))
        return rc;
    g.windowed = win.kind != WR_WIN_NONE;
    int table = p->from && p->from->is_table;
    if (table && g.windowed)
        return wr_error_at(err, WR_ESEMANTIC, sel->window->span.off, sel->window->span.len,
                           "Windowing not supported for table aggregations.");

    /* SELECT * cannot be grouped (every column would have to be a grouping expression) */
    for (int i = 0; i < sel->nitems; i++) {
        if (!sel->items[i].star)
            continue;
        wr_buf list;
        wr_buf_init(&list);
        for (int c = 0; c < in->ncols; c++) {
            sql_expr ce;
            memset(&ce, 0, sizeof ce);
            ce.kind = SQL_E_COLUMN;
            ce.name = in->cols[c].name;
            if (!grouped_column(&ce, gb))
                wr_buf_printf(&list, "%s%s", list.len ? ", " : "", in->cols[c].name);
        }
        wr_error_at(err, WR_ESEMANTIC, sel->items[i].span.off, sel->items[i].span.len,
                    "Non-aggregate SELECT expression(s) not part of GROUP BY: %s",
                    list.data ? list.data : "*");
        wr_buf_fini(&list);
        return WR_ESEMANTIC;
    }
    const sql_expr *tfs[1];
    int ntf = 0;
    for (int i = 0; i < sel->nitems && !ntf; i++)
        find_table_fns(sel->items[i].expr, tfs, &ntf, 1);
    if (ntf)
        return wr_error_at(err, WR_ESEMANTIC, tfs[0]->span.off, tfs[0]->span.len,
                           "Table functions cannot be used with aggregations.");

    /* ---- group-by: the grouping values, then every input column ---- */
    wr_expr **keys = wr_arena_calloc(a, sizeof(wr_expr *) * (size_t)nk);
    wr_column *gcols = wr_arena_calloc(a, sizeof(wr_column) * (size_t)(nk + in->ncols + 1));
    wr_buf det;
    wr_buf_init(&det);
    for (int k = 0; k < nk; k++) {
        const sql_expr *e = gb->items[k];
        if ((rc = compile(q, sc, e, &keys[k], err))) {
            wr_buf_fini(&det);
            return rc;
        }
        g.gtext[k] = expr_text(a, e);
        const wr_type *t = wr_expr_type(keys[k]);
        if (t->kind == WR_NULL) {
            wr_buf_fini(&det);
            return wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                               "Can't infer a type of null. Please explicitly cast it to the "
                               "required type, e.g. CAST(null AS VARCHAR).");
        }
        gcols[k].name = e->kind == SQL_E_COLUMN ? e->name : wr_arena_sprintf(a, "KSQL_COL_%d", k);
        gcols[k].type = t;
        gcols[k].role = WR_COL_KEY;
        wr_buf_printf(&det, "%s%s", k ? ", " : "", g.gtext[k]);
    }
    for (int c = 0; c < in->ncols; c++) {
        gcols[nk + c] = in->cols[c];
        gcols[nk + c].role = WR_COL_VALUE;
    }
    wr_schema *gs = wr_arena_calloc(a, sizeof *gs);
    gs->ncols = nk + in->ncols;
    gs->nkey = nk;
    gs->cols = gcols;
    node = wr_plan_node_new(a, WR_PLAN_GROUPBY, node, gs);
    node->u.groupby.out = gs;
    node->u.groupby.nkeys = nk;
    node->u.groupby.keys = (const wr_expr *const *)keys;
    node->detail = wr_arena_strdup(a, det.data ? det.data : "");
    wr_buf_reset(&det);

    /* ---- aggregate calls: arguments over the group-by rows, resolved by the registry ---- */
    for (int i = 0; i < sel->nitems; i++)
        collect_aggs(a, sel->items[i].expr, &g);
    collect_aggs(a, sel->having, &g);
    op_agg_fn *fns = wr_arena_calloc(a, sizeof(op_agg_fn) * (size_t)(g.naggs + 1));
    wr_column *acols = wr_arena_calloc(a, sizeof(wr_column) * (size_t)(nk + g.naggs + 1));
    scope isc = *sc;
    isc.slot_base = nk;
    for (int j = 0; j < g.naggs; j++) {
        const sql_expr *e = g.calls[j];
        op_agg_fn *f = &fns[j];
        wr_agg_call *c = &f->call;
        c->def = wr_agg_find(e->name);
        c->cfg = &q->cfg;
        c->arena = a;
        c->star = (e->flags & SQL_F_STAR) != 0;
        if (e->flags & SQL_F_DISTINCT) {
            wr_buf_fini(&det);
            return wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                               "DISTINCT is not supported in aggregate function calls: %s. Use "
                               "COUNT_DISTINCT or COLLECT_SET.", g.ctext[j]);
        }
        int argc = e->list ? e->list->n : 0;
        if (argc > WR_AGG_MAXARGS) {
            wr_buf_fini(&det);
            return wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                               "Function '%s' does not accept %d parameters.", c->def->name, argc);
        }
        wr_expr **args = wr_arena_calloc(a, sizeof(wr_expr *) * (size_t)(argc + 1));
        for (int i = 0; i < argc; i++) {
            if ((rc = compile(q, &isc, e->list->items[i], &args[i], err))) {
                wr_buf_fini(&det);
                return rc;
            }
            c->argt[i] = wr_expr_type(args[i]);
            wr_value lit;
            if (wr_expr_constant(args[i], &lit)) {
                wr_value *lv = wr_arena_alloc(a, sizeof *lv);
                *lv = wr_value_copy(a, &lit);
                c->literal[i] = lv;
            }
        }
        c->argc = argc;
        if ((rc = c->def->resolve(c, err))) {
            if (!err->has_span) {
                err->has_span = 1;
                err->off = e->span.off;
                err->len = e->span.len;
            }
            wr_buf_fini(&det);
            return rc;
        }
        if (win.kind == WR_WIN_SESSION && !c->def->merge) {
            wr_buf_fini(&det);
            return wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                               "Aggregate function %s does not support SESSION windows: its "
                               "states cannot be merged.", c->def->name);
        }
        f->args = (const wr_expr *const *)args;
        acols[nk + j].name = wr_arena_sprintf(a, "KSQL_AGG_VARIABLE_%d", j);
        acols[nk + j].type = c->result_type;
        acols[nk + j].role = WR_COL_VALUE;
        wr_buf_printf(&det, "%s%s AS %s", j ? ", " : "", g.ctext[j], acols[nk + j].name);
    }
    if (table && (rc = check_retractable(&g, fns, err))) {
        wr_buf_fini(&det);
        return rc;
    }
    for (int k = 0; k < nk; k++)
        acols[k] = gcols[k];
    wr_schema *as = wr_arena_calloc(a, sizeof *as);
    as->ncols = nk + g.naggs;
    as->nkey = nk;
    as->cols = acols;
    g.out = as;
    if (win.kind != WR_WIN_NONE) {
        const sql_window *sw = sel->window;
        wr_buf_printf(&det, " | WINDOW %s (", win_kind_name(sw->kind));
        if (sw->kind == SQL_WIN_SESSION)
            wr_buf_printf(&det, "GAP %lld MS", (long long)win.size);
        else
            wr_buf_printf(&det, "SIZE %lld MS", (long long)win.size);
        if (sw->kind == SQL_WIN_HOPPING)
            wr_buf_printf(&det, ", ADVANCE BY %lld MS", (long long)win.advance);
        wr_buf_printf(&det, ", GRACE %lld MS, RETENTION %lld MS)", (long long)win.grace,
                      (long long)win.retention);
    }
    wr_buf_puts(&det, sel->emit == SQL_EMIT_FINAL ? " | EMIT FINAL" : " | EMIT CHANGES");
    node = wr_plan_node_new(a, WR_PLAN_AGGREGATE, node, as);
    op_aggregate_spec *asp = &node->u.aggregate;
    asp->out = as;
    asp->nkeys = nk;
    asp->naggs = g.naggs;
    asp->aggs = fns;
    asp->win = win;
    asp->emit_final = sel->emit == SQL_EMIT_FINAL;
    node->detail = wr_arena_strdup(a, det.data ? det.data : "");
    wr_buf_fini(&det);

    /* ---- HAVING (rule 24) ---- */
    if (sel->having) {
        wr_expr *pred;
        if ((rc = compile_over_agg(q, &g, sel->having, &pred, err)))
            return rc;
        if ((rc = check_boolean(a, "HAVING", sel->having, pred, err)))
            return rc;
        node = wr_plan_node_new(a, WR_PLAN_HAVING, node, as);
        node->u.having.in = as;
        node->u.having.pred = pred;
        node->u.having.store = "having";
        node->u.having.win = win.kind != WR_WIN_NONE ? &asp->win : NULL;
        node->detail = expr_text(a, sel->having);
    }

    /* ---- projection over the aggregate's rows ---- */
    item *items = wr_arena_calloc(a, sizeof(item) * (size_t)(sel->nitems + 1));
    int nitems = sel->nitems;
    for (int i = 0; i < nitems; i++) {
        const sql_select_item *si = &sel->items[i];
        items[i].expr = si->expr;
        items[i].span = si->span;
        items[i].name = si->alias.name;
        items[i].aliased = si->alias.name != NULL;
        if ((rc = compile_over_agg(q, &g, si->expr, &items[i].x, err)))
            return rc;
        int slot;
        items[i].key_slot = -1;
        if (wr_expr_is_slot(items[i].x, &slot) && slot < nk)
            items[i].key_slot = slot;
    }
    for (int i = 0; i < nitems; i++)
        if (!items[i].name)
            items[i].name = default_name(items[i].expr);
    for (int i = 0; i < nitems; i++)
        if (!items[i].name)
            items[i].name = gen_name(gen, a);
        else
            items[i].name = wr_arena_strdup(a, items[i].name);

    if (ao->persistent) {
        for (int i = 0; i < nitems; i++)
            if (pseudo_index(items[i].name) >= 0)
                return wr_error_at(err, WR_ESEMANTIC, items[i].span.off, items[i].span.len,
                                   "Reserved column name in select: `%s`. Please remove or alias "
                                   "the column.", items[i].name);
        wr_buf missing, eg;
        wr_buf_init(&missing);
        wr_buf_init(&eg);
        int nmissing = 0;
        for (int k = 0; k < nk; k++) {
            int count = 0, first = -1, second = -1;
            for (int i = 0; i < nitems; i++)
                if (items[i].key_slot == k) {
                    if (count == 0)
                        first = i;
                    else if (count == 1)
                        second = i;
                    count++;
                }
            if (count > 1) {
                wr_buf_fini(&missing);
                wr_buf_fini(&eg);
                return wr_error_at(err, WR_ESEMANTIC, items[second].span.off,
                                   items[second].span.len,
                                   "The projection contains a key column (`%s`) more than once, "
                                   "aliased as: %s and %s.", g.gtext[k], items[first].name,
                                   items[second].name);
            }
            if (count == 0) {
                wr_buf_printf(&missing, "%s%s", nmissing ? ", " : "", g.gtext[k]);
                wr_buf_printf(&eg, "%s%s", nmissing ? ", " : "", g.gtext[k]);
                nmissing++;
            }
        }
        if (nmissing) {
            wr_error_at(err, WR_ESEMANTIC, sel->span.off, sel->span.len,
                        "Key%s missing from projection (ie, SELECT).\nThe query used to build "
                        "`%s` must include the grouping expression%s %s in its projection (eg, "
                        "SELECT %s...).", nmissing > 1 ? "s" : "",
                        ao->sink_name ? ao->sink_name : "", nmissing > 1 ? "s" : "",
                        missing.data, eg.data);
            wr_buf_fini(&missing);
            wr_buf_fini(&eg);
            return WR_ESEMANTIC;
        }
        wr_buf_fini(&missing);
        wr_buf_fini(&eg);
    }
    for (int i = 0; i < nitems; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(items[i].name, items[j].name) == 0)
                return wr_error_at(err, WR_ESEMANTIC, items[i].span.off, items[i].span.len,
                                   "Duplicate column name '%s' in projection; use an alias.",
                                   items[i].name);

    /* ---- result: keys in GROUP BY order (rule 17), then values in projection order ---- */
    wr_column *ocols = wr_arena_calloc(a, sizeof(wr_column) * (size_t)(nitems + 1));
    const wr_expr **ox = wr_arena_calloc(a, sizeof(wr_expr *) * (size_t)(nitems + 1));
    const sql_expr **ot = wr_arena_calloc(a, sizeof(sql_expr *) * (size_t)(nitems + 1));
    int n = 0, nkey = 0;
    if (ao->persistent) {
        for (int k = 0; k < nk; k++)
            for (int i = 0; i < nitems; i++)
                if (items[i].key_slot == k) {
                    ocols[n].name = items[i].name;
                    ocols[n].type = as->cols[k].type;
                    ocols[n].role = WR_COL_KEY;
                    /* the key column's name, shown by EXPLAIN on the earlier nodes too */
                    gcols[k].name = acols[k].name = items[i].name;
                    ot[n] = items[i].expr;
                    ox[n++] = items[i].x;
                }
        nkey = n;
    }
    for (int i = 0; i < nitems; i++) {
        if (ao->persistent && items[i].key_slot >= 0)
            continue;
        ocols[n].name = items[i].name;
        ocols[n].type = wr_expr_type(items[i].x);
        ocols[n].role = WR_COL_VALUE;
        if (ocols[n].type->kind == WR_NULL && ao->persistent)
            return wr_error_at(err, WR_ESEMANTIC, items[i].span.off, items[i].span.len,
                               "Can't infer a type of null. Please explicitly cast it to the "
                               "required type, e.g. CAST(null AS VARCHAR).");
        ot[n] = items[i].expr;
        ox[n++] = items[i].x;
    }
    wr_schema *os = wr_arena_calloc(a, sizeof *os);
    os->ncols = n;
    os->nkey = nkey;
    os->cols = ocols;
    node = wr_plan_node_new(a, WR_PLAN_PROJECT, node, os);
    node->u.project.out = os;
    node->u.project.exprs = ox;
    wr_buf_init(&det);
    for (int i = 0; i < n; i++)
        wr_buf_printf(&det, "%s%s AS %s", i ? ", " : "", expr_text(a, ot[i]), ocols[i].name);
    node->detail = wr_arena_strdup(a, det.data ? det.data : "");
    wr_buf_fini(&det);
    p->top = node;
    p->result = os;
    p->grouped = 1;
    p->win_kind = win.kind;
    p->win_size = win.kind == WR_WIN_SESSION ? 0 : win.size;
    return 0;
}

/* The source node reading src (decoding is narrowed later by set_needs). */
static wr_plan_node *source_node(wr_query *q, const wr_source *src)
{
    wr_arena *a = &q->arena;
    /* a private copy of the schema header: ALTER may swap the source's column array */
    wr_schema *ss = wr_arena_alloc(a, sizeof *ss);
    *ss = src->schema;
    wr_plan_node *node = wr_plan_node_new(a, WR_PLAN_SOURCE, NULL, ss);
    op_source_spec *sps = &node->u.source;
    sps->schema = ss;
    sps->topic = src->topic;
    sps->key_fmt = src->key_fmt;
    sps->val_fmt = src->val_fmt;
    sps->nval = src->nval;
    sps->val_cols = src->val_cols;
    sps->val_idx = src->val_idx;
    sps->ts_col = src->ts_col;
    sps->ts_is_string = src->ts_col >= 0 && ss->cols[src->ts_col].type->kind == WR_STRING;
    sps->ts_format = src->ts_format;
    sps->is_table = src->is_table;
    sps->windowed = src->windowed;
    sps->throw_on_invalid_ts = q->throw_on_invalid_ts;
    node->detail = wr_arena_sprintf(a, "topic %s, key %s, value %s", src->topic,
                                    wr_format_name(src->key_fmt.kind),
                                    wr_format_name(src->val_fmt.kind));
    return node;
}

int wr_analyze_source(wr_engine *eng, wr_query *q, const wr_source *src, wr_error *err)
{
    (void)eng;
    (void)err;
    wr_plan *p = &q->plan;
    wr_plan_node *node = source_node(q, src);
    node->u.source.materialize = 1;
    node->detail = wr_arena_sprintf(&q->arena, "%s, materialized", node->detail);
    /* NULL needs: every column is decoded, so the store holds whole rows */
    p->from = src;
    p->source = p->top = node;
    p->result = node->schema;
    q->root = node;
    return 0;
}

int wr_analyze_select(wr_engine *eng, wr_query *q, const sql_select *sel,
                      const wr_analyze_opts *ao, wr_error *err)
{
    wr_arena *a = &q->arena;
    wr_plan *p = &q->plan;
    int rc;

    if ((rc = check_aggregates(a, sel, err)))
        return rc;
    /* ---- what is not here yet: reject at the right span ---- */
    if (sel->from->is_join)
        return wr_error_unsupported(err, sel->from->span, "JOIN");
    int grouped = sel->group_by && sel->group_by->n > 0;

    /* ---- source ---- */
    const sql_from *from = sel->from;
    wr_source *src = wr_cat_source_find(eng, from->name.name);
    if (!src)
        return wr_cat_source_missing(eng, &from->name, err, "%s does not exist.", from->name.name);
    /* Re-keying a table is not supported; filters and aggregations of tables work on its
     * changes (rules 23, 24). */
    if (src->is_table && sel->partition_by)
        return wr_error_unsupported(err, sel->partition_by->items[0]->span,
                                    "PARTITION BY on a TABLE");
    if (grouped && sel->partition_by)
        return wr_error_at(err, WR_ESEMANTIC, sel->partition_by->items[0]->span.off,
                           sel->partition_by->items[0]->span.len,
                           "PARTITION BY and GROUP BY in the same query are not supported.");
    p->from = src;
    wr_plan_node *node = source_node(q, src);
    op_source_spec *sps = &node->u.source;
    const wr_schema *ss = sps->schema;
    int nsrc = ss->ncols;
    uint8_t *need = wr_arena_calloc(a, (size_t)nsrc + 1);
    int *ident = wr_arena_alloc(a, sizeof(int) * (size_t)(nsrc + 1));
    for (int i = 0; i < nsrc; i++)
        ident[i] = i;
    if (src->ts_col >= 0)
        need[src->ts_col] = 1;
    /* A persistent query over a table keeps it (pull queries read it) and so does any
     * query that filters or aggregates one: both need each key's old row (rules 23, 24). */
    sps->materialize = src->is_table && !ao->pull && (ao->persistent || sel->where || grouped);
    if (sps->materialize)
        node->detail = wr_arena_sprintf(a, "%s, materialized", node->detail);
    p->source = node;

    scope sc;
    memset(&sc, 0, sizeof sc);
    sc.eng = eng;
    sc.arena = a;
    sc.schema = ss;
    sc.src_name = src->name;
    sc.alias = from->alias.name;
    sc.windowed = src->windowed;
    sc.origin = ident;
    sc.need = need;
    sc.nsrc = nsrc;

    /* ---- WHERE ---- */
    if (sel->where) {
        wr_expr *pred;
        if ((rc = compile(q, &sc, sel->where, &pred, err)))
            return rc;
        if ((rc = check_boolean(a, "WHERE", sel->where, pred, err)))
            return rc;
        node = wr_plan_node_new(a, WR_PLAN_FILTER, node, node->schema);
        node->u.filter.pred = pred;
        node->detail = expr_text(a, sel->where);
    }

    namegen gen;
    memset(&gen, 0, sizeof gen);
    gen.src = ss;

    if (grouped) {
        if ((rc = analyze_grouped(q, sel, ao, &sc, node, &gen, err)))
            return rc;
        set_needs(a, sps, src, need);
        return 0;
    }

    /* ---- PARTITION BY (rule 29) ---- */
    if (sel->partition_by && sel->partition_by->n > 0) {
        const sql_expr_list *pl = sel->partition_by;
        int nk = pl->n;
        /* PARTITION BY NULL: the result has no key at all (the old keys move to the value) */
        if (nk == 1 && pl->items[0]->kind == SQL_E_NULL)
            nk = 0;
        wr_expr **keys = wr_arena_calloc(a, sizeof(wr_expr *) * (size_t)nk);
        int *bare = wr_arena_alloc(a, sizeof(int) * (size_t)nk); /* source column or -1 */
        wr_column *cols = wr_arena_calloc(a, sizeof(wr_column) * (size_t)(nk + nsrc + 1));
        int *srcmap = wr_arena_alloc(a, sizeof(int) * (size_t)(nk + nsrc + 1));
        int *origin = wr_arena_alloc(a, sizeof(int) * (size_t)(nk + nsrc + 1));
        sc.part_text = wr_arena_calloc(a, sizeof(char *) * (size_t)nk);
        wr_buf det;
        wr_buf_init(&det);
        for (int k = 0; k < nk; k++) {
            const sql_expr *e = pl->items[k];
            if ((rc = compile(q, &sc, e, &keys[k], err))) {
                wr_buf_fini(&det);
                return rc;
            }
            sc.part_text[k] = expr_text(a, e);
            wr_buf_printf(&det, "%s%s", k ? ", " : "", sc.part_text[k]);
            int slot;
            bare[k] = wr_expr_is_slot(keys[k], &slot) && slot < nsrc && e->kind == SQL_E_COLUMN
                          ? slot : -1;
            const char *name = NULL;
            if (bare[k] >= 0)
                name = ss->cols[bare[k]].name;
            else
                for (int i = 0; i < sel->nitems && !name; i++)
                    if (sel->items[i].expr && sel->items[i].alias.name &&
                        strcmp(expr_text(a, sel->items[i].expr), sc.part_text[k]) == 0)
                        name = sel->items[i].alias.name;
            if (!name)
                name = gen_name(&gen, a);
            cols[k].name = wr_arena_strdup(a, name);
            cols[k].type = wr_expr_type(keys[k]);
            cols[k].role = WR_COL_KEY;
            srcmap[k] = -1 - k;
            origin[k] = bare[k];
        }
        int n = nk;
        /* value columns first, then the old key columns, minus those that became keys */
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < nsrc; i++) {
                int iskey = i < ss->nkey;
                if (iskey != (pass == 1))
                    continue;
                int moved = 0;
                for (int k = 0; k < nk; k++)
                    if (bare[k] == i)
                        moved = 1;
                if (moved)
                    continue;
                cols[n] = ss->cols[i];
                cols[n].role = ss->cols[i].role == WR_COL_HEADERS ? WR_COL_HEADERS : WR_COL_VALUE;
                srcmap[n] = i;
                origin[n] = i;
                n++;
            }
        wr_schema *ps = wr_arena_calloc(a, sizeof *ps);
        ps->ncols = n;
        ps->nkey = nk;
        ps->cols = cols;
        node = wr_plan_node_new(a, WR_PLAN_PARTITION, node, ps);
        node->u.partition.out = ps;
        node->u.partition.nkeys = nk;
        node->u.partition.keys = (const wr_expr *const *)keys;
        node->u.partition.src = srcmap;
        node->detail = wr_arena_strdup(a, det.data ? det.data : "");
        wr_buf_fini(&det);
        sc.schema = ps;
        sc.origin = origin;
        sc.npart = nk;
        p->key_from_partition = 1;
        if (nk == 0)
            node->detail = "NULL";
    }

    /* ---- table functions -> flat-map ---- */
    const sql_expr *tfs[32];
    int ntf = 0;
    for (int i = 0; i < sel->nitems; i++)
        find_table_fns(sel->items[i].expr, tfs, &ntf, 32);
    if (ntf > 0) {
        int nin = sc.schema->ncols;
        wr_expr **fx = wr_arena_calloc(a, sizeof(wr_expr *) * (size_t)ntf);
        const wr_type **ft = wr_arena_calloc(a, sizeof(wr_type *) * (size_t)ntf);
        wr_column *cols = wr_arena_calloc(a, sizeof(wr_column) * (size_t)(nin + ntf));
        int *origin = wr_arena_alloc(a, sizeof(int) * (size_t)(nin + ntf));
        memcpy(cols, sc.schema->cols, sizeof(wr_column) * (size_t)nin);
        memcpy(origin, sc.origin, sizeof(int) * (size_t)nin);
        wr_buf det;
        wr_buf_init(&det);
        for (int f = 0; f < ntf; f++) {
            if ((rc = compile(q, &sc, tfs[f], &fx[f], err))) {
                wr_buf_fini(&det);
                return rc;
            }
            ft[f] = wr_expr_type(fx[f]);
            if (ft[f]->kind == WR_ARRAY && ft[f]->elem)
                ft[f] = ft[f]->elem; /* tolerate a compiler that reports the ARRAY type */
            cols[nin + f].name = wr_arena_sprintf(a, "KSQL_SYNTH_%d", f);
            cols[nin + f].type = ft[f];
            cols[nin + f].role = WR_COL_VALUE;
            origin[nin + f] = -1;
            wr_buf_printf(&det, "%s%s", f ? ", " : "", expr_text(a, tfs[f]));
        }
        wr_schema *fs = wr_arena_calloc(a, sizeof *fs);
        fs->ncols = nin + ntf;
        fs->nkey = sc.schema->nkey;
        fs->cols = cols;
        node = wr_plan_node_new(a, WR_PLAN_FLATMAP, node, fs);
        node->u.flatmap.nfns = ntf;
        node->u.flatmap.fns = (const wr_expr *const *)fx;
        node->u.flatmap.out = fs;
        node->detail = wr_arena_strdup(a, det.data ? det.data : "");
        wr_buf_fini(&det);
        sc.schema = fs;
        sc.origin = origin;
        sc.tf = tfs;
        sc.tf_type = ft;
        sc.ntf = ntf;
        sc.tf_base = nin;
    }

    /* ---- projection ---- */
    const wr_schema *in = sc.schema;
    int cap = (in->ncols + 2) * (sel->nitems + 1) + 1;
    item *items = wr_arena_calloc(a, sizeof(item) * (size_t)cap);
    int nitems = 0;
    for (int i = 0; i < sel->nitems; i++) {
        const sql_select_item *si = &sel->items[i];
        if (si->star) {
            if (si->star_qual.name && strcmp(si->star_qual.name, src->name) != 0 &&
                !(sc.alias && strcmp(si->star_qual.name, sc.alias) == 0))
                return wr_error_at(err, WR_ESEMANTIC, si->span.off, si->span.len,
                                   "'%s' is not a source or alias of this query.",
                                   si->star_qual.name);
            sc.all = 1;
            /* a pull query over a windowed table shows the window after the keys */
            int win = ao->pull && sc.windowed;
            for (int c = 0; c < in->ncols + 2 * win; c++) {
                int col = !win || c < in->nkey ? c : c < in->nkey + 2 ? -1 : c - 2;
                if (col >= in->ncols - sc.ntf && sc.ntf)
                    continue;
                if (nitems == cap)
                    break;
                const char *name = col >= 0 ? in->cols[col].name
                                            : pseudo_names[OP_PSEUDO_WINDOWSTART + c - in->nkey];
                items[nitems].expr = column_ref(a, name, si->span);
                items[nitems].name = name;
                items[nitems].span = si->span;
                nitems++;
            }
            continue;
        }
        if (nitems == cap)
            break;
        items[nitems].expr = si->expr;
        items[nitems].span = si->span;
        items[nitems].name = si->alias.name;
        items[nitems].aliased = si->alias.name != NULL;
        nitems++;
    }
    if (sc.all)
        memset(need, 1, (size_t)nsrc);
    for (int i = 0; i < nitems; i++) {
        if ((rc = compile(q, &sc, items[i].expr, &items[i].x, err)))
            return rc;
        int slot;
        items[i].key_slot = -1;
        if (items[i].expr->kind == SQL_E_COLUMN && wr_expr_is_slot(items[i].x, &slot) &&
            slot < in->nkey)
            items[i].key_slot = slot;
        if (items[i].expr->kind != SQL_E_COLUMN && sc.npart) {
            /* PARTITION BY expression repeated in the projection: that is the key */
            if (wr_expr_is_slot(items[i].x, &slot) && slot < in->nkey)
                items[i].key_slot = slot;
        }
    }

    /* names: explicit, default (column / struct field), the PARTITION BY key's name for the
     * repeated partition expression, then generated in projection order */
    for (int i = 0; i < nitems; i++) {
        if (!items[i].name)
            items[i].name = default_name(items[i].expr);
        if (!items[i].name && items[i].key_slot >= 0)
            items[i].name = in->cols[items[i].key_slot].name;
    }
    for (int i = 0; i < nitems; i++)
        if (!items[i].name)
            items[i].name = gen_name(&gen, a);
        else
            items[i].name = wr_arena_strdup(a, items[i].name); /* the AST dies with the statement */

    /* ---- persistent-query rules ---- */
    if (ao->persistent) {
        for (int i = 0; i < nitems; i++) {
            int pidx = pseudo_index(items[i].name);
            if (pidx >= 0)
                return wr_error_at(err, WR_ESEMANTIC, items[i].span.off, items[i].span.len,
                                   "Reserved column name in select: `%s`. Please remove or alias "
                                   "the column.", items[i].name);
        }
        for (int k = 0; k < in->nkey; k++) {
            int count = 0, first = -1, second = -1;
            for (int i = 0; i < nitems; i++)
                if (items[i].key_slot == k) {
                    if (count == 0)
                        first = i;
                    else if (count == 1)
                        second = i;
                    count++;
                }
            if (count == 0)
                return wr_error_at(err, WR_ESEMANTIC, sel->span.off, sel->span.len,
                                   "Key missing from projection (ie, SELECT).\nThe query used to "
                                   "build `%s` must include the key column %s in its projection "
                                   "(eg, SELECT %s...).", ao->sink_name ? ao->sink_name : "",
                                   in->cols[k].name, in->cols[k].name);
            if (count > 1)
                return wr_error_at(err, WR_ESEMANTIC, items[second].span.off,
                                   items[second].span.len,
                                   "The projection contains a key column (`%s`) more than once, "
                                   "aliased as: %s and %s.", in->cols[k].name, items[first].name,
                                   items[second].name);
        }
    }
    for (int i = 0; i < nitems; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(items[i].name, items[j].name) == 0)
                return wr_error_at(err, WR_ESEMANTIC, items[i].span.off, items[i].span.len,
                                   "Duplicate column name '%s' in projection; use an alias.",
                                   items[i].name);

    /* ---- output schema: keys (in source key order) then values (projection order) ---- */
    wr_column *ocols = wr_arena_calloc(a, sizeof(wr_column) * (size_t)(nitems + 1));
    const wr_expr **ox = wr_arena_calloc(a, sizeof(wr_expr *) * (size_t)(nitems + 1));
    int n = 0, nkey = 0;
    if (ao->persistent) {
        for (int k = 0; k < in->nkey; k++)
            for (int i = 0; i < nitems; i++)
                if (items[i].key_slot == k) {
                    ocols[n].name = items[i].name;
                    ocols[n].type = in->cols[k].type;
                    ocols[n].role = WR_COL_KEY;
                    ox[n++] = items[i].x;
                }
        nkey = n;
    }
    for (int i = 0; i < nitems; i++) {
        if (ao->persistent && items[i].key_slot >= 0)
            continue;
        ocols[n].name = items[i].name;
        ocols[n].type = wr_expr_type(items[i].x);
        ocols[n].role = WR_COL_VALUE;
        if (ocols[n].type->kind == WR_NULL && ao->persistent)
            return wr_error_at(err, WR_ESEMANTIC, items[i].span.off, items[i].span.len,
                               "Can't infer a type of null. Please explicitly cast it to the "
                               "required type, e.g. CAST(null AS VARCHAR).");
        ox[n++] = items[i].x;
    }
    wr_schema *os = wr_arena_calloc(a, sizeof *os);
    os->ncols = n;
    os->nkey = nkey;
    os->cols = ocols;
    node = wr_plan_node_new(a, WR_PLAN_PROJECT, node, os);
    node->u.project.out = os;
    node->u.project.exprs = ox;
    {
        wr_buf det;
        wr_buf_init(&det);
        for (int i = 0; i < n; i++) {
            wr_buf_printf(&det, "%s", i ? ", " : "");
            for (int j = 0; j < nitems; j++)
                if (items[j].x == ox[i]) {
                    wr_buf_puts(&det, expr_text(a, items[j].expr));
                    break;
                }
            wr_buf_printf(&det, " AS %s", ocols[i].name);
        }
        node->detail = wr_arena_strdup(a, det.data ? det.data : "");
        wr_buf_fini(&det);
    }
    p->top = node;
    p->result = os;

    set_needs(a, sps, src, need);
    return 0;
}
