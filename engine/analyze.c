/*
 * analyze.c - the analyzer: a sql_select over the catalog -> a typed, immutable plan chain
 * (source -> filter -> partition-by -> flat-map -> project).  Names are resolved to column
 * indexes here, once; expressions are compiled with expr.h; ksqlDB's rules for keys (4),
 * generated names (5), PARTITION BY (29) and record time (30) are applied here, so the
 * operators never look at names.
 *
 * Column references resolve against a scope: the schema flowing into the node being
 * compiled, followed by the pseudo columns (op.h OP_PSEUDO_*).  Each scope column remembers
 * which source column it came from so that the source decodes only the columns a query uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
} scope;

/* ksqlDB's aggregate functions: not in the scalar registry; rejected until the next issue. */
static const char *const aggregates[] = {
    "COUNT", "SUM", "AVG", "MIN", "MAX", "COUNT_DISTINCT", "COLLECT_LIST", "COLLECT_SET",
    "LATEST_BY_OFFSET", "EARLIEST_BY_OFFSET", "TOPK", "TOPKDISTINCT", "HISTOGRAM",
    "STDDEV_SAMP", "STDDEV_SAMPLE", "STDDEV_POP", "CORRELATION", "VARIANCE", NULL};

static int is_aggregate(const char *name)
{
    for (int i = 0; aggregates[i]; i++)
        if (wr_strcaseeq(aggregates[i], name))
            return 1;
    return 0;
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
        *slot = idx;
        return 1;
    }
    if (e->kind != SQL_E_COLUMN)
        return 0;
    int idx = scope_find(sc, e, type);
    if (idx < 0)
        return 0; /* a lambda parameter, or an error the pre-check already reported */
    scope_mark(sc, idx);
    *slot = idx;
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

/* Column references of e outside aggregate calls that are not (inside) a GROUP BY
 * expression; the first one is returned and all are listed in `out`. */
static const sql_expr *ungrouped(wr_arena *a, const sql_expr *e, char **gtext, int ng, wr_buf *out)
{
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
        if (pseudo_index(e->name) >= 0)
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
    if ((r = ungrouped(a, e->a, gtext, ng, out)) && !first)
        first = r;
    if ((r = ungrouped(a, e->b, gtext, ng, out)) && !first)
        first = r;
    if ((r = ungrouped(a, e->c, gtext, ng, out)) && !first)
        first = r;
    if (e->list)
        for (int i = 0; i < e->list->n; i++)
            if ((r = ungrouped(a, e->list->items[i], gtext, ng, out)) && !first)
                first = r;
    return first;
}

/* ksqlDB's aggregate checks, made before the (not yet supported) aggregation itself is
 * rejected, so that wrong queries get the right message. */
static int check_aggregates(wr_arena *a, const sql_select *sel, wr_error *err)
{
    const sql_expr *agg;
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
    wr_buf list;
    wr_buf_init(&list);
    const sql_expr *first = NULL, *r;
    for (int i = 0; i < sel->nitems; i++)
        if (sel->items[i].expr && (r = ungrouped(a, sel->items[i].expr, gtext, ng, &list)) && !first)
            first = r;
    if (first) {
        wr_error_at(err, WR_ESEMANTIC, first->span.off, first->span.len,
                    "Non-aggregate SELECT expression(s) not part of GROUP BY: %s",
                    list.data ? list.data : "");
        wr_buf_fini(&list);
        return WR_ESEMANTIC;
    }
    wr_buf_reset(&list);
    if (sel->having && (r = ungrouped(a, sel->having, gtext, ng, &list))) {
        wr_error_at(err, WR_ESEMANTIC, r->span.off, r->span.len,
                    "Non-aggregate HAVING expression not part of GROUP BY: %s",
                    list.data ? list.data : "");
        wr_buf_fini(&list);
        return WR_ESEMANTIC;
    }
    wr_buf_fini(&list);
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
    if (sel->window)
        return wr_error_unsupported(err, sel->window->span, "WINDOW");
    if (sel->group_by && sel->group_by->n > 0)
        return wr_error_unsupported(err, sel->group_by->items[0]->span, "GROUP BY");
    if (sel->having)
        return wr_error_unsupported(err, sel->having->span, "HAVING");
    for (int i = 0; i < sel->nitems; i++) {
        const sql_expr *agg = sel->items[i].expr ? find_aggregate(sel->items[i].expr) : NULL;
        if (agg) {
            char what[128];
            snprintf(what, sizeof what, "Aggregate function %s", agg->name);
            return wr_error_unsupported(err, agg->span, what);
        }
    }
    if (sel->emit == SQL_EMIT_FINAL)
        return wr_error_unsupported(err, sel->span, "EMIT FINAL");

    /* ---- source ---- */
    const sql_from *from = sel->from;
    wr_source *src = wr_cat_source_find(eng, from->name.name);
    if (!src)
        return wr_cat_source_missing(eng, &from->name, err, "%s does not exist.", from->name.name);
    /* A projection of a changelog is stateless; a filter is not (rule 24: tombstones for keys
     * that stop matching), nor is re-keying a table. */
    if (src->is_table && sel->where)
        return wr_error_unsupported(err, sel->where->span, "WHERE on a TABLE");
    if (src->is_table && sel->partition_by)
        return wr_error_unsupported(err, sel->partition_by->items[0]->span,
                                    "PARTITION BY on a TABLE");
    p->from = src;
    /* a private copy of the schema header: ALTER may swap the source's column array */
    wr_schema *sscopy = wr_arena_alloc(a, sizeof *sscopy);
    *sscopy = src->schema;
    const wr_schema *ss = sscopy;
    int nsrc = ss->ncols;
    uint8_t *need = wr_arena_calloc(a, (size_t)nsrc + 1);
    int *ident = wr_arena_alloc(a, sizeof(int) * (size_t)(nsrc + 1));
    for (int i = 0; i < nsrc; i++)
        ident[i] = i;
    if (src->ts_col >= 0)
        need[src->ts_col] = 1;

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
        const wr_type *t = wr_expr_type(pred);
        if (t->kind != WR_BOOLEAN && t->kind != WR_NULL) {
            wr_buf tb;
            wr_buf_init(&tb);
            wr_type_format(t, &tb);
            wr_error_at(err, WR_ESEMANTIC, sel->where->span.off, sel->where->span.len,
                        "Type error in WHERE expression: Should be BOOLEAN: %s, but is %s",
                        expr_text(a, sel->where), tb.data);
            wr_buf_fini(&tb);
            return WR_ESEMANTIC;
        }
        node = wr_plan_node_new(a, WR_PLAN_FILTER, node, node->schema);
        node->u.filter.pred = pred;
        node->detail = expr_text(a, sel->where);
    }

    namegen gen;
    memset(&gen, 0, sizeof gen);
    gen.src = ss;

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
    int cap = in->ncols + sel->nitems + 1;
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
            for (int c = 0; c < in->ncols; c++) {
                if (c >= in->ncols - sc.ntf && sc.ntf)
                    continue;
                if (nitems == cap)
                    break;
                items[nitems].expr = column_ref(a, in->cols[c].name, si->span);
                items[nitems].name = in->cols[c].name;
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

    /* ---- decode only what is used ---- */
    uint8_t *kneed = wr_arena_calloc(a, (size_t)ss->nkey + 1);
    uint8_t *vneed = wr_arena_calloc(a, (size_t)src->nval + 1);
    for (int k = 0; k < ss->nkey; k++)
        kneed[k] = need[k];
    for (int v = 0; v < src->nval; v++)
        vneed[v] = need[src->val_idx[v]];
    sps->key_need = kneed;
    sps->val_need = vneed;
    return 0;
}
