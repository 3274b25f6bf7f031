/*
 * expr_int.h - private layout of compiled expressions, shared by expr.c (compiler) and
 * expr_eval.c (evaluator).  Nothing outside engine/expr*.c may include it.
 *
 * A compiled expression is a tree of wr_expr nodes with direct child pointers.  The compiler
 * does all type work: operands of arithmetic and comparisons are converted to one operand
 * class by explicit conversion nodes, so the evaluator switches on the opcode and the class
 * and never inspects static types again.  Prefix for private symbols: wx_ / WX_.
 */
#ifndef WEIR_EXPR_INT_H
#define WEIR_EXPR_INT_H

#include "expr.h"

/* Opcodes. */
enum {
    WX_CONST = 1, /* k */
    WX_SLOT,      /* slots[idx] */
    WX_PARAM,     /* lambda frame[idx] */
    WX_CONV,      /* numeric widening of a (INT/BIGINT/DECIMAL/DOUBLE) to type; DATE -> TIMESTAMP */
    WX_CAST,      /* wr_value_cast(a: a->type -> type); run-time error -> NULL */
    WX_NEG,       /* -a, cls */
    WX_ARITH,     /* a sub b, cls (sub: SQL_OP_ADD..SQL_OP_MOD) */
    WX_CONCAT,    /* a || b (strings) */
    WX_CMP,       /* a sub b, cls (sub: SQL_OP_EQ..SQL_OP_GE); NULL operand -> FALSE */
    WX_AND,
    WX_OR,
    WX_NOT,
    WX_IS_NULL,   /* flags WX_F_NOT */
    WX_DISTINCT,  /* a IS [NOT] DISTINCT FROM b, cls */
    WX_BETWEEN,   /* a BETWEEN b AND c, cls, WX_F_NOT */
    WX_IN,        /* a IN kids[0..n), cls, WX_F_NOT */
    WX_LIKE,      /* a LIKE b [ESCAPE idx (-1 none)], WX_F_NOT */
    WX_CASE,      /* kids = cond0, res0, cond1, res1, ...; c = ELSE (or NULL) */
    WX_CASE_SIMPLE, /* a = operand; kids = when0, res0, ...; c = ELSE; cls for a = when */
    WX_DEREF,     /* a->fields[idx] */
    WX_INDEX,     /* array a[b] */
    WX_MAP_GET,   /* map a[b] */
    WX_MK_ARRAY,  /* kids */
    WX_MK_MAP,    /* kids = k0, v0, k1, v1, ... */
    WX_MK_STRUCT, /* kids in field order */
    WX_CALL,      /* def(kids) */
    WX_LAMBDA,    /* only as a WX_CALL argument: params frame[idx .. idx+n), body a */
};

/* Operand classes (after conversion both operands have the same representation). */
enum {
    WX_C_I32 = 1, /* INT: 32-bit wrapping arithmetic */
    WX_C_I64,     /* BIGINT arithmetic; comparisons of INT/BIGINT/TIMESTAMP/DATE/TIME */
    WX_C_F64,
    WX_C_DEC,     /* result precision/scale in type */
    WX_C_STR,     /* STRING and BYTES: bytewise */
    WX_C_BOOL,
    WX_C_DEEP,    /* ARRAY/MAP/STRUCT: wr_value_equal, = and <> only */
};

#define WX_F_NOT      0x01u
#define WX_F_TABLE    0x02u /* a table function call (root only) */
#define WX_F_RT_ERROR 0x04u /* can fail at run time: text names it for on_error */

/* Bits of wr_expr.dep: what a subtree depends on (decides constant folding). */
#define WX_DEP_SLOT   0x01u
#define WX_DEP_NONDET 0x02u

/* Lambda parameters of one expression tree share one frame of this many values. */
#define WX_MAX_PARAMS 32

/* Fixed-size argument buffer for calls; more arguments use the cycle arena. */
#define WX_MAX_STACK_ARGS 16

struct wr_expr {
    uint8_t op;     /* WX_* */
    uint8_t sub;    /* sql_op of arithmetic and comparisons */
    uint8_t cls;    /* WX_C_* operand class */
    uint8_t flags;  /* WX_F_* */
    uint8_t dep;    /* WX_DEP_* */
    int32_t idx;    /* slot / frame index / field index / LIKE escape byte / lambda base */
    int32_t pmin;   /* smallest free lambda-frame index referenced (INT32_MAX: none) */
    int n;          /* kids count; lambda parameter count */
    const wr_type *type;
    wr_value k;     /* WX_CONST value (env arena) */
    wr_expr *a, *b, *c;
    wr_expr **kids;
    const char *text; /* SQL text of the node, for run-time error messages (or NULL) */
    /* WX_CALL */
    const wr_scalar_def *def;
    const wr_type **argt; /* coerced static argument types */
    wr_fn_site *site;
};

/* Evaluation state of one wr_expr_eval() call. */
typedef struct wx_state {
    const wr_value *slots;
    wr_eval_ctx *ctx;
    wr_value *frame; /* lambda parameters */
    int failed;      /* a run-time error happened: the whole result is NULL */
} wx_state;

/* Evaluates x into *out (expr_eval.c).  Used by the compiler to fold constants. */
void wx_eval(const wr_expr *x, wx_state *st, wr_value *out);

#endif
