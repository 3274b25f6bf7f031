/*
 * explain.c - `weir explain FILE.sql`: runs a query file's statements against an in-memory
 * catalog (no broker: every topic is taken to exist, nothing is consumed or produced) and
 * prints what each statement answers - DESCRIBE, SHOW, EXPLAIN results, compile errors with
 * line and column - then the execution plan of every persistent query the file starts.
 * The way to inspect a rule's plan before it runs anywhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers.h"

static int on_exists(void *ud, const char *topic) { return 1; }
static int on_create(void *ud, const char *topic, int p, int r, wr_error *err) { return 0; }
static int on_remove(void *ud, const char *topic) { return 0; }
static int on_partitions(void *ud, const char *topic) { return 1; }
static void on_list(void *ud, void (*cb)(void *, const char *, int), void *cbud) {}
static int on_produce(void *ud, const char *topic, const wr_record *rec, wr_error *err) { return 0; }

static const wr_topics_vt no_topics = {
    .exists = on_exists, .create = on_create, .remove = on_remove,
    .partitions = on_partitions, .list = on_list, .produce = on_produce,
};

static void on_result(void *ud, const wr_result *res)
{
    wr_buf out;
    wr_buf_init(&out);
    if (res->stmt_text) {
        /* echo the statement like the REPL's prompt line, first line only */
        const char *nl = strchr(res->stmt_text, '\n');
        int n = nl ? (int)(nl - res->stmt_text) : (int)strlen(res->stmt_text);
        wr_buf_printf(&out, "weir> %.*s%s\n", n, res->stmt_text, nl ? " ..." : "");
    }
    wr_result_render(res, &out);
    fputs(out.data ? out.data : "", stdout);
    fputc('\n', stdout);
    wr_buf_fini(&out);
}

int wr_explain_main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
                "usage: weir explain FILE.sql\n"
                "Runs the statements of FILE against an in-memory catalog (no broker) and prints\n"
                "each statement's result, then the execution plan of every persistent query.\n");
        return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
    }
    size_t len;
    char *sql = wr_file_read(argv[1], &len);
    if (!sql) {
        fprintf(stderr, "weir explain: cannot read %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    wr_engine_opts eo = {.topics = &no_topics, .test_mode = 1};
    wr_engine *eng = wr_engine_new(&eo);
    wr_error err;
    wr_error_clear(&err);
    int rc = 0;
    if (wr_engine_execute(eng, sql, len, on_result, NULL, &err) != 0) {
        wr_buf b;
        wr_buf_init(&b);
        wr_error_format(&err, sql, &b);
        fprintf(stderr, "%s: %s", argv[1], b.data ? b.data : "");
        wr_buf_fini(&b);
        rc = 1;
    }
    /* the plan of every persistent query the file started */
    for (int i = 0; rc == 0 && i < wr_engine_query_count(eng); i++) {
        char stmt[300];
        snprintf(stmt, sizeof stmt, "EXPLAIN %s;", wr_query_id(wr_engine_query_at(eng, i)));
        if (wr_engine_execute(eng, stmt, strlen(stmt), on_result, NULL, &err) != 0) {
            wr_buf b;
            wr_buf_init(&b);
            wr_error_format(&err, stmt, &b);
            fprintf(stderr, "%s", b.data ? b.data : "");
            wr_buf_fini(&b);
            rc = 1;
        }
    }
    wr_engine_free(eng);
    free(sql);
    return rc;
}
