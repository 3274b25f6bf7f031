/*
 * catalog.c - streams, tables, custom types, properties, variables and the list of
 * persistent queries.  Lookups are by exact (already cased) name: the parser applies
 * ksqlDB's identifier casing, so `Foo` and FOO are different sources.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define GROW(arr, n, cap)                                                   \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            (cap) = (cap) ? 2 * (cap) : 8;                                  \
            (arr) = wr_xrealloc((arr), sizeof(*(arr)) * (size_t)(cap));     \
        }                                                                   \
    } while (0)

/* ---------------------------------------------------------------- sources */

wr_source *wr_cat_source_new(void)
{
    wr_source *src = wr_xcalloc(1, sizeof *src);
    wr_arena_init(&src->arena, 4096);
    src->ts_col = -1;
    src->partitions = 1;
    src->replicas = 1;
    return src;
}

void wr_cat_source_free(wr_source *src)
{
    if (!src)
        return;
    wr_arena_fini(&src->arena);
    free(src);
}

void wr_cat_source_finish(wr_source *src)
{
    const wr_schema *s = &src->schema;
    src->nval = 0;
    src->val_cols = wr_arena_calloc(&src->arena, sizeof(wr_column) * (size_t)(s->ncols + 1));
    src->val_idx = wr_arena_calloc(&src->arena, sizeof(int) * (size_t)(s->ncols + 1));
    for (int i = s->nkey; i < s->ncols; i++)
        if (s->cols[i].role == WR_COL_VALUE) {
            src->val_cols[src->nval] = s->cols[i];
            src->val_idx[src->nval++] = i;
        }
    src->info.topic = src->topic;
    src->info.key_format = src->key_fmt;
    src->info.value_format = src->val_fmt;
    src->info.nkey = s->nkey;
    src->info.key_cols = s->cols;
    src->info.nvalue = src->nval;
    src->info.value_cols = src->val_cols;
    src->info.windowed = src->windowed;
}

wr_source *wr_cat_source_find(wr_engine *eng, const char *name)
{
    for (int i = 0; i < eng->nsources; i++)
        if (strcmp(eng->sources[i]->name, name) == 0)
            return eng->sources[i];
    return NULL;
}

const char *wr_cat_source_suggest(wr_engine *eng, const char *name)
{
    const char **names = wr_xcalloc((size_t)eng->nsources + 1, sizeof(char *));
    for (int i = 0; i < eng->nsources; i++)
        names[i] = eng->sources[i]->name;
    const char *best = wr_suggest(name, names, eng->nsources);
    free(names);
    return best;
}

int wr_cat_source_missing(wr_engine *eng, const sql_ident *name, wr_error *err, const char *fmt,
                          ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    wr_error_at(err, WR_ENOTFOUND, name->span.off, name->span.len, "%s", msg);
    const char *best = wr_cat_source_suggest(eng, name->name);
    if (best)
        wr_error_hint(err, "Did you mean '%s'?", best);
    return WR_ENOTFOUND;
}

void wr_cat_source_put(wr_engine *eng, wr_source *src)
{
    for (int i = 0; i < eng->nsources; i++)
        if (strcmp(eng->sources[i]->name, src->name) == 0) {
            wr_cat_source_free(eng->sources[i]);
            eng->sources[i] = src;
            return;
        }
    GROW(eng->sources, eng->nsources, eng->capsources);
    eng->sources[eng->nsources++] = src;
}

void wr_cat_source_remove(wr_engine *eng, wr_source *src)
{
    for (int i = 0; i < eng->nsources; i++)
        if (eng->sources[i] == src) {
            memmove(eng->sources + i, eng->sources + i + 1,
                    sizeof(wr_source *) * (size_t)(eng->nsources - i - 1));
            eng->nsources--;
            break;
        }
    wr_cat_source_free(src);
}

/* ---------------------------------------------------------------- types */

wr_custom_type *wr_cat_type_find(wr_engine *eng, const char *name)
{
    for (int i = 0; i < eng->ntypes; i++)
        if (wr_strcaseeq(eng->types[i]->name, name))
            return eng->types[i];
    return NULL;
}

void wr_cat_type_put(wr_engine *eng, const char *name, const wr_type *type)
{
    wr_custom_type *t = wr_xcalloc(1, sizeof *t);
    wr_arena_init(&t->arena, 1024);
    t->name = wr_arena_strdup(&t->arena, name);
    t->type = wr_type_copy(&t->arena, type);
    for (int i = 0; i < eng->ntypes; i++)
        if (wr_strcaseeq(eng->types[i]->name, name)) {
            wr_arena_fini(&eng->types[i]->arena);
            free(eng->types[i]);
            eng->types[i] = t;
            return;
        }
    GROW(eng->types, eng->ntypes, eng->captypes);
    eng->types[eng->ntypes++] = t;
}

int wr_cat_type_remove(wr_engine *eng, const char *name)
{
    for (int i = 0; i < eng->ntypes; i++)
        if (wr_strcaseeq(eng->types[i]->name, name)) {
            wr_arena_fini(&eng->types[i]->arena);
            free(eng->types[i]);
            memmove(eng->types + i, eng->types + i + 1,
                    sizeof(wr_custom_type *) * (size_t)(eng->ntypes - i - 1));
            eng->ntypes--;
            return 0;
        }
    return -1;
}

/* Named types are copied into the caller's arena: a DROP TYPE must not pull a type out from
 * under a stream that was declared with it. */
typedef struct type_lookup {
    wr_engine *eng;
    wr_arena *arena;
} type_lookup;

static const wr_type *on_custom_type(void *ud, const char *name)
{
    type_lookup *tl = ud;
    wr_custom_type *ct = wr_cat_type_find(tl->eng, name);
    return ct ? wr_type_copy(tl->arena, ct->type) : NULL;
}

int wr_cat_type_resolve(wr_engine *eng, const sql_type *st, wr_arena *a, const wr_type **out,
                        wr_error *err)
{
    type_lookup tl = {eng, a};
    wr_expr_env env = {0};
    env.arena = a;
    env.ud = &tl;
    env.custom_type = on_custom_type;
    return wr_type_from_sql(&env, st, out, err);
}

/* ---------------------------------------------------------------- properties, variables */

const char *wr_cat_kv_get(wr_kv *kv, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (wr_strcaseeq(kv[i].name, name))
            return kv[i].value;
    return NULL;
}

void wr_cat_kv_set(wr_kv **kv, int *n, int *cap, const char *name, const char *value)
{
    for (int i = 0; i < *n; i++)
        if (wr_strcaseeq((*kv)[i].name, name)) {
            free((*kv)[i].value);
            (*kv)[i].value = wr_xstrdup(value);
            return;
        }
    GROW(*kv, *n, *cap);
    (*kv)[*n].name = wr_xstrdup(name);
    (*kv)[*n].value = wr_xstrdup(value);
    (*n)++;
}

int wr_cat_kv_unset(wr_kv *kv, int *n, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (wr_strcaseeq(kv[i].name, name)) {
            free(kv[i].name);
            free(kv[i].value);
            memmove(kv + i, kv + i + 1, sizeof(wr_kv) * (size_t)(*n - i - 1));
            (*n)--;
            return 0;
        }
    return -1;
}

int wr_cat_prop_bool(wr_engine *eng, const char *name, int dflt)
{
    const char *v = wr_cat_kv_get(eng->props, eng->nprops, name);
    if (!v)
        return dflt;
    if (wr_strcaseeq(v, "true"))
        return 1;
    if (wr_strcaseeq(v, "false"))
        return 0;
    return dflt;
}

void wr_cat_fn_config(wr_engine *eng, wr_fn_config *cfg)
{
    wr_fn_config_default(cfg);
    cfg->substring_legacy_args =
        wr_cat_prop_bool(eng, "ksql.functions.substring.legacy.args", cfg->substring_legacy_args);
    const char *v = wr_cat_kv_get(eng->props, eng->nprops, "ksql.functions.collect_list.limit");
    if (v)
        cfg->collect_list_limit = atoi(v);
    v = wr_cat_kv_get(eng->props, eng->nprops, "ksql.functions.collect_set.limit");
    if (v)
        cfg->collect_set_limit = atoi(v);
}

/* ---------------------------------------------------------------- queries */

void wr_cat_query_add(wr_engine *eng, wr_query *q)
{
    GROW(eng->queries, eng->nqueries, eng->capqueries);
    eng->queries[eng->nqueries++] = q;
}

void wr_cat_query_remove(wr_engine *eng, wr_query *q)
{
    for (int i = 0; i < eng->nqueries; i++)
        if (eng->queries[i] == q) {
            memmove(eng->queries + i, eng->queries + i + 1,
                    sizeof(wr_query *) * (size_t)(eng->nqueries - i - 1));
            eng->nqueries--;
            return;
        }
}

wr_query *wr_cat_query_find(wr_engine *eng, const char *id)
{
    for (int i = 0; i < eng->nqueries; i++)
        if (wr_strcaseeq(eng->queries[i]->id, id))
            return eng->queries[i];
    return NULL;
}

wr_query *wr_cat_cst_query(wr_engine *eng, const char *name)
{
    for (int i = 0; i < eng->nqueries; i++) {
        wr_query *q = eng->queries[i];
        if (q->kind == WR_Q_CST && q->src_name && strcmp(q->src_name, name) == 0)
            return q;
    }
    return NULL;
}

wr_query *wr_cat_table_query(wr_engine *eng, const wr_source *src)
{
    if (!src->is_table)
        return NULL;
    if (src->query_id) {
        wr_query *q = wr_cat_query_find(eng, src->query_id);
        if (q && q->kind == WR_Q_CTAS)
            return q;
    }
    return wr_cat_cst_query(eng, src->name);
}

/* ---------------------------------------------------------------- hints */

const char *wr_suggest(const char *name, const char *const *cands, int n)
{
    /* one edit per three letters: no hints for short names */
    int i = wr_closest(name, cands, n, (int)strlen(name) / 3);
    return i < 0 ? NULL : cands[i];
}

int wr_error_unsupported(wr_error *err, sql_span sp, const char *what)
{
    return wr_error_at(err, WR_EUNSUPPORTED, sp.off, sp.len,
                       "%s is not supported yet by weir.", what);
}
