/*
 * test_fn_misc.c - regex (fn_regex.c), bytes/encoding (fn_bytes.c), null (fn_null.c), URL
 * (fn_url.c) and other (fn_other.c) functions.
 */
#include "unit.h"
#include "fn_test.h"

static void test_regex_extract(void **state)
{
    EXPECT_STR("steven", CALL("REGEXP_EXTRACT", as("[a-z]+"), as("steven 123")));
    EXPECT_STR("123", CALL("REGEXP_EXTRACT", as("(\\w+) (\\d+)"), as("steven 123"), ai(2)));
    EXPECT_STR(NULL, CALL("REGEXP_EXTRACT", as("x+"), as("abc")));
    EXPECT_STR(NULL, CALL("REGEXP_EXTRACT", as("(a)|(b)"), as("b"), ai(1)));
    CALL("REGEXP_EXTRACT", as("(a)"), as("a"), ai(2));
    EXPECT_EDATA();
    CALL("REGEXP_EXTRACT", as("(a"), as("a"));
    EXPECT_EDATA();
    EXPECT("[1, 22, 333]", CALL("REGEXP_EXTRACT_ALL", as("\\d+"), as("a1b22c333")));
    EXPECT_TYPE("ARRAY<STRING>");
    EXPECT("[a, b]", CALL("REGEXP_EXTRACT_ALL", as("(\\w)=\\d"), as("a=1 b=2"), ai(1)));
    EXPECT("[]", CALL("REGEXP_EXTRACT_ALL", as("\\d+"), as("abc")));
    EXPECT("[, aaa, ]", CALL("REGEXP_EXTRACT_ALL", as("a*"), as("baaa")));

    /* the site cache: same pattern reused, a new pattern recompiled */
    wr_fn_site site = {0};
    fnt_arg a1[] = {as("b+"), as("abbbc")};
    fnt_arg a2[] = {as("c"), as("abbbc")};
    EXPECT_STR("bbb", fnt_call_site("REGEXP_EXTRACT", &site, 2, a1));
    void *cached = site.data;
    assert_non_null(cached);
    EXPECT_STR("bbb", fnt_call_site("REGEXP_EXTRACT", &site, 2, a1));
    assert_ptr_equal(site.data, cached);
    EXPECT_STR("c", fnt_call_site("REGEXP_EXTRACT", &site, 2, a2));
    assert_string_equal(site.key, "c");
    fnt_site_free(&site);

    /* match limit: catastrophic backtracking is cut off */
    fnt_cfg.regex_match_limit = 1000;
    CALL("REGEXP_EXTRACT", as("(a|a)*$"), as("aaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
    EXPECT_EDATA();
    fnt_cfg.regex_match_limit = 0;
}

static void test_regex_replace_split(void **state)
{
    EXPECT_STR("b_b_b", CALL("REGEXP_REPLACE", as("a_a_a"), as("a"), as("b")));
    EXPECT_STR("2-1", CALL("REGEXP_REPLACE", as("1-2"), as("(\\d)-(\\d)"), as("$2-$1")));
    EXPECT_STR("$x", CALL("REGEXP_REPLACE", as("a"), as("a"), as("\\$x")));
    EXPECT_STR("xa1", CALL("REGEXP_REPLACE", as("a"), as("(a)"), as("x$11")));
    EXPECT_STR("-a-b-", CALL("REGEXP_REPLACE", as("ab"), as(""), as("-")));
    EXPECT_STR("<y>", CALL("REGEXP_REPLACE", as("y"), as("(?<n>y)"), as("<${n}>")));
    CALL("REGEXP_REPLACE", as("a"), as("a"), as("$5"));
    EXPECT_EDATA();
    CALL("REGEXP_REPLACE", as("a"), as("a"), as("$"));
    EXPECT_EDATA();
    EXPECT_STR(NULL, CALL("REGEXP_REPLACE", anull(&wr_type_string), as("a"), as("b")));

    EXPECT("[a, b, c]", CALL("REGEXP_SPLIT_TO_ARRAY", as("a-b--c"), as("-+")));
    EXPECT("[, a, b, ]", CALL("REGEXP_SPLIT_TO_ARRAY", as("-a-b-"), as("-")));
    EXPECT("[a, b, c]", CALL("REGEXP_SPLIT_TO_ARRAY", as("abc"), as("")));
    EXPECT("[a, , b, , c]", CALL("REGEXP_SPLIT_TO_ARRAY", as("a1b22c"), as("\\d*")));
    EXPECT_STR("-a--b-", CALL("REGEXP_REPLACE", as("a1b"), as("\\d*"), as("-")));
    EXPECT("[abc]", CALL("REGEXP_SPLIT_TO_ARRAY", as("abc"), as("x")));
}

static void test_bytes(void **state)
{
    EXPECT("SGVsbG8=", CALL("TO_BYTES", as("Hello"), as("utf8")));
    EXPECT_TYPE("BYTES");
    EXPECT("q80=", CALL("TO_BYTES", as("abcd"), as("hex")));
    EXPECT("q80=", CALL("TO_BYTES", as("ABCD"), as("HEX")));
    CALL("TO_BYTES", as("abc"), as("hex"));
    EXPECT_EDATA();
    EXPECT("SGVsbG8=", CALL("TO_BYTES", as("SGVsbG8="), as("base64")));
    EXPECT("P3g=", CALL("TO_BYTES", as("éx"), as("ascii")));
    CALL("TO_BYTES", as("x"), as("latin1"));
    EXPECT_EDATA();
    EXPECT_STR("Hello", CALL("FROM_BYTES", abytes("Hello", 5), as("utf8")));
    EXPECT_STR("ABCD", CALL("FROM_BYTES", abytes("\xab\xcd", 2), as("hex")));
    EXPECT_STR("q80=", CALL("FROM_BYTES", abytes("\xab\xcd", 2), as("base64")));
    EXPECT_STR("a\xEF\xBF\xBD", CALL("FROM_BYTES", abytes("a\xff", 2), as("utf8")));
    EXPECT_STR("\xEF\xBF\xBD\xEF\xBF\xBD", CALL("FROM_BYTES", abytes("\xc3\xa9", 2), as("ascii")));
    EXPECT_STR("4b53514c", CALL("ENCODE", as("KSQL"), as("ascii"), as("hex")));
    EXPECT_STR("S1NRTA==", CALL("ENCODE", as("KSQL"), as("utf8"), as("base64")));
    EXPECT_STR("KSQL", CALL("ENCODE", as("4b53514c"), as("hex"), as("utf8")));
    EXPECT_STR("KSQL", CALL("ENCODE", as("S1NRTA=="), as("base64"), as("ascii")));
    EXPECT_STR("KSQL", CALL("ENCODE", as("0x4B53514C"), as("hex"), as("ascii")));
    CALL("ENCODE", as("x"), as("utf8"), as("utf16"));
    EXPECT_EDATA();
    CALL("ENCODE", as("x"), as("utf8"), as("UTF8"));
    EXPECT_EDATA();
    EXPECT_STR(NULL, CALL("ENCODE", as("x"), anull(&wr_type_string), as("hex")));

    EXPECT("1", CALL("INT_FROM_BYTES", abytes("\0\0\0\1", 4)));
    EXPECT("16777216", CALL("INT_FROM_BYTES", abytes("\0\0\0\1", 4), as("LITTLE_ENDIAN")));
    EXPECT("-1", CALL("INT_FROM_BYTES", abytes("\xff\xff\xff\xff", 4), as("BIG_ENDIAN")));
    CALL("INT_FROM_BYTES", abytes("\0\0\1", 3));
    EXPECT_EDATA();
    CALL("INT_FROM_BYTES", abytes("\0\0\0\1", 4), as("MIDDLE"));
    EXPECT_EDATA();
    EXPECT("256", CALL("BIGINT_FROM_BYTES", abytes("\0\0\0\0\0\0\1\0", 8)));
    EXPECT_TYPE("BIGINT");
    EXPECT("1.0", CALL("DOUBLE_FROM_BYTES", abytes("\x3f\xf0\0\0\0\0\0\0", 8)));
    EXPECT("1.0", CALL("DOUBLE_FROM_BYTES", abytes("\0\0\0\0\0\0\xf0\x3f", 8),
                       as("little_endian")));
}

static void test_null(void **state)
{
    EXPECT("2", CALL("COALESCE", anull(&wr_type_int), ai(2), ai(3)));
    EXPECT_TYPE("INTEGER");
    EXPECT("null", CALL("COALESCE", anull(&wr_type_int), anull(&wr_type_int)));
    EXPECT("2", CALL("COALESCE", anull(&wr_type_int), abi(2)));
    EXPECT_TYPE("BIGINT");
    EXPECT("1.0", CALL("COALESCE", anull(&wr_type_double), ai(1), ad(1.5)));
    EXPECT_TYPE("DOUBLE");
    EXPECT_STR("x", CALL("COALESCE", anull(&wr_type_string), as("x")));
    CALL("COALESCE", as("x"), ai(1));
    EXPECT_REJECTED();
    EXPECT_STR("alt", CALL("IFNULL", anull(&wr_type_string), as("alt")));
    EXPECT_STR("v", CALL("IFNULL", as("v"), as("alt")));
    EXPECT("null", CALL("NULLIF", ai(1), ai(1)));
    EXPECT("1", CALL("NULLIF", ai(1), ai(2)));
    EXPECT("1", CALL("NULLIF", ai(1), anull(&wr_type_int)));
    EXPECT("null", CALL("NULLIF", ai(1), ad(1.0)));
    EXPECT_TYPE("INTEGER");
    EXPECT_STR(NULL, CALL("NULLIF", as("a"), as("a")));
}

static void test_url(void **state)
{
    const char *u = "http://user:pw@www.test.com:8080/nested/p%20ath?query=b%20c&x=1&empty#frag%21";
    EXPECT_STR("http", CALL("URL_EXTRACT_PROTOCOL", as(u)));
    EXPECT_STR("www.test.com", CALL("URL_EXTRACT_HOST", as(u)));
    EXPECT("8080", CALL("URL_EXTRACT_PORT", as(u)));
    EXPECT_TYPE("INTEGER");
    EXPECT_STR("/nested/p ath", CALL("URL_EXTRACT_PATH", as(u)));
    EXPECT_STR("query=b c&x=1&empty", CALL("URL_EXTRACT_QUERY", as(u)));
    EXPECT_STR("frag!", CALL("URL_EXTRACT_FRAGMENT", as(u)));
    EXPECT_STR("b c", CALL("URL_EXTRACT_PARAMETER", as(u), as("query")));
    EXPECT_STR("1", CALL("URL_EXTRACT_PARAMETER", as(u), as("x")));
    EXPECT_STR("", CALL("URL_EXTRACT_PARAMETER", as(u), as("empty")));
    EXPECT_STR(NULL, CALL("URL_EXTRACT_PARAMETER", as(u), as("nope")));

    EXPECT("null", CALL("URL_EXTRACT_PORT", as("http://www.test.com/x")));
    EXPECT_STR("", CALL("URL_EXTRACT_PATH", as("http://www.test.com")));
    EXPECT_STR(NULL, CALL("URL_EXTRACT_QUERY", as("http://www.test.com/x")));
    EXPECT_STR(NULL, CALL("URL_EXTRACT_FRAGMENT", as("http://www.test.com/x")));
    EXPECT_STR("", CALL("URL_EXTRACT_FRAGMENT", as("http://www.test.com/x#")));
    /* Java quirks */
    EXPECT_STR(NULL, CALL("URL_EXTRACT_HOST", as("http://my_host.com/x")));
    EXPECT_STR("/x", CALL("URL_EXTRACT_PATH", as("http://my_host.com/x")));
    EXPECT_STR("localhost", CALL("URL_EXTRACT_PROTOCOL", as("localhost:8080/x")));
    EXPECT_STR(NULL, CALL("URL_EXTRACT_HOST", as("localhost:8080/x")));
    EXPECT_STR(NULL, CALL("URL_EXTRACT_PATH", as("mailto:someone@example.com")));
    EXPECT_STR("192.168.0.1", CALL("URL_EXTRACT_HOST", as("https://192.168.0.1:443/")));
    EXPECT_STR("[::1]", CALL("URL_EXTRACT_HOST", as("http://[::1]:80/")));
    EXPECT_STR(NULL, CALL("URL_EXTRACT_PROTOCOL", as("/just/a/path")));
    EXPECT_STR("/just/a/path", CALL("URL_EXTRACT_PATH", as("/just/a/path")));
    EXPECT_STR("/tmp/x", CALL("URL_EXTRACT_PATH", as("file:///tmp/x")));
    EXPECT_STR("", CALL("URL_EXTRACT_PATH", as("http://www.example.com?query=1")));
    EXPECT_STR("query=1", CALL("URL_EXTRACT_QUERY", as("http://www.example.com?query=1")));
    EXPECT_STR("host", CALL("URL_EXTRACT_HOST", as("http://host:/x")));
    EXPECT("null", CALL("URL_EXTRACT_PORT", as("http://host:/x")));
    EXPECT_STR("Example.COM", CALL("URL_EXTRACT_HOST", as("HTTP://u@Example.COM")));
    EXPECT_STR("a+b", CALL("URL_EXTRACT_PARAMETER", as("http://h/?x=a+b"), as("x")));
    EXPECT_STR("/h\xC3\xA9", CALL("URL_EXTRACT_PATH", as("http://h/h%C3%A9")));
    CALL("URL_EXTRACT_HOST", as("http://www.test.com/a b"));
    EXPECT_EDATA();
    CALL("URL_EXTRACT_HOST", as("http://"));
    EXPECT_EDATA();
    CALL("URL_EXTRACT_HOST", as("http://x.com/%zz"));
    EXPECT_EDATA();

    EXPECT_STR("a+b%26c%3D%C3%A9*-._%7E", CALL("URL_ENCODE_PARAM", as("a b&c=é*-._~")));
    EXPECT_STR("a b&c=é", CALL("URL_DECODE_PARAM", as("a+b%26c%3D%C3%A9")));
    EXPECT_STR("a\xEF\xBF\xBD", CALL("URL_DECODE_PARAM", as("a%FF")));
    EXPECT_STR("/\xEF\xBF\xBD", CALL("URL_EXTRACT_PATH", as("http://h/%C3")));
    CALL("URL_DECODE_PARAM", as("%zz"));
    EXPECT_EDATA();
    CALL("URL_DECODE_PARAM", as("abc%2"));
    EXPECT_EDATA();
}

static void test_other(void **state)
{
    wr_value km = CALL("GEO_DISTANCE", ad(37.4439), ad(-122.1663), ad(51.5257), ad(-0.1122));
    assert_true(km.u.d > 8633 && km.u.d < 8635);
    wr_value mi = CALL("GEO_DISTANCE", ad(37.4439), ad(-122.1663), ad(51.5257), ad(-0.1122),
                       as("MILES"));
    assert_true(mi.u.d > 5364 && mi.u.d < 5366);
    EXPECT("0.0", CALL("GEO_DISTANCE", ai(10), ai(10), ai(10), ai(10)));
    CALL("GEO_DISTANCE", ad(91), ad(0), ad(0), ad(0));
    EXPECT_EDATA();
    CALL("GEO_DISTANCE", ad(1), ad(0), ad(0), ad(0), as("parsecs"));
    EXPECT_EDATA();
    EXPECT("5", CALL("AS_VALUE", ai(5)));
    EXPECT_TYPE("INTEGER");
    EXPECT_STR("k", CALL("AS_VALUE", as("k")));
}


/* Every function of part A with random arguments of every simple type: nothing may crash
 * (run under ASan/UBSan by `make asan`); results are not checked. */
static void test_random_inputs(void **state)
{
    const wr_scalar_def *arrays[] = {wr_fns_math, wr_fns_string, wr_fns_regex, wr_fns_bytes,
                                     wr_fns_null, wr_fns_url, wr_fns_other};
    const wr_type *types[] = {&wr_type_string, &wr_type_int, &wr_type_bytes, &wr_type_double,
                              &wr_type_bigint, &wr_type_null};
    static const char *pool[] = {"", "a", "%", "%4", "%zz", "\\u00", "http://x.y:80/p?q=1#f",
                                 "(", "a*", "\xff\xfe", "\xc3", "hex", "utf8", "base64",
                                 "ascii", "LITTLE_ENDIAN", "-", "$", "$1", "\\", "é\xF0\x9F",
                                 "[", "?", "//", "a:b/c:d", "KM", "MILES"};
    unsigned seed = 12345;
    for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++) {
        for (const wr_scalar_def *d = arrays[a]; d->name; d++) {
            int maxa = d->max_args < 0 ? d->min_args + 3 : d->max_args;
            for (int iter = 0; iter < 300; iter++) {
                int argc = d->min_args + (maxa > d->min_args ? (int)(rand_r(&seed) % (unsigned)(maxa - d->min_args + 1)) : 0);
                fnt_arg args[8];
                for (int i = 0; i < argc && i < 8; i++) {
                    const wr_type *t = types[rand_r(&seed) % 6];
                    args[i].t = t;
                    switch (t->kind) {
                    case WR_STRING: case WR_BYTES: {
                        const char *p = pool[rand_r(&seed) % (sizeof pool / sizeof pool[0])];
                        args[i].v = wr_str(p, strlen(p));
                        args[i].v.kind = (uint8_t)t->kind;
                        break;
                    }
                    case WR_INT: args[i].v = wr_int((int32_t)(rand_r(&seed) % 21) - 10); break;
                    case WR_BIGINT: args[i].v = wr_bigint((int64_t)(rand_r(&seed) % 21) - 10); break;
                    case WR_DOUBLE: args[i].v = wr_double(((int)(rand_r(&seed) % 2001) - 1000) / 7.0); break;
                    default: args[i].v = wr_null(); break;
                    }
                    if (rand_r(&seed) % 8 == 0)
                        args[i].v = wr_null();
                }
                if (argc > 8)
                    argc = 8;
                if (argc == 0 && d->min_args > 0)
                    continue;
                fnt_call_site(d->name, NULL, argc, args);
            }
        }
    }
    wr_arena_reset(&fnt_arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regex_extract), cmocka_unit_test(test_regex_replace_split),
        cmocka_unit_test(test_bytes),         cmocka_unit_test(test_null),
        cmocka_unit_test(test_url),           cmocka_unit_test(test_other),
        cmocka_unit_test(test_random_inputs),
    };
    return cmocka_run_group_tests(tests, fnt_setup, fnt_teardown);
}
