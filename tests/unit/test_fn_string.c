/*
 * test_fn_string.c - string functions (fn_string.c) and the BYTES/encoding functions
 * (fn_bytes.c).
 */
#include "unit.h"
#include "fn_test.h"

static void test_case(void **state)
{
    EXPECT_STR("HELLO WORLD", CALL("UCASE", as("Hello World")));
    EXPECT_STR("hello world", CALL("LCASE", as("Hello World")));
    EXPECT_STR("ÄÖÜ", CALL("UCASE", as("äöü")));
    EXPECT_STR("STRASSE", CALL("UCASE", as("straße")));
    EXPECT_STR(NULL, CALL("UCASE", anull(&wr_type_string)));
    EXPECT_STR("Hello World", CALL("INITCAP", as("hELLO wORLD")));
    EXPECT_STR("Hello  World ", CALL("INITCAP", as("  hello  world ")));
    EXPECT_STR("Élan 9lives", CALL("INITCAP", as("éLAN 9LIVES")));
    EXPECT_STR("", CALL("INITCAP", as("")));
    EXPECT_STR("a b", CALL("TRIM", as(" \t a b \n")));
    EXPECT_STR("", CALL("TRIM", as("   ")));
}

static void test_concat(void **state)
{
    EXPECT_STR("abc", CALL("CONCAT", as("a"), as("b"), as("c")));
    EXPECT_STR("ac", CALL("CONCAT", as("a"), anull(&wr_type_string), as("c")));
    EXPECT_STR("", CALL("CONCAT", anull(&wr_type_string)));
    EXPECT_TYPE("STRING");
    CALL("CONCAT", as("a"), ai(1));
    EXPECT_REJECTED();
    EXPECT("AQID", CALL("CONCAT", abytes("\1\2", 2), abytes("\3", 1)));
    EXPECT_TYPE("BYTES");
    EXPECT_STR("a-b-c", CALL("CONCAT_WS", as("-"), as("a"), as("b"), as("c")));
    EXPECT_STR("a-c", CALL("CONCAT_WS", as("-"), as("a"), anull(&wr_type_string), as("c")));
    EXPECT_STR(NULL, CALL("CONCAT_WS", anull(&wr_type_string), as("a"), as("b")));
    EXPECT_STR("b", CALL("ELT", ai(2), as("a"), as("b")));
    EXPECT_STR(NULL, CALL("ELT", ai(3), as("a"), as("b")));
    EXPECT_STR(NULL, CALL("ELT", ai(0), as("a"), as("b")));
    EXPECT("2", CALL("FIELD", as("b"), as("a"), as("b"), as("b")));
    EXPECT("0", CALL("FIELD", as("z"), as("a"), as("b")));
    EXPECT("0", CALL("FIELD", anull(&wr_type_string), as("a")));
}

static void test_len_instr(void **state)
{
    EXPECT("5", CALL("LEN", as("héllo")));
    EXPECT("2", CALL("LEN", as("\xF0\x9F\x98\x80"))); /* one emoji = 2 UTF-16 units in Java */
    EXPECT("0", CALL("LEN", as("")));
    EXPECT("3", CALL("LEN", abytes("abc", 3)));
    EXPECT("null", CALL("LEN", anull(&wr_type_string)));
    EXPECT("5", CALL("INSTR", as("CORPORATE FLOOR"), as("OR"), ai(3)));
    EXPECT("2", CALL("INSTR", as("CORPORATE FLOOR"), as("OR")));
    EXPECT("14", CALL("INSTR", as("CORPORATE FLOOR"), as("OR"), ai(3), ai(2)));
    EXPECT("0", CALL("INSTR", as("CORPORATE FLOOR"), as("OR"), ai(3), ai(3)));
    EXPECT("2", CALL("INSTR", as("CORPORATE FLOOR"), as("OR"), ai(-3), ai(2)));
    EXPECT("5", CALL("INSTR", as("CORPORATE FLOOR"), as("OR"), ai(-3)));
    EXPECT("0", CALL("INSTR", as("abc"), as("z")));
    EXPECT("3", CALL("INSTR", as("héllo"), as("l")));
}

static void test_pad(void **state)
{
    EXPECT_STR("xyxQuery", CALL("LPAD", as("Query"), ai(8), as("xy")));
    EXPECT_STR("Que", CALL("LPAD", as("Query"), ai(3), as("xy")));
    EXPECT_STR("Queryxyx", CALL("RPAD", as("Query"), ai(8), as("xy")));
    EXPECT_STR("Que", CALL("RPAD", as("Query"), ai(3), as("xy")));
    EXPECT_STR(NULL, CALL("RPAD", as("Query"), ai(8), as("")));
    EXPECT_STR(NULL, CALL("LPAD", as("Query"), ai(-1), as("x")));
    EXPECT_STR("", CALL("LPAD", as("Query"), ai(0), as("x")));
    CALL("LPAD", as("Query"), ai(2000000000), as("x"));
    EXPECT_EDATA();
    EXPECT_STR("ééa", CALL("LPAD", as("a"), ai(3), as("é")));
    EXPECT("AAAB", CALL("LPAD", abytes("\1", 1), ai(3), abytes("\0", 1)));
    EXPECT_TYPE("BYTES");
}

static void test_mask(void **state)
{
    EXPECT_STR("XxxxxXx-nnn", CALL("MASK", as("AbcdeFg-123")));
    EXPECT_STR("Xxxxx-Xxxxx-n", CALL("MASK", as("Hello World 1")));
    EXPECT_STR("**..##++", CALL("MASK", as("ABcd12 !"), as("*"), as("."), as("#"), as("+")));
    EXPECT_STR("AB..12 !", CALL("MASK", as("ABcd12 !"), anull(&wr_type_string), as("."),
                               anull(&wr_type_string), anull(&wr_type_string)));
    EXPECT_STR("XxCd12", CALL("MASK_LEFT", as("AbCd12"), ai(2)));
    EXPECT_STR("XxXxnn", CALL("MASK_LEFT", as("AbCd12"), ai(10)));
    EXPECT_STR("AbCdnn", CALL("MASK_RIGHT", as("AbCd12"), ai(2)));
    EXPECT_STR("AbXxnn", CALL("MASK_KEEP_LEFT", as("AbCd12"), ai(2)));
    EXPECT_STR("XxXx12", CALL("MASK_KEEP_RIGHT", as("AbCd12"), ai(2)));
    EXPECT_STR("AbCd12", CALL("MASK_KEEP_RIGHT", as("AbCd12"), ai(20)));
    EXPECT_STR("****12", CALL("MASK_KEEP_RIGHT", as("AbCd12"), ai(2), as("*"), as("*"),
                              anull(&wr_type_string), as("-")));
    CALL("MASK_LEFT", as("AbCd12"), ai(-1));
    EXPECT_EDATA();
    EXPECT_STR(NULL, CALL("MASK", anull(&wr_type_string)));
}

static void test_replace_split(void **state)
{
    EXPECT_STR("bbb", CALL("REPLACE", as("aaa"), as("a"), as("b")));
    EXPECT_STR("ba", CALL("REPLACE", as("aaa"), as("aa"), as("b")));
    EXPECT_STR("-a-b-", CALL("REPLACE", as("ab"), as(""), as("-")));
    EXPECT_STR("x", CALL("REPLACE", as("abc"), as("abc"), as("x")));
    EXPECT_STR(NULL, CALL("REPLACE", as("abc"), anull(&wr_type_string), as("x")));
    EXPECT("[a, b, c]", CALL("SPLIT", as("a,b,c"), as(",")));
    EXPECT_TYPE("ARRAY<STRING>");
    EXPECT("[, a, , b, ]", CALL("SPLIT", as(",a,,b,"), as(",")));
    EXPECT("[a, é, c]", CALL("SPLIT", as("aéc"), as("")));
    wr_value e = CALL("SPLIT", as(""), as(","));
    assert_int_equal(e.len, 1);
    assert_int_equal(e.u.items[0].len, 0);
    EXPECT("[abc]", CALL("SPLIT", as("abc"), as("--")));
    EXPECT("[ab, cd]", CALL("SPLIT", as("ab--cd"), as("--")));
    EXPECT("null", CALL("SPLIT", anull(&wr_type_string), as(",")));
    EXPECT("[AQ==, Aw==]", CALL("SPLIT", abytes("\1\2\3", 3), abytes("\2", 1)));
    EXPECT_TYPE("ARRAY<BYTES>");
    EXPECT("{apple=3, banana=4}", CALL("SPLIT_TO_MAP", as("apple:3/banana:4"), as("/"), as(":")));
    EXPECT_TYPE("MAP<STRING, STRING>");
    EXPECT("{a=2, c=}", CALL("SPLIT_TO_MAP", as("a:1//c:/a:2:9/junk"), as("/"), as(":")));
    EXPECT("null", CALL("SPLIT_TO_MAP", as("a:1"), as(":"), as(":")));
    EXPECT("null", CALL("SPLIT_TO_MAP", as("a:1"), as(""), as(":")));
}

static void test_substring(void **state)
{
    EXPECT_STR("ello", CALL("SUBSTRING", as("hello"), ai(2)));
    EXPECT_STR("el", CALL("SUBSTRING", as("hello"), ai(2), ai(2)));
    EXPECT_STR("lo", CALL("SUBSTRING", as("hello"), ai(-2)));
    EXPECT_STR("ll", CALL("SUBSTRING", as("hello"), ai(-3), ai(2)));
    EXPECT_STR("hello", CALL("SUBSTRING", as("hello"), ai(0)));
    EXPECT_STR("hello", CALL("SUBSTRING", as("hello"), ai(-10)));
    EXPECT_STR("", CALL("SUBSTRING", as("hello"), ai(10)));
    EXPECT_STR("", CALL("SUBSTRING", as("hello"), ai(2), ai(-1)));
    EXPECT_STR("éll", CALL("SUBSTRING", as("héllo"), ai(2), ai(3)));
    EXPECT_STR(NULL, CALL("SUBSTRING", as("hello"), anull(&wr_type_int)));
    EXPECT("AgM=", CALL("SUBSTRING", abytes("\1\2\3", 3), ai(2)));
    fnt_cfg.substring_legacy_args = 1;
    EXPECT_STR("ello", CALL("SUBSTRING", as("hello"), ai(1)));
    EXPECT_STR("el", CALL("SUBSTRING", as("hello"), ai(1), ai(3)));
    CALL("SUBSTRING", as("hello"), ai(1), ai(9));
    EXPECT_EDATA();
    fnt_cfg.substring_legacy_args = 0;
}

static void test_chr_uuid_md5(void **state)
{
    EXPECT_STR("K", CALL("CHR", ai(75)));
    EXPECT_STR("é", CALL("CHR", ai(233)));
    EXPECT_STR("\xF0\x9F\x98\x80", CALL("CHR", ai(0x1F600)));
    EXPECT_STR(NULL, CALL("CHR", ai(-1)));
    EXPECT_STR("K", CALL("CHR", as("\\u004b")));
    EXPECT_STR("\xF0\x9F\x98\x80", CALL("CHR", as("\\ud83d\\ude00")));
    EXPECT_STR(NULL, CALL("CHR", as("75")));
    wr_value u = CALL0("UUID");
    assert_int_equal(u.len, 36);
    assert_int_equal(u.u.s[14], '4');
    assert_true(strchr("89ab", u.u.s[19]) != NULL);
    EXPECT_STR("00010203-0405-0607-0809-0a0b0c0d0e0f",
               CALL("UUID", abytes("\0\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17", 16)));
    EXPECT_STR(NULL, CALL("UUID", abytes("\0", 1)));
    EXPECT_STR("5d41402abc4b2a76b9719d911017c592", CALL("MD5", as("hello")));
    EXPECT_STR("d41d8cd98f00b204e9800998ecf8427e", CALL("MD5", as("")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case),          cmocka_unit_test(test_concat),
        cmocka_unit_test(test_len_instr),     cmocka_unit_test(test_pad),
        cmocka_unit_test(test_mask),          cmocka_unit_test(test_replace_split),
        cmocka_unit_test(test_substring),     cmocka_unit_test(test_chr_uuid_md5),
    };
    return cmocka_run_group_tests(tests, fnt_setup, fnt_teardown);
}
