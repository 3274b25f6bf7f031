/*
 * repl_int.h - internals shared by the interactive shell's files (not a public header).
 *
 *   repl.c       options, the REPL thread: lines in, CLI commands, statements handed over
 *   repl_exec.c  the loop thread: the runtime, statements, push queries and PRINT streaming
 *   repl_out.c   everything printed: results, push-query tables and JSON rows, the spool copy
 *   repl_edit.c  libedit: prompt, history file (credentials redacted), tab completion
 *
 * Two threads.  The runtime is single-threaded and lives on a libuv loop in its own thread,
 * so persistent queries keep running while the user types.  The REPL thread reads a
 * statement, puts it in the mailbox (mu + uv_async_send) and waits on `pipe_fd` for the loop
 * thread's "done" byte; the SIGINT handler writes to the same pipe, which is how Ctrl-C during
 * a push query or PRINT reaches the loop thread as a stop request.  While a job runs only the
 * loop thread prints; at the prompt only the REPL thread does (the runtime's warnings aside,
 * which is why every write goes through wr_repl_out under out_mu).
 */
#ifndef WEIR_REPL_INT_H
#define WEIR_REPL_INT_H

#include <histedit.h>
#include <signal.h>
#include <stdio.h>
#include <uv.h>

#include "drivers.h"
#include "runtime.h"

enum { WR_OUT_TABULAR = 0, WR_OUT_JSON = 1 };

/* Requests in the mailbox, REPL thread -> loop thread. */
enum { WR_REQ_NONE = 0, WR_REQ_EXEC, WR_REQ_SHUTDOWN };

/* Bytes on pipe_fd: a job finished (loop thread), Ctrl-C (signal handler). */
#define WR_PIPE_DONE 'D'
#define WR_PIPE_INTR 'I'

typedef struct wr_shell {
    /* settings, changed by the REPL thread only while no job runs */
    int interactive;          /* libedit on a terminal */
    const char *src_name;     /* -f FILE: errors name it */
    int line_base;            /* lines of the input before the running statement: error
                                 positions count from the input's start (0: the statement's) */
    int output;               /* WR_OUT_* */
    /* output (wr_repl_out) */
    uv_mutex_t out_mu;
    FILE *spool;              /* copy of everything printed, or NULL */
    char *spool_path;

    /* the runtime; touched by the loop thread only once it runs */
    uv_loop_t loop;
    uv_async_t wake;          /* mailbox doorbell */
    uv_thread_t thread;
    int thread_started;
    wr_runtime *rt;
    wr_devbroker *db;         /* embedded development broker, or NULL */

    /* mailbox, under mu */
    uv_mutex_t mu;
    int req;                  /* WR_REQ_* */
    char *sql;                /* WR_REQ_EXEC: one statement (heap, taken by the loop thread) */
    int stop;                 /* Ctrl-C: stop the running push query / PRINT */
    int job_failed;           /* last job: the statement failed */
    int job_streamed;         /* last job ran a push query or PRINT */
    int pipe_fd[2];

    /* loop-thread state of the running job */
    wr_query *push;           /* push query started by the job (runtime-owned), or NULL */
    wr_query *push_pending;   /* WR_RES_PUSH seen by the result callback, not started yet */
    char *print_topic;        /* WR_RES_PRINT seen, not started yet */
    int print_from_beginning;
    int64_t print_limit;
    int printing;
    int finish_pending;       /* push/PRINT done: end the job on the next wake-up */
    int finish_failed;
    int job_ddl;              /* the statement was CREATE/DROP (topics may have changed) */
    char **topic_names;       /* topics seen by the last SHOW TOPICS, and when */
    int ntopic_names;
    int64_t topics_at;
    /* push-query table being printed (repl_out.c) */
    int push_ncols;
    int *push_w;              /* column widths */
    char **push_names;        /* column names */
    int *push_kinds;          /* column kinds (wr_kind): JSON output keeps numbers numbers */

    /* names for tab completion: replaced by the loop thread after every statement */
    uv_mutex_t names_mu;
    char **names;
    int nnames;

    /* libedit (REPL thread) */
    EditLine *el;
    History *hist;
    char *hist_path;          /* NULL: no history file */
    wr_buf pending;           /* the statement being typed (lines so far) */
    int lineno;               /* input lines read */
    int pending_line;         /* input line where `pending` starts (1-based) */
} wr_shell;

/* ---- repl.c */
/* Set by the SIGINT handler; cleared by whoever consumes it. */
extern volatile sig_atomic_t wr_repl_sigint;

/* ---- repl_exec.c (loop thread, started from the REPL thread) */
/* Creates the runtime on sh->loop and starts the loop thread.  0, or -1 with err. */
int wr_repl_runtime_start(wr_shell *sh, const wr_runtime_opts *opts, wr_error *err);
/* Posts a request (the REPL thread); sql is copied. */
void wr_repl_post(wr_shell *sh, int req, const char *sql);
/* Asks the running push query / PRINT to stop (any thread but the signal handler). */
void wr_repl_request_stop(wr_shell *sh);
/* The loop thread's side of a finished job: writes WR_PIPE_DONE. */
void wr_repl_job_done(wr_shell *sh);
/* Copies the completion names (caller frees each and the array). */
char **wr_repl_names_copy(wr_shell *sh, int *n);

/* ---- repl_out.c */
void wr_repl_out(wr_shell *sh, FILE *f, const char *s, size_t n);
void wr_repl_outf(wr_shell *sh, FILE *f, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copies s into the spool file only (the prompt and the line typed). */
void wr_repl_spool_echo(wr_shell *sh, const char *s);
/* Back to the start of the line on a terminal, over its "^C" echo, so what a stopped push
 * query or PRINT prints last starts the line. */
void wr_repl_after_ctrl_c(wr_shell *sh);
/* Opens (path != NULL) or closes (NULL) the spool file; 0 or -1 with errno. */
int wr_repl_spool(wr_shell *sh, const char *path);
/* A statement result (not PUSH/PRINT) in the current output format. */
void wr_repl_result(wr_shell *sh, const wr_result *res);
/* A failed statement: line, column, caret relative to `sql` (plus sh->line_base lines),
 * prefixed with sh->src_name. */
void wr_repl_error(wr_shell *sh, const wr_error *err, const char *sql);
/* Push-query table: header, one row per call, footer with the done status. */
void wr_repl_push_begin(wr_shell *sh, const wr_query *q);
void wr_repl_push_row(wr_shell *sh, int ncols, const char *const *cells, int tombstone);
void wr_repl_push_end(wr_shell *sh, int status);

/* ---- repl_edit.c */
/* libedit and the history file; -1 when the terminal cannot be set up. */
int wr_repl_edit_init(wr_shell *sh);
void wr_repl_edit_fini(wr_shell *sh);
/* Enters one typed line into the history (redacted, see wr_repl_redact) and appends it to
 * the history file. `prior` is the statement typed so far before this line. */
void wr_repl_history_add(wr_shell *sh, const char *prior, const char *line);
void wr_repl_history_list(wr_shell *sh);
/* Appends `text` from byte `from` on, with the values of credential-like keys (password,
 * secret, token, sasl.jaas.config, api key, credentials) in `key = value` pairs replaced by
 * [hidden].  The text before `from` is scanned for context (a value left open on an earlier
 * line) but not copied. */
void wr_repl_redact(const char *text, size_t from, wr_buf *out);

#endif
