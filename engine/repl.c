/*
 * repl.c - `weir` with no command: the interactive shell, modelled on ksqlDB's `ksql` CLI;
 * and `weir -f FILE` / `weir -e SQL` / statements on a non-terminal stdin, non-interactive.
 *
 * This file is the REPL thread (see repl_int.h for the two-thread design): options, the
 * embedded development broker when no cluster is named, reading lines (libedit on a
 * terminal, plain reads otherwise), CLI commands (help, exit, history, output, spool, clear,
 * version), and statements: a statement is complete at a ';' outside quotes and comments
 * (sql_is_complete); each statement of a complete input goes to the loop thread on its own,
 * so a push query runs to its end before the next statement starts, and errors point into
 * the statement as typed.
 *
 * Ctrl-C: during a push query or PRINT it stops that query and the prompt comes back; at the
 * prompt it clears the line (a NULL from el_gets with EINTR is an interrupt, not the end of
 * input).  Ctrl-D or `exit` shuts the runtime down cleanly.  Non-interactive runs stop at the
 * first failing statement with exit status 1; Ctrl-C outside a push query aborts them (130).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "repl_int.h"
#include "sql.h"

#ifndef WEIR_VERSION
#define WEIR_VERSION "0.1.0"
#endif

volatile sig_atomic_t wr_repl_sigint;
static int sigint_fd = -1; /* write end of the shell's pipe, for the handler */

/* handle_line results */
enum { LINE_OK = 0, LINE_EXIT = 1, LINE_FAILED = -1, LINE_ABORT = -2, NOT_A_COMMAND = -3 };

void wr_repl_usage(FILE *f)
{
    fprintf(f,
            "usage: weir [OPTIONS]                 the interactive shell (weir> prompt)\n"
            "       weir [OPTIONS] -f FILE         run the statements of FILE and exit\n"
            "       weir [OPTIONS] -e 'SQL'        run the statements given and exit\n"
            "\n"
            "options:\n"
            "  -b, --bootstrap-servers SERVERS  Kafka bootstrap servers (host:port,...)\n"
            "  --bootstrap-file FILE            read the bootstrap servers from FILE (as written by\n"
            "                                   `weir broker --bootstrap-file`)\n"
            "  --config FILE                    properties, one key=value per line: ksqlDB names\n"
            "                                   (auto.offset.reset, ksql.*), librdkafka.X=V for the\n"
            "                                   Kafka clients, bootstrap.servers\n"
            "  --define NAME=VALUE              a variable for ${NAME} substitution (repeatable)\n"
            "  --output TABULAR|JSON            how results and push-query rows are printed\n"
            "  -h, --help                       this help\n"
            "\n"
            "Without bootstrap servers weir starts an embedded development broker (in memory).\n"
            "Statements end with ';'.  Shell commands (no ';' needed): help, exit, quit, history,\n"
            "output [TABULAR|JSON], spool FILE | spool off, clear, version.\n"
            "Ctrl-C stops a running push query or PRINT; Ctrl-D or `exit` leaves.  History is\n"
            "kept in $WEIR_HISTORY or ~/.weir_history, with credential values hidden.\n"
            "Non-interactive runs stop at the first failing statement; exit status 1.\n");
}

static void shell_help(wr_shell *sh)
{
    wr_repl_outf(sh, stdout,
                 "Shell commands (no ';' needed):\n"
                 "  help                    this text\n"
                 "  exit, quit, Ctrl-D      leave (running queries are stopped cleanly)\n"
                 "  history                 the lines typed so far\n"
                 "  output [TABULAR|JSON]   show or set how results are printed\n"
                 "  spool FILE | spool off  copy everything printed to FILE\n"
                 "  clear                   clear the screen\n"
                 "  version                 weir's version\n"
                 "\n"
                 "SQL statements end with ';' and may span lines:\n"
                 "  CREATE STREAM|TABLE ... WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);\n"
                 "  CREATE STREAM ... AS SELECT ...;   INSERT INTO s [(cols)] VALUES (...);\n"
                 "  SELECT ... FROM s [WHERE ...] EMIT CHANGES [LIMIT n];   (Ctrl-C stops it)\n"
                 "  PRINT 'topic' [FROM BEGINNING] [LIMIT n];\n"
                 "  SHOW|LIST STREAMS|TABLES|QUERIES|TOPICS|PROPERTIES|FUNCTIONS|VARIABLES;\n"
                 "  DESCRIBE [EXTENDED] name;  DESCRIBE FUNCTION f;  EXPLAIN query_id|statement;\n"
                 "  TERMINATE query_id|ALL;  DROP STREAM|TABLE name [DELETE TOPIC];\n"
                 "  SET 'auto.offset.reset'='earliest';  UNSET 'p';  DEFINE v = 'x';  RUN SCRIPT 'f';\n"
                 "Tab completes keywords and stream, table and topic names.\n");
}

/* ---------------------------------------------------------------- signals and jobs */

static void on_sigint(int sig)
{
    int e = errno;
    wr_repl_sigint = 1;
    if (sigint_fd >= 0) {
        char c = WR_PIPE_INTR;
        ssize_t r = write(sigint_fd, &c, 1);
        (void)r;
    }
    errno = e;
}

/* Terminal resized: libedit learns the new width before the next prompt (its own signal
 * handling, EL_SIGNAL, would also take over SIGINT). */
static volatile sig_atomic_t winch;
static void on_sigwinch(int sig) { winch = 1; }

/* Empties the pipe of stale Ctrl-C bytes before a new job. */
static void pipe_drain(wr_shell *sh)
{
    char buf[64];
    struct pollfd p = {.fd = sh->pipe_fd[0], .events = POLLIN};
    while (poll(&p, 1, 0) > 0 && read(sh->pipe_fd[0], buf, sizeof buf) > 0) {
    }
}

/* Waits for the loop thread's "done"; Ctrl-C meanwhile becomes a stop request.  Returns
 * whether Ctrl-C was pressed. */
static int job_wait(wr_shell *sh)
{
    int interrupted = 0;
    for (;;) {
        char buf[64];
        ssize_t n = read(sh->pipe_fd[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) abort(); /* our own pipe failed: nothing sane is left to do */
        int done = 0;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == WR_PIPE_INTR) {
                interrupted = 1;
                wr_repl_request_stop(sh);
            } else if (buf[i] == WR_PIPE_DONE) {
                done = 1;
            }
        }
        if (done) break;
    }
    if (interrupted) wr_repl_sigint = 0;
    return interrupted;
}

/* One statement on the loop thread, waited for.  LINE_OK, LINE_FAILED, or LINE_ABORT
 * (Ctrl-C outside a push query in a non-interactive run). */
static int run_statement(wr_shell *sh, const char *sql)
{
    pipe_drain(sh);
    wr_repl_sigint = 0;
    wr_repl_post(sh, WR_REQ_EXEC, sql);
    int interrupted = job_wait(sh);
    uv_mutex_lock(&sh->mu);
    int failed = sh->job_failed, streamed = sh->job_streamed;
    uv_mutex_unlock(&sh->mu);
    if (interrupted && !streamed && !sh->interactive) return LINE_ABORT;
    return failed ? LINE_FAILED : LINE_OK;
}

/* ---------------------------------------------------------------- statements */

typedef struct spans {
    uint32_t *off, *len;
    int n, cap;
} spans;

static int on_split(void *ud, const char *text, uint32_t off, uint32_t len)
{
    spans *s = ud;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->off = wr_xrealloc(s->off, (size_t)s->cap * sizeof *s->off);
        s->len = wr_xrealloc(s->len, (size_t)s->cap * sizeof *s->len);
    }
    s->off[s->n] = off;
    s->len[s->n++] = len;
    return 0;
}

/* Runs every statement of the pending text, one job each; stops at the first failure. */
static int run_pending(wr_shell *sh)
{
    char *text = wr_xstrdup(sh->pending.data ? sh->pending.data : "");
    wr_buf_reset(&sh->pending);
    spans sp = {0};
    sql_split(text, strlen(text), on_split, &sp);
    int rc = LINE_OK;
    wr_buf stmt;
    wr_buf_init(&stmt);
    for (int i = 0; i < sp.n && rc == LINE_OK; i++) {
        int before = 0; /* input lines before this statement */
        if (!sh->interactive) {
            before = sh->pending_line - 1;
            for (uint32_t k = 0; k < sp.off[i]; k++) before += text[k] == '\n';
        }
        sh->line_base = before;
        wr_buf_reset(&stmt);
        wr_buf_append(&stmt, text + sp.off[i], sp.len[i]);
        wr_buf_putc(&stmt, ';');
        rc = run_statement(sh, stmt.data);
    }
    wr_buf_fini(&stmt);
    free(sp.off);
    free(sp.len);
    free(text);
    return rc;
}

static int only_empty_statements(const char *text)
{
    spans sp = {0};
    int n = sql_split(text, strlen(text), on_split, &sp);
    free(sp.off);
    free(sp.len);
    return n == 0;
}

/* ---------------------------------------------------------------- CLI commands */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n;", s[n - 1])) s[--n] = 0;
    return s;
}

/* A shell command at the start of a statement, or NOT_A_COMMAND. */
static int cli_command(wr_shell *sh, const char *line)
{
    char *copy = wr_xstrdup(line), *s = trim(copy);
    size_t wl = strcspn(s, " \t");
    char *arg = trim(s + wl);
    s[wl] = 0;
    int rc = LINE_OK;
    if (!strcasecmp(s, "exit") || !strcasecmp(s, "quit")) {
        rc = LINE_EXIT;
    } else if (!strcasecmp(s, "help")) {
        shell_help(sh);
    } else if (!strcasecmp(s, "version")) {
        wr_repl_outf(sh, stdout, "weir %s\n", WEIR_VERSION);
    } else if (!strcasecmp(s, "history")) {
        wr_repl_history_list(sh);
    } else if (!strcasecmp(s, "clear")) {
        if (isatty(STDOUT_FILENO)) {
            fputs("\033[H\033[2J", stdout);
            fflush(stdout);
        }
    } else if (!strcasecmp(s, "output")) {
        if (!*arg) {
            wr_repl_outf(sh, stdout, "Output format: %s\n", sh->output == WR_OUT_JSON ? "JSON" : "TABULAR");
        } else if (!strcasecmp(arg, "json")) {
            sh->output = WR_OUT_JSON;
            wr_repl_outf(sh, stdout, "Output format set to JSON\n");
        } else if (!strcasecmp(arg, "tabular")) {
            sh->output = WR_OUT_TABULAR;
            wr_repl_outf(sh, stdout, "Output format set to TABULAR\n");
        } else {
            wr_repl_outf(sh, stderr, "Unknown output format '%s': use TABULAR or JSON\n", arg);
            rc = LINE_FAILED;
        }
    } else if (!strcasecmp(s, "spool")) {
        size_t n = strlen(arg);
        if (n >= 2 && (arg[0] == '\'' || arg[0] == '"') && arg[n - 1] == arg[0]) {
            arg[n - 1] = 0;
            arg++;
        }
        if (!*arg) {
            if (sh->spool_path) wr_repl_outf(sh, stdout, "Spooling to %s\n", sh->spool_path);
            else wr_repl_outf(sh, stdout, "Not spooling (spool FILE starts)\n");
        } else if (!strcasecmp(arg, "off")) {
            if (sh->spool_path) wr_repl_outf(sh, stdout, "Stopped spooling to %s\n", sh->spool_path);
            wr_repl_spool(sh, NULL);
        } else if (wr_repl_spool(sh, arg) != 0) {
            wr_repl_outf(sh, stderr, "Cannot spool to %s: %s\n", arg, strerror(errno));
            rc = LINE_FAILED;
        } else {
            wr_repl_outf(sh, stdout, "Spooling to %s\n", arg);
        }
    } else {
        rc = NOT_A_COMMAND;
    }
    free(copy);
    return rc;
}

/* ---------------------------------------------------------------- lines */

/* One line of input (no newline).  Shell commands are recognised at the start of a
 * statement; SQL accumulates until complete. */
static int handle_line(wr_shell *sh, const char *line)
{
    sh->lineno++;
    if (!sh->pending.len) {
        sh->pending_line = sh->lineno;
        const char *p = line + strspn(line, " \t\r");
        if (!*p || (p[0] == '-' && p[1] == '-')) return LINE_OK;
        int rc = cli_command(sh, p);
        if (rc != NOT_A_COMMAND) return rc;
    }
    wr_buf_puts(&sh->pending, line);
    wr_buf_putc(&sh->pending, '\n');
    if (sql_is_complete(sh->pending.data, sh->pending.len)) return run_pending(sh);
    /* a lone ';' (or one after comments only) is nothing to run: back to the main prompt */
    size_t n = sh->pending.len;
    while (n && strchr(" \t\r\n", sh->pending.data[n - 1])) n--;
    if (n && sh->pending.data[n - 1] == ';' && only_empty_statements(sh->pending.data))
        wr_buf_reset(&sh->pending);
    return LINE_OK;
}

/* End of non-interactive input: a last statement without ';' still runs. */
static int handle_eof(wr_shell *sh)
{
    if (!sh->pending.len || only_empty_statements(sh->pending.data)) return LINE_OK;
    return run_pending(sh);
}

static int run_interactive(wr_shell *sh)
{
    for (;;) {
        int count = 0;
        if (winch) {
            winch = 0;
            el_resize(sh->el);
        }
        errno = 0;
        const char *l = el_gets(sh->el, &count);
        if (!l) {
            if (wr_repl_sigint || (count < 0 && errno == EINTR)) {
                /* Ctrl-C at the prompt: drop the statement typed so far */
                wr_repl_sigint = 0;
                pipe_drain(sh);
                wr_buf_reset(&sh->pending);
                fputs("^C\n", stdout);
                continue;
            }
            fputs("\n", stdout);
            return 0;
        }
        if (wr_repl_sigint) { /* arrived after the line was read: harmless */
            wr_repl_sigint = 0;
            pipe_drain(sh);
        }
        char *line = wr_xstrdup(l);
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        wr_buf echo;
        wr_buf_init(&echo);
        wr_buf_printf(&echo, "%s%s\n", sh->pending.len ? "    > " : "weir> ", line);
        wr_repl_spool_echo(sh, echo.data);
        wr_buf_fini(&echo);
        wr_repl_history_add(sh, sh->pending.data, line);
        int rc = handle_line(sh, line);
        free(line);
        if (rc == LINE_EXIT) return 0;
    }
}

/* Lines of a string (-e, -f); stops at exit, at the first failure or on Ctrl-C. */
static int run_text(wr_shell *sh, const char *text)
{
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\n");
        char *line = wr_xmalloc(n + 1);
        memcpy(line, p, n);
        line[n] = 0;
        int rc = handle_line(sh, line);
        free(line);
        if (rc == LINE_EXIT) return 0;
        if (rc != LINE_OK) return rc;
        if (wr_repl_sigint) return LINE_ABORT;
        p += n + (p[n] == '\n');
    }
    int rc = handle_eof(sh);
    return rc == LINE_EXIT ? 0 : rc;
}

static int run_stdin(wr_shell *sh)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = LINE_OK;
    for (;;) {
        errno = 0;
        n = getline(&line, &cap, stdin);
        if (n < 0) {
            if (errno == EINTR || wr_repl_sigint) rc = LINE_ABORT;
            break;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        rc = handle_line(sh, line);
        if (rc != LINE_OK) break;
    }
    free(line);
    if (rc == LINE_OK) rc = handle_eof(sh);
    return rc == LINE_EXIT ? 0 : rc;
}

/* ---------------------------------------------------------------- options */

typedef struct options {
    const char *bootstrap, *bootstrap_file, *config, *file, *expr;
    int output;
    int ndefines;
    const char **defines;
    /* properties from --config, in file order */
    int nprops;
    char **keys, **vals;
} options;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "weir: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(`weir --help` lists the options)\n");
    return 2;
}

/* key=value lines; '#' and '!' start comments, as in Java properties files. */
static int config_read(options *o, const char *path)
{
    size_t len;
    char *text = wr_file_read(path, &len);
    if (!text) {
        fprintf(stderr, "weir: cannot read config file %s: %s\n", path, strerror(errno));
        return -1;
    }
    int lineno = 0, rc = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *s = line + strspn(line, " \t\r");
        size_t n = strlen(s);
        while (n && strchr(" \t\r", s[n - 1])) s[--n] = 0;
        if (!*s || *s == '#' || *s == '!') continue;
        char *eq = strchr(s, '=');
        if (!eq || eq == s) {
            fprintf(stderr, "weir: %s: '%s' is not key=value\n", path, s);
            rc = -1;
            break;
        }
        char *k = s, *v = eq + 1;
        *eq = 0;
        n = strlen(k);
        while (n && strchr(" \t", k[n - 1])) k[--n] = 0;
        v += strspn(v, " \t");
        o->keys = wr_xrealloc(o->keys, (size_t)(o->nprops + 1) * sizeof *o->keys);
        o->vals = wr_xrealloc(o->vals, (size_t)(o->nprops + 1) * sizeof *o->vals);
        o->keys[o->nprops] = wr_xstrdup(k);
        o->vals[o->nprops++] = wr_xstrdup(v);
    }
    free(text);
    return rc;
}

/* 0, 1 for --help, 2 for a usage error (printed). */
static int options_parse(options *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        char name[64];
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        if (eq && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = 0;
            val = eq + 1;
            a = name;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return 1;
        int takes = !strcmp(a, "-b") || !strcmp(a, "--bootstrap-servers") ||
                    !strcmp(a, "--bootstrap-file") || !strcmp(a, "--config") ||
                    !strcmp(a, "--config-file") || !strcmp(a, "--define") || !strcmp(a, "-f") ||
                    !strcmp(a, "--file") || !strcmp(a, "-e") || !strcmp(a, "--execute") ||
                    !strcmp(a, "--output");
        if (!takes) return usage_error(a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", argv[i]);
        if (!val) {
            if (i + 1 >= argc) return usage_error("option %s needs a value", a);
            val = argv[++i];
        }
        if (!strcmp(a, "-b") || !strcmp(a, "--bootstrap-servers")) o->bootstrap = val;
        else if (!strcmp(a, "--bootstrap-file")) o->bootstrap_file = val;
        else if (!strcmp(a, "--config") || !strcmp(a, "--config-file")) o->config = val;
        else if (!strcmp(a, "-f") || !strcmp(a, "--file")) o->file = val;
        else if (!strcmp(a, "-e") || !strcmp(a, "--execute")) o->expr = val;
        else if (!strcmp(a, "--output")) {
            if (!strcasecmp(val, "json")) o->output = WR_OUT_JSON;
            else if (!strcasecmp(val, "tabular")) o->output = WR_OUT_TABULAR;
            else return usage_error("--output must be TABULAR or JSON, not '%s'", val);
        } else { /* --define */
            const char *e = strchr(val, '=');
            if (!e || e == val) return usage_error("--define needs NAME=VALUE, not '%s'", val);
            o->defines = wr_xrealloc(o->defines, (size_t)(o->ndefines + 1) * sizeof *o->defines);
            o->defines[o->ndefines++] = val;
        }
    }
    if (o->file && o->expr) return usage_error("%s", "-f and -e cannot be used together");
    return 0;
}

static void options_fini(options *o)
{
    for (int i = 0; i < o->nprops; i++) {
        free(o->keys[i]);
        free(o->vals[i]);
    }
    free(o->keys);
    free(o->vals);
    free(o->defines);
}

/* The cluster to use: -b, --bootstrap-file, or bootstrap.servers in --config (heap; NULL
 * when none is configured).  *bad on a file that cannot be read. */
static char *bootstrap_resolve(options *o, int *bad)
{
    if (o->bootstrap && *o->bootstrap) return wr_xstrdup(o->bootstrap);
    if (o->bootstrap_file) {
        size_t len;
        char *text = wr_file_read(o->bootstrap_file, &len);
        if (!text) {
            fprintf(stderr, "weir: cannot read %s: %s\n", o->bootstrap_file, strerror(errno));
            *bad = 1;
            return NULL;
        }
        char *t = trim(text), *r = *t ? wr_xstrdup(t) : NULL;
        free(text);
        if (!r) {
            fprintf(stderr, "weir: %s holds no bootstrap servers\n", o->bootstrap_file);
            *bad = 1;
        }
        return r;
    }
    for (int i = o->nprops - 1; i >= 0; i--)
        if (!strcmp(o->keys[i], "bootstrap.servers") && *o->vals[i]) return wr_xstrdup(o->vals[i]);
    return NULL;
}

/* ---------------------------------------------------------------- main */

static void on_log(void *ud, int level, const char *msg)
{
    if (level < WR_LOG_WARN) return;
    wr_repl_outf(ud, stderr, "%s\n", msg);
}

/* Stops the runtime (persistent queries started here end with the shell), then the broker. */
static void shell_stop(wr_shell *sh)
{
    if (sh->thread_started) {
        pipe_drain(sh);
        wr_repl_post(sh, WR_REQ_SHUTDOWN, NULL);
        if (job_wait(sh)) {
            /* Ctrl-C while draining: leave without waiting for the broker's acknowledgements */
            fprintf(stderr, "Stopped without waiting for the runtime to drain.\n");
            fflush(NULL);
            _exit(130);
        }
        uv_thread_join(&sh->thread);
    }
    if (sh->db) wr_devbroker_stop(sh->db);
    sh->db = NULL;
}

static int define_variables(wr_shell *sh, const options *o)
{
    for (int i = 0; i < o->ndefines; i++) {
        const char *d = o->defines[i], *eq = strchr(d, '=');
        wr_buf stmt;
        wr_buf_init(&stmt);
        wr_buf_printf(&stmt, "DEFINE %.*s = '", (int)(eq - d), d);
        for (const char *p = eq + 1; *p; p++) {
            if (*p == '\'') wr_buf_putc(&stmt, '\'');
            wr_buf_putc(&stmt, *p);
        }
        wr_buf_puts(&stmt, "';");
        int rc = run_statement(sh, stmt.data);
        wr_buf_fini(&stmt);
        if (rc != LINE_OK) return -1;
    }
    return 0;
}

int wr_repl_main(int argc, char **argv)
{
    options o = {0};
    int rc = options_parse(&o, argc, argv);
    if (rc) {
        if (rc == 1) wr_repl_usage(stdout);
        options_fini(&o);
        return rc == 1 ? 0 : 2;
    }
    if (o.config && config_read(&o, o.config) != 0) {
        options_fini(&o);
        return 2;
    }
    int bad = 0;
    char *bootstrap = bootstrap_resolve(&o, &bad);
    if (bad) {
        options_fini(&o);
        return 2;
    }

    wr_shell sh;
    memset(&sh, 0, sizeof sh);
    sh.output = o.output;
    sh.interactive = !o.file && !o.expr && isatty(STDIN_FILENO);
    sh.src_name = o.file;
    wr_buf_init(&sh.pending);
    uv_mutex_init(&sh.mu);
    uv_mutex_init(&sh.out_mu);
    uv_mutex_init(&sh.names_mu);
    if (pipe2(sh.pipe_fd, O_CLOEXEC) != 0) {
        fprintf(stderr, "weir: pipe: %s\n", strerror(errno));
        return 1;
    }
    fcntl(sh.pipe_fd[1], F_SETFL, O_NONBLOCK);
    signal(SIGPIPE, SIG_IGN);

    char *script = NULL;
    if (o.file) {
        size_t len;
        if (!(script = wr_file_read(o.file, &len))) {
            fprintf(stderr, "weir: cannot read %s: %s\n", o.file, strerror(errno));
            rc = 2;
            goto out;
        }
    }

    /* SIGINT only ever reaches this thread: block it while the broker's, librdkafka's and the
     * loop's threads are created (they inherit the mask).  Error paths below leave it blocked:
     * a Ctrl-C pressed while connecting must not kill the process before it cleans up. */
    sigset_t intr, old;
    sigemptyset(&intr);
    sigaddset(&intr, SIGINT);
    pthread_sigmask(SIG_BLOCK, &intr, &old);

    wr_error err;
    wr_error_clear(&err);
    if (!bootstrap) {
        sh.db = wr_devbroker_start(1, &err);
        if (!sh.db) {
            fprintf(stderr, "weir: cannot start the embedded development broker: %s\n", err.msg);
            rc = 1;
            goto out;
        }
        bootstrap = wr_xstrdup(wr_devbroker_bootstrap(sh.db));
        fprintf(sh.interactive ? stdout : stderr,
                "No Kafka cluster configured: started an embedded development broker at %s "
                "(in memory only; use -b to connect to Kafka)\n",
                bootstrap);
    }
    int np = 0;
    const char **keys = wr_xcalloc((size_t)o.nprops + 1, sizeof *keys);
    const char **vals = wr_xcalloc((size_t)o.nprops + 1, sizeof *vals);
    for (int i = 0; i < o.nprops; i++) {
        if (!strcmp(o.keys[i], "bootstrap.servers")) continue;
        keys[np] = o.keys[i];
        vals[np++] = o.vals[i];
    }
    wr_runtime_opts ro = {
        .bootstrap = bootstrap,
        .nprops = np,
        .prop_keys = keys,
        .prop_vals = vals,
        .log = on_log,
        .log_ud = &sh,
        .interactive = sh.interactive,
    };
    int started = wr_repl_runtime_start(&sh, &ro, &err);
    free(keys);
    free(vals);
    if (started != 0) {
        fprintf(stderr, "weir: %s\n", err.msg);
        rc = 1;
        goto out;
    }

    /* Ctrl-C while connecting (blocked until now): leave */
    sigset_t pending;
    if (sigpending(&pending) == 0 && sigismember(&pending, SIGINT)) {
        rc = 130;
        goto out; /* SIGINT stays blocked from here on: the pending one is dropped at exit */
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint; /* no SA_RESTART: a blocked read returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigint_fd = sh.pipe_fd[1];
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_sigwinch;
    sa.sa_flags = SA_RESTART; /* an edit in progress goes on */
    sigaction(SIGWINCH, &sa, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    if (define_variables(&sh, &o) != 0) {
        rc = 1;
    } else if (sh.interactive) {
        if (wr_repl_edit_init(&sh) != 0) {
            fprintf(stderr, "weir: cannot set up the terminal\n");
            rc = 1;
        } else {
            printf("weir %s - streaming SQL in ksqlDB's dialect.  Type `help` for commands, "
                   "`exit` or Ctrl-D to leave.\n\n",
                   WEIR_VERSION);
            rc = run_interactive(&sh);
        }
    } else {
        rc = script ? run_text(&sh, script) : o.expr ? run_text(&sh, o.expr) : run_stdin(&sh);
        rc = rc == LINE_OK ? 0 : rc == LINE_ABORT ? 130 : 1;
    }

out:
    shell_stop(&sh);
    signal(SIGINT, SIG_DFL);
    signal(SIGWINCH, SIG_DFL);
    sigint_fd = -1;
    wr_repl_edit_fini(&sh);
    wr_repl_spool(&sh, NULL);
    for (int i = 0; i < sh.nnames; i++) free(sh.names[i]);
    free(sh.names);
    free(sh.sql);
    free(sh.print_topic);
    wr_buf_fini(&sh.pending);
    close(sh.pipe_fd[0]);
    close(sh.pipe_fd[1]);
    uv_mutex_destroy(&sh.mu);
    uv_mutex_destroy(&sh.out_mu);
    uv_mutex_destroy(&sh.names_mu);
    free(script);
    free(bootstrap);
    options_fini(&o);
    return rc;
}
