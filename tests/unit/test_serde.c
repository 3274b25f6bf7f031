/*
 * test_serde.c - record formats: exact bytes written, lenient reading, error texts,
 * DELIMITED quoting, KAFKA primitives, wrap_single, multi-column keys and the need mask.
 */
#include "unit.h"
#include "serde.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static wr_arena arena;

static int setup(void **state)
{
    (void)state;
    wr_arena_init(&arena, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wr_arena_fini(&arena);
    return 0;
}

static wr_format fmt(const char *name)
{
    wr_format f;
    assert_int_equal(wr_format_parse(name, &f), 0);
    return f;
}

static wr_column col(const char *name, const wr_type *t)
{
    wr_column c = {name, t, WR_COL_VALUE, NULL};
    return c;
}

/* Encodes and returns the bytes as an arena string (NUL-terminated). */
static const char *enc(const wr_format *f, int is_key, const wr_column *cols, int n,
                       const wr_value *vals)
{
    wr_buf b;
    wr_error err;
    wr_buf_init(&b);
    wr_error_clear(&err);
    int rc = wr_serde_encode(f, is_key, cols, n, vals, &b, &err);
    if (rc)
        fail_msg("encode failed: %s", err.msg);
    char *s = wr_arena_strndup(&arena, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return s;
}

/* Decodes text and returns the values as JSON texts joined with '|', or "ERR:<msg>". */
static const char *dec_need(const wr_format *f, int is_key, const wr_column *cols, int n,
                            const uint8_t *need, const char *text)
{
    wr_value vals[16];
    wr_error err;
    wr_error_clear(&err);
    int rc = wr_serde_decode(f, is_key, cols, n, need, text, strlen(text), vals, &arena, &err);
    if (rc) {
        assert_int_equal(rc, WR_EDATA);
        return wr_arena_sprintf(&arena, "ERR:%s", err.msg);
    }
    wr_buf b;
    wr_buf_init(&b);
    for (int i = 0; i < n; i++) {
        if (i)
            wr_buf_putc(&b, '|');
        wr_json_write_value(&vals[i], cols[i].type, &b);
    }
    char *s = wr_arena_strndup(&arena, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return s;
}

static const char *dec(const wr_format *f, int is_key, const wr_column *cols, int n,
                       const char *text)
{
    return dec_need(f, is_key, cols, n, NULL, text);
}

static const wr_type *dec_t(int p, int s) { return wr_type_decimal(&arena, p, s); }

/* ---------------------------------------------------------------- names */

static void test_format_names(void **state)
{
    (void)state;
    wr_format f;
    assert_int_equal(wr_format_parse("json", &f), 0);
    assert_int_equal(f.kind, WR_FMT_JSON);
    assert_int_equal(f.delim, ',');
    assert_int_equal(f.wrap_single, 1);
    assert_int_equal(wr_format_parse("Delimited", &f), 0);
    assert_int_equal(f.kind, WR_FMT_DELIMITED);
    assert_int_equal(wr_format_parse("KAFKA", &f), 0);
    assert_int_equal(wr_format_parse("none", &f), 0);
    assert_int_equal(f.kind, WR_FMT_NONE);
    assert_int_not_equal(wr_format_parse("CSV", &f), 0);
    assert_string_equal(wr_format_name(WR_FMT_DELIMITED), "DELIMITED");
    assert_string_equal(wr_format_name(WR_FMT_KAFKA), "KAFKA");
    char d;
    assert_int_equal(wr_format_parse_delim("|", &d), 0);
    assert_int_equal(d, '|');
    assert_int_equal(wr_format_parse_delim("tab", &d), 0);
    assert_int_equal(d, '\t');
    assert_int_equal(wr_format_parse_delim("SPACE", &d), 0);
    assert_int_equal(d, ' ');
    assert_int_not_equal(wr_format_parse_delim("ab", &d), 0);
    assert_int_not_equal(wr_format_parse_delim("", &d), 0);
}

/* ---------------------------------------------------------------- JSON writing */

static void test_json_encode_types(void **state)
{
    (void)state;
    wr_field sf[2] = {{"X", &wr_type_int}, {"y", &wr_type_string}};
    const wr_type *st = wr_type_struct(&arena, 2, sf);
    const wr_type *at = wr_type_array(&arena, &wr_type_string);
    const wr_type *mt = wr_type_map(&arena, &wr_type_string, &wr_type_int);
    wr_column cols[] = {
        col("A", &wr_type_int),      col("B", &wr_type_bigint),  col("C", &wr_type_double),
        col("D", dec_t(5, 3)),       col("E", &wr_type_string),  col("F", &wr_type_boolean),
        col("G", &wr_type_bytes),    col("H", &wr_type_timestamp), col("I", &wr_type_date),
        col("J", &wr_type_time),     col("K", at),               col("L", mt),
        col("M", st),                col("Note", &wr_type_string),
    };
    wr_value v[14];
    v[0] = wr_int(-7);
    v[1] = wr_bigint(9007199254740993LL);
    v[2] = wr_double(4.0);
    v[3] = wr_decimal(&arena, 2000, 3);
    v[4] = wr_str("x\"y", 3);
    v[5] = wr_bool(1);
    v[6] = wr_bytes("\x7b", 1);
    v[7] = wr_i64(WR_TIMESTAMP, 1600000000123LL);
    v[8] = wr_i64(WR_DATE, 2);
    v[9] = wr_i64(WR_TIME, 3600000);
    v[10] = wr_array(&arena, 2);
    v[10].u.items[0] = wr_str("a", 1);
    v[11] = wr_map(&arena, 1);
    v[11].u.items[0] = wr_str("k", 1);
    v[11].u.items[1] = wr_int(1);
    v[12] = wr_struct(&arena, 2);
    v[12].u.items[0] = wr_int(5);
    v[12].u.items[1] = wr_str("z", 1);
    v[13] = wr_null();
    wr_format f = fmt("JSON");
    assert_string_equal(enc(&f, 0, cols, 14, v),
                        "{\"A\":-7,\"B\":9007199254740993,\"C\":4.0,\"D\":2.000,\"E\":\"x\\\"y\","
                        "\"F\":true,\"G\":\"ew==\",\"H\":1600000000123,\"I\":2,\"J\":3600000,"
                        "\"K\":[\"a\",null],\"L\":{\"k\":1},\"M\":{\"X\":5,\"y\":\"z\"},"
                        "\"Note\":null}");
}

static void test_json_doubles(void **state)
{
    (void)state;
    wr_column c = col("V", &wr_type_double);
    wr_format f = fmt("JSON");
    struct {
        double d;
        const char *want;
    } cases[] = {
        {1e7, "{\"V\":1.0E7}"},      {0.1 + 0.2, "{\"V\":0.30000000000000004}"},
        {0.001, "{\"V\":0.001}"},     {0.0001, "{\"V\":1.0E-4}"},
        {NAN, "{\"V\":\"NaN\"}"},    {-INFINITY, "{\"V\":\"-Infinity\"}"},
        {-2.5, "{\"V\":-2.5}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wr_value v = wr_double(cases[i].d);
        assert_string_equal(enc(&f, 0, &c, 1, &v), cases[i].want);
    }
}

static void test_json_string_escapes(void **state)
{
    (void)state;
    wr_buf b;
    wr_buf_init(&b);
    const char s[] = "a\"b\\c/d\n\t\r\b\f\x01\x1f\x7f\xc3\xa9";
    wr_json_write_string(s, sizeof s - 1, &b);
    assert_string_equal(b.data, "\"a\\\"b\\\\c/d\\n\\t\\r\\b\\f\\u0001\\u001F\x7f\xc3\xa9\"");
    wr_buf_reset(&b);
    wr_json_write_string("a\0b", 3, &b);
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.data, "\"a\\u0000b\"", 10);
    wr_buf_fini(&b);
}

static void test_json_wrap_and_keys(void **state)
{
    (void)state;
    wr_column one = col("A", &wr_type_int);
    wr_column two[] = {col("REGION", &wr_type_string), col("SHOP", &wr_type_int)};
    wr_value v1 = wr_int(5);
    wr_value v2[] = {wr_str("eu", 2), wr_int(4)};
    wr_format f = fmt("JSON");
    assert_string_equal(enc(&f, 0, &one, 1, &v1), "{\"A\":5}");
    assert_string_equal(enc(&f, 1, &one, 1, &v1), "5");
    assert_string_equal(enc(&f, 1, two, 2, v2), "{\"REGION\":\"eu\",\"SHOP\":4}");
    f.wrap_single = 0;
    assert_string_equal(enc(&f, 0, &one, 1, &v1), "5");
    assert_string_equal(dec(&f, 0, &one, 1, "17"), "17");
    f.wrap_single = 1;
    assert_string_equal(dec(&f, 0, &one, 1, "{\"a\":17}"), "17");
    assert_string_equal(dec(&f, 1, &one, 1, "17"), "17");
    assert_string_equal(dec(&f, 1, two, 2, "{\"SHOP\":4,\"region\":\"eu\"}"), "\"eu\"|4");
    wr_value n = wr_null();
    assert_string_equal(enc(&f, 1, &one, 1, &n), "null");
    /* a wrapped value that is not an object */
    assert_string_equal(dec(&f, 0, &one, 1, "17"),
                        "ERR:Can't convert type. sourceType: IntNode, requiredType: "
                        "STRUCT<`A` INTEGER>");
}

/* ---------------------------------------------------------------- JSON reading */

static void test_json_lenient_fields(void **state)
{
    (void)state;
    wr_column cols[] = {col("QTY", &wr_type_int), col("NOTE", &wr_type_string),
                        col("Mixed", &wr_type_string)};
    wr_format f = fmt("JSON");
    assert_string_equal(dec(&f, 0, cols, 3, "{\"qty\": 3}"), "3|null|null");
    assert_string_equal(dec(&f, 0, cols, 3, "{\"Qty\":1,\"QTY\":2,\"other\":[1,{}]}"),
                        "2|null|null");
    /* without an exact match the last field that upper-cases to the name wins */
    assert_string_equal(dec(&f, 0, cols, 3, "{\"qty\":1,\"Qty\":2}"), "2|null|null");
    /* quoted (mixed-case) names match exactly only, as in ksqlDB */
    assert_string_equal(dec(&f, 0, cols, 3, "{\"mixed\":\"a\",\"MIXED\":\"b\"}"), "null|null|null");
    assert_string_equal(dec(&f, 0, cols, 3, "{\"Mixed\":\"a\",\"note\":\"n\"}"), "null|\"n\"|\"a\"");
    assert_string_equal(dec(&f, 0, cols, 3, "null"), "null|null|null");
    assert_string_equal(dec(&f, 0, cols, 3, "{\"QTY\":null}"), "null|null|null");
    /* trailing text after the document is ignored, like Jackson's readTree */
    assert_string_equal(dec(&f, 0, cols, 3, "{\"QTY\":1} x"), "1|null|null");
    const char *r = dec(&f, 0, cols, 3, "{\"QTY\":");
    assert_true(strncmp(r, "ERR:", 4) == 0);
}

static void test_json_coercion(void **state)
{
    (void)state;
    wr_format f = fmt("JSON");
    f.wrap_single = 0;
    struct {
        const wr_type *t;
        const char *in, *want;
    } cases[] = {
        {&wr_type_int, "\"12\"", "12"},
        {&wr_type_int, "1.7", "1"},
        {&wr_type_int, "-1.7", "-1"},
        {&wr_type_int, "4294967297", "1"},
        {&wr_type_bigint, "\"-9223372036854775808\"", "-9223372036854775808"},
        {&wr_type_bigint, "12", "12"},
        {&wr_type_double, "3", "3.0"},
        {&wr_type_double, "\"1e7\"", "1.0E7"},
        {&wr_type_double, "\"NaN\"", "\"NaN\""},
        {&wr_type_boolean, "true", "true"},
        {&wr_type_boolean, "\"FALSE\"", "false"},
        {&wr_type_string, "3", "\"3\""},
        {&wr_type_string, "1.5", "\"1.5\""},
        {&wr_type_string, "2.0", "\"2.0\""},
        {&wr_type_string, "0.00001", "\"0.00001\""},
        {&wr_type_string, "1e10", "\"1E+10\""},
        {&wr_type_string, "1.50", "\"1.50\""},
        {&wr_type_string, "100.0", "\"100.0\""},
        {&wr_type_string, "-0", "\"0\""},
        {&wr_type_string, "0.0000001", "\"1E-7\""},
        {&wr_type_string, "12.5e-1", "\"1.25\""},
        {&wr_type_string, "123456789012345678901234567890", "\"123456789012345678901234567890\""},
        {&wr_type_string, "\"\\u00e9\\/\\ud83d\\ude00\\n\"", "\"\xc3\xa9/\xf0\x9f\x98\x80\\n\""},
        {&wr_type_string, "[[1, 2], {\"k\": 1.0}, \"\"]", "\"[[1, 2], {\\\"k\\\":1.0}, ]\""},
        {&wr_type_int, "123456789012345678901234567890", "1312754386"},
        {&wr_type_bigint, "1.5e3", "1500"},
        {&wr_type_bigint, "-9223372036854775809", "9223372036854775807"},
        {&wr_type_double, "1e400", "\"Infinity\""},
        {&wr_type_string, "true", "\"true\""},
        {&wr_type_string, "[1, \"a\", null, 2.5]", "\"[1, a, null, 2.5]\""},
        {&wr_type_string, "{\"a\": [1, 2], \"b\": \"x\"}", "\"{\\\"a\\\":[1,2],\\\"b\\\":\\\"x\\\"}\""},
        {&wr_type_bytes, "\"ew==\"", "\"ew==\""},
        {&wr_type_timestamp, "1600000000123", "1600000000123"},
        {&wr_type_date, "\"2\"", "2"},
        {&wr_type_time, "1000", "1000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wr_column c = col("V", cases[i].t);
        const char *got = dec(&f, 0, &c, 1, cases[i].in);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu (%s): got %s want %s", i, cases[i].in, got, cases[i].want);
    }
}

static void test_json_decimal(void **state)
{
    (void)state;
    wr_format f = fmt("JSON");
    f.wrap_single = 0;
    wr_column c = col("V", dec_t(5, 3));
    assert_string_equal(dec(&f, 0, &c, 1, "2"), "2.000");
    assert_string_equal(dec(&f, 0, &c, 1, "2.0"), "2.000");
    assert_string_equal(dec(&f, 0, &c, 1, "1.2345"), "1.235");
    assert_string_equal(dec(&f, 0, &c, 1, "-1.2345"), "-1.235");
    assert_string_equal(dec(&f, 0, &c, 1, "\"12.5\""), "12.500");
    assert_string_equal(dec(&f, 0, &c, 1, "0.1"), "0.100");
    assert_string_equal(dec(&f, 0, &c, 1, "123.4"),
                        "ERR:Numeric field overflow: A field with precision 5 and scale 3 must "
                        "round to an absolute value less than 10^2. Got 123.4");
    assert_string_equal(dec(&f, 0, &c, 1, "\"x\""),
                        "ERR:Can't coerce string to type. targetType: DECIMAL(5, 3)");
    wr_column exact = col("V", dec_t(38, 20));
    assert_string_equal(dec(&f, 0, &exact, 1, "123456789012345678.12345678901234567891"),
                        "123456789012345678.12345678901234567891");
    assert_string_equal(dec(&f, 0, &exact, 1, "1E+2"), "100.00000000000000000000");
    wr_column big = col("V", dec_t(20, 2));
    assert_string_equal(dec(&f, 0, &big, 1, "12345678901234.25"), "12345678901234.25");
    assert_string_equal(dec(&f, 0, &big, 1, "\"123456789012345678.99\""),
                        "123456789012345678.99");
}

static void test_json_nested(void **state)
{
    (void)state;
    wr_format f = fmt("JSON");
    wr_field sf[2] = {{"X", &wr_type_int}, {"Y", wr_type_array(&arena, &wr_type_string)}};
    const wr_type *st = wr_type_struct(&arena, 2, sf);
    const wr_type *mt = wr_type_map(&arena, &wr_type_string, &wr_type_double);
    const wr_type *at = wr_type_array(&arena, st);
    wr_column cols[] = {col("S", st), col("M", mt), col("A", at)};
    assert_string_equal(
        dec(&f, 0, cols, 3,
            "{\"s\":{\"x\":1,\"y\":[1,true,\"q\"]},\"m\":{\"a\":1,\"B\":2.5},"
            "\"a\":[{\"X\":2},null]}"),
        "{\"X\":1,\"Y\":[\"1\",\"true\",\"q\"]}|{\"a\":1.0,\"B\":2.5}|[{\"X\":2,\"Y\":null},null]");
    /* the required type is wr_type_format's text of the struct type */
    const char *e = dec(&f, 0, cols, 3, "{\"S\":[1]}");
    const char *want = "ERR:Can't convert type. sourceType: ArrayNode, requiredType: STRUCT<";
    assert_true(strncmp(e, want, strlen(want)) == 0);
    /* a MAP with non-string keys takes them from the field names */
    const wr_type *mi = wr_type_map(&arena, &wr_type_int, &wr_type_string);
    wr_column m = col("M", mi);
    assert_string_equal(dec(&f, 1, &m, 1, "{\"1\":\"a\"}"), "{\"1\":\"a\"}");
}

static void test_json_errors(void **state)
{
    (void)state;
    wr_format f = fmt("JSON");
    wr_column cols[] = {col("A", &wr_type_int), col("B", &wr_type_boolean)};
    assert_string_equal(dec(&f, 0, cols, 2, "{\"A\":\"abc\"}"),
                        "ERR:Can't coerce string to type. targetType: INTEGER");
    assert_string_equal(dec(&f, 0, cols, 2, "{\"A\":true}"),
                        "ERR:Can't convert type. sourceType: BooleanNode, requiredType: INTEGER");
    assert_string_equal(dec(&f, 0, cols, 2, "{\"B\":1}"),
                        "ERR:Can't convert type. sourceType: IntNode, requiredType: BOOLEAN");
    assert_string_equal(dec(&f, 0, cols, 2, "{\"A\":{}}"),
                        "ERR:Can't convert type. sourceType: ObjectNode, requiredType: INTEGER");
    assert_string_equal(dec(&f, 0, cols, 2, "{\"B\":\"yes\"}"),
                        "ERR:Can't coerce string to type. targetType: BOOLEAN");
}

static void test_json_syntax(void **state)
{
    (void)state;
    wr_format f = fmt("JSON");
    wr_column cols[] = {col("A", &wr_type_int), col("B", &wr_type_string)};
    const char *bad[] = {
        "{\"A\":1,}", "{\"A\":01}", "{\"A\":1", "{\"B\":\"x\ny\"}", "{\"B\":\"\\x\"}",
        "{A:1}", "{\"A\":tru}", "{\"A\":1.}", "{\"A\":-}", "[1,]", "{\"A\" 1}", "123abc",
        "{\"A\":NaN}", "{\"A\":1e}", "{\"B\":\"\\u12\"}", "\"open",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *got = dec(&f, 0, cols, 2, bad[i]);
        if (strncmp(got, "ERR:Invalid JSON", 16) != 0)
            fail_msg("case %zu (%s) accepted: %s", i, bad[i], got);
    }
    /* the error is about syntax even when the bad part is in a field nobody reads */
    uint8_t need[] = {1, 0};
    assert_true(strncmp(dec_need(&f, 0, cols, 2, need, "{\"A\":1,\"C\":[1,}"), "ERR:Invalid", 11) == 0);
    assert_string_equal(dec(&f, 0, cols, 2, " \n{ \"A\" : 1 , \"B\" : [ ] } \n"), "1|\"[]\"");
    assert_string_equal(dec(&f, 0, cols, 2, "{}"), "null|null");
    assert_string_equal(dec(&f, 0, cols, 2, "   "), "null|null");
    assert_string_equal(dec(&f, 0, cols, 2, "{\"A\":1}{\"A\":2}"), "1|null");
    /* escaped field names match too */
    assert_string_equal(dec(&f, 0, cols, 2, "{\"\\u0041\":7}"), "7|null");
}

static void test_json_need_mask(void **state)
{
    (void)state;
    wr_format f = fmt("JSON");
    wr_column cols[] = {col("A", &wr_type_int), col("B", &wr_type_string)};
    uint8_t need[] = {0, 1};
    /* A is not needed, so its bad value is neither converted nor reported */
    assert_string_equal(dec_need(&f, 0, cols, 2, need, "{\"A\":\"bad\",\"B\":\"x\"}"),
                        "null|\"x\"");
    uint8_t none[] = {0, 0};
    assert_string_equal(dec_need(&f, 0, cols, 2, none, "{\"A\":\"bad\"}"), "null|null");
    /* but a record that is not JSON at all is still an error, as in ksqlDB */
    assert_true(strncmp(dec_need(&f, 0, cols, 2, none, "not json"), "ERR:", 4) == 0);
    wr_format d = fmt("DELIMITED");
    assert_string_equal(dec_need(&d, 0, cols, 2, need, "bad,x"), "null|\"x\"");
}

static void test_json_read_value(void **state)
{
    (void)state;
    wr_value v;
    wr_error err;
    const wr_type *at = wr_type_array(&arena, &wr_type_bigint);
    assert_int_equal(wr_json_read_value("[1, \"2\", null]", 15, at, &arena, &v, &err), 0);
    assert_int_equal(v.kind, WR_ARRAY);
    assert_int_equal(v.len, 3);
    assert_int_equal(v.u.items[1].u.i, 2);
    assert_int_equal(v.u.items[2].kind, WR_NULL);
    assert_int_equal(wr_json_read_value("\"x\"", 3, &wr_type_int, &arena, &v, &err), WR_EDATA);
    assert_string_equal(err.msg, "Can't coerce string to type. targetType: INTEGER");
}

/* ---------------------------------------------------------------- DELIMITED */

static void test_delimited_decode(void **state)
{
    (void)state;
    wr_format f = fmt("DELIMITED");
    wr_column cols[] = {col("A", &wr_type_int), col("B", &wr_type_string),
                        col("C", &wr_type_double)};
    assert_string_equal(dec(&f, 0, cols, 3, "1,foo,2.5"), "1|\"foo\"|2.5");
    assert_string_equal(dec(&f, 0, cols, 3, "1,\"a,b\",\"3\""), "1|\"a,b\"|3.0");
    assert_string_equal(dec(&f, 0, cols, 3, "1,\"say \"\"hi\"\"\",3"), "1|\"say \\\"hi\\\"\"|3.0");
    assert_string_equal(dec(&f, 0, cols, 3, "1,,"), "1|null|null");
    assert_string_equal(dec(&f, 0, cols, 3, ",\"\","), "null|null|null");
    assert_string_equal(dec(&f, 0, cols, 3, "1,a b ,2\r\n"), "1|\"a b \"|2.0");
    assert_string_equal(dec(&f, 0, cols, 3, "\n1,x,2\n3,y,4"), "1|\"x\"|2.0");
    assert_string_equal(dec(&f, 0, cols, 3, "1,\"x\"  ,2"), "1|\"x\"|2.0");
    assert_string_equal(dec(&f, 0, cols, 3, "1,\"line\nbreak\",2"), "1|\"line\\nbreak\"|2.0");
    assert_string_equal(dec(&f, 0, cols, 3, "1,a\"b,2"), "1|\"a\\\"b\"|2.0");
    assert_string_equal(dec(&f, 0, cols, 3, "1,foo"),
                        "ERR:Unexpected field count, csvFields:2 schemaFields:3");
    assert_string_equal(dec(&f, 0, cols, 3, "1,foo,2,3"),
                        "ERR:Unexpected field count, csvFields:4 schemaFields:3");
    assert_string_equal(dec(&f, 0, cols, 3, "x,foo,2"), "ERR:For input string: \"x\"");
    assert_string_equal(dec(&f, 0, cols, 3, " 1,foo,2"), "ERR:For input string: \" 1\"");
    assert_string_equal(dec(&f, 0, cols, 3, "1,\"foo\"x,2"),
                        "ERR:(line 1) invalid char between encapsulated token and delimiter");
    assert_string_equal(dec(&f, 0, cols, 3, "1,\"foo,2"),
                        "ERR:(startline 1) EOF reached before encapsulated token finished");
    assert_string_equal(dec(&f, 0, cols, 3, ""), "ERR:No fields in record");
    /* DOUBLE accepts what Double.parseDouble accepts */
    assert_string_equal(dec(&f, 0, cols, 3, "1,x, 2.5d "), "1|\"x\"|2.5");
    assert_string_equal(dec(&f, 0, cols, 3, "1,x,-Infinity"), "1|\"x\"|\"-Infinity\"");
    assert_string_equal(dec(&f, 0, cols, 3, "1,x,inf"), "ERR:For input string: \"inf\"");
    assert_string_equal(dec(&f, 0, cols, 3, "2147483648,x,1"),
                        "ERR:For input string: \"2147483648\"");
    assert_string_equal(dec(&f, 0, cols, 3, "-2147483648,x,1"), "-2147483648|\"x\"|1.0");
}

static void test_delimited_types(void **state)
{
    (void)state;
    wr_format f = fmt("DELIMITED");
    f.delim = '\t';
    wr_column cols[] = {col("B", &wr_type_boolean), col("D", dec_t(4, 2)),
                        col("Y", &wr_type_bytes),   col("T", &wr_type_timestamp),
                        col("DT", &wr_type_date),   col("TM", &wr_type_time),
                        col("L", &wr_type_bigint)};
    assert_string_equal(dec(&f, 0, cols, 7, "TRUE\t1.5\tew==\t1600000000000\t2\t1000\t-5"),
                        "true|1.50|\"ew==\"|1600000000000|2|1000|-5");
    assert_string_equal(dec(&f, 0, cols, 7, "yes\t1\t\t1\t1\t1\t1"), "false|1.00|null|1|1|1|1");
    assert_string_equal(dec(&f, 0, cols, 7, "a,b\t1\t\t1\t1\t1\t1"), "false|1.00|null|1|1|1|1");
    wr_value v[7] = {wr_bool(1), wr_decimal(&arena, 150, 2), wr_bytes("\x7b", 1),
                     wr_i64(WR_TIMESTAMP, 7), wr_i64(WR_DATE, 2), wr_i64(WR_TIME, 3),
                     wr_bigint(-1)};
    assert_string_equal(enc(&f, 0, cols, 7, v), "true\t1.50\tew==\t7\t2\t3\t-1");
}

static void test_delimited_encode_quoting(void **state)
{
    (void)state;
    wr_format f = fmt("DELIMITED");
    wr_column cols[] = {col("A", &wr_type_int), col("B", &wr_type_string),
                        col("C", &wr_type_string)};
    wr_value v[3] = {wr_int(-3), wr_str("a,b", 3), wr_null()};
    assert_string_equal(enc(&f, 0, cols, 3, v), "\"-3\",\"a,b\",");
    assert_string_equal(enc(&f, 0, cols, 1, v), "\"-3\"");
    struct {
        const char *a, *b, *want;
    } cases[] = {
        {"abc", "x", "abc,x"},
        {"9z", "#x", "9z,\"#x\""},
        {"_x", "$x", "\"_x\",$x"},
        {"a b", "say \"hi\"", "a b,\"say \"\"hi\"\"\""},
        {"a", "trailing ", "a,\"trailing \""},
        {"a", " lead", "a,\" lead\""},
        {"", "", "\"\","},
        {"a", "x\ny", "a,\"x\ny\""},
        {"\xc3\xa9t\xc3\xa9", "\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\",\xc3\xa9"},
        {"a", "it's", "a,it's"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wr_value w[2] = {wr_str(cases[i].a, strlen(cases[i].a)),
                         wr_str(cases[i].b, strlen(cases[i].b))};
        const char *got = enc(&f, 0, cols + 1, 2, w);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: got [%s] want [%s]", i, got, cases[i].want);
    }
    wr_column dc[] = {col("D", &wr_type_double), col("E", dec_t(5, 3))};
    wr_value dv[2] = {wr_double(1e7), wr_decimal(&arena, -500, 3)};
    assert_string_equal(enc(&f, 0, dc, 2, dv), "1.0E7,-0.500");
    /* values are written with their column's type: scale and DOUBLE form */
    wr_value cv[2] = {wr_int(4), wr_decimal(&arena, 2, 0)};
    assert_string_equal(enc(&f, 0, dc, 2, cv), "4.0,2.000");
    wr_format j = fmt("JSON");
    assert_string_equal(enc(&j, 0, dc, 2, cv), "{\"D\":4.0,\"E\":2.000}");
    wr_value nv[2] = {wr_null(), wr_str("x", 1)};
    assert_string_equal(enc(&f, 0, cols + 1, 2, nv), ",x");
    /* keys: several columns are v1,v2 */
    wr_column kc[] = {col("K1", &wr_type_string), col("K2", &wr_type_int)};
    wr_value kv[2] = {wr_str("eu", 2), wr_int(4)};
    assert_string_equal(enc(&f, 1, kc, 2, kv), "eu,4");
    assert_string_equal(dec(&f, 1, kc, 2, "eu,4"), "\"eu\"|4");
    /* round trip of awkward strings */
    wr_value rv[2] = {wr_str("\"q\",\n", 5), wr_int(1)};
    const char *line = enc(&f, 0, kc, 2, rv);
    assert_string_equal(dec(&f, 0, kc, 2, line), "\"\\\"q\\\",\\n\"|1");
}

/* ---------------------------------------------------------------- KAFKA / NONE */

static void test_kafka(void **state)
{
    (void)state;
    wr_format f = fmt("KAFKA");
    wr_column ci = col("K", &wr_type_int), cb = col("K", &wr_type_bigint),
              cd = col("K", &wr_type_double), cs = col("K", &wr_type_string);
    wr_value v = wr_int(-2);
    wr_buf b;
    wr_error err;
    wr_buf_init(&b);
    assert_int_equal(wr_serde_encode(&f, 1, &ci, 1, &v, &b, &err), 0);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "\xff\xff\xff\xfe", 4);
    wr_buf_reset(&b);
    v = wr_bigint(258);
    assert_int_equal(wr_serde_encode(&f, 1, &cb, 1, &v, &b, &err), 0);
    assert_int_equal(b.len, 8);
    assert_memory_equal(b.data, "\0\0\0\0\0\0\x01\x02", 8);
    wr_buf_reset(&b);
    v = wr_double(1.5);
    assert_int_equal(wr_serde_encode(&f, 0, &cd, 1, &v, &b, &err), 0);
    assert_memory_equal(b.data, "\x3f\xf8\0\0\0\0\0\0", 8);
    wr_value out;
    assert_int_equal(wr_serde_decode(&f, 0, &cd, 1, NULL, b.data, 8, &out, &arena, &err), 0);
    assert_true(out.kind == WR_DOUBLE && out.u.d == 1.5);
    assert_int_equal(wr_serde_decode(&f, 1, &ci, 1, NULL, "\0\0\x01\x00", 4, &out, &arena, &err), 0);
    assert_int_equal(out.u.i, 256);
    assert_int_equal(wr_serde_decode(&f, 1, &cb, 1, NULL, "\x80\0\0\0\0\0\0\0", 8, &out, &arena,
                                     &err), 0);
    assert_true(out.u.i == INT64_MIN);
    assert_int_equal(wr_serde_decode(&f, 1, &ci, 1, NULL, "abc", 3, &out, &arena, &err), WR_EDATA);
    assert_string_equal(err.msg, "Size of data received by IntegerDeserializer is not 4");
    assert_int_equal(wr_serde_decode(&f, 1, &cb, 1, NULL, "abc", 3, &out, &arena, &err), WR_EDATA);
    assert_string_equal(err.msg, "Size of data received by LongDeserializer is not 8");
    uint8_t no[1] = {0};
    assert_int_equal(wr_serde_decode(&f, 1, &cd, 1, no, "abc", 3, &out, &arena, &err), WR_EDATA);
    assert_string_equal(err.msg, "Size of data received by DoubleDeserializer is not 8");
    assert_int_equal(wr_serde_decode(&f, 1, &cs, 1, NULL, "h\xc3\xa9", 3, &out, &arena, &err), 0);
    assert_true(out.kind == WR_STRING && out.len == 3);
    wr_buf_reset(&b);
    assert_int_equal(wr_serde_encode(&f, 1, &cs, 1, &out, &b, &err), 0);
    assert_string_equal(b.data, "h\xc3\xa9");
    wr_buf_fini(&b);
    wr_format none = fmt("NONE");
    assert_string_equal(enc(&none, 1, NULL, 0, NULL), "");
}

static void test_check(void **state)
{
    (void)state;
    wr_error err;
    wr_format k = fmt("KAFKA"), d = fmt("DELIMITED"), j = fmt("JSON"), n = fmt("NONE");
    wr_column two[] = {col("ID1", &wr_type_int), col("ID2", &wr_type_string)};
    wr_column arr = col("A", wr_type_array(&arena, &wr_type_int));
    wr_column boo = col("B", &wr_type_boolean);
    assert_int_equal(wr_serde_check(&k, 1, two, 1, &err), 0);
    assert_int_equal(wr_serde_check(&k, 1, two, 0, &err), 0);
    assert_int_equal(wr_serde_check(&k, 1, two, 2, &err), WR_ESEMANTIC);
    assert_string_equal(err.msg, "The 'KAFKA' format only supports a single field. Got: "
                                 "[`ID1` INTEGER KEY, `ID2` STRING KEY]");
    assert_int_equal(wr_serde_check(&k, 0, two, 0, &err), WR_ESEMANTIC);
    assert_int_equal(wr_serde_check(&k, 0, &boo, 1, &err), WR_ESEMANTIC);
    assert_string_equal(err.msg, "The 'KAFKA' format does not support type 'BOOLEAN'");
    assert_int_equal(wr_serde_check(&d, 0, two, 2, &err), 0);
    assert_int_equal(wr_serde_check(&d, 0, &arr, 1, &err), WR_ESEMANTIC);
    assert_string_equal(err.msg, "The 'DELIMITED' format does not support type 'ARRAY', column: `A`");
    assert_int_equal(wr_serde_check(&j, 0, &arr, 1, &err), 0);
    assert_int_equal(wr_serde_check(&n, 1, two, 0, &err), 0);
    assert_int_equal(wr_serde_check(&n, 1, two, 1, &err), WR_ESEMANTIC);
    assert_string_equal(err.msg, "The 'NONE' format can only be used when no columns are "
                                 "defined. Got: [`ID1` INTEGER KEY]");
    wr_format avro = fmt("AVRO");
    assert_int_equal(wr_serde_check(&avro, 0, two, 2, &err), WR_EUNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_json_encode_types),
        cmocka_unit_test(test_json_doubles),
        cmocka_unit_test(test_json_string_escapes),
        cmocka_unit_test(test_json_wrap_and_keys),
        cmocka_unit_test(test_json_lenient_fields),
        cmocka_unit_test(test_json_coercion),
        cmocka_unit_test(test_json_decimal),
        cmocka_unit_test(test_json_nested),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_json_syntax),
        cmocka_unit_test(test_json_need_mask),
        cmocka_unit_test(test_json_read_value),
        cmocka_unit_test(test_delimited_decode),
        cmocka_unit_test(test_delimited_types),
        cmocka_unit_test(test_delimited_encode_quoting),
        cmocka_unit_test(test_kafka),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
