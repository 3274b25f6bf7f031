/*
 * ast.c - AST builders called by the grammar actions, plus the AST dump and ksqlDB's
 * expression text.
 *
 * Builders allocate from the parse arena and never fail: a problem (integer overflow, unknown
 * time unit, misplaced ':=') is recorded as the parse error and a usable node is still
 * returned, so the grammar actions stay one-liners and the parser runs to its next token.
 * The driver stops at the first recorded error.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_int.h"
#include "grammar.h"

/* Expression trees deeper than this are refused: every later pass (analyzer, compiler,
 * formatter) walks them recursively. */
#define MAX_EXPR_DEPTH 1000
/* Joins in one FROM clause. */
#define MAX_JOINS 64

/* ------------------------------------------------------------------ errors */

void sql_fail(sql_pstate *ps, uint32_t off, uint32_t len, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    if (ps->failed) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    wr_error_at(ps->err, WR_ESYNTAX, off, len, "%s", msg);
    ps->failed = 1;
}

void sql_stack_overflow(sql_pstate *ps)
{
    uint32_t off = ps->has_prev ? ps->prev.off : 0;
    sql_fail(ps, off, ps->has_prev ? ps->prev.len : 0, "Statement is too deeply nested");
}

/* ------------------------------------------------------------------ small helpers */

/* Makes room for one more element of an arena array (doubling; the old block is simply
 * abandoned in the arena). */
static void *grow(sql_pstate *ps, void *v, int n, int *cap, size_t esz)
{
    if (n < *cap) return v;
    int ncap = *cap ? *cap * 2 : 4;
    void *nv = wr_arena_alloc(ps->a, (size_t)ncap * esz);
    if (n) memcpy(nv, v, (size_t)n * esz);
    *cap = ncap;
    return nv;
}

sql_span sql_tok_span(sql_tok t)
{
    sql_span s = {t.off, t.len};
    return s;
}

sql_span sql_span_join(sql_span a, sql_span b)
{
    if (a.len == 0 && a.off == 0) return b;
    if (b.len == 0 && b.off == 0) return a;
    uint32_t lo = a.off < b.off ? a.off : b.off;
    uint32_t ae = a.off + a.len, be = b.off + b.len;
    uint32_t hi = ae > be ? ae : be;
    sql_span s = {lo, hi - lo};
    return s;
}

static sql_expr *expr_new(sql_pstate *ps, int kind, sql_span span)
{
    sql_expr *e = wr_arena_calloc(ps->a, sizeof *e);
    e->kind = (uint16_t)kind;
    e->span = span;
    e->depth = 1;
    return e;
}

/* Sets e's depth from its children and refuses trees that later recursive passes could not
 * walk safely. */
static void set_depth(sql_pstate *ps, sql_expr *e)
{
    uint32_t d = 0;
    if (e->a && e->a->depth > d) d = e->a->depth;
    if (e->b && e->b->depth > d) d = e->b->depth;
    if (e->c && e->c->depth > d) d = e->c->depth;
    if (e->list)
        for (int i = 0; i < e->list->n; i++)
            if (e->list->items[i] && e->list->items[i]->depth > d) d = e->list->items[i]->depth;
    e->depth = d + 1;
    if (e->depth > MAX_EXPR_DEPTH)
        sql_fail(ps, e->span.off, e->span.len, "Expression is too deeply nested");
}

static int is_bare_column(const sql_expr *e)
{
    return e && e->kind == SQL_E_COLUMN && !e->qual && !(e->flags & SQL_F_PAREN);
}

/* ------------------------------------------------------------------ identifiers */

sql_ident sql_build_ident(sql_pstate *ps, sql_tok t)
{
    sql_ident id;
    id.span = sql_tok_span(t);
    id.quoted = t.quoted;
    if (!t.quoted) {
        id.name = wr_upper(ps->a, t.z, t.len);
        return id;
    }
    /* `a``b` -> a`b (and "a""b" -> a"b) */
    char q = t.z[0];
    char *s = wr_arena_alloc(ps->a, t.len);
    uint32_t n = 0;
    for (uint32_t i = 1; i + 1 < t.len; i++) {
        s[n++] = t.z[i];
        if (t.z[i] == q) i++;
    }
    s[n] = 0;
    id.name = s;
    if (n == 0) sql_fail(ps, t.off, t.len, "Empty quoted identifier");
    return id;
}

char *sql_unquote_string(sql_pstate *ps, sql_tok t, uint32_t *outlen)
{
    char *s = wr_arena_alloc(ps->a, t.len);
    uint32_t n = 0;
    for (uint32_t i = 1; i + 1 < t.len; i++) {
        s[n++] = t.z[i];
        if (t.z[i] == '\'') i++;
    }
    s[n] = 0;
    if (outlen) *outlen = n;
    return s;
}

sql_ident sql_build_ident_str(sql_pstate *ps, sql_tok t)
{
    sql_ident id;
    id.span = sql_tok_span(t);
    id.quoted = 1;
    id.name = sql_unquote_string(ps, t, NULL);
    return id;
}

/* ------------------------------------------------------------------ literals and columns */

/* Parses the decimal digits z[0..n) into *v; returns 0 (and leaves *v alone) when they
 * overflow 64 bits. */
static int parse_digits(const char *z, uint32_t n, uint64_t *v)
{
    uint64_t x = 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(z[i] - '0');
        if (x > (UINT64_MAX - d) / 10) return 0;
        x = x * 10 + d;
    }
    *v = x;
    return 1;
}

sql_expr *sql_build_literal(sql_pstate *ps, sql_tok t)
{
    sql_span sp = sql_tok_span(t);
    sql_expr *e;
    switch (t.code) {
    case TK_NULL:
        return expr_new(ps, SQL_E_NULL, sp);
    case TK_TRUE:
    case TK_FALSE:
        e = expr_new(ps, SQL_E_BOOL, sp);
        e->ival = t.code == TK_TRUE;
        return e;
    case TK_STRING:
        e = expr_new(ps, SQL_E_STRING, sp);
        e->text = sql_unquote_string(ps, t, &e->tlen);
        return e;
    case TK_INTEGER: {
        uint64_t v = 0;
        e = expr_new(ps, SQL_E_INT, sp);
        e->text = wr_arena_strndup(ps->a, t.z, t.len);
        e->tlen = t.len;
        if (!parse_digits(t.z, t.len, &v) || v > (uint64_t)INT64_MAX + 1) {
            sql_fail(ps, t.off, t.len, "Integer literal is out of range: %s", e->text);
        } else if (v == (uint64_t)INT64_MAX + 1) {
            /* only valid as the operand of unary minus: checked when the token after it has
             * been parsed (see parse.c) */
            ps->pending_int = e;
            e->ival = INT64_MIN;
        } else {
            e->ival = (int64_t)v;
        }
        return e;
    }
    case TK_DECIMAL:
        e = expr_new(ps, SQL_E_DECIMAL, sp);
        e->text = wr_arena_strndup(ps->a, t.z, t.len);
        e->tlen = t.len;
        return e;
    default: /* TK_FLOAT */
        e = expr_new(ps, SQL_E_DOUBLE, sp);
        e->text = wr_arena_strndup(ps->a, t.z, t.len);
        e->tlen = t.len;
        e->dval = strtod(e->text, NULL);
        if (isinf(e->dval)) sql_fail(ps, t.off, t.len, "Number overflows DOUBLE: %s", e->text);
        return e;
    }
}

sql_expr *sql_build_column(sql_pstate *ps, const sql_ident *qual, const sql_ident *name)
{
    sql_expr *e = expr_new(ps, SQL_E_COLUMN, name->span);
    if (qual) {
        e->qual = qual->name;
        e->span = sql_span_join(qual->span, name->span);
    }
    e->name = name->name;
    e->quoted = name->quoted;
    return e;
}

sql_expr *sql_build_paren(sql_pstate *ps, sql_tok lp, sql_expr *e, sql_tok rp)
{
    (void)ps;
    e->flags |= SQL_F_PAREN;
    e->span = sql_span_join(sql_tok_span(lp), sql_tok_span(rp));
    return e;
}

/* ------------------------------------------------------------------ operators */

static int tk_to_op(int code)
{
    switch (code) {
    case TK_PLUS: return SQL_OP_ADD;
    case TK_MINUS: return SQL_OP_SUB;
    case TK_STAR: return SQL_OP_MUL;
    case TK_SLASH: return SQL_OP_DIV;
    case TK_PERCENT: return SQL_OP_MOD;
    case TK_CONCAT: return SQL_OP_CONCAT;
    case TK_EQ: return SQL_OP_EQ;
    case TK_NE: return SQL_OP_NE;
    case TK_LT: return SQL_OP_LT;
    case TK_LE: return SQL_OP_LE;
    case TK_GT: return SQL_OP_GT;
    case TK_GE: return SQL_OP_GE;
    case TK_AND: return SQL_OP_AND;
    case TK_OR: return SQL_OP_OR;
    }
    return SQL_OP_NONE;
}

sql_expr *sql_build_unary(sql_pstate *ps, sql_tok op, sql_expr *e)
{
    sql_span sp = sql_span_join(sql_tok_span(op), e->span);
    /* ksqlDB's grammar reads "-5" as one number literal (number: MINUS? INTEGER_VALUE), so a
     * minus directly in front of a numeric literal is folded into it. */
    if (op.code == TK_MINUS && !(e->flags & SQL_F_PAREN) &&
        (e->kind == SQL_E_INT || e->kind == SQL_E_DECIMAL || e->kind == SQL_E_DOUBLE) &&
        e->text && e->text[0] != '-') {
        if (e == ps->pending_int) ps->pending_int = NULL;
        else if (e->kind == SQL_E_INT) e->ival = -e->ival;
        e->dval = -e->dval;
        e->text = wr_arena_sprintf(ps->a, "-%s", e->text);
        e->tlen++;
        e->span = sp;
        return e;
    }
    sql_expr *u = expr_new(ps, SQL_E_UNARY, sp);
    u->op = op.code == TK_MINUS ? SQL_OP_NEG : op.code == TK_PLUS ? SQL_OP_PLUS : SQL_OP_NOT;
    u->a = e;
    set_depth(ps, u);
    return u;
}

sql_expr *sql_build_binary(sql_pstate *ps, sql_expr *l, int tkop, sql_expr *r)
{
    sql_expr *e = expr_new(ps, SQL_E_BINARY, sql_span_join(l->span, r->span));
    e->op = (uint16_t)tk_to_op(tkop);
    e->a = l;
    e->b = r;
    set_depth(ps, e);
    return e;
}

sql_expr *sql_build_is_null(sql_pstate *ps, sql_expr *x, int not, sql_tok end)
{
    sql_expr *e = expr_new(ps, SQL_E_IS_NULL, sql_span_join(x->span, sql_tok_span(end)));
    e->flags = not ? SQL_F_NOT : 0;
    e->a = x;
    set_depth(ps, e);
    return e;
}

sql_expr *sql_build_is_distinct(sql_pstate *ps, sql_expr *l, int not, sql_expr *r)
{
    sql_expr *e = expr_new(ps, SQL_E_IS_DISTINCT, sql_span_join(l->span, r->span));
    e->flags = not ? SQL_F_NOT : 0;
    e->a = l;
    e->b = r;
    set_depth(ps, e);
    return e;
}

sql_expr *sql_build_between(sql_pstate *ps, sql_expr *x, int not, sql_expr *lo, sql_expr *hi)
{
    sql_expr *e = expr_new(ps, SQL_E_BETWEEN, sql_span_join(x->span, hi->span));
    e->flags = not ? SQL_F_NOT : 0;
    e->a = x;
    e->b = lo;
    e->c = hi;
    set_depth(ps, e);
    return e;
}

sql_expr *sql_build_in(sql_pstate *ps, sql_expr *x, int not, sql_expr_list *list, sql_tok rp)
{
    sql_expr *e = expr_new(ps, SQL_E_IN, sql_span_join(x->span, sql_tok_span(rp)));
    e->flags = not ? SQL_F_NOT : 0;
    e->a = x;
    e->list = list;
    set_depth(ps, e);
    return e;
}

sql_expr *sql_build_like(sql_pstate *ps, sql_expr *x, int not, sql_expr *pat, sql_expr *esc)
{
    sql_expr *e = expr_new(ps, SQL_E_LIKE, sql_span_join(x->span, (esc ? esc : pat)->span));
    e->flags = not ? SQL_F_NOT : 0;
    e->a = x;
    e->b = pat;
    e->c = esc;
    set_depth(ps, e);
    return e;
}

sql_expr_list *sql_build_when(sql_pstate *ps, sql_expr_list *l, sql_expr *cond, sql_expr *res)
{
    l = l ? sql_list_add(ps, l, cond) : sql_list_new(ps, cond);
    return sql_list_add(ps, l, res);
}

sql_expr *sql_build_case(sql_pstate *ps, sql_tok kw, sql_expr *base, sql_expr_list *whens,
                         sql_expr *els, sql_tok end)
{
    sql_expr *e = expr_new(ps, SQL_E_CASE, sql_span_join(sql_tok_span(kw), sql_tok_span(end)));
    e->a = base;
    e->list = whens;
    e->c = els;
    set_depth(ps, e);
    return e;
}

sql_expr *sql_build_cast(sql_pstate *ps, sql_tok kw, sql_expr *x, sql_type *t, sql_tok rp)
{
    sql_expr *e = expr_new(ps, SQL_E_CAST, sql_span_join(sql_tok_span(kw), sql_tok_span(rp)));
    e->a = x;
    e->type = t;
    set_depth(ps, e);
    return e;
}

sql_expr *sql_build_deref(sql_pstate *ps, sql_expr *x, const sql_ident *field)
{
    sql_expr *e = expr_new(ps, SQL_E_DEREF, sql_span_join(x->span, field->span));
    e->a = x;
    e->name = field->name;
    e->quoted = field->quoted;
    set_depth(ps, e);
    return e;
}

sql_expr *sql_build_subscript(sql_pstate *ps, sql_expr *x, sql_expr_list *idx, sql_tok rb)
{
    sql_span sp = sql_span_join(x->span, sql_tok_span(rb));
    /* ARRAY is not reserved, so ARRAY[1, 2] reaches the grammar as column ARRAY subscripted */
    if (is_bare_column(x) && !x->quoted && strcmp(x->name, "ARRAY") == 0) {
        sql_expr *e = expr_new(ps, SQL_E_ARRAY, sp);
        e->list = idx ? idx : wr_arena_calloc(ps->a, sizeof *e->list);
        set_depth(ps, e);
        return e;
    }
    if (!idx || idx->n != 1) {
        sql_fail(ps, sp.off, sp.len, "A subscript takes exactly one index: a[1] or m['key']");
        return x;
    }
    sql_expr *e = expr_new(ps, SQL_E_SUBSCRIPT, sp);
    e->a = x;
    e->b = idx->items[0];
    set_depth(ps, e);
    return e;
}

/* Canonical time units and their length in milliseconds. */
static const struct { const char *name; int64_t ms; } units[] = {
    {"MILLISECOND", 1}, {"MILLISECONDS", 1}, {"SECOND", 1000}, {"SECONDS", 1000},
    {"MINUTE", 60000}, {"MINUTES", 60000}, {"HOUR", 3600000}, {"HOURS", 3600000},
    {"DAY", 86400000}, {"DAYS", 86400000},
};

static int unit_find(const char *name)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (wr_strcaseeq(units[i].name, name)) return (int)i;
    return -1;
}

sql_expr *sql_build_assign(sql_pstate *ps, sql_expr *k, sql_expr *v)
{
    sql_expr *e = expr_new(ps, SQL_E_FIELD_INIT, sql_span_join(k->span, v->span));
    e->a = k;
    e->b = v;
    set_depth(ps, e);
    return e;
}

/* MAP(k := v, ...) and STRUCT(name := v, ...) arrive as calls with k := v arguments. */
static sql_expr *build_constructor(sql_pstate *ps, sql_expr *e, int is_map)
{
    sql_expr_list *in = e->list;
    sql_expr_list *out = wr_arena_calloc(ps->a, sizeof *out);
    e->kind = is_map ? SQL_E_MAP : SQL_E_STRUCT;
    e->list = out;
    if (e->flags & (SQL_F_STAR | SQL_F_DISTINCT))
        sql_fail(ps, e->span.off, e->span.len, "%s(...) takes %s := value pairs", e->name,
                 is_map ? "key" : "name");
    for (int i = 0; in && i < in->n; i++) {
        sql_expr *arg = in->items[i];
        if (arg->kind != SQL_E_FIELD_INIT || !arg->a) {
            sql_fail(ps, arg->span.off, arg->span.len, "%s(...) takes %s := value pairs",
                     is_map ? "MAP" : "STRUCT", is_map ? "key" : "name");
            continue;
        }
        if (is_map) {
            sql_list_add(ps, out, arg->a);
            sql_list_add(ps, out, arg->b);
            continue;
        }
        if (!is_bare_column(arg->a)) {
            sql_fail(ps, arg->a->span.off, arg->a->span.len, "A STRUCT field name must be an identifier");
            continue;
        }
        arg->name = arg->a->name;
        arg->quoted = arg->a->quoted;
        arg->a = arg->b;
        arg->b = NULL;
        sql_list_add(ps, out, arg);
    }
    e->name = NULL;
    return e;
}

sql_expr *sql_build_call(sql_pstate *ps, const sql_ident *name, sql_expr_list *args,
                         unsigned flags, sql_tok rp)
{
    sql_expr *e = expr_new(ps, SQL_E_CALL, sql_span_join(name->span, sql_tok_span(rp)));
    e->name = name->name;
    e->quoted = name->quoted;
    e->flags = flags;
    e->list = args ? args : wr_arena_calloc(ps->a, sizeof *e->list);
    if (!name->quoted && (strcmp(name->name, "MAP") == 0 || strcmp(name->name, "STRUCT") == 0)) {
        build_constructor(ps, e, name->name[0] == 'M');
        set_depth(ps, e);
        return e;
    }
    for (int i = 0; i < e->list->n; i++) {
        sql_expr *arg = e->list->items[i];
        if (arg->kind == SQL_E_FIELD_INIT) {
            sql_fail(ps, arg->span.off, arg->span.len,
                     "':=' is only allowed inside MAP(...) and STRUCT(...)");
            continue;
        }
        int u;
        if (is_bare_column(arg) && !arg->quoted && (u = unit_find(arg->name)) >= 0) {
            /* TIMESTAMPADD(MINUTES, 5, ts): the unit is a word, not a column */
            arg->kind = SQL_E_INTERVAL_UNIT;
            arg->name = units[u | 1].name; /* plural form */
            arg->ival = units[u].ms;
        }
    }
    set_depth(ps, e);
    return e;
}

sql_expr *sql_build_lambda(sql_pstate *ps, sql_span start, sql_expr_list *params, sql_expr *body)
{
    sql_expr *e = expr_new(ps, SQL_E_LAMBDA, sql_span_join(start, body->span));
    for (int i = 0; i < params->n; i++) {
        sql_expr *p = params->items[i];
        if (!(p->kind == SQL_E_COLUMN && !p->qual)) {
            sql_fail(ps, p->span.off, p->span.len, "A lambda parameter must be a plain name");
        }
        p->flags &= ~SQL_F_PAREN;
    }
    e->list = params;
    e->a = body;
    set_depth(ps, e);
    return e;
}

sql_expr_list *sql_list_new(sql_pstate *ps, sql_expr *first)
{
    sql_expr_list *l = wr_arena_calloc(ps->a, sizeof *l);
    return sql_list_add(ps, l, first);
}

sql_expr_list *sql_list_add(sql_pstate *ps, sql_expr_list *l, sql_expr *e)
{
    l->items = grow(ps, l->items, l->n, &l->cap, sizeof *l->items);
    l->items[l->n++] = e;
    return l;
}

/* ------------------------------------------------------------------ types */

static sql_type *type_new(sql_pstate *ps, int kind, sql_span span)
{
    sql_type *t = wr_arena_calloc(ps->a, sizeof *t);
    t->kind = kind;
    t->span = span;
    return t;
}

sql_type *sql_build_type(sql_pstate *ps, const sql_ident *name)
{
    static const struct { const char *name; int kind; } names[] = {
        {"BOOLEAN", WR_BOOLEAN}, {"INT", WR_INT}, {"INTEGER", WR_INT}, {"BIGINT", WR_BIGINT},
        {"DOUBLE", WR_DOUBLE}, {"STRING", WR_STRING}, {"VARCHAR", WR_STRING},
        {"BYTES", WR_BYTES}, {"TIMESTAMP", WR_TIMESTAMP}, {"DATE", WR_DATE}, {"TIME", WR_TIME},
    };
    if (!name->quoted) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strcmp(names[i].name, name->name) == 0) return type_new(ps, names[i].kind, name->span);
        if (strcmp(name->name, "DECIMAL") == 0)
            sql_fail(ps, name->span.off, name->span.len, "DECIMAL needs a precision and a scale: DECIMAL(p, s)");
    }
    sql_type *t = type_new(ps, SQL_T_CUSTOM, name->span);
    t->custom = *name;
    return t;
}

sql_type *sql_build_type_decimal(sql_pstate *ps, const sql_ident *name, sql_tok p, sql_tok s,
                                 sql_tok rp)
{
    sql_type *t = type_new(ps, WR_DECIMAL, sql_span_join(name->span, sql_tok_span(rp)));
    uint64_t pv = 0, sv = 0;
    if (name->quoted || strcmp(name->name, "DECIMAL") != 0) {
        sql_fail(ps, name->span.off, name->span.len, "Only DECIMAL takes parameters, not %s", name->name);
        return t;
    }
    if (!parse_digits(p.z, p.len, &pv) || pv < 1 || pv > 38) {
        sql_fail(ps, p.off, p.len, "DECIMAL precision must be between 1 and 38");
        return t;
    }
    if (!parse_digits(s.z, s.len, &sv) || sv > pv) {
        sql_fail(ps, s.off, s.len, "DECIMAL scale must be between 0 and the precision (%d)", (int)pv);
        return t;
    }
    t->precision = (int)pv;
    t->scale = (int)sv;
    return t;
}

sql_type *sql_build_type_array(sql_pstate *ps, sql_tok kw, sql_type *elem, sql_tok gt)
{
    sql_type *t = type_new(ps, WR_ARRAY, sql_span_join(sql_tok_span(kw), sql_tok_span(gt)));
    t->elem = elem;
    return t;
}

sql_type *sql_build_type_map(sql_pstate *ps, sql_tok kw, sql_type *k, sql_type *v, sql_tok gt)
{
    sql_type *t = type_new(ps, WR_MAP, sql_span_join(sql_tok_span(kw), sql_tok_span(gt)));
    t->key = k;
    t->elem = v;
    return t;
}

sql_type *sql_build_type_struct(sql_pstate *ps, sql_tok kw, sql_fields *f, sql_tok gt)
{
    sql_type *t = type_new(ps, WR_STRUCT, sql_span_join(sql_tok_span(kw), sql_tok_span(gt)));
    if (f) {
        t->nfields = f->n;
        t->fields = f->v;
    }
    return t;
}

sql_fields *sql_fields_add(sql_pstate *ps, sql_fields *f, const sql_ident *name, sql_type *t)
{
    if (!f) f = wr_arena_calloc(ps->a, sizeof *f);
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->v[i].name.name, name->name) == 0)
            sql_fail(ps, name->span.off, name->span.len, "Duplicate field name %s", name->name);
    f->v = grow(ps, f->v, f->n, &f->cap, sizeof *f->v);
    f->v[f->n].name = *name;
    f->v[f->n].type = t;
    f->n++;
    return f;
}

/* ------------------------------------------------------------------ numbers with units */

sql_dur sql_build_dur(sql_pstate *ps, sql_tok num, const sql_ident *unit)
{
    sql_dur d;
    uint64_t v = 0;
    d.span = sql_span_join(sql_tok_span(num), unit->span);
    d.ms = 0;
    int u = unit_find(unit->name);
    if (u < 0) {
        if (ps->failed) return d;
        sql_fail(ps, unit->span.off, unit->span.len,
                 "Unknown time unit '%s': use MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS",
                 unit->name);
        const char *names[sizeof units / sizeof units[0]];
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) names[i] = units[i].name;
        int best = wr_closest(unit->name, names, (int)(sizeof units / sizeof units[0]), 2);
        if (best >= 0) wr_error_hint(ps->err, "Did you mean %s?", units[best].name);
        return d;
    }
    if (!parse_digits(num.z, num.len, &v) || v > (uint64_t)(INT64_MAX / units[u].ms)) {
        sql_fail(ps, d.span.off, d.span.len, "Duration is out of range");
        return d;
    }
    d.ms = (int64_t)v * units[u].ms;
    return d;
}

int64_t sql_build_count(sql_pstate *ps, sql_tok num)
{
    uint64_t v = 0;
    if (!parse_digits(num.z, num.len, &v) || v > (uint64_t)INT64_MAX) {
        sql_fail(ps, num.off, num.len, "Number is out of range: %.*s", (int)num.len, num.z);
        return 0;
    }
    return (int64_t)v;
}

/* ------------------------------------------------------------------ queries */

sql_select_item sql_build_item(sql_pstate *ps, sql_expr *e, const sql_ident *alias,
                               const sql_ident *star_qual, const sql_tok *star)
{
    sql_select_item it;
    (void)ps;
    memset(&it, 0, sizeof it);
    it.expr = e;
    if (alias) it.alias = *alias;
    if (star) {
        it.star = 1;
        it.span = sql_tok_span(*star);
        if (star_qual) {
            it.star_qual = *star_qual;
            it.span = sql_span_join(star_qual->span, it.span);
        }
    } else {
        it.span = e->span;
        if (alias) it.span = sql_span_join(it.span, alias->span);
    }
    return it;
}

sql_items *sql_items_add(sql_pstate *ps, sql_items *l, const sql_select_item *it)
{
    if (!l) l = wr_arena_calloc(ps->a, sizeof *l);
    l->v = grow(ps, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = *it;
    return l;
}

sql_from *sql_build_source(sql_pstate *ps, const sql_ident *name, const sql_ident *alias)
{
    sql_from *f = wr_arena_calloc(ps->a, sizeof *f);
    f->name = *name;
    f->span = name->span;
    if (alias) {
        f->alias = *alias;
        f->span = sql_span_join(f->span, alias->span);
    }
    return f;
}

sql_from *sql_build_join(sql_pstate *ps, sql_from *l, int kind, sql_from *r, sql_dur *within,
                         int nwithin, sql_dur *grace, sql_expr *on)
{
    sql_from *f = wr_arena_calloc(ps->a, sizeof *f);
    int njoins = 1;
    for (sql_from *x = l; x->is_join; x = x->left) njoins++;
    f->is_join = 1;
    f->join_kind = kind;
    f->left = l;
    f->right = r;
    f->on = on;
    f->span = sql_span_join(l->span, on->span);
    if (nwithin > 0) {
        f->has_within = 1;
        f->within_before_ms = within[0].ms;
        f->within_after_ms = within[nwithin > 1 ? 1 : 0].ms;
    }
    if (grace) {
        f->has_grace = 1;
        f->grace_ms = grace->ms;
    }
    if (njoins > MAX_JOINS) sql_fail(ps, r->span.off, r->span.len, "Too many joins (at most %d)", MAX_JOINS);
    return f;
}

static const char *wparam_name(int which)
{
    switch (which) {
    case SQL_WP_SIZE: return "SIZE";
    case SQL_WP_ADVANCE: return "ADVANCE BY";
    case SQL_WP_RETENTION: return "RETENTION";
    case SQL_WP_GRACE: return "GRACE PERIOD";
    default: return "a session gap";
    }
}

sql_wparams *sql_wparams_add(sql_pstate *ps, sql_wparams *w, int which, sql_tok kw, sql_dur d)
{
    if (!w) w = wr_arena_calloc(ps->a, sizeof *w);
    if (w->seen & (unsigned)which)
        sql_fail(ps, kw.off, kw.len, "Duplicate window parameter %s", wparam_name(which));
    w->seen |= (unsigned)which;
    switch (which) {
    case SQL_WP_SIZE: case SQL_WP_GAP: w->w.size_ms = d.ms; break;
    case SQL_WP_ADVANCE: w->w.advance_ms = d.ms; break;
    case SQL_WP_RETENTION: w->w.has_retention = 1; w->w.retention_ms = d.ms; break;
    case SQL_WP_GRACE: w->w.has_grace = 1; w->w.grace_ms = d.ms; break;
    }
    return w;
}

sql_window *sql_build_window(sql_pstate *ps, sql_tok kw, sql_tok kind, sql_wparams *w, sql_tok rp)
{
    sql_window *win = wr_arena_alloc(ps->a, sizeof *win);
    unsigned need, allow;
    *win = w->w;
    win->span = sql_span_join(sql_tok_span(kw), sql_tok_span(rp));
    switch (kind.code) {
    case TK_TUMBLING: win->kind = SQL_WIN_TUMBLING; need = SQL_WP_SIZE; break;
    case TK_HOPPING: win->kind = SQL_WIN_HOPPING; need = SQL_WP_SIZE | SQL_WP_ADVANCE; break;
    case TK_SESSION: win->kind = SQL_WIN_SESSION; need = SQL_WP_GAP; break;
    default: win->kind = SQL_WIN_SLIDING; need = SQL_WP_SIZE; break;
    }
    allow = need | SQL_WP_RETENTION | SQL_WP_GRACE;
    for (unsigned bit = 1; bit <= SQL_WP_GAP; bit <<= 1)
        if ((need & bit) && !(w->seen & bit))
            sql_fail(ps, win->span.off, win->span.len, "%s window needs %s", sql_token_name(kind.code),
                     wparam_name((int)bit));
    for (unsigned bit = 1; bit <= SQL_WP_GAP; bit <<= 1)
        if ((w->seen & bit) && !(allow & bit))
            sql_fail(ps, win->span.off, win->span.len, "%s window does not take %s",
                     sql_token_name(kind.code), wparam_name((int)bit));
    return win;
}

sql_select *sql_build_select(sql_pstate *ps, sql_tok kw, sql_items *items, sql_from *from,
                             sql_window *win, sql_expr *where, sql_expr_list *group,
                             sql_expr_list *part, sql_expr *having, int emit, int64_t limit)
{
    sql_select *s = wr_arena_calloc(ps->a, sizeof *s);
    s->nitems = items->n;
    s->items = items->v;
    s->from = from;
    s->window = win;
    s->where = where;
    s->group_by = group;
    s->partition_by = part;
    s->having = having;
    s->emit = emit;
    s->limit = limit;
    s->span = sql_span_join(sql_tok_span(kw), from->span); /* the driver extends it */
    return s;
}

/* ------------------------------------------------------------------ DDL pieces */

sql_column_def sql_build_coldef(sql_pstate *ps, const sql_ident *name, sql_type *t,
                                const sql_tok *cons)
{
    sql_column_def c;
    (void)ps;
    memset(&c, 0, sizeof c);
    c.name = *name;
    c.type = t;
    c.span = sql_span_join(name->span, t->span);
    if (cons && cons->code) {
        c.flags = (unsigned)cons->code;
        if (cons->code == SQL_COL_HEADER) c.header_key = cons->z;
        c.span = sql_span_join(c.span, sql_tok_span(*cons));
    }
    return c;
}

sql_cols *sql_cols_add(sql_pstate *ps, sql_cols *l, const sql_column_def *c)
{
    if (!l) l = wr_arena_calloc(ps->a, sizeof *l);
    l->v = grow(ps, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = *c;
    return l;
}

sql_props *sql_props_add(sql_pstate *ps, sql_props *l, const sql_ident *name, sql_expr *v)
{
    if (!l) l = wr_arena_calloc(ps->a, sizeof *l);
    l->v = grow(ps, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n].name = *name;
    l->v[l->n].value = v;
    l->v[l->n].span = sql_span_join(name->span, v->span);
    l->n++;
    return l;
}

sql_idents *sql_idents_add(sql_pstate *ps, sql_idents *l, const sql_ident *id)
{
    if (!l) l = wr_arena_calloc(ps->a, sizeof *l);
    l->v = grow(ps, l->v, l->n, &l->cap, sizeof *l->v);
    l->v[l->n++] = *id;
    return l;
}

/* ------------------------------------------------------------------ statements */

sql_stmt *sql_stmt_new(sql_pstate *ps, int kind, sql_tok start)
{
    sql_stmt *s = wr_arena_calloc(ps->a, sizeof *s);
    s->kind = kind;
    s->span = sql_tok_span(start);
    s->limit = -1;
    s->interval = -1;
    s->timeout_ms = -1;
    s->schema_id = -1;
    return s;
}

void sql_stmt_set_cols(sql_stmt *s, sql_cols *c)
{
    if (!c) return;
    s->ncols = c->n;
    s->cols = c->v;
}

void sql_stmt_set_props(sql_stmt *s, sql_props *p)
{
    if (!p) return;
    s->nprops = p->n;
    s->props = p->v;
}

sql_stmt *sql_build_select_stmt(sql_pstate *ps, sql_select *sel)
{
    sql_tok t;
    memset(&t, 0, sizeof t);
    t.off = sel->span.off;
    t.len = 6;
    sql_stmt *s = sql_stmt_new(ps, SQL_S_SELECT, t);
    s->select = sel;
    return s;
}

sql_stmt *sql_build_create_source(sql_pstate *ps, sql_stmt *head, sql_cols *cols, sql_props *with)
{
    (void)ps;
    sql_stmt_set_cols(head, cols);
    sql_stmt_set_props(head, with);
    return head;
}

sql_stmt *sql_build_create_as(sql_pstate *ps, sql_stmt *head, sql_props *with, sql_select *sel)
{
    head->kind = SQL_S_CREATE_AS;
    sql_stmt_set_props(head, with);
    head->select = sel;
    if (head->flags & SQL_S_SOURCE)
        sql_fail(ps, head->span.off, head->span.len,
                 "CREATE SOURCE %s cannot be used with AS SELECT",
                 head->obj == SQL_OBJ_TABLE ? "TABLE" : "STREAM");
    return head;
}

sql_stmt *sql_build_explain(sql_pstate *ps, sql_tok kw, sql_stmt *inner, const sql_ident *id,
                            int dot, sql_tok fmt)
{
    sql_stmt *s = sql_stmt_new(ps, SQL_S_EXPLAIN, kw);
    s->inner = inner;
    if (id) s->name = *id;
    if (dot) {
        s->flags |= SQL_S_FORMAT_DOT;
        ps->explain_end = fmt.off;
    }
    if (inner && inner->select) s->select = inner->select;
    return s;
}

/* ------------------------------------------------------------------ ksqlDB expression text */

/* ksqlDB prints a name bare when it would read back the same unquoted: upper-case letters,
 * digits, '_' and '@', not starting with a digit, and not a reserved word. */
static int needs_quotes(const char *name)
{
    if (!name[0] || (name[0] >= '0' && name[0] <= '9') || name[0] == '@') return 1;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '@')) return 1;
    return sql_is_reserved(name, strlen(name));
}

static void put_ident(wr_buf *out, const char *name)
{
    if (!name) {
        wr_buf_puts(out, "?");
        return;
    }
    if (!needs_quotes(name)) {
        wr_buf_puts(out, name);
        return;
    }
    wr_buf_putc(out, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`') wr_buf_putc(out, '`');
        wr_buf_putc(out, *p);
    }
    wr_buf_putc(out, '`');
}

static void put_string(wr_buf *out, const char *s, uint32_t n)
{
    wr_buf_putc(out, '\'');
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] == '\'') wr_buf_putc(out, '\'');
        wr_buf_putc(out, s[i]);
    }
    wr_buf_putc(out, '\'');
}

static const char *op_text(int op)
{
    static const char *const t[] = {
        [SQL_OP_ADD] = "+", [SQL_OP_SUB] = "-", [SQL_OP_MUL] = "*", [SQL_OP_DIV] = "/",
        [SQL_OP_MOD] = "%", [SQL_OP_CONCAT] = "||", [SQL_OP_EQ] = "=", [SQL_OP_NE] = "<>",
        [SQL_OP_LT] = "<", [SQL_OP_LE] = "<=", [SQL_OP_GT] = ">", [SQL_OP_GE] = ">=",
        [SQL_OP_AND] = "AND", [SQL_OP_OR] = "OR", [SQL_OP_NEG] = "-", [SQL_OP_PLUS] = "+",
        [SQL_OP_NOT] = "NOT",
    };
    return op > 0 && op < (int)(sizeof t / sizeof t[0]) && t[op] ? t[op] : "?";
}

/* The type as ksqlDB's SqlType.toString() prints it. */
static void type_format(const sql_type *t, wr_buf *out)
{
    if (!t) {
        wr_buf_puts(out, "?");
        return;
    }
    switch (t->kind) {
    case WR_BOOLEAN: wr_buf_puts(out, "BOOLEAN"); break;
    case WR_INT: wr_buf_puts(out, "INTEGER"); break;
    case WR_BIGINT: wr_buf_puts(out, "BIGINT"); break;
    case WR_DOUBLE: wr_buf_puts(out, "DOUBLE"); break;
    case WR_STRING: wr_buf_puts(out, "STRING"); break;
    case WR_BYTES: wr_buf_puts(out, "BYTES"); break;
    case WR_TIMESTAMP: wr_buf_puts(out, "TIMESTAMP"); break;
    case WR_DATE: wr_buf_puts(out, "DATE"); break;
    case WR_TIME: wr_buf_puts(out, "TIME"); break;
    case WR_DECIMAL: wr_buf_printf(out, "DECIMAL(%d, %d)", t->precision, t->scale); break;
    case WR_ARRAY:
        wr_buf_puts(out, "ARRAY<");
        type_format(t->elem, out);
        wr_buf_putc(out, '>');
        break;
    case WR_MAP:
        wr_buf_puts(out, "MAP<");
        type_format(t->key, out);
        wr_buf_puts(out, ", ");
        type_format(t->elem, out);
        wr_buf_putc(out, '>');
        break;
    case WR_STRUCT:
        wr_buf_puts(out, "STRUCT<");
        for (int i = 0; i < t->nfields; i++) {
            if (i) wr_buf_puts(out, ", ");
            wr_buf_putc(out, '`');
            for (const char *p = t->fields[i].name.name; *p; p++) {
                if (*p == '`') wr_buf_putc(out, '`');
                wr_buf_putc(out, *p);
            }
            wr_buf_puts(out, "` ");
            type_format(t->fields[i].type, out);
        }
        wr_buf_putc(out, '>');
        break;
    case SQL_T_CUSTOM: put_ident(out, t->custom.name); break;
    default: wr_buf_puts(out, "?"); break;
    }
}

static void format_list(const sql_expr_list *l, int from, wr_buf *out)
{
    for (int i = from; l && i < l->n; i++) {
        if (i > from) wr_buf_puts(out, ", ");
        sql_expr_format(l->items[i], out);
    }
}

void sql_expr_format(const sql_expr *e, wr_buf *out)
{
    if (!e) {
        wr_buf_puts(out, "null");
        return;
    }
    switch (e->kind) {
    case SQL_E_NULL: wr_buf_puts(out, "null"); break;
    case SQL_E_BOOL: wr_buf_puts(out, e->ival ? "true" : "false"); break;
    case SQL_E_INT:
        wr_buf_printf(out, "%lld", (long long)e->ival);
        break;
    case SQL_E_DECIMAL: {
        /* BigDecimal text: ".5" reads back as 0.5, "1." as 1 */
        const char *t = e->text ? e->text : "0";
        int neg = t[0] == '-';
        if (neg) { wr_buf_putc(out, '-'); t++; }
        if (t[0] == '.') wr_buf_putc(out, '0');
        size_t n = strlen(t);
        if (n && t[n - 1] == '.') n--;
        wr_buf_append(out, t, n);
        break;
    }
    case SQL_E_DOUBLE: {
        char buf[32];
        int n = wr_double_format(e->dval, buf);
        wr_buf_append(out, buf, (size_t)n);
        break;
    }
    case SQL_E_STRING: put_string(out, e->text ? e->text : "", e->tlen); break;
    case SQL_E_COLUMN:
        if (e->qual) {
            put_ident(out, e->qual);
            wr_buf_putc(out, '.');
        }
        put_ident(out, e->name);
        break;
    case SQL_E_UNARY:
        if (e->op == SQL_OP_NOT) {
            wr_buf_puts(out, "(NOT ");
            sql_expr_format(e->a, out);
            wr_buf_putc(out, ')');
        } else {
            /* "- -5" must not print as "--5", which would read back as a comment */
            size_t at = out->len;
            wr_buf_puts(out, op_text(e->op));
            sql_expr_format(e->a, out);
            if (e->op == SQL_OP_NEG && out->len > at + 1 && out->data[at + 1] == '-') {
                wr_buf_putc(out, ' ');
                memmove(out->data + at + 2, out->data + at + 1, out->len - at - 2);
                out->data[at + 1] = ' ';
            }
        }
        break;
    case SQL_E_BINARY:
        wr_buf_putc(out, '(');
        sql_expr_format(e->a, out);
        wr_buf_printf(out, " %s ", op_text(e->op));
        sql_expr_format(e->b, out);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_IS_NULL:
        wr_buf_putc(out, '(');
        sql_expr_format(e->a, out);
        wr_buf_puts(out, e->flags & SQL_F_NOT ? " IS NOT NULL)" : " IS NULL)");
        break;
    case SQL_E_IS_DISTINCT:
        wr_buf_putc(out, '(');
        sql_expr_format(e->a, out);
        wr_buf_puts(out, e->flags & SQL_F_NOT ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        sql_expr_format(e->b, out);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_BETWEEN:
        /* ksqlDB keeps "a NOT BETWEEN ..." as NOT(BETWEEN), and prints it so (IN, LIKE too) */
        if (e->flags & SQL_F_NOT) wr_buf_puts(out, "(NOT ");
        wr_buf_putc(out, '(');
        sql_expr_format(e->a, out);
        wr_buf_puts(out, " BETWEEN ");
        sql_expr_format(e->b, out);
        wr_buf_puts(out, " AND ");
        sql_expr_format(e->c, out);
        wr_buf_puts(out, e->flags & SQL_F_NOT ? "))" : ")");
        break;
    case SQL_E_IN:
        if (e->flags & SQL_F_NOT) wr_buf_puts(out, "(NOT ");
        wr_buf_putc(out, '(');
        sql_expr_format(e->a, out);
        wr_buf_puts(out, " IN (");
        format_list(e->list, 0, out);
        wr_buf_puts(out, e->flags & SQL_F_NOT ? ")))" : "))");
        break;
    case SQL_E_LIKE:
        if (e->flags & SQL_F_NOT) wr_buf_puts(out, "(NOT ");
        wr_buf_putc(out, '(');
        sql_expr_format(e->a, out);
        wr_buf_puts(out, " LIKE ");
        sql_expr_format(e->b, out);
        if (e->c) {
            wr_buf_puts(out, " ESCAPE ");
            sql_expr_format(e->c, out);
        }
        wr_buf_puts(out, e->flags & SQL_F_NOT ? "))" : ")");
        break;
    case SQL_E_CASE:
        wr_buf_puts(out, "(CASE");
        if (e->a) {
            wr_buf_putc(out, ' ');
            sql_expr_format(e->a, out);
        }
        for (int i = 0; e->list && i + 1 < e->list->n; i += 2) {
            wr_buf_puts(out, " WHEN ");
            sql_expr_format(e->list->items[i], out);
            wr_buf_puts(out, " THEN ");
            sql_expr_format(e->list->items[i + 1], out);
        }
        if (e->c) {
            wr_buf_puts(out, " ELSE ");
            sql_expr_format(e->c, out);
        }
        wr_buf_puts(out, " END)");
        break;
    case SQL_E_CAST:
        wr_buf_puts(out, "CAST(");
        sql_expr_format(e->a, out);
        wr_buf_puts(out, " AS ");
        type_format(e->type, out);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_DEREF:
        sql_expr_format(e->a, out);
        wr_buf_puts(out, "->");
        put_ident(out, e->name);
        break;
    case SQL_E_SUBSCRIPT:
        sql_expr_format(e->a, out);
        wr_buf_putc(out, '[');
        sql_expr_format(e->b, out);
        wr_buf_putc(out, ']');
        break;
    case SQL_E_ARRAY:
        wr_buf_puts(out, "ARRAY[");
        format_list(e->list, 0, out);
        wr_buf_putc(out, ']');
        break;
    case SQL_E_MAP:
        wr_buf_puts(out, "MAP(");
        for (int i = 0; e->list && i + 1 < e->list->n; i += 2) {
            if (i) wr_buf_puts(out, ", ");
            sql_expr_format(e->list->items[i], out);
            wr_buf_puts(out, ":=");
            sql_expr_format(e->list->items[i + 1], out);
        }
        wr_buf_putc(out, ')');
        break;
    case SQL_E_STRUCT:
        wr_buf_puts(out, "STRUCT(");
        format_list(e->list, 0, out);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_FIELD_INIT:
        put_ident(out, e->name);
        wr_buf_puts(out, ":=");
        sql_expr_format(e->a, out);
        break;
    case SQL_E_CALL:
        put_ident(out, e->name);
        wr_buf_putc(out, '(');
        if (e->flags & SQL_F_STAR) wr_buf_putc(out, '*');
        if (e->flags & SQL_F_DISTINCT) wr_buf_puts(out, "DISTINCT ");
        format_list(e->list, 0, out);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_LAMBDA:
        wr_buf_putc(out, '(');
        format_list(e->list, 0, out);
        wr_buf_puts(out, ") => ");
        sql_expr_format(e->a, out);
        break;
    case SQL_E_INTERVAL_UNIT: wr_buf_puts(out, e->name ? e->name : "?"); break;
    default: wr_buf_puts(out, "?"); break;
    }
}

/* ------------------------------------------------------------------ AST dump */

static void dump_ident(wr_buf *out, const char *name, int quoted)
{
    if (!name) {
        wr_buf_puts(out, "_");
        return;
    }
    if (!quoted) {
        wr_buf_puts(out, name);
        return;
    }
    wr_buf_putc(out, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`') wr_buf_putc(out, '`');
        wr_buf_putc(out, *p);
    }
    wr_buf_putc(out, '`');
}

static const char *op_dump_name(int op)
{
    switch (op) {
    case SQL_OP_AND: return "and";
    case SQL_OP_OR: return "or";
    case SQL_OP_NEG: return "neg";
    case SQL_OP_PLUS: return "pos";
    case SQL_OP_NOT: return "not";
    default: return op_text(op);
    }
}

static void dump_expr(const sql_expr *e, wr_buf *out);

static void dump_list(const sql_expr_list *l, wr_buf *out)
{
    for (int i = 0; l && i < l->n; i++) {
        wr_buf_putc(out, ' ');
        dump_expr(l->items[i], out);
    }
}

static void dump_type(const sql_type *t, wr_buf *out)
{
    type_format(t, out);
}

/* "(head a b c list...)": the shape most expression nodes dump as; absent parts are left out. */
static void dump_node(wr_buf *out, const char *head, const sql_expr *a, const sql_expr *b,
                      const sql_expr *c, const sql_expr_list *list)
{
    const sql_expr *kids[3] = {a, b, c};
    wr_buf_printf(out, "(%s", head);
    for (int i = 0; i < 3; i++)
        if (kids[i]) {
            wr_buf_putc(out, ' ');
            dump_expr(kids[i], out);
        }
    dump_list(list, out);
    wr_buf_putc(out, ')');
}

static void dump_expr(const sql_expr *e, wr_buf *out)
{
    const char *neg = e && (e->flags & SQL_F_NOT) ? "not_" : "";
    if (!e) {
        wr_buf_puts(out, "_");
        return;
    }
    switch (e->kind) {
    case SQL_E_NULL: wr_buf_puts(out, "null"); break;
    case SQL_E_BOOL: wr_buf_puts(out, e->ival ? "true" : "false"); break;
    case SQL_E_INT: wr_buf_printf(out, "(int %s)", e->text); break;
    case SQL_E_DECIMAL: wr_buf_printf(out, "(dec %s)", e->text); break;
    case SQL_E_DOUBLE: wr_buf_printf(out, "(double %s)", e->text); break;
    case SQL_E_STRING:
        wr_buf_puts(out, "(str ");
        put_string(out, e->text, e->tlen);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_COLUMN:
        wr_buf_puts(out, "(col ");
        if (e->qual) {
            wr_buf_puts(out, e->qual);
            wr_buf_putc(out, '.');
        }
        dump_ident(out, e->name, e->quoted);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_UNARY: dump_node(out, op_dump_name(e->op), e->a, NULL, NULL, NULL); break;
    case SQL_E_BINARY: dump_node(out, op_dump_name(e->op), e->a, e->b, NULL, NULL); break;
    case SQL_E_IS_NULL: dump_node(out, *neg ? "is_not_null" : "is_null", e->a, NULL, NULL, NULL); break;
    case SQL_E_IS_DISTINCT:
        dump_node(out, *neg ? "is_not_distinct" : "is_distinct", e->a, e->b, NULL, NULL);
        break;
    case SQL_E_BETWEEN: dump_node(out, *neg ? "not_between" : "between", e->a, e->b, e->c, NULL); break;
    case SQL_E_IN: dump_node(out, *neg ? "not_in" : "in", e->a, NULL, NULL, e->list); break;
    case SQL_E_LIKE:
        wr_buf_printf(out, "(%slike ", neg);
        dump_expr(e->a, out);
        wr_buf_putc(out, ' ');
        dump_expr(e->b, out);
        if (e->c) {
            wr_buf_puts(out, " (escape ");
            dump_expr(e->c, out);
            wr_buf_putc(out, ')');
        }
        wr_buf_putc(out, ')');
        break;
    case SQL_E_CASE:
        wr_buf_puts(out, "(case");
        if (e->a) {
            wr_buf_putc(out, ' ');
            dump_expr(e->a, out);
        }
        for (int i = 0; e->list && i + 1 < e->list->n; i += 2) {
            wr_buf_puts(out, " (when ");
            dump_expr(e->list->items[i], out);
            wr_buf_putc(out, ' ');
            dump_expr(e->list->items[i + 1], out);
            wr_buf_putc(out, ')');
        }
        if (e->c) {
            wr_buf_puts(out, " (else ");
            dump_expr(e->c, out);
            wr_buf_putc(out, ')');
        }
        wr_buf_putc(out, ')');
        break;
    case SQL_E_CAST:
        wr_buf_puts(out, "(cast ");
        dump_expr(e->a, out);
        wr_buf_putc(out, ' ');
        dump_type(e->type, out);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_DEREF:
        wr_buf_puts(out, "(deref ");
        dump_expr(e->a, out);
        wr_buf_putc(out, ' ');
        dump_ident(out, e->name, e->quoted);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_SUBSCRIPT: dump_node(out, "subscript", e->a, e->b, NULL, NULL); break;
    case SQL_E_ARRAY: dump_node(out, "array", NULL, NULL, NULL, e->list); break;
    case SQL_E_MAP: dump_node(out, "map", NULL, NULL, NULL, e->list); break;
    case SQL_E_STRUCT: dump_node(out, "struct", NULL, NULL, NULL, e->list); break;
    case SQL_E_FIELD_INIT:
        wr_buf_putc(out, '(');
        dump_ident(out, e->name, e->quoted);
        wr_buf_putc(out, ' ');
        dump_expr(e->a, out);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_CALL:
        wr_buf_puts(out, "(call ");
        dump_ident(out, e->name, e->quoted);
        if (e->flags & SQL_F_STAR) wr_buf_puts(out, " *");
        if (e->flags & SQL_F_DISTINCT) wr_buf_puts(out, " distinct");
        dump_list(e->list, out);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_LAMBDA:
        wr_buf_puts(out, "(lambda (");
        for (int i = 0; e->list && i < e->list->n; i++) {
            if (i) wr_buf_putc(out, ' ');
            dump_ident(out, e->list->items[i]->name, e->list->items[i]->quoted);
        }
        wr_buf_puts(out, ") ");
        dump_expr(e->a, out);
        wr_buf_putc(out, ')');
        break;
    case SQL_E_INTERVAL_UNIT: wr_buf_printf(out, "(unit %s)", e->name); break;
    default: wr_buf_puts(out, "(?)"); break;
    }
}

static void dump_from(const sql_from *f, wr_buf *out)
{
    static const char *const kinds[] = {"?", "inner", "left", "right", "full"};
    if (!f->is_join) {
        if (!f->alias.name) {
            dump_ident(out, f->name.name, f->name.quoted);
            return;
        }
        wr_buf_putc(out, '(');
        dump_ident(out, f->name.name, f->name.quoted);
        wr_buf_putc(out, ' ');
        dump_ident(out, f->alias.name, f->alias.quoted);
        wr_buf_putc(out, ')');
        return;
    }
    wr_buf_printf(out, "(join %s ", kinds[f->join_kind >= 1 && f->join_kind <= 4 ? f->join_kind : 0]);
    dump_from(f->left, out);
    wr_buf_putc(out, ' ');
    dump_from(f->right, out);
    if (f->has_within)
        wr_buf_printf(out, " (within %lld %lld)", (long long)f->within_before_ms,
                      (long long)f->within_after_ms);
    if (f->has_grace) wr_buf_printf(out, " (grace %lld)", (long long)f->grace_ms);
    wr_buf_puts(out, " (on ");
    dump_expr(f->on, out);
    wr_buf_puts(out, "))");
}

static void dump_exprs(const char *tag, const sql_expr_list *l, wr_buf *out)
{
    if (!l) return;
    wr_buf_printf(out, " (%s", tag);
    dump_list(l, out);
    wr_buf_putc(out, ')');
}

static void dump_select(const sql_select *s, wr_buf *out)
{
    static const char *const wins[] = {"?", "tumbling", "hopping", "session", "sliding"};
    wr_buf_puts(out, "(select (items");
    for (int i = 0; i < s->nitems; i++) {
        const sql_select_item *it = &s->items[i];
        wr_buf_putc(out, ' ');
        if (it->star) {
            if (it->star_qual.name) {
                dump_ident(out, it->star_qual.name, it->star_qual.quoted);
                wr_buf_putc(out, '.');
            }
            wr_buf_putc(out, '*');
        } else if (it->alias.name) {
            wr_buf_puts(out, "(as ");
            dump_expr(it->expr, out);
            wr_buf_putc(out, ' ');
            dump_ident(out, it->alias.name, it->alias.quoted);
            wr_buf_putc(out, ')');
        } else {
            dump_expr(it->expr, out);
        }
    }
    wr_buf_puts(out, ") (from ");
    dump_from(s->from, out);
    wr_buf_putc(out, ')');
    if (s->window) {
        const sql_window *w = s->window;
        int k = w->kind >= 1 && w->kind <= 4 ? w->kind : 0;
        wr_buf_printf(out, " (window %s %lld", wins[k], (long long)w->size_ms);
        if (w->kind == SQL_WIN_HOPPING) wr_buf_printf(out, " (advance %lld)", (long long)w->advance_ms);
        if (w->has_retention) wr_buf_printf(out, " (retention %lld)", (long long)w->retention_ms);
        if (w->has_grace) wr_buf_printf(out, " (grace %lld)", (long long)w->grace_ms);
        wr_buf_putc(out, ')');
    }
    if (s->where) {
        wr_buf_puts(out, " (where ");
        dump_expr(s->where, out);
        wr_buf_putc(out, ')');
    }
    dump_exprs("group_by", s->group_by, out);
    dump_exprs("partition_by", s->partition_by, out);
    if (s->having) {
        wr_buf_puts(out, " (having ");
        dump_expr(s->having, out);
        wr_buf_putc(out, ')');
    }
    if (s->emit) wr_buf_puts(out, s->emit == SQL_EMIT_FINAL ? " (emit final)" : " (emit changes)");
    if (s->limit >= 0) wr_buf_printf(out, " (limit %lld)", (long long)s->limit);
    wr_buf_putc(out, ')');
}

static const char *stmt_kind_name(int kind)
{
    static const char *const names[] = {
        "?", "create_source", "create_as", "insert_select", "insert_values", "select", "drop",
        "show", "describe", "describe_function", "describe_connector", "explain", "terminate",
        "pause", "resume", "set", "unset", "define", "undefine", "run_script", "print",
        "create_type", "create_connector", "alter", "assert",
    };
    return kind > 0 && kind < (int)(sizeof names / sizeof names[0]) ? names[kind] : "?";
}

static const char *obj_name(int obj)
{
    static const char *const names[] = {
        "", "stream", "table", "type", "connector", "streams", "tables", "queries", "topics",
        "all_topics", "properties", "functions", "types", "variables", "connectors",
        "source_connectors", "sink_connectors", "topic", "schema",
    };
    return obj > 0 && obj < (int)(sizeof names / sizeof names[0]) ? names[obj] : "";
}

static void dump_cols(const char *tag, int n, const sql_column_def *cols, wr_buf *out)
{
    if (!n) return;
    wr_buf_printf(out, " (%s", tag);
    for (int i = 0; i < n; i++) {
        const sql_column_def *c = &cols[i];
        wr_buf_puts(out, " (");
        dump_ident(out, c->name.name, c->name.quoted);
        wr_buf_putc(out, ' ');
        dump_type(c->type, out);
        if (c->flags & SQL_COL_KEY) wr_buf_puts(out, " key");
        if (c->flags & SQL_COL_PRIMARY_KEY) wr_buf_puts(out, " primary_key");
        if (c->flags & SQL_COL_HEADERS) wr_buf_puts(out, " headers");
        if (c->flags & SQL_COL_HEADER) {
            wr_buf_puts(out, " (header ");
            put_string(out, c->header_key, (uint32_t)strlen(c->header_key));
            wr_buf_putc(out, ')');
        }
        wr_buf_putc(out, ')');
    }
    wr_buf_putc(out, ')');
}

void sql_stmt_dump(const sql_stmt *s, wr_buf *out)
{
    static const struct { unsigned flag; const char *name; } flags[] = {
        {SQL_S_OR_REPLACE, "or_replace"}, {SQL_S_IF_NOT_EXISTS, "if_not_exists"},
        {SQL_S_IF_EXISTS, "if_exists"}, {SQL_S_SOURCE, "source"}, {SQL_S_SINK, "sink"},
        {SQL_S_DELETE_TOPIC, "delete_topic"}, {SQL_S_EXTENDED, "extended"},
        {SQL_S_FROM_BEGINNING, "from_beginning"}, {SQL_S_ALL, "all"},
        {SQL_S_FORMAT_DOT, "format_dot"}, {SQL_S_NOT_EXISTS, "not_exists"},
    };
    if (!s) {
        wr_buf_puts(out, "_");
        return;
    }
    if (s->kind == SQL_S_SELECT && s->select) {
        dump_select(s->select, out);
        return;
    }
    wr_buf_printf(out, "(%s", stmt_kind_name(s->kind));
    if (s->obj) wr_buf_printf(out, " %s", obj_name(s->obj));
    if (s->name.name) {
        wr_buf_putc(out, ' ');
        dump_ident(out, s->name.name, s->name.quoted);
    }
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (s->flags & flags[i].flag) wr_buf_printf(out, " %s", flags[i].name);
    dump_cols(s->kind == SQL_S_ALTER ? "add" : "cols", s->ncols, s->cols, out);
    if (s->ninsert_cols) {
        wr_buf_puts(out, " (cols");
        for (int i = 0; i < s->ninsert_cols; i++) {
            wr_buf_putc(out, ' ');
            dump_ident(out, s->insert_cols[i].name, s->insert_cols[i].quoted);
        }
        wr_buf_putc(out, ')');
    }
    if (s->values) dump_exprs("values", s->values, out);
    if (s->type) {
        wr_buf_puts(out, " (type ");
        dump_type(s->type, out);
        wr_buf_putc(out, ')');
    }
    if (s->str) {
        wr_buf_puts(out, " (str ");
        put_string(out, s->str, (uint32_t)strlen(s->str));
        wr_buf_putc(out, ')');
    }
    if (s->str2) {
        wr_buf_puts(out, " (str2 ");
        put_string(out, s->str2, (uint32_t)strlen(s->str2));
        wr_buf_putc(out, ')');
    }
    if (s->interval >= 0) wr_buf_printf(out, " (interval %lld)", (long long)s->interval);
    if (s->limit >= 0) wr_buf_printf(out, " (limit %lld)", (long long)s->limit);
    if (s->timeout_ms >= 0) wr_buf_printf(out, " (timeout %lld)", (long long)s->timeout_ms);
    if (s->schema_id >= 0) wr_buf_printf(out, " (id %lld)", (long long)s->schema_id);
    if (s->nprops) {
        wr_buf_puts(out, " (with");
        for (int i = 0; i < s->nprops; i++) {
            wr_buf_puts(out, " (");
            dump_ident(out, s->props[i].name.name, s->props[i].name.quoted);
            wr_buf_putc(out, ' ');
            dump_expr(s->props[i].value, out);
            wr_buf_putc(out, ')');
        }
        wr_buf_putc(out, ')');
    }
    if (s->inner) {
        wr_buf_putc(out, ' ');
        sql_stmt_dump(s->inner, out);
    } else if (s->select) {
        wr_buf_putc(out, ' ');
        dump_select(s->select, out);
    }
    wr_buf_putc(out, ')');
}
