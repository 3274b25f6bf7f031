/*
 * test_fn_math.c - mathematical functions (fn_math.c) and the registry (func.c).
 */
#include "unit.h"
#include "fn_test.h"

static void test_registry(void **state)
{
    assert_non_null(wr_fn_lookup("abs"));
    assert_non_null(wr_fn_lookup("ABS"));
    assert_null(wr_fn_lookup("ABSS"));
    assert_null(wr_fn_lookup(NULL));
    int n = wr_fn_count();
    assert_true(n > 30);
    for (int i = 1; i < n; i++)
        assert_true(strcasecmp(wr_fn_at(i - 1)->name, wr_fn_at(i)->name) < 0);
    assert_null(wr_fn_at(n));
    assert_null(wr_fn_at(-1));
    assert_string_equal(wr_fn_suggest("ABSS"), "ABS");
    assert_string_equal(wr_fn_suggest("SUBSTRIN"), "SUBSTRING");
    assert_null(wr_fn_suggest("QQQQQQQQQQQQ"));
    for (int i = 0; i < n; i++) {
        const wr_scalar_def *d = wr_fn_at(i);
        assert_non_null(d->category);
        assert_non_null(d->description);
        assert_non_null(d->variants);
        assert_non_null(d->variants[0]);
        assert_non_null(d->resolve);
        assert_non_null(d->fn);
    }
    wr_fn_config c;
    wr_fn_config_default(&c);
    assert_int_equal(c.substring_legacy_args, 0);
}

static void test_widen(void **state)
{
    wr_arena *a = &fnt_arena;
    wr_buf b;
    wr_buf_init(&b);
    assert_ptr_equal(wr_fn_numeric_widen(a, &wr_type_int, &wr_type_int), &wr_type_int);
    assert_ptr_equal(wr_fn_numeric_widen(a, &wr_type_int, &wr_type_bigint), &wr_type_bigint);
    assert_ptr_equal(wr_fn_numeric_widen(a, &wr_type_double, &wr_type_bigint), &wr_type_double);
    assert_null(wr_fn_numeric_widen(a, &wr_type_string, &wr_type_int));
    const wr_type *d = wr_fn_numeric_widen(a, wr_type_decimal(a, 5, 2), &wr_type_int);
    wr_type_format(d, &b);
    assert_string_equal(b.data, "DECIMAL(12, 2)");
    wr_buf_reset(&b);
    d = wr_fn_numeric_widen(a, wr_type_decimal(a, 5, 2), wr_type_decimal(a, 4, 3));
    wr_type_format(d, &b);
    assert_string_equal(b.data, "DECIMAL(6, 3)");
    wr_buf_fini(&b);

    wr_fn_resolve_ctx rc = {0};
    const wr_type *t[2] = {&wr_type_string, &wr_type_int};
    assert_null(wr_fn_bad_args(&rc, "ABS", 2, t));
    assert_string_equal(rc.errmsg, "Function 'ABS' does not accept parameters (STRING, INTEGER).");
}

static void test_abs_sign(void **state)
{
    EXPECT("5", CALL("ABS", ai(-5)));
    EXPECT_TYPE("INTEGER");
    EXPECT("5", CALL("ABS", abi(-5)));
    EXPECT_TYPE("BIGINT");
    EXPECT("2.5", CALL("ABS", ad(-2.5)));
    EXPECT("1.50", CALL("ABS", adec("-1.5", 4, 2)));
    EXPECT_TYPE("DECIMAL(4, 2)");
    EXPECT("null", CALL("ABS", anull(&wr_type_int)));
    CALL("ABS", as("x"));
    EXPECT_REJECTED();
    EXPECT("-1", CALL("SIGN", ad(-0.5)));
    EXPECT_TYPE("INTEGER");
    EXPECT("0", CALL("SIGN", ai(0)));
    EXPECT("1", CALL("SIGN", adec("0.01", 3, 2)));
    EXPECT("1", CALL("SIGN", abi(12345678901LL)));
}

static void test_ceil_floor(void **state)
{
    EXPECT("2.0", CALL("CEIL", ad(1.2)));
    EXPECT("-1.0", CALL("CEIL", ad(-1.2)));
    EXPECT("1.0", CALL("FLOOR", ad(1.8)));
    EXPECT("-2.0", CALL("FLOOR", ad(-1.2)));
    EXPECT("7", CALL("FLOOR", ai(7)));
    EXPECT_TYPE("INTEGER");
    EXPECT("2.00", CALL("CEIL", adec("1.01", 3, 2)));
    EXPECT_TYPE("DECIMAL(3, 2)");
    EXPECT("-1.00", CALL("CEIL", adec("-1.99", 3, 2)));
    EXPECT("-2.00", CALL("FLOOR", adec("-1.01", 3, 2)));
    EXPECT("1.00", CALL("FLOOR", adec("1.99", 3, 2)));
}

static void test_round(void **state)
{
    EXPECT("3", CALL("ROUND", ad(2.5)));
    EXPECT_TYPE("BIGINT");
    EXPECT("-2", CALL("ROUND", ad(-2.5)));
    EXPECT("-7", CALL("ROUND", ad(-7.5)));
    EXPECT("-8", CALL("ROUND", ad(-7.51)));
    EXPECT("0", CALL("ROUND", ad(0.49999999999999994)));
    EXPECT("5", CALL("ROUND", ai(5)));
    EXPECT("1200.0", CALL("ROUND", ad(1234.5), ai(-2)));
    EXPECT_TYPE("DOUBLE");
    EXPECT("1.01", CALL("ROUND", ad(1.005), ai(2)));
    EXPECT("1.24", CALL("ROUND", ad(1.235), ai(2))); /* valueOf(1.235) = 1.235 -> HALF_UP */
    EXPECT("-1.23", CALL("ROUND", ad(-1.235), ai(2))); /* ties toward +inf */
    EXPECT("-1.24", CALL("ROUND", ad(-1.2351), ai(2)));
    EXPECT("0.0", CALL("ROUND", ad(0.004), ai(2)));
    EXPECT("0.01", CALL("ROUND", ad(0.005), ai(2)));
    EXPECT("10.0", CALL("ROUND", ad(9.99), ai(1)));
    EXPECT("1000.0", CALL("ROUND", ad(999.5), ai(0)));
    EXPECT("0.0", CALL("ROUND", ad(12.0), ai(-3)));
    EXPECT("1000.0", CALL("ROUND", ad(500.0), ai(-3)));
    EXPECT("1.2345678E7", CALL("ROUND", ad(12345678.4), ai(0)));
    EXPECT("12.0", CALL("ROUND", ai(12), ai(1)));
    EXPECT("null", CALL("ROUND", ad(1.5), anull(&wr_type_int)));
    EXPECT("2", CALL("ROUND", adec("1.50", 3, 2)));
    EXPECT_TYPE("DECIMAL(2, 0)");
    EXPECT("-1", CALL("ROUND", adec("-1.50", 3, 2)));
    EXPECT("1.30", CALL("ROUND", adec("1.25", 3, 2), ai(1)));
    EXPECT_TYPE("DECIMAL(3, 2)");
    EXPECT("-1.20", CALL("ROUND", adec("-1.25", 3, 2), ai(1)));
    EXPECT("100.00", CALL("ROUND", adec("123.45", 5, 2), ai(-2)));
}

static void test_trunc(void **state)
{
    EXPECT("2", CALL("TRUNC", ad(2.9)));
    EXPECT("-2", CALL("TRUNC", ad(-2.9)));
    EXPECT("1.23", CALL("TRUNC", ad(1.239), ai(2)));
    EXPECT("-1.23", CALL("TRUNC", ad(-1.239), ai(2)));
    EXPECT("1200.0", CALL("TRUNC", ad(1299.0), ai(-2)));
    EXPECT("1.20", CALL("TRUNC", adec("1.29", 3, 2), ai(1)));
    EXPECT("-1.20", CALL("TRUNC", adec("-1.29", 3, 2), ai(1)));
    EXPECT("-1", CALL("TRUNC", adec("-1.99", 3, 2)));
}

static void test_transcendental(void **state)
{
    EXPECT("3.0", CALL("SQRT", ai(9)));
    EXPECT_TYPE("DOUBLE");
    EXPECT("NaN", CALL("SQRT", ad(-1)));
    EXPECT("3.0", CALL("CBRT", abi(27)));
    EXPECT("1024.0", CALL("POWER", ai(2), ai(10)));
    EXPECT("0.5", CALL("POWER", ai(2), ai(-1)));
    EXPECT("1.0", CALL("EXP", ai(0)));
    EXPECT("0.0", CALL("LN", ai(1)));
    EXPECT("-Infinity", CALL("LN", ai(0)));
    EXPECT("2.0", CALL("LOG", ai(10), ai(100)));
    EXPECT("3.0", CALL("LOG", ai(2), ai(8)));
    EXPECT("NaN", CALL("LOG", ai(1), ai(8)));
    EXPECT("NaN", CALL("LOG", ai(-2), ai(8)));
    EXPECT("3.141592653589793", CALL0("PI"));
    EXPECT("180.0", CALL("DEGREES", ad(3.141592653589793)));
    EXPECT("3.141592653589793", CALL("RADIANS", ai(180)));
    EXPECT("0.0", CALL("SIN", ai(0)));
    EXPECT("1.0", CALL("COS", ai(0)));
    EXPECT("0.0", CALL("TAN", ai(0)));
    EXPECT("Infinity", CALL("COT", ai(0)));
    EXPECT("0.0", CALL("ASIN", ai(0)));
    EXPECT("0.0", CALL("ACOS", ai(1)));
    EXPECT("0.7853981633974483", CALL("ATAN", ai(1)));
    EXPECT("0.7853981633974483", CALL("ATAN2", ai(1), ai(1)));
    EXPECT("1.0", CALL("COSH", ai(0)));
    EXPECT("0.0", CALL("SINH", ai(0)));
    EXPECT("0.0", CALL("TANH", ai(0)));
    EXPECT("1.5", CALL("SQRT", adec("2.25", 3, 2)));
    EXPECT("null", CALL("SQRT", anull(&wr_type_double)));
    for (int i = 0; i < 100; i++) {
        wr_value r = CALL0("RANDOM");
        assert_true(r.kind == WR_DOUBLE && r.u.d >= 0 && r.u.d < 1);
    }
    assert_true(wr_fn_lookup("RANDOM")->flags & WR_FN_NONDETERMINISTIC);
}

static void test_greatest_least(void **state)
{
    EXPECT("7", CALL("GREATEST", ai(3), ai(7), ai(-1)));
    EXPECT_TYPE("INTEGER");
    EXPECT("-1", CALL("LEAST", ai(3), ai(7), ai(-1)));
    EXPECT("7.5", CALL("GREATEST", ai(3), ad(7.5), abi(5)));
    EXPECT_TYPE("DOUBLE");
    EXPECT("10", CALL("GREATEST", ai(3), abi(10)));
    EXPECT_TYPE("BIGINT");
    EXPECT("3", CALL("GREATEST", anull(&wr_type_int), ai(3), anull(&wr_type_int)));
    EXPECT("null", CALL("GREATEST", anull(&wr_type_int), anull(&wr_type_int)));
    EXPECT("pear", CALL("GREATEST", as("apple"), as("pear"), as("banana")));
    EXPECT("apple", CALL("LEAST", as("apple"), as("pear"), as("banana")));
    EXPECT("2.50", CALL("GREATEST", adec("2.5", 3, 2), ai(1)));
    EXPECT_TYPE("DECIMAL(12, 2)");
    CALL("GREATEST", as("a"), ai(1));
    EXPECT_REJECTED();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),       cmocka_unit_test(test_widen),
        cmocka_unit_test(test_abs_sign),       cmocka_unit_test(test_ceil_floor),
        cmocka_unit_test(test_round),          cmocka_unit_test(test_trunc),
        cmocka_unit_test(test_transcendental), cmocka_unit_test(test_greatest_least),
    };
    return cmocka_run_group_tests(tests, fnt_setup, fnt_teardown);
}
