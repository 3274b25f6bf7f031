/*
 * test_expr.c - unit tests of the expression compiler and evaluator (engine/expr*.c).
 *
 * Expressions are parsed from "SELECT <expr> FROM S;" with the real parser and compiled
 * against a fixed test row whose columns the resolver maps to slots.  Each check compares
 * the value as ksqlDB's CLI prints it (wr_value_format) and the static type text.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>

#include "expr.h"
#include "sql.h"

static wr_arena A;
static wr_error err;
static wr_fn_config cfg;
static const char *last_sql; /* text the last error span points into */
static int nerrors;          /* on_error calls */
static char last_rt_error[512];

/* ---------------------------------------------------------------- the test row */

typedef struct col {
    const char *name;
    const wr_type *type;
    wr_value v;
} col;

static col cols[32];
static int ncols;
static wr_value slots[32];

static void add_col(const char *name, const wr_type *t, wr_value v)
{
    cols[ncols].name = name;
    cols[ncols].type = t;
    cols[ncols].v = v;
    slots[ncols] = v;
    ncols++;
}

static const wr_type *point_type; /* STRUCT<F1 INT, `f2` STRING> */

static void make_row(void)
{
    ncols = 0;
    add_col("I", &wr_type_int, wr_int(7));
    add_col("BI", &wr_type_bigint, wr_bigint(10));
    add_col("S", &wr_type_string, wr_str("abc", 3));
    add_col("D", wr_type_decimal(&A, 5, 2), wr_decimal(&A, 150, 2));
    add_col("DB", &wr_type_double, wr_double(2.5));
    add_col("N", &wr_type_int, wr_null());
    add_col("NS", &wr_type_string, wr_null());
    add_col("B", &wr_type_boolean, wr_bool(1));
    add_col("NB", &wr_type_boolean, wr_null());
    add_col("TS", &wr_type_timestamp, wr_i64(WR_TIMESTAMP, 1577836800000LL)); /* 2020-01-01 */
    add_col("DT", &wr_type_date, wr_i64(WR_DATE, 18262));                      /* 2020-01-01 */
    wr_value arr = wr_array(&A, 3);
    for (int i = 0; i < 3; i++)
        arr.u.items[i] = wr_int(i + 1);
    add_col("ARR", wr_type_array(&A, &wr_type_int), arr);
    wr_value m = wr_map(&A, 2);
    m.u.items[0] = wr_str("a", 1);
    m.u.items[1] = wr_int(1);
    m.u.items[2] = wr_str("b", 1);
    m.u.items[3] = wr_int(2);
    add_col("M", wr_type_map(&A, &wr_type_string, &wr_type_int), m);
    wr_field f[2] = {{"F1", &wr_type_int}, {"f2", &wr_type_string}};
    point_type = wr_type_struct(&A, 2, f);
    wr_value st = wr_struct(&A, 2);
    st.u.items[0] = wr_int(1);
    st.u.items[1] = wr_str("x", 1);
    add_col("ST", point_type, st);
    add_col("NARR", wr_type_array(&A, &wr_type_int), wr_null());
    add_col("ROWTIME", &wr_type_bigint, wr_bigint(1577836800000LL));
    add_col("T", &wr_type_time, wr_i64(WR_TIME, 36000000)); /* 10:00 */
    add_col("BYT", &wr_type_bytes, wr_bytes("\x01\x02", 2));
}

static int resolve(void *ud, const sql_expr *e, int *slot, const wr_type **type, wr_error *e2)
{
    (void)ud;
    (void)e2;
    if (e->kind != SQL_E_COLUMN)
        return 0;
    for (int i = 0; i < ncols; i++)
        if (!strcmp(cols[i].name, e->name)) {
            *slot = i;
            *type = cols[i].type;
            return 1;
        }
    return 0;
}

static const wr_type *custom_type(void *ud, const char *name)
{
    (void)ud;
    return !strcmp(name, "POINT") ? point_type : NULL;
}

static void on_error(void *ud, const wr_error *e)
{
    (void)ud;
    nerrors++;
    snprintf(last_rt_error, sizeof last_rt_error, "%s", e->msg);
}

static int setup(void **state)
{
    (void)state;
    wr_arena_init(&A, 0);
    wr_fn_config_default(&cfg);
    make_row();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wr_arena_fini(&A);
    return 0;
}

/* ---------------------------------------------------------------- helpers */

static int compile(const char *text, wr_expr **x)
{
    char *sql = wr_arena_sprintf(&A, "SELECT %s FROM S;", text);
    last_sql = sql;
    sql_stmt *stmt;
    wr_error_clear(&err);
    if (sql_parse_one(sql, strlen(sql), &A, &stmt, &err))
        fail_msg("parse error in '%s': %s", text, err.msg);
    wr_expr_env env = {.arena = &A, .cfg = &cfg, .resolve = resolve, .custom_type = custom_type};
    return wr_expr_compile(&env, stmt->select->items[0].expr, x, &err);
}

static wr_expr *must_compile(const char *text)
{
    wr_expr *x;
    if (compile(text, &x))
        fail_msg("compile error in '%s': %s", text, err.msg);
    return x;
}

static wr_value eval(const wr_expr *x)
{
    wr_eval_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = &A;
    ctx.cfg = &cfg;
    ctx.on_error = on_error;
    wr_value v;
    assert_int_equal(wr_expr_eval(x, slots, &ctx, &v), 0);
    return v;
}

static const char *fmt_value(const wr_value *v, const wr_type *t)
{
    wr_buf b;
    wr_buf_init(&b);
    wr_value_format(v, t, &b);
    char *s = wr_arena_strdup(&A, b.data ? b.data : "");
    wr_buf_fini(&b);
    return s;
}

static const char *fmt_type(const wr_type *t)
{
    if (!t || t->kind == WR_NULL)
        return "NULL";
    wr_buf b;
    wr_buf_init(&b);
    wr_type_format(t, &b);
    char *s = wr_arena_strdup(&A, b.data ? b.data : "");
    wr_buf_fini(&b);
    return s;
}

/* Compiles and evaluates text; checks the printed value and (when given) the type. */
#define CHECK(text, value, type) check(text, value, type, __LINE__)
static void check(const char *text, const char *value, const char *type, int line)
{
    wr_expr *x = must_compile(text);
    wr_value v = eval(x);
    const char *got = fmt_value(&v, wr_expr_type(x));
    if (strcmp(got, value))
        fail_msg("line %d: %s = '%s', expected '%s'", line, text, got, value);
    if (type && strcmp(fmt_type(wr_expr_type(x)), type))
        fail_msg("line %d: type of %s = %s, expected %s", line, text, fmt_type(wr_expr_type(x)),
                 type);
    if (v.kind == WR_NULL && strcmp(value, "null"))
        fail_msg("line %d: %s is NULL", line, text);
    wr_expr_release(x);
}

/* Compile error whose message contains msg and whose span covers exactly `span` (or NULL). */
#define CHECK_ERR(text, msg, span) check_err(text, msg, span, __LINE__)
static void check_err(const char *text, const char *msg, const char *span, int line)
{
    wr_expr *x;
    if (!compile(text, &x))
        fail_msg("line %d: %s compiled, expected error '%s'", line, text, msg);
    assert_int_equal(err.code, WR_ESEMANTIC);
    if (!strstr(err.msg, msg))
        fail_msg("line %d: %s: error '%s', expected '%s'", line, text, err.msg, msg);
    if (span) {
        if (!err.has_span)
            fail_msg("line %d: %s: error without span", line, text);
        char got[256];
        snprintf(got, sizeof got, "%.*s", (int)err.len, last_sql + err.off);
        if (strcmp(got, span))
            fail_msg("line %d: %s: span '%s', expected '%s'", line, text, got, span);
    }
}

/* ---------------------------------------------------------------- tests */

static void test_literals(void **state)
{
    (void)state;
    CHECK("1", "1", "INTEGER");
    CHECK("3000000000", "3000000000", "BIGINT");
    CHECK("1.50", "1.50", "DECIMAL(3, 2)");
    CHECK("0.05", "0.05", "DECIMAL(2, 2)");
    CHECK("1.5E3", "1500.0", "DOUBLE");
    CHECK("'it''s'", "it's", "STRING");
    CHECK("TRUE", "true", "BOOLEAN");
    CHECK("NULL", "null", "NULL");
    wr_expr *x = must_compile("I");
    int slot = -1;
    assert_true(wr_expr_is_slot(x, &slot));
    assert_int_equal(slot, 0);
    assert_false(wr_expr_constant(x, NULL));
}

static void test_folding(void **state)
{
    (void)state;
    wr_value v;
    wr_expr *x = must_compile("3*5+1");
    assert_true(wr_expr_constant(x, &v));
    assert_int_equal(v.kind, WR_INT);
    assert_int_equal(v.u.i, 16);
    x = must_compile("ABS(-3) + LEN('abc')");
    assert_true(wr_expr_constant(x, &v));
    assert_int_equal(v.u.i, 6);
    x = must_compile("I + (2 * 3)");
    assert_false(wr_expr_constant(x, NULL));
    assert_string_equal(fmt_value((v = eval(x), &v), NULL), "13");
    /* a failing constant is not folded: it fails per record, with a log entry */
    x = must_compile("1 / 0");
    assert_false(wr_expr_constant(x, NULL));
    nerrors = 0;
    v = eval(x);
    assert_int_equal(v.kind, WR_NULL);
    assert_int_equal(nerrors, 1);
    /* non-deterministic functions are never folded */
    if (wr_fn_lookup("RANDOM")) {
        x = must_compile("RANDOM()");
        assert_false(wr_expr_constant(x, NULL));
    }
}

static void test_arithmetic(void **state)
{
    (void)state;
    CHECK("I / 2", "3", "INTEGER");
    CHECK("-I / 2", "-3", "INTEGER");
    CHECK("I % 3", "1", "INTEGER");
    CHECK("-I % 3", "-1", "INTEGER");
    CHECK("I + BI", "17", "BIGINT");
    CHECK("BI / 4", "2", "BIGINT");
    CHECK("2147483647 + I - 6", "-2147483648", "INTEGER");  /* Java int wrap */
    CHECK("I * DB", "17.5", "DOUBLE");
    CHECK("DB / 0", "Infinity", "DOUBLE");
    CHECK("-DB / 0", "-Infinity", "DOUBLE");
    CHECK("(DB - DB) / 0", "NaN", "DOUBLE");
    CHECK("0.1E0 + 0.2E0", "0.30000000000000004", "DOUBLE");
    CHECK("N + 1", "null", "INTEGER");
    CHECK("-I", "-7", "INTEGER");
    CHECK("-D", "-1.50", "DECIMAL(5, 2)");
    CHECK("D + 1", "2.50", "DECIMAL(13, 2)");
    CHECK("D - 0.125", "1.375", "DECIMAL(7, 3)");
    CHECK("D * D", "2.2500", "DECIMAL(11, 4)");
    CHECK("D / 3", "0.5000000000000", "DECIMAL(16, 13)");
    CHECK("D / 0.7", "2.142857", "DECIMAL(10, 6)");
    CHECK("D % 0.4", "0.30", "DECIMAL(2, 2)");
    CHECK("D + DB", "4.0", "DOUBLE");
    CHECK("S + 'x'", "abcx", "STRING");
    CHECK("S || 'y' || S", "abcyabc", "STRING");
    CHECK("NS || 'y'", "null", "STRING");
    /* run-time errors: NULL and one on_error call naming the expression */
    nerrors = 0;
    CHECK("I / (I - 7)", "null", "INTEGER");
    assert_int_equal(nerrors, 1);
    assert_non_null(strstr(last_rt_error, "(I / (I - 7))"));
    assert_non_null(strstr(last_rt_error, "by zero"));
    CHECK("BI % 0", "null", "BIGINT");
    CHECK("D / 0", "null", NULL);
    assert_int_equal(nerrors, 3);
}

static void test_arithmetic_errors(void **state)
{
    (void)state;
    CHECK_ERR("I + 'a'", "Unsupported arithmetic types. INTEGER STRING", "I + 'a'");
    CHECK_ERR("1 + (S * 2)", "Unsupported arithmetic types. STRING INTEGER", "(S * 2)");
    CHECK_ERR("TS + 1", "Unsupported arithmetic types. TIMESTAMP INTEGER", NULL);
    CHECK_ERR("-S", "Unsupported arithmetic types", NULL);
    CHECK_ERR("NOPE + 1", "Column 'NOPE' cannot be resolved.", "NOPE");
}

static void test_comparisons(void **state)
{
    (void)state;
    CHECK("I = 7", "true", "BOOLEAN");
    CHECK("I <> 7", "false", NULL);
    CHECK("I != 8", "true", NULL);
    CHECK("I < BI", "true", NULL);
    CHECK("BI >= 10", "true", NULL);
    CHECK("D > 1.4", "true", NULL);
    CHECK("D = 1.5", "true", NULL);
    CHECK("D = 1.500", "true", NULL);
    CHECK("DB > D", "true", NULL);
    CHECK("I < 7.5", "true", NULL);
    CHECK("S = 'abc'", "true", NULL);
    CHECK("S < 'abd'", "true", NULL);
    CHECK("S > 'ab'", "true", NULL);
    CHECK("B = TRUE", "true", NULL);
    /* NULL operand: FALSE, not NULL (rule 9) */
    CHECK("N = 1", "false", NULL);
    CHECK("N <> 1", "false", NULL);
    CHECK("NS = NULL", "false", NULL);
    /* temporal with ISO string literals and each other */
    CHECK("TS > '2019-12-31T00:00:00'", "true", NULL);
    CHECK("TS = '2020-01-01T00:00:00.000'", "true", NULL);
    CHECK("TS < '2020-01-01T00:00:01'", "true", NULL);
    CHECK("DT = '2020-01-01'", "true", NULL);
    CHECK("DT = TS", "true", NULL);
    /* ksqlDB's ROWTIME/WINDOWSTART/WINDOWEND rewrite of string literals */
    CHECK("ROWTIME >= '2020-01-01T00:00:00'", "true", NULL);
    CHECK("'2020-01-01T00:00:01' > ROWTIME", "true", NULL);
    CHECK("ROWTIME BETWEEN '2019-12-31' AND '2020-01-02'", "true", NULL);
    CHECK_ERR("ROWTIME > 'soon'", "Failed to parse", "'soon'");
    CHECK_ERR("BI > '2020-01-01'", "Cannot compare BI (BIGINT)", NULL);
    CHECK("T > '09:59:59'", "true", NULL);
    CHECK("T = '10:00'", "true", NULL);
    CHECK_ERR("T < TS", "Cannot compare T (TIME) to TS (TIMESTAMP)", NULL);
    CHECK("BYT = BYT", "true", NULL);
    /* a STRING column meets a TIMESTAMP parsed per record: 'abc' fails (logged, NULL) */
    nerrors = 0;
    CHECK("S > TS", "null", NULL);
    assert_int_equal(nerrors, 1);
    CHECK("ST = ST", "true", NULL);
    CHECK("ST IS NOT DISTINCT FROM STRUCT(F1 := 1, `f2` := 'x')", "true", NULL);
    CHECK("ARR = ARRAY[1, 2, 3]", "true", NULL);
    CHECK("ARR <> ARRAY[1, 2]", "true", NULL);
    CHECK_ERR("I = 'a'", "Cannot compare I (INTEGER) to 'a' (STRING) with EQUAL.", "I = 'a'");
    CHECK_ERR("NULL = NULL", "Comparison with NULL not supported", "NULL = NULL");
    CHECK_ERR("ARR < ARR", "Cannot compare", NULL);
    CHECK_ERR("B > FALSE", "Cannot compare B (BOOLEAN) to false (BOOLEAN) with GREATER_THAN.", NULL);
    CHECK_ERR("TS > 'yesterday'", "Failed to parse", "'yesterday'");
}

static void test_logic(void **state)
{
    (void)state;
    CHECK("N > 1 OR TRUE", "true", "BOOLEAN");
    CHECK("NB AND FALSE", "false", NULL);
    CHECK("FALSE AND NB", "false", NULL);
    CHECK("NB AND TRUE", "null", NULL);
    CHECK("NB OR FALSE", "null", NULL);
    CHECK("NB OR B", "true", NULL);
    CHECK("NOT NB", "null", NULL);
    CHECK("NOT B", "false", NULL);
    CHECK("N IS NULL", "true", NULL);
    CHECK("I IS NULL", "false", NULL);
    CHECK("N IS NOT NULL", "false", NULL);
    CHECK("N IS DISTINCT FROM NULL", "false", NULL);
    CHECK("N IS NOT DISTINCT FROM NULL", "true", NULL);
    CHECK("I IS DISTINCT FROM 7", "false", NULL);
    CHECK("I IS DISTINCT FROM N", "true", NULL);
    CHECK("I IS DISTINCT FROM 7.0", "false", NULL);
    CHECK_ERR("S AND B", "AND expects BOOLEAN", NULL);
    /* WHERE semantics: NULL counts as false */
    wr_eval_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = &A;
    assert_false(wr_expr_eval_bool(must_compile("NB AND TRUE"), slots, &ctx));
    assert_true(wr_expr_eval_bool(must_compile("I = 7"), slots, &ctx));
}

static void test_between_in(void **state)
{
    (void)state;
    CHECK("I BETWEEN 1 AND 7", "true", "BOOLEAN");
    CHECK("I BETWEEN 8 AND 9", "false", NULL);
    CHECK("I NOT BETWEEN 1 AND 7", "false", NULL);
    CHECK("D BETWEEN 1 AND 2", "true", NULL);
    CHECK("S BETWEEN 'a' AND 'b'", "true", NULL);
    CHECK("N BETWEEN 1 AND 2", "false", NULL);
    CHECK("I BETWEEN N AND 10", "false", NULL);
    CHECK("TS BETWEEN '2019-01-01' AND '2021-01-01'", "true", NULL);
    /* ksqlDB: NOT applies to the (null -> false) predicate */
    CHECK("N NOT BETWEEN 1 AND 2", "true", NULL);
    CHECK("I IN (1, 7)", "true", "BOOLEAN");
    CHECK("I IN (1, 2.5)", "false", NULL);
    CHECK("I IN (1, 7.0)", "true", NULL);
    CHECK("D IN (1.5)", "true", NULL);
    CHECK("N IN (1, NULL)", "false", NULL);
    CHECK("I IN (NULL, 7)", "true", NULL);
    CHECK("S IN ('x', 'abc')", "true", NULL);
    CHECK("I NOT IN (1, 2)", "true", NULL);
    CHECK("N NOT IN (1, 2)", "true", NULL);
    CHECK("I IN (BI, I)", "true", NULL);
    /* string literals adapt to the list type (ksqlDB CoercionUtil) */
    CHECK("I IN ('7', 8)", "true", NULL);
    CHECK("I IN ('1', 2)", "false", NULL);
    CHECK("D IN ('1.5')", "true", NULL);
    CHECK("S IN ('abc')", "true", NULL);
    CHECK("B IN ('true')", "true", NULL);
    CHECK("TS IN ('2020-01-01T00:00:00')", "true", NULL);
    CHECK_ERR("I IN (1, 'a')", "invalid input syntax for type INTEGER: 'a'", "'a'");
    CHECK_ERR("I IN (S)", "invalid input syntax", "S");
}

static void test_like(void **state)
{
    (void)state;
    CHECK("S LIKE 'a%'", "true", "BOOLEAN");
    CHECK("S LIKE '_b_'", "true", NULL);
    CHECK("S LIKE '__'", "false", NULL);
    CHECK("S LIKE 'A%'", "false", NULL);
    CHECK("S LIKE '%c'", "true", NULL);
    CHECK("S LIKE '%b%'", "true", NULL);
    CHECK("S LIKE 'abc'", "true", NULL);
    CHECK("S LIKE 'ab'", "false", NULL);
    CHECK("S LIKE '%'", "true", NULL);
    CHECK("'' LIKE '%'", "true", NULL);
    CHECK("'aXbXc' LIKE '%X%X%'", "true", NULL);
    CHECK("'aXbc' LIKE '%X%X%'", "false", NULL);
    CHECK("'a%b' LIKE 'a!%%' ESCAPE '!'", "true", NULL);
    CHECK("'axb' LIKE 'a!%%' ESCAPE '!'", "false", NULL);
    CHECK("'a_b' LIKE 'a!_b' ESCAPE '!'", "true", NULL);
    CHECK("'h\xc3\xa9llo' LIKE 'h_llo'", "true", NULL);
    CHECK("S NOT LIKE 'a%'", "false", NULL);
    CHECK("NS LIKE 'x'", "null", NULL);
    CHECK_ERR("I LIKE 'x'", "LIKE expects STRING", NULL);
    CHECK_ERR("S LIKE 'x' ESCAPE 'ab'", "single character", "'ab'");
}

static void test_case(void **state)
{
    (void)state;
    CHECK("CASE WHEN I > 5 THEN 'big' WHEN I > 2 THEN 'mid' ELSE 'small' END", "big", "STRING");
    CHECK("CASE WHEN I > 50 THEN 'big' END", "null", "STRING");
    CHECK("CASE WHEN NB THEN 1 ELSE 2 END", "2", "INTEGER");
    CHECK("CASE WHEN I > 5 THEN 1 ELSE 2.5E0 END", "1.0", "DOUBLE");
    CHECK("CASE WHEN I > 5 THEN BI ELSE 2 END", "10", "BIGINT");
    CHECK("CASE WHEN I > 5 THEN NULL ELSE 2 END", "null", "INTEGER");
    CHECK("CASE I WHEN 1 THEN 'one' WHEN 7 THEN 'seven' ELSE 'other' END", "seven", "STRING");
    CHECK("CASE N WHEN 1 THEN 'one' ELSE 'other' END", "other", NULL);
    CHECK("CASE S WHEN 'abc' THEN TRUE END", "true", "BOOLEAN");
    CHECK_ERR("CASE WHEN I > 5 THEN 1 ELSE 'x' END", "Invalid Case expression", "'x'");
    CHECK_ERR("CASE WHEN I > 5 THEN 1 WHEN I > 2 THEN 'x' END", "THEN", "'x'");
    CHECK_ERR("CASE WHEN I THEN 1 END", "WHEN operand type should be boolean", "I");
}

static void test_cast(void **state)
{
    (void)state;
    CHECK("CAST(I AS STRING)", "7", "STRING");
    CHECK("CAST('12' AS INT)", "12", "INTEGER");
    CHECK("CAST(DB AS INT)", "2", "INTEGER");
    CHECK("CAST(D AS DECIMAL(4, 1))", "1.5", "DECIMAL(4, 1)");
    CHECK("CAST(I AS DECIMAL(4, 2))", "7.00", "DECIMAL(4, 2)");
    CHECK("CAST(NULL AS INT)", "null", "INTEGER");
    CHECK("CAST(I AS INT)", "7", "INTEGER");
    CHECK("CAST('true' AS BOOLEAN)", "true", "BOOLEAN");
    nerrors = 0;
    CHECK("CAST(S AS INT)", "null", "INTEGER");
    assert_int_equal(nerrors, 1);
    assert_non_null(strstr(last_rt_error, "CAST(S AS INTEGER)"));
    /* a failing sub-expression makes the whole expression NULL (ksqlDB throws) */
    if (wr_fn_lookup("COALESCE"))
        CHECK("COALESCE(CAST(S AS INT), 5)", "null", NULL);
    CHECK("ABS(CAST(S AS INT)) + 1", "null", NULL);
    CHECK("CAST(ST AS POINT)->F1", "1", "INTEGER");
    CHECK_ERR("CAST(ARR AS INT)", "Cast of ARRAY<INTEGER> to INTEGER is not supported", NULL);
    CHECK_ERR("CAST(I AS NOSUCHTYPE)", "Unknown type: NOSUCHTYPE", NULL);
}

static void test_subscript_deref(void **state)
{
    (void)state;
    CHECK("ARR[1]", "1", "INTEGER");
    CHECK("ARR[3]", "3", NULL);
    CHECK("ARR[-1]", "3", NULL);
    CHECK("ARR[-3]", "1", NULL);
    CHECK("ARR[0]", "null", NULL);
    CHECK("ARR[4]", "null", NULL);
    CHECK("ARR[-4]", "null", NULL);
    CHECK("ARR[N]", "null", NULL);
    CHECK("NARR[1]", "null", NULL);
    CHECK("M['b']", "2", "INTEGER");
    CHECK("M['z']", "null", NULL);
    CHECK("ST->F1", "1", "INTEGER");
    CHECK("ST->f2", "x", "STRING"); /* case-insensitive fallback */
    CHECK("ARRAY[10, 20][2]", "20", "INTEGER");
    CHECK("STRUCT(A := 1, B := 'q')->B", "q", "STRING");
    CHECK_ERR("ST->F3", "Could not find field 'F3'", NULL);
    assert_string_equal(err.hint, "Did you mean 'F1'?");
    CHECK_ERR("I->F1", "Expected STRUCT type", NULL);
    CHECK_ERR("ARR['x']", "Array index must be INTEGER or BIGINT", "'x'");
    CHECK_ERR("S[1]", "Subscript expects an ARRAY or a MAP", NULL);
}

static void test_constructors(void **state)
{
    (void)state;
    CHECK("ARRAY[1, 2, 3]", "[1, 2, 3]", "ARRAY<INTEGER>");
    CHECK("ARRAY[1, NULL, BI]", "[1, null, 10]", "ARRAY<BIGINT>");
    CHECK("ARRAY[1, 2.5]", "[1.0, 2.5]", "ARRAY<DECIMAL(11, 1)>");
    CHECK("ARRAY[S, 'x']", "[abc, x]", "ARRAY<STRING>");
    CHECK("MAP('a' := 1, 'b' := I)", "{a=1, b=7}", "MAP<STRING, INTEGER>");
    CHECK("MAP('a' := 1, 'a' := 2)", "{a=2}", NULL);
    CHECK("STRUCT(X := 1, Y := S)", "{X=1, Y=abc}", "STRUCT<X INTEGER, Y STRING>");
    CHECK_ERR("ARRAY[NULL]", "Cannot construct an array with all NULL elements", NULL);
    CHECK("ARRAY[1, '2']", "[1, 2]", "ARRAY<INTEGER>");
    CHECK("ARRAY['1', 2.5]", "[1.0, 2.5]", "ARRAY<DECIMAL(11, 1)>");
    CHECK("ARRAY['a', 'b']", "[a, b]", "ARRAY<STRING>");
    CHECK("MAP('a' := '1', 'b' := 2)", "{a=1, b=2}", "MAP<STRING, INTEGER>");
    CHECK_ERR("ARRAY[1, 'a']", "invalid input syntax for type INTEGER", "'a'");
    CHECK_ERR("ARRAY[1, S]", "invalid input syntax for type INTEGER", "S");
    CHECK_ERR("MAP('a' := NULL)", "all NULL values", NULL);
    wr_value v;
    assert_true(wr_expr_constant(must_compile("ARRAY[1, 2]"), &v));
}

static void test_functions(void **state)
{
    (void)state;
    CHECK("ABS(-3)", "3", "INTEGER");
    CHECK("ABS(I - 10)", "3", NULL);
    CHECK("ABS(N)", "null", NULL);
    CHECK_ERR("ABS('x')", "Function 'ABS' does not accept parameters (STRING).", "ABS('x')");
    assert_non_null(strstr(err.hint, "Valid alternatives are:"));
    CHECK_ERR("ABSS(1)", "Can't find any functions with the name 'ABSS'", "ABSS(1)");
    assert_string_equal(err.hint, "Did you mean ABS?");
    CHECK_ERR("ABS(1, 2, 3)", "does not accept parameters", NULL);
}

static void test_lambdas(void **state)
{
    (void)state;
    if (!wr_fn_lookup("TRANSFORM"))
        skip();
    CHECK("TRANSFORM(ARR, x => x + 1)", "[2, 3, 4]", "ARRAY<INTEGER>");
    /* a lambda parameter shadows a column of the same name */
    CHECK("TRANSFORM(ARR, I => I * 10)", "[10, 20, 30]", NULL);
    /* and the body still sees other columns */
    CHECK("TRANSFORM(ARR, x => x + I)", "[8, 9, 10]", NULL);
    CHECK("TRANSFORM(ARR, x => CAST(x AS STRING) + S)", "[1abc, 2abc, 3abc]", "ARRAY<STRING>");
    /* nested lambdas see the outer parameter */
    CHECK("TRANSFORM(ARR, x => TRANSFORM(ARRAY[10, 20], y => x + y))",
          "[[11, 21], [12, 22], [13, 23]]", "ARRAY<ARRAY<INTEGER>>");
    CHECK("TRANSFORM(NARR, x => x + 1)", "null", NULL);
    /* literal-only lambda calls fold */
    wr_value v;
    assert_true(wr_expr_constant(must_compile("TRANSFORM(ARRAY[1, 2], x => x * 2)"), &v));
    assert_false(wr_expr_constant(must_compile("TRANSFORM(ARRAY[1, 2], x => x * I)"), NULL));
    if (wr_fn_lookup("FILTER"))
        CHECK("FILTER(ARR, x => x > 1)", "[2, 3]", "ARRAY<INTEGER>");
    if (wr_fn_lookup("REDUCE"))
        CHECK("REDUCE(ARR, 0, (s, x) => s + x)", "6", NULL);
    CHECK_ERR("TRANSFORM(ARR, x => x + 'a')", "Unsupported arithmetic types", "x + 'a'");
    CHECK_ERR("ABS(x => x)", "does not accept lambda", NULL);
}

static void test_table_functions(void **state)
{
    (void)state;
    if (!wr_fn_lookup("EXPLODE"))
        skip();
    wr_expr *x = must_compile("EXPLODE(ARR)");
    assert_true(wr_expr_has_table_fn(x));
    assert_string_equal(fmt_type(wr_expr_type(x)), "INTEGER");
    wr_value v = eval(x);
    assert_int_equal(v.kind, WR_ARRAY);
    assert_int_equal(v.len, 3);
    assert_false(wr_expr_has_table_fn(must_compile("ABS(I)")));
    CHECK_ERR("ABS(EXPLODE(ARR))", "Table function EXPLODE", "EXPLODE(ARR)");
}

static void test_literal_api(void **state)
{
    (void)state;
    const char *cases[][3] = {
        {"-5", "-5", "INTEGER"},
        {"'x'", "x", "STRING"},
        {"1.25", "1.25", "DECIMAL(3, 2)"},
        {"ARRAY[1, 2]", "[1, 2]", "ARRAY<INTEGER>"},
        {"MAP('k' := 'v')", "{k=v}", "MAP<STRING, STRING>"},
        {"NULL", "null", "NULL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *sql = wr_arena_sprintf(&A, "SELECT %s FROM S;", cases[i][0]);
        sql_stmt *stmt;
        assert_int_equal(sql_parse_one(sql, strlen(sql), &A, &stmt, &err), 0);
        wr_value v;
        const wr_type *t;
        assert_int_equal(wr_expr_literal(&A, stmt->select->items[0].expr, &v, &t, &err), 0);
        assert_string_equal(fmt_value(&v, t), cases[i][1]);
        assert_string_equal(fmt_type(t), cases[i][2]);
    }
    char *sql = wr_arena_sprintf(&A, "SELECT COL1 FROM S;");
    sql_stmt *stmt;
    assert_int_equal(sql_parse_one(sql, strlen(sql), &A, &stmt, &err), 0);
    wr_value v;
    const wr_type *t;
    assert_int_equal(wr_expr_literal(&A, stmt->select->items[0].expr, &v, &t, &err), WR_ESEMANTIC);
}

static void test_type_from_sql(void **state)
{
    (void)state;
    const char *sql = "CREATE STREAM X (A ARRAY<MAP<STRING, DECIMAL(4, 1)>>, `b` STRUCT<Q INT, `r` "
                      "POINT>) WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');";
    sql_stmt *stmt;
    if (sql_parse_one(sql, strlen(sql), &A, &stmt, &err))
        fail_msg("parse: %s", err.msg);
    wr_expr_env env = {.arena = &A, .cfg = &cfg, .custom_type = custom_type};
    const wr_type *t;
    assert_int_equal(wr_type_from_sql(&env, stmt->cols[0].type, &t, &err), 0);
    assert_string_equal(fmt_type(t), "ARRAY<MAP<STRING, DECIMAL(4, 1)>>");
    assert_int_equal(wr_type_from_sql(&env, stmt->cols[1].type, &t, &err), 0);
    assert_int_equal(t->kind, WR_STRUCT);
    assert_string_equal(t->fields[1].name, "r");
    assert_true(wr_type_equal(t->fields[1].type, point_type));
}

static void test_interval_unit(void **state)
{
    (void)state;
    if (!wr_fn_lookup("TIMESTAMPADD"))
        skip();
    CHECK("TIMESTAMPADD(MINUTES, 5, TS)", "1577837100000", "TIMESTAMP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_folding),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_arithmetic_errors),
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_logic),
        cmocka_unit_test(test_between_in),
        cmocka_unit_test(test_like),
        cmocka_unit_test(test_case),
        cmocka_unit_test(test_cast),
        cmocka_unit_test(test_subscript_deref),
        cmocka_unit_test(test_constructors),
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_lambdas),
        cmocka_unit_test(test_table_functions),
        cmocka_unit_test(test_literal_api),
        cmocka_unit_test(test_type_from_sql),
        cmocka_unit_test(test_interval_unit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
