/*
 * test_state.c - the LMDB state layer: cache over LMDB, commits with offsets, scans that merge
 * dirty entries over committed ones, map growth on MDB_MAP_FULL, reopening after a "crash"
 * (close without commit), key encoding order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "state.h"

typedef struct fx {
    char dir[256];
    st_env *env;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_int_equal(unit_tmpdir(f->dir, sizeof f->dir, "test-state"), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    st_env_close(f->env);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static st_env *open_env(fx *f, size_t map, size_t cache)
{
    wr_error err;
    wr_error_clear(&err);
    st_env_opts o = {map, cache};
    char path[300];
    snprintf(path, sizeof path, "%s/db", f->dir);
    st_env *env = st_env_open(path, &o, &err);
    if (!env)
        fail_msg("open: %s", err.msg);
    return env;
}

static int64_t get_i64(st_store *s, const char *k)
{
    const void *v;
    size_t n;
    wr_error err;
    int rc = st_get(s, k, strlen(k), &v, &n, &err);
    if (rc != 1 || n != 8)
        return -1;
    int64_t x;
    memcpy(&x, v, 8);
    return x;
}

static void put_i64(st_store *s, const char *k, int64_t x) { st_put(s, k, strlen(k), &x, 8); }

static void test_put_get_commit_reopen(void **state)
{
    fx *f = *state;
    wr_error err;
    f->env = open_env(f, 0, 0);
    st_store *s = st_store_open(f->env, "counts", &err);
    assert_non_null(s);
    put_i64(s, "a", 1);
    put_i64(s, "a", 2); /* absorbed by the cache */
    put_i64(s, "b", 7);
    assert_int_equal(get_i64(s, "a"), 2);
    st_offset off = {"Q1", "tx", 3, 42};
    assert_int_equal(st_env_commit(f->env, &off, 1, &err), 0);
    st_stats st;
    st_env_stats(f->env, &st);
    assert_int_equal(st.writes, 2); /* two keys, one write each */
    assert_int_equal(st.entries, 2);
    /* uncommitted changes vanish with a crash (close without commit) */
    put_i64(s, "a", 99);
    st_del(s, "b", 1);
    assert_int_equal(get_i64(s, "b"), -1);
    st_env_close(f->env);
    f->env = open_env(f, 0, 0);
    s = st_store_open(f->env, "counts", &err);
    assert_int_equal(get_i64(s, "a"), 2);
    assert_int_equal(get_i64(s, "b"), 7);
    int64_t o = 0;
    assert_int_equal(st_env_offset(f->env, "Q1", "tx", 3, &o), 1);
    assert_int_equal(o, 42);
    assert_int_equal(st_env_offset(f->env, "Q1", "tx", 4, &o), 0);
    /* delete, commit: gone after reopening too */
    st_del(s, "b", 1);
    assert_int_equal(st_env_commit(f->env, NULL, 0, &err), 0);
    assert_int_equal(get_i64(s, "b"), -1);
    struct stat sb;
    char path[300];
    snprintf(path, sizeof path, "%s/db/data.mdb", f->dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

typedef struct seen {
    int n;
    char keys[64][32];
    int64_t suf[64];
    int64_t vals[64];
} seen;

static int collect(void *ud, const void *k, size_t kl, const void *v, size_t vl)
{
    seen *s = ud;
    const void *key;
    size_t klen;
    int64_t suf[2];
    int ns = st_key_parse(k, kl, &key, &klen, suf, 2);
    assert_true(ns >= 0);
    snprintf(s->keys[s->n], sizeof s->keys[0], "%.*s", (int)klen, (const char *)key);
    s->suf[s->n] = ns ? suf[0] : 0;
    s->vals[s->n] = 0;
    if (vl == 8)
        memcpy(&s->vals[s->n], v, 8);
    s->n++;
    return s->n >= 64;
}

static void wput(st_store *s, wr_buf *b, const char *key, int64_t start, int64_t val)
{
    st_key(b, key, strlen(key), 1, &start);
    st_put(s, b->data, b->len, &val, 8);
}

static void test_window_scans_merge_cache_over_lmdb(void **state)
{
    fx *f = *state;
    wr_error err;
    f->env = open_env(f, 0, 0);
    st_store *s = st_store_open(f->env, "win", &err);
    wr_buf b;
    wr_buf_init(&b);
    wput(s, &b, "k1", 300, 3);
    wput(s, &b, "k1", -100, 1); /* negative times sort first */
    wput(s, &b, "k2", 0, 20);
    assert_int_equal(st_env_commit(f->env, NULL, 0, &err), 0);
    wput(s, &b, "k1", 100, 2);  /* dirty, between two committed windows */
    wput(s, &b, "k1", 300, 33); /* dirty overrides committed */
    int64_t t = -100;
    st_key(&b, "k1", 2, 1, &t);
    st_del(s, b.data, b.len);   /* dirty delete hides a committed window */
    wput(s, &b, "k10", 5, 50);  /* a longer key with the same leading bytes: other prefix */
    seen sn = {0};
    size_t plen = st_key(&b, "k1", 2, 0, NULL);
    assert_int_equal(st_scan_prefix(s, b.data, plen, collect, &sn, &err), 0);
    assert_int_equal(sn.n, 2);
    assert_int_equal(sn.suf[0], 100);
    assert_int_equal(sn.vals[0], 2);
    assert_int_equal(sn.suf[1], 300);
    assert_int_equal(sn.vals[1], 33);
    /* full scan: every live entry once, in key order */
    memset(&sn, 0, sizeof sn);
    assert_int_equal(st_scan(s, NULL, 0, NULL, 0, collect, &sn, &err), 0);
    assert_int_equal(sn.n, 4);
    /* range by window start within a key: [100, 300) */
    int64_t lo = 100, hi = 300;
    wr_buf lb, hb;
    wr_buf_init(&lb);
    wr_buf_init(&hb);
    st_key(&lb, "k1", 2, 1, &lo);
    st_key(&hb, "k1", 2, 1, &hi);
    memset(&sn, 0, sizeof sn);
    assert_int_equal(st_scan(s, lb.data, lb.len, hb.data, hb.len, collect, &sn, &err), 0);
    assert_int_equal(sn.n, 1);
    assert_int_equal(sn.suf[0], 100);
    /* after the commit the same answers come from LMDB alone */
    assert_int_equal(st_env_commit(f->env, NULL, 0, &err), 0);
    memset(&sn, 0, sizeof sn);
    assert_int_equal(st_scan_prefix(s, b.data, plen, collect, &sn, &err), 0);
    assert_int_equal(sn.n, 2);
    assert_int_equal(sn.vals[1], 33);
    wr_buf_fini(&b);
    wr_buf_fini(&lb);
    wr_buf_fini(&hb);
}

static void test_map_full_grows_and_continues(void **state)
{
    fx *f = *state;
    wr_error err;
    /* a 1 MiB map cannot hold 20 000 entries of 100 bytes: commits must grow it */
    f->env = open_env(f, 1 << 20, 64 << 20);
    st_store *s = st_store_open(f->env, "big", &err);
    char val[100];
    memset(val, 'x', sizeof val);
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 5000; i++) {
            char k[32];
            int n = snprintf(k, sizeof k, "key-%d-%d", round, i);
            st_put(s, k, (size_t)n, val, sizeof val);
        }
        assert_int_equal(st_env_commit(f->env, NULL, 0, &err), 0);
    }
    st_stats st;
    st_env_stats(f->env, &st);
    assert_true(st.map_grows >= 1);
    assert_true(st.map_size > (1u << 20));
    assert_int_equal(st.entries, 20000);
    const void *v;
    size_t n;
    assert_int_equal(st_get(s, "key-0-0", 7, &v, &n, &err), 1);
    assert_int_equal(n, 100);
}

static void test_cache_limit_evicts_clean_and_asks_for_commit(void **state)
{
    fx *f = *state;
    wr_error err;
    f->env = open_env(f, 0, 64 * 1024); /* 64 KiB cache */
    st_store *s = st_store_open(f->env, "c", &err);
    int i = 0;
    while (!st_env_commit_wanted(f->env) && i < 100000) {
        char k[32];
        int n = snprintf(k, sizeof k, "k%d", i);
        put_i64(s, k, i);
        (void)n;
        i++;
    }
    assert_true(st_env_commit_wanted(f->env));
    assert_true(i < 100000);
    assert_int_equal(st_env_commit(f->env, NULL, 0, &err), 0);
    assert_false(st_env_commit_wanted(f->env));
    st_stats st;
    st_env_stats(f->env, &st);
    assert_true(st.cache_bytes <= 64 * 1024); /* clean entries were evicted */
    /* and evicted entries are read back from LMDB */
    assert_int_equal(get_i64(s, "k0"), 0);
    assert_int_equal(get_i64(s, "k5"), 5);
}

typedef struct acc {
    int n;
    int64_t sum;
} acc;

static void offsets_cb(void *ud, const char *topic, int32_t part, int64_t off)
{
    acc *a = ud;
    assert_string_equal(topic, "a");
    assert_true(part == 0 || part == 1);
    a->n++;
    a->sum += off;
}

static void test_clear_and_offsets_listing(void **state)
{
    fx *f = *state;
    wr_error err;
    f->env = open_env(f, 0, 0);
    st_store *s = st_store_open(f->env, "t", &err);
    put_i64(s, "x", 1);
    st_offset offs[] = {{"CTAS_T_0", "a", 0, 10}, {"CTAS_T_0", "a", 1, 11}, {"CSAS_U_1", "a", 0, 5}};
    assert_int_equal(st_env_commit(f->env, offs, 3, &err), 0);
    assert_int_equal(st_store_clear(s, &err), 0);
    assert_int_equal(get_i64(s, "x"), -1);
    assert_int_equal(st_env_commit(f->env, NULL, 0, &err), 0);
    assert_int_equal(get_i64(s, "x"), -1);
    st_stats st;
    st_env_stats(f->env, &st);
    assert_int_equal(st.entries, 0);
    acc a = {0, 0};
    assert_int_equal(st_env_offsets(f->env, "CTAS_T_0", offsets_cb, &a), 2);
    assert_int_equal(a.n, 2);
    assert_int_equal(a.sum, 21);
}

/* st_del_prefix: a window's groups go at once for reads, in LMDB at the commit; keys put
 * after the drop survive it; other prefixes are untouched; the writes are counted. */
static void test_del_prefix(void **state)
{
    fx *f = *state;
    wr_error err;
    f->env = open_env(f, 0, 0);
    st_store *s = st_store_open(f->env, "w", &err);
    for (int i = 0; i < 500; i++) {
        char k[32];
        snprintf(k, sizeof k, "A:%03d", i);
        put_i64(s, k, i);
        snprintf(k, sizeof k, "B:%03d", i);
        put_i64(s, k, i);
    }
    assert_int_equal(st_env_commit(f->env, NULL, 0, &err), 0);
    put_i64(s, "A:100", 1000);     /* dirty over committed */
    assert_int_equal(get_i64(s, "A:200"), 200); /* a clean copy in the cache */
    st_del_prefix(s, "A:", 2);
    assert_int_equal(get_i64(s, "A:100"), -1);
    assert_int_equal(get_i64(s, "A:200"), -1);
    assert_int_equal(get_i64(s, "A:300"), -1);  /* only in LMDB */
    assert_int_equal(get_i64(s, "B:300"), 300);
    put_i64(s, "A:007", 7);        /* after the drop: stays */
    int n = 0;
    assert_int_equal(st_scan(s, "A", 1, "B", 1, unit_count_cb, &n, &err), 0);
    assert_int_equal(n, 1);
    st_stats before, after;
    st_env_stats(f->env, &before);
    assert_int_equal(st_env_commit(f->env, NULL, 0, &err), 0);
    st_env_stats(f->env, &after);
    assert_true(after.writes - before.writes >= 500);
    assert_int_equal(after.entries, 501);
    assert_int_equal(get_i64(s, "A:007"), 7);
    assert_int_equal(get_i64(s, "A:300"), -1);
    assert_int_equal(get_i64(s, "B:499"), 499);
    n = 0;
    assert_int_equal(st_scan(s, NULL, 0, NULL, 0, unit_count_cb, &n, &err), 0);
    assert_int_equal(n, 501);
}

static void test_temp_env_removed(void **state)
{
    (void)state;
    wr_error err;
    st_env *env = st_env_open(NULL, NULL, &err);
    assert_non_null(env);
    char dir[300];
    snprintf(dir, sizeof dir, "%s", st_env_dir(env));
    struct stat sb;
    assert_int_equal(stat(dir, &sb), 0);
    st_env_close(env);
    assert_int_not_equal(stat(dir, &sb), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_commit_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_scans_merge_cache_over_lmdb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_full_grows_and_continues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_limit_evicts_clean_and_asks_for_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clear_and_offsets_listing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_del_prefix, setup, teardown),
        cmocka_unit_test(test_temp_env_removed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
