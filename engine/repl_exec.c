/*
 * repl_exec.c - the shell's loop thread: the runtime, one statement per job, push queries and
 * PRINT streamed until their LIMIT or a stop request, the names for tab completion.
 *
 * A job is one statement posted by the REPL thread.  It ends (WR_PIPE_DONE on the pipe) when
 * the statement has executed, or - for a push query or PRINT - when the runtime calls done().
 * A stop request (Ctrl-C) is handled after the mailbox's statement, so a Ctrl-C that races
 * with the start of a push query still stops it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "repl_int.h"

/* ---------------------------------------------------------------- completion names */

typedef struct names_acc {
    char **v;
    int n, cap;
} names_acc;

static void names_add(names_acc *acc, const char *name)
{
    if (acc->n == acc->cap) {
        acc->cap = acc->cap ? 2 * acc->cap : 32;
        acc->v = wr_xrealloc(acc->v, (size_t)acc->cap * sizeof *acc->v);
    }
    acc->v[acc->n++] = wr_xstrdup(name);
}

/* The first column of SHOW STREAMS / TABLES / TOPICS is the name. */
static void on_names_result(void *ud, const wr_result *res)
{
    if (res->kind != WR_RES_TABLE || res->ncols < 1) return;
    for (int r = 0; r < res->nrows; r++)
        if (res->cells[r][0] && *res->cells[r][0]) names_add(ud, res->cells[r][0]);
}

static void names_free(char **v, int n)
{
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Streams and tables after every statement (the catalog answers from memory); topics, which
 * cost a metadata round trip, after CREATE/DROP and otherwise at most every 10 s.  Only an
 * interactive shell completes names. */
static void names_refresh(wr_shell *sh, int ddl)
{
    if (!sh->interactive) return;
    static const char *const shows[] = {"SHOW STREAMS;", "SHOW TABLES;", "SHOW TOPICS;"};
    int64_t now = wr_now_ms();
    int topics = ddl || now - sh->topics_at >= 10000;
    names_acc acc = {0}, tacc = {0};
    for (size_t i = 0; i < 3; i++) {
        if (i == 2 && !topics) break;
        wr_error err;
        wr_error_clear(&err);
        wr_runtime_execute(sh->rt, shows[i], strlen(shows[i]), on_names_result,
                           i == 2 ? &tacc : &acc, &err);
    }
    if (topics) {
        names_free(sh->topic_names, sh->ntopic_names);
        sh->topic_names = tacc.v;
        sh->ntopic_names = tacc.n;
        sh->topics_at = now;
    }
    for (int i = 0; i < sh->ntopic_names; i++) names_add(&acc, sh->topic_names[i]);
    uv_mutex_lock(&sh->names_mu);
    char **old = sh->names;
    int nold = sh->nnames;
    sh->names = acc.v;
    sh->nnames = acc.n;
    uv_mutex_unlock(&sh->names_mu);
    names_free(old, nold);
}

char **wr_repl_names_copy(wr_shell *sh, int *n)
{
    uv_mutex_lock(&sh->names_mu);
    char **v = wr_xcalloc((size_t)sh->nnames + 1, sizeof *v);
    for (int i = 0; i < sh->nnames; i++) v[i] = wr_xstrdup(sh->names[i]);
    *n = sh->nnames;
    uv_mutex_unlock(&sh->names_mu);
    return v;
}

/* ---------------------------------------------------------------- job end */

void wr_repl_job_done(wr_shell *sh)
{
    char c = WR_PIPE_DONE;
    while (write(sh->pipe_fd[1], &c, 1) < 0 && errno == EINTR) {
    }
}

static void job_finish(wr_shell *sh, int failed)
{
    if (failed) {
        uv_mutex_lock(&sh->mu);
        sh->job_failed = 1;
        uv_mutex_unlock(&sh->mu);
    }
    names_refresh(sh, sh->job_ddl);
    wr_repl_job_done(sh);
}

/* ---------------------------------------------------------------- push queries and PRINT */

static void on_row(void *ud, const wr_query *q, int ncols, const char *const *cells, int tombstone)
{
    wr_repl_push_row(ud, ncols, cells, tombstone);
}

/* The job ends on the next wake-up, outside the runtime's callback (job_finish runs SHOW
 * statements for the completion names). */
static void finish_later(wr_shell *sh, int failed)
{
    sh->finish_pending = 1;
    sh->finish_failed = failed;
    uv_async_send(&sh->wake);
}

static void on_push_done(void *ud, int status)
{
    wr_shell *sh = ud;
    wr_repl_push_end(sh, status);
    sh->push = NULL;
    finish_later(sh, status < 0);
}

static void on_print_line(void *ud, const char *line)
{
    wr_repl_outf(ud, stdout, "%s\n", line);
}

static void on_print_done(void *ud, int status)
{
    wr_shell *sh = ud;
    sh->printing = 0;
    if (status == 1) wr_repl_after_ctrl_c(sh);
    if (status < 0) wr_repl_outf(sh, stderr, "PRINT failed (see the message above)\n");
    else wr_repl_outf(sh, stdout, "Topic printing ceased\n");
    finish_later(sh, status < 0);
}

static void push_start(wr_shell *sh)
{
    wr_query *q = sh->push_pending;
    sh->push_pending = NULL;
    wr_repl_push_begin(sh, q);
    wr_error err;
    wr_error_clear(&err);
    sh->push = q;
    /* the header goes first: with LIMIT 0 done() comes before push_start returns */
    if (wr_runtime_push_start(sh->rt, q, on_row, on_push_done, sh, &err) != 0) {
        /* the runtime closed q */
        sh->push = NULL;
        wr_repl_error(sh, &err, NULL);
        wr_repl_push_end(sh, -1);
        job_finish(sh, 1);
    }
}

static void print_start(wr_shell *sh)
{
    char *topic = sh->print_topic;
    sh->print_topic = NULL;
    wr_error err;
    wr_error_clear(&err);
    sh->printing = 1;
    int rc = wr_runtime_print_start(sh->rt, topic, sh->print_from_beginning, sh->print_limit,
                                    on_print_line, on_print_done, sh, &err);
    free(topic);
    if (rc != 0) {
        sh->printing = 0;
        wr_repl_error(sh, &err, NULL);
        job_finish(sh, 1);
    }
}

/* ---------------------------------------------------------------- statements */

static void on_result(void *ud, const wr_result *res)
{
    wr_shell *sh = ud;
    if (res->kind == WR_RES_PUSH) {
        if (!sh->push_pending && !sh->print_topic) {
            sh->push_pending = res->query;
            return;
        }
        /* RUN SCRIPT with several push queries: one runs at a time, like ksql */
        wr_query_close(res->query);
        wr_repl_outf(sh, stderr, "Only one push query runs at a time; skipped: %s\n",
                     res->stmt_text ? res->stmt_text : "");
        return;
    }
    if (res->kind == WR_RES_PRINT) {
        if (!sh->push_pending && !sh->print_topic) {
            sh->print_topic = wr_xstrdup(res->topic ? res->topic : "");
            sh->print_from_beginning = res->from_beginning;
            sh->print_limit = res->limit;
        }
        return;
    }
    wr_repl_result(sh, res);
}

static void exec_statement(wr_shell *sh, const char *sql)
{
    sh->job_ddl = !strncasecmp(sql, "CREATE", 6) || !strncasecmp(sql, "DROP", 4);
    wr_error err;
    wr_error_clear(&err);
    int rc = wr_runtime_execute(sh->rt, sql, strlen(sql), on_result, sh, &err);
    if (rc != 0) wr_repl_error(sh, &err, sql);
    if (sh->push_pending) {
        uv_mutex_lock(&sh->mu);
        sh->job_streamed = 1;
        uv_mutex_unlock(&sh->mu);
        push_start(sh);
    } else if (sh->print_topic) {
        uv_mutex_lock(&sh->mu);
        sh->job_streamed = 1;
        uv_mutex_unlock(&sh->mu);
        print_start(sh);
    } else {
        job_finish(sh, rc != 0);
    }
}

/* ---------------------------------------------------------------- the loop thread */

static void on_shutdown_done(void *ud, int status)
{
    wr_shell *sh = ud;
    if (status != 0)
        wr_repl_outf(sh, stderr, "Shutdown: some outputs were not acknowledged in time; their "
                                 "input offsets stay uncommitted\n");
    uv_close((uv_handle_t *)&sh->wake, NULL);
}

static void on_wake(uv_async_t *h)
{
    wr_shell *sh = h->data;
    uv_mutex_lock(&sh->mu);
    int req = sh->req, stop = sh->stop;
    char *sql = sh->sql;
    sh->req = WR_REQ_NONE;
    sh->sql = NULL;
    sh->stop = 0;
    uv_mutex_unlock(&sh->mu);

    if (sh->finish_pending) {
        sh->finish_pending = 0;
        job_finish(sh, sh->finish_failed);
    }
    if (req == WR_REQ_EXEC) exec_statement(sh, sql);
    free(sql);
    if (stop) {
        if (sh->push) wr_runtime_push_stop(sh->rt, sh->push);
        else if (sh->printing) wr_runtime_print_stop(sh->rt);
    }
    if (req == WR_REQ_SHUTDOWN) wr_runtime_shutdown(sh->rt, on_shutdown_done, sh);
}

static void loop_main(void *arg)
{
    wr_shell *sh = arg;
    uv_run(&sh->loop, UV_RUN_DEFAULT);
    names_free(sh->topic_names, sh->ntopic_names);
    sh->topic_names = NULL;
    sh->ntopic_names = 0;
    wr_runtime_free(sh->rt);
    sh->rt = NULL;
    uv_run(&sh->loop, UV_RUN_DEFAULT); /* close callbacks of what free closed */
    uv_loop_close(&sh->loop);
    wr_repl_job_done(sh); /* the shutdown job */
}

int wr_repl_runtime_start(wr_shell *sh, const wr_runtime_opts *opts, wr_error *err)
{
    if (uv_loop_init(&sh->loop) != 0) return wr_error_set(err, WR_EINTERNAL, "uv_loop_init failed");
    wr_runtime_opts o = *opts;
    o.loop = &sh->loop;
    sh->rt = wr_runtime_new(&o, err);
    if (!sh->rt) {
        uv_run(&sh->loop, UV_RUN_DEFAULT);
        uv_loop_close(&sh->loop);
        return -1;
    }
    uv_async_init(&sh->loop, &sh->wake, on_wake);
    sh->wake.data = sh;
    names_refresh(sh, 1); /* the loop thread does not run yet: this thread may */
    if (uv_thread_create(&sh->thread, loop_main, sh) != 0) {
        /* no thread: nothing ran on the loop yet, so tear down here */
        uv_close((uv_handle_t *)&sh->wake, NULL);
        wr_runtime_free(sh->rt);
        sh->rt = NULL;
        uv_run(&sh->loop, UV_RUN_DEFAULT);
        uv_loop_close(&sh->loop);
        return wr_error_set(err, WR_EINTERNAL, "cannot start the runtime thread");
    }
    sh->thread_started = 1;
    return 0;
}

void wr_repl_post(wr_shell *sh, int req, const char *sql)
{
    uv_mutex_lock(&sh->mu);
    free(sh->sql);
    sh->req = req;
    sh->sql = sql ? wr_xstrdup(sql) : NULL;
    sh->stop = 0;
    sh->job_failed = 0;
    sh->job_streamed = 0;
    uv_mutex_unlock(&sh->mu);
    uv_async_send(&sh->wake);
}

void wr_repl_request_stop(wr_shell *sh)
{
    uv_mutex_lock(&sh->mu);
    sh->stop = 1;
    uv_mutex_unlock(&sh->mu);
    uv_async_send(&sh->wake);
}
