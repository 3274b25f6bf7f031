/*
 * run.c - `weir run FILE.sql`: a query file run as a service (headless) until SIGTERM.
 *
 * The file is what a ksqlDB headless server's queries file is: SET/DEFINE/CREATE statements
 * and persistent queries (CREATE STREAM|TABLE ... AS SELECT, INSERT INTO ... SELECT).  Push
 * queries and PRINT belong in the shell and are refused before anything connects.
 *
 * Order of events: options and the --config file are read and checked (a bad line is an error
 * with file:line; librdkafka.X keys are checked against librdkafka's own table), the runtime
 * connects, --define variables are set, the file's statements run (each persistent query starts
 * consuming at once), one log line per running query, then the loop runs until a signal.
 * SIGTERM/SIGINT start wr_runtime_shutdown (stop taking records, wait for in-flight outputs,
 * commit); its done callback decides the exit status.  A fatal runtime error (the runtime's
 * fatal callback: the idempotent producer failed, the state store failed) starts the same
 * shutdown, and the exit status is 1.  A second signal during the drain exits
 * at once with status 1 (what was not committed is consumed again next time: at-least-once).
 *
 * Logging: one line per event on stderr, "2026-11-21T10:00:00.123Z INFO  message" (UTC,
 * milliseconds), levels DEBUG/INFO/WARN/ERROR; -q keeps WARN and ERROR only, -v adds DEBUG.
 * Every minute (property weir.stats.interval.ms), and at exit, an INFO line with the
 * runtime's counters.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <uv.h>

#include "drivers.h"
#include "runtime.h"
#include "sql.h"

#define STATS_INTERVAL_MS 60000
#define USAGE_HINT "usage: weir run FILE.sql [-b SERVERS | --bootstrap-file PATH] [OPTIONS] " \
                   "(weir run --help)\n"

static void run_usage(FILE *f)
{
    fprintf(f,
        "usage: weir run FILE.sql [-b|--bootstrap-servers SERVERS | --bootstrap-file PATH]\n"
        "                [--state-dir DIR] [--config FILE] [--define NAME=VALUE]...\n"
        "                [--service-id ID] [-q|--quiet] [-v|--verbose]\n"
        "Runs the persistent queries of FILE.sql (CREATE STREAM|TABLE ... AS SELECT, INSERT INTO\n"
        "... SELECT) on a Kafka cluster until SIGTERM or SIGINT, then lets in-flight outputs be\n"
        "acknowledged and commits (a second signal stops at once).  Push queries (SELECT) and PRINT\n"
        "belong in the shell (`weir`) and are refused here.\n"
        "\n"
        "  -b, --bootstrap-servers SERVERS  Kafka bootstrap servers, host:port[,host:port...]\n"
        "  --bootstrap-file PATH     the servers from the first line of PATH (`weir broker\n"
        "                            --bootstrap-file PATH` writes one)\n"
        "  --config FILE             ksqlDB-style properties: `key=value` or `key: value`, `#` and\n"
        "                            `!` comments.  librdkafka.X=V sets X=V on every Kafka client\n"
        "                            (security.protocol, sasl.*, ssl.* ...); other keys are ksqlDB\n"
        "                            properties (ksql.service.id, auto.offset.reset,\n"
        "                            commit.interval.ms, ksql.streams.* ...).  bootstrap.servers is\n"
        "                            used when neither -b nor --bootstrap-file is given\n"
        "  --define NAME=VALUE       a variable for ${NAME} in FILE (as DEFINE NAME = 'VALUE';)\n"
        "  --service-id ID           ksql.service.id (default: the config's, else \"default_\"); it\n"
        "                            names the consumer groups and the default state directory\n"
        "  --state-dir DIR           where state and its lock live; default\n"
        "                            <ksql.streams.state.dir>/ID when the config sets it, else\n"
        "                            $XDG_STATE_HOME/weir/ID, else ~/.local/state/weir/ID\n"
        "  -q, --quiet               log warnings and errors only\n"
        "  -v, --verbose             log debug lines too (a stats line comes every minute,\n"
        "                            or every weir.stats.interval.ms from --config)\n"
        "\n"
        "Logs go to stderr, one line per event.  Exit status: 0 after a clean stop, 1 on an error\n"
        "(SQL, connection, a failed drain, a fatal runtime error), 2 for a usage error.\n");
}

/* ---------------------------------------------------------------- logging */

typedef struct run_log_cfg {
    int min_level; /* WR_LOG_*: lines below are dropped */
} run_log_cfg;

static run_log_cfg log_cfg = {WR_LOG_INFO};

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

/* One line on stderr: UTC timestamp, level, the message with newlines folded into spaces. */
static void log_line(void *ud, int level, const char *msg)
{
    (void)ud;
    if (level < log_cfg.min_level) return;
    if (level < WR_LOG_DEBUG || level > WR_LOG_ERROR) level = WR_LOG_ERROR;
    int64_t now = wr_now_ms();
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char stamp[40];
    size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp + n, sizeof stamp - n, ".%03dZ", (int)(now % 1000));
    wr_buf b;
    wr_buf_init(&b);
    wr_buf_printf(&b, "%s %-5s %s", stamp, level_names[level], msg);
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] == '\n' || b.data[i] == '\r') b.data[i] = ' ';
    wr_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stderr); /* one write per line: lines never interleave */
    wr_buf_fini(&b);
}

static void logf_(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(int level, const char *fmt, ...)
{
    if (level < log_cfg.min_level) return;
    wr_buf b;
    wr_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    wr_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    log_line(NULL, level, b.data ? b.data : "");
    wr_buf_fini(&b);
}

/* ---------------------------------------------------------------- options */

typedef struct run_opts {
    const char *file;
    const char *bootstrap;      /* -b */
    const char *bootstrap_file;
    const char *state_dir;
    const char *config;
    const char *service_id;
    int ndefines;
    const char **defines;       /* "k=v" as given */
    /* properties from --config, in file order (heap strings) */
    int nprops;
    char **prop_keys, **prop_vals;
} run_opts;

static void opts_fini(run_opts *o)
{
    for (int i = 0; i < o->nprops; i++) {
        free(o->prop_keys[i]);
        free(o->prop_vals[i]);
    }
    free(o->prop_keys);
    free(o->prop_vals);
    free(o->defines);
}

static void prop_add(run_opts *o, const char *k, size_t kn, const char *v, size_t vn)
{
    o->prop_keys = wr_xrealloc(o->prop_keys, sizeof(char *) * (size_t)(o->nprops + 1));
    o->prop_vals = wr_xrealloc(o->prop_vals, sizeof(char *) * (size_t)(o->nprops + 1));
    char *ks = wr_xmalloc(kn + 1), *vs = wr_xmalloc(vn + 1);
    memcpy(ks, k, kn);
    ks[kn] = 0;
    memcpy(vs, v, vn);
    vs[vn] = 0;
    o->prop_keys[o->nprops] = ks;
    o->prop_vals[o->nprops] = vs;
    o->nprops++;
}

/* The last value of a property, or NULL. */
static const char *prop_get(const run_opts *o, const char *key)
{
    for (int i = o->nprops - 1; i >= 0; i--)
        if (!strcmp(o->prop_keys[i], key)) return o->prop_vals[i];
    return NULL;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }

/* Parses a properties file into o->props.  Java's .properties layout, minus escapes: one
 * `key=value` or `key: value` per line, whitespace around both trimmed, `#` and `!` comment
 * lines, a trailing backslash continues the value on the next line.  librdkafka.X keys are
 * checked by librdkafka itself (unknown property, bad value) so the error names the line.
 * Returns 0, or 2 after printing "FILE:LINE: ..." for the first bad line, 1 when unreadable. */
static int config_read(run_opts *o, const char *path)
{
    size_t len;
    char *text = wr_file_read(path, &len);
    if (!text) {
        fprintf(stderr, "weir run: cannot read --config %s: %s\n", path, strerror(errno));
        return 2;
    }
    rd_kafka_conf_t *probe = rd_kafka_conf_new();
    wr_buf logical;
    wr_buf_init(&logical);
    int rc = 0, lineno = 0, start_line = 0;
    const char *p = text, *end = text + len;
    while (p < end && !rc) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        const char *a = p, *b = le;
        p = nl ? nl + 1 : end;
        while (a < b && is_space(*a)) a++;
        while (b > a && is_space(b[-1])) b--;
        if (logical.len == 0) {
            if (a == b || *a == '#' || *a == '!') continue;
            start_line = lineno;
        }
        /* an odd number of trailing backslashes continues the line */
        size_t bs = 0;
        while (b - (ptrdiff_t)bs > a && b[-1 - (ptrdiff_t)bs] == '\\') bs++;
        if (bs % 2 == 1) {
            wr_buf_append(&logical, a, (size_t)(b - a - 1));
            if (p < end) continue;
        } else {
            wr_buf_append(&logical, a, (size_t)(b - a));
        }
        const char *k = logical.data, *le2 = logical.data + logical.len;
        const char *sep = k;
        while (sep < le2 && *sep != '=' && *sep != ':') sep++;
        const char *ke = sep;
        while (ke > k && is_space(ke[-1])) ke--;
        if (sep == le2 || ke == k) {
            fprintf(stderr, "weir run: %s:%d: expected `key=value` or `key: value`, got '%s'\n",
                    path, start_line, logical.data);
            rc = 2;
            break;
        }
        for (const char *c = k; c < ke; c++)
            if (is_space(*c)) {
                fprintf(stderr, "weir run: %s:%d: a property name has no spaces: '%.*s'\n", path,
                        start_line, (int)(ke - k), k);
                rc = 2;
                break;
            }
        if (rc) break;
        const char *v = sep + 1;
        while (v < le2 && is_space(*v)) v++;
        prop_add(o, k, (size_t)(ke - k), v, (size_t)(le2 - v));
        const char *key = o->prop_keys[o->nprops - 1], *val = o->prop_vals[o->nprops - 1];
        if (!strncmp(key, "librdkafka.", 11)) {
            char errstr[512];
            if (!key[11]) {
                fprintf(stderr, "weir run: %s:%d: 'librdkafka.' needs a librdkafka property name\n",
                        path, start_line);
                rc = 2;
            } else if (rd_kafka_conf_set(probe, key + 11, val, errstr, sizeof errstr) !=
                       RD_KAFKA_CONF_OK) {
                fprintf(stderr, "weir run: %s:%d: %s: %s\n", path, start_line, key, errstr);
                rc = 2;
            }
        }
        wr_buf_reset(&logical);
    }
    wr_buf_fini(&logical);
    rd_kafka_conf_destroy(probe);
    free(text);
    return rc;
}

/* --opt VALUE or --opt=VALUE; returns the value (advancing *i) or NULL when a is not opt */
static const char *opt_value(int argc, char **argv, int *i, const char *shortname,
                             const char *longname, int *missing)
{
    const char *a = argv[*i];
    size_t ln = strlen(longname);
    if (!strncmp(a, longname, ln) && a[ln] == '=') return a + ln + 1;
    if (strcmp(a, longname) && (!shortname || strcmp(a, shortname))) return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

/* Returns -1 to go on, else the exit status (usage printed). */
static int args_parse(int argc, char **argv, run_opts *o)
{
    o->defines = wr_xcalloc((size_t)argc + 1, sizeof(char *));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int missing = 0;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            run_usage(stdout);
            return 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            log_cfg.min_level = WR_LOG_WARN;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            log_cfg.min_level = WR_LOG_DEBUG;
        } else if ((v = opt_value(argc, argv, &i, "-b", "--bootstrap-servers", &missing))) {
            o->bootstrap = v;
        } else if ((v = opt_value(argc, argv, &i, NULL, "--bootstrap-file", &missing))) {
            o->bootstrap_file = v;
        } else if ((v = opt_value(argc, argv, &i, NULL, "--state-dir", &missing))) {
            o->state_dir = v;
        } else if ((v = opt_value(argc, argv, &i, NULL, "--config", &missing))) {
            o->config = v;
        } else if ((v = opt_value(argc, argv, &i, NULL, "--service-id", &missing))) {
            o->service_id = v;
        } else if ((v = opt_value(argc, argv, &i, "-d", "--define", &missing))) {
            o->defines[o->ndefines++] = v;
        } else if (missing) {
            fprintf(stderr, "weir run: option '%s' needs a value\n%s", a, USAGE_HINT);
            return 2;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "weir run: unknown option '%s'\n%s", a, USAGE_HINT);
            return 2;
        } else if (o->file) {
            fprintf(stderr, "weir run: one FILE.sql only ('%s' and '%s')\n", o->file, a);
            return 2;
        } else {
            o->file = a;
        }
    }
    if (!o->file) {
        fprintf(stderr, "weir run: which FILE.sql?\n%s", USAGE_HINT);
        return 2;
    }
    return -1;
}

/* First line of a file, trimmed, into out; -1 with a message when missing or empty. */
static int bootstrap_file_read(const char *path, char *out, size_t outsz)
{
    size_t len;
    char *text = wr_file_read(path, &len);
    if (!text) {
        fprintf(stderr, "weir run: cannot read --bootstrap-file %s: %s\n", path, strerror(errno));
        return -1;
    }
    const char *a = text;
    while (*a && (is_space(*a) || *a == '\n')) a++;
    size_t n = strcspn(a, "\n");
    while (n > 0 && is_space(a[n - 1])) n--;
    int rc = 0;
    if (n == 0 || n >= outsz) {
        fprintf(stderr, "weir run: --bootstrap-file %s holds no bootstrap servers\n", path);
        rc = -1;
    } else {
        memcpy(out, a, n);
        out[n] = 0;
    }
    free(text);
    return rc;
}

/* A service id names a directory and consumer groups: letters, digits, '.', '_', '-'. */
static int service_id_ok(const char *id)
{
    if (!*id || !strcmp(id, ".") || !strcmp(id, "..") || strlen(id) > 200) return 0;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '_' || *c == '-'))
            return 0;
    return 1;
}

/* mkdir -p of the directories above path (the runtime creates the last one, 0700). */
static int parents_create(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return -1;
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf) return 0;
    *slash = 0;
    for (char *c = buf + 1; *c; c++) {
        if (*c != '/') continue;
        *c = 0;
        if (mkdir(buf, 0700) && errno != EEXIST) return -1;
        *c = '/';
    }
    if (mkdir(buf, 0700) && errno != EEXIST) return -1;
    return 0;
}

/* ---------------------------------------------------------------- pre-checks on the file */

typedef struct scan_ctx {
    const char *file, *sql;
    int bad; /* a push query or PRINT was found (reported) */
} scan_ctx;

/* Refuses SELECT and PRINT statements: a service has nobody to show rows to. */
static int on_scan_statement(void *ud, const char *text, uint32_t off, uint32_t len)
{
    scan_ctx *sc = ud;
    const char *s = text + off;
    size_t w = 0;
    while (w < len && ((s[w] >= 'a' && s[w] <= 'z') || (s[w] >= 'A' && s[w] <= 'Z'))) w++;
    int is_select = w == 6 && wr_strncaseeq_n(s, w, "SELECT");
    int is_print = w == 5 && wr_strncaseeq_n(s, w, "PRINT");
    if (!is_select && !is_print) return 0;
    int line, col;
    wr_text_position(sc->sql, off, &line, &col);
    size_t shown = strcspn(s, "\n");
    if (shown > len) shown = len;
    fprintf(stderr,
            "%s: Line: %d, Col: %d: %s: push queries belong in the shell (`weir`); a service file "
            "holds persistent queries (CREATE STREAM|TABLE ... AS SELECT, INSERT INTO ... SELECT)\n"
            "%.*s\n",
            sc->file, line, col, is_select ? "a transient SELECT" : "PRINT", (int)shown, s);
    sc->bad = 1;
    return 1;
}

/* glibc malloc for a consumer: librdkafka's fetcher threads allocate fetch responses (up to
 * fetch.max.bytes, 8 MiB) and the loop thread frees them when their last record is done.
 * With the default dynamic thresholds those frees shrink the fetcher's heap again (madvise)
 * and the next response faults the pages back in, every few milliseconds.  Fixed thresholds
 * keep responses on the heap and up to 64 MiB of freed memory for reuse (measured on
 * bench/kafka.sh's filter: about +15 % records/s and -15 % CPU per record).  The idle
 * resident size is unchanged: nothing is retained that was never used. */
static void malloc_tune(void)
{
    mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
}

/* ---------------------------------------------------------------- the service */

typedef struct run_ctx {
    uv_loop_t loop;
    wr_runtime *rt;
    uv_signal_t sigterm, sigint;
    uv_timer_t stats;
    int handles_open;     /* signal and timer handles are initialised */
    int stopping;         /* a shutdown was started */
    int aborting;         /* ... because startup failed: the error is already printed */
    int exit_status;
    const char *file;
    int push_refused;     /* a push query or PRINT slipped past the scan (RUN SCRIPT) */
} run_ctx;

static void stats_log(run_ctx *ctx, const char *when)
{
    wr_runtime_stats st;
    memset(&st, 0, sizeof st);
    wr_runtime_stats_get(ctx->rt, &st);
    logf_(WR_LOG_INFO,
          "stats%s: consumed %llu, produced %llu (acknowledged %llu), processing-log entries "
          "%llu, dead letters %llu, commits %llu, queries %d%s",
          when, (unsigned long long)st.consumed, (unsigned long long)st.produced,
          (unsigned long long)st.acked, (unsigned long long)st.plog,
          (unsigned long long)st.dead_letters, (unsigned long long)st.commits, st.queries,
          st.paused ? ", sources paused by backpressure" : "");
}

static void on_stats_timer(uv_timer_t *t)
{
    stats_log(t->data, "");
}

static void handles_close(run_ctx *ctx)
{
    if (!ctx->handles_open) return;
    ctx->handles_open = 0;
    uv_timer_stop(&ctx->stats);
    uv_signal_stop(&ctx->sigterm);
    uv_signal_stop(&ctx->sigint);
    uv_close((uv_handle_t *)&ctx->stats, NULL);
    uv_close((uv_handle_t *)&ctx->sigterm, NULL);
    uv_close((uv_handle_t *)&ctx->sigint, NULL);
}

static void on_shutdown_done(void *ud, int status)
{
    run_ctx *ctx = ud;
    if (ctx->aborting) {
        /* startup failed and its error was printed; nothing ran */
    } else if (status == 0) {
        logf_(WR_LOG_INFO, "stopped: every output acknowledged and its input offsets committed");
    } else {
        logf_(WR_LOG_ERROR, "stopped without a complete drain: records not committed will be "
                            "consumed again at the next start");
        ctx->exit_status = 1;
    }
    if (!ctx->aborting) stats_log(ctx, " at exit");
    handles_close(ctx);
    /* the runtime's own handles close in wr_runtime_free, after uv_run returns */
    uv_stop(&ctx->loop);
}

static void shutdown_start(run_ctx *ctx)
{
    if (ctx->stopping) return;
    ctx->stopping = 1;
    wr_runtime_shutdown(ctx->rt, on_shutdown_done, ctx);
}

/* The runtime stopped its queries for good (it logged why): shut down, exit status 1. */
static void on_fatal(void *ud, const char *msg)
{
    run_ctx *ctx = ud;
    (void)msg;
    ctx->exit_status = 1;
    if (ctx->stopping) return;
    logf_(WR_LOG_ERROR, "shutting down after a fatal error; a restart resumes at the committed "
                        "offsets");
    shutdown_start(ctx);
}

static void on_signal(uv_signal_t *h, int signum)
{
    run_ctx *ctx = h->data;
    const char *name = signum == SIGTERM ? "SIGTERM" : "SIGINT";
    if (ctx->stopping) {
        logf_(WR_LOG_WARN, "%s again: exiting now without waiting for the drain; records not "
                           "committed will be consumed again at the next start", name);
        fflush(stderr);
        _exit(1);
    }
    logf_(WR_LOG_INFO, "%s: stopping; waiting for in-flight outputs, then committing (send it "
                       "again to exit at once)", name);
    shutdown_start(ctx);
}

/* Statement results: only transient queries need handling (refused); the rest is logged. */
static void on_result(void *ud, const wr_result *res)
{
    run_ctx *ctx = ud;
    if (res->kind == WR_RES_PUSH || res->kind == WR_RES_PRINT) {
        if (res->kind == WR_RES_PUSH && res->query) wr_query_close(res->query);
        if (!ctx->push_refused)
            fprintf(stderr, "%s: %s: push queries belong in the shell (`weir`)\n", ctx->file,
                    res->stmt_text ? res->stmt_text : "?");
        ctx->push_refused = 1;
        return;
    }
    if (res->message && res->stmt_text) {
        const char *nl = strchr(res->stmt_text, '\n');
        int n = nl ? (int)(nl - res->stmt_text) : (int)strlen(res->stmt_text);
        logf_(WR_LOG_DEBUG, "%.*s%s: %s", n, res->stmt_text, nl ? " ..." : "", res->message);
    }
}

/* One line per running persistent query: "running CSAS_X_0: a, b -> x". */
static void queries_log(run_ctx *ctx)
{
    wr_engine *eng = wr_runtime_engine(ctx->rt);
    for (int i = 0; i < wr_engine_query_count(eng); i++) {
        const wr_query *q = wr_engine_query_at(eng, i);
        wr_buf b;
        wr_buf_init(&b);
        wr_buf_printf(&b, "running %s: ", wr_query_id(q));
        for (int s = 0; s < wr_query_source_count(q); s++)
            wr_buf_printf(&b, "%s%s", s ? ", " : "", wr_query_source_topic(q, s));
        wr_buf_puts(&b, " ->");
        for (int s = 0; s < wr_query_sink_count(q); s++)
            wr_buf_printf(&b, "%s %s", s ? "," : "", wr_query_sink_topic(q, s));
        logf_(WR_LOG_INFO, "%s", b.data);
        wr_buf_fini(&b);
    }
}

/* Runs `DEFINE k = 'v';` for each --define; 0, or 1 after printing the error. */
static int defines_run(run_ctx *ctx, const run_opts *o)
{
    for (int i = 0; i < o->ndefines; i++) {
        const char *d = o->defines[i], *eq = strchr(d, '=');
        size_t kn = eq ? (size_t)(eq - d) : 0;
        int ok = kn > 0 && !(d[0] >= '0' && d[0] <= '9');
        for (size_t j = 0; ok && j < kn; j++)
            ok = (d[j] >= 'a' && d[j] <= 'z') || (d[j] >= 'A' && d[j] <= 'Z') ||
                 (d[j] >= '0' && d[j] <= '9') || d[j] == '_';
        if (!ok) {
            fprintf(stderr, "weir run: --define '%s': want NAME=VALUE with NAME a plain "
                            "identifier (letters, digits, _)\n", d);
            return 2;
        }
        wr_buf sql;
        wr_buf_init(&sql);
        wr_buf_printf(&sql, "DEFINE %.*s = '", (int)kn, d);
        for (const char *c = eq + 1; *c; c++) {
            if (*c == '\'') wr_buf_putc(&sql, '\'');
            wr_buf_putc(&sql, *c);
        }
        wr_buf_puts(&sql, "';");
        wr_error err;
        wr_error_clear(&err);
        int rc = wr_runtime_execute(ctx->rt, sql.data, sql.len, on_result, ctx, &err);
        wr_buf_fini(&sql);
        if (rc) {
            fprintf(stderr, "weir run: --define '%s': %s\n", d, err.msg);
            return 2;
        }
    }
    return 0;
}

/* Stops what started (no drain needed: the loop never ran) and returns status. */
static int abort_run(run_ctx *ctx, int status)
{
    if (!ctx->rt) return status;
    ctx->exit_status = status;
    ctx->stopping = 1;
    ctx->aborting = 1;
    wr_runtime_shutdown(ctx->rt, on_shutdown_done, ctx);
    uv_run(&ctx->loop, UV_RUN_DEFAULT);
    return status;
}

int wr_run_main(int argc, char **argv)
{
    run_opts o;
    memset(&o, 0, sizeof o);
    int rc = args_parse(argc, argv, &o);
    if (rc >= 0) {
        opts_fini(&o);
        return rc;
    }
    char *sql = NULL, bootstrap[4096], state_dir[4096];
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.file = o.file;
    int loop_open = 0;
    const char **keys = NULL, **vals = NULL;
    size_t len = 0;

    if (o.config && (rc = config_read(&o, o.config))) goto out;
    /* bootstrap: -b, --bootstrap-file, bootstrap.servers from the config */
    if (o.bootstrap) {
        snprintf(bootstrap, sizeof bootstrap, "%s", o.bootstrap);
    } else if (o.bootstrap_file) {
        if (bootstrap_file_read(o.bootstrap_file, bootstrap, sizeof bootstrap)) {
            rc = 2;
            goto out;
        }
    } else if (prop_get(&o, "bootstrap.servers") && *prop_get(&o, "bootstrap.servers")) {
        snprintf(bootstrap, sizeof bootstrap, "%s", prop_get(&o, "bootstrap.servers"));
    } else {
        fprintf(stderr, "weir run: no Kafka bootstrap servers: give -b HOST:PORT, "
                        "--bootstrap-file PATH, or bootstrap.servers in --config FILE\n"
                        "  hint: a development broker: weir broker --bootstrap-file /tmp/bs & "
                        "weir run %s --bootstrap-file /tmp/bs\n", o.file);
        rc = 2;
        goto out;
    }
    sql = wr_file_read(o.file, &len);
    if (!sql) {
        fprintf(stderr, "weir run: cannot read %s: %s\n", o.file, strerror(errno));
        rc = 2;
        goto out;
    }
    scan_ctx sc = {o.file, sql, 0};
    sql_split(sql, len, on_scan_statement, &sc);
    if (sc.bad) {
        rc = 1;
        goto out;
    }

    /* service id and state dir */
    const char *service_id = o.service_id ? o.service_id
                           : prop_get(&o, "ksql.service.id") ? prop_get(&o, "ksql.service.id")
                                                             : "default_";
    if (!service_id_ok(service_id)) {
        fprintf(stderr, "weir run: service id '%s': use letters, digits, '.', '_' and '-' only\n",
                service_id);
        rc = 2;
        goto out;
    }
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    const char *base_dir = prop_get(&o, "ksql.streams.state.dir");
    if (o.state_dir)
        snprintf(state_dir, sizeof state_dir, "%s", o.state_dir);
    else if (base_dir && *base_dir)
        snprintf(state_dir, sizeof state_dir, "%s/%s", base_dir, service_id);
    else if (xdg && xdg[0] == '/')
        snprintf(state_dir, sizeof state_dir, "%s/weir/%s", xdg, service_id);
    else if (home && home[0] == '/')
        snprintf(state_dir, sizeof state_dir, "%s/.local/state/weir/%s", home, service_id);
    else {
        fprintf(stderr, "weir run: neither XDG_STATE_HOME nor HOME is set: give --state-dir DIR\n");
        rc = 2;
        goto out;
    }
    if (parents_create(state_dir)) {
        fprintf(stderr, "weir run: cannot create the directories above %s: %s\n", state_dir,
                strerror(errno));
        rc = 1;
        goto out;
    }

    /* properties for the runtime: the config's (but bootstrap.servers), then the service id */
    keys = wr_xcalloc((size_t)o.nprops + 1, sizeof *keys);
    vals = wr_xcalloc((size_t)o.nprops + 1, sizeof *vals);
    int nprops = 0;
    for (int i = 0; i < o.nprops; i++) {
        if (!strcmp(o.prop_keys[i], "bootstrap.servers")) continue;
        keys[nprops] = o.prop_keys[i];
        vals[nprops++] = o.prop_vals[i];
    }
    keys[nprops] = "ksql.service.id";
    vals[nprops++] = service_id;

    signal(SIGPIPE, SIG_IGN);
    malloc_tune();
    uv_loop_init(&ctx.loop);
    loop_open = 1;
    /* signals first: a stop during the (bounded) connect is acted on once the loop runs */
    uv_signal_init(&ctx.loop, &ctx.sigterm);
    uv_signal_init(&ctx.loop, &ctx.sigint);
    uv_timer_init(&ctx.loop, &ctx.stats);
    ctx.sigterm.data = ctx.sigint.data = ctx.stats.data = &ctx;
    ctx.handles_open = 1;
    uv_signal_start(&ctx.sigterm, on_signal, SIGTERM);
    uv_signal_start(&ctx.sigint, on_signal, SIGINT);

    logf_(WR_LOG_INFO, "weir run %s: service id %s", o.file, service_id);
    logf_(WR_LOG_INFO, "bootstrap servers %s", bootstrap);
    logf_(WR_LOG_INFO, "state dir %s", state_dir);
    /* names only: values may be secrets (sasl.password, ssl.key.password) */
    wr_buf rkprops;
    wr_buf_init(&rkprops);
    for (int i = 0; i < nprops; i++)
        if (!strncmp(keys[i], "librdkafka.", 11))
            wr_buf_printf(&rkprops, "%s%s", rkprops.len ? ", " : "", keys[i] + 11);
    if (rkprops.len) logf_(WR_LOG_INFO, "librdkafka properties for every client: %s", rkprops.data);
    wr_buf_fini(&rkprops);

    wr_runtime_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.loop = &ctx.loop;
    ro.bootstrap = bootstrap;
    ro.state_dir = state_dir;
    ro.nprops = nprops;
    ro.prop_keys = keys;
    ro.prop_vals = vals;
    ro.log = log_line;
    ro.log_ud = &ctx;
    ro.fatal = on_fatal;
    ro.fatal_ud = &ctx;
    wr_error err;
    wr_error_clear(&err);
    ctx.rt = wr_runtime_new(&ro, &err);
    if (!ctx.rt) {
        logf_(WR_LOG_ERROR, "cannot start: %s%s%s", err.msg, err.hint[0] ? " " : "", err.hint);
        rc = 1;
        goto out;
    }
    if ((rc = defines_run(&ctx, &o))) {
        rc = abort_run(&ctx, rc);
        goto out;
    }
    if (wr_runtime_execute(ctx.rt, sql, len, on_result, &ctx, &err)) {
        wr_buf b;
        wr_buf_init(&b);
        wr_error_format(&err, sql, &b);
        fprintf(stderr, "%s: %s", o.file, b.data ? b.data : "");
        if (b.len && b.data[b.len - 1] != '\n') fputc('\n', stderr);
        wr_buf_fini(&b);
        rc = abort_run(&ctx, 1);
        goto out;
    }
    if (ctx.push_refused) {
        rc = abort_run(&ctx, 1);
        goto out;
    }
    if (wr_engine_query_count(wr_runtime_engine(ctx.rt)) == 0) {
        fprintf(stderr, "%s: nothing to run: the file starts no persistent query (CREATE "
                        "STREAM|TABLE ... AS SELECT, INSERT INTO ... SELECT)\n", o.file);
        rc = abort_run(&ctx, 1);
        goto out;
    }
    queries_log(&ctx);
    /* weir.stats.interval.ms: the period of the stats line (tests shorten it) */
    const char *si = prop_get(&o, "weir.stats.interval.ms");
    long long stats_ms = si ? strtoll(si, NULL, 10) : STATS_INTERVAL_MS;
    if (stats_ms < 100) stats_ms = STATS_INTERVAL_MS;
    uv_timer_start(&ctx.stats, on_stats_timer, (uint64_t)stats_ms, (uint64_t)stats_ms);
    uv_run(&ctx.loop, UV_RUN_DEFAULT);
    if (!ctx.stopping) {
        /* the loop ran dry without a signal: the runtime stopped by itself (fatal error) */
        logf_(WR_LOG_ERROR, "the runtime stopped on its own; exiting");
        ctx.exit_status = 1;
        handles_close(&ctx);
    }
    rc = ctx.exit_status;

out:
    if (ctx.rt) wr_runtime_free(ctx.rt);
    if (loop_open) {
        handles_close(&ctx);
        /* close callbacks of what was just closed; anything still active is not ours */
        uv_run(&ctx.loop, UV_RUN_NOWAIT);
        uv_loop_close(&ctx.loop);
    }
    free(keys);
    free(vals);
    free(sql);
    opts_fini(&o);
    return rc;
}
