/*
 * main.c - the `weir` binary: one executable for every way in (ARCHITECTURE.md).
 *
 * The command table is data, Redis-style: each command names its handler and a one-line
 * description, so `weir help` and dispatch read the same table.  Commands whose driver is not
 * built yet answer with a clear message and exit status 2 instead of pretending to work.
 */
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "drivers.h"
#include "testrun.h"

#ifndef WEIR_VERSION
#define WEIR_VERSION "0.1.0"
#endif

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv); /* NULL: not available yet */
    const char *usage;
    const char *summary;
} command;

static int cmd_help(int argc, char **argv);

static int cmd_version(int argc, char **argv)
{
    printf("weir %s\n", WEIR_VERSION);
    return 0;
}

static const command commands[] = {
    {"test", wr_testrun_main, "test -s S -i I -o O", "run a SQL file on recorded input and check the output"},
    {"explain", wr_explain_main, "explain FILE.sql", "run a file's statements in memory; print results and query plans"},
    {"run", wr_run_main, "run FILE.sql [OPTIONS]", "run a query file as a service until SIGTERM"},
    {"server", NULL, "server", "REST API compatible with ksqlDB's"},
    {"broker", wr_broker_main, "broker [--topic T:N]...", "a development Kafka broker (librdkafka mock cluster)"},
    {"version", cmd_version, "version", "print the version"},
    {"help", cmd_help, "help [COMMAND]", "show this help, or a command's"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const command *command_find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f, "weir %s - streaming SQL in ksqlDB's dialect\n\nusage: weir [COMMAND] [ARGS]\n\n",
            WEIR_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  weir %-22s %s%s\n", commands[i].usage, commands[i].summary,
                commands[i].run ? "" : " (not available yet)");
    fprintf(f, "  weir %-22s %s\n", "[-b SERVERS] [-f F|-e SQL]", "interactive shell; see `weir help shell`");
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 1) {
        if (!strcmp(argv[1], "shell") || !strcmp(argv[1], "repl")) {
            wr_repl_usage(stdout);
            return 0;
        }
        const command *c = command_find(argv[1]);
        if (c && c->run == wr_testrun_main) {
            wr_testrun_usage();
            return 0;
        }
        if (c && c->run && c->run != cmd_help && c->run != cmd_version) {
            char *args[] = {(char *)c->name, "--help", NULL};
            return c->run(2, args);
        }
        if (!c) {
            fprintf(stderr, "weir: unknown command '%s'\n", argv[1]);
            return 2;
        }
        printf("usage: weir %s\n  %s\n", c->usage, c->summary);
        return 0;
    }
    usage(stdout);
    return 0;
}

static int not_available(const char *what)
{
    fprintf(stderr, "weir: %s is not available yet in this build; `weir test` is.\n", what);
    return 2;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *name = argc < 2 ? "-" : argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) name = "help";
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) name = "version";
    /* no command, or options only: the interactive shell (or -f/-e) */
    if (argc < 2 || name[0] == '-') return wr_repl_main(argc, argv);
    const command *c = command_find(name);
    if (!c) {
        fprintf(stderr, "weir: unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 2;
    }
    if (!c->run) {
        char what[64];
        snprintf(what, sizeof what, "`weir %s`", c->name);
        return not_available(what);
    }
    return c->run(argc - 1, argv + 1);
}
