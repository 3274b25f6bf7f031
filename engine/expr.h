/*
 * expr.h - expression compiler and evaluator.
 *
 * The analyzer hands an AST expression (parser/sql.h) to wr_expr_compile() together with a
 * resolver that maps column references (and anything else it wants to pre-compute, such as
 * aggregate calls or GROUP BY expressions) to input slots.  The compiler types the tree with
 * ksqlDB's rules (SEMANTICS.md 9-13), folds literal-only subtrees, resolves functions through
 * the registry (func.h), and produces an immutable tree that evaluates against an array of
 * slot values.  Columns are indexes after compilation: nothing is looked up by name per record.
 *
 * Memory: compiled expressions live in env->arena (the query's plan arena).  Values produced
 * by evaluation live in ctx->arena (the cycle arena).  Per-call-site caches (compiled regexes,
 * date patterns) hang off the compiled nodes; wr_expr_release() frees them at query close.
 */
#ifndef WEIR_EXPR_H
#define WEIR_EXPR_H

#include "base.h"
#include "func.h"
#include "sql.h"

typedef struct wr_expr wr_expr;

/* Resolver: called for every AST node before it is compiled (pre-order), except an
 * unqualified SQL_E_COLUMN naming a lambda parameter in scope (the parameter shadows columns).
 *   return 1: the node is an input: *slot and *type are set; children are not visited.
 *   return 0: not handled, compile it normally.  A SQL_E_COLUMN that nobody handles is an
 *             error ("Column 'X' cannot be resolved.") unless it names a lambda parameter.
 *   return <0: error, err is filled (with the node's span). */
typedef int (*wr_expr_resolve)(void *ud, const sql_expr *e, int *slot, const wr_type **type,
                               wr_error *err);

typedef struct wr_expr_env {
    wr_arena *arena;          /* where compiled nodes and types live */
    const wr_fn_config *cfg;
    wr_expr_resolve resolve;
    void *ud;
    /* Names of lambda parameters are resolved by the compiler itself (inner scopes shadow
     * columns).  Nothing to set for them. */
    /* Optional: resolves a custom type name (CREATE TYPE) for CAST and DDL; NULL result =
     * unknown type.  Called with env->ud. */
    const wr_type *(*custom_type)(void *ud, const char *name);
} wr_expr_env;

/* Converts a written type (CAST target, DDL column) to a wr_type in env->arena, resolving
 * custom names through env->custom_type.  0, or WR_ESEMANTIC with the span of the bad part
 * (unknown type, DECIMAL precision/scale out of range). */
int wr_type_from_sql(wr_expr_env *env, const sql_type *t, const wr_type **out, wr_error *err);

/* Compiles e.  Returns 0 and *out, or an error (WR_ESEMANTIC) with the span of the offending
 * node and ksqlDB-style messages, e.g.
 *   "Function 'ABS' does not accept parameters (STRING)."  hint: "Valid alternatives are: ..."
 *   "Error processing expression: (X + 'a'). Unsupported arithmetic types. INTEGER STRING"
 *   "Comparison with NULL not supported: NULL = NULL"
 *   "Can't find any functions with the name 'ABSS'"  hint: "Did you mean ABS?" */
int wr_expr_compile(wr_expr_env *env, const sql_expr *e, wr_expr **out, wr_error *err);

const wr_type *wr_expr_type(const wr_expr *x);
/* 1 when the expression is a constant (folded literal), with its value. */
int wr_expr_constant(const wr_expr *x, wr_value *out);
/* 1 when the expression is exactly a slot reference; *slot set. */
int wr_expr_is_slot(const wr_expr *x, int *slot);
/* 1 when the tree contains a table function call (only allowed at the top of a projection). */
int wr_expr_has_table_fn(const wr_expr *x);

typedef struct wr_eval_ctx {
    wr_arena *arena;          /* result memory */
    const wr_fn_config *cfg;
    int64_t now_ms;           /* wall clock fixed per record */
    /* Called when a sub-expression fails at run time (bad cast, function error, integer
     * division by zero).  As in ksqlDB, where the whole compiled expression throws, the
     * result of the whole expression passed to wr_expr_eval() is then NULL (false for
     * wr_expr_eval_bool); on_error is called once per evaluation.  May be NULL. */
    void (*on_error)(void *ud, const wr_error *err);
    void *ud;
    wr_error err;             /* scratch */
} wr_eval_ctx;

/* Evaluates x over slots; *out is the result (NULL on a run-time error, after on_error).
 * Always returns 0 for scalar expressions.  For a table function at the top, *out is the
 * ARRAY of generated values. */
int wr_expr_eval(const wr_expr *x, const wr_value *slots, wr_eval_ctx *ctx, wr_value *out);
/* Evaluates a predicate with SQL semantics for WHERE: NULL counts as false. */
int wr_expr_eval_bool(const wr_expr *x, const wr_value *slots, wr_eval_ctx *ctx);

/* Frees the call-site caches of x and its subtrees (the nodes themselves are arena memory). */
void wr_expr_release(wr_expr *x);

/* Converts a literal AST node (string, number, boolean, NULL, ARRAY/MAP/STRUCT of literals, a
 * negated number) to a value of its natural type; used for WITH properties and INSERT VALUES.
 * 0, or WR_ESEMANTIC when the node is not a literal. */
int wr_expr_literal(wr_arena *a, const sql_expr *e, wr_value *out, const wr_type **type,
                    wr_error *err);

#endif
