/*
 * broker.c - `weir broker`: a development Kafka broker for demos and tests.
 *
 * It is librdkafka's mock cluster (real Kafka protocol on 127.0.0.1, consumer groups,
 * offsets) hosted in its own process, with a line-based control input for fault injection.
 * It keeps everything in memory, roughly 5 MiB or 100 000 batches per partition, and drops
 * older data silently; it has no transactions, no SASL/TLS and no CreateTopics API (topics are
 * made with --topic or the `topic` control command, or auto-created on first use).  weir itself
 * never depends on it: it runs unchanged against any real Kafka.
 *
 * Control input: standard input and, with --control PATH, a FIFO (created if missing).  One
 * command per line; see CONTROL_HELP.  Replies go to standard output, one line each.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

static const char CONTROL_HELP[] =
    "commands (one per line, on stdin or the --control FIFO):\n"
    "  topic NAME PARTITIONS          create a topic\n"
    "  down BROKER | up BROKER        take a broker down / bring it back (ids 1..N)\n"
    "  leader TOPIC PARTITION BROKER  move a partition's leader\n"
    "  rtt BROKER MS                  delay every response of a broker by MS\n"
    "  error API CODE [COUNT]         fail the next COUNT (1) requests of API (Produce, Fetch,\n"
    "                                 OffsetCommit, JoinGroup, ... or a number) with CODE\n"
    "                                 (a name such as NOT_LEADER_FOR_PARTITION, or a number)\n"
    "  clear API                      forget queued errors for API\n"
    "  status                         print the bootstrap servers\n"
    "  help                           this text\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

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

typedef struct broker {
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;
    int nbrokers;
    const char *bootstraps;
} broker;

/* Executes one control line; prints one reply line. */
static void control_line(broker *b, char *line)
{
    char *argv[8];
    int argc = 0;
    for (char *tok = strtok(line, " \t\r\n"); tok && argc < 8; tok = strtok(NULL, " \t\r\n"))
        argv[argc++] = tok;
    if (argc == 0 || argv[0][0] == '#') return;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    const char *cmd = argv[0];
    if (!strcmp(cmd, "help")) {
        fputs(CONTROL_HELP, stdout);
    } else if (!strcmp(cmd, "status")) {
        printf("ok bootstrap %s brokers %d\n", b->bootstraps, b->nbrokers);
    } else if (!strcmp(cmd, "topic") && argc == 3) {
        err = rd_kafka_mock_topic_create(b->mc, argv[1], atoi(argv[2]), 1);
        if (!err) printf("ok topic %s partitions %d\n", argv[1], atoi(argv[2]));
    } else if ((!strcmp(cmd, "down") || !strcmp(cmd, "up")) && argc == 2) {
        int id = atoi(argv[1]);
        err = cmd[0] == 'd' ? rd_kafka_mock_broker_set_down(b->mc, id)
                            : rd_kafka_mock_broker_set_up(b->mc, id);
        if (!err) printf("ok broker %d %s\n", id, cmd);
    } else if (!strcmp(cmd, "leader") && argc == 4) {
        err = rd_kafka_mock_partition_set_leader(b->mc, argv[1], atoi(argv[2]), atoi(argv[3]));
        if (!err) printf("ok leader %s/%s -> %s\n", argv[1], argv[2], argv[3]);
    } else if (!strcmp(cmd, "rtt") && argc == 3) {
        err = rd_kafka_mock_broker_set_rtt(b->mc, atoi(argv[1]), atoi(argv[2]));
        if (!err) printf("ok rtt broker %s %s ms\n", argv[1], argv[2]);
    } else if (!strcmp(cmd, "error") && (argc == 3 || argc == 4)) {
        int api = api_key_parse(argv[1]);
        rd_kafka_resp_err_t code = err_parse(argv[2]);
        int count = argc == 4 ? atoi(argv[3]) : 1;
        if (api < 0 || code == RD_KAFKA_RESP_ERR_NO_ERROR || count <= 0 || count > 10000) {
            printf("error: usage: error API CODE [COUNT] (unknown API or error code)\n");
        } else {
            rd_kafka_resp_err_t *errs = wr_xcalloc((size_t)count, sizeof *errs);
            for (int i = 0; i < count; i++) errs[i] = code;
            rd_kafka_mock_push_request_errors_array(b->mc, (int16_t)api, (size_t)count, errs);
            free(errs);
            printf("ok next %d %s requests fail with %s\n", count, argv[1], rd_kafka_err2name(code));
        }
    } else if (!strcmp(cmd, "clear") && argc == 2) {
        int api = api_key_parse(argv[1]);
        if (api < 0) printf("error: unknown API '%s'\n", argv[1]);
        else {
            rd_kafka_mock_clear_request_errors(b->mc, (int16_t)api);
            printf("ok cleared %s\n", argv[1]);
        }
    } else {
        printf("error: unknown or malformed command '%s' (try: help)\n", cmd);
    }
    if (err) printf("error: %s\n", rd_kafka_err2str(err));
    fflush(stdout);
}

/* Reads what is available on fd into buf, running every complete line.  Returns -1 at EOF. */
static int control_read(broker *b, int fd, wr_buf *pending)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0) return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0) return -1;
    wr_buf_append(pending, chunk, (size_t)n);
    char *start = pending->data, *nl;
    while ((nl = memchr(start, '\n', pending->len - (size_t)(start - pending->data)))) {
        *nl = 0;
        control_line(b, start);
        start = nl + 1;
    }
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
            "until SIGTERM or SIGINT.  Prints the bootstrap servers and writes them to PATH.\n\n%s",
            CONTROL_HELP);
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
            nbrokers = atoi(v);
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

    /* before anything is announced: a supervisor may signal as soon as it sees the file */
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char errstr[512], nb[16];
    snprintf(nb, sizeof nb, "%d", nbrokers);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "test.mock.num.brokers", nb, errstr, sizeof errstr) ||
        rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr)) {
        fprintf(stderr, "weir broker: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    broker b = {0};
    b.nbrokers = nbrokers;
    b.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!b.rk) {
        fprintf(stderr, "weir broker: cannot start the mock cluster: %s\n", errstr);
        return 1;
    }
    b.mc = rd_kafka_handle_mock_cluster(b.rk);
    b.bootstraps = b.mc ? rd_kafka_mock_cluster_bootstraps(b.mc) : NULL;
    if (!b.bootstraps) {
        fprintf(stderr, "weir broker: the mock cluster did not start\n");
        rd_kafka_destroy(b.rk);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < ntopics; i++) {
        char name[256];
        const char *colon = strrchr(topics[i], ':');
        int parts = colon ? atoi(colon + 1) : 1;
        size_t n = colon ? (size_t)(colon - topics[i]) : strlen(topics[i]);
        if (n == 0 || n >= sizeof name || parts < 1) {
            fprintf(stderr, "weir broker: bad --topic '%s' (want NAME:PARTITIONS)\n", topics[i]);
            rc = 2;
            goto out;
        }
        memcpy(name, topics[i], n);
        name[n] = 0;
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(b.mc, name, parts, 1);
        if (err) {
            fprintf(stderr, "weir broker: cannot create topic %s: %s\n", name, rd_kafka_err2str(err));
            rc = 1;
            goto out;
        }
    }
    if (bootstrap_file) {
        /* write then rename, so a reader never sees a half-written file */
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", bootstrap_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s\n", b.bootstraps) < 0 || fclose(f) || rename(tmp, bootstrap_file)) {
            fprintf(stderr, "weir broker: cannot write %s: %s\n", bootstrap_file, strerror(errno));
            rc = 1;
            goto out;
        }
    }
    int cfd = -1;
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
    printf("bootstrap.servers=%s\n", b.bootstraps);
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
        int n = poll(fds, (nfds_t)nfds, 1000);
        if (n <= 0) continue;
        for (int i = 0; i < nfds; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (control_read(&b, fds[i].fd, fds[i].fd == 0 ? &in_pending : &fifo_pending) < 0 &&
                fds[i].fd == 0)
                stdin_open = 0; /* stdin closed (e.g. </dev/null): keep serving */
        }
    }
    fprintf(stderr, "weir broker: stopping\n");
    wr_buf_fini(&in_pending);
    wr_buf_fini(&fifo_pending);
    if (cfd >= 0) close(cfd);
out:
    rd_kafka_destroy(b.rk);
    return rc;
}
