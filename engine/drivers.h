/*
 * drivers.h - entry points of the `weir` commands other than `test` (main.c dispatches), and
 * helpers shared by drivers.  Each *_main returns the process exit status: 0 ok, 1 failure,
 * 2 usage error.
 */
#ifndef WEIR_DRIVERS_H
#define WEIR_DRIVERS_H

#include <stdio.h>

#include "engine.h"

int wr_broker_main(int argc, char **argv);  /* weir broker: development Kafka broker */
int wr_explain_main(int argc, char **argv); /* weir explain: statements' results and plans */
int wr_run_main(int argc, char **argv);     /* weir run FILE.sql: a query file as a service */
/* weir [OPTIONS]: the interactive shell (REPL), or non-interactive with -f FILE / -e SQL.
 * argv[0] is "weir"; options start at argv[1]. */
int wr_repl_main(int argc, char **argv);
void wr_repl_usage(FILE *f);

/* Appends a statement result in the ksql CLI's style: tables with a header rule, EXPLAIN and
 * DESCRIBE FUNCTION text as is, messages indented by one space. */
void wr_result_render(const wr_result *res, wr_buf *out);

#endif
