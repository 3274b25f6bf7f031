/*
 * pull.c - pull queries: SELECT ... FROM table [WHERE ...] [LIMIT n] without EMIT, answered
 * once from the state of the query that materializes the table, with no Kafka round trip.
 *
 * A table is materialized by a running query (wr_cat_table_query): the CTAS that writes it or
 * CREATE SOURCE TABLE's CST query.  That query keeps the table's rows, or what they are
 * computed from, in one of its stores:
 *   - an aggregation: the aggregate store (states per group and window), decoded with
 *     op_aggregate_row; the query's HAVING and projection are then applied, as ksqlDB does;
 *   - a query over a table: its materializing source's store (the latest source row per
 *     key), decoded with op_source_row; the query's WHERE and projection are then applied.
 * So a pull query sees exactly the table's current rows without a second copy of them.  The
 * pull query's own plan (analyzed like a transient query over the table's schema) then
 * filters and projects each row.
 *
 * Lookups: WHERE conjuncts `key = literal` (every key column) or `key IN (literals)` (one key
 * column) become point lookups of the store (a windowed table has a row per window of the
 * key: a prefix scan, or point reads of the live windows, op_aggregate_lookup); anything else (key ranges, window bounds, other columns) is a full
 * scan, and the whole WHERE is evaluated on every row either way.  The store reads merge the
 * write-back cache over LMDB (state.h), so a pull sees every update the query has made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define MAX_CHAIN 32
#define MAX_LOOKUPS 1024

typedef struct pull {
    wr_exec *ex;
    wr_query *mq;                /* the materializing query */
    const wr_plan_node *mat;     /* its node whose store holds the table (SOURCE, AGGREGATE) */
    const wr_plan_node *mchain[MAX_CHAIN]; /* its nodes after mat, up to the table's rows */
    int nm;
    wr_query *q;                 /* the pull query's plan */
    const wr_plan_node *pchain[MAX_CHAIN];
    int np;
    wr_arena tmp;                /* per-row memory, reset for every entry */
    wr_eval_ctx mev, pev;        /* evaluation contexts of mq's and q's expressions */
    op scratch;                  /* slot vector for expression evaluation */
    int64_t limit;               /* -1: none */
    int nrows, caprows;
    const char ***cells;         /* result rows, in the statement arena */
    wr_buf fmt;
    wr_buf seen;                 /* lookup keys already visited (IN with repeated values) */
    op_window_starts starts;     /* a time-windowed aggregate's live windows, read once */
} pull;

static int at(wr_error *err, int code, sql_span sp, const char *msg)
{
    return wr_error_at(err, code, sp.off, sp.len, "%s", msg);
}

/* ---------------------------------------------------------------- validation */

static const char *const SYNTAX_HELP = "Add EMIT CHANGES if you intended to issue a push query.";

/* ksqlDB's PullQueryValidator rules, checked before anything is resolved. */
static int check_clauses(const sql_select *sel, wr_error *err)
{
    const char *msg = NULL;
    sql_span sp = sel->span;
    if (sel->from->is_join) {
        msg = "Pull queries don't support JOIN clauses.";
        sp = sel->from->span;
    } else if (sel->window) {
        msg = "Pull queries don't support WINDOW clauses.";
        sp = sel->window->span;
    } else if (sel->group_by && sel->group_by->n) {
        msg = "Pull queries don't support GROUP BY clauses.";
        sp = sel->group_by->items[0]->span;
    } else if (sel->partition_by && sel->partition_by->n) {
        msg = "Pull queries don't support PARTITION BY clauses.";
        sp = sel->partition_by->items[0]->span;
    } else if (sel->having) {
        msg = "Pull queries don't support HAVING clauses.";
        sp = sel->having->span;
    }
    if (!msg)
        return 0;
    at(err, WR_ESEMANTIC, sp, msg);
    wr_error_hint(err, "%s", SYNTAX_HELP);
    return WR_ESEMANTIC;
}

static int has_table_fn(const sql_expr *e, const sql_expr **found)
{
    if (!e || e->kind == SQL_E_LAMBDA)
        return 0;
    if (e->kind == SQL_E_CALL) {
        const wr_scalar_def *def = wr_fn_lookup(e->name);
        if (def && (def->flags & WR_FN_TABLE)) {
            *found = e;
            return 1;
        }
    }
    if (has_table_fn(e->a, found) || has_table_fn(e->b, found) || has_table_fn(e->c, found))
        return 1;
    for (int i = 0; e->list && i < e->list->n; i++)
        if (has_table_fn(e->list->items[i], found))
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- chains */

/* The nodes of root's chain from the one after `from` (exclusive; NULL: the chain's first)
 * up to root, sinks left out.  Returns the count, -1 when too long. */
static int chain_after(const wr_plan_node *root, const wr_plan_node *from,
                       const wr_plan_node **out)
{
    const wr_plan_node *all[MAX_CHAIN];
    int n = 0;
    for (const wr_plan_node *p = root; p && p != from; p = p->input) {
        if (n == MAX_CHAIN)
            return -1;
        all[n++] = p;
    }
    int k = 0;
    for (int i = n - 1; i >= 0; i--)
        if (all[i]->kind != WR_PLAN_SINK)
            out[k++] = all[i];
    return k;
}

/* The node of mq holding the table's rows: its aggregate, else its materializing source. */
static const wr_plan_node *materialized_node(const wr_query *mq)
{
    const wr_plan_node *src = NULL;
    for (const wr_plan_node *p = mq->root; p; p = p->input) {
        if (p->kind == WR_PLAN_AGGREGATE)
            return p;
        if (p->kind == WR_PLAN_SOURCE && p->u.source.materialize)
            src = p;
    }
    return src;
}

/* Only row-wise nodes can be replayed over stored rows. */
static int chain_replayable(const wr_plan_node *const *chain, int n)
{
    for (int i = 0; i < n; i++)
        if (chain[i]->kind != WR_PLAN_FILTER && chain[i]->kind != WR_PLAN_HAVING &&
            chain[i]->kind != WR_PLAN_PROJECT)
            return 0;
    return 1;
}

/* Applies the filters and projections of chain to row; NULL when a filter drops it. */
static wr_row *apply(pull *pl, const wr_plan_node *const *chain, int n, wr_row *row,
                     wr_eval_ctx *ev)
{
    for (int i = 0; i < n && row; i++) {
        const wr_plan_node *nd = chain[i];
        const wr_value *slots = op_slots_fill(&pl->scratch, row);
        switch (nd->kind) {
        case WR_PLAN_FILTER:
            if (!wr_expr_eval_bool(nd->u.filter.pred, slots, ev))
                return NULL;
            break;
        case WR_PLAN_HAVING:
            if (!wr_expr_eval_bool(nd->u.having.pred, slots, ev))
                return NULL;
            break;
        case WR_PLAN_PROJECT: {
            const wr_schema *os = nd->u.project.out;
            wr_row *out = wr_arena_alloc(&pl->tmp, sizeof *out);
            *out = *row;
            out->schema = os;
            out->cols = wr_arena_calloc(&pl->tmp, sizeof(wr_value) * (size_t)(os->ncols + 1));
            for (int c = 0; c < os->ncols; c++)
                wr_expr_eval(nd->u.project.exprs[c], slots, ev, &out->cols[c]);
            row = out;
            break;
        }
        default:
            return NULL;
        }
    }
    return row;
}

/* ---------------------------------------------------------------- rows */

static void add_result(pull *pl, const wr_row *row)
{
    wr_arena *a = pl->ex->arena;
    const wr_schema *s = pl->q->plan.result;
    const char **cells = wr_arena_calloc(a, sizeof(char *) * (size_t)(s->ncols + 1));
    for (int c = 0; c < s->ncols; c++) {
        if (wr_is_null(&row->cols[c]))
            continue;
        wr_buf_reset(&pl->fmt);
        wr_value_format(&row->cols[c], s->cols[c].type, &pl->fmt);
        cells[c] = wr_arena_strdup(a, pl->fmt.data ? pl->fmt.data : "");
    }
    if (pl->nrows == pl->caprows) {
        int cap = pl->caprows ? 2 * pl->caprows : 16;
        const char ***v = wr_arena_alloc(a, sizeof(char **) * (size_t)cap);
        if (pl->nrows)
            memcpy(v, pl->cells, sizeof(char **) * (size_t)pl->nrows);
        pl->cells = v;
        pl->caprows = cap;
    }
    pl->cells[pl->nrows++] = cells;
}

/* One store entry: decode, replay the materializing query's steps, then the pull query's.
 * Returns 1 to stop (LIMIT reached). */
static int on_entry(void *ud, const void *k, size_t kl, const void *v, size_t vl)
{
    pull *pl = ud;
    if (pl->limit >= 0 && pl->nrows >= pl->limit)
        return 1;
    wr_arena_reset(&pl->tmp);
    pl->mev.now_ms = pl->pev.now_ms;
    wr_row row;
    int rc = pl->mat->kind == WR_PLAN_AGGREGATE
                 ? op_aggregate_row(&pl->mat->u.aggregate, &pl->tmp, k, kl, v, vl, &row)
                 : op_source_row(&pl->mat->u.source, &pl->tmp, k, kl, v, vl, &row);
    if (rc)
        return 0; /* not a row (damaged or foreign bytes): skipped */
    wr_row *r = apply(pl, pl->mchain, pl->nm, &row, &pl->mev);
    if (r)
        r = apply(pl, pl->pchain, pl->np, r, &pl->pev);
    if (r)
        add_result(pl, r);
    return pl->limit >= 0 && pl->nrows >= pl->limit;
}

/* ---------------------------------------------------------------- key lookups */

/* Whether column reference e names key column k of the table. */
static int names_key(const sql_expr *e, const wr_source *src, const char *alias,
                     const wr_schema *s, int k)
{
    if (e->kind != SQL_E_COLUMN || strcmp(e->name, s->cols[k].name) != 0)
        return 0;
    return !e->qual || strcmp(e->qual, src->name) == 0 || (alias && strcmp(e->qual, alias) == 0);
}

/* A literal of e cast to key type t: 0 and *out, or -1 when e is no usable literal. */
static int key_literal(wr_arena *a, const sql_expr *e, const wr_type *t, wr_value *out)
{
    wr_error err;
    wr_error_clear(&err);
    const wr_type *lt;
    wr_value v;
    if (wr_expr_literal(a, e, &v, &lt, &err) || wr_is_null(&v))
        return -1;
    if (wr_type_equal(lt, t)) {
        *out = v;
        return 0;
    }
    if (!wr_type_is_numeric(lt) || !wr_type_is_numeric(t))
        return -1; /* ksqlDB does not coerce across kinds: such a row never matches */
    return wr_value_cast(a, &v, lt, t, out, &err) ? -1 : 0;
}

static void conjuncts(const sql_expr *e, const sql_expr **out, int *n, int max)
{
    if (!e)
        return;
    if (e->kind == SQL_E_BINARY && e->op == SQL_OP_AND) {
        conjuncts(e->a, out, n, max);
        conjuncts(e->b, out, n, max);
    } else if (*n < max)
        out[(*n)++] = e;
}

/* The key tuples (nkey values each, in *keys) WHERE pins the table to: returns their count,
 * or -1 when WHERE does not pin every key column (full scan). */
static int where_keys(wr_arena *a, const sql_select *sel, const wr_source *src,
                      wr_value **keys)
{
    const wr_schema *s = &src->schema;
    const char *alias = sel->from->alias.name;
    const sql_expr *cj[64];
    int ncj = 0;
    conjuncts(sel->where, cj, &ncj, 64);
    if (!ncj || s->nkey == 0)
        return -1;
    wr_value *one = wr_arena_calloc(a, sizeof(wr_value) * (size_t)s->nkey);
    for (int k = 0; k < s->nkey; k++) {
        int pinned = 0;
        for (int i = 0; i < ncj && !pinned; i++) {
            const sql_expr *e = cj[i];
            if (e->kind == SQL_E_BINARY && e->op == SQL_OP_EQ) {
                const sql_expr *lit = names_key(e->a, src, alias, s, k) ? e->b
                                      : names_key(e->b, src, alias, s, k) ? e->a : NULL;
                pinned = lit && key_literal(a, lit, s->cols[k].type, &one[k]) == 0;
            } else if (s->nkey == 1 && e->kind == SQL_E_IN && !(e->flags & SQL_F_NOT) &&
                       e->list && e->list->n > 0 && e->list->n <= MAX_LOOKUPS &&
                       names_key(e->a, src, alias, s, k)) {
                wr_value *vals = wr_arena_calloc(a, sizeof(wr_value) * (size_t)e->list->n);
                int nv = 0;
                for (int j = 0; j < e->list->n; j++) {
                    const sql_expr *it = e->list->items[j];
                    if (key_literal(a, it, s->cols[k].type, &vals[nv]) == 0)
                        nv++;
                    else if (it->kind != SQL_E_NULL)
                        return -1; /* not a list of key literals: scan */
                }
                *keys = vals;
                return nv;
            }
        }
        if (!pinned)
            return -1;
    }
    *keys = one;
    return 1;
}

/* Visits the entries of one key (every window of it); timers: an aggregate's timer store. */
static int lookup(pull *pl, st_store *store, st_store *timers, const wr_schema *ks,
                  const wr_value *keys, wr_error *err)
{
    wr_buf kb;
    wr_buf_init(&kb);
    size_t plen = op_table_key(ks, keys, &kb);
    int rc = 0;
    /* IN (1, 1): each key once */
    int dup = 0;
    for (size_t off = 0; off + 4 <= pl->seen.len && !dup;) {
        uint32_t n;
        memcpy(&n, pl->seen.data + off, 4);
        dup = n == plen && memcmp(pl->seen.data + off + 4, kb.data, plen) == 0;
        off += 4 + n;
    }
    if (!dup) {
        uint32_t n = (uint32_t)plen;
        wr_buf_append(&pl->seen, &n, 4);
        wr_buf_append(&pl->seen, kb.data, plen);
        rc = pl->mat->kind == WR_PLAN_AGGREGATE
                 ? op_aggregate_lookup(&pl->mat->u.aggregate, store, timers, &pl->starts,
                                       kb.data, plen, on_entry, pl, err)
                 : st_scan_prefix(store, kb.data, plen, on_entry, pl, err);
    }
    wr_buf_fini(&kb);
    return rc;
}

/* ---------------------------------------------------------------- the statement */

static int run(pull *pl, const sql_select *sel, const wr_source *src, wr_error *err)
{
    wr_engine *eng = pl->ex->eng;
    const wr_plan_node *m = pl->mat;
    st_env *env = wr_engine_state(eng, err);
    if (!env)
        return err->code ? err->code : WR_ESTATE;
    char name[512];
    snprintf(name, sizeof name, "%s#%s", pl->mq->id,
             m->kind == WR_PLAN_AGGREGATE ? OP_STORE_AGG : OP_STORE_SOURCE);
    st_store *store = st_store_open(env, name, err), *timers = NULL;
    if (!store)
        return err->code ? err->code : WR_ESTATE;
    if (m->kind == WR_PLAN_AGGREGATE) {
        snprintf(name, sizeof name, "%s#%s", pl->mq->id, OP_STORE_TIMERS);
        if (!(timers = st_store_open(env, name, err)))
            return err->code ? err->code : WR_ESTATE;
    }
    /* the key columns as the store encodes them */
    const wr_schema *ks = m->kind == WR_PLAN_AGGREGATE ? m->u.aggregate.out : m->u.source.schema;
    wr_value *keys = NULL;
    int nk = sel->where ? where_keys(&pl->tmp, sel, src, &keys) : -1;
    if (nk < 0)
        return st_scan(store, NULL, 0, NULL, 0, on_entry, pl, err);
    /* lookup values live in tmp, which every entry resets: keep them apart */
    int n = ks->nkey;
    wr_value *kv = wr_arena_alloc(pl->ex->arena, sizeof(wr_value) * (size_t)(nk * n + 1));
    for (int i = 0; i < nk * n; i++)
        kv[i] = wr_value_copy(pl->ex->arena, &keys[i]);
    for (int i = 0; i < nk; i++) {
        if (pl->limit >= 0 && pl->nrows >= pl->limit)
            break;
        int rc = lookup(pl, store, timers, ks, kv + (size_t)i * n, err);
        if (rc)
            return rc;
    }
    return 0;
}

int wr_pull_execute(wr_exec *ex, const sql_stmt *stmt, wr_error *err)
{
    wr_engine *eng = ex->eng;
    const sql_select *sel = stmt->select;
    int rc;
    if ((rc = check_clauses(sel, err)))
        return rc;
    const sql_from *from = sel->from;
    wr_source *src = wr_cat_source_find(eng, from->name.name);
    if (!src)
        return wr_cat_source_missing(eng, &from->name, err, "%s does not exist.",
                                     from->name.name);
    if (!src->is_table) {
        at(err, WR_ESEMANTIC, from->name.span,
           "Pull queries are not supported on streams. See https://cnfl.io/queries for more "
           "info.");
        wr_error_hint(err, "%s", SYNTAX_HELP);
        return WR_ESEMANTIC;
    }
    for (int i = 0; i < sel->nitems; i++) {
        const sql_expr *tf;
        if (has_table_fn(sel->items[i].expr, &tf)) {
            at(err, WR_ESEMANTIC, tf->span, "Pull queries don't support table functions.");
            wr_error_hint(err, "%s", SYNTAX_HELP);
            return WR_ESEMANTIC;
        }
    }
    wr_query *mq = wr_cat_table_query(eng, src);
    const wr_plan_node *mat = mq ? materialized_node(mq) : NULL;
    pull pl;
    memset(&pl, 0, sizeof pl);
    pl.ex = ex;
    pl.mq = mq;
    pl.mat = mat;
    if (mat)
        pl.nm = chain_after(mq->root, mat, pl.mchain);
    if (!mat || pl.nm < 0 || !chain_replayable(pl.mchain, pl.nm)) {
        char msg[512];
        snprintf(msg, sizeof msg,
                 "The %s table isn't queryable: it is not materialized. To derive a queryable "
                 "table, you can do 'CREATE TABLE QUERYABLE_%s AS SELECT * FROM %s'. See "
                 "https://cnfl.io/queries for more info.", src->name, src->name, src->name);
        at(err, WR_ESEMANTIC, from->name.span, msg);
        wr_error_hint(err, "%s", SYNTAX_HELP);
        return WR_ESEMANTIC;
    }

    wr_query *q = wr_query_new(eng, WR_Q_TRANSIENT);
    wr_analyze_opts ao = {0, NULL, ex->text, 1};
    if ((rc = wr_analyze_select(eng, q, sel, &ao, err))) {
        wr_query_free(q);
        return rc;
    }
    pl.q = q;
    pl.np = chain_after(q->plan.top, q->plan.source, pl.pchain);
    /* the rows the materializing query produces must have the table's current columns (an
     * ALTER TABLE since it started would shift them) */
    const wr_schema *rows_schema = pl.nm ? pl.mchain[pl.nm - 1]->schema : mat->schema;
    if (pl.np < 0 || !chain_replayable(pl.pchain, pl.np) ||
        rows_schema->ncols != q->plan.source->schema->ncols) {
        wr_query_free(q);
        return at(err, WR_EUNSUPPORTED, sel->span,
                  "This pull query cannot be answered: the table's definition changed since its "
                  "query started.");
    }
    pl.limit = sel->limit;
    wr_arena_init(&pl.tmp, 0);
    wr_buf_init(&pl.fmt);
    wr_buf_init(&pl.seen);
    int64_t now = wr_now_ms();
    pl.mev.arena = pl.pev.arena = &pl.tmp;
    pl.mev.cfg = &mq->cfg;
    pl.pev.cfg = &q->cfg;
    pl.mev.now_ms = pl.pev.now_ms = now;
    rc = run(&pl, sel, src, err);
    if (!rc) {
        const wr_schema *s = q->plan.result;
        const char **cols = wr_arena_calloc(ex->arena, sizeof(char *) * (size_t)(s->ncols + 1));
        for (int i = 0; i < s->ncols; i++)
            cols[i] = wr_arena_strdup(ex->arena, s->cols[i].name);
        wr_result res;
        memset(&res, 0, sizeof res);
        res.kind = WR_RES_TABLE;
        res.stmt_text = ex->text;
        res.ncols = s->ncols;
        res.cols = cols;
        res.nrows = pl.nrows;
        res.cells = (const char *const *const *)pl.cells;
        res.limit = sel->limit;
        if (ex->cb)
            ex->cb(ex->ud, &res);
    }
    free(pl.scratch.slots);
    wr_buf_fini(&pl.fmt);
    wr_buf_fini(&pl.seen);
    free(pl.starts.v);
    wr_arena_fini(&pl.tmp);
    wr_query_free(q);
    return rc;
}
