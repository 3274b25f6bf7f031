/* run.c - `weir run FILE.sql` (placeholder until the live runtime lands) */
#include <stdio.h>

#include "drivers.h"

int wr_run_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "weir: `weir run` is not available yet in this build; `weir test` is.\n");
    return 2;
}
