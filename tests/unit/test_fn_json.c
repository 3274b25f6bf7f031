/*
 * test_fn_json.c - JSON functions (fn_json.c), called through the registry as the evaluator
 * calls them.
 */
#include "fn_harness.h"

#define TI (&wr_type_int)
#define TL (&wr_type_bigint)
#define TD (&wr_type_double)
#define TS (&wr_type_string)
#define TB (&wr_type_boolean)

static int setup(void **state)
{
    (void)state;
    harness_setup();
    return 0;
}

/* EXTRACTJSONFIELD(json, path) as text; "<null>" for NULL, "<error>" for a data error. */
static const char *extract(const char *json, const char *path)
{
    static fcall c;
    memset(&c, 0, sizeof c);
    c.name = "EXTRACTJSONFIELD";
    c.argc = 2;
    c.argt[0] = c.argt[1] = TS;
    c.argv[0] = S(json);
    c.argv[1] = S(path);
    if (run(&c) != 0)
        return "<error>";
    return wr_is_null(&c.out) ? "<null>" : c.text;
}

static void test_extractjsonfield(void **state)
{
    (void)state;
    const char *doc = "{\"a\": {\"b\": [10, {\"c\": \"x y\"}, 2.50, null, true]}, \"s\": \"q\\\"t\", "
                      "\"n\": null, \"e\": {}, \"1\": \"one\", \"k.dot\": 7}";
    assert_string_equal(extract(doc, "$.s"), "q\"t");
    assert_string_equal(extract(doc, "$.a.b[0]"), "10");
    assert_string_equal(extract(doc, "$.a.b[1].c"), "x y");
    assert_string_equal(extract(doc, "$.a.b[1]"), "{\"c\":\"x y\"}");
    assert_string_equal(extract(doc, "$.a.b[2]"), "2.5");
    assert_string_equal(extract(doc, "$.a.b[3]"), "null");
    assert_string_equal(extract(doc, "$.a.b[4]"), "true");
    assert_string_equal(extract(doc, "$.a.b[5]"), "<null>");
    assert_string_equal(extract(doc, "$.a.b[-1]"), "<null>");
    assert_string_equal(extract(doc, "$.a.b.c"), "<null>");
    assert_string_equal(extract(doc, "$.a"), "{\"b\":[10,{\"c\":\"x y\"},2.5,null,true]}");
    assert_string_equal(extract(doc, "$.n"), "null");
    assert_string_equal(extract(doc, "$.e"), "{}");
    assert_string_equal(extract(doc, "$.missing"), "<null>");
    assert_string_equal(extract(doc, "$.s.x"), "<null>");
    assert_string_equal(extract(doc, "$[\"k.dot\"]"), "7");
    assert_string_equal(extract(doc, "$.1"), "one");
    assert_string_equal(extract(doc, "$[1]"), "one");
    assert_string_equal(extract(doc, "$.a[\"b\"][0]"), "10");
    assert_string_equal(extract("[1,[2,3]]", "$[1][0]"), "2");
    assert_string_equal(extract("{\"a\":1}", "$"), "{\"a\":1}");
    assert_string_equal(extract("{\"q\\\"k\":1,\"b\\\\s\":2}", "$[\"q\\\"k\"]"), "1");
    assert_string_equal(extract("{\"q\\\"k\":1,\"b\\\\s\":2}", "$[\"b\\\\s\"]"), "2");
    assert_string_equal(extract("{\"a\":1}", "$[\"a\\x\"]"), "<error>");
    assert_string_equal(extract("{\"a:b\":{\"c-d\":3}}", "$.a:b.c-d"), "3");
    assert_string_equal(extract("\"top\"", "$"), "top");
    /* invalid paths and documents are data errors (NULL result) */
    assert_string_equal(extract(doc, "a.b"), "<error>");
    assert_string_equal(extract(doc, "$.a b"), "<error>");
    assert_string_equal(extract(doc, "$."), "<error>");
    assert_string_equal(extract(doc, "$['s']"), "<error>");
    assert_string_equal(extract("{bad", "$.a"), "<error>");
    assert_string_equal(extract("", "$.a"), "<error>");
    /* Jackson ignores trailing content after a complete document */
    assert_string_equal(extract("{\"a\":1} trailing", "$.a"), "1");
    fcall n = {"EXTRACTJSONFIELD", 2, {TS, TS}, {wr_null(), S("$.a")}};
    EXPECT(&n, "null");
}

static void test_is_json_string(void **state)
{
    (void)state;
    fcall c = {"IS_JSON_STRING", 1, {TS}, {S("{\"a\": [1, 2]}")}};
    EXPECT(&c, "true");
    c.argv[0] = S("[]");
    EXPECT(&c, "true");
    c.argv[0] = S("\"abc\"");
    EXPECT(&c, "true");
    c.argv[0] = S("12");
    EXPECT(&c, "true");
    c.argv[0] = S("abc");
    EXPECT(&c, "false");
    c.argv[0] = S("1 x"); /* Jackson stops after a root value followed by whitespace */
    EXPECT(&c, "true");
    c.argv[0] = S("1x");
    EXPECT(&c, "false");
    c.argv[0] = S("[1] x");
    EXPECT(&c, "true");
    c.argv[0] = S("{\"a\": ");
    EXPECT(&c, "false");
    c.argv[0] = S("");
    EXPECT(&c, "false");
    c.argv[0] = wr_null();
    EXPECT(&c, "false");
}

static void test_json_array_contains(void **state)
{
    (void)state;
    fcall c = {"JSON_ARRAY_CONTAINS", 2, {TS, TI}, {S("[1, 2.0, \"3\", [4], null]"), wr_int(1)}};
    EXPECT(&c, "true");
    c.argv[1] = wr_int(2); /* 2.0 is a real: only a DOUBLE matches it */
    EXPECT(&c, "false");
    c.argv[1] = wr_int(3);
    EXPECT(&c, "false");
    c.argv[1] = wr_int(4); /* nested arrays are skipped */
    EXPECT(&c, "false");
    c.argv[1] = wr_null();
    EXPECT(&c, "true");
    c.argv[0] = S("{\"a\": 1}");
    c.argv[1] = wr_int(1);
    EXPECT(&c, "false");
    c.argv[0] = S("[1, ");
    EXPECT(&c, "false");
    c.argv[0] = wr_null();
    EXPECT(&c, "false");
    fcall d = {"JSON_ARRAY_CONTAINS", 2, {TS, TD}, {S("[1, 2.0]"), wr_double(2.0)}};
    EXPECT(&d, "true");
    d.argv[1] = wr_double(1.0);
    EXPECT(&d, "false");
    fcall s = {"JSON_ARRAY_CONTAINS", 2, {TS, TS}, {S("[\"a\", \"b\"]"), S("b")}};
    EXPECT(&s, "true");
    fcall b = {"JSON_ARRAY_CONTAINS", 2, {TS, TB}, {S("[false]"), wr_bool(0)}};
    EXPECT(&b, "true");
    b.argv[1] = wr_bool(1);
    EXPECT(&b, "false");
    fcall l = {"JSON_ARRAY_CONTAINS", 2, {TS, TL}, {S("[5000000000]"), wr_bigint(5000000000LL)}};
    EXPECT(&l, "true");
}

static void test_json_array_length(void **state)
{
    (void)state;
    fcall c = {"JSON_ARRAY_LENGTH", 1, {TS}, {S("[1, [2, 3], {}]")}};
    EXPECT(&c, "3");
    c.argv[0] = S("[]");
    EXPECT(&c, "0");
    c.argv[0] = S("{\"a\": 1}");
    EXPECT(&c, "null");
    c.argv[0] = S("[1,");
    assert_int_equal(run(&c), WR_EDATA);
    assert_true(strncmp(c.errmsg, "Invalid JSON format:", 20) == 0);
    c.argv[0] = wr_null();
    EXPECT(&c, "null");
}

static void test_json_concat(void **state)
{
    (void)state;
    fcall c = {"JSON_CONCAT", 2, {TS, TS}, {S("{\"a\": 1, \"b\": 2}"), S("{\"b\": \"x\", \"c\": [1]}")}};
    EXPECT(&c, "{\"a\":1,\"b\":\"x\",\"c\":[1]}");
    c.argv[0] = S("[1, 2]");
    c.argv[1] = S("[3]");
    EXPECT(&c, "[1,2,3]");
    c.argv[1] = S("{\"a\": 1}");
    EXPECT(&c, "[1,2,{\"a\":1}]");
    c.argv[0] = S("{\"a\": 1}");
    c.argv[1] = S("[1, 2]");
    EXPECT(&c, "[{\"a\":1},1,2]");
    c.argv[0] = S("1");
    c.argv[1] = S("\"s\"");
    EXPECT(&c, "[1,\"s\"]");
    c.argv[1] = wr_null();
    EXPECT(&c, "null");
    c.argv[1] = S("nope");
    assert_int_equal(run(&c), WR_EDATA);
    fcall three = {"JSON_CONCAT", 3, {TS, TS, TS}, {S("{\"a\":1}"), S("{\"b\":2}"), S("{\"a\":3}")}};
    EXPECT(&three, "{\"a\":3,\"b\":2}");
    /* the examples of ksqlDB's documentation */
    const char *docs[][3] = {
        {"{\"a\": {\"3\": 4}}", "{\"a\": {\"5\": 6}}", "{\"a\":{\"5\":6}}"},
        {"{}", "{}", "{}"},
        {"[1, 2]", "[3, 4]", "[1,2,3,4]"},
        {"[1, [2]]", "[[[3]], [[[4]]]]", "[1,[2],[[3]],[[[4]]]]"},
        {"null", "null", "[null,null]"},
    };
    for (size_t k = 0; k < sizeof docs / sizeof docs[0]; k++) {
        fcall d = {"JSON_CONCAT", 2, {TS, TS}, {S(docs[k][0]), S(docs[k][1])}};
        EXPECT(&d, docs[k][2]);
    }
    fcall one = {"JSON_CONCAT", 1, {TS}, {S("[ 1 , 2 ]")}};
    EXPECT(&one, "[1,2]");
    fcall bad = {"JSON_CONCAT", 2, {TS, TI}, {S("[]"), wr_int(1)}};
    assert_int_equal(run(&bad), -100);
}

static void test_json_items_keys_records(void **state)
{
    (void)state;
    fcall i = {"JSON_ITEMS", 1, {TS}, {S("[{\"type\": \"A\", \"ts\": 1}, \"s\", 2.50, null]")}};
    EXPECT(&i, "[{\"type\":\"A\",\"ts\":1}, \"s\", 2.5, null]");
    assert_string_equal(rtype_text(&i), "ARRAY<STRING>");
    i.argv[0] = S("{\"a\": 1}");
    EXPECT(&i, "null");
    i.argv[0] = S("[]");
    EXPECT(&i, "[]");

    fcall k = {"JSON_KEYS", 1, {TS}, {S("{\"b\": 1, \"a\": {\"c\": 2}, \"d\": null}")}};
    EXPECT(&k, "[b, a, d]");
    k.argv[0] = S("[1]");
    EXPECT(&k, "null");
    k.argv[0] = S("{}");
    EXPECT(&k, "[]");
    k.argv[0] = S("x");
    assert_int_equal(run(&k), WR_EDATA);

    fcall r = {"JSON_RECORDS", 1, {TS}, {S("{\"a\": \"abc\", \"b\": { \"c\": \"a\" }, \"d\": 1}")}};
    EXPECT(&r, "{a=\"abc\", b={\"c\":\"a\"}, d=1}");
    assert_string_equal(rtype_text(&r), "MAP<STRING, STRING>");
    r.argv[0] = S("\"abc\"");
    EXPECT(&r, "null");
}

static void test_to_json_string(void **state)
{
    (void)state;
    fcall c = {"TO_JSON_STRING", 1, {TI}, {wr_int(7)}};
    EXPECT(&c, "7");
    c.argv[0] = wr_null();
    EXPECT(&c, "null");
    fcall s = {"TO_JSON_STRING", 1, {TS}, {S("a\"b")}};
    EXPECT(&s, "\"a\\\"b\"");
    fcall d = {"TO_JSON_STRING", 1, {TD}, {wr_double(2)}};
    EXPECT(&d, "2.0");
    const wr_type *at = ARR(TI);
    fcall a = {"TO_JSON_STRING", 1, {at}, {J("[1,null]", at)}};
    EXPECT(&a, "[1,null]");
    const wr_type *mt = MAP(TS);
    fcall m = {"TO_JSON_STRING", 1, {mt}, {J("{\"k\":\"v\"}", mt)}};
    EXPECT(&m, "{\"k\":\"v\"}");
    wr_field f[2] = {{"A", TI}, {"b", TS}};
    const wr_type *st = wr_type_struct(A(), 2, f);
    wr_value sv = wr_struct(A(), 2);
    sv.u.items[0] = wr_int(1);
    fcall t = {"TO_JSON_STRING", 1, {st}, {sv}};
    EXPECT(&t, "{\"A\":1,\"b\":null}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extractjsonfield),
        cmocka_unit_test(test_is_json_string),
        cmocka_unit_test(test_json_array_contains),
        cmocka_unit_test(test_json_array_length),
        cmocka_unit_test(test_json_concat),
        cmocka_unit_test(test_json_items_keys_records),
        cmocka_unit_test(test_to_json_string),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
