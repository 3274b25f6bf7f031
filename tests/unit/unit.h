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
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base.h"

/* A fresh private directory "$TMPDIR/weir-<name>-XXXXXX" in dir[size]; 0 or -1. */
static inline int unit_tmpdir(char *dir, size_t size, const char *name)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, size, "%s/weir-%s-XXXXXX", t && *t ? t : "/tmp", name);
    return mkdtemp(dir) ? 0 : -1;
}

static inline int unit_rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

/* Removes dir and everything under it. */
static inline void unit_rmtree(const char *dir)
{
    nftw(dir, unit_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A state-scan callback (st_scan_cb) that counts the entries into *(int *)ud. */
static inline int unit_count_cb(void *ud, const void *k, size_t kl, const void *v, size_t vl)
{
    (void)k, (void)kl, (void)v, (void)vl;
    ++*(int *)ud;
    return 0;
}

/* Deep identity of two values: same kinds everywhere, doubles bit for bit, decimals with the
 * same scale (value-codec and aggregate-state round trips). */
static inline int unit_value_same(const wr_value *a, const wr_value *b)
{
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case WR_NULL: return 1;
    case WR_BOOLEAN: return a->u.b == b->u.b;
    case WR_DOUBLE: return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0;
    case WR_DECIMAL: return a->len == b->len && *a->u.dec == *b->u.dec;
    case WR_STRING:
    case WR_BYTES: return a->len == b->len && (!a->len || !memcmp(a->u.s, b->u.s, a->len));
    case WR_ARRAY:
    case WR_STRUCT:
    case WR_MAP: {
        uint32_t n = a->kind == WR_MAP ? 2 * a->len : a->len;
        if (a->len != b->len) return 0;
        for (uint32_t i = 0; i < n; i++)
            if (!unit_value_same(&a->u.items[i], &b->u.items[i])) return 0;
        return 1;
    }
    default: return a->u.i == b->u.i;
    }
}

#endif
