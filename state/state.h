/*
 * state.h - weir's state: one LMDB environment per instance, one named database per store,
 * and a write-back cache in front of LMDB.
 *
 * Design (ARCHITECTURE.md, "Time and state"):
 *  - Operators read and write their stores through the cache only.  Dirty entries stay in
 *    memory until the commit cycle, which writes every dirty entry of every store together with
 *    the source offsets they reflect in ONE LMDB write transaction.  So after a crash (kill -9)
 *    LMDB holds state and offsets of the same instant: resuming from those offsets counts no
 *    record twice and misses none.  Repeated updates of a key between commits cost one LMDB
 *    write: that is the cache's job (st_env_stats().writes / events processed).
 *  - When the dirty bytes pass the cache limit, st_env_commit_wanted() turns true and the
 *    driver commits early (state is never written ahead of its offsets).
 *  - The commit handles MDB_MAP_FULL by aborting, doubling the map size and retrying from the
 *    cache, which still holds everything: a full map is never fatal.  Stale reader slots of
 *    dead processes are cleared at open.  Files are created 0600.
 *  - Clean entries are kept as a read cache while the cache is under its limit.
 *
 * Keys: every store key is a *prefix* (the group key, length-prefixed) followed by an optional
 * *suffix* of big-endian, sign-flipped int64s (window start, end ...), so that one cursor scan
 * returns the windows of a key in time order.  Build keys with st_key().  Ordered scans stay
 * within one prefix (windows / sessions of a key) or cover the whole store (pull queries,
 * timers); both merge the cache over LMDB.
 *
 * Single-threaded: an environment and its stores belong to one thread (the loop thread).
 * State knows nothing of the engine: base types only.
 */
#ifndef WEIR_STATE_H
#define WEIR_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

typedef struct st_env st_env;
typedef struct st_store st_store;

typedef struct st_env_opts {
    size_t map_size;      /* initial LMDB map size; 0 = 64 MiB.  Grows by doubling. */
    size_t cache_bytes;   /* write-back cache limit (cache.max.bytes.buffering); 0 = 10 MiB */
} st_env_opts;

/* Opens (creating, 0700 directory / 0600 files) the environment in dir.  dir NULL: a private
 * temporary directory removed by st_env_close (weir test).  NULL with err on failure. */
st_env *st_env_open(const char *dir, const st_env_opts *opts, wr_error *err);
void st_env_close(st_env *env); /* accepts NULL; uncommitted changes are dropped */

/* The named store (created on first use).  Names are unique per environment; "__" names are
 * reserved.  NULL with err on failure.  Stores live until st_env_close. */
st_store *st_store_open(st_env *env, const char *name, wr_error *err);
/* Drops every entry of a store (DROP TABLE ... / a query's state removed), at the next commit. */
int st_store_clear(st_store *s, wr_error *err);

/* ---- keys ---- */

/* Builds prefix (group key bytes, length-prefixed) + nsuf big-endian sign-flipped int64s
 * into out (cleared first); returns the prefix length (4 + klen). */
size_t st_key(wr_buf *out, const void *key, size_t klen, int nsuf, const int64_t *suf);
/* Decodes a key built by st_key: key and klen point into k; suffix values into suf (up to max);
 * returns the number of suffix values, or -1 when k is malformed. */
int st_key_parse(const void *k, size_t len, const void **key, size_t *klen, int64_t *suf, int max);

/* ---- point access ---- */

/* 1 found (val and vlen valid until the next call on this environment), 0 absent, <0 error. */
int st_get(st_store *s, const void *k, size_t klen, const void **val, size_t *vlen, wr_error *err);
void st_put(st_store *s, const void *k, size_t klen, const void *val, size_t vlen);
void st_del(st_store *s, const void *k, size_t klen);
/* Deletes every key that starts with prefix (a window's groups when it expires): at once for
 * reads, in LMDB by one range walk at the next commit.  Keys put after the call stay. */
void st_del_prefix(st_store *s, const void *prefix, size_t plen);

/* ---- ordered scans (cache merged over LMDB) ----
 * Visits keys in [lo, hi) in byte order; lo NULL = from the start, hi NULL = to the end.  The
 * callback returns non-zero to stop.  Key and value are valid during the call only; the
 * callback must not modify the store (collect, then act).  Returns 0 or <0 on error. */
typedef int (*st_scan_cb)(void *ud, const void *k, size_t klen, const void *v, size_t vlen);
int st_scan(st_store *s, const void *lo, size_t lolen, const void *hi, size_t hilen, st_scan_cb cb,
            void *ud, wr_error *err);
/* Every key of one prefix (st_key's return value marks it), suffix order. */
int st_scan_prefix(st_store *s, const void *prefix, size_t plen, st_scan_cb cb, void *ud,
                   wr_error *err);

/* ---- commit cycle ---- */

typedef struct st_offset {
    const char *group;    /* consumer group / query id */
    const char *topic;
    int32_t partition;
    int64_t offset;       /* next offset to read */
} st_offset;

/* Writes every dirty entry and the offsets in one transaction.  0 or <0 with err (the cache
 * keeps its dirty entries: the commit can be retried). */
int st_env_commit(st_env *env, const st_offset *offs, int n, wr_error *err);
/* The dirty entries passed the cache limit: commit soon. */
int st_env_commit_wanted(const st_env *env);
/* Committed offset of (group, topic, partition): 1 found, 0 none. */
int st_env_offset(st_env *env, const char *group, const char *topic, int32_t partition,
                  int64_t *offset);
/* Every committed offset of a group. */
int st_env_offsets(st_env *env, const char *group,
                   void (*cb)(void *ud, const char *topic, int32_t partition, int64_t offset),
                   void *ud);

typedef struct st_stats {
    uint64_t writes;      /* LMDB puts/deletes done by commits */
    uint64_t commits;
    uint64_t map_grows;
    uint64_t gets, cache_hits;
    size_t map_size;      /* current map size */
    size_t used_bytes;    /* the file's pages up to the last used one * page size (with the
                           * free pages LMDB keeps for reuse) */
    size_t data_bytes;    /* pages of the stores' B-trees * page size: the state itself */
    size_t cache_bytes, dirty_bytes;
    uint64_t entries;     /* entries in LMDB, all stores */
} st_stats;
void st_env_stats(st_env *env, st_stats *out);
const char *st_env_dir(const st_env *env);

#endif
