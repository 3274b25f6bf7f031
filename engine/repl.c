/* repl.c - the interactive shell (placeholder until the live runtime lands) */
#include <stdio.h>

#include "drivers.h"

void wr_repl_usage(FILE *f) { fprintf(f, "usage: weir [-b SERVERS] [-f FILE | -e SQL]\n"); }

int wr_repl_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "weir: the interactive shell is not available yet in this build; `weir test` is.\n");
    return 2;
}
