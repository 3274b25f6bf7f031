/*
 * test_parser.c - unit tests of the SQL front end (parser/): every statement and expression
 * form through the AST dump, precedence, casing and quoting, spans, error positions and hints,
 * statement splitting, completeness and ${variable} substitution.
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "sql.h"

/* Parses sql and returns its dump (or "ERR: msg") in a static buffer. */
static const char *dump_of(const char *sql)
{
    static char res[4096];
    wr_arena a;
    wr_error err;
    sql_stmt *stmt = NULL;
    wr_buf b;
    wr_arena_init(&a, 0);
    wr_buf_init(&b);
    int rc = sql_parse_one(sql, strlen(sql), &a, &stmt, &err);
    if (rc) {
        snprintf(res, sizeof res, "ERR: %s", err.msg);
    } else {
        sql_stmt_dump(stmt, &b);
        snprintf(res, sizeof res, "%s", b.data);
    }
    wr_buf_fini(&b);
    wr_arena_fini(&a);
    return res;
}

static void check_dump(const char *sql, const char *want)
{
    const char *got = dump_of(sql);
    if (strcmp(got, want) != 0) {
        print_error("sql:  %s\nwant: %s\ngot:  %s\n", sql, want, got);
        fail();
    }
}

/* ------------------------------------------------------------------ statements */

static const struct { const char *sql, *dump; } stmt_cases[] = {
    {"SELECT x FROM s;",
     "(select (items (col X)) (from S))"},
    {"select a, b AS c, s.d e, * , s.* from s where a > 1 and b = 'x''y' emit changes limit 5;",
     "(select (items (col A) (as (col B) C) (as (col S.D) E) * S.*) (from S) (where (and (> (col A) (int 1)) (= (col B) (str 'x''y')))) (emit changes) (limit 5))"},
    {"CREATE STREAM s (id INT KEY, name VARCHAR, amount DECIMAL(10, 2), tags ARRAY<STRING>, m MAP<STRING, ARRAY<INT>>, st STRUCT<a INT, `b` STRUCT<c STRING>>) WITH (kafka_topic='t', value_format='JSON', partitions=1);",
     "(create_source stream S (cols (ID INTEGER key) (NAME STRING) (AMOUNT DECIMAL(10, 2)) (TAGS ARRAY<STRING>) (M MAP<STRING, ARRAY<INTEGER>>) (ST STRUCT<`A` INTEGER, `b` STRUCT<`C` STRING>>)) (with (KAFKA_TOPIC (str 't')) (VALUE_FORMAT (str 'JSON')) (PARTITIONS (int 1))))"},
    {"CREATE OR REPLACE TABLE IF NOT EXISTS t (id STRING PRIMARY KEY, h ARRAY<STRUCT<key STRING, value BYTES>> HEADERS, hk BYTES HEADER('k')) WITH (KAFKA_TOPIC='t', FORMAT='JSON');",
     "(create_source table T or_replace if_not_exists (cols (ID STRING primary_key) (H ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>> headers) (HK BYTES (header 'k'))) (with (KAFKA_TOPIC (str 't')) (FORMAT (str 'JSON'))))"},
    {"CREATE SOURCE TABLE t WITH (kafka_topic='x', value_format='avro');",
     "(create_source table T source (with (KAFKA_TOPIC (str 'x')) (VALUE_FORMAT (str 'avro'))))"},
    {"CREATE STREAM s2 WITH (kafka_topic='o') AS SELECT a, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 HOUR, GRACE PERIOD 10 MINUTES) WHERE a IS NOT NULL GROUP BY a HAVING COUNT(*) > 1 EMIT FINAL;",
     "(create_as stream S2 (with (KAFKA_TOPIC (str 'o'))) (select (items (col A) (call COUNT *)) (from S) (window tumbling 3600000 (grace 600000)) (where (is_not_null (col A))) (group_by (col A)) (having (> (call COUNT *) (int 1))) (emit final)))"},
    {"CREATE TABLE agg AS SELECT a, SUM(b) FROM s WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS, RETENTION 7 DAYS) GROUP BY (a, b);",
     "(create_as table AGG (select (items (col A) (call SUM (col B))) (from S) (window hopping 10000 (advance 5000) (retention 604800000)) (group_by (col A) (col B))))"},
    {"SELECT * FROM s WINDOW SESSION (30 MINUTES) GROUP BY a;",
     "(select (items *) (from S) (window session 1800000) (group_by (col A)))"},
    {"SELECT * FROM a JOIN b WITHIN 1 HOUR ON a.id = b.id LEFT OUTER JOIN c WITHIN (1 SECOND, 2 SECONDS) GRACE PERIOD 3 SECONDS ON a.x = c.x FULL JOIN d ON d.k = a.k;",
     "(select (items *) (from (join full (join left (join inner A B (within 3600000 3600000) (on (= (col A.ID) (col B.ID)))) C (within 1000 2000) (grace 3000) (on (= (col A.X) (col C.X)))) D (on (= (col D.K) (col A.K))))))"},
    {"INSERT INTO s SELECT * FROM t PARTITION BY a;",
     "(insert_select S (select (items *) (from T) (partition_by (col A))))"},
    {"INSERT INTO s (a, b) VALUES (1, 'x');",
     "(insert_values S (cols A B) (values (int 1) (str 'x')))"},
    {"INSERT INTO s VALUES (1, -2.5, 1.5E3, -9223372036854775808, true, null);",
     "(insert_values S (values (int 1) (dec -2.5) (double 1.5E3) (int -9223372036854775808) true null))"},
    {"DROP STREAM IF EXISTS s DELETE TOPIC;",
     "(drop stream S if_exists delete_topic)"},
    {"DROP TABLE t;",
     "(drop table T)"},
    {"DROP TYPE IF EXISTS foo;",
     "(drop type FOO if_exists)"},
    {"DROP CONNECTOR c;",
     "(drop connector C)"},
    {"SHOW STREAMS; ",
     "(show streams)"},
    {"LIST ALL TOPICS EXTENDED;",
     "(show all_topics extended)"},
    {"SHOW SINK CONNECTORS;",
     "(show sink_connectors)"},
    {"DESCRIBE s;",
     "(describe S)"},
    {"DESCRIBE EXTENDED s;",
     "(describe S extended)"},
    {"DESCRIBE STREAMS EXTENDED;",
     "(describe streams extended)"},
    {"DESCRIBE FUNCTION abs;",
     "(describe_function ABS)"},
    {"DESCRIBE CONNECTOR c;",
     "(describe_connector connector C)"},
    {"EXPLAIN SELECT * FROM s FORMAT DOT;",
     "(explain format_dot (select (items *) (from S)))"},
    {"EXPLAIN CSAS_S_0;",
     "(explain CSAS_S_0)"},
    {"EXPLAIN CREATE STREAM x AS SELECT * FROM s;",
     "(explain (create_as stream X (select (items *) (from S))))"},
    {"TERMINATE CSAS_X_1;",
     "(terminate CSAS_X_1)"},
    {"TERMINATE ALL;",
     "(terminate all)"},
    {"SET 'auto.offset.reset'='earliest';",
     "(set (str 'auto.offset.reset') (str2 'earliest'))"},
    {"UNSET 'auto.offset.reset';",
     "(unset (str 'auto.offset.reset'))"},
    {"DEFINE foo = 'bar';",
     "(define FOO (str 'bar'))"},
    {"UNDEFINE foo;",
     "(undefine FOO)"},
    {"RUN SCRIPT '/tmp/x.sql';",
     "(run_script (str '/tmp/x.sql'))"},
    {"PRINT 'my-topic' FROM BEGINNING INTERVAL 2 LIMIT 10;",
     "(print from_beginning (str 'my-topic') (interval 2) (limit 10))"},
    {"PRINT myTopic SAMPLE 3;",
     "(print MYTOPIC (str 'myTopic') (interval 3))"},
    {"CREATE TYPE IF NOT EXISTS addr AS STRUCT<street STRING, zip INT>;",
     "(create_type type ADDR if_not_exists (type STRUCT<`STREET` STRING, `ZIP` INTEGER>))"},
    {"CREATE SOURCE CONNECTOR IF NOT EXISTS c WITH (\"connector.class\" = 'foo', 'tasks.max' = 1);",
     "(create_connector connector C if_not_exists source (with (`connector.class` (str 'foo')) (`tasks.max` (int 1))))"},
    {"CREATE SINK CONNECTOR c WITH (x = 'y');",
     "(create_connector connector C sink (with (X (str 'y'))))"},
    {"ALTER STREAM s ADD COLUMN c INT, ADD d ARRAY<STRING>;",
     "(alter stream S (add (C INTEGER) (D ARRAY<STRING>)))"},
    {"ASSERT TOPIC 'foo' WITH (partitions = 1) TIMEOUT 5 SECONDS;",
     "(assert topic `foo` (str 'foo') (timeout 5000) (with (PARTITIONS (int 1))))"},
    {"ASSERT NOT EXISTS TOPIC bar;",
     "(assert topic BAR not_exists (str 'BAR'))"},
    {"ASSERT SCHEMA SUBJECT 'foo-value' ID 3 TIMEOUT 1 MINUTE;",
     "(assert schema `foo-value` (str 'foo-value') (timeout 60000) (id 3))"},
    {"PAUSE q",
     "(pause Q)"},
    {"RESUME ALL",
     "(resume all)"},
    {"SELECT * FROM s EMIT CHANGES",
     "(select (items *) (from S) (emit changes))"},
    {"SELECT * FROM s s1 WINDOW SLIDING (SIZE 5 SECONDS, RETENTION 1 DAY) GROUP BY a EMIT CHANGES",
     "(select (items *) (from (S S1)) (window sliding 5000 (retention 86400000)) (group_by (col A)) (emit changes))"},
    {"SELECT * FROM s AS x INNER JOIN t y ON x.a = y.b RIGHT JOIN u ON u.c = x.a",
     "(select (items *) (from (join right (join inner (S X) (T Y) (on (= (col X.A) (col Y.B)))) U (on (= (col U.C) (col X.A))))))"},
    {"EXPLAIN EXPLAIN_ID FORMAT DOT",
     "(explain EXPLAIN_ID format_dot)"},
    {"INSERT INTO s WITH (QUERY_ID='q1') SELECT * FROM t",
     "(insert_select S (with (QUERY_ID (str 'q1'))) (select (items *) (from T)))"},
    {"CREATE STREAM IF NOT EXISTS `Mixed` (`Col` INT) WITH (KAFKA_TOPIC='m', VALUE_FORMAT='DELIMITED', WRAP_SINGLE_VALUE=false, X=1.5, Y=-1)",
     "(create_source stream `Mixed` if_not_exists (cols (`Col` INTEGER)) (with (KAFKA_TOPIC (str 'm')) (VALUE_FORMAT (str 'DELIMITED')) (WRAP_SINGLE_VALUE false) (X (dec 1.5)) (Y (int -1))))"},
};

static void test_statements(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof stmt_cases / sizeof stmt_cases[0]; i++)
        check_dump(stmt_cases[i].sql, stmt_cases[i].dump);
}

/* ------------------------------------------------------------------ expressions */

static const struct { const char *expr, *dump, *text; } expr_cases[] = {
    {"a + b * c - d / e % f", "(- (+ (col A) (* (col B) (col C))) (% (/ (col D) (col E)) (col F)))",
     "((A + (B * C)) - ((D / E) % F))"},
    {"-a * b", "(* (neg (col A)) (col B))",
     "(-A * B)"},
    {"- 5", "(int -5)",
     "-5"},
    {"-(5)", "(neg (int 5))",
     "-5"},
    {"+a", "(pos (col A))",
     "+A"},
    {"a OR b AND NOT c = d", "(or (col A) (and (col B) (not (= (col C) (col D)))))",
     "(A OR (B AND (NOT (C = D))))"},
    {"NOT a AND b", "(and (not (col A)) (col B))",
     "((NOT A) AND B)"},
    {"a = 1 OR b = 2 AND c = 3", "(or (= (col A) (int 1)) (and (= (col B) (int 2)) (= (col C) (int 3))))",
     "((A = 1) OR ((B = 2) AND (C = 3)))"},
    {"a BETWEEN 1 AND 2 AND b", "(and (between (col A) (int 1) (int 2)) (col B))",
     "((A BETWEEN 1 AND 2) AND B)"},
    {"a NOT BETWEEN 1 + 1 AND 2 * 3", "(not_between (col A) (+ (int 1) (int 1)) (* (int 2) (int 3)))",
     "(NOT (A BETWEEN (1 + 1) AND (2 * 3)))"},
    {"a IN (1, 2, 3)", "(in (col A) (int 1) (int 2) (int 3))",
     "(A IN (1, 2, 3))"},
    {"b NOT IN ('x')", "(not_in (col B) (str 'x'))",
     "(NOT (B IN ('x')))"},
    {"c LIKE 'a%' ESCAPE '!'", "(like (col C) (str 'a%') (escape (str '!')))",
     "(C LIKE 'a%' ESCAPE '!')"},
    {"d NOT LIKE 'b' || 'c'", "(not_like (col D) (|| (str 'b') (str 'c')))",
     "(NOT (D LIKE ('b' || 'c')))"},
    {"a IS NULL", "(is_null (col A))",
     "(A IS NULL)"},
    {"b IS NOT NULL", "(is_not_null (col B))",
     "(B IS NOT NULL)"},
    {"c IS DISTINCT FROM d", "(is_distinct (col C) (col D))",
     "(C IS DISTINCT FROM D)"},
    {"e IS NOT DISTINCT FROM f", "(is_not_distinct (col E) (col F))",
     "(E IS NOT DISTINCT FROM F)"},
    {"NOT a IS NULL", "(not (is_null (col A)))",
     "(NOT (A IS NULL))"},
    {"CASE WHEN a > 1 THEN 'x' WHEN a < 0 THEN 'y' ELSE 'z' END", "(case (when (> (col A) (int 1)) (str 'x')) (when (< (col A) (int 0)) (str 'y')) (else (str 'z')))",
     "(CASE WHEN (A > 1) THEN 'x' WHEN (A < 0) THEN 'y' ELSE 'z' END)"},
    {"CASE a WHEN 1 THEN 2 END", "(case (col A) (when (int 1) (int 2)))",
     "(CASE A WHEN 1 THEN 2 END)"},
    {"CAST(a AS BIGINT)", "(cast (col A) BIGINT)",
     "CAST(A AS BIGINT)"},
    {"CAST(b AS DECIMAL(5, 2))", "(cast (col B) DECIMAL(5, 2))",
     "CAST(B AS DECIMAL(5, 2))"},
    {"CAST(c AS ARRAY<MAP<STRING, INT>>)", "(cast (col C) ARRAY<MAP<STRING, INTEGER>>)",
     "CAST(C AS ARRAY<MAP<STRING, INTEGER>>)"},
    {"CAST(d AS STRUCT<x INT, `y` VARCHAR>)", "(cast (col D) STRUCT<`X` INTEGER, `y` STRING>)",
     "CAST(D AS STRUCT<`X` INTEGER, `y` STRING>)"},
    {"CAST(e AS my_type)", "(cast (col E) MY_TYPE)",
     "CAST(E AS MY_TYPE)"},
    {"a->b->c", "(deref (deref (col A) B) C)",
     "A->B->C"},
    {"a[1]", "(subscript (col A) (int 1))",
     "A[1]"},
    {"m['k']", "(subscript (col M) (str 'k'))",
     "M['k']"},
    {"a[1]->x", "(deref (subscript (col A) (int 1)) X)",
     "A[1]->X"},
    {"a[-1]", "(subscript (col A) (int -1))",
     "A[-1]"},
    {"s->arr[2]->f", "(deref (subscript (deref (col S) ARR) (int 2)) F)",
     "S->ARR[2]->F"},
    {"ARRAY[1, 2, 3]", "(array (int 1) (int 2) (int 3))",
     "ARRAY[1, 2, 3]"},
    {"ARRAY[]", "(array)",
     "ARRAY[]"},
    {"MAP('a' := 1, 'b' := 2)", "(map (str 'a') (int 1) (str 'b') (int 2))",
     "MAP('a':=1, 'b':=2)"},
    {"STRUCT(x := 1, `y` := 'a')", "(struct (X (int 1)) (`y` (str 'a')))",
     "STRUCT(X:=1, `y`:='a')"},
    {"TRANSFORM(arr, x => x + 1)", "(call TRANSFORM (col ARR) (lambda (X) (+ (col X) (int 1))))",
     "TRANSFORM(ARR, (X) => (X + 1))"},
    {"REDUCE(arr, 0, (s, x) => s + x)", "(call REDUCE (col ARR) (int 0) (lambda (S X) (+ (col S) (col X))))",
     "REDUCE(ARR, 0, (S, X) => (S + X))"},
    {"FILTER(m, (k, v) => v > 0)", "(call FILTER (col M) (lambda (K V) (> (col V) (int 0))))",
     "FILTER(M, (K, V) => (V > 0))"},
    {"f((x) => x)", "(call F (lambda (X) (col X)))",
     "F((X) => X)"},
    {"COUNT(*)", "(call COUNT *)",
     "COUNT(*)"},
    {"COUNT(DISTINCT a)", "(call COUNT distinct (col A))",
     "COUNT(DISTINCT A)"},
    {"TIMESTAMPADD(MINUTES, 5, ts)", "(call TIMESTAMPADD (unit MINUTES) (int 5) (col TS))",
     "TIMESTAMPADD(MINUTES, 5, TS)"},
    {"DATEADD(day, 1, d)", "(call DATEADD (unit DAYS) (int 1) (col D))",
     "DATEADD(DAYS, 1, D)"},
    {"f(`hours`)", "(call F (col `hours`))",
     "F(`hours`)"},
    {"f(s.hours)", "(call F (col S.HOURS))",
     "F(S.HOURS)"},
    {"a || b || c", "(|| (|| (col A) (col B)) (col C))",
     "((A || B) || C)"},
    {"'it''s'", "(str 'it''s')",
     "'it''s'"},
    {"''", "(str '')",
     "''"},
    {"1.5", "(dec 1.5)",
     "1.5"},
    {".5", "(dec .5)",
     "0.5"},
    {"1.5E3", "(double 1.5E3)",
     "1500.0"},
    {"1e-3", "(double 1e-3)",
     "0.001"},
    {"TRUE", "true",
     "true"},
    {"false", "false",
     "false"},
    {"NULL", "null",
     "null"},
    {"`Foo`", "(col `Foo`)",
     "`Foo`"},
    {"`a``b`", "(col `a``b`)",
     "`a``b`"},
    {"\"Bar\"", "(col `Bar`)",
     "`Bar`"},
    {"s.`col`", "(col S.`col`)",
     "S.`col`"},
    {"`S`.x", "(col S.X)",
     "S.X"},
    {"9223372036854775807", "(int 9223372036854775807)",
     "9223372036854775807"},
    {"-9223372036854775808", "(int -9223372036854775808)",
     "-9223372036854775808"},
    {"(a + b) * c", "(* (+ (col A) (col B)) (col C))",
     "((A + B) * C)"},
    {"((a))", "(col A)",
     "A"},
    {"- - 5", "(neg (int -5))",
     "- -5"},
    {"-a->b", "(neg (deref (col A) B))",
     "-A->B"},
    {"a = 1 AND b <> 2 AND c != 3", "(and (and (= (col A) (int 1)) (<> (col B) (int 2))) (<> (col C) (int 3)))",
     "(((A = 1) AND (B <> 2)) AND (C <> 3))"},
    {"a <= 4 OR b >= 5 OR c < 6 OR d > 7", "(or (or (or (<= (col A) (int 4)) (>= (col B) (int 5))) (< (col C) (int 6))) (> (col D) (int 7)))",
     "((((A <= 4) OR (B >= 5)) OR (C < 6)) OR (D > 7))"},
    {"a * -1", "(* (col A) (int -1))",
     "(A * -1)"},
    {"1 - -1", "(- (int 1) (int -1))",
     "(1 - -1)"},
    {"f()", "(call F)",
     "F()"},
    {"ABS(-x)", "(call ABS (neg (col X)))",
     "ABS(-X)"},
    {"a LIKE b = c", "(= (like (col A) (col B)) (col C))",
     "((A LIKE B) = C)"},
    {"x = y IS NULL", "(is_null (= (col X) (col Y)))",
     "((X = Y) IS NULL)"},
};

static void test_expressions(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof expr_cases / sizeof expr_cases[0]; i++) {
        char sql[512], want[1024];
        wr_arena a;
        wr_error err;
        sql_stmt *stmt;
        wr_buf b;
        snprintf(sql, sizeof sql, "SELECT %s FROM S", expr_cases[i].expr);
        snprintf(want, sizeof want, "(select (items %s) (from S))", expr_cases[i].dump);
        check_dump(sql, want);
        /* ksqlDB's text of the expression */
        wr_arena_init(&a, 0);
        wr_buf_init(&b);
        assert_int_equal(sql_parse_one(sql, strlen(sql), &a, &stmt, &err), 0);
        sql_expr_format(stmt->select->items[0].expr, &b);
        if (strcmp(b.data, expr_cases[i].text) != 0) {
            print_error("expr: %s\nwant: %s\ngot:  %s\n", expr_cases[i].expr, expr_cases[i].text, b.data);
            fail();
        }
        /* the text reads back to an expression with the same text */
        char sql2[1024];
        sql_stmt *stmt2;
        wr_buf b2;
        wr_buf_init(&b2);
        snprintf(sql2, sizeof sql2, "SELECT %s FROM S", b.data);
        assert_int_equal(sql_parse_one(sql2, strlen(sql2), &a, &stmt2, &err), 0);
        sql_expr_format(stmt2->select->items[0].expr, &b2);
        if (strcmp(b.data, b2.data) != 0) {
            print_error("reformat of %s gives %s\n", b.data, b2.data);
            fail();
        }
        wr_buf_fini(&b2);
        wr_buf_fini(&b);
        wr_arena_fini(&a);
    }
}

/* ------------------------------------------------------------------ details */

static sql_stmt *parse_ok(wr_arena *a, const char *sql)
{
    wr_error err;
    sql_stmt *stmt = NULL;
    int rc = sql_parse_one(sql, strlen(sql), a, &stmt, &err);
    if (rc) {
        print_error("parse of %s failed: %s\n", sql, err.msg);
        fail();
    }
    return stmt;
}

static void test_literal_values(void **state)
{
    wr_arena a;
    (void)state;
    wr_arena_init(&a, 0);
    sql_stmt *s = parse_ok(&a, "SELECT 42, -7, 'a''b', 2.50, 1.5E3, TRUE, FALSE, NULL FROM S");
    sql_select_item *it = s->select->items;
    assert_int_equal(it[0].expr->kind, SQL_E_INT);
    assert_int_equal(it[0].expr->ival, 42);
    assert_string_equal(it[0].expr->text, "42");
    assert_int_equal(it[1].expr->ival, -7);
    assert_int_equal(it[2].expr->kind, SQL_E_STRING);
    assert_int_equal(it[2].expr->tlen, 3);
    assert_memory_equal(it[2].expr->text, "a'b", 3);
    assert_int_equal(it[3].expr->kind, SQL_E_DECIMAL);
    assert_string_equal(it[3].expr->text, "2.50");
    assert_int_equal(it[4].expr->kind, SQL_E_DOUBLE);
    assert_true(it[4].expr->dval == 1500.0);
    assert_int_equal(it[5].expr->kind, SQL_E_BOOL);
    assert_int_equal(it[5].expr->ival, 1);
    assert_int_equal(it[6].expr->ival, 0);
    assert_int_equal(it[7].expr->kind, SQL_E_NULL);
    s = parse_ok(&a, "SELECT -9223372036854775808, 9223372036854775807 FROM S");
    assert_true(s->select->items[0].expr->ival == INT64_MIN);
    assert_true(s->select->items[1].expr->ival == INT64_MAX);
    s = parse_ok(&a, "SELECT TIMESTAMPADD(SECONDS, 1, ts) FROM S");
    sql_expr *unit = s->select->items[0].expr->list->items[0];
    assert_int_equal(unit->kind, SQL_E_INTERVAL_UNIT);
    assert_string_equal(unit->name, "SECONDS");
    assert_int_equal(unit->ival, 1000);
    /* CREATE and DDL fields */
    s = parse_ok(&a, "CREATE STREAM s (id INT KEY, h BYTES HEADER('trace')) WITH (kafka_topic='t', partitions=3)");
    assert_int_equal(s->ncols, 2);
    assert_int_equal(s->cols[0].flags, SQL_COL_KEY);
    assert_int_equal(s->cols[0].type->kind, WR_INT);
    assert_int_equal(s->cols[1].flags, SQL_COL_HEADER);
    assert_string_equal(s->cols[1].header_key, "trace");
    assert_int_equal(s->nprops, 2);
    assert_string_equal(s->props[0].name.name, "KAFKA_TOPIC");
    assert_string_equal(s->props[0].value->text, "t");
    assert_int_equal(s->props[1].value->ival, 3);
    s = parse_ok(&a, "SELECT * FROM a JOIN b WITHIN (1 SECOND, 2 MINUTES) GRACE PERIOD 3 HOURS ON a.x = b.x");
    assert_int_equal(s->select->from->within_before_ms, 1000);
    assert_int_equal(s->select->from->within_after_ms, 120000);
    assert_int_equal(s->select->from->grace_ms, 3 * 3600000);
    assert_int_equal(s->select->limit, -1);
    s = parse_ok(&a, "PRINT `MyTopic` LIMIT 2");
    assert_string_equal(s->str, "MyTopic");
    s = parse_ok(&a, "PRINT my_Topic");
    assert_string_equal(s->str, "my_Topic");
    assert_int_equal(s->limit, -1);
    assert_int_equal(s->interval, -1);
    wr_arena_fini(&a);
}

static void test_casing(void **state)
{
    (void)state;
    check_dump("select Foo, `Foo`, \"fOO\" from Src", "(select (items (col FOO) (col `Foo`) (col `fOO`)) (from SRC))");
    check_dump("select a.b from `src` a", "(select (items (col A.B)) (from (`src` A)))");
    check_dump("select x as `Alias`, y as alias2 from s", "(select (items (as (col X) `Alias`) (as (col Y) ALIAS2)) (from S))");
    check_dump("create stream `s-1` (`my col` int) with (kafka_topic='t')",
               "(create_source stream `s-1` (cols (`my col` INTEGER)) (with (KAFKA_TOPIC (str 't'))))");
    /* non-reserved keywords as identifiers, reserved ones with backticks */
    check_dump("select key, value, timestamp, date, time, size, type, topic, status, session, format, emit, "
               "window_start, hours, advance, grace, period, retention, partition, final, changes from s",
               "(select (items (col KEY) (col VALUE) (col TIMESTAMP) (col DATE) (col TIME) (col SIZE) (col TYPE) "
               "(col TOPIC) (col STATUS) (col SESSION) (col FORMAT) (col EMIT) (col WINDOW_START) (col HOURS) "
               "(col ADVANCE) (col GRACE) (col PERIOD) (col RETENTION) (col PARTITION) (col FINAL) (col CHANGES)) (from S))");
    check_dump("create table size (key int primary key, type string, topic string) with (kafka_topic='t')",
               "(create_source table SIZE (cols (KEY INTEGER primary_key) (TYPE STRING) (TOPIC STRING)) "
               "(with (KAFKA_TOPIC (str 't'))))");
    check_dump("select `select`, `from` from `where`", "(select (items (col `select`) (col `from`)) (from `where`))");
    check_dump("select * from s partition by key", "(select (items *) (from S) (partition_by (col KEY)))");
    check_dump("select * from session emit changes", "(select (items *) (from SESSION) (emit changes))");
    check_dump("select emit from emit emit changes", "(select (items (col EMIT)) (from EMIT) (emit changes))");
    check_dump("select a from s final emit final", "(select (items (col A)) (from (S FINAL)) (emit final))");
    check_dump("select a from s size limit 3", "(select (items (col A)) (from (S SIZE)) (limit 3))");
    check_dump("select array, map, struct, set, show, print from s",
               "(select (items (col ARRAY) (col MAP) (col STRUCT) (col SET) (col SHOW) (col PRINT)) (from S))");
    check_dump("select `ARRAY`[1], array[1] from s",
               "(select (items (subscript (col `ARRAY`) (int 1)) (array (int 1))) (from S))");
    check_dump("describe extended extended", "(describe EXTENDED extended)");
    check_dump("describe s extended", "(describe S extended)");
    check_dump("drop stream if exists if", "(drop stream IF if_exists)");
    check_dump("create stream key (key string key, value int) with (key_format='kafka')",
               "(create_source stream KEY (cols (KEY STRING key) (VALUE INTEGER)) (with (KEY_FORMAT (str 'kafka'))))");
    assert_string_equal(dump_of("select from from s"), "ERR: Syntax error at or near 'from'");
    assert_true(sql_is_reserved("select", 6));
    assert_true(sql_is_reserved("FROM", 4));
    assert_false(sql_is_reserved("size", 4));
    assert_false(sql_is_reserved("TIMESTAMP", 9));
    assert_false(sql_is_reserved("foo", 3));
    /* keyword table is sorted (the lexer binary-searches it) */
    for (int i = 1; sql_keywords[i]; i++) assert_true(strcmp(sql_keywords[i - 1], sql_keywords[i]) < 0);
}

static void test_spans(void **state)
{
    wr_arena a;
    (void)state;
    wr_arena_init(&a, 0);
    /*                 0         1         2         3         4
                       0123456789012345678901234567890123456789012345 */
    const char *sql = "  SELECT a + 1 AS x, f(b) FROM s WHERE c > 2 ;  ";
    sql_stmt *s = parse_ok(&a, sql);
    assert_int_equal(s->span.off, 2);
    assert_int_equal(s->span.len, 42);
    assert_int_equal(s->select->span.off, 2);
    assert_int_equal(s->select->span.len, 42);
    sql_select_item *it = s->select->items;
    assert_int_equal(it[0].expr->span.off, 9);
    assert_int_equal(it[0].expr->span.len, 5);
    assert_int_equal(it[0].expr->a->span.off, 9);
    assert_int_equal(it[0].expr->b->span.off, 13);
    assert_int_equal(it[0].alias.span.off, 18);
    assert_int_equal(it[0].span.off, 9);
    assert_int_equal(it[0].span.len, 10);
    assert_int_equal(it[1].expr->span.off, 21);
    assert_int_equal(it[1].expr->span.len, 4);
    assert_int_equal(s->select->from->span.off, 31);
    assert_int_equal(s->select->where->span.off, 39);
    assert_int_equal(s->select->where->span.len, 5);
    s = parse_ok(&a, "SELECT (a), CAST(b AS INT), `q`->f FROM s");
    it = s->select->items;
    assert_int_equal(it[0].expr->span.off, 7);
    assert_int_equal(it[0].expr->span.len, 3);
    assert_true(it[0].expr->flags & SQL_F_PAREN);
    assert_int_equal(it[1].expr->span.off, 12);
    assert_int_equal(it[1].expr->span.len, 14);
    assert_int_equal(it[1].expr->type->span.off, 22);
    assert_int_equal(it[2].expr->span.off, 28);
    assert_int_equal(it[2].expr->span.len, 6);
    s = parse_ok(&a, "EXPLAIN SELECT * FROM s  FORMAT DOT");
    assert_int_equal(s->inner->span.off, 8);
    assert_int_equal(s->inner->span.len, 15);
    assert_int_equal(s->span.len, 35);
    s = parse_ok(&a, "CREATE STREAM s (id INT KEY) WITH (x=1)");
    assert_int_equal(s->name.span.off, 14);
    assert_int_equal(s->cols[0].span.off, 17);
    assert_int_equal(s->cols[0].span.len, 10);
    assert_int_equal(s->props[0].span.off, 35);
    assert_int_equal(s->props[0].span.len, 3);
    wr_arena_fini(&a);
}

/* ------------------------------------------------------------------ errors */

static const struct {
    const char *sql;
    uint32_t off, len;
    const char *msg, *hint;
} error_cases[] = {
    {"SELEC * FROM s", 0, 5, "Syntax error at or near 'SELEC'", "Did you mean SELECT?"},
    {"SELECT * FORM s", 9, 4, "Syntax error at or near 'FORM'", "Did you mean FROM?"},
    {"SELECT a FORM s", 9, 4, "Syntax error at or near 'FORM'", "Did you mean FROM?"},
    {"SELECT * FROM s GRUOP BY a", 16, 5, "Syntax error at or near 'GRUOP'", "Did you mean GROUP?"},
    {"SELECT * FROM s EMIT CHANGE", 21, 6, "Syntax error at or near 'CHANGE'", "Did you mean CHANGES?"},
    {"CRATE STREAM s (a INT)", 0, 5, "Syntax error at or near 'CRATE'", "Did you mean CREATE?"},
    {"SELECT * FROM s WHERE", 21, 0, "Syntax error: unexpected end of statement", "Missing ';' or incomplete statement"},
    {"SELECT * FROM s WHERE a = 'abc", 26, 1, "Unterminated string literal", "Close the string"},
    {"SELECT `abc FROM s", 7, 1, "Unterminated quoted identifier", "Close the identifier"},
    {"SELECT * FROM s /* never closed", 16, 2, "Unterminated comment", "*/"},
    {"SELECT * FROM s WINDOW TUMBLING (ADVANCE BY 1 SECOND)", 16, 37, "TUMBLING window needs SIZE", ""},
    {"SELECT * FROM s WINDOW HOPPING (SIZE 1 SECOND)", 16, 30, "HOPPING window needs ADVANCE BY", ""},
    {"SELECT * FROM s WINDOW SESSION (SIZE 1 SECOND)", 16, 30, "SESSION window needs a session gap", ""},
    {"SELECT * FROM s WINDOW TUMBLING (SIZE 1 HOURZ)", 40, 5, "Unknown time unit 'HOURZ'", "Did you mean HOUR?"},
    {"SELECT * FROM s WINDOW TUMBLING (SIZE 1 SECOND, SIZE 2 SECONDS)", 48, 4, "Duplicate window parameter SIZE", ""},
    {"SELECT ${x} FROM s", 7, 1, "Syntax error at or near '$'", "DEFINE"},
    {"CREATE STREAM s (a DECIMAL) WITH (k='v')", 19, 7, "DECIMAL needs a precision and a scale", ""},
    {"CREATE STREAM s (a DECIMAL(40, 2)) WITH (k='v')", 27, 2, "DECIMAL precision must be between 1 and 38", ""},
    {"CREATE STREAM s (a DECIMAL(4, 5)) WITH (k='v')", 30, 1, "DECIMAL scale", ""},
    {"SELECT f(a := 1) FROM s", 9, 6, "':=' is only allowed inside MAP(...) and STRUCT(...)", ""},
    {"SELECT MAP(1, 2) FROM s", 11, 1, "MAP(...) takes key := value pairs", ""},
    {"SELECT STRUCT(a + 1 := 2) FROM s", 14, 5, "A STRUCT field name must be an identifier", ""},
    {"SELECT a[1, 2] FROM s", 7, 7, "A subscript takes exactly one index", ""},
    {"SELECT 9223372036854775808 FROM s", 7, 19, "Integer literal is out of range", ""},
    {"SELECT 99999999999999999999 FROM s", 7, 20, "Integer literal is out of range", ""},
    {"SELECT 1e999 FROM s", 7, 5, "Number overflows DOUBLE", ""},
    {"SELECT * FROM s LIMIT 99999999999999999999", 22, 20, "Number is out of range", ""},
    {"CREATE SOURCE STREAM x AS SELECT * FROM s", 0, 6, "CREATE SOURCE STREAM cannot be used with AS SELECT", ""},
    {"SELECT `` FROM s", 7, 2, "Empty quoted identifier", ""},
    {"", 0, 0, "Empty statement", ""},
    {"  -- just a comment\n", 0, 0, "Empty statement", ""},
    {"SELECT 1 FROM s; SELECT 2 FROM s", 17, 6, "Syntax error at or near 'SELECT'", "Only one statement"},
    {"SELECT * FROM s WHERE a IN ()", 28, 1, "Syntax error at or near ')'", ""},
    {"DROP STREAMS s", 5, 7, "Syntax error at or near 'STREAMS'", "Did you mean STREAM?"},
    {"SELECT * FROM", 13, 0, "Syntax error: unexpected end of statement", "Missing ';'"},
    {"SELECT (a, b) => a FROM s", 9, 1, "Syntax error at or near ','", ""},
    {"SELECT f((a.b) => 1) FROM s", 10, 3, "A lambda parameter must be a plain name", ""},
    {"SELECT a # b FROM s", 9, 1, "Syntax error at or near '#': unexpected character", ""},
    {"SELECT * FROM a JOIN b ON a.x = b.x WINDOW", 42, 0, "Syntax error: unexpected end of statement", ""},
    {"SELECT a FROM s WHERE a = = 1", 26, 1, "Syntax error at or near '='", ""},
    {"CREATE STREAM s (a INT", 22, 0, "unexpected end of statement", "Expecting ')' or ','"},
    {"SELECT a, FROM s", 10, 4, "Syntax error at or near 'FROM'", "Expecting an expression or '*'"},
    {"SELECT * FROM s WHERE a = 1 GROUP a", 34, 1, "Syntax error at or near 'a'", "Expecting BY"},
    {"SELECT * FROM s JOIN t ON", 25, 0, "unexpected end of statement", "Expecting an expression"},
    {"CREATE STREAM s (a) WITH (x=1)", 18, 1, "Syntax error at or near ')'", "Expecting a type"},
    {"SELECT CAST(a AS) FROM s", 16, 1, "Syntax error at or near ')'", "Expecting a type"},
    {"DROP s", 5, 1, "Syntax error at or near 's'", "Expecting STREAM, TABLE, TYPE or CONNECTOR"},
    {"SET 'a' = 1", 10, 1, "Syntax error at or near '1'", "Expecting a string"},
    {"SELECT * FROM s EMIT", 20, 0, "unexpected end of statement", "Expecting CHANGES or FINAL"},
    {"SHOW STREAM", 5, 6, "Syntax error at or near 'STREAM'", "Did you mean STREAMS?"},
    {"CREATE STREAM s (a STRUCT<x INT, x INT>) WITH (k='v')", 33, 1, "Duplicate field name X", ""},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        wr_arena a;
        wr_error err;
        sql_stmt *stmt = (sql_stmt *)1;
        const char *sql = error_cases[i].sql;
        wr_arena_init(&a, 0);
        int rc = sql_parse_one(sql, strlen(sql), &a, &stmt, &err);
        if (rc != WR_ESYNTAX || stmt != NULL || err.code != WR_ESYNTAX || err.off != error_cases[i].off ||
            err.len != error_cases[i].len || strstr(err.msg, error_cases[i].msg) == NULL ||
            strstr(err.hint, error_cases[i].hint) == NULL) {
            print_error("sql:  %s\nwant: @%u+%u %s | %s\ngot:  rc %d @%u+%u %s | %s\n", sql, error_cases[i].off,
                        error_cases[i].len, error_cases[i].msg, error_cases[i].hint, rc, err.off, err.len,
                        err.msg, err.hint);
            fail();
        }
        assert_true(err.has_span);
        wr_arena_fini(&a);
    }
}

static void test_deep_nesting(void **state)
{
    (void)state;
    /* parenthesised nesting overflows the parser stack: an error, not a crash */
    size_t n = 5000;
    char *sql = malloc(n * 2 + 64);
    strcpy(sql, "SELECT ");
    size_t len = strlen(sql);
    for (size_t i = 0; i < n; i++) sql[len++] = '(';
    sql[len++] = '1';
    for (size_t i = 0; i < n; i++) sql[len++] = ')';
    strcpy(sql + len, " FROM s");
    assert_string_equal(dump_of(sql), "ERR: Statement is too deeply nested");
    /* a long flat chain nests the tree without nesting the parser */
    wr_buf b;
    wr_buf_init(&b);
    wr_buf_puts(&b, "SELECT a");
    for (int i = 0; i < 2000; i++) wr_buf_puts(&b, " + a");
    wr_buf_puts(&b, " FROM s");
    assert_string_equal(dump_of(b.data), "ERR: Expression is too deeply nested");
    wr_buf_reset(&b);
    wr_buf_puts(&b, "SELECT a");
    for (int i = 0; i < 500; i++) wr_buf_puts(&b, " + a");
    wr_buf_puts(&b, " FROM s");
    assert_true(strncmp(dump_of(b.data), "(select", 7) == 0);
    wr_buf_fini(&b);
    free(sql);
}

/* ------------------------------------------------------------------ split / complete / substitute */

typedef struct split_res {
    int n;
    char stmts[8][128];
    uint32_t offs[8];
} split_res;

static int on_stmt(void *ud, const char *text, uint32_t off, uint32_t len)
{
    split_res *r = ud;
    if (r->n < 8) {
        snprintf(r->stmts[r->n], sizeof r->stmts[0], "%.*s", (int)len, text + off);
        r->offs[r->n] = off;
    }
    r->n++;
    return 0;
}

static int stop_first(void *ud, const char *text, uint32_t off, uint32_t len)
{
    (void)ud; (void)text; (void)off; (void)len;
    return 1;
}

static void test_split(void **state)
{
    (void)state;
    split_res r;
    const char *script =
        "-- header comment\n"
        "CREATE STREAM s (a STRING) WITH (kafka_topic='x;y');\n"
        "  ; ;\n"
        "/* block ; comment */ SELECT `we;ird` FROM s -- trailing ; comment\n"
        ";\n"
        "SELECT \"a;b\" FROM s; INSERT INTO s VALUES ('it''s;')  ";
    memset(&r, 0, sizeof r);
    assert_int_equal(sql_split(script, strlen(script), on_stmt, &r), 4);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.stmts[0], "CREATE STREAM s (a STRING) WITH (kafka_topic='x;y')");
    assert_int_equal(r.offs[0], 18);
    assert_string_equal(r.stmts[1], "SELECT `we;ird` FROM s");
    assert_string_equal(r.stmts[2], "SELECT \"a;b\" FROM s");
    assert_string_equal(r.stmts[3], "INSERT INTO s VALUES ('it''s;')");
    /* every piece parses */
    for (int i = 0; i < 4; i++) assert_true(strncmp(dump_of(r.stmts[i]), "ERR", 3) != 0);
    memset(&r, 0, sizeof r);
    assert_int_equal(sql_split("", 0, on_stmt, &r), 0);
    assert_int_equal(sql_split(" ;\n -- x\n ; /* y */", 19, on_stmt, &r), 0);
    assert_int_equal(sql_split("SELECT 'unterminated; x", 23, on_stmt, &r), 1);
    assert_string_equal(r.stmts[0], "SELECT 'unterminated; x");
    assert_int_equal(sql_split("a; b; c", 7, stop_first, NULL), -1);
}

static void test_is_complete(void **state)
{
    (void)state;
    static const struct { const char *text; int complete; } cases[] = {
        {"SELECT * FROM s;", 1},
        {"SELECT * FROM s;  \n", 1},
        {"SELECT * FROM s; -- done", 1},
        {"SELECT * FROM s; /* done */", 1},
        {"SELECT * FROM s", 0},
        {"SELECT ';' FROM s", 0},
        {"SELECT 'x;", 0},
        {"SELECT `a;", 0},
        {"SELECT * FROM s -- ;", 0},
        {"SELECT * FROM s /* ; */", 0},
        {"SELECT * FROM s; /* open", 0},
        {"SELECT 1 FROM a; SELECT", 0},
        {"SELECT 1 FROM a; SELECT 2 FROM b;", 1},
        {"", 0},
        {";", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (sql_is_complete(cases[i].text, strlen(cases[i].text)) != cases[i].complete) {
            print_error("is_complete(%s) != %d\n", cases[i].text, cases[i].complete);
            fail();
        }
    }
}

static const char *lookup_var(void *ud, const char *name)
{
    (void)ud;
    if (strcmp(name, "TOPIC") == 0) return "orders";
    if (strcmp(name, "N") == 0) return "42";
    return NULL;
}

static void test_substitute(void **state)
{
    wr_arena a;
    wr_error err;
    char *out;
    (void)state;
    wr_arena_init(&a, 0);
    const char *sql = "CREATE STREAM ${topic} (a INT) WITH (kafka_topic='${topic}', partitions=${n}); -- ${undefined}";
    assert_int_equal(sql_substitute(sql, strlen(sql), lookup_var, NULL, &a, &out, &err), 0);
    assert_string_equal(out,
                        "CREATE STREAM orders (a INT) WITH (kafka_topic='orders', partitions=42); -- ${undefined}");
    sql = "SELECT '--${n}', `/*${n}*/` FROM s -- ${n}\n WHERE x = '''${n}''' /* ${n} */";
    assert_int_equal(sql_substitute(sql, strlen(sql), lookup_var, NULL, &a, &out, &err), 0);
    assert_string_equal(out, "SELECT '--42', `/*42*/` FROM s -- ${n}\n WHERE x = '''42''' /* ${n} */");
    sql = "SELECT ${nope} FROM s";
    assert_int_equal(sql_substitute(sql, strlen(sql), lookup_var, NULL, &a, &out, &err), WR_ESEMANTIC);
    assert_int_equal(err.off, 7);
    assert_int_equal(err.len, 7);
    assert_non_null(strstr(err.msg, "NOPE"));
    sql = "SELECT '$', '${', '${}' , $x FROM s";
    assert_int_equal(sql_substitute(sql, strlen(sql), lookup_var, NULL, &a, &out, &err), 0);
    assert_string_equal(out, sql);
    assert_int_equal(sql_substitute("", 0, lookup_var, NULL, &a, &out, &err), 0);
    assert_string_equal(out, "");
    wr_arena_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statements),
        cmocka_unit_test(test_expressions),
        cmocka_unit_test(test_literal_values),
        cmocka_unit_test(test_casing),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_is_complete),
        cmocka_unit_test(test_substitute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
