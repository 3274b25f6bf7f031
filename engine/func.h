/*
 * func.h - the scalar and table function library: one registry table (data, not code) that
 * the expression compiler, SHOW FUNCTIONS and DESCRIBE FUNCTION all read.
 *
 * Each fn_*.c file exports one array of wr_scalar_def terminated by an all-zero entry; the
 * registry (func.c) lists the arrays, sorts by name once, and answers lookups.
 *
 * Calling convention:
 *   1. Compile time: the compiler calls def->resolve() with the static argument types.  It
 *      returns the result type (or NULL and an error message: wrong arity/types).  It may ask
 *      the compiler to coerce arguments (rc->coerce[i] = &wr_type_double) so that the
 *      implementation sees uniform types, e.g. INT -> BIGINT.  Literal arguments are known
 *      through rc->literal[i] (NULL when not a literal), e.g. for a constant regex.
 *   2. Run time: def->fn() gets the (coerced) argument values and writes *out.  With
 *      WR_FN_NULL_IN_NULL_OUT the evaluator returns NULL without calling fn when any argument
 *      is NULL.  Result memory comes from ctx->arena.  A bad argument value (invalid regex,
 *      unparsable date) returns WR_EDATA with a message in ctx->err: the evaluator then
 *      yields NULL for the expression and writes the message to the processing log, as
 *      ksqlDB does; it never stops the query.
 *   3. Table functions (WR_FN_TABLE, EXPLODE...) return an ARRAY value whose elements become
 *      one output row each; resolve() returns the ELEMENT type.
 *   4. Lambdas (TRANSFORM, FILTER, REDUCE...): a lambda argument has static kind WR_LAMBDA.
 *      The compiler first calls def->lambda_params() to learn the parameter types of lambda
 *      argument i, types the body, then calls resolve() with argt[i] = the body's type and
 *      rc->lambda_mask bit i set.  At run time the lambda argument value has kind WR_LAMBDA
 *      and fn calls ctx->call_lambda(ctx, i, nargs, args, &result).
 */
#ifndef WEIR_FUNC_H
#define WEIR_FUNC_H

#include "base.h"

/* Properties that change function results (SET ... in a script, ksqlDB names). */
typedef struct wr_fn_config {
    int substring_legacy_args; /* ksql.functions.substring.legacy.args (0-based pos) */
    int collect_list_limit;    /* ksql.functions.collect_list.limit (aggregates; -1 none) */
    int collect_set_limit;     /* ksql.functions.collect_set.limit */
    int regex_match_limit;     /* PCRE2 match limit (0 = library default 10 000 000) */
} wr_fn_config;

/* Per call-site cache (a compiled regex, a parsed date pattern, a time zone).  The function
 * owns `data` and sets `free`; `key` lets it check that the cached object still matches the
 * current argument (e.g. the pattern text).  The evaluator zero-initialises a site and calls
 * site->free(site->data) when the query closes. */
typedef struct wr_fn_site {
    void *data;
    void (*free)(void *data);
    char *key;       /* heap string owned by the site (free()d with it), or NULL */
    size_t key_len;
} wr_fn_site;

typedef struct wr_fn_ctx wr_fn_ctx;
struct wr_fn_ctx {
    wr_arena *arena;             /* result memory (the cycle arena) */
    wr_error *err;               /* WR_EDATA details */
    const wr_fn_config *cfg;
    const wr_type *const *argt;  /* static (coerced) argument types */
    const wr_type *rtype;        /* the resolved result type */
    wr_fn_site *site;            /* this call site's cache, never NULL */
    int64_t now_ms;              /* wall clock for UNIX_TIMESTAMP() etc., fixed per record */
    /* Calls lambda argument `arg` with `argc` parameter values; 0 or WR_EDATA. */
    int (*call_lambda)(wr_fn_ctx *ctx, int arg, int argc, const wr_value *argv, wr_value *out);
    void *eval;                  /* evaluator private */
};

typedef struct wr_fn_resolve_ctx {
    wr_arena *arena;             /* for building result types (ARRAY<...>, DECIMAL(p,s)) */
    const wr_type **coerce;      /* [argc] out: type to cast argument i to before calls, or NULL */
    const wr_value *const *literal; /* [argc] in: literal value of argument i, or NULL */
    unsigned lambda_mask;        /* bit i: argument i is a lambda (argt[i] = its body type) */
    char errmsg[256];            /* out: why the arguments do not fit (when resolve -> NULL) */
} wr_fn_resolve_ctx;

/* Returns the result type, or NULL with rc->errmsg set. */
typedef const wr_type *(*wr_fn_resolve)(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt);
/* Fills out[0..nparams) with the parameter types of lambda argument `arg`; 0 or -1 with
 * rc->errmsg. */
typedef int (*wr_fn_lambda_params)(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt,
                                   int arg, int nparams, const wr_type **out);
typedef int (*wr_fn_impl)(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out);

#define WR_FN_NULL_IN_NULL_OUT 0x01u /* any NULL argument -> NULL result, fn not called */
#define WR_FN_NONDETERMINISTIC 0x02u /* never constant-folded (RANDOM, UUID, UNIX_TIMESTAMP()) */
#define WR_FN_TABLE            0x04u /* table function: returns an ARRAY, one row per element */
#define WR_FN_LAMBDA           0x08u /* takes lambda arguments */

typedef struct wr_scalar_def {
    const char *name;            /* upper case */
    const char *category;        /* "MATHEMATICAL", "STRING", "ARRAY", "MAP", "JSON",
                                    "DATE / TIME", "URL", "REGULAR EXPRESSION", "CONDITIONAL",
                                    "CONVERSIONS", "OTHER", "TABLE" (as ksqlDB groups them) */
    const char *description;     /* one paragraph, shown by DESCRIBE FUNCTION */
    const char *const *variants; /* NULL-terminated signatures: "ABS(num INT) => INT" ... */
    int min_args, max_args;      /* max_args -1: variadic */
    unsigned flags;              /* WR_FN_* */
    wr_fn_resolve resolve;
    wr_fn_lambda_params lambda_params; /* NULL unless WR_FN_LAMBDA */
    wr_fn_impl fn;
} wr_scalar_def;

/* Registry (func.c).  Lookups are case-insensitive; NULL when unknown. */
const wr_scalar_def *wr_fn_lookup(const char *name);
int wr_fn_count(void);                  /* all functions, scalar and table */
const wr_scalar_def *wr_fn_at(int i);   /* sorted by name */
/* Closest known function name (edit distance) for "did you mean" hints, or NULL. */
const char *wr_fn_suggest(const char *name);
void wr_fn_config_default(wr_fn_config *cfg);

/* The arrays, one per file (fn_math.c, fn_string.c, ...). */
extern const wr_scalar_def wr_fns_math[];
extern const wr_scalar_def wr_fns_string[];
extern const wr_scalar_def wr_fns_regex[];
extern const wr_scalar_def wr_fns_bytes[];
extern const wr_scalar_def wr_fns_null[];
extern const wr_scalar_def wr_fns_url[];
extern const wr_scalar_def wr_fns_other[];
extern const wr_scalar_def wr_fns_array[];
extern const wr_scalar_def wr_fns_map[];
extern const wr_scalar_def wr_fns_lambda[];
extern const wr_scalar_def wr_fns_json[];
extern const wr_scalar_def wr_fns_time[];
extern const wr_scalar_def wr_fns_table[];

/* Helpers for resolvers shared by the fn_*.c files (func.c). */
/* The wider of two numeric types per ksqlDB (INT < BIGINT < DECIMAL < DOUBLE); NULL if
 * either is not numeric. */
const wr_type *wr_fn_numeric_widen(wr_arena *a, const wr_type *x, const wr_type *y);
/* Sets rc->errmsg to ksqlDB's "Function 'NAME' does not accept parameters (T1, T2)." */
const wr_type *wr_fn_bad_args(wr_fn_resolve_ctx *rc, const char *name, int argc,
                              const wr_type *const *argt);

#endif
