/* test_valcodec.c - the value codec (engine/valcodec.c): round trips of every kind, nulls,
 * nesting, rows, conversions on encode, and malformed input (every truncation of valid
 * encodings, hand-made bad bytes, random mutations). */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "agg.h"

static wr_arena A; /* types and source values, per test */

static int setup(void **state)
{
    (void)state;
    wr_arena_init(&A, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wr_arena_fini(&A);
    return 0;
}


/* Encodes v, checks that it decodes to `want` (v itself when NULL) using exactly all bytes,
 * that every proper prefix is rejected, and that trailing bytes are left alone.  Returns the
 * encoded length. */
static size_t roundtrip_as(const wr_value *v, const wr_type *t, const wr_value *want)
{
    wr_buf b;
    wr_buf_init(&b);
    wr_value_encode(v, t, &b);
    wr_arena a;
    wr_arena_init(&a, 0);
    wr_value out;
    size_t used = 0;
    assert_int_equal(wr_value_decode(b.data, b.len, t, &a, &out, &used), 0);
    assert_int_equal(used, b.len);
    if (!unit_value_same(&out, want ? want : v)) {
        wr_buf x;
        wr_buf_init(&x);
        wr_value_format(&out, t, &x);
        fprintf(stderr, "decoded: %s\n", x.data);
        wr_buf_fini(&x);
        fail();
    }
    for (size_t n = 0; n < b.len; n++) {
        wr_value junk;
        assert_int_equal(wr_value_decode(b.data, n, t, &a, &junk, NULL), WR_EDATA);
        assert_int_equal(junk.kind, WR_NULL);
    }
    /* self-delimiting: trailing bytes are not consumed */
    size_t len = b.len;
    wr_buf_append(&b, "\x01\x02\x03", 3);
    assert_int_equal(wr_value_decode(b.data, b.len, t, &a, &out, &used), 0);
    assert_int_equal(used, len);
    wr_arena_fini(&a);
    wr_buf_fini(&b);
    return len;
}

static size_t roundtrip(const wr_value *v, const wr_type *t) { return roundtrip_as(v, t, NULL); }

static wr_int128 i128(const char *s)
{
    wr_int128 u;
    int scale;
    assert_int_equal(wr_decimal_parse(s, strlen(s), &u, &scale), 0);
    return u;
}

static void test_scalars(void **state)
{
    (void)state;
    const int64_t ints[] = {0, 1, -1, 63, 64, -64, -65, 127, 128, 300, INT32_MAX, INT32_MIN};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        wr_value v = wr_int((int32_t)ints[i]);
        roundtrip(&v, &wr_type_int);
    }
    const int64_t bigs[] = {0, 5, -5, INT64_MAX, INT64_MIN, INT64_MIN + 1, (int64_t)1 << 40};
    for (size_t i = 0; i < sizeof bigs / sizeof bigs[0]; i++) {
        wr_value v = wr_bigint(bigs[i]);
        roundtrip(&v, &wr_type_bigint);
        v = wr_i64(WR_TIMESTAMP, bigs[i]);
        roundtrip(&v, &wr_type_timestamp);
        v = wr_i64(WR_DATE, bigs[i]);
        roundtrip(&v, &wr_type_date);
        v = wr_i64(WR_TIME, bigs[i]);
        roundtrip(&v, &wr_type_time);
    }
    const double ds[] = {0.0, -0.0, 1.5, -2.25e300, 4.9e-324, INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        wr_value v = wr_double(ds[i]);
        assert_int_equal(roundtrip(&v, &wr_type_double), 9);
    }
    wr_value t = wr_bool(1), f = wr_bool(0);
    roundtrip(&t, &wr_type_boolean);
    roundtrip(&f, &wr_type_boolean);

    const char *decs[] = {"0", "1.23", "-1.23", "99999999999999999999999999999999999999",
                          "-99999999999999999999999999999999999999", "0.00000000000000000000000000000000000001"};
    const int scales[] = {2, 2, 2, 0, 0, 38};
    const int precs[] = {5, 5, 5, 38, 38, 38};
    for (size_t i = 0; i < sizeof decs / sizeof decs[0]; i++) {
        const wr_type *dt = wr_type_decimal(&A, precs[i], scales[i]);
        wr_int128 u;
        int sc;
        assert_int_equal(wr_decimal_parse(decs[i], strlen(decs[i]), &u, &sc), 0);
        assert_int_equal(wr_decimal_rescale(u, sc, scales[i], 0, &u), 0);
        wr_value v = wr_decimal(&A, u, scales[i]);
        roundtrip(&v, dt);
    }

    wr_value s = wr_str("h\0llo", 5), e = wr_str("", 0), by = wr_bytes("\x00\xff\x80", 3);
    roundtrip(&s, &wr_type_string);
    roundtrip(&e, &wr_type_string);
    roundtrip(&by, &wr_type_bytes);
    char *txt = wr_arena_alloc(&A, 300);
    memset(txt, 'x', 300);
    wr_value big = wr_str(txt, 300);
    assert_int_equal(roundtrip(&big, &wr_type_string), 1 + 2 + 300);

    /* compactness: a present small INT is 2 bytes, a NULL of any type 1 */
    wr_value one = wr_int(1), nul = wr_null();
    assert_int_equal(roundtrip(&one, &wr_type_int), 2);
    const wr_type *all[] = {&wr_type_int, &wr_type_bigint, &wr_type_double, &wr_type_string,
                            &wr_type_bytes, &wr_type_boolean, &wr_type_date, &wr_type_time,
                            &wr_type_timestamp, wr_type_decimal(&A, 10, 2),
                            wr_type_array(&A, &wr_type_int),
                            wr_type_map(&A, &wr_type_string, &wr_type_int), &wr_type_null};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        assert_int_equal(roundtrip(&nul, all[i]), 1);
}

/* ARRAY<MAP<STRING, STRUCT<A INT, B ARRAY<DECIMAL(10,2)>, C STRING>>> with NULLs at every level. */
static void test_nested(void **state)
{
    (void)state;
    const wr_type *dec = wr_type_decimal(&A, 10, 2);
    wr_field f[] = {{"A", &wr_type_int}, {"B", wr_type_array(&A, dec)}, {"C", &wr_type_string}};
    const wr_type *st = wr_type_struct(&A, 3, f);
    const wr_type *mt = wr_type_map(&A, &wr_type_string, st);
    const wr_type *at = wr_type_array(&A, mt);

    wr_value decs = wr_array(&A, 3);
    decs.u.items[0] = wr_decimal(&A, 12345, 2);
    decs.u.items[2] = wr_decimal(&A, -1, 2);
    wr_value s1 = wr_struct(&A, 3);
    s1.u.items[0] = wr_int(-7);
    s1.u.items[1] = decs;
    wr_value s2 = wr_struct(&A, 3); /* all fields null */
    wr_value m = wr_map(&A, 3);
    m.u.items[0] = wr_cstr(&A, "k1");
    m.u.items[1] = s1;
    m.u.items[2] = wr_cstr(&A, "k2");
    m.u.items[3] = s2;
    m.u.items[4] = wr_cstr(&A, "k3"); /* value null */
    wr_value top = wr_array(&A, 4);
    top.u.items[0] = m;
    top.u.items[2] = wr_map(&A, 0);
    top.u.items[3] = m;
    roundtrip(&top, at);
    wr_value empty = wr_array(&A, 0);
    assert_int_equal(roundtrip(&empty, at), 2);

    /* a struct with more than 8 fields (multi-byte bitmap) and one that is too short */
    wr_field wide[11];
    static const char *names[] = {"F0", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10"};
    for (int i = 0; i < 11; i++) {
        wide[i].name = names[i];
        wide[i].type = i % 2 ? &wr_type_string : &wr_type_bigint;
    }
    const wr_type *wt = wr_type_struct(&A, 11, wide);
    wr_value w = wr_struct(&A, 11);
    for (int i = 0; i < 11; i += 3) w.u.items[i] = i % 2 ? wr_cstr(&A, "s") : wr_bigint(i * 1000);
    roundtrip(&w, wt);
    wr_value shortv = wr_struct(&A, 2);
    shortv.u.items[0] = wr_bigint(1);
    shortv.u.items[1] = wr_cstr(&A, "x");
    wr_value padded = wr_struct(&A, 11);
    padded.u.items[0] = shortv.u.items[0];
    padded.u.items[1] = shortv.u.items[1];
    roundtrip_as(&shortv, wt, &padded);

    /* map with null keys and an ARRAY of NULL type */
    wr_value nm = wr_map(&A, 2);
    nm.u.items[1] = wr_int(1);
    nm.u.items[2] = wr_cstr(&A, "b");
    roundtrip(&nm, wr_type_map(&A, &wr_type_string, &wr_type_int));
    wr_value nulls = wr_array(&A, 20);
    roundtrip(&nulls, wr_type_array(&A, &wr_type_null));
    /* a map type without a key type encodes keys as STRING */
    wr_type *keyless = wr_arena_calloc(&A, sizeof *keyless);
    keyless->kind = WR_MAP;
    keyless->elem = &wr_type_int;
    roundtrip(&nm, keyless);
}

/* Values are converted to the type's representation when exact, else written as NULL. */
static void test_encode_conversions(void **state)
{
    (void)state;
    wr_value i = wr_int(42), out;
    wr_value want = wr_bigint(42);
    roundtrip_as(&i, &wr_type_bigint, &want);
    want = wr_double(42);
    roundtrip_as(&i, &wr_type_double, &want);
    const wr_type *d52 = wr_type_decimal(&A, 5, 2);
    want = wr_decimal(&A, 4200, 2);
    roundtrip_as(&i, d52, &want);
    wr_value d = wr_decimal(&A, 15, 1); /* 1.5 -> 1.50 */
    want = wr_decimal(&A, 150, 2);
    roundtrip_as(&d, d52, &want);
    d = wr_decimal(&A, 12345, 3); /* 12.345 -> 12.35 (HALF_UP) */
    want = wr_decimal(&A, 1235, 2);
    roundtrip_as(&d, d52, &want);
    want = wr_double(12.345);
    roundtrip_as(&d, &wr_type_double, &want);
    wr_value s = wr_cstr(&A, "x"), n = wr_null();
    roundtrip_as(&s, &wr_type_int, &n);
    roundtrip_as(&i, &wr_type_string, &n);
    roundtrip_as(&i, NULL, &n);
    wr_value arr = wr_array(&A, 1);
    roundtrip_as(&arr, wr_type_map(&A, &wr_type_string, &wr_type_int), &n);
    /* BYTES and STRING share a representation; the type decides the decoded kind */
    wr_value by = wr_bytes("ab", 2);
    want = wr_str("ab", 2);
    roundtrip_as(&by, &wr_type_string, &want);
    (void)out;
}

static void test_rows(void **state)
{
    (void)state;
    const wr_type *dt = wr_type_decimal(&A, 8, 3);
    const wr_type *types[10] = {&wr_type_int, &wr_type_string, dt, &wr_type_double,
                                wr_type_array(&A, &wr_type_string), &wr_type_boolean,
                                &wr_type_bigint, &wr_type_bytes, &wr_type_date, &wr_type_int};
    wr_value row[10] = {wr_int(1), wr_cstr(&A, "abc"), wr_decimal(&A, -5, 3), wr_double(0.5),
                        wr_array(&A, 2), wr_bool(1), wr_null(), wr_bytes("", 0),
                        wr_i64(WR_DATE, 19000), wr_null()};
    row[4].u.items[1] = wr_cstr(&A, "q");
    wr_buf b;
    wr_buf_init(&b);
    wr_values_encode(row, types, 10, &b);
    wr_arena a;
    wr_arena_init(&a, 0);
    wr_value out[10];
    assert_int_equal(wr_values_decode(b.data, b.len, types, 10, &a, out), 0);
    for (int i = 0; i < 10; i++) assert_true(unit_value_same(&row[i], &out[i]));
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(wr_values_decode(b.data, n, types, 10, &a, out), WR_EDATA);
    wr_buf_putc(&b, 0); /* trailing garbage */
    assert_int_equal(wr_values_decode(b.data, b.len, types, 10, &a, out), WR_EDATA);
    /* an empty row is empty */
    wr_buf_reset(&b);
    wr_values_encode(row, types, 0, &b);
    assert_int_equal(b.len, 0);
    assert_int_equal(wr_values_decode(b.data, 0, types, 0, &a, out), 0);
    assert_int_equal(wr_values_decode(NULL, 0, types, 0, &a, out), 0);
    assert_int_equal(wr_values_decode("x", 1, types, 0, &a, out), WR_EDATA);
    /* a row of all-null values is just the bitmap */
    wr_value nulls[10] = {{0}};
    wr_values_encode(nulls, types, 10, &b);
    assert_int_equal(b.len, 2);
    wr_arena_fini(&a);
    wr_buf_fini(&b);
}

static int decode_bytes(const char *p, size_t n, const wr_type *t)
{
    wr_arena a;
    wr_arena_init(&a, 0);
    wr_value out;
    size_t used;
    int rc = wr_value_decode(p, n, t, &a, &out, &used);
    if (rc == 0) assert_true(used <= n);
    wr_arena_fini(&a);
    return rc;
}

static void test_malformed(void **state)
{
    (void)state;
    const wr_type *arr = wr_type_array(&A, &wr_type_int);
    /* NULL input, empty input */
    assert_int_equal(decode_bytes(NULL, 0, &wr_type_int), WR_EDATA);
    assert_int_equal(decode_bytes(NULL, 5, &wr_type_int), WR_EDATA);
    /* bitmap bits beyond the items */
    assert_int_equal(decode_bytes("\x02", 1, &wr_type_int), WR_EDATA);
    assert_int_equal(decode_bytes("\x00", 1, &wr_type_int), 0);
    /* INT out of range: zigzag 2^32 */
    assert_int_equal(decode_bytes("\x01\x80\x80\x80\x80\x10", 6, &wr_type_int), WR_EDATA);
    assert_int_equal(decode_bytes("\x01\x80\x80\x80\x80\x10", 6, &wr_type_bigint), 0);
    /* overlong varints: a trailing zero group, or more than 64 bits */
    assert_int_equal(decode_bytes("\x01\x81\x00", 3, &wr_type_bigint), WR_EDATA);
    assert_int_equal(decode_bytes("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11, &wr_type_bigint), 0);
    assert_int_equal(decode_bytes("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x03", 11, &wr_type_bigint), WR_EDATA);
    assert_int_equal(decode_bytes("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81\x01", 12, &wr_type_bigint), WR_EDATA);
    /* BOOLEAN other than 0/1 */
    assert_int_equal(decode_bytes("\x01\x02", 2, &wr_type_boolean), WR_EDATA);
    /* string longer than the input */
    assert_int_equal(decode_bytes("\x01\x05" "abc", 5, &wr_type_string), WR_EDATA);
    assert_int_equal(decode_bytes("\x01\xff\xff\xff\xff\x0f" "abc", 9, &wr_type_string), WR_EDATA);
    /* a huge count with little input must not allocate it */
    assert_int_equal(decode_bytes("\x01\xff\xff\xff\xff\x0f\x00", 7, arr), WR_EDATA);
    assert_int_equal(decode_bytes("\x01\xff\xff\xff\xff\x0f\x00", 7,
                                  wr_type_map(&A, &wr_type_string, &wr_type_int)), WR_EDATA);
    /* 16 null ints: fine; 17 claimed with 2 bitmap bytes: truncated */
    assert_int_equal(decode_bytes("\x01\x10\x00\x00", 4, arr), 0);
    assert_int_equal(decode_bytes("\x01\x11\x00\x00", 4, arr), WR_EDATA);
    /* DECIMAL of 39 digits: 10^38 zigzagged */
    {
        wr_buf b;
        wr_buf_init(&b);
        wr_buf_putc(&b, 1);
        unsigned __int128 u = (unsigned __int128)i128("10000000000000000000") * 10000000000000000000ULL;
        u <<= 1;
        do {
            unsigned char c = (unsigned char)(u & 0x7f);
            u >>= 7;
            if (u) c |= 0x80;
            wr_buf_putc(&b, (char)c);
        } while (u);
        assert_int_equal(decode_bytes(b.data, b.len, wr_type_decimal(&A, 38, 0)), WR_EDATA);
        wr_buf_fini(&b);
    }
    /* a present value of the NULL type, or of no type */
    assert_int_equal(decode_bytes("\x01", 1, &wr_type_null), WR_EDATA);
    assert_int_equal(decode_bytes("\x01\x02", 2, NULL), WR_EDATA);
    assert_int_equal(decode_bytes("\x00", 1, NULL), 0);
}

/* Random mutations and random bytes against a nested type: never a crash, never a read past
 * the input (run under valgrind / ASan), and whatever decodes re-encodes to a decodable value. */
static void test_fuzz(void **state)
{
    (void)state;
    wr_field f[] = {{"A", &wr_type_int}, {"B", wr_type_array(&A, &wr_type_string)},
                    {"C", wr_type_decimal(&A, 12, 4)}, {"D", &wr_type_double},
                    {"E", &wr_type_boolean}};
    const wr_type *st = wr_type_struct(&A, 5, f);
    const wr_type *t = wr_type_map(&A, &wr_type_string, wr_type_array(&A, st));
    wr_value s = wr_struct(&A, 5);
    s.u.items[0] = wr_int(-3);
    s.u.items[1] = wr_array(&A, 2);
    s.u.items[1].u.items[0] = wr_cstr(&A, "hello");
    s.u.items[2] = wr_decimal(&A, 123456789, 4);
    s.u.items[3] = wr_double(2.5);
    s.u.items[4] = wr_bool(1);
    wr_value list = wr_array(&A, 3);
    list.u.items[0] = s;
    list.u.items[2] = s;
    wr_value m = wr_map(&A, 2);
    m.u.items[0] = wr_cstr(&A, "a");
    m.u.items[1] = list;
    m.u.items[2] = wr_cstr(&A, "b");
    m.u.items[3] = wr_array(&A, 0);
    wr_buf good;
    wr_buf_init(&good);
    wr_value_encode(&m, t, &good);
    roundtrip(&m, t);

    uint64_t x = 0x2545F4914F6CDD1DULL;
    wr_arena a;
    wr_arena_init(&a, 0);
    int ok = 0, bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t n = good.len;
        unsigned char *p = malloc(n + 64); /* then an exact-size copy: valgrind catches overreads */
        memcpy(p, good.data, n);
        if (iter % 4 == 3) { /* random bytes */
            n = (size_t)(x % 40);
            for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(x >> (i % 56));
        } else { /* flip 1..3 bytes */
            for (int k = 0; k <= (int)(x % 3); k++)
                p[(x >> (8 + 8 * k)) % n] ^= (unsigned char)(1u << ((x >> (40 + k)) % 8));
        }
        unsigned char *q = malloc(n ? n : 1);
        memcpy(q, p, n);
        free(p);
        wr_value out;
        size_t used;
        if (wr_value_decode(q, n, t, &a, &out, &used) == 0) {
            ok++;
            assert_true(used <= n);
            wr_buf b;
            wr_buf_init(&b);
            wr_value_encode(&out, t, &b);
            wr_value again;
            assert_int_equal(wr_value_decode(b.data, b.len, t, &a, &again, &used), 0);
            assert_true(unit_value_same(&out, &again));
            wr_buf_fini(&b);
        } else {
            bad++;
        }
        free(q);
        wr_arena_reset(&a);
    }
    assert_true(ok > 0 && bad > 0);
    wr_arena_fini(&a);
    wr_buf_fini(&good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encode_conversions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
