/*
 * test_pull.c - pull queries (SELECT without EMIT) through engine.h: answered from the state
 * of the query that materializes a table (an aggregation's store, a table query's source
 * store, CREATE SOURCE TABLE's query), with key lookups, IN lists, ranges, window bounds,
 * LIMIT, the materializing query's HAVING/WHERE/projection applied; ksqlDB's errors for
 * streams, non-materialized tables and clauses pull queries do not take; state that survives
 * an engine restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "engine.h"
#include "engine_state.h"

/* ---------------------------------------------------------------- fixture */

typedef struct fixture {
    char dir[256];
    wr_engine *eng;
    int64_t offset;
    /* the last tabular result: "col|col" header and "v|v" rows (null cells as "null") */
    char header[256];
    char rows[64][256];
    int nrows;
    int ntables;
    wr_error err;
} fixture;

static int m_exists(void *ud, const char *t) { return 1; }
static int m_create(void *ud, const char *t, int p, int r, wr_error *err) { return 0; }
static int m_remove(void *ud, const char *t) { return 0; }
static int m_partitions(void *ud, const char *t) { return 1; }
static void m_list(void *ud, void (*cb)(void *, const char *, int), void *cbud) {}
static int m_produce(void *ud, const char *t, const wr_record *rec, wr_error *err) { return 0; }

static const wr_topics_vt mem_vt = {m_exists, m_create, m_remove, m_partitions, m_list, m_produce};

static void join_cells(char *out, size_t cap, int n, const char *const *cells)
{
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "|" : "",
                                cells[i] ? cells[i] : "null");
}

static void on_result(void *ud, const wr_result *res)
{
    fixture *f = ud;
    if (res->kind == WR_RES_PUSH)
        wr_query_close(res->query);
    if (res->kind != WR_RES_TABLE)
        return;
    f->ntables++;
    join_cells(f->header, sizeof f->header, res->ncols, res->cols);
    f->nrows = 0;
    for (int r = 0; r < res->nrows && r < 64; r++)
        join_cells(f->rows[f->nrows++], sizeof f->rows[0], res->ncols, res->cells[r]);
}

static void start(fixture *f)
{
    wr_engine_opts o;
    memset(&o, 0, sizeof o);
    o.topics = &mem_vt;
    o.topics_ud = f;
    o.state_dir = f->dir;
    o.test_mode = 1;
    f->eng = wr_engine_new(&o);
}

/* Runs statements; returns the engine's code (err in f->err). */
static int exec(fixture *f, const char *sql)
{
    wr_error_clear(&f->err);
    f->nrows = -1;
    f->header[0] = 0;
    return wr_engine_execute(f->eng, sql, strlen(sql), on_result, f, &f->err);
}

static void exec_ok(fixture *f, const char *sql)
{
    int rc = exec(f, sql);
    if (rc)
        fprintf(stderr, "statement failed: %s\n  %s\n", f->err.msg, sql);
    assert_int_equal(rc, 0);
}

/* A pull query that must succeed; its rows are then in f->rows. */
static void pull(fixture *f, const char *sql)
{
    int before = f->ntables;
    exec_ok(f, sql);
    assert_int_equal(f->ntables, before + 1);
}

/* A statement that must fail with a message containing `want` (and hint `hint`). */
static void fails(fixture *f, const char *sql, const char *want, const char *hint)
{
    int rc = exec(f, sql);
    assert_int_not_equal(rc, 0);
    if (!strstr(f->err.msg, want))
        fprintf(stderr, "message: %s\nwanted: %s\n", f->err.msg, want);
    assert_non_null(strstr(f->err.msg, want));
    if (hint) {
        if (!strstr(f->err.hint, hint))
            fprintf(stderr, "hint: %s\nwanted: %s\n", f->err.hint, hint);
        assert_non_null(strstr(f->err.hint, hint));
    }
}

/* Feeds one JSON record (key and value as JSON text, value NULL = tombstone) to every
 * persistent query reading `topic`; win_start >= 0 gives a time window [start, end). */
static void feed_win(fixture *f, const char *topic, const char *key, const char *value,
                     int64_t ts, int win_kind, int64_t ws, int64_t we)
{
    wr_record rec;
    memset(&rec, 0, sizeof rec);
    rec.key = key;
    rec.key_len = key ? strlen(key) : 0;
    rec.value = value;
    rec.value_len = value ? strlen(value) : 0;
    rec.ts = ts;
    rec.partition = 0;
    rec.offset = f->offset++;
    rec.win_kind = win_kind;
    rec.win_start = ws;
    rec.win_end = we;
    for (int i = 0; i < wr_engine_query_count(f->eng); i++) {
        wr_query *q = wr_engine_query_at(f->eng, i);
        if (wr_query_source_count(q) && strcmp(wr_query_source_topic(q, 0), topic) == 0) {
            wr_error err;
            wr_error_clear(&err);
            assert_int_equal(wr_query_process(q, topic, &rec, &err), 0);
        }
    }
}

static void feed(fixture *f, const char *topic, const char *key, const char *value, int64_t ts)
{
    feed_win(f, topic, key, value, ts, 0, 0, 0);
}

static int has_row(fixture *f, const char *row)
{
    for (int i = 0; i < f->nrows; i++)
        if (strcmp(f->rows[i], row) == 0)
            return 1;
    return 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (unit_tmpdir(f->dir, sizeof f->dir, "pull-test"))
        return -1;
    start(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    wr_engine_free(f->eng);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static const char *ORDERS =
    "CREATE STREAM orders (id INT KEY, region STRING, amount INT) "
    "WITH (kafka_topic='orders', format='JSON');\n"
    "CREATE TABLE totals AS SELECT id, COUNT(*) AS n, SUM(amount) AS total FROM orders "
    "GROUP BY id;\n";

static void feed_orders(fixture *f)
{
    feed(f, "orders", "1", "{\"REGION\":\"eu\",\"AMOUNT\":10}", 100);
    feed(f, "orders", "2", "{\"REGION\":\"us\",\"AMOUNT\":5}", 200);
    feed(f, "orders", "1", "{\"REGION\":\"eu\",\"AMOUNT\":20}", 300);
    feed(f, "orders", "3", "{\"REGION\":\"eu\",\"AMOUNT\":7}", 400);
}

/* ---------------------------------------------------------------- aggregations */

static void test_key_lookup(void **state)
{
    fixture *f = *state;
    exec_ok(f, ORDERS);
    feed_orders(f);
    pull(f, "SELECT * FROM totals WHERE id = 1;");
    assert_string_equal(f->header, "ID|N|TOTAL");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "1|2|30");
    /* a key with no row, and the key on the right-hand side */
    pull(f, "SELECT * FROM totals WHERE 9 = id;");
    assert_int_equal(f->nrows, 0);
    pull(f, "SELECT total, id FROM totals WHERE 2 = id;");
    assert_string_equal(f->header, "TOTAL|ID");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "5|2");
}

static void test_in_list_range_and_scan(void **state)
{
    fixture *f = *state;
    exec_ok(f, ORDERS);
    feed_orders(f);
    pull(f, "SELECT id, n FROM totals WHERE id IN (3, 1, 3, 42);");
    assert_int_equal(f->nrows, 2);
    assert_string_equal(f->rows[0], "3|1"); /* in the order of the list, each key once */
    assert_string_equal(f->rows[1], "1|2");
    pull(f, "SELECT id FROM totals WHERE id > 1 AND id <= 3;");
    assert_int_equal(f->nrows, 2);
    assert_true(has_row(f, "2") && has_row(f, "3"));
    pull(f, "SELECT * FROM totals;");
    assert_int_equal(f->nrows, 3);
    assert_true(has_row(f, "1|2|30") && has_row(f, "2|1|5") && has_row(f, "3|1|7"));
    /* non-key predicates, expressions, ROWTIME (the max timestamp of the group) */
    pull(f, "SELECT id, total * 2 AS dbl, ROWTIME AS t FROM totals WHERE n > 1;");
    assert_string_equal(f->header, "ID|DBL|T");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "1|60|300");
    pull(f, "SELECT * FROM totals LIMIT 2;");
    assert_int_equal(f->nrows, 2);
    pull(f, "SELECT * FROM totals WHERE id IN (1, 2, 3) LIMIT 1;");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "1|2|30");
}

/* Pull queries see every update at once (the write-back cache is read), and after a commit
 * and a restart on the same state directory, the committed state. */
static void test_updates_and_restart(void **state)
{
    fixture *f = *state;
    exec_ok(f, ORDERS);
    feed_orders(f);
    feed(f, "orders", "1", "{\"REGION\":\"eu\",\"AMOUNT\":1}", 500);
    pull(f, "SELECT n, total FROM totals WHERE id = 1;");
    assert_string_equal(f->rows[0], "3|31");
    wr_error err;
    wr_error_clear(&err);
    assert_int_equal(wr_engine_commit(f->eng, NULL, 0, &err), 0);
    wr_engine_free(f->eng);
    start(f);
    exec_ok(f, ORDERS);
    pull(f, "SELECT n, total FROM totals WHERE id = 1;");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "3|31");
}

static void test_having_applies(void **state)
{
    fixture *f = *state;
    exec_ok(f, "CREATE STREAM orders (id INT KEY, region STRING, amount INT) "
               "WITH (kafka_topic='orders', format='JSON');\n"
               "CREATE TABLE busy AS SELECT region, COUNT(*) AS n FROM orders GROUP BY region "
               "HAVING COUNT(*) > 1;\n");
    feed_orders(f);
    pull(f, "SELECT * FROM busy;");
    assert_string_equal(f->header, "REGION|N");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "eu|3");
    pull(f, "SELECT * FROM busy WHERE region = 'us';");
    assert_int_equal(f->nrows, 0);
    pull(f, "SELECT n FROM busy WHERE region = 'eu';");
    assert_string_equal(f->rows[0], "3");
}

static void test_multi_column_key(void **state)
{
    fixture *f = *state;
    exec_ok(f, "CREATE STREAM orders (id INT KEY, region STRING, amount INT) "
               "WITH (kafka_topic='orders', format='JSON');\n"
               "CREATE TABLE by2 AS SELECT region, amount, COUNT(*) AS n FROM orders "
               "GROUP BY region, amount;\n");
    feed_orders(f);
    feed(f, "orders", "4", "{\"REGION\":\"eu\",\"AMOUNT\":10}", 500);
    pull(f, "SELECT * FROM by2 WHERE region = 'eu' AND amount = 10;");
    assert_string_equal(f->header, "REGION|AMOUNT|N");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "eu|10|2");
    /* one key column pinned: a scan filtered by the predicate */
    pull(f, "SELECT * FROM by2 WHERE region = 'eu';");
    assert_int_equal(f->nrows, 3);
}

/* ---------------------------------------------------------------- windows */

static void test_windowed_table(void **state)
{
    fixture *f = *state;
    exec_ok(f, "CREATE STREAM orders (id INT KEY, region STRING, amount INT) "
               "WITH (kafka_topic='orders', format='JSON');\n"
               "CREATE TABLE per10 AS SELECT id, COUNT(*) AS n FROM orders "
               "WINDOW TUMBLING (SIZE 10 MILLISECONDS) GROUP BY id;\n");
    feed(f, "orders", "1", "{\"AMOUNT\":1}", 3);
    feed(f, "orders", "1", "{\"AMOUNT\":1}", 7);
    feed(f, "orders", "1", "{\"AMOUNT\":1}", 15);
    feed(f, "orders", "2", "{\"AMOUNT\":1}", 25);
    pull(f, "SELECT * FROM per10 WHERE id = 1;");
    assert_string_equal(f->header, "ID|WINDOWSTART|WINDOWEND|N");
    assert_int_equal(f->nrows, 2);
    assert_string_equal(f->rows[0], "1|0|10|2");
    assert_string_equal(f->rows[1], "1|10|20|1");
    pull(f, "SELECT id, n FROM per10 WHERE id = 1 AND WINDOWSTART >= 10;");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "1|1");
    pull(f, "SELECT WINDOWEND, id FROM per10 WHERE WINDOWSTART > 5 AND WINDOWEND <= 30;");
    assert_int_equal(f->nrows, 2);
    assert_true(has_row(f, "20|1") && has_row(f, "30|2"));
}

/* RETENTION: a window's groups leave the store when stream time passes start + retention
 * (the whole window at once, state.h's st_del_prefix); HOPPING: one row per window. */
static void test_window_retention_and_hopping(void **state)
{
    fixture *f = *state;
    exec_ok(f, "CREATE STREAM orders (id INT KEY, region STRING, amount INT) "
               "WITH (kafka_topic='orders', format='JSON');\n"
               "CREATE TABLE kept AS SELECT id, COUNT(*) AS n FROM orders "
               "WINDOW TUMBLING (SIZE 10 MILLISECONDS, RETENTION 30 MILLISECONDS, "
               "GRACE PERIOD 0 MILLISECONDS) GROUP BY id;\n"
               "CREATE TABLE hop AS SELECT id, SUM(amount) AS s FROM orders "
               "WINDOW HOPPING (SIZE 20 MILLISECONDS, ADVANCE BY 10 MILLISECONDS) GROUP BY id;\n");
    feed(f, "orders", "1", "{\"AMOUNT\":1}", 3);
    feed(f, "orders", "2", "{\"AMOUNT\":2}", 5);
    feed(f, "orders", "1", "{\"AMOUNT\":4}", 15);
    pull(f, "SELECT id, WINDOWSTART, n FROM kept;");
    assert_int_equal(f->nrows, 3);
    pull(f, "SELECT WINDOWSTART, s FROM hop WHERE id = 1;");
    assert_int_equal(f->nrows, 2); /* [0,20) holds 3 and 15, [10,30) holds 15 */
    assert_string_equal(f->rows[0], "0|5");
    assert_string_equal(f->rows[1], "10|4");
    feed(f, "orders", "2", "{\"AMOUNT\":1}", 31); /* stream time 31: window 0 expires */
    pull(f, "SELECT id, WINDOWSTART, n FROM kept;");
    assert_int_equal(f->nrows, 2);
    assert_true(has_row(f, "1|10|1") && has_row(f, "2|30|1"));
    pull(f, "SELECT n FROM kept WHERE id = 2;");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "1");
    pull(f, "SELECT id, WINDOWSTART FROM kept WHERE id IN (2, 1);"); /* windows read once */
    assert_int_equal(f->nrows, 2);
    assert_string_equal(f->rows[0], "2|30");
    assert_string_equal(f->rows[1], "1|10");
    feed(f, "orders", "2", "{\"AMOUNT\":1}", 45); /* window 10 expires too */
    pull(f, "SELECT id, WINDOWSTART, n FROM kept;");
    assert_int_equal(f->nrows, 2);
    assert_true(has_row(f, "2|30|1") && has_row(f, "2|40|1"));
}

/* A windowed source table (WINDOW_TYPE) behind CREATE SOURCE TABLE: its key carries the
 * window. */
static void test_windowed_source_table(void **state)
{
    fixture *f = *state;
    exec_ok(f, "CREATE SOURCE TABLE w (id INT PRIMARY KEY, n BIGINT) WITH (kafka_topic='w', "
               "format='JSON', window_type='TUMBLING', window_size='10 MILLISECONDS');\n");
    feed_win(f, "w", "1", "{\"N\":2}", 7, 1, 0, 10);
    feed_win(f, "w", "1", "{\"N\":1}", 15, 1, 10, 20);
    feed_win(f, "w", "1", "{\"N\":5}", 9, 1, 0, 10);
    pull(f, "SELECT * FROM w;");
    assert_string_equal(f->header, "ID|WINDOWSTART|WINDOWEND|N");
    assert_int_equal(f->nrows, 2);
    assert_string_equal(f->rows[0], "1|0|10|5");
    assert_string_equal(f->rows[1], "1|10|20|1");
    feed_win(f, "w", "1", NULL, 20, 1, 0, 10);
    pull(f, "SELECT n FROM w WHERE id = 1;");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "1");
}

/* ---------------------------------------------------------------- tables */

static void test_source_table(void **state)
{
    fixture *f = *state;
    exec_ok(f, "CREATE SOURCE TABLE users (id INT PRIMARY KEY, name STRING, age INT) "
               "WITH (kafka_topic='users', format='JSON');\n");
    assert_int_equal(wr_engine_query_count(f->eng), 1);
    assert_string_equal(wr_query_id(wr_engine_query_at(f->eng, 0)), "CST_USERS_0");
    assert_int_equal(wr_query_sink_count(wr_engine_query_at(f->eng, 0)), 0);
    feed(f, "users", "1", "{\"NAME\":\"ann\",\"AGE\":30}", 1);
    feed(f, "users", "2", "{\"NAME\":\"bob\",\"AGE\":40}", 2);
    feed(f, "users", "1", "{\"NAME\":\"ann\",\"AGE\":31}", 3);
    feed(f, "users", NULL, "{\"NAME\":\"nobody\",\"AGE\":1}", 4); /* rule 8: ignored */
    feed(f, "users", "3", "{\"NAME\":\"cy\",\"AGE\":50}", 5);
    feed(f, "users", "3", NULL, 6);
    pull(f, "SELECT * FROM users;");
    assert_string_equal(f->header, "ID|NAME|AGE");
    assert_int_equal(f->nrows, 2);
    assert_true(has_row(f, "1|ann|31") && has_row(f, "2|bob|40"));
    pull(f, "SELECT name FROM users WHERE id = 1;");
    assert_string_equal(f->rows[0], "ann");
    pull(f, "SELECT name FROM users WHERE id = 3;");
    assert_int_equal(f->nrows, 0);
    pull(f, "SELECT UCASE(name) AS n, ROWTIME FROM users WHERE age >= 40;");
    assert_string_equal(f->header, "N|ROWTIME");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "BOB|2");
    /* read-only: no INSERT; DROP takes its query along */
    fails(f, "INSERT INTO users (id, name, age) VALUES (9, 'x', 1);", "read-only", NULL);
    exec_ok(f, "DROP TABLE users;");
    assert_int_equal(wr_engine_query_count(f->eng), 0);
}

static void test_table_query_materialized(void **state)
{
    fixture *f = *state;
    exec_ok(f, "CREATE TABLE users (id INT PRIMARY KEY, name STRING, age INT) "
               "WITH (kafka_topic='users', format='JSON');\n"
               "CREATE TABLE adults AS SELECT id, name, age FROM users WHERE age >= 18;\n"
               "CREATE TABLE by_age AS SELECT age, COUNT(*) AS n FROM users GROUP BY age;\n");
    feed(f, "users", "1", "{\"NAME\":\"ann\",\"AGE\":30}", 1);
    feed(f, "users", "2", "{\"NAME\":\"kid\",\"AGE\":9}", 2);
    feed(f, "users", "3", "{\"NAME\":\"cy\",\"AGE\":30}", 3);
    feed(f, "users", "3", "{\"NAME\":\"cy\",\"AGE\":12}", 4);
    pull(f, "SELECT * FROM adults;");
    assert_int_equal(f->nrows, 1);
    assert_string_equal(f->rows[0], "1|ann|30");
    pull(f, "SELECT * FROM adults WHERE id = 3;");
    assert_int_equal(f->nrows, 0);
    pull(f, "SELECT * FROM by_age WHERE age = 30;");
    assert_string_equal(f->rows[0], "30|1"); /* cy moved out (rule 23) */
    pull(f, "SELECT * FROM by_age WHERE age IN (9, 12);");
    assert_int_equal(f->nrows, 2);
    /* a plain CREATE TABLE is not materialized (ksqlDB's message and EMIT CHANGES hint) */
    fails(f, "SELECT * FROM users;", "isn't queryable",
          "Add EMIT CHANGES if you intended to issue a push query.");
    fails(f, "SELECT * FROM users;", "not materialized", NULL);
    /* once its query is terminated, a CTAS table is not either */
    exec_ok(f, "TERMINATE CTAS_ADULTS_0;");
    fails(f, "SELECT * FROM adults;", "not materialized", NULL);
}

/* ---------------------------------------------------------------- errors */

static void test_errors(void **state)
{
    fixture *f = *state;
    exec_ok(f, ORDERS);
    fails(f, "SELECT * FROM orders;", "Pull queries are not supported on streams",
          "Add EMIT CHANGES");
    fails(f, "SELECT * FROM nosuch;", "NOSUCH does not exist", NULL);
    fails(f, "SELECT id, COUNT(*) FROM totals GROUP BY id;",
          "Pull queries don't support GROUP BY clauses.", "EMIT CHANGES");
    fails(f, "SELECT * FROM totals WINDOW TUMBLING (SIZE 1 SECOND);",
          "Pull queries don't support WINDOW clauses.", NULL);
    fails(f, "SELECT * FROM totals PARTITION BY n;",
          "Pull queries don't support PARTITION BY clauses.", NULL);
    fails(f, "SELECT EXPLODE(ARRAY[1, 2]) FROM totals;",
          "Pull queries don't support table functions.", NULL);
    fails(f, "SELECT nn FROM totals;", "NN' cannot be resolved", NULL);
    fails(f, "SELECT * FROM totals WHERE WINDOWSTART > 1;", "WINDOWSTART' cannot be resolved",
          NULL);
    fails(f, "SELECT * FROM totals WHERE n + 1;", "Should be BOOLEAN", NULL);
    /* a key compared with a value of another type: the analyzer's error, not a crash */
    int rc = exec(f, "SELECT * FROM totals WHERE id = 'x';");
    if (rc == 0)
        assert_int_equal(f->nrows, 0);
    /* the push form still works */
    exec_ok(f, "SELECT * FROM orders EMIT CHANGES;");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_list_range_and_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_updates_and_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_having_applies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_column_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_windowed_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_retention_and_hopping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_windowed_source_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_query_materialized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
