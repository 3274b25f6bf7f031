/*
 * expr.c - the expression compiler: AST (parser/sql.h) -> typed, folded wr_expr tree.
 *
 * One recursive pass per expression.  Each AST node is first offered to the analyzer's
 * resolver (columns, aggregate calls, GROUP BY expressions become slots), then typed with
 * ksqlDB's rules (SEMANTICS.md 9-13).  The compiler decides everything the evaluator would
 * otherwise re-check per record: the operand class of every arithmetic or comparison node,
 * explicit conversion nodes where a value must change representation (CASE branches, array
 * elements, function coercions, DATE vs TIMESTAMP, STRING literals compared with temporal
 * values), the field index of a struct dereference, the frame index of a lambda parameter.
 * A node whose subtree has no input slot and no non-deterministic function is evaluated once
 * here and replaced by a constant (`3*5+1` -> 16), unless that evaluation fails: then the
 * failure happens (and is logged) per record at run time, as in ksqlDB.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"

/* A lambda parameter in scope while its body is compiled. */
typedef struct scope_var {
    const char *name;
    int idx; /* frame index */
    const wr_type *type;
} scope_var;

/* Compiler state of one wr_expr_compile() call. */
typedef struct cc {
    wr_expr_env *env;
    wr_arena *a;
    wr_error *err;
    scope_var vars[WX_MAX_PARAMS];
    int nvars;  /* scope depth; also the next free frame index (stack discipline) */
    int depth;  /* 0 while compiling the root node: table functions live only there */
} cc;

static const wr_type lambda_type = {.kind = WR_LAMBDA};

static wr_expr *comp(cc *c, const sql_expr *e);

/* ---------------------------------------------------------------- helpers */

static wr_expr *fail_at(cc *c, const sql_expr *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a compile error with e's span; returns NULL so callers can `return fail_at(...)`. */
static wr_expr *fail_at(cc *c, const sql_expr *e, const char *fmt, ...)
{
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (e)
        wr_error_at(c->err, WR_ESEMANTIC, e->span.off, e->span.len, "%s", msg);
    else
        wr_error_set(c->err, WR_ESEMANTIC, "%s", msg);
    return NULL;
}

/* SQL text of an AST node as ksqlDB prints it, in the plan arena. */
static const char *etext(cc *c, const sql_expr *e)
{
    wr_buf b;
    wr_buf_init(&b);
    sql_expr_format(e, &b);
    const char *s = wr_arena_strdup(c->a, b.data ? b.data : "");
    wr_buf_fini(&b);
    return s;
}

static const char *tname(cc *c, const wr_type *t)
{
    if (!t || t->kind == WR_NULL)
        return "NULL";
    wr_buf b;
    wr_buf_init(&b);
    wr_type_format(t, &b);
    const char *s = wr_arena_strdup(c->a, b.data ? b.data : "?");
    wr_buf_fini(&b);
    return s;
}

static wr_expr *node(cc *c, int op, const wr_type *type)
{
    wr_expr *x = wr_arena_calloc(c->a, sizeof *x);
    x->op = (uint8_t)op;
    x->type = type;
    x->pmin = INT32_MAX;
    return x;
}

static wr_expr *konst(cc *c, const wr_type *type, wr_value v)
{
    wr_expr *x = node(c, WX_CONST, type);
    x->k = v;
    return x;
}

static void absorb(wr_expr *x, const wr_expr *kid)
{
    if (!kid)
        return;
    x->dep |= kid->dep;
    if (kid->pmin < x->pmin)
        x->pmin = kid->pmin;
}

/* Collects dependency bits of the children into x. */
static void gather(wr_expr *x)
{
    absorb(x, x->a);
    absorb(x, x->b);
    absorb(x, x->c);
    for (int i = 0; i < x->n && x->kids; i++)
        absorb(x, x->kids[i]);
}

static int is_null_type(const wr_type *t) { return !t || t->kind == WR_NULL; }
static int is_int_type(const wr_type *t) { return t->kind == WR_INT || t->kind == WR_BIGINT; }
static int is_temporal(const wr_type *t)
{
    return t->kind == WR_TIMESTAMP || t->kind == WR_DATE || t->kind == WR_TIME;
}
static int is_complex(const wr_type *t)
{
    return t->kind == WR_ARRAY || t->kind == WR_MAP || t->kind == WR_STRUCT;
}

/* Replaces x by a constant when its subtree depends on nothing but literals and
 * deterministic functions.  Evaluation failures are left for run time (ksqlDB reports them
 * per record in the processing log). */
static wr_expr *fold(cc *c, wr_expr *x)
{
    if (x->op == WX_CONST || x->op == WX_LAMBDA || x->dep || x->pmin != INT32_MAX ||
        (x->flags & WX_F_TABLE))
        return x;
    wr_value frame[WX_MAX_PARAMS];
    wr_eval_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = c->a;
    ctx.cfg = c->env->cfg;
    wx_state st = {.slots = NULL, .ctx = &ctx, .frame = frame, .failed = 0};
    wr_value v;
    wx_eval(x, &st, &v);
    if (st.failed)
        return x;
    wr_expr_release(x);
    wr_expr *k = konst(c, x->type, v);
    k->text = x->text;
    return k;
}

/* ---------------------------------------------------------------- conversions */

/* Numeric rank for widening: INT < BIGINT < DECIMAL < DOUBLE. */
static int num_rank(const wr_type *t)
{
    switch (t->kind) {
    case WR_INT: return 1;
    case WR_BIGINT: return 2;
    case WR_DECIMAL: return 3;
    case WR_DOUBLE: return 4;
    default: return 0;
    }
}

/* Returns x converted to type `to`.  Widening numeric conversions and DATE -> TIMESTAMP are
 * cheap WX_CONV nodes; anything else goes through wr_value_cast at run time.  `src` names
 * the expression in run-time error messages. */
static wr_expr *coerce(cc *c, wr_expr *x, const wr_type *to, const sql_expr *src)
{
    if (!to || wr_type_equal(x->type, to))
        return x;
    if (is_null_type(x->type) && x->op == WX_CONST) {
        wr_expr *k = konst(c, to, wr_null());
        return k;
    }
    wr_expr *y;
    int rf = num_rank(x->type), rt = num_rank(to);
    if ((rf && rt && (rf < rt || (rf == 3 && rt == 3))) ||
        (x->type->kind == WR_DATE && to->kind == WR_TIMESTAMP)) {
        y = node(c, WX_CONV, to);
        if (rt == 3)
            y->flags |= WX_F_RT_ERROR; /* decimal precision overflow */
    } else {
        y = node(c, WX_CAST, to);
        y->flags |= WX_F_RT_ERROR;
    }
    y->a = x;
    if ((y->flags & WX_F_RT_ERROR) && src)
        y->text = etext(c, src);
    gather(y);
    return fold(c, y);
}

/* The common type of two values that must fit one slot (CASE branches, array elements, map
 * keys/values): NULL fits anything, numbers widen, everything else must be equal. */
static const wr_type *unify(cc *c, const wr_type *x, const wr_type *y)
{
    if (is_null_type(x))
        return y;
    if (is_null_type(y))
        return x;
    if (wr_type_is_numeric(x) && wr_type_is_numeric(y))
        return wr_fn_numeric_widen(c->a, x, y);
    if (wr_type_equal(x, y))
        return x;
    return NULL;
}

/* The type both sides of a comparison are seen as, or NULL when they cannot be compared. */
static const wr_type *cmp_common(cc *c, const wr_type *x, const wr_type *y)
{
    if (is_null_type(x))
        return y;
    if (is_null_type(y))
        return x;
    if (wr_type_is_numeric(x) && wr_type_is_numeric(y))
        return wr_fn_numeric_widen(c->a, x, y);
    if (x->kind == y->kind && x->kind != WR_LAMBDA)
        return x;
    if ((x->kind == WR_TIMESTAMP && y->kind == WR_DATE) ||
        (x->kind == WR_DATE && y->kind == WR_TIMESTAMP))
        return &wr_type_timestamp;
    if (is_temporal(x) && y->kind == WR_STRING)
        return x;
    if (is_temporal(y) && x->kind == WR_STRING)
        return y;
    return NULL;
}

static int cls_of(const wr_type *t)
{
    switch (t ? t->kind : WR_NULL) {
    case WR_DOUBLE: return WX_C_F64;
    case WR_DECIMAL: return WX_C_DEC;
    case WR_STRING:
    case WR_BYTES: return WX_C_STR;
    case WR_BOOLEAN: return WX_C_BOOL;
    case WR_ARRAY:
    case WR_MAP:
    case WR_STRUCT: return WX_C_DEEP;
    default: return WX_C_I64; /* INT BIGINT TIMESTAMP DATE TIME (and NULL) */
    }
}

/* Prepares operand x for a comparison in type t.  Numbers are read by class at run time
 * and need no conversion; DATE meets TIMESTAMP as a timestamp; a STRING meets a temporal
 * value parsed as that type, at compile time when it is a literal. */
static wr_expr *cmp_operand(cc *c, wr_expr *x, const wr_type *t, const sql_expr *src)
{
    if (is_null_type(x->type) || is_null_type(t))
        return x;
    if (wr_type_is_numeric(x->type) || x->type->kind == t->kind)
        return x;
    if (x->type->kind == WR_STRING && is_temporal(t) && x->op == WX_CONST) {
        wr_value v;
        wr_error e;
        wr_error_clear(&e);
        if (wr_value_cast(c->a, &x->k, x->type, t, &v, &e))
            return fail_at(c, src, "Failed to parse %s as %s: %s", etext(c, src), tname(c, t),
                           e.msg);
        return konst(c, t, v);
    }
    return coerce(c, x, t, src);
}

/* ksqlDB rewrites `ROWTIME > '2020-01-01T00:00:00'` (also WINDOWSTART, WINDOWEND, which are
 * BIGINT) by parsing the string literal as a timestamp in epoch ms.  When col_e is one of
 * those columns and *lit a STRING constant, replaces *lit by the BIGINT; 0 or -1 (error). */
static int magic_timestamp(cc *c, const sql_expr *col_e, const wr_expr *col,
                           const sql_expr *lit_e, wr_expr **lit)
{
    if (!col_e || col_e->kind != SQL_E_COLUMN || !col_e->name || col->type->kind != WR_BIGINT ||
        (*lit)->op != WX_CONST || (*lit)->type->kind != WR_STRING || (*lit)->k.kind != WR_STRING)
        return 0;
    if (strcmp(col_e->name, "ROWTIME") && strcmp(col_e->name, "WINDOWSTART") &&
        strcmp(col_e->name, "WINDOWEND"))
        return 0;
    wr_value v;
    wr_error e;
    wr_error_clear(&e);
    if (wr_value_cast(c->a, &(*lit)->k, &wr_type_string, &wr_type_timestamp, &v, &e)) {
        fail_at(c, lit_e, "Failed to parse %s as a timestamp for %s: %s", etext(c, lit_e),
                col_e->name, e.msg);
        return -1;
    }
    *lit = konst(c, &wr_type_bigint, wr_bigint(v.u.i));
    return 0;
}

static const char *cmp_name(int op)
{
    switch (op) {
    case SQL_OP_EQ: return "EQUAL";
    case SQL_OP_NE: return "NOT_EQUAL";
    case SQL_OP_LT: return "LESS_THAN";
    case SQL_OP_LE: return "LESS_THAN_OR_EQUAL";
    case SQL_OP_GT: return "GREATER_THAN";
    case SQL_OP_GE: return "GREATER_THAN_OR_EQUAL";
    default: return "?";
    }
}

static const char *op_symbol(int op)
{
    switch (op) {
    case SQL_OP_ADD: return "+";
    case SQL_OP_SUB: return "-";
    case SQL_OP_MUL: return "*";
    case SQL_OP_DIV: return "/";
    case SQL_OP_MOD: return "%";
    case SQL_OP_CONCAT: return "||";
    case SQL_OP_EQ: return "=";
    case SQL_OP_NE: return "<>";
    case SQL_OP_LT: return "<";
    case SQL_OP_LE: return "<=";
    case SQL_OP_GT: return ">";
    case SQL_OP_GE: return ">=";
    case SQL_OP_AND: return "AND";
    case SQL_OP_OR: return "OR";
    default: return "?";
    }
}

/* Checks that a and b can be compared with op (ksqlDB's ComparisonUtil); returns the
 * comparison type or NULL with the error set on e. */
static const wr_type *cmp_check(cc *c, const sql_expr *e, const sql_expr *ea, const wr_type *ta,
                                const sql_expr *eb, const wr_type *tb, int op, const char *opname)
{
    if (is_null_type(ta) && is_null_type(tb)) {
        fail_at(c, e, "Comparison with NULL not supported: %s %s %s", etext(c, ea),
                op_symbol(op), etext(c, eb));
        return NULL;
    }
    const wr_type *t = cmp_common(c, ta, tb);
    /* ksqlDB: booleans and collections only compare for equality */
    if (t && (is_complex(t) || t->kind == WR_BOOLEAN) && op != SQL_OP_EQ && op != SQL_OP_NE)
        t = NULL;
    if (!t) {
        fail_at(c, e, "Cannot compare %s (%s) to %s (%s) with %s.", etext(c, ea), tname(c, ta),
                etext(c, eb), tname(c, tb), opname ? opname : cmp_name(op));
        return NULL;
    }
    return t;
}

/* ---------------------------------------------------------------- user lists */

static int is_string_literal(const wr_expr *x, const sql_expr *src)
{
    return x->op == WX_CONST && x->type->kind == WR_STRING && src->kind == SQL_E_STRING;
}

/* Natural numeric type of a string literal's text ('12' INT, '1.50' DECIMAL(3,2)), or NULL
 * when it is not a number. */
static const wr_type *numeric_text_type(cc *c, const wr_value *v)
{
    wr_int128 u;
    int s;
    size_t n = v->len;
    const char *p = v->u.s;
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (!n || wr_decimal_parse(p, n, &u, &s))
        return NULL;
    for (size_t i = 0; i < n; i++) /* the whole text must be the number */
        if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '.' || p[i] == '-' || p[i] == '+' ||
              p[i] == 'e' || p[i] == 'E'))
            return NULL;
    if (s <= 0 && !memchr(p, '.', n)) {
        if (s < 0 && wr_decimal_rescale(u, s, 0, 0, &u))
            return NULL;
        if (u >= INT32_MIN && u <= INT32_MAX)
            return &wr_type_int;
        if (u >= INT64_MIN && u <= INT64_MAX)
            return &wr_type_bigint;
        return wr_type_decimal(c->a, wr_decimal_digits(u), 0);
    }
    if (s < 0)
        s = 0;
    int digits = wr_decimal_digits(u);
    return wr_type_decimal(c->a, digits > s ? digits : s, s);
}

/* ksqlDB's CoercionUtil.coerceUserList (ARRAY[...], MAP(...), IN (...)): the common type of
 * a list where string literals adapt to the type of the other elements ('1' in a list of
 * INT is the number 1).  `combine` is the pairwise rule (unify or cmp_common).  Returns the
 * type (the NULL type when every element is NULL), or NULL with the error set on the
 * offending element.  The caller converts the elements with coerce(). */
static const wr_type *unify_list(cc *c, wr_expr *const *kids, const sql_expr *const *src, int n,
                                 const wr_type *(*combine)(cc *, const wr_type *, const wr_type *),
                                 const sql_expr *whole)
{
    const wr_type *t = &wr_type_null;
    int nlit = 0;
    for (int i = 0; i < n; i++) {
        if (is_string_literal(kids[i], src[i])) {
            nlit++;
            continue;
        }
        const wr_type *u = combine(c, t, kids[i]->type);
        if (!u) {
            fail_at(c, src[i], "invalid input syntax for type %s: \"%s\". All elements of %s "
                    "must have compatible types.", tname(c, t), etext(c, src[i]), etext(c, whole));
            return NULL;
        }
        t = u;
    }
    if (!nlit)
        return t;
    if (is_null_type(t) || t->kind == WR_STRING)
        return &wr_type_string;
    for (int i = 0; i < n; i++) {
        if (!is_string_literal(kids[i], src[i]))
            continue;
        const wr_type *lt = NULL;
        if (wr_type_is_numeric(t)) {
            lt = numeric_text_type(c, &kids[i]->k);
            if (lt)
                lt = wr_fn_numeric_widen(c->a, t, lt);
        } else if (t->kind == WR_BOOLEAN) {
            const wr_value *v = &kids[i]->k;
            if ((v->len == 4 && wr_strncaseeq_n(v->u.s, 4, "true")) ||
                (v->len == 5 && wr_strncaseeq_n(v->u.s, 5, "false")))
                lt = t;
        } else if (is_temporal(t)) {
            wr_value out;
            wr_error e;
            wr_error_clear(&e);
            if (!wr_value_cast(c->a, &kids[i]->k, &wr_type_string, t, &out, &e))
                lt = t;
        }
        if (!lt) {
            fail_at(c, src[i], "invalid input syntax for type %s: %s.", tname(c, t),
                    etext(c, src[i]));
            return NULL;
        }
        t = lt;
    }
    return t;
}

/* ---------------------------------------------------------------- types */

int wr_type_from_sql(wr_expr_env *env, const sql_type *t, const wr_type **out, wr_error *err)
{
    wr_arena *a = env->arena;
    switch (t->kind) {
    case SQL_T_CUSTOM: {
        const wr_type *ct = env->custom_type && t->custom.name
                                ? env->custom_type(env->ud, t->custom.name)
                                : NULL;
        if (!ct)
            return wr_error_at(err, WR_ESEMANTIC, t->span.off, t->span.len,
                               "Unknown type: %s", t->custom.name ? t->custom.name : "?");
        *out = ct;
        return 0;
    }
    case WR_DECIMAL:
        if (t->precision < 1 || t->precision > 38)
            return wr_error_at(err, WR_ESEMANTIC, t->span.off, t->span.len,
                               "DECIMAL precision must be between 1 and 38: DECIMAL(%d, %d)",
                               t->precision, t->scale);
        if (t->scale < 0 || t->scale > t->precision)
            return wr_error_at(err, WR_ESEMANTIC, t->span.off, t->span.len,
                               "DECIMAL scale must be between 0 and the precision %d: "
                               "DECIMAL(%d, %d)", t->precision, t->precision, t->scale);
        *out = wr_type_decimal(a, t->precision, t->scale);
        return 0;
    case WR_ARRAY: {
        const wr_type *el;
        if (!t->elem)
            return wr_error_at(err, WR_ESEMANTIC, t->span.off, t->span.len,
                               "ARRAY needs an element type");
        int rc = wr_type_from_sql(env, t->elem, &el, err);
        if (rc)
            return rc;
        *out = wr_type_array(a, el);
        return 0;
    }
    case WR_MAP: {
        const wr_type *k = &wr_type_string, *v;
        int rc;
        if (t->key && (rc = wr_type_from_sql(env, t->key, &k, err)))
            return rc;
        if (!t->elem)
            return wr_error_at(err, WR_ESEMANTIC, t->span.off, t->span.len,
                               "MAP needs a value type");
        if ((rc = wr_type_from_sql(env, t->elem, &v, err)))
            return rc;
        *out = wr_type_map(a, k, v);
        return 0;
    }
    case WR_STRUCT: {
        wr_field *f = wr_arena_calloc(a, sizeof *f * (size_t)(t->nfields ? t->nfields : 1));
        for (int i = 0; i < t->nfields; i++) {
            const sql_type_field *sf = &t->fields[i];
            for (int j = 0; j < i; j++)
                if (!strcmp(f[j].name, sf->name.name))
                    return wr_error_at(err, WR_ESEMANTIC, sf->name.span.off, sf->name.span.len,
                                       "Duplicate field names found in STRUCT: '%s'",
                                       sf->name.name);
            f[i].name = wr_arena_strdup(a, sf->name.name ? sf->name.name : "");
            int rc = wr_type_from_sql(env, sf->type, &f[i].type, err);
            if (rc)
                return rc;
        }
        *out = wr_type_struct(a, t->nfields, f);
        return 0;
    }
    default: {
        const wr_type *s = (t->kind > WR_NULL && t->kind < WR_ARRAY) ? wr_type_scalar(t->kind) : NULL;
        if (!s)
            return wr_error_at(err, WR_ESEMANTIC, t->span.off, t->span.len, "Unsupported type");
        *out = s;
        return 0;
    }
    }
}

/* ---------------------------------------------------------------- node compilers */

static wr_expr *comp_literal(cc *c, const sql_expr *e)
{
    switch (e->kind) {
    case SQL_E_NULL: return konst(c, &wr_type_null, wr_null());
    case SQL_E_BOOL: return konst(c, &wr_type_boolean, wr_bool(e->ival != 0));
    case SQL_E_INT:
        if (e->ival >= INT32_MIN && e->ival <= INT32_MAX)
            return konst(c, &wr_type_int, wr_int((int32_t)e->ival));
        return konst(c, &wr_type_bigint, wr_bigint(e->ival));
    case SQL_E_DOUBLE: return konst(c, &wr_type_double, wr_double(e->dval));
    case SQL_E_DECIMAL: {
        wr_int128 u;
        int s;
        size_t n = e->tlen ? e->tlen : (e->text ? strlen(e->text) : 0);
        if (!e->text || wr_decimal_parse(e->text, n, &u, &s))
            return fail_at(c, e, "Invalid decimal literal: %.*s", (int)n, e->text ? e->text : "");
        int p = wr_decimal_digits(u);
        if (p < s)
            p = s;
        if (p > 38)
            return fail_at(c, e, "Decimal literal exceeds 38 digits: %.*s", (int)n, e->text);
        return konst(c, wr_type_decimal(c->a, p, s), wr_decimal(c->a, u, s));
    }
    case SQL_E_STRING:
        return konst(c, &wr_type_string, wr_str_copy(c->a, e->text ? e->text : "", e->tlen));
    case SQL_E_INTERVAL_UNIT:
        return konst(c, &wr_type_string, wr_cstr(c->a, e->name ? e->name : ""));
    default: return NULL;
    }
}

static wr_expr *comp_column(cc *c, const sql_expr *e)
{
    if (!e->qual) {
        for (int i = c->nvars - 1; i >= 0; i--) {
            if (!strcmp(c->vars[i].name, e->name)) {
                wr_expr *x = node(c, WX_PARAM, c->vars[i].type);
                x->idx = c->vars[i].idx;
                x->pmin = x->idx;
                return x;
            }
        }
    }
    if (e->qual)
        return fail_at(c, e, "Column '%s.%s' cannot be resolved.", e->qual, e->name);
    return fail_at(c, e, "Column '%s' cannot be resolved.", e->name ? e->name : "?");
}

static wr_expr *comp_unary(cc *c, const sql_expr *e)
{
    wr_expr *a = comp(c, e->a);
    if (!a)
        return NULL;
    const wr_type *t = a->type;
    if (e->op == SQL_OP_NOT) {
        if (!is_null_type(t) && t->kind != WR_BOOLEAN)
            return fail_at(c, e, "Error processing expression: %s. NOT expects a BOOLEAN, not %s.",
                           etext(c, e), tname(c, t));
        wr_expr *x = node(c, WX_NOT, &wr_type_boolean);
        x->a = a;
        gather(x);
        return x;
    }
    if (!is_null_type(t) && !wr_type_is_numeric(t))
        return fail_at(c, e, "Error processing expression: %s. Unsupported arithmetic types. %s",
                       etext(c, e), tname(c, t));
    if (e->op == SQL_OP_PLUS)
        return a;
    wr_expr *x = node(c, WX_NEG, t);
    x->cls = (uint8_t)(t->kind == WR_INT ? WX_C_I32 : cls_of(t));
    x->a = a;
    gather(x);
    return x;
}

/* DECIMAL result type of a op b per ksqlDB (integers count as DECIMAL(10,0)/(19,0)). */
static const wr_type *decimal_result(cc *c, int op, const wr_type *x, const wr_type *y)
{
    int p1 = x->kind == WR_INT ? 10 : x->kind == WR_BIGINT ? 19 : x->precision;
    int s1 = is_int_type(x) ? 0 : x->scale;
    int p2 = y->kind == WR_INT ? 10 : y->kind == WR_BIGINT ? 19 : y->precision;
    int s2 = is_int_type(y) ? 0 : y->scale;
    int p, s;
    switch (op) {
    case SQL_OP_ADD:
    case SQL_OP_SUB:
        s = s1 > s2 ? s1 : s2;
        p = (p1 - s1 > p2 - s2 ? p1 - s1 : p2 - s2) + s + 1;
        break;
    case SQL_OP_MUL:
        p = p1 + p2 + 1;
        s = s1 + s2;
        break;
    case SQL_OP_DIV:
        s = 6 > s1 + p2 + 1 ? 6 : s1 + p2 + 1;
        p = p1 - s1 + s2 + s;
        break;
    default: /* MOD */
        s = s1 > s2 ? s1 : s2;
        p = (p1 - s1 < p2 - s2 ? p1 - s1 : p2 - s2) + s;
        break;
    }
    if (p > 38)
        p = 38;
    if (s > p)
        s = p;
    if (p < 1)
        p = 1;
    return wr_type_decimal(c->a, p, s);
}

static wr_expr *comp_arith(cc *c, const sql_expr *e, wr_expr *a, wr_expr *b)
{
    const wr_type *ta = a->type, *tb = b->type;
    int op = e->op;
    /* string concatenation: '+' on two strings, or || */
    int sa = ta->kind == WR_STRING || is_null_type(ta);
    int sb = tb->kind == WR_STRING || is_null_type(tb);
    if (op == SQL_OP_CONCAT || (op == SQL_OP_ADD && sa && sb && !(is_null_type(ta) && is_null_type(tb)))) {
        if (!sa || !sb)
            return fail_at(c, e, "Error processing expression: %s. Unsupported arithmetic types. %s %s",
                           etext(c, e), tname(c, ta), tname(c, tb));
        wr_expr *x = node(c, WX_CONCAT, &wr_type_string);
        x->a = a;
        x->b = b;
        gather(x);
        return x;
    }
    if ((!is_null_type(ta) && !wr_type_is_numeric(ta)) ||
        (!is_null_type(tb) && !wr_type_is_numeric(tb)))
        return fail_at(c, e, "Error processing expression: %s. Unsupported arithmetic types. %s %s",
                       etext(c, e), tname(c, ta), tname(c, tb));
    const wr_type *rt;
    int cls;
    if (is_null_type(ta) || is_null_type(tb)) {
        rt = is_null_type(ta) ? tb : ta; /* the result is NULL anyway */
        cls = rt->kind == WR_INT ? WX_C_I32 : cls_of(rt);
    } else if (ta->kind == WR_DOUBLE || tb->kind == WR_DOUBLE) {
        rt = &wr_type_double;
        cls = WX_C_F64;
    } else if (ta->kind == WR_DECIMAL || tb->kind == WR_DECIMAL) {
        rt = decimal_result(c, op, ta, tb);
        cls = WX_C_DEC;
    } else if (ta->kind == WR_BIGINT || tb->kind == WR_BIGINT) {
        rt = &wr_type_bigint;
        cls = WX_C_I64;
    } else {
        rt = &wr_type_int;
        cls = WX_C_I32;
    }
    wr_expr *x = node(c, WX_ARITH, rt);
    x->sub = (uint8_t)op;
    x->cls = (uint8_t)cls;
    x->a = a;
    x->b = b;
    if (cls == WX_C_DEC || op == SQL_OP_DIV || op == SQL_OP_MOD) {
        x->flags |= WX_F_RT_ERROR;
        x->text = etext(c, e);
    }
    gather(x);
    return x;
}

static wr_expr *comp_cmp(cc *c, const sql_expr *e, wr_expr *a, wr_expr *b)
{
    if (magic_timestamp(c, e->a, a, e->b, &b) || magic_timestamp(c, e->b, b, e->a, &a))
        return NULL;
    const wr_type *t = cmp_check(c, e, e->a, a->type, e->b, b->type, e->op, NULL);
    if (!t)
        return NULL;
    if (!(a = cmp_operand(c, a, t, e->a)) || !(b = cmp_operand(c, b, t, e->b)))
        return NULL;
    wr_expr *x = node(c, WX_CMP, &wr_type_boolean);
    x->sub = (uint8_t)e->op;
    x->cls = (uint8_t)cls_of(t);
    x->a = a;
    x->b = b;
    gather(x);
    return x;
}

static wr_expr *comp_binary(cc *c, const sql_expr *e)
{
    wr_expr *a = comp(c, e->a);
    if (!a)
        return NULL;
    wr_expr *b = comp(c, e->b);
    if (!b)
        return NULL;
    switch (e->op) {
    case SQL_OP_ADD:
    case SQL_OP_SUB:
    case SQL_OP_MUL:
    case SQL_OP_DIV:
    case SQL_OP_MOD:
    case SQL_OP_CONCAT: return comp_arith(c, e, a, b);
    case SQL_OP_EQ:
    case SQL_OP_NE:
    case SQL_OP_LT:
    case SQL_OP_LE:
    case SQL_OP_GT:
    case SQL_OP_GE: return comp_cmp(c, e, a, b);
    case SQL_OP_AND:
    case SQL_OP_OR: {
        if ((!is_null_type(a->type) && a->type->kind != WR_BOOLEAN) ||
            (!is_null_type(b->type) && b->type->kind != WR_BOOLEAN))
            return fail_at(c, e, "Error processing expression: %s. %s expects BOOLEAN operands, "
                           "not %s and %s.", etext(c, e), op_symbol(e->op), tname(c, a->type),
                           tname(c, b->type));
        wr_expr *x = node(c, e->op == SQL_OP_AND ? WX_AND : WX_OR, &wr_type_boolean);
        x->a = a;
        x->b = b;
        gather(x);
        return x;
    }
    default: return fail_at(c, e, "Unsupported operator in %s", etext(c, e));
    }
}

static wr_expr *comp_is_null(cc *c, const sql_expr *e)
{
    wr_expr *a = comp(c, e->a);
    if (!a)
        return NULL;
    wr_expr *x = node(c, WX_IS_NULL, &wr_type_boolean);
    x->a = a;
    x->flags = (e->flags & SQL_F_NOT) ? WX_F_NOT : 0;
    gather(x);
    return x;
}

static wr_expr *comp_distinct(cc *c, const sql_expr *e)
{
    wr_expr *a = comp(c, e->a), *b = a ? comp(c, e->b) : NULL;
    if (!b)
        return NULL;
    const wr_type *t;
    if (is_null_type(a->type) && is_null_type(b->type))
        t = &wr_type_null;
    else if (!(t = cmp_check(c, e, e->a, a->type, e->b, b->type, SQL_OP_EQ,
                             (e->flags & SQL_F_NOT) ? "IS_NOT_DISTINCT_FROM" : "IS_DISTINCT_FROM")))
        return NULL;
    if (!(a = cmp_operand(c, a, t, e->a)) || !(b = cmp_operand(c, b, t, e->b)))
        return NULL;
    wr_expr *x = node(c, WX_DISTINCT, &wr_type_boolean);
    x->cls = (uint8_t)cls_of(t);
    x->flags = (e->flags & SQL_F_NOT) ? WX_F_NOT : 0;
    x->a = a;
    x->b = b;
    gather(x);
    return x;
}

static wr_expr *comp_between(cc *c, const sql_expr *e)
{
    wr_expr *a = comp(c, e->a), *b = a ? comp(c, e->b) : NULL, *hi = b ? comp(c, e->c) : NULL;
    if (!hi)
        return NULL;
    if (magic_timestamp(c, e->a, a, e->b, &b) || magic_timestamp(c, e->a, a, e->c, &hi))
        return NULL;
    const wr_type *t = cmp_check(c, e, e->a, a->type, e->b, b->type, SQL_OP_GE, NULL);
    if (!t)
        return NULL;
    const wr_type *t2 = cmp_check(c, e, e->a, t, e->c, hi->type, SQL_OP_LE, NULL);
    if (!t2)
        return NULL;
    if (!(a = cmp_operand(c, a, t2, e->a)) || !(b = cmp_operand(c, b, t2, e->b)) ||
        !(hi = cmp_operand(c, hi, t2, e->c)))
        return NULL;
    wr_expr *x = node(c, WX_BETWEEN, &wr_type_boolean);
    x->cls = (uint8_t)cls_of(t2);
    x->flags = (e->flags & SQL_F_NOT) ? WX_F_NOT : 0;
    x->a = a;
    x->b = b;
    x->c = hi;
    gather(x);
    return x;
}

static wr_expr *comp_in(cc *c, const sql_expr *e)
{
    int n = e->list ? e->list->n : 0;
    /* element 0 is the value, then the list: ksqlDB coerces them as one user list */
    wr_expr **all = wr_arena_calloc(c->a, sizeof *all * (size_t)(n + 1));
    const sql_expr **src = wr_arena_calloc(c->a, sizeof *src * (size_t)(n + 1));
    src[0] = e->a;
    if (!(all[0] = comp(c, e->a)))
        return NULL;
    for (int i = 0; i < n; i++) {
        src[i + 1] = e->list->items[i];
        if (!(all[i + 1] = comp(c, src[i + 1])))
            return NULL;
    }
    const wr_type *t = unify_list(c, all, src, n + 1, cmp_common, e);
    if (!t)
        return NULL;
    for (int i = 0; i <= n; i++) {
        /* string literals become the list type; other operands convert like for = */
        wr_expr *k = is_string_literal(all[i], src[i]) && t->kind != WR_STRING
                         ? coerce(c, all[i], t, src[i])
                         : cmp_operand(c, all[i], t, src[i]);
        if (!k)
            return NULL;
        all[i] = k;
    }
    wr_expr *x = node(c, WX_IN, &wr_type_boolean);
    x->cls = (uint8_t)cls_of(t);
    x->flags = (e->flags & SQL_F_NOT) ? WX_F_NOT : 0;
    x->a = all[0];
    x->n = n;
    x->kids = all + 1;
    gather(x);
    return x;
}

static wr_expr *comp_like(cc *c, const sql_expr *e)
{
    wr_expr *a = comp(c, e->a), *b = a ? comp(c, e->b) : NULL;
    if (!b)
        return NULL;
    if ((!is_null_type(a->type) && a->type->kind != WR_STRING) ||
        (!is_null_type(b->type) && b->type->kind != WR_STRING))
        return fail_at(c, e, "Error processing expression: %s. LIKE expects STRING operands, not "
                       "%s and %s.", etext(c, e), tname(c, a->type), tname(c, b->type));
    int esc = -1;
    if (e->c) {
        wr_expr *ex = comp(c, e->c);
        if (!ex)
            return NULL;
        if (ex->op != WX_CONST || ex->k.kind != WR_STRING || ex->k.len != 1)
            return fail_at(c, e->c, "The ESCAPE of LIKE must be a single character literal.");
        esc = (unsigned char)ex->k.u.s[0];
    }
    wr_expr *x = node(c, WX_LIKE, &wr_type_boolean);
    x->idx = esc;
    x->flags = (e->flags & SQL_F_NOT) ? WX_F_NOT : 0;
    x->a = a;
    x->b = b;
    gather(x);
    return x;
}

static wr_expr *comp_case(cc *c, const sql_expr *e)
{
    int n = e->list ? e->list->n : 0;
    if (n < 2 || (n & 1))
        return fail_at(c, e, "Invalid CASE expression: %s", etext(c, e));
    wr_expr *opnd = NULL;
    const wr_type *ot = NULL;
    if (e->a) {
        if (!(opnd = comp(c, e->a)))
            return NULL;
        ot = opnd->type;
    }
    wr_expr **kids = wr_arena_calloc(c->a, sizeof *kids * (size_t)n);
    const wr_type *rt = &wr_type_null;
    for (int i = 0; i < n; i += 2) {
        const sql_expr *we = e->list->items[i], *te = e->list->items[i + 1];
        if (!(kids[i] = comp(c, we)) || !(kids[i + 1] = comp(c, te)))
            return NULL;
        if (opnd) {
            if (!is_null_type(ot) || !is_null_type(kids[i]->type))
                if (!(ot = cmp_check(c, we, e->a, ot, we, kids[i]->type, SQL_OP_EQ, NULL)))
                    return NULL;
        } else if (!is_null_type(kids[i]->type) && kids[i]->type->kind != WR_BOOLEAN) {
            return fail_at(c, we, "WHEN operand type should be boolean. Type for '%s' is %s",
                           etext(c, we), tname(c, kids[i]->type));
        }
        const wr_type *u = unify(c, rt, kids[i + 1]->type);
        if (!u)
            return fail_at(c, te, "Invalid Case expression. Type for all 'THEN' clauses should be "
                           "the same. THEN expression '%s' has type: %s. Previous THEN "
                           "expression(s) type: %s.", etext(c, te), tname(c, kids[i + 1]->type),
                           tname(c, rt));
        rt = u;
    }
    wr_expr *els = NULL;
    if (e->c) {
        if (!(els = comp(c, e->c)))
            return NULL;
        const wr_type *u = unify(c, rt, els->type);
        if (!u)
            return fail_at(c, e->c, "Invalid Case expression. Type for the default clause "
                           "should be the same as for 'THEN' clauses. Default expression '%s' "
                           "has type: %s. THEN expression(s) type: %s.", etext(c, e->c),
                           tname(c, els->type), tname(c, rt));
        rt = u;
    }
    for (int i = 0; i < n; i += 2) {
        if (!(kids[i + 1] = coerce(c, kids[i + 1], rt, e->list->items[i + 1])))
            return NULL;
        if (opnd && !(kids[i] = cmp_operand(c, kids[i], ot, e->list->items[i])))
            return NULL;
    }
    if (els && !(els = coerce(c, els, rt, e->c)))
        return NULL;
    if (opnd && !(opnd = cmp_operand(c, opnd, ot, e->a)))
        return NULL;
    wr_expr *x = node(c, opnd ? WX_CASE_SIMPLE : WX_CASE, rt);
    x->a = opnd;
    x->cls = (uint8_t)cls_of(ot);
    x->n = n;
    x->kids = kids;
    x->c = els;
    gather(x);
    return x;
}

/* Whether a value of type f can ever be CAST to t (the rest is decided per value). */
static int castable(const wr_type *f, const wr_type *t)
{
    if (is_null_type(f) || f->kind == t->kind) {
        if (is_null_type(f) || !is_complex(t))
            return 1;
        if (t->kind == WR_ARRAY)
            return castable(f->elem, t->elem);
        if (t->kind == WR_MAP)
            return castable(f->key, t->key) && castable(f->elem, t->elem);
        return 1; /* STRUCT: fields matched by name */
    }
    if (t->kind == WR_STRING)
        return f->kind != WR_BYTES;
    if (f->kind == WR_STRING)
        return !is_complex(t) && t->kind != WR_BYTES;
    if (wr_type_is_numeric(f) && wr_type_is_numeric(t))
        return 1;
    if (is_temporal(f) && is_temporal(t))
        return !(f->kind == WR_TIME || t->kind == WR_TIME) || f->kind == WR_TIMESTAMP;
    return 0;
}

static wr_expr *comp_cast(cc *c, const sql_expr *e)
{
    wr_expr *a = comp(c, e->a);
    if (!a)
        return NULL;
    const wr_type *t;
    if (!e->type || wr_type_from_sql(c->env, e->type, &t, c->err))
        return e->type ? NULL : fail_at(c, e, "CAST without a target type");
    if (is_null_type(a->type))
        return konst(c, t, wr_null());
    if (wr_type_equal(a->type, t))
        return a;
    if (!castable(a->type, t))
        return fail_at(c, e, "Cast of %s to %s is not supported", tname(c, a->type), tname(c, t));
    wr_expr *x = node(c, WX_CAST, t);
    x->flags |= WX_F_RT_ERROR;
    x->text = etext(c, e);
    x->a = a;
    gather(x);
    return x;
}

static wr_expr *comp_deref(cc *c, const sql_expr *e)
{
    wr_expr *a = comp(c, e->a);
    if (!a)
        return NULL;
    const wr_type *t = a->type;
    if (is_null_type(t))
        return konst(c, &wr_type_null, wr_null());
    if (t->kind != WR_STRUCT)
        return fail_at(c, e, "Expected STRUCT type, got: %s in %s", tname(c, t), etext(c, e));
    int i = wr_type_field_index(t, e->name);
    if (i < 0) {
        fail_at(c, e, "Could not find field '%s' in '%s'.", e->name, etext(c, e->a));
        const char **names = wr_arena_alloc(c->env->arena, sizeof *names * (size_t)(t->nfields + 1));
        for (int j = 0; j < t->nfields; j++)
            names[j] = t->fields[j].name;
        int best = wr_closest(e->name, names, t->nfields, 2 + (int)strlen(e->name) / 3);
        if (best >= 0)
            wr_error_hint(c->err, "Did you mean '%s'?", t->fields[best].name);
        return NULL;
    }
    wr_expr *x = node(c, WX_DEREF, t->fields[i].type);
    x->idx = i;
    x->a = a;
    gather(x);
    return x;
}

static wr_expr *comp_subscript(cc *c, const sql_expr *e)
{
    wr_expr *a = comp(c, e->a), *b = a ? comp(c, e->b) : NULL;
    if (!b)
        return NULL;
    const wr_type *t = a->type;
    wr_expr *x;
    if (is_null_type(t))
        return konst(c, &wr_type_null, wr_null());
    if (t->kind == WR_ARRAY) {
        if (!is_null_type(b->type) && !is_int_type(b->type))
            return fail_at(c, e->b, "Array index must be INTEGER or BIGINT, not %s: %s",
                           tname(c, b->type), etext(c, e));
        x = node(c, WX_INDEX, t->elem);
    } else if (t->kind == WR_MAP) {
        const wr_type *kt = t->key ? t->key : &wr_type_string;
        if (!is_null_type(b->type) && !cmp_common(c, kt, b->type))
            return fail_at(c, e->b, "Map key must be %s, not %s: %s", tname(c, kt),
                           tname(c, b->type), etext(c, e));
        if (!(b = coerce(c, b, kt, e->b)))
            return NULL;
        x = node(c, WX_MAP_GET, t->elem);
    } else {
        return fail_at(c, e, "Subscript expects an ARRAY or a MAP, not %s: %s", tname(c, t),
                       etext(c, e));
    }
    x->a = a;
    x->b = b;
    gather(x);
    return x;
}

static wr_expr *comp_array(cc *c, const sql_expr *e)
{
    int n = e->list ? e->list->n : 0;
    wr_expr **kids = wr_arena_calloc(c->a, sizeof *kids * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        if (!(kids[i] = comp(c, e->list->items[i])))
            return NULL;
    const wr_type *et = unify_list(c, kids, (const sql_expr *const *)e->list->items, n, unify, e);
    if (!et)
        return NULL;
    if (is_null_type(et))
        return fail_at(c, e, "Cannot construct an array with all NULL elements "
                       "(see https://github.com/confluentinc/ksql/issues/4239). As a workaround, "
                       "you may cast a NULL value to the desired type.");
    for (int i = 0; i < n; i++)
        if (!(kids[i] = coerce(c, kids[i], et, e->list->items[i])))
            return NULL;
    wr_expr *x = node(c, WX_MK_ARRAY, wr_type_array(c->a, et));
    x->n = n;
    x->kids = kids;
    gather(x);
    return x;
}

static wr_expr *comp_map(cc *c, const sql_expr *e)
{
    int n = e->list ? e->list->n : 0;
    if (n == 0 || (n & 1))
        return fail_at(c, e, "Map constructor needs key := value pairs: %s", etext(c, e));
    int np = n / 2;
    wr_expr **kids = wr_arena_calloc(c->a, sizeof *kids * (size_t)n);
    wr_expr **ks = wr_arena_calloc(c->a, sizeof *ks * (size_t)np);
    wr_expr **vs = wr_arena_calloc(c->a, sizeof *vs * (size_t)np);
    const sql_expr **kse = wr_arena_calloc(c->a, sizeof *kse * (size_t)np);
    const sql_expr **vse = wr_arena_calloc(c->a, sizeof *vse * (size_t)np);
    for (int i = 0; i < np; i++) {
        kse[i] = e->list->items[2 * i];
        vse[i] = e->list->items[2 * i + 1];
        if (!(ks[i] = comp(c, kse[i])) || !(vs[i] = comp(c, vse[i])))
            return NULL;
    }
    const wr_type *kt = unify_list(c, ks, kse, np, unify, e), *vt;
    if (!kt || !(vt = unify_list(c, vs, vse, np, unify, e)))
        return NULL;
    if (is_null_type(kt))
        return fail_at(c, e, "Cannot construct a map with all NULL keys "
                       "(see https://github.com/confluentinc/ksql/issues/4239). As a workaround, "
                       "you may cast a NULL key to the desired type.");
    if (is_null_type(vt))
        return fail_at(c, e, "Cannot construct a map with all NULL values "
                       "(see https://github.com/confluentinc/ksql/issues/4239). As a workaround, "
                       "you may cast a NULL value to the desired type.");
    for (int i = 0; i < np; i++) {
        if (!(kids[2 * i] = coerce(c, ks[i], kt, kse[i])) ||
            !(kids[2 * i + 1] = coerce(c, vs[i], vt, vse[i])))
            return NULL;
    }
    wr_expr *x = node(c, WX_MK_MAP, wr_type_map(c->a, kt, vt));
    x->n = n;
    x->kids = kids;
    gather(x);
    return x;
}

static wr_expr *comp_struct(cc *c, const sql_expr *e)
{
    int n = e->list ? e->list->n : 0;
    wr_expr **kids = wr_arena_calloc(c->a, sizeof *kids * (size_t)(n ? n : 1));
    wr_field *f = wr_arena_calloc(c->a, sizeof *f * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        const sql_expr *fe = e->list->items[i];
        if (fe->kind != SQL_E_FIELD_INIT || !fe->a)
            return fail_at(c, fe, "STRUCT fields are written NAME := value");
        for (int j = 0; j < i; j++)
            if (!strcmp(f[j].name, fe->name))
                return fail_at(c, fe, "Duplicate field names found in STRUCT: '%s'", fe->name);
        if (!(kids[i] = comp(c, fe->a)))
            return NULL;
        if (is_null_type(kids[i]->type))
            return fail_at(c, fe, "Cannot infer the type of NULL field '%s' of a STRUCT. As a "
                           "workaround, you may cast a NULL value to the desired type.", fe->name);
        f[i].name = wr_arena_strdup(c->a, fe->name);
        f[i].type = kids[i]->type;
    }
    wr_expr *x = node(c, WX_MK_STRUCT, wr_type_struct(c->a, n, f));
    x->n = n;
    x->kids = kids;
    gather(x);
    return x;
}

/* "Valid alternatives are: ..." from the registry's signatures. */
static void alternatives_hint(cc *c, const wr_scalar_def *def)
{
    if (!def->variants || !def->variants[0])
        return;
    wr_buf b;
    wr_buf_init(&b);
    wr_buf_puts(&b, "Valid alternatives are: ");
    for (int i = 0; def->variants[i]; i++) {
        if (i)
            wr_buf_puts(&b, ", ");
        wr_buf_puts(&b, def->variants[i]);
    }
    wr_error_hint(c->err, "%s", b.data);
    wr_buf_fini(&b);
}

/* Compiles lambda argument le of a call to def, whose other arguments are typed in argt. */
static wr_expr *comp_lambda(cc *c, const sql_expr *call, const wr_scalar_def *def,
                            wr_fn_resolve_ctx *rc, int argc, const wr_type **argt, int i,
                            const sql_expr *le)
{
    int np = le->list ? le->list->n : 0;
    if (!(def->flags & WR_FN_LAMBDA) || !def->lambda_params)
        return fail_at(c, le, "Function '%s' does not accept lambda arguments.", def->name);
    if (c->nvars + np > WX_MAX_PARAMS)
        return fail_at(c, le, "Too many nested lambda parameters (at most %d).", WX_MAX_PARAMS);
    const wr_type *pt[WX_MAX_PARAMS];
    rc->errmsg[0] = 0;
    if (def->lambda_params(rc, argc, argt, i, np, pt)) {
        fail_at(c, call, "%s", rc->errmsg[0] ? rc->errmsg : "Invalid lambda arguments");
        alternatives_hint(c, def);
        return NULL;
    }
    int base = c->nvars;
    for (int j = 0; j < np; j++) {
        const sql_expr *pe = le->list->items[j];
        if (pe->kind != SQL_E_COLUMN || !pe->name)
            return fail_at(c, pe, "Lambda parameters must be plain names.");
        for (int k = base; k < c->nvars; k++)
            if (!strcmp(c->vars[k].name, pe->name))
                return fail_at(c, pe, "Duplicate lambda parameter '%s'.", pe->name);
        c->vars[c->nvars].name = pe->name;
        c->vars[c->nvars].idx = c->nvars;
        c->vars[c->nvars].type = pt[j];
        c->nvars++;
    }
    wr_expr *body = comp(c, le->a);
    c->nvars = base;
    if (!body)
        return NULL;
    wr_expr *x = node(c, WX_LAMBDA, body->type);
    x->idx = base;
    x->n = np;
    x->a = body;
    x->dep = body->dep;
    x->pmin = body->pmin >= base ? INT32_MAX : body->pmin;
    return x;
}

static wr_expr *comp_call(cc *c, const sql_expr *e)
{
    const wr_scalar_def *def = wr_fn_lookup(e->name);
    if (!def) {
        fail_at(c, e, "Can't find any functions with the name '%s'", e->name);
        const char *s = wr_fn_suggest(e->name);
        if (s)
            wr_error_hint(c->err, "Did you mean %s?", s);
        return NULL;
    }
    if (e->flags & SQL_F_DISTINCT)
        return fail_at(c, e, "DISTINCT is not supported for function '%s'.", def->name);
    int top = c->depth == 1; /* comp() already counted this node */
    if ((def->flags & WR_FN_TABLE) && !top)
        return fail_at(c, e, "Table function %s can only be used at the top level of a SELECT "
                       "item, not inside another expression: %s", def->name, etext(c, e));
    int argc = e->list ? e->list->n : 0;
    wr_expr **kids = wr_arena_calloc(c->a, sizeof *kids * (size_t)(argc ? argc : 1));
    const wr_type **argt = wr_arena_calloc(c->a, sizeof *argt * (size_t)(argc ? argc : 1));
    const wr_type **coerce_to = wr_arena_calloc(c->a, sizeof *coerce_to * (size_t)(argc ? argc : 1));
    const wr_value **lit = wr_arena_calloc(c->a, sizeof *lit * (size_t)(argc ? argc : 1));
    /* plain arguments first: lambda parameter types depend on them */
    for (int i = 0; i < argc; i++) {
        const sql_expr *ae = e->list->items[i];
        if (ae->kind == SQL_E_LAMBDA) {
            argt[i] = &lambda_type;
            continue;
        }
        if (!(kids[i] = comp(c, ae)))
            return NULL;
        argt[i] = kids[i]->type;
        if (kids[i]->op == WX_CONST)
            lit[i] = &kids[i]->k;
    }
    wr_fn_resolve_ctx rc;
    memset(&rc, 0, sizeof rc);
    rc.arena = c->a;
    rc.coerce = coerce_to;
    rc.literal = lit;
    if (argc < def->min_args || (def->max_args >= 0 && argc > def->max_args)) {
        wr_fn_bad_args(&rc, def->name, argc, argt);
        fail_at(c, e, "%s", rc.errmsg);
        alternatives_hint(c, def);
        return NULL;
    }
    for (int i = 0; i < argc; i++) {
        const sql_expr *ae = e->list->items[i];
        if (ae->kind != SQL_E_LAMBDA)
            continue;
        if (i >= (int)(sizeof rc.lambda_mask * 8))
            return fail_at(c, ae, "Too many arguments for a lambda function.");
        if (!(kids[i] = comp_lambda(c, e, def, &rc, argc, argt, i, ae)))
            return NULL;
        argt[i] = kids[i]->type;
        rc.lambda_mask |= 1u << i;
    }
    rc.errmsg[0] = 0;
    const wr_type *rt = def->resolve ? def->resolve(&rc, argc, argt) : NULL;
    if (!rt) {
        if (!rc.errmsg[0])
            wr_fn_bad_args(&rc, def->name, argc, argt);
        fail_at(c, e, "%s", rc.errmsg);
        alternatives_hint(c, def);
        return NULL;
    }
    for (int i = 0; i < argc; i++) {
        if (!coerce_to[i] || (rc.lambda_mask & (1u << i)))
            continue;
        if (!(kids[i] = coerce(c, kids[i], coerce_to[i], e->list->items[i])))
            return NULL;
        argt[i] = coerce_to[i];
    }
    wr_expr *x = node(c, WX_CALL, rt);
    x->def = def;
    x->argt = argt;
    x->n = argc;
    x->kids = kids;
    x->site = wr_arena_calloc(c->a, sizeof *x->site);
    x->flags |= WX_F_RT_ERROR;
    if (def->flags & WR_FN_TABLE)
        x->flags |= WX_F_TABLE;
    x->text = etext(c, e);
    gather(x);
    if (def->flags & WR_FN_NONDETERMINISTIC)
        x->dep |= WX_DEP_NONDET;
    return x;
}

/* Compiles one AST node (after offering it to the resolver), then folds it. */
static wr_expr *comp(cc *c, const sql_expr *e)
{
    if (!e)
        return fail_at(c, NULL, "Missing expression");
    int lambda_param = 0;
    if (e->kind == SQL_E_COLUMN && !e->qual)
        for (int i = 0; i < c->nvars && !lambda_param; i++)
            lambda_param = !strcmp(c->vars[i].name, e->name);
    if (c->env->resolve && !lambda_param) {
        int slot = -1;
        const wr_type *t = NULL;
        int rc = c->env->resolve(c->env->ud, e, &slot, &t, c->err);
        if (rc < 0) {
            if (!c->err->code)
                fail_at(c, e, "Cannot resolve %s", etext(c, e));
            return NULL;
        }
        if (rc > 0) {
            wr_expr *x = node(c, WX_SLOT, t ? t : &wr_type_null);
            x->idx = slot;
            x->dep = WX_DEP_SLOT;
            return x;
        }
    }
    c->depth++;
    wr_expr *x;
    switch (e->kind) {
    case SQL_E_NULL:
    case SQL_E_BOOL:
    case SQL_E_INT:
    case SQL_E_DECIMAL:
    case SQL_E_DOUBLE:
    case SQL_E_STRING:
    case SQL_E_INTERVAL_UNIT: x = comp_literal(c, e); break;
    case SQL_E_COLUMN: x = comp_column(c, e); break;
    case SQL_E_UNARY: x = comp_unary(c, e); break;
    case SQL_E_BINARY: x = comp_binary(c, e); break;
    case SQL_E_IS_NULL: x = comp_is_null(c, e); break;
    case SQL_E_IS_DISTINCT: x = comp_distinct(c, e); break;
    case SQL_E_BETWEEN: x = comp_between(c, e); break;
    case SQL_E_IN: x = comp_in(c, e); break;
    case SQL_E_LIKE: x = comp_like(c, e); break;
    case SQL_E_CASE: x = comp_case(c, e); break;
    case SQL_E_CAST: x = comp_cast(c, e); break;
    case SQL_E_DEREF: x = comp_deref(c, e); break;
    case SQL_E_SUBSCRIPT: x = comp_subscript(c, e); break;
    case SQL_E_ARRAY: x = comp_array(c, e); break;
    case SQL_E_MAP: x = comp_map(c, e); break;
    case SQL_E_STRUCT: x = comp_struct(c, e); break;
    case SQL_E_CALL: x = comp_call(c, e); break;
    case SQL_E_LAMBDA:
        x = fail_at(c, e, "Lambda expressions are only allowed as function arguments: %s",
                    etext(c, e));
        break;
    case SQL_E_FIELD_INIT:
        x = fail_at(c, e, "Field initialisers (name := value) are only allowed inside STRUCT()");
        break;
    default: x = fail_at(c, e, "Unsupported expression kind %d", e->kind); break;
    }
    c->depth--;
    return x ? fold(c, x) : NULL;
}

/* ---------------------------------------------------------------- API */

int wr_expr_compile(wr_expr_env *env, const sql_expr *e, wr_expr **out, wr_error *err)
{
    cc c;
    memset(&c, 0, sizeof c);
    c.env = env;
    c.a = env->arena;
    c.err = err;
    *out = NULL;
    wr_expr *x = comp(&c, e);
    if (!x) {
        if (!err->code)
            wr_error_at(err, WR_ESEMANTIC, e ? e->span.off : 0, e ? e->span.len : 0,
                        "Invalid expression");
        return err->code;
    }
    *out = x;
    return 0;
}

const wr_type *wr_expr_type(const wr_expr *x) { return x->type; }

int wr_expr_constant(const wr_expr *x, wr_value *out)
{
    if (x->op != WX_CONST)
        return 0;
    if (out)
        *out = x->k;
    return 1;
}

int wr_expr_is_slot(const wr_expr *x, int *slot)
{
    if (x->op != WX_SLOT)
        return 0;
    if (slot)
        *slot = x->idx;
    return 1;
}

int wr_expr_has_table_fn(const wr_expr *x) { return (x->flags & WX_F_TABLE) != 0; }

void wr_expr_release(wr_expr *x)
{
    if (!x)
        return;
    wr_expr_release(x->a);
    wr_expr_release(x->b);
    wr_expr_release(x->c);
    for (int i = 0; i < x->n && x->kids; i++)
        wr_expr_release(x->kids[i]);
    if (x->site) {
        if (x->site->free && x->site->data)
            x->site->free(x->site->data);
        free(x->site->key);
        memset(x->site, 0, sizeof *x->site);
    }
}

int wr_expr_literal(wr_arena *a, const sql_expr *e, wr_value *out, const wr_type **type,
                    wr_error *err)
{
    wr_fn_config cfg;
    wr_fn_config_default(&cfg);
    wr_expr_env env = {.arena = a, .cfg = &cfg};
    wr_expr *x;
    int rc = wr_expr_compile(&env, e, &x, err);
    if (rc)
        return rc;
    if (x->op != WX_CONST) {
        if (x->dep & WX_DEP_SLOT || (x->flags & WX_F_TABLE)) {
            wr_expr_release(x);
            return wr_error_at(err, WR_ESEMANTIC, e->span.off, e->span.len,
                               "Expected a literal value");
        }
        /* non-deterministic but input-free (UUID(), UNIX_TIMESTAMP()): evaluate now */
        wr_eval_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.arena = a;
        ctx.cfg = &cfg;
        ctx.now_ms = wr_now_ms();
        wr_expr_eval(x, NULL, &ctx, out);
        wr_expr_release(x);
    } else {
        *out = x->k;
    }
    if (type)
        *type = x->type;
    return 0;
}
