/*
 * test_engine_state.c - aggregation state through engine.h + engine_state.h: what was
 * committed survives an engine restart on the same state directory (counts continue, EMIT
 * FINAL windows still close, offsets come back), and what was not committed is gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "engine.h"
#include "engine_state.h"
#include "plan.h" /* wr_engine_state: the stores behind the queries */

/* ---------------------------------------------------------------- in-memory topics */

typedef struct out {
    char topic[32];
    char value[256]; /* "" for a tombstone */
    int64_t ts, win_start, win_end;
    int win_kind;
} out;

typedef struct fixture {
    char dir[256];
    wr_engine *eng;
    out outs[64];
    int nouts;
    int nplog;
} fixture;

static int m_exists(void *ud, const char *t) { return 1; }
static int m_create(void *ud, const char *t, int p, int r, wr_error *err) { return 0; }
static int m_remove(void *ud, const char *t) { return 0; }
static int m_partitions(void *ud, const char *t) { return 1; }
static void m_list(void *ud, void (*cb)(void *, const char *, int), void *cbud) {}

static int m_produce(void *ud, const char *t, const wr_record *rec, wr_error *err)
{
    fixture *f = ud;
    if (f->nouts == 64)
        return 0;
    out *o = &f->outs[f->nouts++];
    snprintf(o->topic, sizeof o->topic, "%s", t);
    snprintf(o->value, sizeof o->value, "%.*s", rec->value ? (int)rec->value_len : 0,
             rec->value ? rec->value : "");
    o->ts = rec->ts;
    o->win_kind = rec->win_kind;
    o->win_start = rec->win_start;
    o->win_end = rec->win_end;
    return 0;
}

static const wr_topics_vt mem_vt = {m_exists, m_create, m_remove, m_partitions, m_list, m_produce};

static void on_plog(void *ud, const wr_plog_entry *e)
{
    ((fixture *)ud)->nplog++;
}

static const char *SQL =
    "CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', value_format='JSON');\n"
    "CREATE TABLE totals AS SELECT id, COUNT(*) AS n, SUM(v) AS t FROM s GROUP BY id;\n"
    "CREATE TABLE closed AS SELECT id, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 10 "
    "MILLISECONDS) GROUP BY id EMIT FINAL;\n";

static void start_sql(fixture *f, const char *sql, int nq);

static void start(fixture *f) { start_sql(f, SQL, 2); }

/* Starts an engine on f's state directory and runs sql: its result, err filled. */
static int start_try(fixture *f, const char *sql, wr_error *err)
{
    wr_engine_opts o;
    memset(&o, 0, sizeof o);
    o.topics = &mem_vt;
    o.topics_ud = f;
    o.plog = on_plog;
    o.plog_ud = f;
    o.state_dir = f->dir;
    o.test_mode = 1;
    f->eng = wr_engine_new(&o);
    f->nouts = 0;
    wr_error_clear(err);
    return wr_engine_execute(f->eng, sql, strlen(sql), NULL, NULL, err);
}

static void start_sql(fixture *f, const char *sql, int nq)
{
    wr_error err;
    int rc = start_try(f, sql, &err);
    if (rc)
        fprintf(stderr, "statements failed: %s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(wr_engine_query_count(f->eng), nq);
}

static void stop(fixture *f)
{
    wr_engine_free(f->eng);
    f->eng = NULL;
}

/* Feeds record `offset` (key id, value v, timestamp ts) to every query. */
static void feed(fixture *f, int id, int v, int64_t ts, int64_t offset)
{
    char key[4] = {0, 0, 0, (char)id};
    char val[64];
    snprintf(val, sizeof val, "{\"V\":%d}", v);
    wr_record rec;
    memset(&rec, 0, sizeof rec);
    rec.key = key;
    rec.key_len = 4;
    rec.value = val;
    rec.value_len = strlen(val);
    rec.ts = ts;
    rec.partition = 0;
    rec.offset = offset;
    for (int i = 0; i < wr_engine_query_count(f->eng); i++) {
        wr_error err;
        wr_error_clear(&err);
        assert_int_equal(wr_query_process(wr_engine_query_at(f->eng, i), "s", &rec, &err), 0);
    }
}

/* Commits with the offset after `next - 1` for both queries. */
static void commit(fixture *f, int64_t next)
{
    st_offset offs[2];
    int nq = wr_engine_query_count(f->eng);
    for (int i = 0; i < nq; i++) {
        offs[i].group = wr_query_id(wr_engine_query_at(f->eng, i));
        offs[i].topic = "s";
        offs[i].partition = 0;
        offs[i].offset = next;
    }
    wr_error err;
    wr_error_clear(&err);
    assert_int_equal(wr_engine_commit(f->eng, offs, nq, &err), 0);
}

static const out *last_on(fixture *f, const char *topic)
{
    for (int i = f->nouts - 1; i >= 0; i--)
        if (strcmp(f->outs[i].topic, topic) == 0)
            return &f->outs[i];
    return NULL;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (unit_tmpdir(f->dir, sizeof f->dir, "state-test"))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    stop(f);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static void test_counts_continue_after_restart(void **state)
{
    fixture *f = *state;
    start(f);
    feed(f, 1, 5, 1, 0);
    feed(f, 1, 7, 2, 1);
    assert_string_equal(last_on(f, "TOTALS")->value, "{\"N\":2,\"T\":12}");
    commit(f, 2);
    stop(f);

    start(f);
    int64_t off = -1;
    const char *qid = wr_query_id(wr_engine_query_at(f->eng, 0));
    assert_int_equal(wr_engine_offset(f->eng, qid, "s", 0, &off), 1);
    assert_int_equal(off, 2);
    assert_int_equal(wr_engine_offset(f->eng, qid, "s", 1, &off), 0);
    feed(f, 1, 1, 3, 2);
    assert_string_equal(last_on(f, "TOTALS")->value, "{\"N\":3,\"T\":13}");
    assert_int_equal(last_on(f, "TOTALS")->ts, 3);
    feed(f, 1, 100, 4, 3);
    assert_string_equal(last_on(f, "TOTALS")->value, "{\"N\":4,\"T\":113}");
    stop(f);

    /* offsets 2 and 3 were not committed: their updates are gone, and reading them again
     * from the committed offset counts each exactly once */
    start(f);
    qid = wr_query_id(wr_engine_query_at(f->eng, 0));
    assert_int_equal(wr_engine_offset(f->eng, qid, "s", 0, &off), 1);
    assert_int_equal(off, 2);
    feed(f, 1, 1, 3, 2);
    assert_string_equal(last_on(f, "TOTALS")->value, "{\"N\":3,\"T\":13}");
    feed(f, 1, 100, 4, 3);
    assert_string_equal(last_on(f, "TOTALS")->value, "{\"N\":4,\"T\":113}");
}

static void test_final_window_closes_after_restart(void **state)
{
    fixture *f = *state;
    start(f);
    feed(f, 2, 1, 3, 0);
    feed(f, 2, 1, 7, 1);
    assert_null(last_on(f, "CLOSED")); /* EMIT FINAL: nothing before the window closes */
    commit(f, 2);
    stop(f);

    start(f);
    feed(f, 3, 1, 10, 2); /* stream time reaches 10: [0, 10) closes */
    const out *o = last_on(f, "CLOSED");
    assert_non_null(o);
    assert_string_equal(o->value, "{\"N\":2}");
    assert_int_equal(o->ts, 7);
    assert_int_equal(o->win_start, 0);
    assert_int_equal(o->win_end, 10);
    assert_int_equal(f->nplog, 0);
    /* a record for the closed window is late, even though stream time came from before the
     * restart */
    feed(f, 2, 1, 5, 3);
    assert_int_equal(f->nplog, 1);
    assert_int_equal(wr_query_late_records(wr_engine_query_at(f->eng, 1)), 1);
    assert_int_equal(wr_query_late_records(wr_engine_query_at(f->eng, 0)), 0);
}

typedef struct push {
    wr_query *q;
    char rows[8][64];
    int n;
} push;

static void on_push_result(void *ud, const wr_result *res)
{
    if (res->kind == WR_RES_PUSH)
        ((push *)ud)->q = res->query;
}

static void on_push_row(void *ud, const wr_query *q, int ncols, const char *const *cells,
                        int tombstone)
{
    push *p = ud;
    if (p->n < 8 && ncols == 2)
        snprintf(p->rows[p->n++], 64, "%s|%s", cells[0] ? cells[0] : "null",
                 cells[1] ? cells[1] : "null");
}

/* A transient aggregation (push query) starts from empty state every time. */
static void test_push_query_aggregates(void **state)
{
    fixture *f = *state;
    start(f);
    for (int round = 0; round < 2; round++) {
        push p;
        memset(&p, 0, sizeof p);
        const char *sql = "SELECT id, COUNT(*) AS n FROM s GROUP BY id EMIT CHANGES;";
        wr_error err;
        wr_error_clear(&err);
        assert_int_equal(wr_engine_execute(f->eng, sql, strlen(sql), on_push_result, &p, &err), 0);
        assert_non_null(p.q);
        wr_query_set_row_cb(p.q, on_push_row, &p);
        char key[4] = {0, 0, 0, 9};
        wr_record rec;
        memset(&rec, 0, sizeof rec);
        rec.key = key;
        rec.key_len = 4;
        rec.value = "{\"V\":1}";
        rec.value_len = 7;
        rec.offset = -1;
        rec.partition = -1;
        for (int i = 0; i < 2; i++)
            assert_int_equal(wr_query_process(p.q, "s", &rec, &err), 0);
        assert_int_equal(p.n, 2);
        assert_string_equal(p.rows[0], "9|1");
        assert_string_equal(p.rows[1], "9|2");
        wr_query_close(p.q);
    }
}

static void test_commit_without_state_is_cheap(void **state)
{
    fixture *f = *state;
    wr_engine_opts o;
    memset(&o, 0, sizeof o);
    o.topics = &mem_vt;
    o.topics_ud = f;
    o.state_dir = f->dir;
    f->eng = wr_engine_new(&o);
    wr_error err;
    wr_error_clear(&err);
    assert_int_equal(wr_engine_commit(f->eng, NULL, 0, &err), 0);
    assert_int_equal(wr_engine_commit_wanted(f->eng), 0);
}

/* Entries of the HAVING store of query 0. */
static int having_entries(fixture *f)
{
    wr_error err;
    wr_error_clear(&err);
    st_env *env = wr_engine_state(f->eng, &err);
    assert_non_null(env);
    char name[256];
    snprintf(name, sizeof name, "%s#having", wr_query_id(wr_engine_query_at(f->eng, 0)));
    st_store *s = st_store_open(env, name, &err);
    assert_non_null(s);
    int n = 0;
    assert_int_equal(st_scan(s, NULL, 0, NULL, 0, unit_count_cb, &n, &err), 0);
    return n;
}

/* A windowed HAVING remembers the (key, window)s it forwarded, and forgets a window once the
 * aggregate has expired it (start + retention), also after a restart. */
static void test_having_forgets_expired_windows(void **state)
{
    fixture *f = *state;
    static const char *sql =
        "CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', value_format='JSON');\n"
        "CREATE TABLE alerts AS SELECT id, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 10 "
        "MILLISECONDS, RETENTION 20 MILLISECONDS, GRACE PERIOD 0 MILLISECONDS) GROUP BY id "
        "HAVING COUNT(*) >= 2;\n";
    start_sql(f, sql, 1);
    feed(f, 1, 0, 1, 0);
    feed(f, 1, 0, 2, 1);
    feed(f, 2, 0, 12, 2);
    feed(f, 2, 0, 13, 3);
    assert_int_equal(having_entries(f), 2);
    feed(f, 3, 0, 25, 4);  /* 0 + 20 <= 25: window 0 goes, window 10 stays */
    assert_int_equal(having_entries(f), 1);
    feed(f, 3, 0, 26, 5);  /* window 20 passes */
    assert_int_equal(having_entries(f), 2);
    commit(f, 6);
    stop(f);
    start_sql(f, sql, 1);
    assert_int_equal(having_entries(f), 2);
    feed(f, 4, 0, 75, 6);  /* the starts came back from the store: 10 and 20 go */
    assert_int_equal(having_entries(f), 0);
    feed(f, 4, 0, 76, 7);
    assert_int_equal(having_entries(f), 1);
    assert_string_equal(last_on(f, "ALERTS")->value, "{\"N\":2}");
}

/* State of a time-windowed aggregation written in the old group-first layout (its meta entry
 * has no version byte) is refused with a message, not misread. */
static void test_old_window_layout_refused(void **state)
{
    fixture *f = *state;
    static const char *sql =
        "CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', value_format='JSON');\n"
        "CREATE TABLE w AS SELECT id, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 10 "
        "MILLISECONDS) GROUP BY id;\n";
    start_sql(f, sql, 1);
    feed(f, 1, 0, 1, 0);
    wr_error err;
    wr_error_clear(&err);
    char name[256];
    snprintf(name, sizeof name, "%s#timers", wr_query_id(wr_engine_query_at(f->eng, 0)));
    st_store *timers = st_store_open(wr_engine_state(f->eng, &err), name, &err);
    assert_non_null(timers);
    static const unsigned char meta_v1[16] = {0}; /* stream time, sequence: layout 1 */
    st_put(timers, "\0\0\0\0", 4, meta_v1, sizeof meta_v1);
    commit(f, 1);
    stop(f);
    assert_int_not_equal(start_try(f, sql, &err), 0);
    assert_non_null(strstr(err.msg, "written by an older weir (state layout 1"));
    assert_non_null(strstr(err.msg, "remove that state directory"));
    stop(f);
    /* the same statements on a fresh directory run */
    unit_rmtree(f->dir);
    assert_int_equal(mkdir(f->dir, 0700), 0);
    start_sql(f, sql, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_continue_after_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_final_window_closes_after_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_push_query_aggregates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_without_state_is_cheap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_having_forgets_expired_windows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_window_layout_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
