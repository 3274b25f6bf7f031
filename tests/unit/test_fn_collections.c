/*
 * test_fn_collections.c - ARRAY, MAP, lambda and table functions (fn_array.c, fn_map.c,
 * fn_lambda.c, fn_table.c), called through the registry as the evaluator calls them.
 */
#include "fn_harness.h"

#define TI (&wr_type_int)
#define TL (&wr_type_bigint)
#define TD (&wr_type_double)
#define TS (&wr_type_string)
#define TB (&wr_type_boolean)
#define TN (&wr_type_null)

static int setup(void **state)
{
    (void)state;
    harness_setup();
    return 0;
}

/* ---------------------------------------------------------------- ARRAY_* */

static void test_array_concat(void **state)
{
    (void)state;
    fcall c = {"ARRAY_CONCAT", 2, {ARR(TI), ARR(TI)}, {J("[1,2]", ARR(TI)), J("[2,null]", ARR(TI))}};
    EXPECT(&c, "[1, 2, 2, null]");
    assert_string_equal(rtype_text(&c), "ARRAY<INTEGER>");
    c.argv[0] = wr_null();
    EXPECT(&c, "[2, null]");
    c.argv[1] = wr_null();
    EXPECT(&c, "null");
    /* INT and BIGINT arrays widen */
    fcall w = {"ARRAY_CONCAT", 2, {ARR(TI), ARR(TL)}, {J("[1]", ARR(TI)), J("[5000000000]", ARR(TL))}};
    EXPECT(&w, "[1, 5000000000]");
    assert_string_equal(rtype_text(&w), "ARRAY<BIGINT>");
    fcall bad = {"ARRAY_CONCAT", 2, {ARR(TI), ARR(TS)}, {wr_null(), wr_null()}};
    assert_int_equal(run(&bad), -100);
    assert_string_equal(bad.errmsg,
                        "Function 'ARRAY_CONCAT' does not accept parameters (ARRAY<INTEGER>, ARRAY<STRING>).");
}

static void test_array_contains_remove(void **state)
{
    (void)state;
    fcall c = {"ARRAY_CONTAINS", 2, {ARR(TI), TI}, {J("[1,null,3]", ARR(TI)), wr_int(3)}};
    EXPECT(&c, "true");
    c.argv[1] = wr_int(4);
    EXPECT(&c, "false");
    c.argv[1] = wr_null();
    EXPECT(&c, "true");
    c.argv[0] = wr_null();
    EXPECT(&c, "false");
    fcall s = {"ARRAY_CONTAINS", 2, {ARR(TS), TS}, {J("[\"a\",\"b\"]", ARR(TS)), S("b")}};
    EXPECT(&s, "true");
    fcall bad = {"ARRAY_CONTAINS", 2, {ARR(TS), TI}, {wr_null(), wr_int(1)}};
    assert_int_equal(run(&bad), -100);

    fcall r = {"ARRAY_REMOVE", 2, {ARR(TI), TI}, {J("[1,2,null,2,3]", ARR(TI)), wr_int(2)}};
    EXPECT(&r, "[1, null, 3]");
    r.argv[1] = wr_null();
    EXPECT(&r, "[1, 2, 2, 3]");
    r.argv[0] = wr_null();
    EXPECT(&r, "null");
}

static void test_array_sets(void **state)
{
    (void)state;
    fcall d = {"ARRAY_DISTINCT", 1, {ARR(TS)}, {J("[\"b\",\"a\",null,\"b\",null,\"a\"]", ARR(TS))}};
    EXPECT(&d, "[b, a, null]");
    d.argv[0] = J("[]", ARR(TS));
    EXPECT(&d, "[]");
    d.argv[0] = wr_null();
    EXPECT(&d, "null");

    fcall e = {"ARRAY_EXCEPT", 2, {ARR(TI), ARR(TI)},
               {J("[1,2,3,1,null,4]", ARR(TI)), J("[2,4]", ARR(TI))}};
    EXPECT(&e, "[1, 3, null]");
    e.argv[1] = J("[]", ARR(TI));
    EXPECT(&e, "[1, 2, 3, null, 4]");
    e.argv[1] = wr_null();
    EXPECT(&e, "null");

    fcall i = {"ARRAY_INTERSECT", 2, {ARR(TI), ARR(TI)},
               {J("[3,1,2,3,null]", ARR(TI)), J("[null,3,2,5]", ARR(TI))}};
    EXPECT(&i, "[3, 2, null]");
    i.argv[0] = wr_null();
    EXPECT(&i, "null");

    fcall u = {"ARRAY_UNION", 2, {ARR(TI), ARR(TI)},
               {J("[1,2,1]", ARR(TI)), J("[3,2,null,null]", ARR(TI))}};
    EXPECT(&u, "[1, 2, 3, null]");
    u.argv[1] = wr_null();
    EXPECT(&u, "null");
    /* many elements: exercises the hash set growth */
    char big[8192] = "[";
    for (int k = 0; k < 1000; k++)
        snprintf(big + strlen(big), sizeof big - strlen(big), "%s%d", k ? "," : "", k % 500);
    strcat(big, "]");
    fcall b = {"ARRAY_DISTINCT", 1, {ARR(TI)}, {J(big, ARR(TI))}};
    assert_int_equal(run(&b), 0);
    assert_int_equal(b.out.len, 500);
    assert_int_equal(b.out.u.items[499].u.i, 499);
}

static void test_array_join(void **state)
{
    (void)state;
    fcall j = {"ARRAY_JOIN", 1, {ARR(TI)}, {J("[1,null,3]", ARR(TI))}};
    EXPECT(&j, "1,null,3");
    fcall d = {"ARRAY_JOIN", 2, {ARR(TD), TS}, {J("[1.5,2,1e7]", ARR(TD)), S(" | ")}};
    EXPECT(&d, "1.5 | 2.0 | 1.0E7");
    d.argv[1] = wr_null();
    EXPECT(&d, "1.52.01.0E7");
    d.argv[0] = wr_null();
    EXPECT(&d, "null");
    fcall b = {"ARRAY_JOIN", 2, {ARR(TB), TS}, {J("[true,false]", ARR(TB)), S("")}};
    EXPECT(&b, "truefalse");
    fcall e = {"ARRAY_JOIN", 1, {ARR(TS)}, {J("[]", ARR(TS))}};
    EXPECT(&e, "");
    fcall bad = {"ARRAY_JOIN", 1, {ARR(ARR(TI))}, {wr_null()}};
    assert_int_equal(run(&bad), -100);
}

static void test_array_length_max_min(void **state)
{
    (void)state;
    fcall l = {"ARRAY_LENGTH", 1, {ARR(TS)}, {J("[\"a\",null]", ARR(TS))}};
    EXPECT(&l, "2");
    assert_string_equal(rtype_text(&l), "INTEGER");
    l.argv[0] = wr_null();
    EXPECT(&l, "null");

    fcall mx = {"ARRAY_MAX", 1, {ARR(TI)}, {J("[3,null,7,-1]", ARR(TI))}};
    EXPECT(&mx, "7");
    fcall mn = {"ARRAY_MIN", 1, {ARR(TI)}, {J("[3,null,7,-1]", ARR(TI))}};
    EXPECT(&mn, "-1");
    mn.argv[0] = J("[null,null]", ARR(TI));
    EXPECT(&mn, "null");
    mn.argv[0] = J("[]", ARR(TI));
    EXPECT(&mn, "null");
    fcall ms = {"ARRAY_MAX", 1, {ARR(TS)}, {J("[\"apple\",\"Zebra\",\"banana\"]", ARR(TS))}};
    EXPECT(&ms, "banana");
    fcall mb = {"ARRAY_MIN", 1, {ARR(TB)}, {J("[true,false,true]", ARR(TB))}};
    EXPECT(&mb, "false");
    fcall bad = {"ARRAY_MAX", 1, {ARR(MAP(TI))}, {wr_null()}};
    assert_int_equal(run(&bad), -100);
}

static void test_array_sort(void **state)
{
    (void)state;
    fcall s = {"ARRAY_SORT", 1, {ARR(TI)}, {J("[3,null,1,2,null]", ARR(TI))}};
    EXPECT(&s, "[1, 2, 3, null, null]");
    fcall d = {"ARRAY_SORT", 2, {ARR(TS), TS}, {J("[\"b\",null,\"c\",\"a\"]", ARR(TS)), S("desc")}};
    EXPECT(&d, "[c, b, a, null]");
    d.argv[1] = S("Descending");
    EXPECT(&d, "[c, b, a, null]");
    d.argv[1] = S("ascending");
    EXPECT(&d, "[a, b, c, null]");
    d.argv[1] = S("up");
    EXPECT(&d, "null");
    d.argv[1] = wr_null();
    EXPECT(&d, "null");
    fcall f = {"ARRAY_SORT", 1, {ARR(TD)}, {J("[2.5,-1.0,1e3]", ARR(TD))}};
    EXPECT(&f, "[-1.0, 2.5, 1000.0]");
    /* the input is not modified */
    fcall in = {"ARRAY_SORT", 1, {ARR(TI)}, {J("[2,1]", ARR(TI))}};
    EXPECT(&in, "[1, 2]");
    assert_int_equal(in.argv[0].u.items[0].u.i, 2);
}

static void test_generate_series(void **state)
{
    (void)state;
    fcall g = {"GENERATE_SERIES", 2, {TI, TI}, {wr_int(1), wr_int(5)}};
    EXPECT(&g, "[1, 2, 3, 4, 5]");
    assert_string_equal(rtype_text(&g), "ARRAY<INTEGER>");
    g.argv[0] = wr_int(3);
    g.argv[1] = wr_int(0);
    EXPECT(&g, "[3, 2, 1, 0]");
    g.argv[1] = wr_int(3);
    EXPECT(&g, "[3]");
    fcall s = {"GENERATE_SERIES", 3, {TI, TI, TI}, {wr_int(0), wr_int(9), wr_int(4)}};
    EXPECT(&s, "[0, 4, 8]");
    s.argv[0] = wr_int(10);
    s.argv[1] = wr_int(1);
    s.argv[2] = wr_int(-3);
    EXPECT(&s, "[10, 7, 4, 1]");
    s.argv[2] = wr_int(3);
    assert_int_equal(run(&s), WR_EDATA);
    assert_string_equal(s.errmsg, "GENERATE_SERIES step has wrong sign");
    s.argv[2] = wr_int(0);
    assert_int_equal(run(&s), WR_EDATA);
    assert_string_equal(s.errmsg, "GENERATE_SERIES step cannot be zero");
    s.argv[2] = wr_null();
    EXPECT(&s, "null");
    fcall l = {"GENERATE_SERIES", 3, {TL, TL, TI}, {wr_bigint(5000000000LL), wr_bigint(5000000002LL), wr_int(1)}};
    EXPECT(&l, "[5000000000, 5000000001, 5000000002]");
    assert_string_equal(rtype_text(&l), "ARRAY<BIGINT>");
    fcall m = {"GENERATE_SERIES", 2, {TI, TL}, {wr_int(1), wr_bigint(2)}};
    EXPECT(&m, "[1, 2]");
    assert_string_equal(rtype_text(&m), "ARRAY<BIGINT>");
    fcall bad = {"GENERATE_SERIES", 2, {TS, TI}, {S("1"), wr_int(2)}};
    assert_int_equal(run(&bad), -100);
}

static void test_slice(void **state)
{
    (void)state;
    fcall s = {"SLICE", 3, {ARR(TS), TI, TI}, {J("[\"a\",\"b\",\"c\",\"d\"]", ARR(TS)), wr_int(2), wr_int(3)}};
    EXPECT(&s, "[b, c]");
    s.argv[1] = wr_null();
    EXPECT(&s, "[a, b, c]");
    s.argv[2] = wr_null();
    EXPECT(&s, "[a, b, c, d]");
    s.argv[1] = wr_int(4);
    EXPECT(&s, "[d]");
    s.argv[1] = wr_int(5);
    EXPECT(&s, "[]");
    s.argv[1] = wr_int(0);
    EXPECT(&s, "null");
    s.argv[1] = wr_int(1);
    s.argv[2] = wr_int(5);
    EXPECT(&s, "null");
    s.argv[1] = wr_int(3);
    s.argv[2] = wr_int(2);
    EXPECT(&s, "[]"); /* subList(2, 2) */
    s.argv[1] = wr_int(4);
    EXPECT(&s, "null");
    s.argv[0] = wr_null();
    EXPECT(&s, "null");
}

static void test_entries(void **state)
{
    (void)state;
    fcall e = {"ENTRIES", 2, {MAP(TI), TB}, {J("{\"b\":2,\"a\":1,\"c\":null}", MAP(TI)), wr_bool(1)}};
    EXPECT(&e, "[{K=a, V=1}, {K=b, V=2}, {K=c, V=null}]");
    assert_int_equal(e.rtype->kind, WR_ARRAY);
    assert_int_equal(e.rtype->elem->nfields, 2);
    assert_string_equal(e.rtype->elem->fields[0].name, "K");
    assert_string_equal(e.rtype->elem->fields[1].name, "V");
    assert_true(wr_type_equal(e.rtype->elem->fields[1].type, TI));
    e.argv[1] = wr_bool(0); /* Java HashMap order: buckets of a 4-slot table */
    EXPECT(&e, "[{K=a, V=1}, {K=b, V=2}, {K=c, V=null}]");
    e.argv[1] = wr_null();
    EXPECT(&e, "null");
    e.argv[0] = wr_null();
    e.argv[1] = wr_bool(1);
    EXPECT(&e, "null");
}

/* ---------------------------------------------------------------- MAP_* */

static void test_maps(void **state)
{
    (void)state;
    fcall a = {"AS_MAP", 2, {ARR(TS), ARR(TI)}, {J("[\"a\",\"b\",\"a\",\"c\"]", ARR(TS)), J("[1,2,3]", ARR(TI))}};
    EXPECT(&a, "{a=3, b=2, c=null}");
    assert_string_equal(rtype_text(&a), "MAP<STRING, INTEGER>");
    a.argv[1] = wr_null();
    EXPECT(&a, "null");

    fcall k = {"MAP_KEYS", 1, {MAP(TI)}, {J("{\"x\":1,\"y\":null}", MAP(TI))}};
    EXPECT(&k, "[x, y]");
    assert_string_equal(rtype_text(&k), "ARRAY<STRING>");
    k.argv[0] = wr_null();
    EXPECT(&k, "null");
    /* Java HashMap order of new HashMap<>(3): "bar" and "baz" share bucket 2, "foo" is in 3 */
    k.argv[0] = J("{\"foo\":1,\"bar\":2,\"baz\":3}", MAP(TI));
    EXPECT(&k, "[bar, baz, foo]");
    /* 13 keys: the table grows to 32 slots; a non-ASCII key hashes by UTF-16 units */
    k.argv[0] = J("{\"k1\":1,\"k2\":1,\"k3\":1,\"k4\":1,\"k5\":1,\"k6\":1,\"k7\":1,"
                  "\"k8\":1,\"k9\":1,\"k10\":1,\"k11\":1,\"k12\":1,\"é\":1}", MAP(TI));
    EXPECT(&k, "[k1, k2, k3, k4, é, k5, k11, k6, k10, k7, k8, k12, k9]");
    fcall v = {"MAP_VALUES", 1, {MAP(TI)}, {J("{\"x\":1,\"y\":null}", MAP(TI))}};
    EXPECT(&v, "[1, null]");
    assert_string_equal(rtype_text(&v), "ARRAY<INTEGER>");

    fcall u = {"MAP_UNION", 2, {MAP(TI), MAP(TI)},
               {J("{\"a\":1,\"b\":2}", MAP(TI)), J("{\"b\":20,\"c\":30}", MAP(TI))}};
    EXPECT(&u, "{a=1, b=20, c=30}");
    u.argv[0] = wr_null();
    EXPECT(&u, "{b=20, c=30}");
    u.argv[1] = wr_null();
    EXPECT(&u, "null");
    fcall bad = {"MAP_UNION", 2, {MAP(TI), MAP(TS)}, {wr_null(), wr_null()}};
    assert_int_equal(run(&bad), -100);
}

/* ---------------------------------------------------------------- lambdas */

static int lam_double(int argc, const wr_value *argv, wr_value *out)
{
    assert_int_equal(argc, 1);
    *out = wr_is_null(&argv[0]) ? wr_null() : wr_int((int32_t)(argv[0].u.i * 2));
    return 0;
}

static int lam_even(int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_is_null(&argv[0]) ? wr_null() : wr_bool(argv[0].u.i % 2 == 0);
    return 0;
}

static int lam_gt1(int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_bool(!wr_is_null(&argv[0]) && argv[0].u.i > 1);
    return 0;
}

/* (k, v) => UCASE(k) */
static int lam_upper_key(int argc, const wr_value *argv, wr_value *out)
{
    assert_int_equal(argc, 2);
    *out = wr_str_copy(A(), wr_upper(A(), argv[0].u.s, argv[0].len), argv[0].len);
    return 0;
}

/* (k, v) => v + 1 */
static int lam_inc_value(int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_is_null(&argv[1]) ? wr_null() : wr_int((int32_t)(argv[1].u.i + 1));
    return 0;
}

/* (k, v) => 'same' */
static int lam_const_key(int argc, const wr_value *argv, wr_value *out)
{
    *out = S("same");
    return 0;
}

/* (k, v) => v > 1 */
static int lam_value_gt1(int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_bool(!wr_is_null(&argv[1]) && argv[1].u.i > 1);
    return 0;
}

/* (s, x) => s + x */
static int lam_sum(int argc, const wr_value *argv, wr_value *out)
{
    assert_int_equal(argc, 2);
    if (wr_is_null(&argv[0]) || wr_is_null(&argv[1]))
        *out = wr_null();
    else
        *out = wr_int((int32_t)(argv[0].u.i + argv[1].u.i));
    return 0;
}

/* (s, k, v) => s + v */
static int lam_sum_values(int argc, const wr_value *argv, wr_value *out)
{
    assert_int_equal(argc, 3);
    *out = wr_int((int32_t)(argv[0].u.i + argv[2].u.i));
    return 0;
}

static void test_transform(void **state)
{
    (void)state;
    fcall t = {"TRANSFORM", 2, {ARR(TI), NULL}, {J("[1,null,3]", ARR(TI))}, {NULL, TI}, {0, 1},
               {NULL, lam_double}};
    EXPECT(&t, "[2, null, 6]");
    assert_true(wr_type_equal(t.ptypes[1][0], TI));
    assert_string_equal(rtype_text(&t), "ARRAY<INTEGER>");
    t.argv[0] = wr_null();
    EXPECT(&t, "null");
    t.nparams[1] = 2;
    assert_int_equal(run(&t), -100);

    fcall m = {"TRANSFORM", 3, {MAP(TI), NULL, NULL}, {J("{\"a\":1,\"b\":2}", MAP(TI))},
               {NULL, TS, TI}, {0, 2, 2}, {NULL, lam_upper_key, lam_inc_value}};
    EXPECT(&m, "{A=2, B=3}");
    assert_string_equal(rtype_text(&m), "MAP<STRING, INTEGER>");
    assert_true(wr_type_equal(m.ptypes[1][0], TS));
    assert_true(wr_type_equal(m.ptypes[2][1], TI));
    /* Collectors.toMap: NULL values and duplicate keys fail */
    m.argv[0] = J("{\"a\":null}", MAP(TI));
    assert_int_equal(run(&m), WR_EDATA);
    m.argv[0] = J("{\"a\":1,\"b\":2}", MAP(TI));
    m.lam[1] = lam_const_key;
    assert_int_equal(run(&m), WR_EDATA);
}

static void test_filter(void **state)
{
    (void)state;
    fcall f = {"FILTER", 2, {ARR(TI), NULL}, {J("[1,2,3,4]", ARR(TI))}, {NULL, TB}, {0, 1},
               {NULL, lam_even}};
    EXPECT(&f, "[2, 4]");
    assert_string_equal(rtype_text(&f), "ARRAY<INTEGER>");
    /* a NULL predicate fails the call (Boolean unboxing in ksqlDB) */
    f.argv[0] = J("[1,null]", ARR(TI));
    assert_int_equal(run(&f), WR_EDATA);
    f.lam[1] = lam_gt1;
    f.argv[0] = J("[1,null,5]", ARR(TI));
    EXPECT(&f, "[5]");
    f.body[1] = TI;
    assert_int_equal(run(&f), -100);

    fcall m = {"FILTER", 2, {MAP(TI), NULL}, {J("{\"a\":1,\"b\":2,\"c\":3}", MAP(TI))}, {NULL, TB},
               {0, 2}, {NULL, lam_value_gt1}};
    EXPECT(&m, "{b=2, c=3}");
    m.argv[0] = wr_null();
    EXPECT(&m, "null");
}

static void test_reduce(void **state)
{
    (void)state;
    fcall r = {"REDUCE", 3, {ARR(TI), TI, NULL}, {J("[1,2,3]", ARR(TI)), wr_int(10)}, {NULL, NULL, TI},
               {0, 0, 2}, {NULL, NULL, lam_sum}};
    EXPECT(&r, "16");
    assert_true(wr_type_equal(r.ptypes[2][0], TI));
    assert_true(wr_type_equal(r.ptypes[2][1], TI));
    assert_string_equal(rtype_text(&r), "INTEGER");
    r.argv[0] = wr_null();
    EXPECT(&r, "10");
    r.argv[0] = J("[]", ARR(TI));
    EXPECT(&r, "10");
    r.argv[0] = J("[1]", ARR(TI));
    r.argv[1] = wr_null();
    EXPECT(&r, "null");
    /* the body must give the state type */
    r.body[2] = TL;
    assert_int_equal(run(&r), -100);

    fcall m = {"REDUCE", 3, {MAP(TI), TI, NULL}, {J("{\"a\":1,\"b\":2}", MAP(TI)), wr_int(0)},
               {NULL, NULL, TI}, {0, 0, 3}, {NULL, NULL, lam_sum_values}};
    EXPECT(&m, "3");
    assert_true(wr_type_equal(m.ptypes[2][1], TS));
    m.nparams[2] = 2;
    assert_int_equal(run(&m), -100);
}

/* ---------------------------------------------------------------- table functions */

static void test_explode(void **state)
{
    (void)state;
    fcall e = {"EXPLODE", 1, {ARR(TS)}, {J("[\"a\",null,\"b\"]", ARR(TS))}};
    EXPECT(&e, "[a, null, b]");
    assert_string_equal(rtype_text(&e), "STRING");
    assert_true(wr_fn_lookup("EXPLODE")->flags & WR_FN_TABLE);
    e.argv[0] = wr_null();
    EXPECT(&e, "[]");
}

static void test_cube_explode(void **state)
{
    (void)state;
    fcall c = {"CUBE_EXPLODE", 1, {ARR(TI)}, {J("[1,2]", ARR(TI))}};
    EXPECT(&c, "[[null, null], [null, 2], [1, null], [1, 2]]");
    assert_string_equal(rtype_text(&c), "ARRAY<INTEGER>");
    c.argv[0] = J("[1,null,3]", ARR(TI));
    EXPECT(&c, "[[null, null, null], [null, null, 3], [1, null, null], [1, null, 3]]");
    c.argv[0] = J("[null]", ARR(TI));
    EXPECT(&c, "[[null]]");
    c.argv[0] = J("[null,1,null,2,null]", ARR(TI));
    EXPECT(&c, "[[null, null, null, null, null], [null, null, null, 2, null], "
               "[null, 1, null, null, null], [null, 1, null, 2, null]]");
    /* 31 elements, two of them set: four rows, no walk over 2^31 masks */
    char big[256] = "[5";
    for (int k = 1; k < 30; k++)
        strcat(big, ",null");
    strcat(big, ",6]");
    c.argv[0] = J(big, ARR(TI));
    assert_int_equal(run(&c), 0);
    assert_int_equal(c.out.len, 4);
    assert_int_equal(c.out.u.items[1].u.items[30].u.i, 6);
    assert_int_equal(c.out.u.items[2].u.items[0].u.i, 5);
    c.argv[0] = J("[]", ARR(TI));
    EXPECT(&c, "[[]]");
    c.argv[0] = wr_null();
    EXPECT(&c, "[]");
}

static void test_registry_metadata(void **state)
{
    (void)state;
    const char *names[] = {"ARRAY_CONCAT", "ARRAY_CONTAINS", "ARRAY_DISTINCT", "ARRAY_EXCEPT",
                           "ARRAY_INTERSECT", "ARRAY_JOIN", "ARRAY_LENGTH", "ARRAY_MAX",
                           "ARRAY_MIN", "ARRAY_REMOVE", "ARRAY_SORT", "ARRAY_UNION",
                           "GENERATE_SERIES", "SLICE", "ENTRIES", "AS_MAP", "MAP_KEYS",
                           "MAP_UNION", "MAP_VALUES", "TRANSFORM", "FILTER", "REDUCE",
                           "EXPLODE", "CUBE_EXPLODE"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const wr_scalar_def *d = wr_fn_lookup(names[i]);
        assert_non_null(d);
        assert_non_null(d->category);
        assert_non_null(d->description);
        assert_non_null(d->variants);
        assert_non_null(d->variants[0]);
        assert_true(strncmp(d->variants[0], names[i], strlen(names[i])) == 0);
        assert_true(!(d->flags & WR_FN_LAMBDA) == !d->lambda_params);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_array_concat),
        cmocka_unit_test(test_array_contains_remove),
        cmocka_unit_test(test_array_sets),
        cmocka_unit_test(test_array_join),
        cmocka_unit_test(test_array_length_max_min),
        cmocka_unit_test(test_array_sort),
        cmocka_unit_test(test_generate_series),
        cmocka_unit_test(test_slice),
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_transform),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_reduce),
        cmocka_unit_test(test_explode),
        cmocka_unit_test(test_cube_explode),
        cmocka_unit_test(test_registry_metadata),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
