/*
 * kafka_bench.c - raw librdkafka measurements for the Kafka benchmark (bench/kafka.sh).
 *
 * weir's rate on a broker means little without the rate the same broker and client library
 * allow: this program measures those ceilings with plain librdkafka (no engine), with the
 * client settings weir's runtime uses, and it observes a running `weir run` from outside.
 *
 *   kafka_bench fill    BOOTSTRAP TOPIC N [THRESHOLD [KEYS]]
 *                                                      produce N JSON transactions (~225 bytes);
 *                                                      KEYS: record i gets key i % KEYS
 *                                                      ("card-0000042"), else one of 10 000 cards
 *   kafka_bench consume BOOTSTRAP TOPIC N              consume them from the beginning (assign)
 *   kafka_bench wake    BOOTSTRAP TOPIC N              the same, woken the way weir's runtime is:
 *                                                      queue io-event on a pipe, poll(2), then
 *                                                      rd_kafka_consumer_poll(0) until empty
 *   kafka_bench pipe    BOOTSTRAP TOPIC OUT N          consume and re-produce each one, wait for
 *                                                      every delivery report
 *   kafka_bench await   BOOTSTRAP TOPIC COUNT IN_N PID [TIMEOUT_S [BROKER_PID]]
 *                                                      wait until TOPIC holds COUNT records that a
 *                                                      process PID produces from IN_N inputs (and
 *                                                      report the broker process's CPU too)
 *   kafka_bench latency BOOTSTRAP IN OUT RATE SECONDS  produce at RATE/s with the send time in the
 *                                                      record, read OUT, latency percentiles
 *   kafka_bench group   BOOTSTRAP TOPIC GROUP N PID [TIMEOUT_S]
 *                                                      wait until consumer group GROUP has committed
 *                                                      N records of TOPIC (a stateful query's output
 *                                                      count is unknown: coalesced), with PID's CPU
 *
 * Rates are taken from the first record seen to the last (consume, pipe: first record consumed;
 * await: first output record), so connection setup and the consumer-group join of the observed
 * process stay outside the window.  CPU time is this whole process's (getrusage: librdkafka's
 * fetcher threads work ahead of the first record handed out) or PID's over the window
 * (/proc/PID/stat utime+stime), which gives events per second per core.
 *
 * Each mode prints one line "result MODE key=value ..." on stdout for the harness; progress and
 * errors go to stderr.  Exit status 0 ok, 1 failure (timeout, delivery error), 2 usage.
 *
 * The records: key a card number out of 10 000 (so partitions are balanced), value
 *   {"txn_id":"tx-00000042","kind":"purchase","amount":912.30,"currency":"EUR",
 *    "merchant":"Corner Market 042","country":"DE","home_country":"DE","channel":"contactless",
 *    "ts":1763719200000,"sent_us":1763719200000123}
 * generated from the index alone, so every run produces the same amounts: `fill` reports how
 * many have amount > THRESHOLD (default 900, about 10 %), which is what a filter must output.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define BATCH 1000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kafka_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* CPU seconds (user + system) used by this process */
static double cpu_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds used by process pid (utime + stime of /proc/PID/stat); -1 when it is gone */
static double cpu_pid(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* the command name may hold spaces and parentheses: fields restart after the last ')' */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    unsigned long utime = 0, stime = 0;
    /* after ')': state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime(14) stime(15) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* a "VmRSS:"-style field of /proc/PID/status in KiB; -1 when unavailable */
static long proc_kib(long pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kib = -1;
    size_t flen = strlen(field);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, flen)) {
            kib = strtol(line + flen, NULL, 10);
            break;
        }
    fclose(f);
    return kib;
}

/* ---------------------------------------------------------------- clients */

static void conf_set(rd_kafka_conf_t *conf, const char *key, const char *val)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, val, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        fail("config %s=%s: %s", key, val, errstr);
}

typedef struct delivery {
    long ok, failed;
    rd_kafka_resp_err_t last_err;
} delivery;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    delivery *d = opaque;
    if (msg->err) {
        d->failed++;
        d->last_err = msg->err;
    } else
        d->ok++;
}

/* A producer with weir's runtime settings (idempotent, explicit queue limits; linger.ms weir's
 * 5, or 0 where the client's own batching would be measured), or tuned for bulk loading. */
static rd_kafka_t *producer_new(const char *bootstrap, int bulk, const char *linger, delivery *d)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "client.id", "kafka_bench");
    if (bulk) {
        conf_set(conf, "linger.ms", "20");
        conf_set(conf, "batch.num.messages", "10000");
        conf_set(conf, "queue.buffering.max.messages", "500000");
        conf_set(conf, "queue.buffering.max.kbytes", "262144");
    } else {
        conf_set(conf, "enable.idempotence", "true");
        conf_set(conf, "linger.ms", linger);
        conf_set(conf, "queue.buffering.max.messages", "100000");
        conf_set(conf, "queue.buffering.max.kbytes", "65536");
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, d);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk)
        fail("producer: %s", errstr);
    return rk;
}

/* A consumer with weir's runtime fetch settings; partitions are assigned, never subscribed. */
static rd_kafka_t *consumer_new(const char *bootstrap)
{
    char errstr[512], group[64];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    snprintf(group, sizeof group, "kafka-bench-%ld", (long)getpid());
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "client.id", "kafka_bench");
    conf_set(conf, "group.id", group);
    conf_set(conf, "enable.auto.commit", "false");
    conf_set(conf, "enable.auto.offset.store", "false");
    conf_set(conf, "queued.max.messages.kbytes", "16384");
    conf_set(conf, "fetch.max.bytes", "8388608");
    /* the development broker answers a fetch that finds no new data only after this wait
     * (it does not wake up when data arrives); a real broker answers at once */
    conf_set(conf, "fetch.wait.max.ms", "5");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk)
        fail("consumer: %s", errstr);
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

static int topic_partitions(rd_kafka_t *rk, const char *topic)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (err)
        fail("metadata for %s: %s", topic, rd_kafka_err2str(err));
    int n = md->topic_cnt == 1 && !md->topics[0].err ? md->topics[0].partition_cnt : 0;
    rd_kafka_metadata_destroy(md);
    if (n <= 0)
        fail("topic %s does not exist", topic);
    return n;
}

/* assign every partition of topic at offset (OFFSET_BEGINNING / OFFSET_END) */
static void assign_all(rd_kafka_t *rk, const char *topic, int64_t offset)
{
    int n = topic_partitions(rk, topic);
    rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(n);
    for (int p = 0; p < n; p++)
        rd_kafka_topic_partition_list_add(tl, topic, p)->offset = offset;
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, tl);
    rd_kafka_topic_partition_list_destroy(tl);
    if (err)
        fail("assign %s: %s", topic, rd_kafka_err2str(err));
}

/* ---------------------------------------------------------------- records */

static const char *const kinds[] = {"purchase", "purchase", "purchase", "withdrawal"};
static const char *const countries[] = {"DE", "FR", "GB", "ES", "IT", "NL", "US", "NG"};
static const char *const currencies[] = {"EUR", "EUR", "GBP", "EUR", "EUR", "EUR", "USD", "NGN"};
static const char *const merchants[] = {"Corner Market", "Fuelstop", "Trattoria Roma",
                                        "ShopNow.com", "MegaTech", "City Transit"};
static const char *const channels[] = {"pos", "contactless", "ecommerce", "atm"};

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* amount of record i in cents: uniform 0 .. 99 999 (0.00 .. 999.99) */
static long record_cents(long i) { return (long)(mix((uint64_t)i) % 100000); }

static long fill_keys; /* fill: 0 = 10 000 cards, else record i has key i % fill_keys */

/* key and value of record i; returns the value length */
static size_t record_make(long i, int64_t sent_us, char *key, size_t keysz, char *val,
                          size_t valsz)
{
    uint64_t h = mix((uint64_t)i ^ 0x5bd1e995ULL);
    long card = (long)(h % 10000);
    if (fill_keys > 0)
        snprintf(key, keysz, "card-%07ld", i % fill_keys);
    else
        snprintf(key, keysz, "4000-%04ld-%04ld-%04ld", card % 10000, (card * 7919) % 10000,
                 (card * 104729) % 10000);
    int home = (int)((h >> 16) % 7);
    int country = (h >> 24) % 20 == 0 ? 7 : home; /* 5 % abroad */
    long cents = record_cents(i);
    int n = snprintf(val, valsz,
                     "{\"txn_id\":\"tx-%08ld\",\"kind\":\"%s\",\"amount\":%ld.%02ld,"
                     "\"currency\":\"%s\",\"merchant\":\"%s %03d\",\"country\":\"%s\","
                     "\"home_country\":\"%s\",\"channel\":\"%s\","
                     "\"ts\":%" PRId64 ",\"sent_us\":%" PRId64 "}",
                     i, kinds[(h >> 32) % 4], cents / 100, cents % 100, currencies[country],
                     merchants[(h >> 36) % 6], (int)((h >> 40) % 1000), countries[country],
                     countries[home], channels[(h >> 48) % 4], sent_us / 1000,
                     sent_us);
    return (size_t)n;
}

/* produce with retry while the local queue is full (serving delivery reports meanwhile) */
static void produce(rd_kafka_t *rk, const char *topic, const void *key, size_t klen,
                    const void *val, size_t vlen, int64_t ts_ms)
{
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, klen),
            RD_KAFKA_V_VALUE((void *)val, vlen), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_TIMESTAMP(ts_ms), RD_KAFKA_V_END);
        if (!err)
            return;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            fail("produce to %s: %s", topic, rd_kafka_err2str(err));
        rd_kafka_poll(rk, 10);
    }
}

/* flush and check every record was delivered */
static void flush_all(rd_kafka_t *rk, delivery *d, long expected)
{
    rd_kafka_flush(rk, 120000);
    if (d->failed || d->ok != expected)
        fail("%ld of %ld records delivered, %ld failed (%s)", d->ok, expected, d->failed,
             rd_kafka_err2str(d->last_err));
}

/* ---------------------------------------------------------------- modes */

static int mode_fill(const char *bootstrap, const char *topic, long n, long threshold)
{
    delivery d = {0};
    rd_kafka_t *rk = producer_new(bootstrap, 1, NULL, &d);
    topic_partitions(rk, topic);
    char key[64], val[512];
    long matched = 0, bytes = 0;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        int64_t us = wall_us();
        size_t vlen = record_make(i, us, key, sizeof key, val, sizeof val);
        produce(rk, topic, key, strlen(key), val, vlen, us / 1000);
        matched += record_cents(i) > threshold * 100;
        bytes += (long)(vlen + strlen(key));
        if ((i & 1023) == 0)
            rd_kafka_poll(rk, 0);
    }
    flush_all(rk, &d, n);
    double dt = now_s() - t0;
    printf("result fill events=%ld seconds=%.3f rate=%.0f bytes=%ld avg_bytes=%.0f matched=%ld\n",
           n, dt, (double)n / dt, bytes, (double)bytes / (double)n, matched);
    rd_kafka_destroy(rk);
    return 0;
}

/* consume n records from the beginning of topic; for pipe, re-produce each one to out */
static int mode_consume(const char *bootstrap, const char *topic, const char *out, long n)
{
    delivery d = {0};
    double cpu0 = cpu_self(); /* all of it: setup is tiny, and the fetcher works ahead */
    rd_kafka_t *prod = out ? producer_new(bootstrap, 0, "5", &d) : NULL;
    if (prod)
        topic_partitions(prod, out);
    rd_kafka_t *rk = consumer_new(bootstrap);
    assign_all(rk, topic, RD_KAFKA_OFFSET_BEGINNING);
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *msgs[BATCH];
    long got = 0, bytes = 0;
    double t0 = 0, last = now_s();
    while (got < n) {
        ssize_t k = rd_kafka_consume_batch_queue(q, 100, msgs, BATCH);
        if (k < 0)
            fail("consume: %s", rd_kafka_err2str(rd_kafka_last_error()));
        if (k == 0 && now_s() - last > 15)
            fail("%s: only %ld of %ld records within the time limit", topic, got, n);
        for (ssize_t j = 0; j < k; j++) {
            rd_kafka_message_t *m = msgs[j];
            if (!m->err) {
                if (!got)
                    t0 = now_s();
                got++;
                bytes += (long)(m->len + m->key_len);
                if (prod)
                    produce(prod, out, m->key, m->key_len, m->payload, m->len,
                            rd_kafka_message_timestamp(m, NULL));
            } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                fprintf(stderr, "kafka_bench: %s\n", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
        }
        if (k > 0)
            last = now_s();
        if (prod)
            rd_kafka_poll(prod, 0);
    }
    if (prod)
        flush_all(prod, &d, got);
    double dt = now_s() - t0, cpu = cpu_self() - cpu0;
    printf("result %s events=%ld seconds=%.3f rate=%.0f cpu=%.3f per_core=%.0f bytes=%ld\n",
           prod ? "pipe" : "consume", got, dt, (double)got / dt, cpu,
           cpu > 0 ? (double)got / cpu : 0, bytes);
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (prod)
        rd_kafka_destroy(prod);
    return 0;
}

/* Consumes n records the way the runtime does: the consumer queue writes to a pipe when it
 * becomes non-empty (rd_kafka_queue_io_event_enable), the thread sleeps in poll(2) on it, then
 * takes messages with rd_kafka_consumer_poll(rk, 0) until the queue is empty.  Compared with
 * `consume` (which blocks inside librdkafka), this isolates what the wake-up design costs. */
static int mode_wake(const char *bootstrap, const char *topic, long n)
{
    double cpu0 = cpu_self();
    rd_kafka_t *rk = consumer_new(bootstrap);
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC))
        fail("pipe: %s", strerror(errno));
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
    rd_kafka_queue_io_event_enable(q, fds[1], "1", 1);
    assign_all(rk, topic, RD_KAFKA_OFFSET_BEGINNING);
    long got = 0, wakes = 0;
    double t0 = 0, waited = 0;
    while (got < n) {
        rd_kafka_message_t *m;
        while (got < n && (m = rd_kafka_consumer_poll(rk, 0))) {
            if (!m->err && !got++)
                t0 = now_s();
            rd_kafka_message_destroy(m);
        }
        if (got >= n)
            break;
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        double w = now_s();
        if (poll(&pfd, 1, 15000) == 0)
            fail("%s: only %ld of %ld records within the time limit", topic, got, n);
        if (got)
            waited += now_s() - w;
        char buf[64];
        while (read(fds[0], buf, sizeof buf) > 0) {
        }
        wakes++;
    }
    double dt = now_s() - t0, cpu = cpu_self() - cpu0;
    printf("result wake events=%ld seconds=%.3f rate=%.0f cpu=%.3f per_core=%.0f wakes=%ld "
           "waited=%.3f\n",
           got, dt, (double)got / dt, cpu, cpu > 0 ? (double)got / cpu : 0, wakes, waited);
    rd_kafka_queue_io_event_enable(q, -1, NULL, 0);
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    close(fds[0]);
    close(fds[1]);
    return 0;
}

/* records in topic: sum of the partitions' end offsets (one ListOffsets request); -1 on error */
static long topic_count(rd_kafka_t *rk, const char *topic, int nparts)
{
    rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(nparts);
    for (int p = 0; p < nparts; p++)
        rd_kafka_topic_partition_list_add(tl, topic, p)->offset = RD_KAFKA_OFFSET_END;
    long sum = 0;
    if (rd_kafka_offsets_for_times(rk, tl, 5000))
        sum = -1;
    for (int i = 0; sum >= 0 && i < tl->cnt; i++) {
        if (tl->elems[i].err || tl->elems[i].offset < 0)
            sum = -1;
        else
            sum += (long)tl->elems[i].offset;
    }
    rd_kafka_topic_partition_list_destroy(tl);
    return sum;
}

static int mode_await(const char *bootstrap, const char *topic, long count, long in_n, long pid,
                      double timeout, long broker_pid)
{
    if (count <= 0 || in_n <= 0)
        fail("await: COUNT and IN_N must be positive");
    delivery d = {0};
    rd_kafka_t *rk = producer_new(bootstrap, 1, NULL, &d);
    int nparts = topic_partitions(rk, topic);
    double start = now_s(), t0 = 0, cpu0 = 0, t1 = 0, cpu1 = 0, bcpu0 = 0, bcpu1 = 0;
    long first = -1, have = 0;
    while (have < count) {
        double t = now_s();
        if (t - start > timeout)
            fail("%s holds %ld of %ld records after %.0f s", topic, have, count, timeout);
        double cpu = cpu_pid(pid);
        if (cpu < 0)
            fail("process %ld exited; %s holds %ld of %ld records", pid, topic, have, count);
        long c = topic_count(rk, topic, nparts);
        if (c < 0) {
            sleep_s(0.05);
            continue;
        }
        have = c;
        if (have > 0 && first < 0) {
            first = have;
            t0 = t;
            cpu0 = cpu;
            bcpu0 = broker_pid > 0 ? cpu_pid(broker_pid) : 0;
        }
        t1 = now_s();
        cpu1 = cpu_pid(pid);
        bcpu1 = broker_pid > 0 ? cpu_pid(broker_pid) : 0;
        if (have < count)
            sleep_s(0.01);
    }
    /* the window starts at the first output: inputs before it are outside */
    double in_window = (double)in_n * (double)(count - first) / (double)count;
    double dt = t1 - t0, cpu = cpu1 - cpu0;
    printf("result await events=%.0f seconds=%.3f rate=%.0f cpu=%.3f per_core=%.0f "
           "startup=%.3f cpu_total=%.3f rss_kib=%ld hwm_kib=%ld broker_cpu=%.3f\n",
           in_window, dt, dt > 0 ? in_window / dt : 0, cpu, cpu > 0 ? in_window / cpu : 0,
           t0 - start, cpu1, proc_kib(pid, "VmRSS:"), proc_kib(pid, "VmHWM:"), bcpu1 - bcpu0);
    rd_kafka_destroy(rk);
    return 0;
}

/* Waits until GROUP's committed offsets on TOPIC add up to n; the rate runs from the first
 * commit seen (its records are outside the window) to the one that completes n. */
static int mode_group(const char *bootstrap, const char *topic, const char *group, long n,
                      long pid, double timeout)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "client.id", "kafka_bench");
    conf_set(conf, "group.id", group); /* never subscribes: reads the group's offsets only */
    conf_set(conf, "enable.auto.commit", "false");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk)
        fail("consumer: %s", errstr);
    int nparts = topic_partitions(rk, topic);
    double start = now_s(), t0 = 0, t1 = 0, cpu0 = 0, cpu1 = 0;
    long first = -1, have = 0, anon = 0, file = 0;
    while (have < n) {
        double t = now_s();
        long a = proc_kib(pid, "RssAnon:"), f = proc_kib(pid, "RssFile:");
        anon = a > anon ? a : anon;
        file = f > file ? f : file;
        if (t - start > timeout)
            fail("group %s committed %ld of %ld records of %s after %.0f s", group, have, n,
                 topic, timeout);
        double cpu = cpu_pid(pid);
        if (cpu < 0)
            fail("process %ld exited; group %s committed %ld of %ld", pid, group, have, n);
        rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(nparts);
        for (int p = 0; p < nparts; p++)
            rd_kafka_topic_partition_list_add(tl, topic, p);
        long sum = 0;
        if (rd_kafka_committed(rk, tl, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR)
            for (int i = 0; i < tl->cnt; i++)
                sum += tl->elems[i].offset > 0 ? (long)tl->elems[i].offset : 0;
        rd_kafka_topic_partition_list_destroy(tl);
        have = sum;
        if (have > 0 && first < 0) {
            first = have;
            t0 = t;
            cpu0 = cpu;
        }
        t1 = now_s();
        cpu1 = cpu_pid(pid);
        if (have < n)
            sleep_s(0.01);
    }
    double events = (double)(n - first), dt = t1 - t0, cpu = cpu1 - cpu0;
    printf("result group events=%.0f seconds=%.3f rate=%.0f cpu=%.3f per_core=%.0f "
           "rss_kib=%ld hwm_kib=%ld anon_kib=%ld file_kib=%ld\n",
           events, dt, dt > 0 ? events / dt : 0, cpu, cpu > 0 ? events / cpu : 0,
           proc_kib(pid, "VmRSS:"), proc_kib(pid, "VmHWM:"), anon, file);
    rd_kafka_destroy(rk);
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* send time of an output record: the "SENT_US" (or "sent_us") field of its JSON value */
static int64_t sent_us_of(const rd_kafka_message_t *m)
{
    char buf[1024];
    size_t n = m->len < sizeof buf - 1 ? m->len : sizeof buf - 1;
    if (!m->payload)
        return -1;
    memcpy(buf, m->payload, n);
    buf[n] = 0;
    char *p = strstr(buf, "\"SENT_US\":");
    if (!p)
        p = strstr(buf, "\"sent_us\":");
    return p ? strtoll(p + 10, NULL, 10) : -1;
}

static int mode_latency(const char *bootstrap, const char *in, const char *out, double rate,
                        double seconds)
{
    delivery d = {0};
    rd_kafka_t *prod = producer_new(bootstrap, 0, "0", &d);
    rd_kafka_t *cons = consumer_new(bootstrap);
    topic_partitions(prod, in);
    assign_all(cons, out, RD_KAFKA_OFFSET_END);
    char key[64], val[512];
    long i = 0;

    /* warm-up: one record every 200 ms until the observed process answers (its consumer
     * group join, topic metadata, connections), then a second for things to settle */
    double t = now_s(), deadline = t + 60;
    int answered = 0;
    while (!answered) {
        if (now_s() > deadline)
            fail("no record on %s within 60 s of producing to %s", out, in);
        int64_t us = wall_us();
        size_t vlen = record_make(i++, us, key, sizeof key, val, sizeof val);
        produce(prod, in, key, strlen(key), val, vlen, us / 1000);
        double until = now_s() + 0.2;
        while (!answered && now_s() < until) {
            rd_kafka_poll(prod, 0);
            rd_kafka_message_t *m = rd_kafka_consumer_poll(cons, 20);
            if (m) {
                answered = !m->err;
                rd_kafka_message_destroy(m);
            }
        }
    }
    for (double until = now_s() + 1; now_s() < until;) {
        rd_kafka_poll(prod, 0);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(cons, 20);
        if (m)
            rd_kafka_message_destroy(m);
    }

    long total = (long)(rate * seconds);
    int64_t *lat = malloc(sizeof *lat * (size_t)(total + 1));
    if (!lat)
        fail("out of memory");
    long sent = 0, got = 0, late = 0;
    int64_t t_start_us = wall_us();
    double start = now_s();
    double end_wait = 0;
    while (got < sent || sent < total) {
        double now = now_s();
        if (sent < total) {
            long due = (long)((now - start) * rate) + 1;
            if (due > total)
                due = total;
            for (; sent < due; sent++, i++) {
                int64_t us = wall_us();
                size_t vlen = record_make(i, us, key, sizeof key, val, sizeof val);
                produce(prod, in, key, strlen(key), val, vlen, us / 1000);
            }
        } else if (!end_wait)
            end_wait = now;
        else if (now - end_wait > 15)
            break;
        rd_kafka_poll(prod, 0);
        /* wait for output until the next record is due (at most 1 ms) */
        double next = start + (double)sent / rate;
        int wait_ms = sent < total ? (next - now > 0.001 ? 1 : 0) : 10;
        for (rd_kafka_message_t *m = rd_kafka_consumer_poll(cons, wait_ms); m;
             m = rd_kafka_consumer_poll(cons, 0)) {
            if (!m->err) {
                int64_t s = sent_us_of(m);
                if (s >= t_start_us && got < total)
                    lat[got++] = wall_us() - s;
                else if (s >= 0 && s < t_start_us)
                    late++; /* warm-up records */
            }
            rd_kafka_message_destroy(m);
        }
    }
    double dt = now_s() - start;
    rd_kafka_flush(prod, 10000);
    if (got == 0)
        fail("no output record measured");
    qsort(lat, (size_t)got, sizeof *lat, cmp_i64);
#define PCT(p) ((double)lat[(long)((double)(got - 1) * (p))] / 1000.0)
    printf("result latency sent=%ld received=%ld rate=%.0f seconds=%.3f p50_ms=%.2f p90_ms=%.2f "
           "p99_ms=%.2f max_ms=%.2f\n",
           sent, got, rate, dt, PCT(0.5), PCT(0.9), PCT(0.99), PCT(1.0));
#undef PCT
    free(lat);
    rd_kafka_consumer_close(cons);
    rd_kafka_destroy(cons);
    rd_kafka_destroy(prod);
    return got == sent ? 0 : 1;
}

static int usage(void)
{
    fputs("usage: kafka_bench fill    BOOTSTRAP TOPIC N [THRESHOLD [KEYS]]\n"
          "       kafka_bench consume BOOTSTRAP TOPIC N\n"
          "       kafka_bench wake    BOOTSTRAP TOPIC N\n"
          "       kafka_bench pipe    BOOTSTRAP TOPIC OUT N\n"
          "       kafka_bench await   BOOTSTRAP TOPIC COUNT IN_N PID [TIMEOUT_S [BROKER_PID]]\n"
          "       kafka_bench latency BOOTSTRAP IN OUT RATE SECONDS\n"
          "       kafka_bench group   BOOTSTRAP TOPIC GROUP N PID [TIMEOUT_S]\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    if (argc < 4)
        return usage();
    const char *mode = argv[1], *bs = argv[2], *topic = argv[3];
    if (!strcmp(mode, "fill") && argc >= 5 && argc <= 7) {
        fill_keys = argc == 7 ? atol(argv[6]) : 0;
        return mode_fill(bs, topic, atol(argv[4]), argc >= 6 ? atol(argv[5]) : 900);
    }
    if (!strcmp(mode, "consume") && argc == 5)
        return mode_consume(bs, topic, NULL, atol(argv[4]));
    if (!strcmp(mode, "wake") && argc == 5)
        return mode_wake(bs, topic, atol(argv[4]));
    if (!strcmp(mode, "pipe") && argc == 6)
        return mode_consume(bs, topic, argv[4], atol(argv[5]));
    if (!strcmp(mode, "await") && argc >= 7 && argc <= 9)
        return mode_await(bs, topic, atol(argv[4]), atol(argv[5]), atol(argv[6]),
                          argc >= 8 ? atof(argv[7]) : 120, argc == 9 ? atol(argv[8]) : 0);
    if (!strcmp(mode, "group") && (argc == 7 || argc == 8))
        return mode_group(bs, topic, argv[4], atol(argv[5]), atol(argv[6]),
                          argc == 8 ? atof(argv[7]) : 120);
    if (!strcmp(mode, "latency") && argc == 7)
        return mode_latency(bs, topic, argv[4], atof(argv[5]), atof(argv[6]));
    return usage();
}
