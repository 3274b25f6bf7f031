/* test_agg.c - the aggregate functions (engine/agg.c).
 *
 * The harness drives states the way the aggregate operator does: the state lives only in its
 * encoded form (wr_value_encode with the resolved state type) and every init/add/retract/
 * merge/result decodes it into a fresh cycle arena, calls the function and re-encodes it.
 * Each store also checks that the new state is a plain value of the state type (it decodes
 * back identical, kinds included) and each result that it conforms to the result type.
 * Generic properties, for every function over a sequence of rows with NULLs:
 *   - merge: the merge of the states of rows[0..k) and rows[k..n) gives the result of adding
 *     all rows, for every split point k;
 *   - retract: retracting rows n-1..0 walks the results of every prefix back to the initial
 *     result;
 *   - functions without retract/merge have NULL pointers.
 * Then exact expected results per function, limits, literal parameters and the ksqlDB-style
 * messages for wrong arguments. */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "agg.h"

/* ---------------------------------------------------------------- harness */

typedef struct h {
    wr_arena ta;  /* types: lives as long as the call */
    wr_arena a;   /* the cycle arena: reset at every step */
    wr_agg_call call;
    wr_fn_config cfg;
    char res[512];
} h;

static wr_arena VA; /* argument values of a test */

static int setup(void **state)
{
    (void)state;
    wr_arena_init(&VA, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wr_arena_fini(&VA);
    return 0;
}


/* v is NULL or has exactly the shape of t. */
static int conforms(const wr_value *v, const wr_type *t)
{
    if (v->kind == WR_NULL) return 1;
    if (!t || v->kind != t->kind) return 0;
    switch (t->kind) {
    case WR_DECIMAL: return (int)v->len == t->scale;
    case WR_INT: return v->u.i >= INT32_MIN && v->u.i <= INT32_MAX;
    case WR_ARRAY:
        for (uint32_t i = 0; i < v->len; i++)
            if (!conforms(&v->u.items[i], t->elem)) return 0;
        return 1;
    case WR_MAP:
        for (uint32_t i = 0; i < v->len; i++)
            if (!conforms(&v->u.items[2 * i], t->key) || !conforms(&v->u.items[2 * i + 1], t->elem))
                return 0;
        return 1;
    case WR_STRUCT:
        if ((int)v->len != t->nfields) return 0;
        for (uint32_t i = 0; i < v->len; i++)
            if (!conforms(&v->u.items[i], t->fields[i].type)) return 0;
        return 1;
    default: return 1;
    }
}

/* Resolves; returns the rc, the message in err. */
static int h_try(h *x, const char *name, int argc, const wr_type *const *argt,
                 const wr_value *const *lit, wr_error *err)
{
    memset(&x->call, 0, sizeof x->call);
    wr_arena_init(&x->ta, 0);
    wr_arena_init(&x->a, 0);
    wr_fn_config_default(&x->cfg);
    x->call.def = wr_agg_find(name);
    assert_non_null(x->call.def);
    x->call.argc = argc;
    for (int i = 0; i < argc; i++) {
        x->call.argt[i] = argt[i];
        x->call.literal[i] = lit ? lit[i] : NULL;
    }
    x->call.cfg = &x->cfg;
    x->call.arena = &x->ta;
    wr_error_clear(err);
    return x->call.def->resolve(&x->call, err);
}

static void h_open(h *x, const char *name, int argc, const wr_type *const *argt,
                   const wr_value *const *lit)
{
    wr_error err;
    int rc = h_try(x, name, argc, argt, lit, &err);
    if (rc) fprintf(stderr, "resolve %s: %s\n", name, err.msg);
    assert_int_equal(rc, 0);
    assert_non_null(x->call.state_type);
    assert_non_null(x->call.result_type);
}

static void h_close(h *x)
{
    wr_arena_fini(&x->a);
    wr_arena_fini(&x->ta);
}

static wr_value load(h *x, const wr_buf *s)
{
    wr_value v;
    size_t used;
    assert_int_equal(wr_value_decode(s->data, s->len, x->call.state_type, &x->a, &v, &used), 0);
    assert_int_equal(used, s->len);
    return v;
}

static void store(h *x, wr_buf *s, const wr_value *v)
{
    if (!conforms(v, x->call.state_type)) {
        wr_buf t;
        wr_buf_init(&t);
        wr_type_format(x->call.state_type, &t);
        wr_buf_puts(&t, " <- ");
        wr_value_format(v, x->call.state_type, &t);
        fprintf(stderr, "state does not conform: %s\n", t.data);
        wr_buf_fini(&t);
        fail();
    }
    wr_buf_reset(s);
    wr_value_encode(v, x->call.state_type, s);
    wr_value back = load(x, s);
    assert_true(unit_value_same(&back, v));
}

static void s_init(h *x, wr_buf *s)
{
    wr_arena_reset(&x->a);
    wr_value v;
    memset(&v, 0x55, sizeof v);
    x->call.def->init(&x->call, &x->a, &v);
    store(x, s, &v);
}

static void s_add(h *x, wr_buf *s, const wr_value *args, int64_t seq)
{
    wr_arena_reset(&x->a);
    wr_value v = load(x, s);
    x->call.def->add(&x->call, &x->a, &v, args, seq);
    store(x, s, &v);
}

static void s_retract(h *x, wr_buf *s, const wr_value *args, int64_t seq)
{
    wr_arena_reset(&x->a);
    wr_value v = load(x, s);
    x->call.def->retract(&x->call, &x->a, &v, args, seq);
    store(x, s, &v);
}

static void s_merge(h *x, wr_buf *s, const wr_buf *o)
{
    wr_arena_reset(&x->a);
    wr_value v = load(x, s), ov = load(x, o);
    x->call.def->merge(&x->call, &x->a, &v, &ov);
    store(x, s, &v);
}

/* The result as ksqlDB's CLI prints it (null, 1.5, [a, b], {a=1}). */
static const char *s_result(h *x, const wr_buf *s)
{
    wr_arena_reset(&x->a);
    wr_value v = load(x, s), out;
    x->call.def->result(&x->call, &x->a, &v, &out);
    assert_true(conforms(&out, x->call.result_type));
    wr_buf t;
    wr_buf_init(&t);
    wr_value_format(&out, x->call.result_type, &t);
    snprintf(x->res, sizeof x->res, "%s", t.data);
    wr_buf_fini(&t);
    return x->res;
}

/* Results are equal; doubles within 1e-9 relative (retraction and merge reorder sums). */
static int res_equal(const char *a, const char *b)
{
    if (!strcmp(a, b)) return 1;
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    if (*ea || *eb || ea == a || eb == b) return 0;
    if (isnan(x) || isnan(y)) return isnan(x) && isnan(y);
    return fabs(x - y) <= 1e-9 * (fabs(x) > fabs(y) ? fabs(x) : fabs(y)) + 1e-12;
}

static void expect_res(const char *got, const char *want, const char *what)
{
    if (!res_equal(got, want)) {
        fprintf(stderr, "%s: got '%s' want '%s'\n", what, got, want);
        fail();
    }
}

#define MAXROWS 32
typedef struct rows {
    int n;
    wr_value v[MAXROWS][WR_AGG_MAXARGS];
} rows;

static int64_t seq_of(int i) { return 100 + 10 * i; }

/* Adds rows[0..n) to a fresh state; prefix[k] gets the result after k rows.  Returns the
 * final result (static storage in x->res until the next call). */
static void add_all(h *x, wr_buf *s, const rows *r, int from, int to, char (*prefix)[512])
{
    s_init(x, s);
    if (prefix) snprintf(prefix[from], sizeof prefix[from], "%s", s_result(x, s));
    for (int i = from; i < to; i++) {
        s_add(x, s, r->v[i], seq_of(i));
        if (prefix) snprintf(prefix[i + 1], sizeof prefix[i + 1], "%s", s_result(x, s));
    }
}

/* The generic properties; returns the final result in x->res. */
static void check_props(h *x, const rows *r, int retract_walk)
{
    char prefix[MAXROWS + 1][512];
    wr_buf s, s2;
    wr_buf_init(&s);
    wr_buf_init(&s2);
    add_all(x, &s, r, 0, r->n, prefix);
    if (x->call.def->merge) {
        for (int k = 0; k <= r->n; k++) {
            add_all(x, &s, r, 0, k, NULL);
            add_all(x, &s2, r, k, r->n, NULL);
            s_merge(x, &s, &s2);
            expect_res(s_result(x, &s), prefix[r->n], "merge");
        }
        /* merging an initial state changes nothing, either way round */
        add_all(x, &s, r, 0, r->n, NULL);
        s_init(x, &s2);
        s_merge(x, &s, &s2);
        expect_res(s_result(x, &s), prefix[r->n], "merge with empty");
        s_merge(x, &s2, &s);
        expect_res(s_result(x, &s2), prefix[r->n], "merge into empty");
    }
    if (x->call.def->retract && retract_walk) {
        add_all(x, &s, r, 0, r->n, NULL);
        for (int i = r->n - 1; i >= 0; i--) {
            s_retract(x, &s, r->v[i], seq_of(i));
            expect_res(s_result(x, &s), prefix[i], "retract");
        }
    }
    add_all(x, &s, r, 0, r->n, NULL);
    s_result(x, &s);
    wr_buf_fini(&s);
    wr_buf_fini(&s2);
}

/* Row builders: one argument per row. */
static rows rows1(int n, const wr_value *vals)
{
    rows r;
    memset(&r, 0, sizeof r);
    r.n = n;
    for (int i = 0; i < n; i++) r.v[i][0] = vals[i];
    return r;
}

static wr_value S(const char *s) { return wr_cstr(&VA, s); }
static wr_value I(int32_t i) { return wr_int(i); }
static wr_value L(int64_t i) { return wr_bigint(i); }
static wr_value D(double d) { return wr_double(d); }
static wr_value N(void) { return wr_null(); }
static wr_value DEC(wr_int128 u, int s) { return wr_decimal(&VA, u, s); }

/* One-argument function over vals: props, then the expected final result. */
static void run1(const char *name, const wr_type *t, int n, const wr_value *vals,
                 const char *want, int retract_walk)
{
    h x;
    const wr_type *argt[] = {t};
    h_open(&x, name, 1, argt, NULL);
    rows r = rows1(n, vals);
    check_props(&x, &r, retract_walk);
    expect_res(x.res, want, name);
    h_close(&x);
}

/* The initial result of a function (no rows). */
static const char *initial(h *x)
{
    wr_buf s;
    wr_buf_init(&s);
    s_init(x, &s);
    s_result(x, &s);
    wr_buf_fini(&s);
    return x->res;
}

/* ---------------------------------------------------------------- registry */

static void test_registry(void **state)
{
    (void)state;
    static const char *const names[] = {
        "ATTR", "AVG", "COLLECT_LIST", "COLLECT_SET", "CORRELATION", "COUNT", "COUNT_DISTINCT",
        "EARLIEST_BY_OFFSET", "HISTOGRAM", "LATEST_BY_OFFSET", "MAX", "MIN", "STDDEV_SAMP", "SUM",
        "SUM_LIST", "TOPK", "TOPKDISTINCT"};
    int n = (int)(sizeof names / sizeof names[0]);
    assert_int_equal(wr_agg_count(), n);
    for (int i = 0; i < n; i++) {
        const wr_agg_def *d = wr_agg_at(i);
        assert_string_equal(d->name, names[i]);
        if (i) assert_true(strcmp(wr_agg_at(i - 1)->name, d->name) < 0);
        assert_ptr_equal(wr_agg_find(names[i]), d);
        assert_non_null(d->description);
        assert_non_null(d->resolve);
        assert_non_null(d->init);
        assert_non_null(d->add);
        assert_non_null(d->result);
    }
    assert_ptr_equal(wr_agg_find("latest_by_offset"), wr_agg_find("LATEST_BY_OFFSET"));
    assert_null(wr_agg_find("ABS"));
    assert_null(wr_agg_find(NULL));
    assert_null(wr_agg_at(-1));
    assert_null(wr_agg_at(n));
    /* which functions can retract and merge */
    static const char *const no_retract[] = {"ATTR", "COUNT_DISTINCT", "EARLIEST_BY_OFFSET",
                                             "LATEST_BY_OFFSET", "MAX", "MIN", "TOPK",
                                             "TOPKDISTINCT"};
    for (int i = 0; i < n; i++) {
        int can = 1;
        for (size_t j = 0; j < sizeof no_retract / sizeof no_retract[0]; j++)
            if (!strcmp(names[i], no_retract[j])) can = 0;
        assert_int_equal(wr_agg_at(i)->retract != NULL, can);
        assert_non_null(wr_agg_at(i)->merge);
    }
}

/* ---------------------------------------------------------------- COUNT, SUM, AVG */

static void test_count(void **state)
{
    (void)state;
    h x;
    wr_value vals[] = {I(1), N(), I(3), N(), I(5)};
    /* COUNT(*): argt[0] NULL, star */
    const wr_type *star[] = {NULL};
    h_open(&x, "COUNT", 1, star, NULL);
    x.call.star = 1;
    assert_string_equal(initial(&x), "0");
    rows r = rows1(5, vals);
    check_props(&x, &r, 1);
    assert_string_equal(x.res, "5");
    assert_true(wr_type_equal(x.call.result_type, &wr_type_bigint));
    h_close(&x);
    /* COUNT() */
    h_open(&x, "COUNT", 0, NULL, NULL);
    check_props(&x, &r, 1);
    assert_string_equal(x.res, "5");
    /* with a NULL args pointer */
    wr_buf s;
    wr_buf_init(&s);
    s_init(&x, &s);
    s_add(&x, &s, NULL, 1);
    s_add(&x, &s, NULL, 2);
    assert_string_equal(s_result(&x, &s), "2");
    s_retract(&x, &s, NULL, 2);
    assert_string_equal(s_result(&x, &s), "1");
    wr_buf_fini(&s);
    h_close(&x);
    /* COUNT(col) counts non-nulls; any type, even a NULL literal */
    run1("COUNT", &wr_type_int, 5, vals, "3", 1);
    wr_value svals[] = {S("a"), N()};
    run1("COUNT", &wr_type_string, 2, svals, "1", 1);
    wr_value nvals[] = {N(), N()};
    run1("COUNT", &wr_type_null, 2, nvals, "0", 1);
}

static void test_sum(void **state)
{
    (void)state;
    wr_value ints[] = {I(1), N(), I(2), I(-10), N()};
    run1("SUM", &wr_type_int, 5, ints, "-7", 1);
    wr_value nulls[] = {N(), N()};
    run1("SUM", &wr_type_int, 2, nulls, "0", 1);
    run1("SUM", &wr_type_double, 2, nulls, "0.0", 1);
    /* INT keeps INT and wraps like Java; retract unwraps */
    wr_value big[] = {I(INT32_MAX), I(1), N()};
    run1("SUM", &wr_type_int, 3, big, "-2147483648", 1);
    wr_value longs[] = {L(INT64_MAX), L(2), L(5)};
    run1("SUM", &wr_type_bigint, 3, longs, "-9223372036854775802", 1);
    wr_value ds[] = {D(1.5), N(), D(2.25), D(-0.5)};
    run1("SUM", &wr_type_double, 4, ds, "3.25", 1);

    /* DECIMAL(5,2) -> DECIMAL(5,2), exact; a sum past the precision is NULL until retracted */
    wr_arena ta;
    wr_arena_init(&ta, 0);
    const wr_type *d52 = wr_type_decimal(&ta, 5, 2);
    wr_value decs[] = {DEC(110, 2), N(), DEC(205, 2), DEC(-15, 2)};
    run1("SUM", d52, 4, decs, "3.00", 1);
    run1("SUM", d52, 1, nulls, "0.00", 1);
    wr_value over[] = {DEC(99999, 2), DEC(99999, 2), DEC(-99999, 2)};
    h x;
    const wr_type *argt[] = {d52};
    h_open(&x, "SUM", 1, argt, NULL);
    assert_true(wr_type_equal(x.call.result_type, d52));
    rows r = rows1(3, over);
    check_props(&x, &r, 1);
    assert_string_equal(x.res, "999.99");
    wr_buf s;
    wr_buf_init(&s);
    add_all(&x, &s, &r, 0, 2, NULL);
    assert_string_equal(s_result(&x, &s), "null");
    s_retract(&x, &s, over, 1);
    assert_string_equal(s_result(&x, &s), "999.99");
    wr_buf_fini(&s);
    h_close(&x);
    wr_arena_fini(&ta);

    /* type rules */
    h_open(&x, "SUM", 1, (const wr_type *[]){&wr_type_int}, NULL);
    assert_true(wr_type_equal(x.call.result_type, &wr_type_int));
    h_close(&x);
    h_open(&x, "SUM", 1, (const wr_type *[]){&wr_type_bigint}, NULL);
    assert_true(wr_type_equal(x.call.result_type, &wr_type_bigint));
    h_close(&x);
}

static void test_avg(void **state)
{
    (void)state;
    wr_value ints[] = {I(1), I(2), N(), I(4)};
    run1("AVG", &wr_type_int, 4, ints, "2.3333333333333335", 1);
    wr_value nulls[] = {N(), N()};
    run1("AVG", &wr_type_int, 2, nulls, "0.0", 1);
    wr_value longs[] = {L(7), L(8)};
    run1("AVG", &wr_type_bigint, 2, longs, "7.5", 1);
    wr_value ds[] = {D(0.5), N(), D(1.5), D(4.0)};
    run1("AVG", &wr_type_double, 4, ds, "2.0", 1);
    wr_arena ta;
    wr_arena_init(&ta, 0);
    wr_value decs[] = {DEC(110, 2), DEC(220, 2), N()};
    run1("AVG", wr_type_decimal(&ta, 4, 2), 3, decs, "1.65", 1);
    wr_arena_fini(&ta);
    h x;
    h_open(&x, "AVG", 1, (const wr_type *[]){&wr_type_int}, NULL);
    assert_true(wr_type_equal(x.call.result_type, &wr_type_double));
    assert_int_equal(x.call.state_type->kind, WR_STRUCT);
    assert_string_equal(initial(&x), "0.0");
    h_close(&x);
}

/* ---------------------------------------------------------------- MIN, MAX */

static void test_min_max(void **state)
{
    (void)state;
    wr_value ints[] = {N(), I(5), I(-3), N(), I(9), I(-3)};
    run1("MIN", &wr_type_int, 6, ints, "-3", 0);
    run1("MAX", &wr_type_int, 6, ints, "9", 0);
    wr_value nulls[] = {N(), N()};
    run1("MIN", &wr_type_bigint, 2, nulls, "null", 0);
    run1("MAX", &wr_type_string, 2, nulls, "null", 0);
    wr_value strs[] = {S("pear"), S("apple"), N(), S("zoo"), S("")};
    run1("MIN", &wr_type_string, 5, strs, "", 0);
    run1("MAX", &wr_type_string, 5, strs, "zoo", 0);
    wr_value ds[] = {D(1.5), D(-2.5), D(0.25)};
    run1("MIN", &wr_type_double, 3, ds, "-2.5", 0);
    run1("MAX", &wr_type_double, 3, ds, "1.5", 0);
    wr_value dates[] = {wr_i64(WR_DATE, 19000), wr_i64(WR_DATE, -5), N()};
    run1("MIN", &wr_type_date, 3, dates, "-5", 0);
    wr_value ts[] = {wr_i64(WR_TIMESTAMP, 1000), wr_i64(WR_TIMESTAMP, 2000)};
    run1("MAX", &wr_type_timestamp, 2, ts, "2000", 0);
    wr_value tm[] = {wr_i64(WR_TIME, 1000), wr_i64(WR_TIME, 20)};
    run1("MIN", &wr_type_time, 2, tm, "20", 0);
    wr_arena ta;
    wr_arena_init(&ta, 0);
    wr_value decs[] = {DEC(150, 2), DEC(-1, 2), DEC(149, 2)};
    run1("MAX", wr_type_decimal(&ta, 3, 2), 3, decs, "1.50", 0);
    run1("MIN", wr_type_decimal(&ta, 3, 2), 3, decs, "-0.01", 0);
    wr_arena_fini(&ta);
    h x;
    h_open(&x, "MAX", 1, (const wr_type *[]){&wr_type_string}, NULL);
    assert_string_equal(initial(&x), "null");
    assert_true(wr_type_equal(x.call.result_type, &wr_type_string));
    h_close(&x);
}

/* ---------------------------------------------------------------- COUNT_DISTINCT */

static void test_count_distinct(void **state)
{
    (void)state;
    wr_value strs[] = {S("a"), S("b"), S("a"), N(), S("c"), S("b")};
    run1("COUNT_DISTINCT", &wr_type_string, 6, strs, "3", 0);
    wr_value ints[] = {I(3), I(1), I(3), I(2), I(1), N()};
    run1("COUNT_DISTINCT", &wr_type_int, 6, ints, "3", 0);
    wr_value nulls[] = {N()};
    run1("COUNT_DISTINCT", &wr_type_int, 1, nulls, "0", 0);
    h x;
    h_open(&x, "COUNT_DISTINCT", 1, (const wr_type *[]){&wr_type_double}, NULL);
    assert_true(wr_type_equal(x.call.result_type, &wr_type_bigint));
    assert_string_equal(initial(&x), "0");
    /* many values: the sorted set stays exact */
    wr_buf s;
    wr_buf_init(&s);
    s_init(&x, &s);
    for (int i = 0; i < 300; i++) {
        wr_value v = D((double)((i * 37) % 150));
        s_add(&x, &s, &v, i);
    }
    assert_string_equal(s_result(&x, &s), "150");
    wr_buf_fini(&s);
    h_close(&x);
}

/* ---------------------------------------------------------------- *_BY_OFFSET */

static void by_offset(const char *name, int argc, const wr_type *t, const wr_value *n,
                      const wr_value *ign, int nv, const wr_value *vals, const char *want)
{
    h x;
    const wr_type *argt[3] = {t, n ? wr_type_scalar((wr_kind)n->kind) : &wr_type_boolean,
                              &wr_type_boolean};
    const wr_value *lit[3] = {NULL, n ? n : ign, ign};
    h_open(&x, name, argc, argt, lit);
    rows r = rows1(nv, vals);
    check_props(&x, &r, 0);
    expect_res(x.res, want, name);
    h_close(&x);
}

static void test_by_offset(void **state)
{
    (void)state;
    wr_value vals[] = {I(1), N(), I(3), N()};
    wr_value yes = wr_bool(1), no = wr_bool(0), two = I(2), three = I(3), one = I(1);
    by_offset("LATEST_BY_OFFSET", 1, &wr_type_int, NULL, NULL, 4, vals, "3");
    by_offset("EARLIEST_BY_OFFSET", 1, &wr_type_int, NULL, NULL, 4, vals, "1");
    by_offset("LATEST_BY_OFFSET", 2, &wr_type_int, NULL, &yes, 4, vals, "3");
    by_offset("LATEST_BY_OFFSET", 2, &wr_type_int, NULL, &no, 4, vals, "null");
    wr_value nfirst[] = {N(), S("b"), S("c")};
    by_offset("EARLIEST_BY_OFFSET", 2, &wr_type_string, NULL, &no, 3, nfirst, "null");
    by_offset("EARLIEST_BY_OFFSET", 1, &wr_type_string, NULL, NULL, 3, nfirst, "b");
    wr_value nulls[] = {N(), N()};
    by_offset("LATEST_BY_OFFSET", 1, &wr_type_int, NULL, NULL, 2, nulls, "null");
    /* N forms: values in seq order, earliest to latest */
    wr_value seqv[] = {S("a"), S("b"), N(), S("c"), S("d")};
    by_offset("LATEST_BY_OFFSET", 2, &wr_type_string, &two, NULL, 5, seqv, "[c, d]");
    by_offset("EARLIEST_BY_OFFSET", 2, &wr_type_string, &two, NULL, 5, seqv, "[a, b]");
    by_offset("LATEST_BY_OFFSET", 3, &wr_type_string, &three, &no, 5, seqv, "[null, c, d]");
    by_offset("EARLIEST_BY_OFFSET", 3, &wr_type_string, &three, &no, 5, seqv, "[a, b, null]");
    by_offset("LATEST_BY_OFFSET", 3, &wr_type_string, &three, &yes, 5, seqv, "[b, c, d]");
    by_offset("LATEST_BY_OFFSET", 2, &wr_type_string, &one, NULL, 5, seqv, "[d]");
    by_offset("LATEST_BY_OFFSET", 2, &wr_type_string, &three, NULL, 2, nulls, "[]");
    by_offset("LATEST_BY_OFFSET", 2, &wr_type_string, &three, NULL, 1, seqv, "[a]");

    /* rows arriving out of seq order */
    h x;
    const wr_type *argt[] = {&wr_type_string, &wr_type_int};
    const wr_value *lit[] = {NULL, &two};
    const char *names[] = {"LATEST_BY_OFFSET", "EARLIEST_BY_OFFSET"};
    const char *want1[] = {"x", "z"}, *want2[] = {"[y, x]", "[z, y]"};
    for (int k = 0; k < 2; k++) {
        for (int form = 1; form <= 2; form++) {
            h_open(&x, names[k], form, argt, lit);
            wr_buf s;
            wr_buf_init(&s);
            s_init(&x, &s);
            wr_value a1 = S("x"), a2 = S("z"), a3 = S("y");
            s_add(&x, &s, &a1, 50);
            s_add(&x, &s, &a2, 10);
            s_add(&x, &s, &a3, 30);
            assert_string_equal(s_result(&x, &s), form == 1 ? want1[k] : want2[k]);
            wr_buf_fini(&s);
            h_close(&x);
        }
    }
    /* types: N form returns ARRAY<T>; composite values are fine */
    wr_arena ta;
    wr_arena_init(&ta, 0);
    const wr_type *at = wr_type_array(&ta, &wr_type_bigint);
    wr_value arr = wr_array(&VA, 2);
    arr.u.items[0] = L(1);
    wr_value avals[] = {arr, N()};
    by_offset("LATEST_BY_OFFSET", 1, at, NULL, NULL, 2, avals, "[1, null]");
    by_offset("LATEST_BY_OFFSET", 2, at, &two, NULL, 2, avals, "[[1, null]]");
    h_open(&x, "LATEST_BY_OFFSET", 2, (const wr_type *[]){&wr_type_double, &wr_type_int},
           (const wr_value *[]){NULL, &two});
    assert_true(wr_type_equal(x.call.result_type, wr_type_array(&ta, &wr_type_double)));
    h_close(&x);
    h_open(&x, "EARLIEST_BY_OFFSET", 1, (const wr_type *[]){&wr_type_bytes}, NULL);
    assert_true(wr_type_equal(x.call.result_type, &wr_type_bytes));
    assert_string_equal(initial(&x), "null");
    h_close(&x);
    wr_arena_fini(&ta);
}

/* ---------------------------------------------------------------- COLLECT_LIST, COLLECT_SET */

static void test_collect(void **state)
{
    (void)state;
    wr_value vals[] = {I(1), N(), I(2), I(1), I(3), N()};
    run1("COLLECT_LIST", &wr_type_int, 6, vals, "[1, null, 2, 1, 3, null]", 1);
    wr_value distinct[] = {S("b"), S("a"), N(), S("c")};
    run1("COLLECT_SET", &wr_type_string, 4, distinct, "[b, a, null, c]", 1);
    run1("COLLECT_SET", &wr_type_int, 6, vals, "[1, null, 2, 3]", 0);

    /* retract removes the last equal element of a list */
    h x;
    h_open(&x, "COLLECT_LIST", 1, (const wr_type *[]){&wr_type_int}, NULL);
    assert_string_equal(initial(&x), "[]");
    wr_buf s;
    wr_buf_init(&s);
    rows r = rows1(6, vals);
    add_all(&x, &s, &r, 0, 6, NULL);
    s_retract(&x, &s, &vals[0], 0); /* a 1 */
    assert_string_equal(s_result(&x, &s), "[1, null, 2, 3, null]");
    s_retract(&x, &s, &vals[1], 0); /* a null */
    assert_string_equal(s_result(&x, &s), "[1, null, 2, 3]");
    wr_value nine = I(9);
    s_retract(&x, &s, &nine, 0); /* absent: no change */
    assert_string_equal(s_result(&x, &s), "[1, null, 2, 3]");
    h_close(&x);

    /* COLLECT_SET retract removes the value (ksqlDB's Set.remove) */
    h_open(&x, "COLLECT_SET", 1, (const wr_type *[]){&wr_type_int}, NULL);
    add_all(&x, &s, &r, 0, 6, NULL);
    s_retract(&x, &s, &vals[0], 0);
    assert_string_equal(s_result(&x, &s), "[null, 2, 3]");
    h_close(&x);

    /* limits from the config, read at resolve time */
    wr_error err;
    const wr_type *argt[] = {&wr_type_int};
    for (int set = 0; set < 2; set++) {
        const char *name = set ? "COLLECT_SET" : "COLLECT_LIST";
        assert_int_equal(h_try(&x, name, 1, argt, NULL, &err), 0);
        h_close(&x);
        memset(&x.call, 0, sizeof x.call);
        wr_arena_init(&x.ta, 0);
        wr_arena_init(&x.a, 0);
        wr_fn_config_default(&x.cfg);
        if (set) x.cfg.collect_set_limit = 2;
        else x.cfg.collect_list_limit = 2;
        x.call.def = wr_agg_find(name);
        x.call.argc = 1;
        x.call.argt[0] = &wr_type_int;
        x.call.cfg = &x.cfg;
        x.call.arena = &x.ta;
        assert_int_equal(x.call.def->resolve(&x.call, &err), 0);
        x.cfg.collect_list_limit = x.cfg.collect_set_limit = -1; /* resolved already */
        add_all(&x, &s, &r, 0, 6, NULL);
        assert_string_equal(s_result(&x, &s), "[1, null]");
        /* merge respects the limit too */
        wr_buf s2;
        wr_buf_init(&s2);
        add_all(&x, &s, &r, 0, 1, NULL);
        add_all(&x, &s2, &r, 2, 6, NULL);
        assert_string_equal(s_result(&x, &s2), set ? "[2, 1]" : "[2, 1]");
        s_merge(&x, &s, &s2);
        assert_string_equal(s_result(&x, &s), "[1, 2]");
        /* after a retraction there is room again */
        s_retract(&x, &s, &vals[0], 0);
        s_add(&x, &s, &vals[4], 9);
        assert_string_equal(s_result(&x, &s), "[2, 3]");
        wr_buf_fini(&s2);
        h_close(&x);
    }
    /* no cfg at all: no limit */
    assert_int_equal(h_try(&x, "COLLECT_LIST", 1, argt, NULL, &err), 0);
    h_close(&x);
    memset(&x.call, 0, sizeof x.call);
    wr_arena_init(&x.ta, 0);
    wr_arena_init(&x.a, 0);
    x.call.def = wr_agg_find("COLLECT_LIST");
    x.call.argc = 1;
    x.call.argt[0] = &wr_type_int;
    x.call.arena = &x.ta;
    assert_int_equal(x.call.def->resolve(&x.call, &err), 0);
    s_init(&x, &s);
    for (int i = 0; i < 1500; i++) {
        wr_value v = I(i);
        s_add(&x, &s, &v, i);
    }
    wr_value st = load(&x, &s);
    assert_int_equal(st.len, 1500);
    h_close(&x);
    wr_buf_fini(&s);

    /* composite element types */
    wr_arena ta;
    wr_arena_init(&ta, 0);
    wr_field f[] = {{"A", &wr_type_int}, {"B", &wr_type_string}};
    const wr_type *stt = wr_type_struct(&ta, 2, f);
    wr_value s1 = wr_struct(&VA, 2), s2v = wr_struct(&VA, 2);
    s1.u.items[0] = I(1);
    s1.u.items[1] = S("x");
    s2v.u.items[0] = I(2);
    wr_value svals[] = {s1, s2v, s1};
    run1("COLLECT_LIST", stt, 3, svals, "[{A=1, B=x}, {A=2, B=null}, {A=1, B=x}]", 1);
    run1("COLLECT_SET", stt, 3, svals, "[{A=1, B=x}, {A=2, B=null}]", 0);
    wr_arena_fini(&ta);
}

/* ---------------------------------------------------------------- TOPK */

static void topk(const char *name, const wr_type *t, int64_t k, int n, const wr_value *vals,
                 const char *want)
{
    h x;
    wr_value kv = I((int32_t)k);
    const wr_type *argt[] = {t, &wr_type_int};
    const wr_value *lit[] = {NULL, &kv};
    h_open(&x, name, 2, argt, lit);
    assert_string_equal(initial(&x), "[]");
    rows r = rows1(n, vals);
    check_props(&x, &r, 0);
    expect_res(x.res, want, name);
    h_close(&x);
}

static void test_topk(void **state)
{
    (void)state;
    wr_value ints[] = {I(5), I(1), N(), I(9), I(5), I(7), I(5)};
    topk("TOPK", &wr_type_int, 3, 7, ints, "[9, 7, 5]");
    topk("TOPK", &wr_type_int, 4, 7, ints, "[9, 7, 5, 5]");
    topk("TOPK", &wr_type_int, 10, 7, ints, "[9, 7, 5, 5, 5, 1]");
    topk("TOPKDISTINCT", &wr_type_int, 3, 7, ints, "[9, 7, 5]");
    topk("TOPKDISTINCT", &wr_type_int, 10, 7, ints, "[9, 7, 5, 1]");
    topk("TOPK", &wr_type_int, 1, 7, ints, "[9]");
    wr_value strs[] = {S("b"), S("a"), S("c"), S("b")};
    topk("TOPK", &wr_type_string, 2, 4, strs, "[c, b]");
    topk("TOPKDISTINCT", &wr_type_string, 3, 4, strs, "[c, b, a]");
    wr_value ds[] = {D(0.5), D(-1), D(2.5)};
    topk("TOPK", &wr_type_double, 2, 3, ds, "[2.5, 0.5]");
    wr_value nulls[] = {N(), N()};
    topk("TOPK", &wr_type_bigint, 2, 2, nulls, "[]");
    wr_arena ta;
    wr_arena_init(&ta, 0);
    wr_value decs[] = {DEC(100, 2), DEC(250, 2), DEC(-5, 2)};
    topk("TOPK", wr_type_decimal(&ta, 5, 2), 2, 3, decs, "[2.50, 1.00]");
    wr_arena_fini(&ta);
}

/* ---------------------------------------------------------------- HISTOGRAM */

static void test_histogram(void **state)
{
    (void)state;
    wr_value vals[] = {S("a"), S("b"), S("a"), N(), S("c"), S("a")};
    run1("HISTOGRAM", &wr_type_string, 6, vals, "{a=3, b=1, c=1}", 1);
    h x;
    h_open(&x, "HISTOGRAM", 1, (const wr_type *[]){&wr_type_string}, NULL);
    assert_string_equal(initial(&x), "{}");
    wr_buf s;
    wr_buf_init(&s);
    rows r = rows1(6, vals);
    add_all(&x, &s, &r, 0, 6, NULL);
    s_retract(&x, &s, &vals[1], 0);
    assert_string_equal(s_result(&x, &s), "{a=3, c=1}");
    s_retract(&x, &s, &vals[1], 0); /* absent: no change, never negative */
    assert_string_equal(s_result(&x, &s), "{a=3, c=1}");
    /* at most 1000 distinct values; known ones still count */
    s_init(&x, &s);
    char buf[16];
    for (int i = 0; i < 1010; i++) {
        snprintf(buf, sizeof buf, "v%d", i);
        wr_value v = wr_cstr(&VA, buf);
        s_add(&x, &s, &v, i);
    }
    wr_value v0 = wr_cstr(&VA, "v0");
    s_add(&x, &s, &v0, 2000);
    wr_value st = load(&x, &s);
    assert_int_equal(st.len, 1000);
    assert_string_equal(st.u.items[0].u.s, "v0");
    assert_int_equal(st.u.items[1].u.i, 2);
    assert_string_equal(st.u.items[2 * 999].u.s, "v999");
    /* merge keeps the cap */
    wr_buf s2;
    wr_buf_init(&s2);
    s_init(&x, &s2);
    wr_value extra = wr_cstr(&VA, "new");
    s_add(&x, &s2, &extra, 1);
    s_add(&x, &s2, &v0, 2);
    s_merge(&x, &s, &s2);
    st = load(&x, &s);
    assert_int_equal(st.len, 1000);
    assert_int_equal(st.u.items[1].u.i, 3);
    wr_buf_fini(&s2);
    wr_buf_fini(&s);
    assert_true(wr_type_equal(x.call.result_type, wr_type_map(&x.ta, &wr_type_string, &wr_type_bigint)));
    h_close(&x);
}

/* ---------------------------------------------------------------- STDDEV_SAMP, CORRELATION */

static void test_stddev(void **state)
{
    (void)state;
    wr_value ints[] = {I(2), I(4), N(), I(4), I(4), I(5), I(5), I(7), I(9)};
    run1("STDDEV_SAMP", &wr_type_int, 9, ints, "2.138089935299395", 1);
    wr_value ds[] = {D(1.5), D(2.5)};
    run1("STDDEV_SAMP", &wr_type_double, 2, ds, "0.7071067811865476", 1);
    wr_value one[] = {L(42), N()};
    run1("STDDEV_SAMP", &wr_type_bigint, 2, one, "0.0", 1);
    wr_value same3[] = {D(3), D(3), D(3)};
    run1("STDDEV_SAMP", &wr_type_double, 3, same3, "0.0", 1);
    wr_arena ta;
    wr_arena_init(&ta, 0);
    wr_value decs[] = {DEC(100, 2), DEC(300, 2)};
    run1("STDDEV_SAMP", wr_type_decimal(&ta, 5, 2), 2, decs, "1.4142135623730951", 1);
    wr_arena_fini(&ta);
    h x;
    h_open(&x, "STDDEV_SAMP", 1, (const wr_type *[]){&wr_type_int}, NULL);
    assert_string_equal(initial(&x), "0.0");
    assert_true(wr_type_equal(x.call.result_type, &wr_type_double));
    h_close(&x);
}

static void test_correlation(void **state)
{
    (void)state;
    h x;
    const wr_type *argt[] = {&wr_type_double, &wr_type_int};
    h_open(&x, "CORRELATION", 2, argt, NULL);
    assert_string_equal(initial(&x), "NaN");
    rows r;
    memset(&r, 0, sizeof r);
    double xs[] = {1, 2, 3, 4, 5};
    int ys[] = {2, 4, 6, 8, 11};
    for (int i = 0; i < 5; i++) {
        r.v[r.n][0] = D(xs[i]);
        r.v[r.n++][1] = I(ys[i]);
        /* pairs with a NULL side are skipped */
        r.v[r.n][0] = i % 2 ? N() : D(100);
        r.v[r.n++][1] = i % 2 ? I(100) : N();
    }
    check_props(&x, &r, 1);
    expect_res(x.res, "0.9958932064677039", "CORRELATION");
    /* perfectly anti-correlated */
    memset(&r, 0, sizeof r);
    for (int i = 0; i < 4; i++) {
        r.v[r.n][0] = D(i);
        r.v[r.n++][1] = I(-3 * i);
    }
    check_props(&x, &r, 1);
    expect_res(x.res, "-1.0", "CORRELATION");
    /* one pair: NaN */
    r.n = 1;
    check_props(&x, &r, 1);
    assert_string_equal(x.res, "NaN");
    assert_true(wr_type_equal(x.call.result_type, &wr_type_double));
    h_close(&x);
}

/* ---------------------------------------------------------------- ATTR, SUM_LIST */

static void test_attr(void **state)
{
    (void)state;
    wr_value same3[] = {S("a"), N(), S("a"), S("a")};
    run1("ATTR", &wr_type_string, 4, same3, "a", 0);
    wr_value mixed[] = {S("a"), S("b"), S("a")};
    run1("ATTR", &wr_type_string, 3, mixed, "null", 0);
    wr_value nulls[] = {N(), N()};
    run1("ATTR", &wr_type_int, 2, nulls, "null", 0);
    wr_value ints[] = {I(4), I(4)};
    run1("ATTR", &wr_type_int, 2, ints, "4", 0);
    h x;
    h_open(&x, "ATTR", 1, (const wr_type *[]){&wr_type_int}, NULL);
    assert_string_equal(initial(&x), "null");
    /* once mixed, always mixed */
    wr_buf s;
    wr_buf_init(&s);
    s_init(&x, &s);
    wr_value one = I(1), two = I(2);
    s_add(&x, &s, &one, 1);
    s_add(&x, &s, &two, 2);
    s_add(&x, &s, &one, 3);
    assert_string_equal(s_result(&x, &s), "null");
    wr_buf_fini(&s);
    h_close(&x);
}

static void test_sum_list(void **state)
{
    (void)state;
    wr_arena ta;
    wr_arena_init(&ta, 0);
    wr_value a1 = wr_array(&VA, 3), a2 = wr_array(&VA, 1), a3 = wr_array(&VA, 0);
    a1.u.items[0] = I(1);
    a1.u.items[1] = I(2);
    a2.u.items[0] = I(3);
    wr_value vals[] = {a1, N(), a2, a3};
    run1("SUM_LIST", wr_type_array(&ta, &wr_type_int), 4, vals, "6", 1);
    wr_value nulls[] = {N()};
    run1("SUM_LIST", wr_type_array(&ta, &wr_type_int), 1, nulls, "0", 1);
    wr_value d1 = wr_array(&VA, 2);
    d1.u.items[0] = D(1.5);
    d1.u.items[1] = D(2);
    wr_value dvals[] = {d1, d1};
    run1("SUM_LIST", wr_type_array(&ta, &wr_type_double), 2, dvals, "7.0", 1);
    wr_value l1 = wr_array(&VA, 1);
    l1.u.items[0] = L(INT64_C(10000000000));
    wr_value lvals[] = {l1, l1};
    run1("SUM_LIST", wr_type_array(&ta, &wr_type_bigint), 2, lvals, "20000000000", 1);
    h x;
    h_open(&x, "SUM_LIST", 1, (const wr_type *[]){wr_type_array(&ta, &wr_type_bigint)}, NULL);
    assert_true(wr_type_equal(x.call.result_type, &wr_type_bigint));
    h_close(&x);
    wr_arena_fini(&ta);
}

/* ---------------------------------------------------------------- wrong arguments */

static void expect_error(const char *name, int argc, const wr_type *const *argt,
                         const wr_value *const *lit, const char *msg)
{
    h x;
    wr_error err;
    int rc = h_try(&x, name, argc, argt, lit, &err);
    if (rc != WR_ESEMANTIC || strcmp(err.msg, msg))
        fprintf(stderr, "%s: rc %d msg '%s' want '%s'\n", name, rc, err.msg, msg);
    assert_int_equal(rc, WR_ESEMANTIC);
    assert_string_equal(err.msg, msg);
    h_close(&x);
}

static void test_wrong_args(void **state)
{
    (void)state;
    wr_arena ta;
    wr_arena_init(&ta, 0);
    const wr_type *s = &wr_type_string, *i = &wr_type_int, *b = &wr_type_boolean;
    const wr_type *arr_s = wr_type_array(&ta, s);
    const wr_type *map = wr_type_map(&ta, s, i);
    expect_error("SUM", 1, &s, NULL, "Function 'SUM' does not accept parameters (STRING).");
    expect_error("SUM", 2, (const wr_type *[]){i, i}, NULL,
                 "Function 'SUM' does not accept parameters (INTEGER, INTEGER).");
    expect_error("SUM", 0, NULL, NULL, "Function 'SUM' does not accept parameters ().");
    expect_error("SUM", 1, (const wr_type *[]){&wr_type_null}, NULL,
                 "Function 'SUM' does not accept parameters (null).");
    expect_error("AVG", 1, &b, NULL, "Function 'AVG' does not accept parameters (BOOLEAN).");
    expect_error("MIN", 1, &b, NULL, "Function 'MIN' does not accept parameters (BOOLEAN).");
    expect_error("MAX", 1, &arr_s, NULL,
                 "Function 'MAX' does not accept parameters (ARRAY<STRING>).");
    expect_error("COUNT", 2, (const wr_type *[]){i, i}, NULL,
                 "Function 'COUNT' does not accept parameters (INTEGER, INTEGER).");
    expect_error("HISTOGRAM", 1, &i, NULL,
                 "Function 'HISTOGRAM' does not accept parameters (INTEGER).");
    expect_error("STDDEV_SAMP", 1, &s, NULL,
                 "Function 'STDDEV_SAMP' does not accept parameters (STRING).");
    expect_error("CORRELATION", 2, (const wr_type *[]){s, i}, NULL,
                 "Function 'CORRELATION' does not accept parameters (STRING, INTEGER).");
    expect_error("CORRELATION", 1, &i, NULL,
                 "Function 'CORRELATION' does not accept parameters (INTEGER).");
    expect_error("SUM_LIST", 1, &arr_s, NULL,
                 "Function 'SUM_LIST' does not accept parameters (ARRAY<STRING>).");
    expect_error("SUM_LIST", 1, &i, NULL,
                 "Function 'SUM_LIST' does not accept parameters (INTEGER).");
    expect_error("COLLECT_LIST", 2, (const wr_type *[]){i, i}, NULL,
                 "Function 'COLLECT_LIST' does not accept parameters (INTEGER, INTEGER).");
    expect_error("COLLECT_SET", 1, (const wr_type *[]){&wr_type_null}, NULL,
                 "Function 'COLLECT_SET' does not accept parameters (null).");
    expect_error("COUNT_DISTINCT", 0, NULL, NULL,
                 "Function 'COUNT_DISTINCT' does not accept parameters ().");
    expect_error("ATTR", 2, (const wr_type *[]){i, i}, NULL,
                 "Function 'ATTR' does not accept parameters (INTEGER, INTEGER).");
    /* TOPK: k is a positive INT literal */
    wr_value k0 = I(0), k2 = I(2), yes = wr_bool(1);
    expect_error("TOPK", 1, &i, NULL, "Function 'TOPK' does not accept parameters (INTEGER).");
    expect_error("TOPK", 2, (const wr_type *[]){b, i}, (const wr_value *[]){NULL, &k2},
                 "Function 'TOPK' does not accept parameters (BOOLEAN, INTEGER).");
    expect_error("TOPK", 2, (const wr_type *[]){i, s}, NULL,
                 "Function 'TOPK' does not accept parameters (INTEGER, STRING).");
    expect_error("TOPK", 2, (const wr_type *[]){i, i}, NULL,
                 "Function 'TOPK' requires a literal for its parameter k.");
    expect_error("TOPKDISTINCT", 2, (const wr_type *[]){i, i}, (const wr_value *[]){NULL, &k0},
                 "Function 'TOPKDISTINCT' requires k to be a positive integer, got 0.");
    /* *_BY_OFFSET: N a positive INT literal, ignoreNulls a BOOLEAN literal */
    expect_error("LATEST_BY_OFFSET", 2, (const wr_type *[]){i, s}, NULL,
                 "Function 'LATEST_BY_OFFSET' does not accept parameters (INTEGER, STRING).");
    expect_error("LATEST_BY_OFFSET", 2, (const wr_type *[]){i, i}, (const wr_value *[]){NULL, &k0},
                 "Function 'LATEST_BY_OFFSET' requires N to be a positive integer, got 0.");
    wr_value huge = L(INT64_C(10000000000));
    expect_error("LATEST_BY_OFFSET", 2, (const wr_type *[]){i, &wr_type_bigint},
                 (const wr_value *[]){NULL, &huge},
                 "Function 'LATEST_BY_OFFSET' requires N to be a positive integer, got 10000000000.");
    expect_error("EARLIEST_BY_OFFSET", 2, (const wr_type *[]){i, b}, NULL,
                 "Function 'EARLIEST_BY_OFFSET' requires a literal for its parameter ignoreNulls.");
    expect_error("EARLIEST_BY_OFFSET", 3, (const wr_type *[]){i, b, i},
                 (const wr_value *[]){NULL, &yes, &k2},
                 "Function 'EARLIEST_BY_OFFSET' does not accept parameters (INTEGER, BOOLEAN, INTEGER).");
    expect_error("LATEST_BY_OFFSET", 4, (const wr_type *[]){i, i, b, b}, NULL,
                 "Function 'LATEST_BY_OFFSET' does not accept parameters (INTEGER, INTEGER, BOOLEAN, BOOLEAN).");
    expect_error("LATEST_BY_OFFSET", 0, NULL, NULL,
                 "Function 'LATEST_BY_OFFSET' does not accept parameters ().");
    (void)map;
    wr_arena_fini(&ta);
}

/* ---------------------------------------------------------------- robustness */

/* Every function: NULL arguments, values of the wrong kind, NULL and malformed states, NULL
 * other states - none may crash (run under valgrind/ASan), and results still conform. */
static void test_robust(void **state)
{
    (void)state;
    wr_arena ta;
    wr_arena_init(&ta, 0);
    wr_value two = I(2), no = wr_bool(0);
    struct {
        const char *name;
        int argc;
        const wr_type *argt[3];
        const wr_value *lit[3];
    } cases[] = {
        {"ATTR", 1, {&wr_type_string}, {NULL}},
        {"AVG", 1, {wr_type_decimal(&ta, 5, 2)}, {NULL}},
        {"AVG", 1, {&wr_type_int}, {NULL}},
        {"COLLECT_LIST", 1, {&wr_type_int}, {NULL}},
        {"COLLECT_SET", 1, {&wr_type_string}, {NULL}},
        {"CORRELATION", 2, {&wr_type_double, &wr_type_double}, {NULL}},
        {"COUNT", 1, {&wr_type_int}, {NULL}},
        {"COUNT_DISTINCT", 1, {&wr_type_int}, {NULL}},
        {"EARLIEST_BY_OFFSET", 3, {&wr_type_int, &wr_type_int, &wr_type_boolean}, {NULL, &two, &no}},
        {"EARLIEST_BY_OFFSET", 1, {&wr_type_int}, {NULL}},
        {"HISTOGRAM", 1, {&wr_type_string}, {NULL}},
        {"LATEST_BY_OFFSET", 2, {&wr_type_int, &wr_type_int}, {NULL, &two}},
        {"LATEST_BY_OFFSET", 2, {&wr_type_int, &wr_type_boolean}, {NULL, &no}},
        {"MAX", 1, {&wr_type_int}, {NULL}},
        {"MIN", 1, {&wr_type_string}, {NULL}},
        {"STDDEV_SAMP", 1, {&wr_type_int}, {NULL}},
        {"SUM", 1, {wr_type_decimal(&ta, 5, 2)}, {NULL}},
        {"SUM", 1, {&wr_type_int}, {NULL}},
        {"SUM_LIST", 1, {wr_type_array(&ta, &wr_type_int)}, {NULL}},
        {"TOPK", 2, {&wr_type_int, &wr_type_int}, {NULL, &two}},
        {"TOPKDISTINCT", 2, {&wr_type_string, &wr_type_int}, {NULL, &two}},
    };
    wr_value junk_arr = wr_array(&VA, 2);
    junk_arr.u.items[0] = S("x");
    wr_value junk_struct = wr_struct(&VA, 1);
    junk_struct.u.items[0] = S("y");
    wr_value junk[] = {N(), S("str"), I(7), D(1.5), wr_bool(1), junk_arr, junk_struct,
                       DEC(12345, 4), wr_map(&VA, 0)};
    int nj = (int)(sizeof junk / sizeof junk[0]);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        h x;
        h_open(&x, cases[c].name, cases[c].argc, cases[c].argt, cases[c].lit);
        const wr_agg_def *d = x.call.def;
        for (int si = 0; si < nj; si++) {       /* the state */
            for (int ai = 0; ai < nj; ai++) {   /* the arguments */
                wr_arena_reset(&x.a);
                wr_value args[WR_AGG_MAXARGS] = {junk[ai], junk[(ai + 1) % nj], junk[ai], junk[ai]};
                wr_value st = junk[si], out;
                d->add(&x.call, &x.a, &st, args, ai);
                if (d->retract) d->retract(&x.call, &x.a, &st, args, ai);
                d->add(&x.call, &x.a, &st, args, ai);
                d->merge(&x.call, &x.a, &st, &junk[ai]);
                d->result(&x.call, &x.a, &st, &out);
                /* a real state merged with junk, and junk merged with a real state */
                wr_value real, junkst = junk[si];
                d->init(&x.call, &x.a, &real);
                d->add(&x.call, &x.a, &real, args, 1);
                d->merge(&x.call, &x.a, &real, &junk[si]);
                d->merge(&x.call, &x.a, &junkst, &real);
                d->result(&x.call, &x.a, &real, &out);
                assert_true(conforms(&out, x.call.result_type) || ai || si);
                d->result(&x.call, &x.a, &junkst, &out);
            }
        }
        /* all-null rows from a fresh state give the initial result */
        wr_buf s;
        wr_buf_init(&s);
        char init[512];
        snprintf(init, sizeof init, "%s", initial(&x));
        wr_value nulls[WR_AGG_MAXARGS] = {{0}};
        s_init(&x, &s);
        s_add(&x, &s, nulls, 1);
        s_add(&x, &s, nulls, 2);
        if (!strcmp(cases[c].name, "COLLECT_LIST") || !strcmp(cases[c].name, "COLLECT_SET") ||
            cases[c].lit[1] == &no || cases[c].lit[2] == &no) {
            /* these keep NULLs */
        } else {
            expect_res(s_result(&x, &s), init, cases[c].name);
        }
        wr_buf_fini(&s);
        h_close(&x);
    }
    wr_arena_fini(&ta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_avg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_min_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_distinct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_by_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_topk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_histogram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stddev, setup, teardown),
        cmocka_unit_test_setup_teardown(test_correlation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sum_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_args, setup, teardown),
        cmocka_unit_test_setup_teardown(test_robust, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
