/*
 * testrun.h - `weir test`: runs a SQL file against recorded input records, without a broker,
 * and checks (or records) what the persistent queries produced.  docs/TEST-RUNNER.md is the
 * specification; the file formats are those of ksqlDB's ksql-test-runner.
 * Private to the binary (engine/main.c); uses only engine.h and serde.h of the engine.
 */
#ifndef WEIR_TESTRUN_H
#define WEIR_TESTRUN_H

/* Runs `weir test` with the arguments after the command name (argv[0] is "test").
 * Prints the outcome (diff, statement error, usage) and returns the process exit code:
 * 0 every expected record matched (or --record written), 1 mismatch or failing statement,
 * 2 usage error or unreadable/malformed test file. */
int wr_testrun_main(int argc, char **argv);

/* Prints the `weir test` usage text to stdout. */
void wr_testrun_usage(void);

#endif
