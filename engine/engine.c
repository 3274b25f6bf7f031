/*
 * engine.c - the engine as drivers see it (engine.h): scripts in, statements executed one
 * by one (split, ${var} substitution, parse, execute), persistent queries fed records.
 * Error spans are mapped back from the substituted statement to the script, so the caret
 * lands on the user's text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_state.h"
#include "expr_int.h"
#include "plan.h"

wr_engine *wr_engine_new(const wr_engine_opts *opts)
{
    wr_engine *eng = wr_xcalloc(1, sizeof *eng);
    if (opts)
        eng->opts = *opts;
    return eng;
}

void wr_engine_free(wr_engine *eng)
{
    if (!eng)
        return;
    for (int i = 0; i < eng->nqueries; i++)
        wr_query_free(eng->queries[i]);
    free(eng->queries);
    for (int i = 0; i < eng->nsources; i++)
        wr_cat_source_free(eng->sources[i]);
    free(eng->sources);
    for (int i = 0; i < eng->ntypes; i++) {
        wr_arena_fini(&eng->types[i]->arena);
        free(eng->types[i]);
    }
    free(eng->types);
    for (int i = 0; i < eng->nprops; i++) {
        free(eng->props[i].name);
        free(eng->props[i].value);
    }
    free(eng->props);
    for (int i = 0; i < eng->nvars; i++) {
        free(eng->vars[i].name);
        free(eng->vars[i].value);
    }
    free(eng->vars);
    free(eng->tmpdir);
    st_env_close(eng->state);
    free(eng);
}

/* ---------------------------------------------------------------- state */

st_env *wr_engine_state(wr_engine *eng, wr_error *err)
{
    if (eng->state)
        return eng->state;
    st_env_opts so;
    memset(&so, 0, sizeof so);
    /* ksqlDB's name, with or without the ksql.streams. prefix; default 10 MiB */
    const char *v = wr_engine_get_property(eng, "cache.max.bytes.buffering");
    if (!v)
        v = wr_engine_get_property(eng, "ksql.streams.cache.max.bytes.buffering");
    if (v) {
        char *end;
        long long n = strtoll(v, &end, 10);
        if (end != v && *end == 0 && n > 0)
            so.cache_bytes = (size_t)n;
    }
    /* weir.state.map.size: the initial LMDB map size (it doubles when full) */
    v = wr_engine_get_property(eng, "weir.state.map.size");
    if (v) {
        char *end;
        long long n = strtoll(v, &end, 10);
        if (end != v && *end == 0 && n > 0)
            so.map_size = (size_t)n;
    }
    eng->state = st_env_open(eng->opts.state_dir, &so, err);
    if (eng->state)
        wr_engine_log(eng, WR_LOG_INFO, "state in %s", st_env_dir(eng->state));
    return eng->state;
}

int wr_engine_commit(wr_engine *eng, const st_offset *offs, int n, wr_error *err)
{
    if (!eng->state && n == 0)
        return 0;
    st_env *env = wr_engine_state(eng, err);
    if (!env)
        return err && err->code ? err->code : WR_ESTATE;
    return st_env_commit(env, offs, n, err);
}

uint64_t wr_query_late_records(const wr_query *q)
{
    return q->ctx.late;
}

int wr_query_stateful(const wr_query *q) { return q->ctx.state != NULL; }

int wr_query_rekeys(const wr_query *q)
{
    for (const wr_plan_node *n = q->root; n; n = n->input) {
        if (n->kind != WR_PLAN_GROUPBY)
            continue;
        const wr_plan_node *in = n->input;
        while (in && in->kind == WR_PLAN_FILTER) /* filters keep the source's columns */
            in = in->input;
        if (!in || in->kind != WR_PLAN_SOURCE || n->u.groupby.nkeys != in->schema->nkey)
            return 1;
        for (int k = 0; k < n->u.groupby.nkeys; k++) {
            const wr_expr *x = n->u.groupby.keys[k];
            if (!x || x->op != WX_SLOT || x->idx != k)
                return 1;
        }
        return 0;
    }
    return 0;
}

const char *wr_query_repartition_topic(const wr_query *q) { return q->rp_topic; }

int wr_query_coalesces(const wr_query *q)
{
    if (q->eng->opts.test_mode || q->kind != WR_Q_CTAS)
        return 0;
    const char *v = wr_engine_get_property(q->eng, "cache.max.bytes.buffering");
    if (!v)
        v = wr_engine_get_property(q->eng, "ksql.streams.cache.max.bytes.buffering");
    return !v || strtoll(v, NULL, 10) != 0;
}

static int chain_checkpoint(op *o, op_ctx *ctx)
{
    int rc = 0;
    for (; o && !rc; o = o->next)
        if (o->vt->checkpoint)
            rc = o->vt->checkpoint(o, ctx);
    return rc;
}

int wr_engine_flush(wr_engine *eng, wr_error *err)
{
    for (int i = 0; i < eng->nqueries; i++) {
        wr_query *q = eng->queries[i];
        if (!q->head)
            continue;
        q->ctx.record = NULL;
        q->eval.now_ms = wr_now_ms();
        wr_error_clear(&q->err);
        int rc = chain_checkpoint(q->head, &q->ctx);
        if (!rc)
            rc = chain_checkpoint(q->rp_head, &q->ctx);
        q->ctx.row = NULL;
        wr_arena_reset(&q->cycle);
        if (rc) {
            if (err)
                *err = q->err;
            return rc;
        }
    }
    return 0;
}

int wr_engine_state_stats(wr_engine *eng, st_stats *out)
{
    if (!eng->state)
        return 0;
    st_env_stats(eng->state, out);
    return 1;
}

int wr_engine_commit_wanted(wr_engine *eng)
{
    return eng->state && st_env_commit_wanted(eng->state);
}

int wr_engine_offset(wr_engine *eng, const char *group, const char *topic, int32_t partition,
                     int64_t *offset)
{
    wr_error err;
    wr_error_clear(&err);
    st_env *env = wr_engine_state(eng, &err);
    if (!env)
        return err.code ? err.code : WR_ESTATE;
    return st_env_offset(env, group, topic, partition, offset);
}

int wr_engine_set_property(wr_engine *eng, const char *name, const char *value)
{
    if (value)
        wr_cat_kv_set(&eng->props, &eng->nprops, &eng->capprops, name, value);
    else
        wr_cat_kv_unset(eng->props, &eng->nprops, name);
    return 0;
}

const char *wr_engine_get_property(wr_engine *eng, const char *name)
{
    return wr_cat_kv_get(eng->props, eng->nprops, name);
}

void wr_engine_log(wr_engine *eng, int level, const char *fmt, ...)
{
    if (!eng->opts.log)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    eng->opts.log(eng->opts.log_ud, level, msg);
}

/* ---------------------------------------------------------------- scripts */

typedef struct script {
    wr_engine *eng;
    const char *sql;
    wr_result_cb cb;
    void *ud;
    wr_error *err;
    int rc;
} script;

static const char *var_lookup(void *ud, const char *name)
{
    wr_engine *eng = ud;
    return wr_cat_kv_get(eng->vars, eng->nvars, name);
}

/* Maps an offset in the substituted statement back to the original statement: equal
 * prefix and suffix map exactly, the changed middle maps to its start. */
static uint32_t map_back(const char *orig, size_t olen, const char *sub, size_t slen, uint32_t off)
{
    size_t pre = 0;
    while (pre < olen && pre < slen && orig[pre] == sub[pre])
        pre++;
    if (off <= pre)
        return off;
    size_t suf = 0;
    while (suf < olen - pre && suf < slen - pre && orig[olen - 1 - suf] == sub[slen - 1 - suf])
        suf++;
    if (off >= slen - suf)
        return (uint32_t)(olen - (slen - off));
    return (uint32_t)pre;
}

static int on_statement(void *ud, const char *text, uint32_t off, uint32_t len)
{
    script *sc = ud;
    const char *stmt_text = sc->sql + off;
    wr_arena a;
    wr_arena_init(&a, 0);
    char *sub = NULL;
    wr_error_clear(sc->err);
    int rc = sql_substitute(stmt_text, len, var_lookup, sc->eng, &a, &sub, sc->err);
    if (rc) {
        if (sc->err->has_span)
            sc->err->off += off;
        goto out;
    }
    size_t slen = strlen(sub);
    sql_stmt *stmt = NULL;
    rc = sql_parse_one(sub, slen, &a, &stmt, sc->err);
    if (!rc) {
        wr_exec ex = {sc->eng, sub, sc->cb, sc->ud, &a};
        rc = wr_stmt_execute(&ex, stmt, sc->err);
    }
    if (rc && sc->err->has_span) {
        uint32_t s = map_back(stmt_text, len, sub, slen, sc->err->off);
        uint32_t e = map_back(stmt_text, len, sub, slen, sc->err->off + sc->err->len);
        sc->err->off = s + off;
        sc->err->len = e > s ? e - s : 0;
    }
out:
    wr_arena_fini(&a);
    sc->rc = rc;
    return rc ? 1 : 0;
}

int wr_engine_execute(wr_engine *eng, const char *sql, size_t len, wr_result_cb cb, void *ud,
                      wr_error *err)
{
    wr_error local;
    if (!err)
        err = &local;
    wr_error_clear(err);
    script sc = {eng, sql, cb, ud, err, 0};
    sql_split(sql, len, on_statement, &sc);
    return sc.rc;
}

/* ---------------------------------------------------------------- catalog view */

const wr_topic_info *wr_engine_topic_info(wr_engine *eng, const char *topic)
{
    for (int i = 0; i < eng->nsources; i++)
        if (strcmp(eng->sources[i]->topic, topic) == 0)
            return &eng->sources[i]->info;
    return NULL;
}

/* ---------------------------------------------------------------- queries */

static void on_eval_error(void *ud, const wr_error *e)
{
    wr_query *q = ud;
    op_report rep = {OP_REP_PROCESSING, "value", e->msg, NULL, 0, q->src_topic, q->ctx.row, 0};
    wr_plog_report(&q->ctx, &rep);
}

wr_query *wr_query_new(wr_engine *eng, int kind)
{
    wr_query *q = wr_xcalloc(1, sizeof *q);
    q->eng = eng;
    q->kind = kind;
    wr_arena_init(&q->arena, 16384);
    wr_arena_init(&q->cycle, 0);
    wr_cat_fn_config(eng, &q->cfg);
    q->throw_on_invalid_ts = wr_cat_prop_bool(eng, "ksql.timestamp.throw.on.invalid", 0);
    q->eval.arena = &q->cycle;
    q->eval.cfg = &q->cfg;
    q->eval.on_error = on_eval_error;
    q->eval.ud = q;
    q->ctx.arena = &q->cycle;
    q->ctx.err = &q->err;
    q->ctx.eval = &q->eval;
    q->ctx.report = wr_plog_report;
    q->ctx.ud = q;
    q->ctx.stream_time = -1;
    q->limit = -1;
    return q;
}

void wr_query_free(wr_query *q)
{
    if (!q)
        return;
    if (q->kind != WR_Q_TRANSIENT && q->eng->opts.query_closing)
        q->eng->opts.query_closing(q->eng->opts.query_closing_ud, q);
    op_chain_close(q->head);
    op_chain_close(q->rp_head);
    free(q->rp_topic);
    if (q->kind == WR_Q_TRANSIENT) /* a push query's state is never read again */
        for (int i = 0; i < q->ctx.nstores; i++)
            st_store_clear(q->ctx.stores[i], NULL);
    for (int i = 0; i < q->plan.nexprs; i++)
        wr_expr_release(q->plan.exprs[i]);
    free(q->id);
    free(q->sql);
    free(q->src_name);
    free(q->src_topic);
    free(q->sink_name);
    free(q->sink_topic);
    wr_arena_fini(&q->cycle);
    wr_arena_fini(&q->arena);
    free(q);
}

int wr_engine_produce(wr_engine *eng, const char *topic, const wr_record *rec, wr_error *err)
{
    if (!eng->opts.topics || !eng->opts.topics->produce)
        return wr_error_set(err, WR_EUSAGE, "no topics configured: cannot produce to %s", topic);
    return eng->opts.topics->produce(eng->opts.topics_ud, topic, rec, err);
}

int wr_engine_query_count(wr_engine *eng) { return eng->nqueries; }

wr_query *wr_engine_query_at(wr_engine *eng, int i)
{
    return i >= 0 && i < eng->nqueries ? eng->queries[i] : NULL;
}

const char *wr_query_id(const wr_query *q) { return q->id; }
int wr_query_source_count(const wr_query *q) { return q->src_topic ? 1 : 0; }
const char *wr_query_source_topic(const wr_query *q, int i) { return i == 0 ? q->src_topic : NULL; }
int wr_query_sink_count(const wr_query *q) { return q->sink_topic ? 1 : 0; }
const char *wr_query_sink_topic(const wr_query *q, int i) { return i == 0 ? q->sink_topic : NULL; }

int wr_query_process(wr_query *q, const char *topic, const wr_record *rec, wr_error *err)
{
    if (!q->head)
        return 0;
    int rp = q->rp_topic && topic && strcmp(topic, q->rp_topic) == 0;
    if (!rp && q->src_topic && topic && strcmp(topic, q->src_topic) != 0)
        return 0;
    q->ctx.record = rec;
    q->eval.now_ms = wr_now_ms();
    wr_error_clear(&q->err);
    int64_t before = q->ctx.stream_time;
    int rc;
    if (rp)
        rc = op_repart_in_feed(q->rp_head, &q->ctx, rec);
    else {
        rc = op_source_feed(q->head, &q->ctx, rec);
        /* split live: the aggregate's stream time is that of the repartition records it has
         * read, not of the source records still on their way through the topic */
        if (q->rp_topic)
            q->ctx.stream_time = before;
    }
    /* stream time moved: let windows and timers close (stateful operators) */
    if (!rc && q->ctx.stream_time > before)
        rc = op_chain_advance(q->rp_head ? q->rp_head : q->head, &q->ctx, q->ctx.stream_time);
    q->ctx.record = NULL;
    q->ctx.row = NULL;
    wr_arena_reset(&q->cycle);
    /* weir test keeps no offsets: when the write-back cache is full, flush it (a live driver
     * commits state together with its offsets instead, see engine_state.h) */
    if (!rc && q->eng->opts.test_mode && q->eng->state && st_env_commit_wanted(q->eng->state))
        rc = st_env_commit(q->eng->state, NULL, 0, &q->err);
    if (rc && err)
        *err = q->err;
    return rc;
}

void wr_query_set_row_cb(wr_query *q, wr_row_cb cb, void *ud)
{
    q->row_cb = cb;
    q->row_ud = ud;
}

int wr_query_column_count(const wr_query *q) { return q->plan.result ? q->plan.result->ncols : 0; }

const char *wr_query_column_name(const wr_query *q, int i)
{
    return q->plan.result && i >= 0 && i < q->plan.result->ncols ? q->plan.result->cols[i].name
                                                                 : NULL;
}

const wr_type *wr_query_column_type(const wr_query *q, int i)
{
    return q->plan.result && i >= 0 && i < q->plan.result->ncols ? q->plan.result->cols[i].type
                                                                 : NULL;
}

int wr_query_is_transient(const wr_query *q) { return q->kind == WR_Q_TRANSIENT; }
int64_t wr_query_limit(const wr_query *q) { return q->limit; }

void wr_query_close(wr_query *q)
{
    if (q && q->kind == WR_Q_TRANSIENT)
        wr_query_free(q);
}
