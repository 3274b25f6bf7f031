/*
 * engine_bench.c - how fast the engine runs a query on one core, without Kafka: generated
 * JSON transaction records are fed through wr_query_process() (decode, operators, encode) and
 * produced into a sink that only counts bytes.  This is the engine's own ceiling; the Kafka
 * benchmarks (consume / consume-to-produce ceilings, weir run) measure what a live pipeline
 * adds on top.
 *
 *   build/bench/engine_bench [RECORDS]        (default 1 000 000)
 *
 * Prints one line per query: events/s on one core, ns per event, output records and bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"

typedef struct sink {
    long records, bytes;
} sink;

static int on_exists(void *ud, const char *t) { return 1; }
static int on_create(void *ud, const char *t, int p, int r, wr_error *err) { return 0; }
static int on_remove(void *ud, const char *t) { return 0; }
static int on_partitions(void *ud, const char *t) { return 1; }
static void on_list(void *ud, void (*cb)(void *, const char *, int), void *cbud) {}
static int on_produce(void *ud, const char *t, const wr_record *rec, wr_error *err)
{
    sink *s = ud;
    s->records++;
    s->bytes += (long)(rec->key_len + rec->value_len);
    return 0;
}

static const wr_topics_vt topics = {
    .exists = on_exists, .create = on_create, .remove = on_remove,
    .partitions = on_partitions, .list = on_list, .produce = on_produce,
};

static const char *const ddl =
    "CREATE STREAM txns (card STRING KEY, txn_id STRING, kind STRING, amount DOUBLE,"
    " merchant STRING, country STRING, home_country STRING, ts BIGINT)"
    " WITH (KAFKA_TOPIC='txns', VALUE_FORMAT='JSON', TIMESTAMP='ts');";

static const struct {
    const char *name;
    const char *sql;
} queries[] = {
    {"passthrough", "CREATE STREAM q AS SELECT * FROM txns;"},
    {"filter", "CREATE STREAM q AS SELECT * FROM txns WHERE amount > 900;"},
    {"projection", "CREATE STREAM q AS SELECT card, UCASE(merchant) AS m, amount * 1.1 AS gross,"
                   " country <> home_country AS foreign FROM txns;"},
    {"filter+projection", "CREATE STREAM q AS SELECT card, amount, country FROM txns"
                          " WHERE country <> home_country AND amount > 500;"},
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    static const char *const countries[] = {"DE", "FR", "US", "GB", "NO", "ES"};
    /* a pool of distinct records, cycled, so generation is not what is measured */
    enum { POOL = 4096 };
    char **vals = malloc(sizeof(char *) * POOL), **keys = malloc(sizeof(char *) * POOL);
    size_t *vlen = malloc(sizeof(size_t) * POOL), *klen = malloc(sizeof(size_t) * POOL);
    srand(42);
    for (int i = 0; i < POOL; i++) {
        char buf[512];
        vlen[i] = (size_t)snprintf(buf, sizeof buf,
            "{\"txn_id\":\"t%d\",\"kind\":\"%s\",\"amount\":%d.%02d,\"merchant\":\"shop-%d\","
            "\"country\":\"%s\",\"home_country\":\"%s\",\"ts\":%ld}",
            i, rand() % 4 ? "purchase" : "withdrawal", rand() % 1000, rand() % 100, rand() % 500,
            countries[rand() % 6], countries[rand() % 2], 1763719200000L + i);
        vals[i] = strdup(buf);
        klen[i] = (size_t)snprintf(buf, sizeof buf, "4000-%04d", rand() % 10000);
        keys[i] = strdup(buf);
    }
    printf("%-18s %12s %10s %12s %14s\n", "query", "events/s", "ns/event", "out records", "out bytes");
    for (size_t qi = 0; qi < sizeof queries / sizeof queries[0]; qi++) {
        sink s = {0};
        wr_engine_opts eo = {.topics = &topics, .topics_ud = &s, .test_mode = 1};
        wr_engine *eng = wr_engine_new(&eo);
        wr_error err;
        if (wr_engine_execute(eng, ddl, strlen(ddl), NULL, NULL, &err) ||
            wr_engine_execute(eng, queries[qi].sql, strlen(queries[qi].sql), NULL, NULL, &err)) {
            fprintf(stderr, "engine_bench: %s: %s\n", queries[qi].name, err.msg);
            return 1;
        }
        wr_query *q = wr_engine_query_at(eng, 0);
        double t0 = now_s();
        for (long i = 0; i < n; i++) {
            int k = (int)(i % POOL);
            wr_record rec = {.key = keys[k], .key_len = klen[k], .value = vals[k],
                             .value_len = vlen[k], .ts = 1763719200000L + i, .partition = 0,
                             .offset = i};
            if (wr_query_process(q, "txns", &rec, &err)) {
                fprintf(stderr, "engine_bench: %s\n", err.msg);
                return 1;
            }
        }
        double dt = now_s() - t0;
        printf("%-18s %12.0f %10.0f %12ld %14ld\n", queries[qi].name, (double)n / dt,
               dt * 1e9 / (double)n, s.records, s.bytes);
        wr_engine_free(eng);
    }
    for (int i = 0; i < POOL; i++) {
        free(vals[i]);
        free(keys[i]);
    }
    free(vals);
    free(keys);
    free(vlen);
    free(klen);
    return 0;
}
