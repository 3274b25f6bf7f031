/*
 * fn_javamap.h - the iteration order of a Java HashMap, for the collection functions that
 * expose the order of a map's entries (MAP_KEYS, MAP_VALUES, ENTRIES unsorted, REDUCE over a
 * map).  Private to fn_array.c, fn_map.c and fn_lambda.c; header-only (static inline) so it
 * adds no symbols to the library.
 *
 * weir keeps map entries in insertion order, but ksqlDB hands its UDFs java.util.HashMap
 * objects (its JSON deserializer builds `new HashMap<>(size)` and fills it in document
 * order), whose iteration order is by hash bucket: bucket = spread(key.hashCode()) & (cap-1),
 * entries of one bucket in insertion order (table resizes split buckets without reordering).
 * The capacity is that of `new HashMap<>(n)` after n puts.  Keys other than STRING, INT and
 * BIGINT keep insertion order.  (Buckets of 8+ colliding keys become trees in Java and may
 * iterate differently; not reproduced.)
 */
#ifndef WEIR_FN_JAVAMAP_H
#define WEIR_FN_JAVAMAP_H

#include <string.h>

#include "func.h"

/* Java's String.hashCode: over the UTF-16 code units of the (UTF-8) text. */
static inline uint32_t jm_string_hash(const char *s, uint32_t n)
{
    uint32_t h = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (uint32_t i = 0; i < n;) {
        uint32_t c = p[i], cp, len;
        if (c < 0x80) {
            cp = c, len = 1;
        } else if ((c & 0xE0) == 0xC0 && i + 1 < n) {
            cp = ((c & 0x1F) << 6) | (p[i + 1] & 0x3F), len = 2;
        } else if ((c & 0xF0) == 0xE0 && i + 2 < n) {
            cp = ((c & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F), len = 3;
        } else if ((c & 0xF8) == 0xF0 && i + 3 < n) {
            cp = ((c & 0x07) << 18) | ((p[i + 1] & 0x3F) << 12) | ((p[i + 2] & 0x3F) << 6) |
                 (p[i + 3] & 0x3F);
            len = 4;
        } else {
            cp = 0xFFFD, len = 1;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
        i += len;
    }
    return h;
}

/* Java hashCode of a map key; 0 and *ok=0 for key kinds without an emulation. */
static inline uint32_t jm_key_hash(const wr_value *k, int *ok)
{
    switch (k->kind) {
    case WR_NULL: return 0;
    case WR_STRING: return jm_string_hash(k->u.s, k->len);
    case WR_INT: return (uint32_t)(int32_t)k->u.i;
    case WR_BIGINT: return (uint32_t)((uint64_t)k->u.i ^ ((uint64_t)k->u.i >> 32));
    default: *ok = 0; return 0;
    }
}

/* Table size of `new HashMap<>(n)` after n distinct puts. */
static inline uint32_t jm_capacity(uint32_t n)
{
    uint32_t cap = 1;
    while (cap < n)
        cap <<= 1;
    uint32_t thr = cap * 3 / 4;
    for (uint32_t size = 1; size <= n; size++)
        if (size > thr) {
            cap <<= 1;
            thr = cap * 3 / 4;
        }
    return cap;
}

/* Fills order[0..n) with the entry indexes of map m in Java HashMap iteration order
 * (identity when the keys cannot be hashed like Java).  order comes from arena a. */
static inline uint32_t *jm_order(wr_arena *a, const wr_value *m)
{
    uint32_t n = m->len;
    uint32_t *order = wr_arena_alloc(a, sizeof *order * (n ? n : 1));
    uint32_t *bucket = wr_arena_alloc(a, sizeof *bucket * (n ? n : 1));
    int ok = 1;
    uint32_t cap = jm_capacity(n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = jm_key_hash(&m->u.items[2 * i], &ok);
        bucket[i] = (h ^ (h >> 16)) & (cap - 1);
        order[i] = i;
    }
    if (!ok || n < 2)
        return order;
    /* stable counting sort by bucket: equal buckets keep insertion order */
    uint32_t *start = wr_arena_calloc(a, sizeof *start * (cap + 1));
    for (uint32_t i = 0; i < n; i++)
        start[bucket[i] + 1]++;
    for (uint32_t b = 0; b < cap; b++)
        start[b + 1] += start[b];
    for (uint32_t i = 0; i < n; i++)
        order[start[bucket[i]]++] = i;
    return order;
}

#endif
