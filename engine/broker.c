/*
 * broker.c - the development Kafka broker: `weir broker`, and the wr_devbroker_* API that the
 * REPL uses for its embedded broker.
 *
 * It is librdkafka's mock cluster (real Kafka protocol on 127.0.0.1, consumer groups,
 * offsets).  It keeps everything in memory, roughly 5 MiB or 100 000 batches per partition,
 * and drops older data silently; it has no transactions, no SASL/TLS and no CreateTopics API.
 * Topics are made with --topic, the `topic` control command, or auto-created on first use
 * (4 partitions).  weir itself never depends on it: it runs unchanged against any real Kafka.
 *
 * Control lines (CONTROL_HELP) come from three places, all through wr_devbroker_control():
 *  - the control topic WR_DEVBROKER_CONTROL_TOPIC: a thread consumes its one partition
 *    (assign(), no group join) and runs every record's value as a line.  That is how a Kafka
 *    client - the runtime creating a topic with the partition count a statement asks for -
 *    reaches the mock cluster's own API.  Replies go to stderr, one line each;
 *  - in `weir broker`, standard input and the --control FIFO; replies go to stdout.
 * A mutex serialises the mock calls, since the control thread and the FIFO run concurrently.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "base.h"
#include "drivers.h"
#include "runtime.h"

static const char CONTROL_HELP[] =
    "commands (one per line, on stdin, the --control FIFO or the " WR_DEVBROKER_CONTROL_TOPIC
    " topic):\n"
    "  topic NAME PARTITIONS          create a topic\n"
    "  down BROKER | up BROKER        take a broker down / bring it back (ids 1..N)\n"
    "  leader TOPIC PARTITION BROKER  move a partition's leader\n"
    "  rtt BROKER MS                  delay every response of a broker by MS\n"
    "  error API CODE [COUNT]         fail the next COUNT (1) requests of API (Produce, Fetch,\n"
    "                                 OffsetCommit, JoinGroup, ... or a number) with CODE\n"
    "                                 (a name such as NOT_LEADER_FOR_PARTITION, or a number)\n"
    "  clear API                      forget queued errors for API\n"
    "  status                         print the bootstrap servers\n"
    "  help                           this text";

static const struct {
    const char *name;
    int16_t key;
} api_keys[] = {
    {"Produce", 0},      {"Fetch", 1},          {"ListOffsets", 2},    {"Metadata", 3},
    {"OffsetCommit", 8}, {"OffsetFetch", 9},    {"FindCoordinator", 10}, {"JoinGroup", 11},
    {"Heartbeat", 12},   {"LeaveGroup", 13},    {"SyncGroup", 14},     {"DescribeGroups", 15},
    {"ListGroups", 16},  {"SaslHandshake", 17}, {"ApiVersions", 18},   {"CreateTopics", 19},
    {"InitProducerId", 22}, {"AddPartitionsToTxn", 24}, {"EndTxn", 26},
};

/* API name (case-insensitive) or number -> key; -1 when unknown */
static int api_key_parse(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*s && !*end) return n >= 0 && n < 100 ? (int)n : -1;
    for (size_t i = 0; i < sizeof api_keys / sizeof api_keys[0]; i++)
        if (wr_strcaseeq(api_keys[i].name, s)) return api_keys[i].key;
    return -1;
}

/* error name (NOT_LEADER_FOR_PARTITION, with or without the ERR_ prefix) or number; 0 unknown */
static rd_kafka_resp_err_t err_parse(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*s && !*end) return (rd_kafka_resp_err_t)n;
    const struct rd_kafka_err_desc *descs;
    size_t cnt;
    rd_kafka_get_err_descs(&descs, &cnt);
    if (!strncmp(s, "ERR_", 4)) s += 4;
    for (size_t i = 0; i < cnt; i++)
        if (descs[i].name && wr_strcaseeq(descs[i].name, s)) return descs[i].code;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* A positive int from a whole token; -1 otherwise. */
static int int_parse(const char *s)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (!*s || *end || errno || n < 0 || n > 1000000) return -1;
    return (int)n;
}

struct wr_devbroker {
    rd_kafka_t *rk;              /* the handle hosting the mock cluster */
    rd_kafka_mock_cluster_t *mc;
    int nbrokers;
    const char *bootstraps;      /* owned by mc */
    pthread_mutex_t mu;          /* serialises control lines (mock calls) */
    rd_kafka_t *consumer;        /* reads the control topic; NULL when not started */
    rd_kafka_queue_t *cq;        /* its consumer queue, to wake the thread */
    pthread_t thread;
    int thread_started;
    volatile int stopping;       /* set before waking the thread to end it */
};

static void control_run(wr_devbroker *db, int argc, char **argv, wr_buf *out)
{
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    const char *cmd = argv[0];
    if (!strcmp(cmd, "help")) {
        wr_buf_puts(out, CONTROL_HELP);
    } else if (!strcmp(cmd, "status")) {
        wr_buf_printf(out, "ok bootstrap %s brokers %d", db->bootstraps, db->nbrokers);
    } else if (!strcmp(cmd, "topic") && argc == 3) {
        int parts = int_parse(argv[2]);
        if (parts < 1 || parts > 10000) {
            wr_buf_printf(out, "error: bad partition count '%s' (want 1..10000)", argv[2]);
            return;
        }
        err = rd_kafka_mock_topic_create(db->mc, argv[1], parts, 1);
        if (!err) wr_buf_printf(out, "ok topic %s partitions %d", argv[1], parts);
    } else if ((!strcmp(cmd, "down") || !strcmp(cmd, "up")) && argc == 2) {
        int id = int_parse(argv[1]);
        if (id < 1 || id > db->nbrokers) {
            wr_buf_printf(out, "error: no broker '%s' (ids 1..%d)", argv[1], db->nbrokers);
            return;
        }
        err = cmd[0] == 'd' ? rd_kafka_mock_broker_set_down(db->mc, id)
                            : rd_kafka_mock_broker_set_up(db->mc, id);
        if (!err) wr_buf_printf(out, "ok broker %d %s", id, cmd);
    } else if (!strcmp(cmd, "leader") && argc == 4) {
        int part = int_parse(argv[2]), id = int_parse(argv[3]);
        if (part < 0 || id < 1 || id > db->nbrokers) {
            wr_buf_printf(out, "error: usage: leader TOPIC PARTITION BROKER (ids 1..%d)",
                          db->nbrokers);
            return;
        }
        err = rd_kafka_mock_partition_set_leader(db->mc, argv[1], part, id);
        if (!err) wr_buf_printf(out, "ok leader %s/%d -> %d", argv[1], part, id);
    } else if (!strcmp(cmd, "rtt") && argc == 3) {
        int id = int_parse(argv[1]), ms = int_parse(argv[2]);
        if (id < 1 || id > db->nbrokers || ms < 0) {
            wr_buf_printf(out, "error: usage: rtt BROKER MS (ids 1..%d)", db->nbrokers);
            return;
        }
        err = rd_kafka_mock_broker_set_rtt(db->mc, id, ms);
        if (!err) wr_buf_printf(out, "ok rtt broker %d %d ms", id, ms);
    } else if (!strcmp(cmd, "error") && (argc == 3 || argc == 4)) {
        int api = api_key_parse(argv[1]);
        rd_kafka_resp_err_t code = err_parse(argv[2]);
        int count = argc == 4 ? int_parse(argv[3]) : 1;
        if (api < 0 || code == RD_KAFKA_RESP_ERR_NO_ERROR || count <= 0 || count > 10000) {
            wr_buf_puts(out, "error: usage: error API CODE [COUNT] (unknown API or error code)");
        } else {
            rd_kafka_resp_err_t *errs = wr_xcalloc((size_t)count, sizeof *errs);
            for (int i = 0; i < count; i++) errs[i] = code;
            rd_kafka_mock_push_request_errors_array(db->mc, (int16_t)api, (size_t)count, errs);
            free(errs);
            wr_buf_printf(out, "ok next %d %s requests fail with %s", count, argv[1],
                          rd_kafka_err2name(code));
        }
    } else if (!strcmp(cmd, "clear") && argc == 2) {
        int api = api_key_parse(argv[1]);
        if (api < 0) {
            wr_buf_printf(out, "error: unknown API '%s'", argv[1]);
        } else {
            rd_kafka_mock_clear_request_errors(db->mc, (int16_t)api);
            wr_buf_printf(out, "ok cleared %s", argv[1]);
        }
    } else {
        wr_buf_printf(out, "error: unknown or malformed command '%s' (try: help)", cmd);
    }
    if (err) wr_buf_printf(out, "error: %s", rd_kafka_err2str(err));
}

/* Runs one control line; the reply (no trailing newline; empty for blank and # lines) is
 * appended to reply when given.  Safe to call from any thread. */
void wr_devbroker_control(wr_devbroker *db, const char *line, wr_buf *reply)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", line);
    char *argv[8], *save = NULL;
    int argc = 0;
    for (char *tok = strtok_r(copy, " \t\r\n", &save); tok && argc < 8;
         tok = strtok_r(NULL, " \t\r\n", &save))
        argv[argc++] = tok;
    if (argc == 0 || argv[0][0] == '#') return;
    wr_buf out;
    wr_buf_init(&out);
    pthread_mutex_lock(&db->mu);
    control_run(db, argc, argv, &out);
    pthread_mutex_unlock(&db->mu);
    if (reply) wr_buf_puts(reply, out.data ? out.data : "");
    wr_buf_fini(&out);
}

const char *wr_devbroker_bootstrap(const wr_devbroker *db) { return db->bootstraps; }

/* The control-topic thread: every record's value is a control line; the reply is logged on
 * stderr (one line).  Blocks in consumer_poll; wr_devbroker_stop wakes it with a queue
 * yield. */
static void *control_thread(void *arg)
{
    wr_devbroker *db = arg;
    wr_buf reply;
    wr_buf_init(&reply);
    while (!db->stopping) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(db->consumer, 1000);
        if (!m) continue;
        if (!m->err && m->payload && m->len > 0) {
            char line[1024];
            size_t n = m->len < sizeof line - 1 ? m->len : sizeof line - 1;
            memcpy(line, m->payload, n);
            line[n] = 0;
            for (size_t i = 0; i < n; i++)
                if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
            wr_buf_reset(&reply);
            wr_devbroker_control(db, line, &reply);
            /* successes are silent (the REPL's screen is shared); failures are reported */
            if (reply.len && strncmp(reply.data, "ok", 2) != 0) {
                for (size_t i = 0; i < reply.len; i++)
                    if (reply.data[i] == '\n') reply.data[i] = ' ';
                fprintf(stderr, "weir broker: control topic: %s -> %s\n", line, reply.data);
            }
        }
        rd_kafka_message_destroy(m);
    }
    wr_buf_fini(&reply);
    return NULL;
}

/* A consumer on the control topic's partition 0, without a group join (the group.id is only
 * there because assign() needs one; nothing is committed).  The topic was just created, so
 * offset 0 is its end: starting there cannot miss a line produced while the first
 * ListOffsets round trip of OFFSET_END would still be in flight. */
static int control_consumer_start(wr_devbroker *db, wr_error *err)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *kv[][2] = {
        {"bootstrap.servers", db->bootstraps},
        {"group.id", "__weir_broker_control"},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"allow.auto.create.topics", "false"},
        {"client.id", "weir-broker-control"},
        {"log_level", "0"}, /* broker-down noise from the control client is expected */
    };
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], errstr, sizeof errstr)) {
            rd_kafka_conf_destroy(conf);
            return wr_error_set(err, WR_EKAFKA, "control consumer: %s", errstr);
        }
    db->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!db->consumer) return wr_error_set(err, WR_EKAFKA, "control consumer: %s", errstr);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, WR_DEVBROKER_CONTROL_TOPIC, 0)->offset = 0;
    rd_kafka_resp_err_t kerr = rd_kafka_assign(db->consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (kerr)
        return wr_error_set(err, WR_EKAFKA, "control consumer: assign: %s", rd_kafka_err2str(kerr));
    db->cq = rd_kafka_queue_get_consumer(db->consumer);
    /* the thread blocks every signal (as librdkafka's own threads do), so that signals reach
     * the host program's thread: `weir broker`'s ppoll, libuv's signal handles */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&db->thread, NULL, control_thread, db);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) return wr_error_set(err, WR_EINTERNAL, "control consumer: cannot start its thread");
    db->thread_started = 1;
    return 0;
}

/* Starts a mock cluster of nbrokers (1..16) with the control topic and its consumer thread.
 * NULL with err filled on failure.  Stop with wr_devbroker_stop. */
wr_devbroker *wr_devbroker_start(int nbrokers, wr_error *err)
{
    if (nbrokers < 1 || nbrokers > 16) {
        wr_error_set(err, WR_EUSAGE, "the development broker takes 1..16 brokers, not %d", nbrokers);
        return NULL;
    }
    char errstr[512], nb[16];
    snprintf(nb, sizeof nb, "%d", nbrokers);
    /* The hosting handle is a client of its own cluster too; its "broker down" complaints
     * after a `down` command are noise (in the REPL they would land in the terminal). */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "test.mock.num.brokers", nb, errstr, sizeof errstr) ||
        rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr)) {
        rd_kafka_conf_destroy(conf);
        wr_error_set(err, WR_EKAFKA, "cannot configure the mock cluster: %s", errstr);
        return NULL;
    }
    wr_devbroker *db = wr_xcalloc(1, sizeof *db);
    pthread_mutex_init(&db->mu, NULL);
    db->nbrokers = nbrokers;
    db->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!db->rk) {
        wr_error_set(err, WR_EKAFKA, "cannot start the mock cluster: %s", errstr);
        wr_devbroker_stop(db);
        return NULL;
    }
    db->mc = rd_kafka_handle_mock_cluster(db->rk);
    db->bootstraps = db->mc ? rd_kafka_mock_cluster_bootstraps(db->mc) : NULL;
    if (!db->bootstraps) {
        wr_error_set(err, WR_EKAFKA, "the mock cluster did not start");
        wr_devbroker_stop(db);
        return NULL;
    }
    rd_kafka_resp_err_t kerr = rd_kafka_mock_topic_create(db->mc, WR_DEVBROKER_CONTROL_TOPIC, 1, 1);
    if (kerr) {
        wr_error_set(err, WR_EKAFKA, "cannot create %s: %s", WR_DEVBROKER_CONTROL_TOPIC,
                     rd_kafka_err2str(kerr));
        wr_devbroker_stop(db);
        return NULL;
    }
    if (control_consumer_start(db, err)) {
        wr_devbroker_stop(db);
        return NULL;
    }
    return db;
}

/* Stops the control thread and destroys the cluster.  Accepts NULL. */
void wr_devbroker_stop(wr_devbroker *db)
{
    if (!db) return;
    db->stopping = 1;
    if (db->cq) rd_kafka_queue_yield(db->cq);
    if (db->thread_started) pthread_join(db->thread, NULL);
    if (db->cq) rd_kafka_queue_destroy(db->cq);
    if (db->consumer) {
        rd_kafka_consumer_close(db->consumer);
        rd_kafka_destroy(db->consumer);
    }
    if (db->rk) rd_kafka_destroy(db->rk);
    pthread_mutex_destroy(&db->mu);
    free(db);
}

/* ---------------------------------------------------------------- weir broker */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Reads what is available on fd, running every complete line; replies on stdout.  Returns -1
 * at EOF. */
static int control_read(wr_devbroker *db, int fd, wr_buf *pending)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0) return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0) return -1;
    wr_buf_append(pending, chunk, (size_t)n);
    char *start = pending->data, *nl;
    wr_buf reply;
    wr_buf_init(&reply);
    while ((nl = memchr(start, '\n', pending->len - (size_t)(start - pending->data)))) {
        *nl = 0;
        wr_buf_reset(&reply);
        wr_devbroker_control(db, start, &reply);
        if (reply.len) printf("%s\n", reply.data);
        start = nl + 1;
    }
    fflush(stdout);
    wr_buf_fini(&reply);
    size_t rest = pending->len - (size_t)(start - pending->data);
    memmove(pending->data, start, rest);
    pending->len = rest;
    pending->data[rest] = 0;
    return 0;
}

static void broker_usage(FILE *f)
{
    fprintf(f,
            "usage: weir broker [--brokers N] [--topic NAME:PARTITIONS]... [--bootstrap-file PATH]\n"
            "                   [--control FIFO]\n"
            "Starts a development Kafka broker (librdkafka's mock cluster) on 127.0.0.1 and runs\n"
            "until SIGTERM or SIGINT.  Prints the bootstrap servers and writes them to PATH.\n\n%s\n",
            CONTROL_HELP);
}

/* --topic NAME:PARTITIONS -> a `topic` control line; 0 or an exit status (message printed) */
static int topic_create(wr_devbroker *db, const char *spec)
{
    const char *colon = strrchr(spec, ':');
    int parts = colon ? int_parse(colon + 1) : 1;
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    if (n == 0 || n > 249 || parts < 1) {
        fprintf(stderr, "weir broker: bad --topic '%s' (want NAME:PARTITIONS)\n", spec);
        return 2;
    }
    char line[300];
    snprintf(line, sizeof line, "topic %.*s %d", (int)n, spec, parts);
    wr_buf reply;
    wr_buf_init(&reply);
    wr_devbroker_control(db, line, &reply);
    int rc = 0;
    if (strncmp(reply.data ? reply.data : "", "ok", 2)) {
        fprintf(stderr, "weir broker: cannot create topic %.*s: %s\n", (int)n, spec,
                reply.data ? reply.data : "");
        rc = 1;
    }
    wr_buf_fini(&reply);
    return rc;
}

int wr_broker_main(int argc, char **argv)
{
    int nbrokers = 1;
    const char *bootstrap_file = NULL, *control_path = NULL;
    const char *topics[64];
    int ntopics = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            broker_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--brokers") && v) {
            nbrokers = int_parse(v);
            i++;
        } else if (!strcmp(a, "--topic") && v && ntopics < 64) {
            topics[ntopics++] = v;
            i++;
        } else if (!strcmp(a, "--bootstrap-file") && v) {
            bootstrap_file = v;
            i++;
        } else if (!strcmp(a, "--control") && v) {
            control_path = v;
            i++;
        } else {
            fprintf(stderr, "weir broker: unknown or incomplete option '%s'\n", a);
            broker_usage(stderr);
            return 2;
        }
    }
    if (nbrokers < 1 || nbrokers > 16) {
        fprintf(stderr, "weir broker: --brokers must be 1..16\n");
        return 2;
    }

    /* before anything is announced: a supervisor may signal as soon as it sees the file.
     * SIGTERM and SIGINT stay blocked except inside ppoll, so a stop cannot slip in between
     * the check of stop_requested and the wait. */
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t stops, waitmask;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stops, &waitmask);
    sigdelset(&waitmask, SIGTERM);
    sigdelset(&waitmask, SIGINT);

    wr_error err;
    wr_error_clear(&err);
    wr_devbroker *db = wr_devbroker_start(nbrokers, &err);
    if (!db) {
        fprintf(stderr, "weir broker: %s\n", err.msg);
        return 1;
    }
    int rc = 0, cfd = -1;
    for (int i = 0; i < ntopics && !rc; i++) rc = topic_create(db, topics[i]);
    if (rc) goto out;
    if (bootstrap_file) {
        /* write then rename, so a reader never sees a half-written file */
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", bootstrap_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s\n", db->bootstraps) < 0 || fclose(f) || rename(tmp, bootstrap_file)) {
            fprintf(stderr, "weir broker: cannot write %s: %s\n", bootstrap_file, strerror(errno));
            rc = 1;
            goto out;
        }
    }
    if (control_path) {
        if (mkfifo(control_path, 0600) && errno != EEXIST) {
            fprintf(stderr, "weir broker: cannot create FIFO %s: %s\n", control_path, strerror(errno));
            rc = 1;
            goto out;
        }
        /* O_RDWR keeps the FIFO open when writers come and go (no EOF storm) */
        cfd = open(control_path, O_RDWR | O_NONBLOCK);
        if (cfd < 0) {
            fprintf(stderr, "weir broker: cannot open %s: %s\n", control_path, strerror(errno));
            rc = 1;
            goto out;
        }
    }
    fprintf(stderr,
            "weir broker: development broker, %d broker(s), data kept in memory only "
            "(about 5 MiB per partition; older data is dropped). Not for production.\n",
            nbrokers);
    printf("bootstrap.servers=%s\n", db->bootstraps);
    fflush(stdout);

    wr_buf in_pending, fifo_pending;
    wr_buf_init(&in_pending);
    wr_buf_init(&fifo_pending);
    int stdin_open = 1;
    while (!stop_requested) {
        struct pollfd fds[2];
        int nfds = 0;
        if (stdin_open) fds[nfds++] = (struct pollfd){.fd = 0, .events = POLLIN};
        if (cfd >= 0) fds[nfds++] = (struct pollfd){.fd = cfd, .events = POLLIN};
        int n = ppoll(fds, (nfds_t)nfds, NULL, &waitmask); /* EINTR on a stop signal */
        if (n <= 0) continue;
        for (int i = 0; i < nfds; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (control_read(db, fds[i].fd, fds[i].fd == 0 ? &in_pending : &fifo_pending) < 0 &&
                fds[i].fd == 0)
                stdin_open = 0; /* stdin closed (e.g. </dev/null): keep serving */
        }
    }
    fprintf(stderr, "weir broker: stopping\n");
    wr_buf_fini(&in_pending);
    wr_buf_fini(&fifo_pending);
out:
    if (cfd >= 0) close(cfd);
    wr_devbroker_stop(db);
    return rc;
}
