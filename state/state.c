/*
 * state.c - LMDB environment, stores and the write-back cache (see state.h for the design).
 *
 * The cache of a store is a chained hash table of entries keyed by the full store key
 * (xxh3).  Dirty entries are also linked into a per-prefix list, so a scan of one group key's
 * windows merges only that key's few dirty entries over the LMDB cursor.  Values live in their
 * own buffer so that an entry keeps its place in both structures when its value grows.
 *
 * One read-only transaction (MDB_NOTLS) serves every read between commits; it is reset while
 * the commit's write transaction runs and renewed after it, so reads see committed state plus
 * the cache on top.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>
#include <xxhash.h>

#include "state.h"

enum { E_DIRTY = 1, E_DELETED = 2 };

typedef struct st_entry {
    struct st_entry *next;   /* hash chain */
    struct st_entry *pnext;  /* dirty list of the prefix */
    uint64_t hash;
    uint32_t klen, vlen, vcap;
    uint8_t flags;
    unsigned char *val;
    unsigned char key[];
} st_entry;

typedef struct st_prefix {
    struct st_prefix *next;
    uint64_t hash;
    uint32_t plen;
    st_entry *dirty;         /* entries of this prefix changed since the last commit */
    unsigned char bytes[];
} st_prefix;

struct st_store {
    st_env *env;
    char *name;
    MDB_dbi dbi;
    st_entry **tab;          /* cache */
    size_t cap, n;
    st_prefix **ptab;        /* prefix index of dirty entries */
    size_t pcap, pn;
    size_t evict_pos;        /* clock hand for eviction */
    int clear_pending;       /* st_store_clear: LMDB contents are gone at the next commit */
    wr_buf drops;            /* st_del_prefix: prefixes (u32 length, bytes) whose LMDB keys go
                              * at the next commit and read as absent until then */
};

struct st_env {
    MDB_env *mdb;
    MDB_txn *rtxn;
    MDB_dbi offsets;
    char *dir;
    int temp;                /* remove dir at close */
    size_t map_size, cache_limit;
    size_t cache_bytes, dirty_bytes;
    st_store **stores;
    int nstores;
    st_stats stats;
};

static int mdb_fail(wr_error *err, int rc, const char *what)
{
    int r = wr_error_set(err, WR_ESTATE, "state store: %s: %s", what, mdb_strerror(rc));
    if (err)
        err->sub = rc;
    return r;
}

/* ---------------------------------------------------------------- keys */

size_t st_key(wr_buf *out, const void *key, size_t klen, int nsuf, const int64_t *suf)
{
    unsigned char b[8];
    wr_buf_reset(out);
    wr_be_put(b, (uint64_t)klen, 4);
    wr_buf_append(out, b, 4);
    wr_buf_append(out, key, klen);
    for (int i = 0; i < nsuf; i++) {
        /* flipping the sign bit makes negative times sort before positive ones */
        wr_be_put(b, (uint64_t)suf[i] ^ (UINT64_C(1) << 63), 8);
        wr_buf_append(out, b, 8);
    }
    return 4 + klen;
}

int st_key_parse(const void *k, size_t len, const void **key, size_t *klen, int64_t *suf, int max)
{
    const unsigned char *p = k;
    if (len < 4)
        return -1;
    size_t kl = (size_t)wr_be_get(p, 4);
    if (kl > len - 4 || (len - 4 - kl) % 8)
        return -1;
    *key = p + 4;
    *klen = kl;
    int n = (int)((len - 4 - kl) / 8);
    for (int i = 0; i < n && i < max; i++)
        suf[i] = (int64_t)(wr_be_get(p + 4 + kl + 8 * (size_t)i, 8) ^ (UINT64_C(1) << 63));
    return n;
}

static size_t prefix_len(const void *k, size_t len)
{
    const unsigned char *p = k;
    if (len < 4)
        return len;
    size_t kl = (size_t)wr_be_get(p, 4);
    return 4 + kl <= len ? 4 + kl : len;
}

static int key_cmp(const void *a, size_t al, const void *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

/* ---------------------------------------------------------------- environment */

static int ensure_dir(const char *dir, wr_error *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return wr_error_set(err, WR_EIO, "state directory path too long");
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(path, 0700) && errno != EEXIST)
            return wr_error_set(err, WR_EIO, "cannot create %s: %s", path, strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0700) && errno != EEXIST)
        return wr_error_set(err, WR_EIO, "cannot create %s: %s", path, strerror(errno));
    return 0;
}

st_env *st_env_open(const char *dir, const st_env_opts *opts, wr_error *err)
{
    st_env *env = wr_xcalloc(1, sizeof *env);
    env->map_size = opts && opts->map_size ? opts->map_size : (size_t)64 << 20;
    env->cache_limit = opts && opts->cache_bytes ? opts->cache_bytes : (size_t)10 << 20;
    if (dir) {
        env->dir = wr_xstrdup(dir);
        if (ensure_dir(dir, err))
            goto fail;
    } else {
        const char *tmp = getenv("TMPDIR");
        char path[4096];
        snprintf(path, sizeof path, "%s/weir-state.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(path)) {
            wr_error_set(err, WR_EIO, "cannot create a temporary state directory: %s",
                         strerror(errno));
            goto fail;
        }
        env->dir = wr_xstrdup(path);
        env->temp = 1;
    }
    int rc = mdb_env_create(&env->mdb);
    if (!rc)
        rc = mdb_env_set_maxdbs(env->mdb, 1024);
    if (!rc)
        rc = mdb_env_set_mapsize(env->mdb, env->map_size);
    /* NOMETASYNC: the data is synced at every commit, the meta page lazily; an OS crash may
     * lose the last commit but never mixes state and offsets of different commits. */
    if (!rc)
        rc = mdb_env_open(env->mdb, env->dir, MDB_NOTLS | MDB_NOMETASYNC, 0600);
    if (rc) {
        mdb_fail(err, rc, env->dir);
        goto fail;
    }
    int dead = 0;
    mdb_reader_check(env->mdb, &dead); /* reader slots of processes that died */
    MDB_envinfo info;
    mdb_env_info(env->mdb, &info);
    env->map_size = info.me_mapsize; /* an existing environment may be larger */
    MDB_txn *w;
    rc = mdb_txn_begin(env->mdb, NULL, 0, &w);
    if (!rc) {
        rc = mdb_dbi_open(w, "__offsets", MDB_CREATE, &env->offsets);
        rc = rc ? (mdb_txn_abort(w), rc) : mdb_txn_commit(w);
    }
    if (!rc)
        rc = mdb_txn_begin(env->mdb, NULL, MDB_RDONLY, &env->rtxn);
    if (rc) {
        mdb_fail(err, rc, "open");
        goto fail;
    }
    return env;
fail:
    st_env_close(env);
    return NULL;
}

static void entry_free(st_env *env, st_entry *e)
{
    env->cache_bytes -= sizeof *e + e->klen + e->vcap;
    if (e->flags & E_DIRTY)
        env->dirty_bytes -= sizeof *e + e->klen + e->vcap;
    free(e->val);
    free(e);
}

static void prefixes_clear(st_store *s)
{
    for (size_t i = 0; i < s->pcap; i++) {
        st_prefix *p = s->ptab[i], *next;
        for (; p; p = next) {
            next = p->next;
            free(p);
        }
        s->ptab[i] = NULL;
    }
    s->pn = 0;
}

static void store_free(st_store *s)
{
    for (size_t i = 0; i < s->cap; i++) {
        st_entry *e = s->tab[i], *next;
        for (; e; e = next) {
            next = e->next;
            entry_free(s->env, e);
        }
    }
    prefixes_clear(s);
    wr_buf_fini(&s->drops);
    free(s->tab);
    free(s->ptab);
    free(s->name);
    free(s);
}

static void rmtree_env(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/lock.mdb", dir);
    unlink(path);
    rmdir(dir);
}

void st_env_close(st_env *env)
{
    if (!env)
        return;
    for (int i = 0; i < env->nstores; i++)
        store_free(env->stores[i]);
    free(env->stores);
    if (env->rtxn)
        mdb_txn_abort(env->rtxn);
    if (env->mdb)
        mdb_env_close(env->mdb);
    if (env->temp && env->dir)
        rmtree_env(env->dir);
    free(env->dir);
    free(env);
}

const char *st_env_dir(const st_env *env) { return env->dir; }

st_store *st_store_open(st_env *env, const char *name, wr_error *err)
{
    for (int i = 0; i < env->nstores; i++)
        if (strcmp(env->stores[i]->name, name) == 0)
            return env->stores[i];
    st_store *s = wr_xcalloc(1, sizeof *s);
    s->env = env;
    s->name = wr_xstrdup(name);
    s->cap = 64;
    s->tab = wr_xcalloc(s->cap, sizeof *s->tab);
    s->pcap = 16;
    s->ptab = wr_xcalloc(s->pcap, sizeof *s->ptab);
    /* opening a named database needs a write transaction; it carries nothing else */
    mdb_txn_reset(env->rtxn);
    MDB_txn *w;
    int rc = mdb_txn_begin(env->mdb, NULL, 0, &w);
    if (!rc) {
        rc = mdb_dbi_open(w, name, MDB_CREATE, &s->dbi);
        rc = rc ? (mdb_txn_abort(w), rc) : mdb_txn_commit(w);
    }
    int rc2 = mdb_txn_renew(env->rtxn);
    if (rc || rc2) {
        mdb_fail(err, rc ? rc : rc2, name);
        store_free(s);
        return NULL;
    }
    env->stores = wr_xrealloc(env->stores, sizeof *env->stores * (size_t)(env->nstores + 1));
    env->stores[env->nstores++] = s;
    return s;
}

/* ---------------------------------------------------------------- cache */

static uint64_t hash_bytes(const void *p, size_t n) { return XXH3_64bits(p, n); }

static st_entry *cache_find(st_store *s, const void *k, size_t klen, uint64_t h)
{
    for (st_entry *e = s->tab[h & (s->cap - 1)]; e; e = e->next)
        if (e->hash == h && e->klen == klen && memcmp(e->key, k, klen) == 0)
            return e;
    return NULL;
}

static void cache_grow(st_store *s)
{
    size_t ncap = s->cap * 2;
    st_entry **nt = wr_xcalloc(ncap, sizeof *nt);
    for (size_t i = 0; i < s->cap; i++) {
        st_entry *e = s->tab[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = nt[e->hash & (ncap - 1)];
            nt[e->hash & (ncap - 1)] = e;
        }
    }
    free(s->tab);
    s->tab = nt;
    s->cap = ncap;
    s->evict_pos = 0;
}

static void cache_unlink(st_store *s, st_entry *e)
{
    st_entry **pp = &s->tab[e->hash & (s->cap - 1)];
    while (*pp != e)
        pp = &(*pp)->next;
    *pp = e->next;
    s->n--;
}

/* Drops clean entries (clock order) until the cache is under 90 % of its limit. */
static void cache_evict(st_env *env)
{
    size_t goal = env->cache_limit / 10 * 9;
    for (int i = 0; i < env->nstores && env->cache_bytes > goal; i++) {
        st_store *s = env->stores[i];
        for (size_t scanned = 0; scanned < s->cap && env->cache_bytes > goal; scanned++) {
            size_t b = s->evict_pos;
            s->evict_pos = (s->evict_pos + 1) & (s->cap - 1);
            st_entry **pp = &s->tab[b];
            while (*pp) {
                st_entry *e = *pp;
                if (e->flags & E_DIRTY) {
                    pp = &e->next;
                    continue;
                }
                *pp = e->next;
                s->n--;
                entry_free(env, e);
            }
        }
    }
}

static st_entry *cache_insert(st_store *s, const void *k, size_t klen, uint64_t h)
{
    st_env *env = s->env;
    /* evict only when it frees a good share: a cache full of dirty entries (waiting for the
     * commit the driver was asked for) must not be rescanned on every insert */
    if (env->cache_bytes > env->cache_limit &&
        env->cache_bytes - env->dirty_bytes >= env->cache_limit / 10)
        cache_evict(env);
    if (s->n >= s->cap)
        cache_grow(s);
    st_entry *e = wr_xcalloc(1, sizeof *e + klen);
    e->hash = h;
    e->klen = (uint32_t)klen;
    memcpy(e->key, k, klen);
    e->next = s->tab[h & (s->cap - 1)];
    s->tab[h & (s->cap - 1)] = e;
    s->n++;
    env->cache_bytes += sizeof *e + klen;
    return e;
}

static void entry_set_value(st_env *env, st_entry *e, const void *val, size_t vlen)
{
    if (vlen > e->vcap || (val >= (const void *)e->val && val < (const void *)(e->val + e->vcap))) {
        uint32_t ncap = (uint32_t)(vlen < 16 ? 16 : vlen);
        unsigned char *nv = wr_xmalloc(ncap);
        if (vlen)
            memcpy(nv, val, vlen);
        size_t delta_old = e->vcap;
        free(e->val);
        e->val = nv;
        e->vcap = ncap;
        env->cache_bytes += ncap - delta_old;
        if (e->flags & E_DIRTY)
            env->dirty_bytes += ncap - delta_old;
    } else if (vlen) {
        memmove(e->val, val, vlen);
    }
    e->vlen = (uint32_t)vlen;
}

static st_prefix *prefix_get(st_store *s, const unsigned char *k, size_t plen)
{
    uint64_t h = hash_bytes(k, plen);
    for (st_prefix *p = s->ptab[h & (s->pcap - 1)]; p; p = p->next)
        if (p->hash == h && p->plen == plen && memcmp(p->bytes, k, plen) == 0)
            return p;
    if (s->pn >= s->pcap) {
        size_t ncap = s->pcap * 2;
        st_prefix **nt = wr_xcalloc(ncap, sizeof *nt);
        for (size_t i = 0; i < s->pcap; i++) {
            st_prefix *q = s->ptab[i], *next;
            for (; q; q = next) {
                next = q->next;
                q->next = nt[q->hash & (ncap - 1)];
                nt[q->hash & (ncap - 1)] = q;
            }
        }
        free(s->ptab);
        s->ptab = nt;
        s->pcap = ncap;
    }
    st_prefix *p = wr_xcalloc(1, sizeof *p + plen);
    p->hash = h;
    p->plen = (uint32_t)plen;
    memcpy(p->bytes, k, plen);
    p->next = s->ptab[h & (s->pcap - 1)];
    s->ptab[h & (s->pcap - 1)] = p;
    s->pn++;
    return p;
}

static void mark_dirty(st_store *s, st_entry *e)
{
    if (e->flags & E_DIRTY)
        return;
    e->flags |= E_DIRTY;
    s->env->dirty_bytes += sizeof *e + e->klen + e->vcap;
    st_prefix *p = prefix_get(s, e->key, prefix_len(e->key, e->klen));
    e->pnext = p->dirty;
    p->dirty = e;
}

/* Whether LMDB's key k lies under a prefix dropped since the last commit (st_del_prefix). */
static int dropped(const st_store *s, const void *k, size_t klen)
{
    for (size_t off = 0; off + 4 <= s->drops.len;) {
        uint32_t pl;
        memcpy(&pl, s->drops.data + off, 4);
        if (pl <= klen && memcmp(s->drops.data + off + 4, k, pl) == 0)
            return 1;
        off += 4 + pl;
    }
    return 0;
}

/* ---------------------------------------------------------------- point access */

int st_get(st_store *s, const void *k, size_t klen, const void **val, size_t *vlen, wr_error *err)
{
    st_env *env = s->env;
    uint64_t h = hash_bytes(k, klen);
    env->stats.gets++;
    st_entry *e = cache_find(s, k, klen, h);
    if (e) {
        env->stats.cache_hits++;
        if (e->flags & E_DELETED)
            return 0;
        *val = e->val;
        *vlen = e->vlen;
        return 1;
    }
    if (s->clear_pending || (s->drops.len && dropped(s, k, klen)))
        return 0;
    MDB_val mk = {klen, (void *)k}, mv;
    int rc = mdb_get(env->rtxn, s->dbi, &mk, &mv);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return mdb_fail(err, rc, s->name);
    /* read-through: the next update of this key is a cache hit */
    e = cache_insert(s, k, klen, h);
    entry_set_value(env, e, mv.mv_data, mv.mv_size);
    *val = e->val;
    *vlen = e->vlen;
    return 1;
}

void st_put(st_store *s, const void *k, size_t klen, const void *val, size_t vlen)
{
    uint64_t h = hash_bytes(k, klen);
    st_entry *e = cache_find(s, k, klen, h);
    if (!e)
        e = cache_insert(s, k, klen, h);
    entry_set_value(s->env, e, val, vlen);
    e->flags &= (uint8_t)~E_DELETED;
    mark_dirty(s, e);
}

void st_del(st_store *s, const void *k, size_t klen)
{
    uint64_t h = hash_bytes(k, klen);
    st_entry *e = cache_find(s, k, klen, h);
    if (!e)
        e = cache_insert(s, k, klen, h);
    e->vlen = 0;
    e->flags |= E_DELETED;
    mark_dirty(s, e);
}

int st_store_clear(st_store *s, wr_error *err)
{
    (void)err;
    for (size_t i = 0; i < s->cap; i++) {
        st_entry *e = s->tab[i], *next;
        for (; e; e = next) {
            next = e->next;
            entry_free(s->env, e);
        }
        s->tab[i] = NULL;
    }
    s->n = 0;
    prefixes_clear(s);
    wr_buf_reset(&s->drops);
    s->clear_pending = 1;
    return 0;
}

void st_del_prefix(st_store *s, const void *prefix, size_t plen)
{
    /* cached keys under the prefix read as deleted from now on; the dirty ones are written as
     * deletions (a no-op after the range went), the clean ones are LMDB copies */
    for (size_t i = 0; i < s->cap; i++)
        for (st_entry *e = s->tab[i]; e; e = e->next)
            if (e->klen >= plen && memcmp(e->key, prefix, plen) == 0 && !(e->flags & E_DELETED)) {
                e->vlen = 0;
                e->flags |= E_DELETED;
            }
    uint32_t pl = (uint32_t)plen;
    wr_buf_append(&s->drops, &pl, 4);
    wr_buf_append(&s->drops, prefix, plen);
}

/* ---------------------------------------------------------------- scans */

typedef struct dvec {
    st_entry **v;
    size_t n, cap;
} dvec;

static void dvec_push(dvec *d, st_entry *e)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->v = wr_xrealloc(d->v, d->cap * sizeof *d->v);
    }
    d->v[d->n++] = e;
}

static int entry_order(const void *a, const void *b)
{
    const st_entry *x = *(st_entry *const *)a, *y = *(st_entry *const *)b;
    return key_cmp(x->key, x->klen, y->key, y->klen);
}

static int in_range(const void *k, size_t kl, const void *lo, size_t lol, const void *hi,
                    size_t hil)
{
    if (lo && key_cmp(k, kl, lo, lol) < 0)
        return 0;
    if (hi && key_cmp(k, kl, hi, hil) >= 0)
        return 0;
    return 1;
}

static void collect_prefix(st_prefix *p, const void *lo, size_t lol, const void *hi, size_t hil,
                           dvec *d)
{
    for (st_entry *e = p->dirty; e; e = e->pnext)
        if (in_range(e->key, e->klen, lo, lol, hi, hil))
            dvec_push(d, e);
}

/* Merges the sorted dirty entries d over the LMDB cursor range [lo, hi). */
static int merge_scan(st_store *s, dvec *d, const void *lo, size_t lol, const void *hi, size_t hil,
                      st_scan_cb cb, void *ud, wr_error *err)
{
    if (d->n > 1)
        qsort(d->v, d->n, sizeof *d->v, entry_order);
    MDB_cursor *cur = NULL;
    int rc = 0, stop = 0;
    MDB_val mk = {0, NULL}, mv = {0, NULL};
    int have = 0;
    if (!s->clear_pending) {
        rc = mdb_cursor_open(s->env->rtxn, s->dbi, &cur);
        if (rc)
            return mdb_fail(err, rc, s->name);
        if (lo) {
            mk.mv_size = lol;
            mk.mv_data = (void *)lo;
            rc = mdb_cursor_get(cur, &mk, &mv, MDB_SET_RANGE);
        } else
            rc = mdb_cursor_get(cur, &mk, &mv, MDB_FIRST);
        have = rc == 0;
        if (rc && rc != MDB_NOTFOUND)
            goto out;
        rc = 0;
    }
    size_t i = 0;
    while (!stop) {
        if (have && hi && key_cmp(mk.mv_data, mk.mv_size, hi, hil) >= 0)
            have = 0;
        if (!have && i >= d->n)
            break;
        int c;
        if (!have)
            c = 1;
        else if (i >= d->n)
            c = -1;
        else
            c = key_cmp(mk.mv_data, mk.mv_size, d->v[i]->key, d->v[i]->klen);
        if (c < 0) {
            /* LMDB's key, unless st_del_prefix dropped it (a dirty key equal to it wins) */
            if (!s->drops.len || !dropped(s, mk.mv_data, mk.mv_size))
                stop = cb(ud, mk.mv_data, mk.mv_size, mv.mv_data, mv.mv_size);
        } else {
            st_entry *e = d->v[i++];
            if (!(e->flags & E_DELETED))
                stop = cb(ud, e->key, e->klen, e->val, e->vlen);
        }
        if (c <= 0 && have && !stop) {
            rc = mdb_cursor_get(cur, &mk, &mv, MDB_NEXT);
            have = rc == 0;
            if (rc && rc != MDB_NOTFOUND)
                goto out;
            rc = 0;
        }
    }
out:
    if (cur)
        mdb_cursor_close(cur);
    return rc ? mdb_fail(err, rc, s->name) : 0;
}

int st_scan(st_store *s, const void *lo, size_t lolen, const void *hi, size_t hilen, st_scan_cb cb,
            void *ud, wr_error *err)
{
    dvec d = {0};
    for (size_t i = 0; i < s->pcap; i++)
        for (st_prefix *p = s->ptab[i]; p; p = p->next)
            collect_prefix(p, lo, lolen, hi, hilen, &d);
    int rc = merge_scan(s, &d, lo, lolen, hi, hilen, cb, ud, err);
    free(d.v);
    return rc;
}

int st_scan_prefix(st_store *s, const void *prefix, size_t plen, st_scan_cb cb, void *ud,
                   wr_error *err)
{
    /* [prefix, prefix + 1): the first key after every key that starts with prefix */
    unsigned char stackbuf[256];
    unsigned char *hi = plen <= sizeof stackbuf ? stackbuf : wr_xmalloc(plen);
    memcpy(hi, prefix, plen);
    size_t hil = plen;
    while (hil > 0 && hi[hil - 1] == 0xff)
        hil--;
    const void *hip = NULL;
    if (hil > 0) {
        hi[hil - 1]++;
        hip = hi;
    }
    dvec d = {0};
    uint64_t h = hash_bytes(prefix, plen);
    for (st_prefix *p = s->ptab[h & (s->pcap - 1)]; p; p = p->next)
        if (p->hash == h && p->plen == plen && memcmp(p->bytes, prefix, plen) == 0)
            collect_prefix(p, prefix, plen, hip, hil, &d);
    int rc = merge_scan(s, &d, prefix, plen, hip, hil, cb, ud, err);
    free(d.v);
    if (hi != stackbuf)
        free(hi);
    return rc;
}

/* ---------------------------------------------------------------- commit */

static size_t offset_key(unsigned char *buf, size_t cap, const char *group, const char *topic,
                         int32_t partition)
{
    size_t gl = strlen(group), tl = strlen(topic);
    if (gl + tl + 6 > cap)
        return 0;
    memcpy(buf, group, gl + 1);
    memcpy(buf + gl + 1, topic, tl + 1);
    unsigned char *p = buf + gl + tl + 2;
    p[0] = (unsigned char)((uint32_t)partition >> 24);
    p[1] = (unsigned char)((uint32_t)partition >> 16);
    p[2] = (unsigned char)((uint32_t)partition >> 8);
    p[3] = (unsigned char)partition;
    return gl + tl + 6;
}

/* Deletes every key that starts with prefix p (one cursor walk). */
static int drop_range(MDB_txn *w, MDB_dbi dbi, const unsigned char *p, size_t pl,
                      uint64_t *writes)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(w, dbi, &cur);
    if (rc)
        return rc;
    for (;;) {
        /* seek again after each delete: the plainest way past LMDB's cursor-after-delete
         * corner cases, at O(log n) a key */
        MDB_val k = {pl, (void *)p}, v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        if (rc || k.mv_size < pl || memcmp(k.mv_data, p, pl) != 0)
            break;
        if ((rc = mdb_cursor_del(cur, 0)))
            break;
        (*writes)++;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int commit_once(st_env *env, const st_offset *offs, int n, uint64_t *writes)
{
    MDB_txn *w;
    int rc = mdb_txn_begin(env->mdb, NULL, 0, &w);
    if (rc)
        return rc;
    *writes = 0;
    for (int i = 0; i < env->nstores && !rc; i++) {
        st_store *s = env->stores[i];
        if (s->clear_pending)
            rc = mdb_drop(w, s->dbi, 0);
        for (size_t off = 0; off + 4 <= s->drops.len && !rc;) {
            uint32_t pl;
            memcpy(&pl, s->drops.data + off, 4);
            rc = drop_range(w, s->dbi, (const unsigned char *)s->drops.data + off + 4, pl, writes);
            off += 4 + pl;
        }
        for (size_t b = 0; b < s->pcap && !rc; b++)
            for (st_prefix *p = s->ptab[b]; p && !rc; p = p->next)
                for (st_entry *e = p->dirty; e && !rc; e = e->pnext) {
                    MDB_val k = {e->klen, e->key}, v = {e->vlen, e->val};
                    if (e->flags & E_DELETED) {
                        rc = mdb_del(w, s->dbi, &k, NULL);
                        if (rc == MDB_NOTFOUND)
                            rc = 0;
                    } else
                        rc = mdb_put(w, s->dbi, &k, &v, 0);
                    (*writes)++;
                }
    }
    for (int i = 0; i < n && !rc; i++) {
        unsigned char kb[1024];
        size_t kl = offset_key(kb, sizeof kb, offs[i].group, offs[i].topic, offs[i].partition);
        if (!kl)
            continue;
        MDB_val k = {kl, kb}, v = {sizeof offs[i].offset, (void *)&offs[i].offset};
        rc = mdb_put(w, env->offsets, &k, &v, 0);
    }
    if (rc) {
        mdb_txn_abort(w);
        return rc;
    }
    return mdb_txn_commit(w);
}

static int grow_map(st_env *env)
{
    size_t nsize = env->map_size * 2;
    int rc = mdb_env_set_mapsize(env->mdb, nsize);
    if (!rc) {
        env->map_size = nsize;
        env->stats.map_grows++;
    }
    return rc;
}

int st_env_commit(st_env *env, const st_offset *offs, int n, wr_error *err)
{
    mdb_txn_reset(env->rtxn);
    uint64_t writes = 0;
    int rc;
    /* a full map aborts the transaction; the cache still holds everything: grow, retry */
    while ((rc = commit_once(env, offs, n, &writes)) == MDB_MAP_FULL) {
        rc = grow_map(env);
        if (rc)
            break;
    }
    if (!rc) {
        /* keep ahead: double the map while it is more than half used */
        MDB_envinfo info;
        MDB_stat st;
        if (!mdb_env_info(env->mdb, &info) && !mdb_env_stat(env->mdb, &st) &&
            (size_t)(info.me_last_pgno + 1) * st.ms_psize > env->map_size / 2)
            grow_map(env);
    }
    int rc2 = mdb_txn_renew(env->rtxn);
    if (rc)
        return mdb_fail(err, rc, "commit");
    if (rc2)
        return mdb_fail(err, rc2, "renew");
    /* everything is in LMDB now: dirty entries become clean (deleted ones leave the cache) */
    for (int i = 0; i < env->nstores; i++) {
        st_store *s = env->stores[i];
        s->clear_pending = 0;
        wr_buf_reset(&s->drops);
        for (size_t b = 0; b < s->pcap; b++)
            for (st_prefix *p = s->ptab[b]; p; p = p->next) {
                st_entry *e = p->dirty, *next;
                for (; e; e = next) {
                    next = e->pnext;
                    e->pnext = NULL;
                    env->dirty_bytes -= sizeof *e + e->klen + e->vcap;
                    e->flags &= (uint8_t)~E_DIRTY;
                    if (e->flags & E_DELETED) {
                        cache_unlink(s, e);
                        entry_free(env, e);
                    }
                }
            }
        prefixes_clear(s);
    }
    env->stats.writes += writes;
    env->stats.commits++;
    if (env->cache_bytes > env->cache_limit)
        cache_evict(env);
    return 0;
}

int st_env_commit_wanted(const st_env *env) { return env->dirty_bytes > env->cache_limit; }

int st_env_offset(st_env *env, const char *group, const char *topic, int32_t partition,
                  int64_t *offset)
{
    unsigned char kb[1024];
    size_t kl = offset_key(kb, sizeof kb, group, topic, partition);
    MDB_val k = {kl, kb}, v;
    if (!kl || mdb_get(env->rtxn, env->offsets, &k, &v) || v.mv_size != sizeof *offset)
        return 0;
    memcpy(offset, v.mv_data, sizeof *offset);
    return 1;
}

int st_env_offsets(st_env *env, const char *group,
                   void (*cb)(void *ud, const char *topic, int32_t partition, int64_t offset),
                   void *ud)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(env->rtxn, env->offsets, &cur))
        return 0;
    size_t gl = strlen(group);
    MDB_val k = {gl + 1, (void *)group}, v;
    int count = 0;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const char *kp = k.mv_data;
        if (k.mv_size < gl + 6 || memcmp(kp, group, gl + 1) != 0)
            break;
        const char *topic = kp + gl + 1;
        size_t tl = strnlen(topic, k.mv_size - gl - 1);
        if (gl + tl + 6 != k.mv_size || v.mv_size != sizeof(int64_t))
            continue;
        const unsigned char *pp = (const unsigned char *)topic + tl + 1;
        int32_t part = (int32_t)wr_be_get(pp, 4);
        int64_t off;
        memcpy(&off, v.mv_data, sizeof off);
        cb(ud, topic, part, off);
        count++;
    }
    mdb_cursor_close(cur);
    return count;
}

void st_env_stats(st_env *env, st_stats *out)
{
    *out = env->stats;
    out->map_size = env->map_size;
    out->cache_bytes = env->cache_bytes;
    out->dirty_bytes = env->dirty_bytes;
    MDB_envinfo info;
    MDB_stat st;
    if (!mdb_env_info(env->mdb, &info) && !mdb_env_stat(env->mdb, &st))
        out->used_bytes = (size_t)(info.me_last_pgno + 1) * st.ms_psize;
    out->entries = 0;
    out->data_bytes = 0;
    for (int i = 0; i < env->nstores; i++)
        if (!mdb_stat(env->rtxn, env->stores[i]->dbi, &st)) {
            out->entries += st.ms_entries;
            out->data_bytes += (st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) *
                               (size_t)st.ms_psize;
        }
}
