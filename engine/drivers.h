/*
 * drivers.h - entry points of the `weir` commands other than `test` (main.c dispatches).
 * Each returns the process exit status: 0 ok, 1 failure, 2 usage error.
 */
#ifndef WEIR_DRIVERS_H
#define WEIR_DRIVERS_H

int wr_broker_main(int argc, char **argv); /* weir broker: development Kafka broker */

#endif
