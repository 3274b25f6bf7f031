/*
 * expr_eval.c - the expression evaluator: walks a compiled wr_expr tree over slot values.
 *
 * The compiler (expr.c) has fixed every type decision, so evaluation is a switch on the
 * opcode and, for arithmetic and comparisons, on the operand class.  Numbers are read by
 * class (an INT operand of a DECIMAL addition is read as a scale-0 decimal), so mixed
 * numeric operands need no conversion node.  Results live in ctx->arena; nothing else is
 * allocated.  A run-time failure (bad cast, integer division by zero, function error) is
 * reported once through ctx->on_error and makes the whole expression NULL, like an exception
 * thrown out of ksqlDB's generated code.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "expr_int.h"

/* ---------------------------------------------------------------- errors */

static void fail(wx_state *st, const wr_expr *x, const char *msg)
{
    if (st->failed)
        return;
    st->failed = 1;
    wr_eval_ctx *ctx = st->ctx;
    if (!ctx->on_error)
        return;
    wr_error e;
    wr_error_clear(&e);
    wr_error_set(&e, WR_EDATA, "Error computing expression %s: %s",
                 x->text ? x->text : "?", msg && *msg ? msg : "evaluation failed");
    ctx->on_error(ctx->ud, &e);
}

/* ---------------------------------------------------------------- numbers */

#define E18 ((wr_int128)1000000000000000000LL)
/* Powers of ten up to 10^38 (the DECIMAL range). */
static const wr_int128 P10[39] = {
    (wr_int128)1LL, (wr_int128)10LL, (wr_int128)100LL,
    (wr_int128)1000LL, (wr_int128)10000LL, (wr_int128)100000LL,
    (wr_int128)1000000LL, (wr_int128)10000000LL, (wr_int128)100000000LL,
    (wr_int128)1000000000LL, (wr_int128)10000000000LL, (wr_int128)100000000000LL,
    (wr_int128)1000000000000LL, (wr_int128)10000000000000LL, (wr_int128)100000000000000LL,
    (wr_int128)1000000000000000LL, (wr_int128)10000000000000000LL, (wr_int128)100000000000000000LL,
    (wr_int128)1000000000000000000LL, E18 * 10LL, E18 * 100LL,
    E18 * 1000LL, E18 * 10000LL, E18 * 100000LL,
    E18 * 1000000LL, E18 * 10000000LL, E18 * 100000000LL,
    E18 * 1000000000LL, E18 * 10000000000LL, E18 * 100000000000LL,
    E18 * 1000000000000LL, E18 * 10000000000000LL, E18 * 100000000000000LL,
    E18 * 1000000000000000LL, E18 * 10000000000000000LL, E18 * 100000000000000000LL,
    E18 * 1000000000000000000LL, E18 * E18 * 10LL, E18 * E18 * 100LL,
};
#undef E18

static wr_int128 p10(int k) { return P10[k]; }

static void as_dec(const wr_value *v, wr_int128 *u, int *s)
{
    if (v->kind == WR_DECIMAL) {
        *u = *v->u.dec;
        *s = (int)v->len;
    } else if (v->kind == WR_DOUBLE) { /* not produced by the compiler; be safe */
        *u = (wr_int128)v->u.d;
        *s = 0;
    } else {
        *u = v->u.i;
        *s = 0;
    }
}

static double as_f64(const wr_value *v)
{
    switch (v->kind) {
    case WR_DOUBLE: return v->u.d;
    case WR_DECIMAL: return wr_decimal_to_double(*v->u.dec, (int)v->len);
    default: return (double)v->u.i;
    }
}

/* Whether u has at most p digits. */
static int fits(wr_int128 u, int p) { return p >= 38 || (u < P10[p] && u > -P10[p]); }

/* u at scale `from` -> scale `to`, HALF_UP when reducing; -1 on int128 overflow. */
static int dec_rescale(wr_int128 u, int from, int to, wr_int128 *out)
{
    if (to >= from) {
        if (to == from) {
            *out = u;
            return 0;
        }
        if (to - from > 38 || __builtin_mul_overflow(u, p10(to - from), out))
            return -1;
        return 0;
    }
    int k = from - to;
    if (k > 38) {
        *out = 0;
        return 0;
    }
    wr_int128 d = p10(k), q = u / d, r = u % d;
    if (r < 0)
        r = -r;
    if (r * 2 >= d)
        q += u < 0 ? -1 : 1;
    *out = q;
    return 0;
}

/* a / b at scale s (a at scale sa, b at scale sb), HALF_UP, by long division so that no
 * intermediate needs more than 38 digits; -1 on overflow. */
static int dec_divide(wr_int128 a, int sa, wr_int128 b, int sb, int s, wr_int128 *out)
{
    int neg = (a < 0) != (b < 0);
    if (a < 0)
        a = -a;
    if (b < 0)
        b = -b;
    /* result = a * 10^(s + sb - sa) / b */
    int e = s + sb - sa;
    if (e < 0) {
        if (dec_rescale(a, sa, s + sb, &a))
            return -1;
        e = 0;
    }
    wr_int128 q = a / b, r = a % b;
    for (int i = 0; i < e; i++) {
        if (__builtin_mul_overflow(q, (wr_int128)10, &q))
            return -1;
        r *= 10; /* r < b <= 10^38, fits */
        q += r / b;
        r %= b;
    }
    if (r * 2 >= b)
        q += 1;
    *out = neg ? -q : q;
    return 0;
}

static void arith_dec(wx_state *st, const wr_expr *x, const wr_value *va, const wr_value *vb,
                      wr_value *out)
{
    wr_int128 a, b, r;
    int sa, sb, s = x->type->scale, p = x->type->precision;
    as_dec(va, &a, &sa);
    as_dec(vb, &b, &sb);
    switch (x->sub) {
    case SQL_OP_ADD:
    case SQL_OP_SUB: {
        int m = sa > sb ? sa : sb;
        if (dec_rescale(a, sa, m, &a) || dec_rescale(b, sb, m, &b))
            goto overflow;
        if (x->sub == SQL_OP_ADD ? __builtin_add_overflow(a, b, &r) : __builtin_sub_overflow(a, b, &r))
            goto overflow;
        if (dec_rescale(r, m, s, &r))
            goto overflow;
        break;
    }
    case SQL_OP_MUL:
        if (__builtin_mul_overflow(a, b, &r) || dec_rescale(r, sa + sb, s, &r))
            goto overflow;
        break;
    case SQL_OP_DIV:
        if (b == 0) {
            fail(st, x, "Division by zero");
            *out = wr_null();
            return;
        }
        if (dec_divide(a, sa, b, sb, s, &r))
            goto overflow;
        break;
    default: { /* MOD: BigDecimal.remainder, sign of the dividend */
        int m = sa > sb ? sa : sb;
        if (b == 0) {
            fail(st, x, "Division by zero");
            *out = wr_null();
            return;
        }
        if (dec_rescale(a, sa, m, &a) || dec_rescale(b, sb, m, &b))
            goto overflow;
        r = a % b;
        if (dec_rescale(r, m, s, &r))
            goto overflow;
        break;
    }
    }
    if (!fits(r, p))
        goto overflow;
    *out = wr_decimal(st->ctx->arena, r, s);
    return;
overflow: {
        char msg[96];
        snprintf(msg, sizeof msg, "Numeric field overflow: result exceeds DECIMAL(%d, %d)", p, s);
        fail(st, x, msg);
        *out = wr_null();
    }
}

static void arith(wx_state *st, const wr_expr *x, const wr_value *a, const wr_value *b,
                  wr_value *out)
{
    switch (x->cls) {
    case WX_C_I32: {
        uint32_t ua = (uint32_t)a->u.i, ub = (uint32_t)b->u.i;
        int32_t ia = (int32_t)a->u.i, ib = (int32_t)b->u.i;
        switch (x->sub) {
        case SQL_OP_ADD: *out = wr_int((int32_t)(ua + ub)); return;
        case SQL_OP_SUB: *out = wr_int((int32_t)(ua - ub)); return;
        case SQL_OP_MUL: *out = wr_int((int32_t)(ua * ub)); return;
        case SQL_OP_DIV:
            if (ib == 0)
                break;
            *out = wr_int(ib == -1 ? (int32_t)(0u - ua) : ia / ib);
            return;
        default:
            if (ib == 0)
                break;
            *out = wr_int(ib == -1 ? 0 : ia % ib);
            return;
        }
        fail(st, x, "/ by zero");
        *out = wr_null();
        return;
    }
    case WX_C_I64: {
        uint64_t ua = (uint64_t)a->u.i, ub = (uint64_t)b->u.i;
        int64_t ia = a->u.i, ib = b->u.i;
        switch (x->sub) {
        case SQL_OP_ADD: *out = wr_bigint((int64_t)(ua + ub)); return;
        case SQL_OP_SUB: *out = wr_bigint((int64_t)(ua - ub)); return;
        case SQL_OP_MUL: *out = wr_bigint((int64_t)(ua * ub)); return;
        case SQL_OP_DIV:
            if (ib == 0)
                break;
            *out = wr_bigint(ib == -1 ? (int64_t)(0u - ua) : ia / ib);
            return;
        default:
            if (ib == 0)
                break;
            *out = wr_bigint(ib == -1 ? 0 : ia % ib);
            return;
        }
        fail(st, x, "/ by zero");
        *out = wr_null();
        return;
    }
    case WX_C_F64: {
        double da = as_f64(a), db = as_f64(b);
        switch (x->sub) {
        case SQL_OP_ADD: *out = wr_double(da + db); return;
        case SQL_OP_SUB: *out = wr_double(da - db); return;
        case SQL_OP_MUL: *out = wr_double(da * db); return;
        case SQL_OP_DIV: *out = wr_double(da / db); return;
        default: *out = wr_double(fmod(da, db)); return;
        }
    }
    default: arith_dec(st, x, a, b, out); return;
    }
}

/* ---------------------------------------------------------------- comparisons */

static int sign128(wr_int128 a, wr_int128 b) { return a < b ? -1 : a > b; }

/* Three-way comparison of two non-NULL values of class cls (DEEP: 0 equal, 1 not). */
static int compare(int cls, const wr_value *a, const wr_value *b)
{
    switch (cls) {
    case WX_C_I32:
    case WX_C_I64:
        if (a->kind == WR_DOUBLE || b->kind == WR_DOUBLE || a->kind == WR_DECIMAL ||
            b->kind == WR_DECIMAL) /* defensive: slots typed loosely */
            return wr_value_compare(a, b);
        return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
    case WX_C_F64: {
        double x = as_f64(a), y = as_f64(b);
        return x < y ? -1 : x > y ? 1 : x == y ? 0 : isnan(x) ? (isnan(y) ? 0 : 1) : -1;
    }
    case WX_C_DEC: {
        wr_int128 x, y;
        int sx, sy;
        as_dec(a, &x, &sx);
        as_dec(b, &y, &sy);
        if (sx == sy)
            return sign128(x, y);
        wr_int128 xs = x, ys = y;
        if ((sx < sy ? dec_rescale(x, sx, sy, &xs) : dec_rescale(y, sy, sx, &ys)) == 0)
            return sign128(xs, ys);
        double dx = wr_decimal_to_double(x, sx), dy = wr_decimal_to_double(y, sy);
        return dx < dy ? -1 : dx > dy;
    }
    case WX_C_STR: {
        size_t n = a->len < b->len ? a->len : b->len;
        int r = n ? memcmp(a->u.s, b->u.s, n) : 0;
        if (r)
            return r < 0 ? -1 : 1;
        return a->len < b->len ? -1 : a->len > b->len;
    }
    case WX_C_BOOL: return (a->u.b != 0) - (b->u.b != 0);
    default: return wr_value_equal(a, b) ? 0 : 1;
    }
}

static int cmp_result(int op, int c)
{
    switch (op) {
    case SQL_OP_EQ: return c == 0;
    case SQL_OP_NE: return c != 0;
    case SQL_OP_LT: return c < 0;
    case SQL_OP_LE: return c <= 0;
    case SQL_OP_GT: return c > 0;
    default: return c >= 0;
    }
}

/* Java primitive double comparison: every comparison with NaN is false except <>. */
static int cmp_f64(int op, double x, double y)
{
    switch (op) {
    case SQL_OP_EQ: return x == y;
    case SQL_OP_NE: return x != y;
    case SQL_OP_LT: return x < y;
    case SQL_OP_LE: return x <= y;
    case SQL_OP_GT: return x > y;
    default: return x >= y;
    }
}

static int cmp_values(int cls, int op, const wr_value *a, const wr_value *b)
{
    if (cls == WX_C_F64)
        return cmp_f64(op, as_f64(a), as_f64(b));
    return cmp_result(op, compare(cls, a, b));
}

/* ---------------------------------------------------------------- LIKE */

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Whole-string match of s against a LIKE pattern: % any run, _ one character, esc makes the
 * next pattern character literal.  Iterative with one backtrack point (the last %), so the
 * cost is O(|s| * |p|) at worst and no recursion. */
static int like_match(const unsigned char *s, size_t n, const unsigned char *p, size_t m, int esc)
{
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
    while (si < n) {
        if (pi < m) {
            int c = p[pi];
            if (c == esc && pi + 1 < m) {
                if (s[si] == p[pi + 1]) {
                    si++;
                    pi += 2;
                    continue;
                }
            } else if (c == '%') {
                star_p = ++pi;
                star_s = si;
                continue;
            } else if (c == '_') {
                size_t l = utf8_len(s[si]);
                si += l > n - si ? n - si : l;
                pi++;
                continue;
            } else if (s[si] == c) {
                si++;
                pi++;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return 0;
        size_t l = utf8_len(s[star_s]);
        star_s += l > n - star_s ? n - star_s : l;
        si = star_s;
        pi = star_p;
    }
    while (pi < m && p[pi] == '%' && p[pi] != esc)
        pi++;
    return pi == m;
}

/* ---------------------------------------------------------------- calls and lambdas */

typedef struct call_frame {
    wx_state *st;
    const wr_expr *call;
} call_frame;

static int call_lambda(wr_fn_ctx *fc, int arg, int argc, const wr_value *argv, wr_value *out)
{
    call_frame *cf = fc->eval;
    const wr_expr *call = cf->call;
    if (arg < 0 || arg >= call->n || call->kids[arg]->op != WX_LAMBDA) {
        wr_error_set(fc->err, WR_EINTERNAL, "argument %d of %s is not a lambda", arg,
                     call->def->name);
        return WR_EINTERNAL;
    }
    const wr_expr *lam = call->kids[arg];
    if (argc != lam->n) {
        wr_error_set(fc->err, WR_EINTERNAL, "lambda of %s called with %d values for %d parameters",
                     call->def->name, argc, lam->n);
        return WR_EINTERNAL;
    }
    for (int i = 0; i < argc; i++)
        cf->st->frame[lam->idx + i] = argv[i];
    wx_eval(lam->a, cf->st, out);
    if (cf->st->failed) {
        wr_error_set(fc->err, WR_EDATA, "lambda failed");
        return WR_EDATA;
    }
    return 0;
}

static void eval_call(const wr_expr *x, wx_state *st, wr_value *out)
{
    wr_value stack[WX_MAX_STACK_ARGS];
    wr_value *argv = x->n <= WX_MAX_STACK_ARGS ? stack
                                               : wr_arena_alloc(st->ctx->arena, sizeof *argv * (size_t)x->n);
    int anynull = 0;
    for (int i = 0; i < x->n; i++) {
        const wr_expr *k = x->kids[i];
        if (k->op == WX_LAMBDA) {
            argv[i] = wr_null();
            argv[i].kind = WR_LAMBDA;
            argv[i].u.i = i;
            continue;
        }
        wx_eval(k, st, &argv[i]);
        anynull |= argv[i].kind == WR_NULL;
    }
    *out = wr_null();
    if (st->failed || (anynull && (x->def->flags & WR_FN_NULL_IN_NULL_OUT)))
        return;
    wr_eval_ctx *ctx = st->ctx;
    call_frame cf = {st, x};
    wr_fn_ctx fc = {
        .arena = ctx->arena,
        .err = &ctx->err,
        .cfg = ctx->cfg,
        .argt = x->argt,
        .rtype = x->type,
        .site = x->site,
        .now_ms = ctx->now_ms,
        .call_lambda = call_lambda,
        .eval = &cf,
    };
    ctx->err.code = 0;
    ctx->err.msg[0] = 0;
    if (x->def->fn(&fc, x->n, argv, out)) {
        fail(st, x, ctx->err.msg);
        *out = wr_null();
    }
}

/* ---------------------------------------------------------------- the evaluator */

static int truth(const wr_value *v) { return v->kind == WR_BOOLEAN && v->u.b; }

void wx_eval(const wr_expr *x, wx_state *st, wr_value *out)
{
    wr_value a, b, c;
    switch (x->op) {
    case WX_CONST: *out = x->k; return;
    case WX_SLOT: *out = st->slots[x->idx]; return;
    case WX_PARAM: *out = st->frame[x->idx]; return;

    case WX_CONV:
        wx_eval(x->a, st, &a);
        if (a.kind == WR_NULL) {
            *out = a;
            return;
        }
        switch (x->type->kind) {
        case WR_BIGINT: *out = wr_bigint(a.u.i); return;
        case WR_DOUBLE: *out = wr_double(as_f64(&a)); return;
        case WR_TIMESTAMP: *out = wr_i64(WR_TIMESTAMP, a.u.i * 86400000); return;
        case WR_DECIMAL: {
            wr_int128 u;
            int s;
            as_dec(&a, &u, &s);
            if (dec_rescale(u, s, x->type->scale, &u) || !fits(u, x->type->precision)) {
                fail(st, x, "Numeric field overflow");
                *out = wr_null();
                return;
            }
            *out = wr_decimal(st->ctx->arena, u, x->type->scale);
            return;
        }
        default: *out = a; return;
        }

    case WX_CAST:
        wx_eval(x->a, st, &a);
        if (a.kind == WR_NULL) {
            *out = a;
            return;
        }
        if (wr_value_cast(st->ctx->arena, &a, x->a->type, x->type, out, &st->ctx->err)) {
            fail(st, x, st->ctx->err.msg);
            *out = wr_null();
        }
        return;

    case WX_NEG:
        wx_eval(x->a, st, &a);
        if (a.kind == WR_NULL) {
            *out = a;
            return;
        }
        switch (x->cls) {
        case WX_C_I32: *out = wr_int((int32_t)(0u - (uint32_t)a.u.i)); return;
        case WX_C_I64: *out = wr_bigint((int64_t)(0u - (uint64_t)a.u.i)); return;
        case WX_C_F64: *out = wr_double(-a.u.d); return;
        default: {
            wr_int128 u;
            int s;
            as_dec(&a, &u, &s);
            *out = wr_decimal(st->ctx->arena, -u, s);
            return;
        }
        }

    case WX_ARITH:
        wx_eval(x->a, st, &a);
        wx_eval(x->b, st, &b);
        if (a.kind == WR_NULL || b.kind == WR_NULL) {
            *out = wr_null();
            return;
        }
        arith(st, x, &a, &b, out);
        return;

    case WX_CONCAT: {
        wx_eval(x->a, st, &a);
        wx_eval(x->b, st, &b);
        if (a.kind == WR_NULL || b.kind == WR_NULL) {
            *out = wr_null();
            return;
        }
        size_t n = (size_t)a.len + b.len;
        char *p = wr_arena_alloc(st->ctx->arena, n + 1);
        if (a.len)
            memcpy(p, a.u.s, a.len);
        if (b.len)
            memcpy(p + a.len, b.u.s, b.len);
        p[n] = 0;
        *out = wr_str(p, n);
        return;
    }

    case WX_CMP:
        wx_eval(x->a, st, &a);
        wx_eval(x->b, st, &b);
        *out = wr_bool(a.kind != WR_NULL && b.kind != WR_NULL && cmp_values(x->cls, x->sub, &a, &b));
        return;

    case WX_AND:
        wx_eval(x->a, st, &a);
        if (a.kind == WR_BOOLEAN && !a.u.b) {
            *out = a;
            return;
        }
        wx_eval(x->b, st, &b);
        if (b.kind == WR_BOOLEAN && !b.u.b)
            *out = b;
        else if (a.kind == WR_NULL || b.kind == WR_NULL)
            *out = wr_null();
        else
            *out = wr_bool(1);
        return;

    case WX_OR:
        wx_eval(x->a, st, &a);
        if (a.kind == WR_BOOLEAN && a.u.b) {
            *out = a;
            return;
        }
        wx_eval(x->b, st, &b);
        if (b.kind == WR_BOOLEAN && b.u.b)
            *out = b;
        else if (a.kind == WR_NULL || b.kind == WR_NULL)
            *out = wr_null();
        else
            *out = wr_bool(0);
        return;

    case WX_NOT:
        wx_eval(x->a, st, &a);
        *out = a.kind == WR_NULL ? a : wr_bool(!a.u.b);
        return;

    case WX_IS_NULL:
        wx_eval(x->a, st, &a);
        *out = wr_bool((a.kind == WR_NULL) != ((x->flags & WX_F_NOT) != 0));
        return;

    case WX_DISTINCT: {
        wx_eval(x->a, st, &a);
        wx_eval(x->b, st, &b);
        int distinct;
        if (a.kind == WR_NULL || b.kind == WR_NULL)
            distinct = a.kind != b.kind;
        else
            distinct = !cmp_values(x->cls, SQL_OP_EQ, &a, &b);
        *out = wr_bool(distinct != ((x->flags & WX_F_NOT) != 0));
        return;
    }

    case WX_BETWEEN: {
        wx_eval(x->a, st, &a);
        wx_eval(x->b, st, &b);
        wx_eval(x->c, st, &c);
        /* ksqlDB: (a >= b) && (a <= c) with null-false comparisons, then NOT on top */
        int r = a.kind != WR_NULL && b.kind != WR_NULL && c.kind != WR_NULL &&
                cmp_values(x->cls, SQL_OP_GE, &a, &b) && cmp_values(x->cls, SQL_OP_LE, &a, &c);
        *out = wr_bool(r != ((x->flags & WX_F_NOT) != 0));
        return;
    }

    case WX_IN: {
        wx_eval(x->a, st, &a);
        int r = 0;
        if (a.kind != WR_NULL) {
            for (int i = 0; i < x->n && !r; i++) {
                wx_eval(x->kids[i], st, &b);
                r = b.kind != WR_NULL && cmp_values(x->cls, SQL_OP_EQ, &a, &b);
            }
        }
        *out = wr_bool(r != ((x->flags & WX_F_NOT) != 0));
        return;
    }

    case WX_LIKE:
        wx_eval(x->a, st, &a);
        wx_eval(x->b, st, &b);
        if (a.kind == WR_NULL || b.kind == WR_NULL) {
            *out = wr_null();
            return;
        }
        *out = wr_bool(like_match((const unsigned char *)a.u.s, a.len,
                                  (const unsigned char *)b.u.s, b.len, x->idx) !=
                       ((x->flags & WX_F_NOT) != 0));
        return;

    case WX_CASE:
        for (int i = 0; i < x->n; i += 2) {
            wx_eval(x->kids[i], st, &a);
            if (truth(&a)) {
                wx_eval(x->kids[i + 1], st, out);
                return;
            }
        }
        if (x->c)
            wx_eval(x->c, st, out);
        else
            *out = wr_null();
        return;

    case WX_CASE_SIMPLE:
        wx_eval(x->a, st, &a);
        if (a.kind != WR_NULL) {
            for (int i = 0; i < x->n; i += 2) {
                wx_eval(x->kids[i], st, &b);
                if (b.kind != WR_NULL && cmp_values(x->cls, SQL_OP_EQ, &a, &b)) {
                    wx_eval(x->kids[i + 1], st, out);
                    return;
                }
            }
        }
        if (x->c)
            wx_eval(x->c, st, out);
        else
            *out = wr_null();
        return;

    case WX_DEREF:
        wx_eval(x->a, st, &a);
        *out = (a.kind == WR_STRUCT && (uint32_t)x->idx < a.len) ? a.u.items[x->idx] : wr_null();
        return;

    case WX_INDEX: {
        wx_eval(x->a, st, &a);
        wx_eval(x->b, st, &b);
        *out = wr_null();
        if (a.kind != WR_ARRAY || b.kind == WR_NULL)
            return;
        int64_t i = b.u.i, n = a.len;
        if (i > 0 && i <= n)
            *out = a.u.items[i - 1];
        else if (i < 0 && -i <= n)
            *out = a.u.items[n + i];
        return;
    }

    case WX_MAP_GET:
        wx_eval(x->a, st, &a);
        wx_eval(x->b, st, &b);
        *out = wr_null();
        if (a.kind != WR_MAP || b.kind == WR_NULL)
            return;
        for (uint32_t i = 0; i < a.len; i++)
            if (wr_value_equal(&a.u.items[2 * i], &b)) {
                *out = a.u.items[2 * i + 1];
                return;
            }
        return;

    case WX_MK_ARRAY:
        *out = wr_array(st->ctx->arena, (uint32_t)x->n);
        for (int i = 0; i < x->n; i++)
            wx_eval(x->kids[i], st, &out->u.items[i]);
        return;

    case WX_MK_MAP: {
        /* later duplicates replace the earlier value in place (Java LinkedHashMap) */
        wr_value m = wr_map(st->ctx->arena, (uint32_t)(x->n / 2));
        uint32_t n = 0;
        for (int i = 0; i < x->n; i += 2) {
            wx_eval(x->kids[i], st, &a);
            wx_eval(x->kids[i + 1], st, &b);
            uint32_t j = 0;
            while (j < n && !wr_value_equal(&m.u.items[2 * j], &a))
                j++;
            m.u.items[2 * j] = a;
            m.u.items[2 * j + 1] = b;
            if (j == n)
                n++;
        }
        m.len = n;
        *out = m;
        return;
    }

    case WX_MK_STRUCT:
        *out = wr_struct(st->ctx->arena, (uint32_t)x->n);
        for (int i = 0; i < x->n; i++)
            wx_eval(x->kids[i], st, &out->u.items[i]);
        return;

    case WX_CALL: eval_call(x, st, out); return;

    default: *out = wr_null(); return; /* WX_LAMBDA is only read through call_lambda */
    }
}

int wr_expr_eval(const wr_expr *x, const wr_value *slots, wr_eval_ctx *ctx, wr_value *out)
{
    wr_value frame[WX_MAX_PARAMS];
    wx_state st = {.slots = slots, .ctx = ctx, .frame = frame, .failed = 0};
    wx_eval(x, &st, out);
    if (st.failed)
        *out = wr_null();
    return 0;
}

int wr_expr_eval_bool(const wr_expr *x, const wr_value *slots, wr_eval_ctx *ctx)
{
    wr_value v;
    wr_expr_eval(x, slots, ctx, &v);
    return truth(&v);
}
