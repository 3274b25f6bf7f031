/*
 * testrun.c - `weir test`: the query test runner (docs/TEST-RUNNER.md).
 *
 * Topics live in memory here (an in-memory wr_topics_vt): every topic is a list of records
 * that only grows.  The run is deterministic: statements execute in order, then every
 * persistent query, in creation order, is fed its input records in file order and afterwards
 * whatever earlier queries (or INSERT statements) already wrote to its other source topics.
 * Finally the records of every topic named in the output file are compared with the expected
 * ones, or (--record) written out in the output-file format.
 *
 * Why a JSON reader of our own: expected records compare numbers as exact decimals with their
 * scale (`1.50` is not `1.5`, `4` is not `4.0`, `2.1474836489E9` is `2147483648.9`).  jansson
 * turns every number into an int64 or a double, which loses exactly that (and rejects
 * integers beyond int64), so the test files are read with the small reader below, which keeps
 * each value's source text.  The same text is what JSON-format input records are written as,
 * so a DECIMAL input such as 0.10 reaches the engine byte for byte as written.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "serde.h"
#include "testrun.h"

/* ------------------------------------------------------------------ JSON with source text */

enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

typedef struct jv jv;
struct jv {
    int kind;
    const char *raw;   /* the value's exact text in its document */
    size_t rawlen;
    int b;             /* JV_BOOL */
    const char *s;     /* JV_STR: unescaped bytes, NUL-terminated */
    size_t slen;
    int n;             /* JV_ARR items / JV_OBJ fields */
    jv *items;
    const char **keys; /* JV_OBJ: unescaped field names */
};

typedef struct jparser {
    const char *start, *p, *end;
    wr_arena *a;
    const char *err; /* first error, static text */
    const char *errp;
} jparser;

static jv *jparse_value(jparser *jp, int depth);

static void jskip_ws(jparser *jp)
{
    while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
        jp->p++;
}

static jv *jfail(jparser *jp, const char *msg)
{
    if (!jp->err) {
        jp->err = msg;
        jp->errp = jp->p;
    }
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_hex4(jparser *jp, unsigned *out)
{
    unsigned v = 0;
    if (jp->end - jp->p < 4) return -1;
    for (int i = 0; i < 4; i++) {
        int h = hexval(jp->p[i]);
        if (h < 0) return -1;
        v = v * 16 + (unsigned)h;
    }
    jp->p += 4;
    *out = v;
    return 0;
}

/* Reads a string literal at jp->p (on the opening quote); the unescaped bytes go to the arena. */
static int jparse_string(jparser *jp, const char **out, size_t *outlen)
{
    wr_buf b;
    wr_buf_init(&b);
    jp->p++;
    for (;;) {
        if (jp->p >= jp->end) {
            jfail(jp, "unterminated string");
            goto fail;
        }
        char c = *jp->p;
        if (c == '"') {
            jp->p++;
            break;
        }
        if ((unsigned char)c < 0x20) {
            jfail(jp, "control character in string");
            goto fail;
        }
        if (c != '\\') {
            wr_buf_putc(&b, c);
            jp->p++;
            continue;
        }
        jp->p++;
        if (jp->p >= jp->end) {
            jfail(jp, "unterminated string");
            goto fail;
        }
        c = *jp->p++;
        switch (c) {
        case '"': wr_buf_putc(&b, '"'); break;
        case '\\': wr_buf_putc(&b, '\\'); break;
        case '/': wr_buf_putc(&b, '/'); break;
        case 'b': wr_buf_putc(&b, '\b'); break;
        case 'f': wr_buf_putc(&b, '\f'); break;
        case 'n': wr_buf_putc(&b, '\n'); break;
        case 'r': wr_buf_putc(&b, '\r'); break;
        case 't': wr_buf_putc(&b, '\t'); break;
        case 'u': {
            unsigned cp, lo;
            if (read_hex4(jp, &cp) < 0) {
                jfail(jp, "bad \\u escape");
                goto fail;
            }
            if (cp >= 0xD800 && cp < 0xDC00 && jp->end - jp->p >= 6 && jp->p[0] == '\\' &&
                jp->p[1] == 'u') {
                const char *save = jp->p;
                jp->p += 2;
                if (read_hex4(jp, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else
                    jp->p = save;
            }
            char u8[4];
            wr_buf_append(&b, u8, (size_t)wr_utf8_put(cp, u8));
            break;
        }
        default:
            jfail(jp, "bad escape in string");
            goto fail;
        }
    }
    *out = wr_arena_strndup(jp->a, b.data ? b.data : "", b.len);
    *outlen = b.len;
    wr_buf_fini(&b);
    return 0;
fail:
    wr_buf_fini(&b);
    return -1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static jv *jparse_number(jparser *jp, jv *v)
{
    const char *p = jp->p;
    if (p < jp->end && *p == '-') p++;
    if (p >= jp->end || !is_digit(*p)) return jfail(jp, "invalid number");
    if (*p == '0') p++;
    else while (p < jp->end && is_digit(*p)) p++;
    if (p < jp->end && *p == '.') {
        p++;
        if (p >= jp->end || !is_digit(*p)) return jfail(jp, "invalid number");
        while (p < jp->end && is_digit(*p)) p++;
    }
    if (p < jp->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < jp->end && (*p == '+' || *p == '-')) p++;
        if (p >= jp->end || !is_digit(*p)) return jfail(jp, "invalid number");
        while (p < jp->end && is_digit(*p)) p++;
    }
    v->kind = JV_NUM;
    jp->p = p;
    return v;
}

static int jmatch_word(jparser *jp, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, w, n) != 0) return 0;
    jp->p += n;
    return 1;
}

static jv *jparse_value(jparser *jp, int depth)
{
    jskip_ws(jp);
    if (depth > 200) return jfail(jp, "nesting too deep");
    if (jp->p >= jp->end) return jfail(jp, "unexpected end of input");
    jv *v = wr_arena_calloc(jp->a, sizeof *v);
    v->raw = jp->p;
    char c = *jp->p;
    if (c == '{' || c == '[') {
        int obj = c == '{';
        char close = obj ? '}' : ']';
        jv **items = NULL;
        const char **keys = NULL;
        int n = 0, cap = 0;
        jp->p++;
        jskip_ws(jp);
        if (jp->p < jp->end && *jp->p == close) {
            jp->p++;
        } else {
            for (;;) {
                const char *key = NULL;
                size_t klen;
                jskip_ws(jp);
                if (obj) {
                    if (jp->p >= jp->end || *jp->p != '"') {
                        jfail(jp, "expected a field name");
                        goto cfail;
                    }
                    if (jparse_string(jp, &key, &klen) < 0) goto cfail;
                    jskip_ws(jp);
                    if (jp->p >= jp->end || *jp->p != ':') {
                        jfail(jp, "expected ':'");
                        goto cfail;
                    }
                    jp->p++;
                }
                jv *item = jparse_value(jp, depth + 1);
                if (!item) goto cfail;
                if (n == cap) {
                    cap = cap ? cap * 2 : 8;
                    items = wr_xrealloc(items, (size_t)cap * sizeof *items);
                    keys = wr_xrealloc(keys, (size_t)cap * sizeof *keys);
                }
                items[n] = item;
                keys[n] = key;
                n++;
                jskip_ws(jp);
                if (jp->p < jp->end && *jp->p == ',') {
                    jp->p++;
                    continue;
                }
                if (jp->p < jp->end && *jp->p == close) {
                    jp->p++;
                    break;
                }
                jfail(jp, obj ? "expected ',' or '}'" : "expected ',' or ']'");
                goto cfail;
            }
        }
        v->kind = obj ? JV_OBJ : JV_ARR;
        v->n = n;
        v->items = wr_arena_alloc(jp->a, (size_t)(n ? n : 1) * sizeof *v->items);
        for (int i = 0; i < n; i++) v->items[i] = *items[i];
        if (obj) {
            v->keys = wr_arena_alloc(jp->a, (size_t)(n ? n : 1) * sizeof *v->keys);
            for (int i = 0; i < n; i++) v->keys[i] = keys[i];
        }
        free(items);
        free(keys);
        goto done;
    cfail:
        free(items);
        free(keys);
        return NULL;
    }
    if (c == '"') {
        v->kind = JV_STR;
        if (jparse_string(jp, &v->s, &v->slen) < 0) return NULL;
    } else if (c == '-' || is_digit(c)) {
        if (!jparse_number(jp, v)) return NULL;
    } else if (jmatch_word(jp, "true")) {
        v->kind = JV_BOOL;
        v->b = 1;
    } else if (jmatch_word(jp, "false")) {
        v->kind = JV_BOOL;
    } else if (jmatch_word(jp, "null")) {
        v->kind = JV_NULL;
    } else {
        return jfail(jp, "unexpected character");
    }
done:
    v->rawlen = (size_t)(jp->p - v->raw);
    return v;
}

/* Parses one complete JSON document.  NULL on error, with *errmsg and *erroff set. */
static jv *jv_parse(wr_arena *a, const char *text, size_t len, const char **errmsg, size_t *erroff)
{
    jparser jp = {.start = text, .p = text, .end = text + len, .a = a};
    jv *v = jparse_value(&jp, 0);
    if (v) {
        jskip_ws(&jp);
        if (jp.p != jp.end) {
            jfail(&jp, "trailing characters after the document");
            v = NULL;
        }
    }
    if (!v) {
        if (errmsg) *errmsg = jp.err ? jp.err : "invalid JSON";
        if (erroff) *erroff = (size_t)((jp.errp ? jp.errp : jp.p) - text);
    }
    return v;
}

/* Field of an object by exact name, then by the upper-cased name (TEST-RUNNER.md). */
static const jv *jv_field(const jv *o, const char *name)
{
    if (!o || o->kind != JV_OBJ) return NULL;
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], name) == 0) return &o->items[i];
    char up[256];
    size_t n = strlen(name);
    if (n >= sizeof up) return NULL;
    for (size_t i = 0; i <= n; i++)
        up[i] = (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 32) : name[i];
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], up) == 0) return &o->items[i];
    return NULL;
}

/* Field by case-insensitive name (record envelope keys: "topic", "KEY", ...). */
static const jv *jv_field_ci(const jv *o, const char *name)
{
    if (!o || o->kind != JV_OBJ) return NULL;
    for (int i = 0; i < o->n; i++)
        if (wr_strcaseeq(o->keys[i], name)) return &o->items[i];
    return NULL;
}

/* Compact JSON text of a value (numbers exactly as written). */
static void jv_write(const jv *v, wr_buf *out)
{
    switch (v->kind) {
    case JV_NULL: wr_buf_puts(out, "null"); break;
    case JV_BOOL: wr_buf_puts(out, v->b ? "true" : "false"); break;
    case JV_NUM: wr_buf_append(out, v->raw, v->rawlen); break;
    case JV_STR: wr_json_write_string(v->s, v->slen, out); break;
    case JV_ARR:
    case JV_OBJ:
        wr_buf_putc(out, v->kind == JV_ARR ? '[' : '{');
        for (int i = 0; i < v->n; i++) {
            if (i) wr_buf_putc(out, ',');
            if (v->kind == JV_OBJ) {
                wr_json_write_string(v->keys[i], strlen(v->keys[i]), out);
                wr_buf_putc(out, ':');
            }
            jv_write(&v->items[i], out);
        }
        wr_buf_putc(out, v->kind == JV_ARR ? ']' : '}');
        break;
    }
}

/* ------------------------------------------------------------------ exact decimal numbers */

/* A JSON number as sign, significant digits and scale: value = digits * 10^-scale. */
typedef struct dnum {
    int neg;
    int is_int;     /* written without fraction or exponent */
    char dig[128];  /* no leading zeros; "0" for zero */
    long scale;
} dnum;

static int dnum_parse(const char *s, size_t n, dnum *d)
{
    const char *p = s, *e = s + n;
    size_t nd = 0;
    long nfrac = 0, exp = 0;
    int eneg = 0;
    memset(d, 0, sizeof *d);
    d->is_int = 1;
    if (p < e && *p == '-') {
        d->neg = 1;
        p++;
    }
    for (; p < e && is_digit(*p); p++) {
        if (nd == 0 && *p == '0') continue;
        if (nd + 1 >= sizeof d->dig) return -1;
        d->dig[nd++] = *p;
    }
    if (p < e && *p == '.') {
        d->is_int = 0;
        for (p++; p < e && is_digit(*p); p++) {
            nfrac++;
            if (nd == 0 && *p == '0') continue;
            if (nd + 1 >= sizeof d->dig) return -1;
            d->dig[nd++] = *p;
        }
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        d->is_int = 0;
        p++;
        if (p < e && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        for (; p < e && is_digit(*p); p++) {
            if (exp > 100000) return -1;
            exp = exp * 10 + (*p - '0');
        }
    }
    if (nd == 0) {
        d->dig[nd++] = '0';
        d->neg = 0;
    }
    d->dig[nd] = 0;
    d->scale = nfrac - (eneg ? -exp : exp);
    return 0;
}

/* The integer part (truncated toward zero) of a decimal, as an integer dnum. */
static void dnum_int_part(const dnum *d, dnum *out)
{
    size_t nd = strlen(d->dig);
    memset(out, 0, sizeof *out);
    out->is_int = 1;
    out->neg = d->neg;
    if (strcmp(d->dig, "0") == 0) {
        strcpy(out->dig, "0");
        out->neg = 0;
    } else if (d->scale <= 0) {
        size_t z = (size_t)(-d->scale);
        if (nd + z + 1 > sizeof out->dig) z = sizeof out->dig - nd - 1;
        memcpy(out->dig, d->dig, nd);
        memset(out->dig + nd, '0', z);
        out->dig[nd + z] = 0;
    } else if ((size_t)d->scale >= nd) {
        strcpy(out->dig, "0");
        out->neg = 0;
    } else {
        memcpy(out->dig, d->dig, nd - (size_t)d->scale);
        out->dig[nd - (size_t)d->scale] = 0;
    }
}

/* Numbers are exact decimals (TEST-RUNNER.md "Comparison rules"). */
static int num_equal(const jv *exp, const jv *act)
{
    dnum e, a, ei;
    if (dnum_parse(exp->raw, exp->rawlen, &e) < 0 || dnum_parse(act->raw, act->rawlen, &a) < 0)
        return exp->rawlen == act->rawlen && memcmp(exp->raw, act->raw, exp->rawlen) == 0;
    if (e.is_int && a.is_int) return e.neg == a.neg && strcmp(e.dig, a.dig) == 0;
    if (e.is_int) return 0; /* an expected integer never matches a decimal */
    if (a.is_int) {         /* expected decimal vs actual integer: the expected integer part */
        dnum_int_part(&e, &ei);
        return ei.neg == a.neg && strcmp(ei.dig, a.dig) == 0;
    }
    return e.neg == a.neg && e.scale == a.scale && strcmp(e.dig, a.dig) == 0;
}

/* ------------------------------------------------------------------ comparison */

static const char *kind_name(int k)
{
    static const char *names[] = {"null", "boolean", "number", "string", "array", "object"};
    return names[k];
}

/* Compares expected against actual.  0 when they match; otherwise 1 with `why` describing the
 * first difference at `path` (e.g. value.ADDRESS.CITY or value.ITEMS[2]). */
static int jv_match(const jv *exp, const jv *act, wr_buf *path, wr_buf *why)
{
    size_t mark = path->len;
    int rc = 0;
    if (exp->kind != act->kind) {
        wr_buf_printf(why, "%s: expected %s ", path->data, kind_name(exp->kind));
        jv_write(exp, why);
        wr_buf_printf(why, " but was %s ", kind_name(act->kind));
        jv_write(act, why);
        return 1;
    }
    switch (exp->kind) {
    case JV_NULL: return 0;
    case JV_BOOL:
        rc = exp->b != act->b;
        break;
    case JV_NUM:
        rc = !num_equal(exp, act);
        break;
    case JV_STR:
        rc = exp->slen != act->slen || memcmp(exp->s, act->s, exp->slen) != 0;
        break;
    case JV_ARR:
        if (exp->n != act->n) {
            wr_buf_printf(why, "%s: expected %d array elements but was %d: expected ", path->data,
                          exp->n, act->n);
            jv_write(exp, why);
            wr_buf_puts(why, " but was ");
            jv_write(act, why);
            return 1;
        }
        for (int i = 0; i < exp->n; i++) {
            wr_buf_printf(path, "[%d]", i);
            rc = jv_match(&exp->items[i], &act->items[i], path, why);
            path->len = mark;
            path->data[mark] = 0;
            if (rc) return rc;
        }
        return 0;
    case JV_OBJ:
        if (exp->n != act->n) {
            wr_buf_printf(why, "%s: expected %d fields but was %d: expected ", path->data, exp->n,
                          act->n);
            jv_write(exp, why);
            wr_buf_puts(why, " but was ");
            jv_write(act, why);
            return 1;
        }
        for (int i = 0; i < exp->n; i++) {
            const jv *f = jv_field(act, exp->keys[i]);
            if (!f) {
                wr_buf_printf(why, "%s: expected field '%s' is missing: expected ", path->data,
                              exp->keys[i]);
                jv_write(exp, why);
                wr_buf_puts(why, " but was ");
                jv_write(act, why);
                return 1;
            }
            wr_buf_printf(path, ".%s", exp->keys[i]);
            rc = jv_match(&exp->items[i], f, path, why);
            path->len = mark;
            path->data[mark] = 0;
            if (rc) return rc;
        }
        return 0;
    }
    if (rc) {
        wr_buf_printf(why, "%s: expected ", path->data);
        jv_write(exp, why);
        wr_buf_puts(why, " but was ");
        jv_write(act, why);
    }
    return rc;
}

/* ------------------------------------------------------------------ in-memory topics */

typedef struct trec {
    char *key;         /* NULL: null key */
    size_t key_len;
    char *value;       /* NULL: tombstone */
    size_t value_len;
    int64_t ts;
    int win_kind;
    int64_t win_start, win_end;
    int nheaders;
    wr_header *headers;
    int from_input;    /* written by the input file (not by a statement or query) */
} trec;

typedef struct topic {
    char *name;
    int partitions;
    trec *recs;
    int n, cap;
} topic;

typedef struct run {
    wr_arena arena;         /* everything that lives for the whole run */
    topic **topics;
    int ntopics, cap;
    wr_engine *eng;
    wr_buf log;             /* processing log and warnings, shown when the test fails */
    int nplog;              /* processing-log entries: also reported when the test passes */
    const char *sql;
} run;

static topic *topic_find(run *r, const char *name)
{
    for (int i = 0; i < r->ntopics; i++)
        if (strcmp(r->topics[i]->name, name) == 0) return r->topics[i];
    return NULL;
}

static topic *topic_get(run *r, const char *name, int partitions)
{
    topic *t = topic_find(r, name);
    if (t) return t;
    if (r->ntopics == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->topics = wr_xrealloc(r->topics, (size_t)r->cap * sizeof *r->topics);
    }
    t = wr_arena_calloc(&r->arena, sizeof *t);
    t->name = wr_arena_strdup(&r->arena, name);
    t->partitions = partitions > 0 ? partitions : 1;
    r->topics[r->ntopics++] = t;
    return t;
}

static trec *topic_append(topic *t)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->recs = wr_xrealloc(t->recs, (size_t)t->cap * sizeof *t->recs);
    }
    trec *rec = &t->recs[t->n++];
    memset(rec, 0, sizeof *rec);
    return rec;
}

/* Every topic the engine asks about exists: in the test model each topic named in a CREATE,
 * the inputs or the outputs exists with one partition, so it is created on first use. */
static int on_exists(void *ud, const char *name)
{
    topic_get(ud, name, 1);
    return 1;
}

static int on_create(void *ud, const char *name, int partitions, int replicas, wr_error *err)
{
    topic_get(ud, name, partitions);
    return 0;
}

static int on_remove(void *ud, const char *name)
{
    run *r = ud;
    for (int i = 0; i < r->ntopics; i++) {
        if (strcmp(r->topics[i]->name, name) == 0) {
            free(r->topics[i]->recs);
            memmove(&r->topics[i], &r->topics[i + 1], (size_t)(r->ntopics - i - 1) * sizeof *r->topics);
            r->ntopics--;
            return 0;
        }
    }
    return 0;
}

static int on_partitions(void *ud, const char *name)
{
    topic *t = topic_find(ud, name);
    return t ? t->partitions : 1;
}

static void on_list(void *ud, void (*cb)(void *cbud, const char *topic, int partitions), void *cbud)
{
    run *r = ud;
    for (int i = 0; i < r->ntopics; i++) cb(cbud, r->topics[i]->name, r->topics[i]->partitions);
}

static int on_produce(void *ud, const char *name, const wr_record *in, wr_error *err)
{
    run *r = ud;
    trec *rec = topic_append(topic_get(r, name, 1));
    if (in->key) {
        rec->key = wr_arena_alloc(&r->arena, in->key_len + 1);
        memcpy(rec->key, in->key, in->key_len);
        rec->key[in->key_len] = 0;
        rec->key_len = in->key_len;
    }
    if (in->value) {
        rec->value = wr_arena_alloc(&r->arena, in->value_len + 1);
        memcpy(rec->value, in->value, in->value_len);
        rec->value[in->value_len] = 0;
        rec->value_len = in->value_len;
    }
    rec->ts = in->ts;
    rec->win_kind = in->win_kind;
    rec->win_start = in->win_start;
    rec->win_end = in->win_end;
    if (in->nheaders > 0) {
        rec->nheaders = in->nheaders;
        rec->headers = wr_arena_alloc(&r->arena, (size_t)in->nheaders * sizeof *rec->headers);
        for (int i = 0; i < in->nheaders; i++) {
            const wr_header *h = &in->headers[i];
            rec->headers[i].key = wr_arena_strdup(&r->arena, h->key ? h->key : "");
            rec->headers[i].value = h->value ? wr_arena_memdup(&r->arena, h->value, h->len) : NULL;
            rec->headers[i].len = h->value ? h->len : 0;
        }
    }
    return 0;
}

static const wr_topics_vt mem_topics = {
    .exists = on_exists,
    .create = on_create,
    .remove = on_remove,
    .partitions = on_partitions,
    .list = on_list,
    .produce = on_produce,
};

static void on_plog(void *ud, const wr_plog_entry *e)
{
    run *r = ud;
    r->nplog++;
    wr_buf_printf(&r->log, "  [processing log %s] %s\n", e->query_id ? e->query_id : "-", e->json);
}

static void on_log(void *ud, int level, const char *msg)
{
    run *r = ud;
    if (level >= WR_LOG_WARN)
        wr_buf_printf(&r->log, "  [%s] %s\n", level == WR_LOG_WARN ? "warn" : "error", msg);
}

/* ------------------------------------------------------------------ records <-> JSON */

/* Value columns that the value format carries (HEADER columns are not in the payload). */
static int payload_cols(const wr_column *cols, int n, wr_column *out, int max)
{
    int k = 0;
    for (int i = 0; i < n && k < max; i++)
        if (cols[i].role != WR_COL_HEADERS) out[k++] = cols[i];
    return k;
}

/* Renders one key or value as JSON text the way the output file writes it: the JSON document
 * for JSON topics, the raw text as a string for DELIMITED, the primitive for KAFKA. */
static void render_payload(run *r, const wr_topic_info *ti, int is_key, const char *data,
                           size_t len, wr_buf *out)
{
    if (!data) {
        wr_buf_puts(out, "null");
        return;
    }
    int fmt = ti ? (is_key ? ti->key_format.kind : ti->value_format.kind) : WR_FMT_JSON;
    if (fmt == WR_FMT_NONE) {
        wr_buf_puts(out, "null");
        return;
    }
    if (fmt == WR_FMT_KAFKA) {
        wr_column cols[8];
        int n = is_key ? payload_cols(ti->key_cols, ti->nkey, cols, 8)
                       : payload_cols(ti->value_cols, ti->nvalue, cols, 8);
        wr_value vals[8];
        wr_error err;
        wr_arena a;
        wr_error_clear(&err);
        wr_arena_init(&a, 0);
        const wr_format *f = is_key ? &ti->key_format : &ti->value_format;
        if (n >= 1 && wr_serde_decode(f, is_key, cols, n, NULL, data, len, vals, &a, &err) == 0) {
            wr_json_write_value(&vals[0], cols[0].type, out);
            wr_arena_fini(&a);
            return;
        }
        wr_arena_fini(&a);
        /* not decodable with the column type: show the bytes as text so the diff says so */
        wr_json_write_string(data, len, out);
        return;
    }
    if (fmt == WR_FMT_DELIMITED) {
        wr_json_write_string(data, len, out);
        return;
    }
    /* JSON (and anything else): the document itself when it parses */
    wr_arena a;
    wr_arena_init(&a, 0);
    if (jv_parse(&a, data, len, NULL, NULL))
        wr_buf_append(out, data, len);
    else
        wr_json_write_string(data, len, out);
    wr_arena_fini(&a);
}

/* One record in the output-file format, on one line. */
static void render_record(run *r, const char *topic_name, const trec *rec, wr_buf *out)
{
    const wr_topic_info *ti = wr_engine_topic_info(r->eng, topic_name);
    wr_buf_puts(out, "{\"topic\": ");
    wr_json_write_string(topic_name, strlen(topic_name), out);
    wr_buf_puts(out, ", \"key\": ");
    render_payload(r, ti, 1, rec->key, rec->key_len, out);
    wr_buf_puts(out, ", \"value\": ");
    render_payload(r, ti, 0, rec->value, rec->value_len, out);
    wr_buf_printf(out, ", \"timestamp\": %lld", (long long)rec->ts);
    if (rec->win_kind != WR_WIN_NONE)
        wr_buf_printf(out, ", \"window\": {\"start\": %lld, \"end\": %lld, \"type\": \"%s\"}",
                      (long long)rec->win_start, (long long)rec->win_end,
                      rec->win_kind == WR_WIN_SESSION ? "session" : "time");
    if (rec->nheaders > 0) {
        wr_buf_puts(out, ", \"headers\": [");
        for (int i = 0; i < rec->nheaders; i++) {
            const wr_header *h = &rec->headers[i];
            wr_buf_puts(out, i ? ", {\"KEY\": " : "{\"KEY\": ");
            wr_json_write_string(h->key, strlen(h->key), out);
            wr_buf_puts(out, ", \"VALUE\": ");
            if (h->value) {
                wr_buf_putc(out, '"');
                wr_base64_encode(h->value, h->len, out);
                wr_buf_putc(out, '"');
            } else {
                wr_buf_puts(out, "null");
            }
            wr_buf_putc(out, '}');
        }
        wr_buf_putc(out, ']');
    }
    wr_buf_putc(out, '}');
}

/* The same record as compact JSON, the form the diff shows next to the expected record. */
static void render_record_compact(run *r, const char *topic_name, const trec *rec, wr_buf *out)
{
    wr_buf text;
    wr_arena a;
    wr_buf_init(&text);
    wr_arena_init(&a, 0);
    render_record(r, topic_name, rec, &text);
    const jv *v = jv_parse(&a, text.data, text.len, NULL, NULL);
    if (v) jv_write(v, out);
    else wr_buf_append(out, text.data, text.len);
    wr_buf_fini(&text);
    wr_arena_fini(&a);
}

/* Bytes of an input key or value, written the way the topic's format expects them
 * (TEST-RUNNER.md "input.json").  *data NULL for a null key/value. */
static void encode_input(run *r, const wr_topic_info *ti, int is_key, const jv *v, char **data,
                         size_t *len)
{
    *data = NULL;
    *len = 0;
    if (!v || v->kind == JV_NULL) return;
    int fmt = ti ? (is_key ? ti->key_format.kind : ti->value_format.kind) : WR_FMT_JSON;
    if (fmt == WR_FMT_NONE) return;
    if (fmt == WR_FMT_KAFKA) {
        wr_column cols[8];
        int n = is_key ? payload_cols(ti->key_cols, ti->nkey, cols, 8)
                       : payload_cols(ti->value_cols, ti->nvalue, cols, 8);
        wr_value val;
        wr_error err;
        wr_buf b;
        wr_error_clear(&err);
        wr_buf_init(&b);
        if (n == 1 && wr_json_read_value(v->raw, v->rawlen, cols[0].type, &r->arena, &val, &err) == 0 &&
            wr_serde_encode(is_key ? &ti->key_format : &ti->value_format, is_key, cols, 1, &val, &b,
                            &err) == 0) {
            *data = wr_arena_memdup(&r->arena, b.data ? b.data : "", b.len + 1);
            *len = b.len;
            wr_buf_fini(&b);
            return;
        }
        wr_buf_fini(&b);
        /* Does not fit the column type: hand the engine the text, so that its deserialiser
         * reports it in the processing log as it would for a bad record on Kafka. */
    }
    if (fmt != WR_FMT_JSON && v->kind == JV_STR) {
        *data = wr_arena_strndup(&r->arena, v->s, v->slen);
        *len = v->slen;
        return;
    }
    *data = wr_arena_strndup(&r->arena, v->raw, v->rawlen);
    *len = v->rawlen;
}

/* ------------------------------------------------------------------ files */

/* Reads a test file `{"<member>": [ ... ]}`.  Prints a message and returns NULL when the file
 * cannot be read or is not of that shape. */
static const jv *load_records_file(run *r, const char *path, const char *member)
{
    size_t len, off;
    const char *msg;
    char *text = wr_file_read(path, &len);
    if (!text) {
        fprintf(stderr, "weir test: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *copy = wr_arena_memdup(&r->arena, text, len + 1);
    free(text);
    const jv *doc = jv_parse(&r->arena, copy, len, &msg, &off);
    if (!doc) {
        int line, col;
        wr_text_position(copy, (uint32_t)off, &line, &col);
        fprintf(stderr, "weir test: %s: line %d, column %d: %s\n", path, line, col, msg);
        return NULL;
    }
    const jv *list = jv_field_ci(doc, member);
    if (!list || list->kind != JV_ARR) {
        fprintf(stderr, "weir test: %s: expected an object with an array \"%s\"\n", path, member);
        return NULL;
    }
    for (int i = 0; i < list->n; i++) {
        const jv *t = jv_field_ci(&list->items[i], "topic");
        if (list->items[i].kind != JV_OBJ || !t || t->kind != JV_STR) {
            fprintf(stderr, "weir test: %s: %s[%d] needs a string \"topic\"\n", path, member, i);
            return NULL;
        }
    }
    return list;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

/* ------------------------------------------------------------------ the run */

typedef struct input_ref {
    topic *t;
    int idx; /* record index in t */
} input_ref;

static int64_t jv_int(const jv *v, int64_t dflt)
{
    if (!v || v->kind != JV_NUM) return dflt;
    return strtoll(v->raw, NULL, 10);
}

/* Builds the stored form of one input record.  0, or -1 (message printed) when malformed. */
static int load_input(run *r, const char *path, int i, const jv *in, input_ref *ref)
{
    const char *name = jv_field_ci(in, "topic")->s;
    topic *t = topic_get(r, name, 1);
    const wr_topic_info *ti = wr_engine_topic_info(r->eng, name);
    trec *rec = topic_append(t);
    ref->t = t;
    ref->idx = t->n - 1;
    rec->from_input = 1;
    encode_input(r, ti, 1, jv_field_ci(in, "key"), &rec->key, &rec->key_len);
    encode_input(r, ti, 0, jv_field_ci(in, "value"), &rec->value, &rec->value_len);
    rec->ts = jv_int(jv_field_ci(in, "timestamp"), 0);
    const jv *w = jv_field_ci(in, "window");
    if (w && w->kind == JV_OBJ) {
        const jv *type = jv_field_ci(w, "type");
        int session = type && type->kind == JV_STR && wr_strcaseeq(type->s, "session");
        rec->win_kind = session ? WR_WIN_SESSION
                        : (ti && ti->windowed != WR_WIN_NONE) ? ti->windowed : WR_WIN_TUMBLING;
        rec->win_start = jv_int(jv_field_ci(w, "start"), 0);
        rec->win_end = jv_int(jv_field_ci(w, "end"), 0);
    }
    const jv *hs = jv_field_ci(in, "headers");
    if (hs && hs->kind == JV_ARR && hs->n > 0) {
        rec->nheaders = hs->n;
        rec->headers = wr_arena_calloc(&r->arena, (size_t)hs->n * sizeof *rec->headers);
        for (int h = 0; h < hs->n; h++) {
            const jv *hk = jv_field_ci(&hs->items[h], "KEY");
            const jv *hv = jv_field_ci(&hs->items[h], "VALUE");
            if (!hk || hk->kind != JV_STR || (hv && hv->kind != JV_STR && hv->kind != JV_NULL)) {
                fprintf(stderr, "weir test: %s: inputs[%d].headers[%d] must be "
                        "{\"KEY\": name, \"VALUE\": base64 or null}\n", path, i, h);
                return -1;
            }
            rec->headers[h].key = hk->s;
            if (hv && hv->kind == JV_STR) {
                unsigned char *buf = wr_arena_alloc(&r->arena, 3 * hv->slen / 4 + 3);
                long n = wr_base64_decode(hv->s, hv->slen, buf);
                if (n < 0) {
                    fprintf(stderr, "weir test: %s: inputs[%d].headers[%d]: VALUE is not base64\n",
                            path, i, h);
                    return -1;
                }
                rec->headers[h].value = (const char *)buf;
                rec->headers[h].len = (size_t)n;
            }
        }
    }
    return 0;
}

static int feed(run *r, wr_query *q, topic *t, int idx, wr_error *err)
{
    const trec *rec = &t->recs[idx];
    wr_record in = {
        .key = rec->key, .key_len = rec->key_len,
        .value = rec->value, .value_len = rec->value_len,
        .ts = rec->ts,
        .win_kind = rec->win_kind, .win_start = rec->win_start, .win_end = rec->win_end,
        .nheaders = rec->nheaders, .headers = rec->headers,
        .partition = 0, .offset = idx,
    };
    int rc = wr_query_process(q, t->name, &in, err);
    if (rc) {
        wr_buf b;
        wr_buf_init(&b);
        wr_error_format(err, NULL, &b);
        fprintf(stderr, "weir test: query %s failed on record %d of topic '%s': %s\n",
                wr_query_id(q), idx, t->name, b.data ? b.data : "");
        wr_buf_fini(&b);
    }
    return rc;
}

/* Runs every persistent query over its sources, per the execution model. */
static int run_queries(run *r, const input_ref *inputs, int ninputs, wr_error *err)
{
    int nq = wr_engine_query_count(r->eng);
    for (int qi = 0; qi < nq; qi++) {
        wr_query *q = wr_engine_query_at(r->eng, qi);
        if (!q || wr_query_is_transient(q)) continue;
        int ns = wr_query_source_count(q);
        topic *src[32];
        int n0[32], fed_by_input[32], nsrc = 0;
        for (int i = 0; i < ns && nsrc < 32; i++) {
            topic *t = topic_get(r, wr_query_source_topic(q, i), 1);
            int dup = 0;
            for (int j = 0; j < nsrc; j++) dup |= src[j] == t;
            if (dup) continue;
            src[nsrc] = t;
            n0[nsrc] = t->n; /* only what was written before this query runs */
            fed_by_input[nsrc] = 0;
            for (int k = 0; k < ninputs; k++) fed_by_input[nsrc] |= inputs[k].t == t;
            nsrc++;
        }
        /* records a statement wrote (INSERT VALUES) into an input topic come first, as they
         * were on the topic before the input records were produced */
        for (int s = 0; s < nsrc; s++)
            if (fed_by_input[s])
                for (int j = 0; j < n0[s]; j++)
                    if (!src[s]->recs[j].from_input && feed(r, q, src[s], j, err)) return -1;
        for (int k = 0; k < ninputs; k++)
            for (int s = 0; s < nsrc; s++)
                if (inputs[k].t == src[s] && feed(r, q, src[s], inputs[k].idx, err)) return -1;
        /* then the topics only earlier queries or statements wrote */
        for (int s = 0; s < nsrc; s++)
            if (!fed_by_input[s])
                for (int j = 0; j < n0[s]; j++)
                    if (feed(r, q, src[s], j, err)) return -1;
    }
    return 0;
}

/* Compares one actual record with its expected entry.  0 or 1 with `why` filled. */
static int record_match(run *r, const char *name, const trec *rec, const jv *exp, wr_buf *why,
                        wr_buf *actual_text)
{
    wr_buf text; /* the parsed record points into it: kept until the comparison is done */
    wr_buf_init(&text);
    render_record(r, name, rec, &text);
    wr_arena a;
    wr_arena_init(&a, 0);
    const jv *act = jv_parse(&a, text.data, text.len, NULL, NULL);
    wr_buf_reset(actual_text);
    if (act) /* shown in the diff in the same compact form as the expected record */
        jv_write(act, actual_text);
    else
        wr_buf_append(actual_text, text.data, text.len);
    int rc = 0;
    wr_buf path;
    wr_buf_init(&path);
    if (!act) {
        wr_buf_puts(why, "internal: the actual record did not render as JSON");
        rc = 1;
        goto done;
    }
    static const char *fields[] = {"key", "value", "timestamp", "window"};
    for (int i = 0; i < 4 && !rc; i++) {
        const jv *e = jv_field_ci(exp, fields[i]);
        const jv *g = jv_field_ci(act, fields[i]);
        static const jv jnull = {.kind = JV_NULL, .raw = "null", .rawlen = 4};
        if (!e) {
            if (i >= 2) continue; /* no timestamp / window given: not checked */
            e = &jnull;           /* a missing key or value means null */
        }
        if (!g) g = &jnull;
        wr_buf_reset(&path);
        wr_buf_puts(&path, fields[i]);
        rc = jv_match(e, g, &path, why);
    }
    if (!rc) {
        /* headers must match exactly; none expected means none produced */
        const jv *e = jv_field_ci(exp, "headers");
        const jv *g = jv_field_ci(act, "headers");
        static const jv empty = {.kind = JV_ARR, .raw = "[]", .rawlen = 2};
        if (!e || e->kind == JV_NULL) e = &empty;
        if (!g) g = &empty;
        wr_buf_reset(&path);
        wr_buf_puts(&path, "headers");
        rc = jv_match(e, g, &path, why);
    }
done:
    wr_buf_fini(&path);
    wr_buf_fini(&text);
    wr_arena_fini(&a);
    return rc;
}

/* Checks every topic named in the output file.  Returns the number of failing topics. */
static int compare_outputs(run *r, const jv *outputs)
{
    int failures = 0;
    const char **seen = wr_arena_alloc(&r->arena, (size_t)(outputs->n + 1) * sizeof *seen);
    int nseen = 0;
    wr_buf why, act, exp;
    wr_buf_init(&why);
    wr_buf_init(&act);
    wr_buf_init(&exp);
    for (int i = 0; i < outputs->n; i++) {
        const char *name = jv_field_ci(&outputs->items[i], "topic")->s;
        int dup = 0;
        for (int j = 0; j < nseen; j++) dup |= strcmp(seen[j], name) == 0;
        if (dup) continue;
        seen[nseen++] = name;

        const jv *expected[outputs->n];
        int nexp = 0;
        for (int j = i; j < outputs->n; j++)
            if (strcmp(jv_field_ci(&outputs->items[j], "topic")->s, name) == 0)
                expected[nexp++] = &outputs->items[j];
        topic *t = topic_find(r, name);
        int nact = t ? t->n : 0;
        int n = nexp < nact ? nexp : nact, bad = 0;
        for (int k = 0; k < n && !bad; k++) {
            wr_buf_reset(&why);
            if (record_match(r, name, &t->recs[k], expected[k], &why, &act)) {
                bad = 1;
                wr_buf_reset(&exp);
                jv_write(expected[k], &exp);
                fprintf(stderr, "FAIL topic '%s', record %d: %s\n", name, k, why.data);
                fprintf(stderr, "  expected record: %s\n", exp.data);
                fprintf(stderr, "  actual record:   %s\n", act.data);
            }
        }
        if (nexp != nact) {
            if (!bad)
                fprintf(stderr, "FAIL topic '%s': expected %d records but got %d\n", name, nexp,
                        nact);
            else
                fprintf(stderr, "  (and topic '%s' has %d records, %d expected)\n", name, nact,
                        nexp);
            for (int k = n; k < nexp; k++) {
                wr_buf_reset(&exp);
                jv_write(expected[k], &exp);
                fprintf(stderr, "  missing record %d:    %s\n", k, exp.data);
            }
            for (int k = n; k < nact; k++) {
                wr_buf_reset(&act);
                render_record_compact(r, name, &t->recs[k], &act);
                fprintf(stderr, "  unexpected record %d: %s\n", k, act.data);
            }
            bad = 1;
        }
        failures += bad;
    }
    wr_buf_fini(&why);
    wr_buf_fini(&act);
    wr_buf_fini(&exp);
    return failures;
}

/* Writes every record of every sink topic of a persistent query, in the output-file format. */
static int write_recording(run *r, const char *path)
{
    wr_buf out, line;
    wr_buf_init(&out);
    wr_buf_init(&line);
    wr_buf_puts(&out, "{\n  \"outputs\": [");
    const char *done[256];
    int ndone = 0, nrec = 0;
    int nq = wr_engine_query_count(r->eng);
    for (int qi = 0; qi < nq; qi++) {
        wr_query *q = wr_engine_query_at(r->eng, qi);
        if (!q || wr_query_is_transient(q)) continue;
        for (int s = 0; s < wr_query_sink_count(q); s++) {
            const char *name = wr_query_sink_topic(q, s);
            int dup = 0;
            for (int j = 0; j < ndone; j++) dup |= strcmp(done[j], name) == 0;
            if (dup || ndone == 256) continue;
            done[ndone++] = name;
            topic *t = topic_find(r, name);
            for (int k = 0; t && k < t->n; k++) {
                wr_buf_reset(&line);
                render_record(r, name, &t->recs[k], &line);
                wr_buf_puts(&out, nrec++ ? ",\n    " : "\n    ");
                wr_buf_append(&out, line.data, line.len);
            }
        }
    }
    wr_buf_puts(&out, nrec ? "\n  ]\n}\n" : "]\n}\n");
    FILE *f = fopen(path, "wb");
    int rc = 0;
    if (!f || fwrite(out.data, 1, out.len, f) != out.len) rc = -1;
    if (f && fclose(f) != 0) rc = -1;
    if (rc) fprintf(stderr, "weir test: cannot write %s: %s\n", path, strerror(errno));
    else printf("Recorded %d records to %s\n", nrec, path);
    wr_buf_fini(&out);
    wr_buf_fini(&line);
    return rc;
}

static void on_result(void *ud, const wr_result *res)
{
    (void)ud;
    (void)res; /* DDL messages and query ids are not part of a test's outcome */
}

/* One test run in this process: statements, inputs, queries, then check or record. */
static int run_test(const char *sql_path, const char *in_path, const char *out_path,
                    const char *rec_path, const char *state_dir)
{
    run r;
    memset(&r, 0, sizeof r);
    wr_arena_init(&r.arena, 0);
    wr_buf_init(&r.log);
    int exit_code = 2;
    const jv *inputs = NULL, *outputs = NULL;
    input_ref *refs = NULL;
    wr_error err;
    wr_error_clear(&err);

    size_t sql_len;
    char *sql = wr_file_read(sql_path, &sql_len);
    if (!sql) {
        fprintf(stderr, "weir test: cannot read %s: %s\n", sql_path, strerror(errno));
        goto out;
    }
    r.sql = sql;
    if (in_path && !(inputs = load_records_file(&r, in_path, "inputs"))) goto out;
    if (out_path && !(outputs = load_records_file(&r, out_path, "outputs"))) goto out;

    /* every topic named in the inputs or outputs exists, with one partition */
    for (int i = 0; inputs && i < inputs->n; i++)
        topic_get(&r, jv_field_ci(&inputs->items[i], "topic")->s, 1);
    for (int i = 0; outputs && i < outputs->n; i++)
        topic_get(&r, jv_field_ci(&outputs->items[i], "topic")->s, 1);

    wr_engine_opts eo = {
        .topics = &mem_topics, .topics_ud = &r, .state_dir = state_dir,
        .plog = on_plog, .plog_ud = &r, .log = on_log, .log_ud = &r, .test_mode = 1,
    };
    r.eng = wr_engine_new(&eo);
    if (!r.eng) {
        fprintf(stderr, "weir test: cannot start the engine\n");
        goto out;
    }
    exit_code = 1;
    if (wr_engine_execute(r.eng, sql, sql_len, on_result, &r, &err) != 0) {
        wr_buf b;
        wr_buf_init(&b);
        wr_error_format(&err, sql, &b);
        fprintf(stderr, "FAIL statement error in %s:\n%s", sql_path, b.data ? b.data : "");
        if (b.len && b.data[b.len - 1] != '\n') fputc('\n', stderr);
        wr_buf_fini(&b);
        goto out;
    }

    /* input records: written with the formats of the sources declared on their topics */
    int ninputs = inputs ? inputs->n : 0;
    refs = wr_xcalloc((size_t)(ninputs ? ninputs : 1), sizeof *refs);
    for (int i = 0; i < ninputs; i++)
        if (load_input(&r, in_path, i, &inputs->items[i], &refs[i]) < 0) {
            exit_code = 2;
            goto out;
        }

    if (run_queries(&r, refs, ninputs, &err) != 0) goto out;

    exit_code = 0;
    if (rec_path && write_recording(&r, rec_path) != 0) exit_code = 2;
    if (outputs && compare_outputs(&r, outputs) > 0) exit_code = 1;
    if (exit_code == 0 && outputs) printf("Test passed!\n");

out:
    if (exit_code == 1 && r.log.len) fprintf(stderr, "Engine log:\n%s", r.log.data);
    /* a passing rule author still wants to know that test input was skipped as malformed */
    else if (exit_code == 0 && r.nplog) {
        fflush(stdout);
        fprintf(stderr, "%d record(s) went to the processing log:\n%s", r.nplog, r.log.data);
    }
    wr_engine_free(r.eng);
    for (int i = 0; i < r.ntopics; i++) free(r.topics[i]->recs);
    free(r.topics);
    free(refs);
    free(sql);
    wr_buf_fini(&r.log);
    wr_arena_fini(&r.arena);
    return exit_code;
}

static volatile sig_atomic_t child_pid;

static void on_signal(int sig)
{
    if (child_pid > 0) kill((pid_t)child_pid, sig); /* the child stops, then we clean up */
}

void wr_testrun_usage(void)
{
    printf("usage: weir test --sql-file S --input-file I --output-file O\n"
           "       weir test --sql-file S --input-file I --record A\n"
           "\n"
           "Runs the statements of S, feeds the records of I to the persistent queries and\n"
           "checks what they produced against O (ksqlDB ksql-test-runner file formats).\n"
           "No broker, no network.\n"
           "\n"
           "  -s, --sql-file S     statements, each ending in ';'\n"
           "  -i, --input-file I   {\"inputs\": [{\"topic\", \"key\", \"value\", \"timestamp\"}...]}\n"
           "  -o, --output-file O  {\"outputs\": [...]} the expected records\n"
           "  -r, --record A       write the produced records to A in the output format\n"
           "\n"
           "Exit status: 0 passed, 1 failed (diff or statement error), 2 usage error.\n");
}

int wr_testrun_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"sql-file", required_argument, NULL, 's'},
        {"input-file", required_argument, NULL, 'i'},
        {"output-file", required_argument, NULL, 'o'},
        {"record", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sql_path = NULL, *in_path = NULL, *out_path = NULL, *rec_path = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:i:o:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': sql_path = optarg; break;
        case 'i': in_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'r': rec_path = optarg; break;
        case 'h': wr_testrun_usage(); return 0;
        case ':':
            fprintf(stderr, "weir test: option %s needs a file name\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "weir test: unknown option '%s' (see weir test --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "weir test: unexpected argument '%s' (see weir test --help)\n", argv[optind]);
        return 2;
    }
    if (!sql_path || (!out_path && !rec_path)) {
        fprintf(stderr, "weir test: needs --sql-file and --output-file (or --record)\n"
                        "usage: weir test -s statements.sql -i input.json -o output.json\n");
        return 2;
    }

    /* The state directory must go even when the run crashes or is killed (a timeout in
     * tests/run.sh): the run happens in a child process and this one removes the directory
     * after it ended, however it ended, then exits the same way. */
    const char *tmpdir = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/weir-test-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(tmpl)) {
        fprintf(stderr, "weir test: cannot create a temporary directory: %s\n", strerror(errno));
        return 2;
    }
    /* SIGTERM/SIGINT stay blocked until the parent knows the child, so none is lost */
    sigset_t block, old_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &old_mask);
    fflush(NULL);
    pid_t pid = fork();
    if (pid <= 0) {
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        int rc = run_test(sql_path, in_path, out_path, rec_path, tmpl);
        if (pid == 0) { /* the child */
            fflush(NULL);
            exit(rc);
        }
        /* no process to spare: ran here */
        nftw(tmpl, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        return rc;
    }
    child_pid = pid;
    struct sigaction sa, old_term, old_int;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGINT, &sa, &old_int);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGINT, &old_int, NULL);
    nftw(tmpl, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGABRT;
    if (sig == SIGTERM || sig == SIGINT) { /* stopped from outside: stop the same way */
        signal(sig, SIG_DFL);
        raise(sig);
    }
    fprintf(stderr, "weir test: the run crashed (%s)\n", strsignal(sig));
    return 128 + sig;
}
