/*
 * unit.h - common include for cmocka unit tests (tests/unit/test_*.c).
 * Each test file is its own binary linked against build/libweir.a; tests/run.sh runs it
 * with CMOCKA_MESSAGE_OUTPUT=TAP and counts the results.
 */
#ifndef WEIR_UNIT_H
#define WEIR_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base.h"

#endif
