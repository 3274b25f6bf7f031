/*
 * func.c - the function registry: concatenates the wr_fns_* arrays of the fn_*.c files into
 * one index sorted by name, answers lookups for the expression compiler, SHOW FUNCTIONS and
 * DESCRIBE FUNCTION, and holds resolver helpers shared by the function files.
 *
 * Every fn_*.c file exports its array (declared in func.h); adding a file means adding its
 * array to index_build() below.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "func.h"

/* The sorted index, built once (pthread_once: the REPL and the server may look up
 * concurrently). */
static const wr_scalar_def **fn_index;
static int fn_count;
static pthread_once_t fn_once = PTHREAD_ONCE_INIT;

typedef struct fn_entry {
    const wr_scalar_def *def;
    int ord; /* position in the concatenation: ties keep the first definition */
} fn_entry;

static int entry_cmp(const void *a, const void *b)
{
    const fn_entry *x = a, *y = b;
    int c = strcasecmp(x->def->name, y->def->name);
    return c ? c : (x->ord > y->ord) - (x->ord < y->ord);
}

static void index_build(void)
{
    const wr_scalar_def *arrays[] = {
        wr_fns_math, wr_fns_string, wr_fns_regex, wr_fns_bytes, wr_fns_null,
        wr_fns_url,  wr_fns_other,  wr_fns_array, wr_fns_map,   wr_fns_lambda,
        wr_fns_json, wr_fns_time,   wr_fns_table,
    };
    size_t narrays = sizeof arrays / sizeof arrays[0];
    int n = 0;
    for (size_t i = 0; i < narrays; i++)
        for (const wr_scalar_def *d = arrays[i]; d && d->name; d++)
            n++;
    fn_entry *ent = wr_xcalloc((size_t)n + 1, sizeof *ent);
    int k = 0;
    for (size_t i = 0; i < narrays; i++)
        for (const wr_scalar_def *d = arrays[i]; d && d->name; d++, k++) {
            ent[k].def = d;
            ent[k].ord = k;
        }
    qsort(ent, (size_t)k, sizeof *ent, entry_cmp);
    /* A name defined twice (two files claiming it) keeps the first definition. */
    const wr_scalar_def **idx = wr_xcalloc((size_t)k + 1, sizeof *idx);
    int w = 0;
    for (int i = 0; i < k; i++) {
        if (w > 0 && strcasecmp(idx[w - 1]->name, ent[i].def->name) == 0)
            continue;
        idx[w++] = ent[i].def;
    }
    free(ent);
    fn_index = idx;
    fn_count = w;
}

static void index_ensure(void)
{
    pthread_once(&fn_once, index_build);
}

/* Case-insensitive binary search; NULL when unknown. */
const wr_scalar_def *wr_fn_lookup(const char *name)
{
    if (!name)
        return NULL;
    index_ensure();
    int lo = 0, hi = fn_count - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcasecmp(name, fn_index[mid]->name);
        if (c == 0)
            return fn_index[mid];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Number of registered functions (scalar and table). */
int wr_fn_count(void)
{
    index_ensure();
    return fn_count;
}

/* The i-th function in name order, or NULL when out of range. */
const wr_scalar_def *wr_fn_at(int i)
{
    index_ensure();
    if (i < 0 || i >= fn_count)
        return NULL;
    return fn_index[i];
}

/* The closest registered name by edit distance, if close enough to be a plausible typo
 * (at most a third of the name's length, at least 1 and at most 3 edits). */
const char *wr_fn_suggest(const char *name)
{
    if (!name || !*name)
        return NULL;
    index_ensure();
    int limit = (int)strlen(name) / 3;
    limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
    const char **names = wr_xcalloc((size_t)fn_count + 1, sizeof *names);
    for (int i = 0; i < fn_count; i++)
        names[i] = fn_index[i]->name;
    int best = wr_closest(name, names, fn_count, limit);
    free(names);
    return best < 0 ? NULL : fn_index[best]->name;
}

/* ksqlDB's defaults for the function properties. */
void wr_fn_config_default(wr_fn_config *cfg)
{
    cfg->substring_legacy_args = 0;
    cfg->collect_list_limit = 1000; /* ksqlDB's default for ksql.functions.collect_list.limit */
    cfg->collect_set_limit = 1000; /* ksql.functions.collect_set.limit */
    cfg->regex_match_limit = 0;
}

/* Digits before the point of an integer type seen as a decimal (ksqlDB: INT is
 * DECIMAL(10,0), BIGINT DECIMAL(19,0)). */
static void as_decimal(const wr_type *t, int *p, int *s)
{
    switch (t->kind) {
    case WR_INT: *p = 10; *s = 0; break;
    case WR_BIGINT: *p = 19; *s = 0; break;
    default: *p = t->precision; *s = t->scale; break;
    }
}

/* The wider numeric type (INT < BIGINT < DECIMAL < DOUBLE); two decimals (or a decimal and an
 * integer) widen to a decimal holding both, capped at 38 digits.  NULL if either is not
 * numeric.  Types are built in arena a when needed. */
const wr_type *wr_fn_numeric_widen(wr_arena *a, const wr_type *x, const wr_type *y)
{
    if (!x || !y || !wr_type_is_numeric(x) || !wr_type_is_numeric(y))
        return NULL;
    if (x->kind == WR_DOUBLE || y->kind == WR_DOUBLE)
        return &wr_type_double;
    if (x->kind == WR_DECIMAL || y->kind == WR_DECIMAL) {
        if (x->kind == WR_DECIMAL && wr_type_equal(x, y))
            return x;
        int px, sx, py, sy;
        as_decimal(x, &px, &sx);
        as_decimal(y, &py, &sy);
        int ix = px - sx, iy = py - sy;
        int s = sx > sy ? sx : sy;
        int p = (ix > iy ? ix : iy) + s;
        if (p > 38)
            p = 38;
        if (s > p)
            s = p;
        return wr_type_decimal(a, p, s);
    }
    if (x->kind == WR_BIGINT || y->kind == WR_BIGINT)
        return &wr_type_bigint;
    return &wr_type_int;
}

/* Fills rc->errmsg with ksqlDB's wording and returns NULL so resolvers can
 * `return wr_fn_bad_args(...)`. */
const wr_type *wr_fn_bad_args(wr_fn_resolve_ctx *rc, const char *name, int argc,
                              const wr_type *const *argt)
{
    wr_buf b;
    wr_buf_init(&b);
    for (int i = 0; i < argc; i++) {
        if (i)
            wr_buf_puts(&b, ", ");
        if (!argt[i] || argt[i]->kind == WR_NULL)
            wr_buf_puts(&b, "null");
        else if (argt[i]->kind == WR_LAMBDA)
            wr_buf_puts(&b, "LAMBDA");
        else
            wr_type_format(argt[i], &b);
    }
    snprintf(rc->errmsg, sizeof rc->errmsg, "Function '%s' does not accept parameters (%s).",
             name, b.data ? b.data : "");
    wr_buf_fini(&b);
    return NULL;
}
