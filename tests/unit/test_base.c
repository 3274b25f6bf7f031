/* test_base.c - arenas, errors, number text, decimals, base64, casts (engine/base.c). */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void check_double(double d, const char *want)
{
    char buf[48];
    wr_double_format(d, buf);
    if (strcmp(buf, want)) fprintf(stderr, "double %.17g: got %s want %s\n", d, buf, want);
    assert_string_equal(buf, want);
}

static void test_double_java_text(void **state)
{
    (void)state;
    check_double(4.0, "4.0");
    check_double(0.1 + 0.2, "0.30000000000000004");
    check_double(1e7, "1.0E7");
    check_double(9999999.0, "9999999.0");
    check_double(4.9e-324, "4.9E-324");
    check_double(0.001, "0.001");
    check_double(0.0001, "1.0E-4");
    check_double(-2.5, "-2.5");
    check_double(12345678.9, "1.23456789E7");
    check_double(100.0, "100.0");
    check_double(1.5e300, "1.5E300");
    check_double(0.0, "0.0");
    check_double(NAN, "NaN");
    check_double(-INFINITY, "-Infinity");
    check_double(2147483648.9, "2.1474836489E9");
}

/* The fast path (plain range) must give exactly what the exact search gives: decimals of
 * every length from 1 to 17 digits scaled into [1e-3, 1e7), their neighbours one ulp away,
 * and sums that do not round-trip short (0.1 + 0.2). */
static void test_double_fast_path(void **state)
{
    (void)state;
    uint64_t x = 0x243F6A8885A308D3ULL;
    int checked = 0;
    for (int i = 0; i < 600000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int digits = 1 + (int)(x % 17), scale = (int)((x >> 8) % 20);
        uint64_t m = (x >> 16) % 100000000000000000ULL; /* up to 17 digits */
        uint64_t lim = 1;
        for (int k = 0; k < digits; k++) lim *= 10;
        m %= lim;
        double d = (double)m;
        for (int k = 0; k < scale; k++) d /= 10;
        if ((x >> 60) & 1) d = nextafter(d, INFINITY);
        if ((x >> 61) & 1) d = -d;
        if ((x >> 62) & 1) d = d * 0.1 + 0.2;
        if (fabs(d) < 1e-3 || fabs(d) >= 1e7) continue;
        char fast[48], exact[48];
        wr_double_format(d, fast);
        wr_double_format_exact(d, exact);
        if (strcmp(fast, exact)) fprintf(stderr, "%.17g: fast %s, exact %s\n", d, fast, exact);
        assert_string_equal(fast, exact);
        checked++;
    }
    assert_true(checked > 300000);
}

/* The exact fast parse must agree with strtod bit for bit, and refuse what it cannot do. */
static void test_double_parse_fast(void **state)
{
    (void)state;
    static const char *const refused[] = {"", "-", ".", "1e", "abc", "1.5x", "12345678901234567890",
                                          "1e23", "9007199254740993", "1e-23"};
    double d;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(wr_double_parse_fast(refused[i], strlen(refused[i]), &d), -1);
    assert_int_equal(wr_double_parse_fast("-0", 2, &d), 0);
    assert_true(d == 0 && signbit(d));
    uint64_t x = 0x13198A2E03707344ULL;
    int fast = 0;
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char txt[64];
        int ip = (int)(x % 100000000), fd = (int)((x >> 30) % 12), e = (int)((x >> 40) % 50) - 25;
        uint64_t lim = 10;
        for (int k = 0; k < fd; k++) lim *= 10;
        int n = snprintf(txt, sizeof txt, "%s%d.%0*llu", (x >> 62) & 1 ? "-" : "", ip, fd + 1,
                         (unsigned long long)((x >> 20) % lim));
        if ((x >> 61) & 1) n += snprintf(txt + n, sizeof txt - (size_t)n, "e%d", e);
        if (wr_double_parse_fast(txt, (size_t)n, &d) == 0) {
            double want = strtod(txt, NULL);
            if (memcmp(&d, &want, sizeof d)) fprintf(stderr, "%s: fast %.17g strtod %.17g\n", txt, d, want);
            assert_memory_equal(&d, &want, sizeof d);
            fast++;
        }
    }
    assert_true(fast > 100000);
}

/* The shortest-digits search must give what a linear search over precisions gives. */
static void test_double_shortest_random(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        if (i % 2) {
            memcpy(&d, &x, sizeof d); /* any bit pattern */
            if (isnan(d) || isinf(d) || d == 0) continue;
        } else {
            d = (double)(x % 100000000) / 100.0 * ((x >> 40) % 2 ? 1.1 : 1.0); /* money-like */
            if (d == 0) continue;
        }
        char got[48], tmp[40];
        wr_double_format(d, got);
        int prec;
        for (prec = 2; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
            if (strtod(tmp, NULL) == d) break;
        }
        assert_true(strtod(got, NULL) == d); /* round-trips */
        /* same significant digits as the linear search */
        char a[24], b[24];
        int na = 0, nb = 0;
        for (const char *p = tmp; *p && *p != 'e'; p++)
            if (*p >= '0' && *p <= '9') a[na++] = *p;
        while (na > 1 && a[na - 1] == '0') na--;
        int lead = 1;
        for (const char *p = got; *p && *p != 'E'; p++)
            if (*p >= '0' && *p <= '9') {
                if (lead && *p == '0') continue;
                lead = 0;
                b[nb++] = *p;
            }
        while (nb > 1 && b[nb - 1] == '0') nb--;
        a[na] = b[nb] = 0;
        if (strcmp(a, b)) fprintf(stderr, "%.17g: got %s, linear %s\n", d, got, tmp);
        assert_string_equal(a, b);
    }
}

static void check_dec(const char *in, const char *want_text, int want_scale)
{
    wr_int128 u;
    int s;
    assert_int_equal(wr_decimal_parse(in, strlen(in), &u, &s), 0);
    assert_int_equal(s, want_scale);
    wr_buf b;
    wr_buf_init(&b);
    wr_decimal_format(u, s, &b);
    assert_string_equal(b.data, want_text);
    wr_buf_fini(&b);
}

static void test_decimal(void **state)
{
    (void)state;
    check_dec("12.50", "12.50", 2);
    check_dec("-0.5", "-0.5", 1);
    check_dec("2", "2", 0);
    check_dec("1E+2", "100", 0);
    check_dec("1.5e-3", "0.0015", 4);
    wr_int128 u, r;
    int s;
    wr_decimal_parse("2", 1, &u, &s);
    assert_int_equal(wr_decimal_rescale(u, s, 3, 5, &r), 0);
    wr_buf b;
    wr_buf_init(&b);
    wr_decimal_format(r, 3, &b);
    assert_string_equal(b.data, "2.000");
    wr_decimal_parse("2.345", 5, &u, &s);
    assert_int_equal(wr_decimal_rescale(u, s, 2, 5, &r), 0);
    wr_buf_reset(&b);
    wr_decimal_format(r, 2, &b);
    assert_string_equal(b.data, "2.35");
    wr_decimal_parse("-2.345", 6, &u, &s);
    wr_decimal_rescale(u, s, 2, 5, &r);
    wr_buf_reset(&b);
    wr_decimal_format(r, 2, &b);
    assert_string_equal(b.data, "-2.35");
    wr_decimal_parse("123.4", 5, &u, &s);
    assert_int_equal(wr_decimal_rescale(u, s, 2, 4, &r), -1); /* 123.40 needs 5 digits */
    assert_int_equal(wr_decimal_parse("abc", 3, &u, &s), -1);
    wr_buf_fini(&b);
}

static void test_base64(void **state)
{
    (void)state;
    wr_buf b;
    wr_buf_init(&b);
    wr_base64_encode("{", 1, &b);
    assert_string_equal(b.data, "ew==");
    unsigned char out[16];
    assert_int_equal(wr_base64_decode("ew==", 4, out), 1);
    assert_int_equal(out[0], '{');
    wr_buf_reset(&b);
    wr_base64_encode("hello", 5, &b);
    assert_string_equal(b.data, "aGVsbG8=");
    assert_int_equal(wr_base64_decode("!!", 2, out), -1);
    wr_buf_fini(&b);
}

static void test_error_format(void **state)
{
    (void)state;
    const char *sql = "SELECT a,\n  amountt FROM s;";
    wr_error err;
    wr_error_at(&err, WR_ESEMANTIC, 12, 7, "Column 'AMOUNTT' cannot be resolved.");
    wr_error_hint(&err, "Did you mean 'AMOUNT'?");
    wr_buf b;
    wr_buf_init(&b);
    wr_error_format(&err, sql, &b);
    assert_string_equal(b.data, "Line: 2, Col: 3: Column 'AMOUNTT' cannot be resolved. Did you mean 'AMOUNT'?\n"
                                "  amountt FROM s;\n"
                                "  ^^^^^^^\n");
    wr_buf_fini(&b);
    assert_int_equal(wr_edit_distance("AMOUNTT", "amount"), 1);
}

static void test_casts(void **state)
{
    (void)state;
    wr_arena a;
    wr_arena_init(&a, 0);
    wr_error err;
    wr_value out;
    wr_value s = wr_cstr(&a, " 42 ");
    assert_int_equal(wr_value_cast(&a, &s, &wr_type_string, &wr_type_int, &out, &err), 0);
    assert_int_equal(out.kind, WR_INT);
    assert_int_equal(out.u.i, 42);
    s = wr_cstr(&a, "x");
    assert_int_equal(wr_value_cast(&a, &s, &wr_type_string, &wr_type_int, &out, &err), WR_EDATA);
    wr_value d = wr_double(2.7);
    wr_value_cast(&a, &d, &wr_type_double, &wr_type_int, &out, &err);
    assert_int_equal(out.u.i, 2);
    wr_value_cast(&a, &d, &wr_type_double, wr_type_decimal(&a, 4, 2), &out, &err);
    wr_buf b;
    wr_buf_init(&b);
    wr_value_format(&out, NULL, &b);
    assert_string_equal(b.data, "2.70");
    wr_value ts = wr_i64(WR_TIMESTAMP, 1605000000123);
    wr_value_cast(&a, &ts, &wr_type_timestamp, &wr_type_string, &out, &err);
    assert_int_equal(out.kind, WR_STRING);
    assert_memory_equal(out.u.s, "2020-11-10T09:20:00.123", 23);
    s = wr_cstr(&a, "2020-11-10T09:20:00.123");
    wr_value_cast(&a, &s, &wr_type_string, &wr_type_timestamp, &out, &err);
    assert_int_equal(out.u.i, 1605000000123);
    s = wr_cstr(&a, "1970-01-03");
    wr_value_cast(&a, &s, &wr_type_string, &wr_type_date, &out, &err);
    assert_int_equal(out.u.i, 2);
    s = wr_cstr(&a, "Yes");
    wr_value_cast(&a, &s, &wr_type_string, &wr_type_boolean, &out, &err);
    assert_int_equal(out.u.b, 1);
    wr_buf_fini(&b);
    wr_arena_fini(&a);
}

static void test_compare_equal(void **state)
{
    (void)state;
    wr_arena a;
    wr_arena_init(&a, 0);
    wr_value i = wr_int(2), l = wr_bigint(2), d = wr_double(2.0), m = wr_decimal(&a, 200, 2);
    assert_true(wr_value_equal(&i, &l));
    assert_true(wr_value_equal(&i, &d));
    assert_true(wr_value_equal(&i, &m));
    assert_int_equal(wr_value_hash(&i), wr_value_hash(&m));
    wr_value x = wr_cstr(&a, "a"), y = wr_cstr(&a, "ab"), n = wr_null();
    assert_true(wr_value_compare(&x, &y) < 0);
    assert_true(wr_value_compare(&n, &x) < 0);
    wr_value arr = wr_array(&a, 2);
    arr.u.items[0] = x;
    arr.u.items[1] = wr_int(1);
    wr_value c = wr_value_copy(&a, &arr);
    assert_true(wr_value_equal(&arr, &c));
    wr_arena_fini(&a);
}

static void test_arena(void **state)
{
    (void)state;
    wr_arena a;
    wr_arena_init(&a, 128);
    for (int i = 0; i < 1000; i++) {
        char *p = wr_arena_alloc(&a, (size_t)(i % 300) + 1);
        p[0] = 1;
        assert_int_equal(((uintptr_t)p) % 16, 0);
    }
    wr_arena_reset(&a);
    char *s = wr_arena_sprintf(&a, "%s-%d", "x", 7);
    assert_string_equal(s, "x-7");
    wr_arena_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_java_text), cmocka_unit_test(test_double_shortest_random),
        cmocka_unit_test(test_double_fast_path),
        cmocka_unit_test(test_double_parse_fast),
        cmocka_unit_test(test_decimal),
        cmocka_unit_test(test_base64),           cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_casts),            cmocka_unit_test(test_compare_equal),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
