/*
 * fn_regex.c - regular expression functions (ksqlDB's REGULAR EXPRESSION category) on PCRE2.
 *
 * Java's java.util.regex semantics are reproduced where they show in results: Matcher.find()
 * iteration (after an empty match the next search starts one character later),
 * replaceAll's replacement syntax ($n, ${name}, backslash escapes), Pattern.split for
 * patterns that can match the empty string and Guava's Splitter for the others.
 *
 * The compiled pattern is cached in the call site, keyed by the pattern text, so a constant
 * pattern compiles once per query.  An invalid pattern, or a match that exceeds
 * cfg->regex_match_limit, is WR_EDATA at run time (NULL result + processing log).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "fn_sig.h"
#include "func.h"

typedef struct rx {
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    uint32_t ngroups;
} rx;

static void rx_free(void *p)
{
    rx *r = p;
    if (!r)
        return;
    pcre2_match_data_free(r->md);
    pcre2_match_context_free(r->mctx);
    pcre2_code_free(r->code);
    free(r);
}

/* The compiled pattern for `pat`, from the site cache or freshly compiled into it. */
static int rx_get(wr_fn_ctx *ctx, const wr_value *pat, rx **out)
{
    wr_fn_site *site = ctx->site;
    if (site->data && site->free == rx_free && site->key && site->key_len == pat->len &&
        memcmp(site->key, pat->u.s, pat->len) == 0) {
        *out = site->data;
        return 0;
    }
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat->u.s, pat->len,
                                     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        return wr_error_set(ctx->err, WR_EDATA, "Invalid regular expression pattern: %.*s "
                            "(%s at offset %zu)", (int)pat->len, pat->u.s, (char *)msg,
                            (size_t)erroff);
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* best effort: the interpreter still works */
    rx *r = wr_xcalloc(1, sizeof *r);
    r->code = code;
    r->md = pcre2_match_data_create_from_pattern(code, NULL);
    r->mctx = pcre2_match_context_create(NULL);
    int limit = ctx->cfg && ctx->cfg->regex_match_limit > 0 ? ctx->cfg->regex_match_limit
                                                            : 10000000;
    pcre2_set_match_limit(r->mctx, (uint32_t)limit);
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &r->ngroups);
    if (site->data && site->free)
        site->free(site->data);
    free(site->key);
    site->data = r;
    site->free = rx_free;
    site->key = wr_xmalloc(pat->len + 1);
    memcpy(site->key, pat->u.s, pat->len);
    site->key[pat->len] = 0;
    site->key_len = pat->len;
    *out = r;
    return 0;
}

/* One Matcher.find() from byte offset `from`: 1 found (ovector in r->md), 0 none, or
 * WR_EDATA. */
static int rx_find(wr_fn_ctx *ctx, rx *r, const char *s, size_t n, size_t from)
{
    if (from > n)
        return 0;
    int rc = pcre2_match(r->code, (PCRE2_SPTR)s, n, from, 0, r->md, r->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        return wr_error_set(ctx->err, WR_EDATA, "Regular expression match failed: %s",
                            (char *)msg);
    }
    return 1;
}

/* Where Matcher.find() continues after a match [start, end). */
static size_t next_from(const char *s, size_t n, size_t start, size_t end)
{
    if (end > start)
        return end;
    if (end >= n)
        return n + 1;
    size_t i = end;
    utf8_next(s, n, &i);
    return i;
}

/* Group g of the current match as a value (NULL when it did not participate). */
static wr_value group_value(wr_fn_ctx *ctx, rx *r, const char *s, uint32_t g)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    if (ov[2 * g] == PCRE2_UNSET)
        return wr_null();
    return wr_str_copy(ctx->arena, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/* ---------------------------------------------------------------- REGEXP_EXTRACT(_ALL) */

SIG_RESOLVER(extract, "REGEXP_EXTRACT", "SS?I=S")
SIG_RESOLVER(extract_all, "REGEXP_EXTRACT_ALL", "SS?I=A")

static int group_arg(wr_fn_ctx *ctx, rx *r, int argc, const wr_value *argv, uint32_t *g)
{
    int64_t grp = argc > 2 ? argv[2].u.i : 0;
    if (grp < 0 || grp > (int64_t)r->ngroups)
        return wr_error_set(ctx->err, WR_EDATA, "No group %lld", (long long)grp);
    *g = (uint32_t)grp;
    return 0;
}

/* REGEXP_EXTRACT(pattern, string [, group]): the group of the first match, NULL if none. */
static int fn_extract(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    rx *r;
    uint32_t g = 0;
    int rc = rx_get(ctx, &argv[0], &r);
    if (rc || (rc = group_arg(ctx, r, argc, argv, &g)))
        return rc;
    rc = rx_find(ctx, r, argv[1].u.s, argv[1].len, 0);
    if (rc < 0)
        return rc;
    *out = rc ? group_value(ctx, r, argv[1].u.s, g) : wr_null();
    return 0;
}

/* REGEXP_EXTRACT_ALL(pattern, string [, group]): the group of every match. */
static int fn_extract_all(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    rx *r;
    uint32_t g = 0;
    int rc = rx_get(ctx, &argv[0], &r);
    if (rc || (rc = group_arg(ctx, r, argc, argv, &g)))
        return rc;
    const char *s = argv[1].u.s;
    size_t n = argv[1].len, from = 0;
    uint32_t cnt = 0, cap = 8;
    wr_value *items = wr_arena_alloc(ctx->arena, sizeof(wr_value) * cap);
    while ((rc = rx_find(ctx, r, s, n, from)) == 1) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        if (cnt == cap) {
            wr_value *bigger = wr_arena_alloc(ctx->arena, sizeof(wr_value) * cap * 2);
            memcpy(bigger, items, sizeof(wr_value) * cap);
            items = bigger;
            cap *= 2;
        }
        items[cnt++] = group_value(ctx, r, s, g);
        from = next_from(s, n, ov[0], ov[1]);
    }
    if (rc < 0)
        return rc;
    *out = wr_array(ctx->arena, cnt);
    if (cnt)
        memcpy(out->u.items, items, sizeof(wr_value) * cnt);
    return 0;
}

/* ---------------------------------------------------------------- REGEXP_REPLACE */

SIG_RESOLVER(replace, "REGEXP_REPLACE", "SSS=S")

/* Matcher.appendReplacement: expands $n / ${name} and backslash escapes of `rep`. */
static int append_replacement(wr_fn_ctx *ctx, rx *r, const char *s, const wr_value *rep,
                              wr_buf *b)
{
    const char *p = rep->u.s;
    size_t n = rep->len, i = 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    while (i < n) {
        char c = p[i];
        if (c == '\\') {
            if (++i >= n)
                return wr_error_set(ctx->err, WR_EDATA, "character to be escaped is missing");
            wr_buf_putc(b, p[i++]);
        } else if (c == '$') {
            if (++i >= n)
                return wr_error_set(ctx->err, WR_EDATA,
                                    "Illegal group reference: group index is missing");
            long g;
            if (p[i] == '{') {
                size_t j = ++i;
                while (j < n && p[j] != '}')
                    j++;
                if (j >= n || j == i)
                    return wr_error_set(ctx->err, WR_EDATA,
                                        "named capturing group is missing trailing '}'");
                char name[64];
                size_t len = j - i < sizeof name - 1 ? j - i : sizeof name - 1;
                memcpy(name, p + i, len);
                name[len] = 0;
                int num = pcre2_substring_number_from_name(r->code, (PCRE2_SPTR)name);
                if (num < 0)
                    return wr_error_set(ctx->err, WR_EDATA, "No group with name {%s}", name);
                g = num;
                i = j + 1;
            } else {
                if (p[i] < '0' || p[i] > '9')
                    return wr_error_set(ctx->err, WR_EDATA, "Illegal group reference");
                g = p[i++] - '0';
                if (g > (long)r->ngroups)
                    return wr_error_set(ctx->err, WR_EDATA, "No group %ld", g);
                /* Java takes further digits while the number stays a valid group */
                while (i < n && p[i] >= '0' && p[i] <= '9') {
                    long ng = g * 10 + (p[i] - '0');
                    if (ng > (long)r->ngroups)
                        break;
                    g = ng;
                    i++;
                }
            }
            if (ov[2 * g] != PCRE2_UNSET)
                wr_buf_append(b, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        } else {
            wr_buf_putc(b, c);
            i++;
        }
    }
    return 0;
}

/* REGEXP_REPLACE(string, pattern, replacement): Java's String.replaceAll. */
static int fn_replace(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    rx *r;
    int rc = rx_get(ctx, &argv[1], &r);
    if (rc)
        return rc;
    const char *s = argv[0].u.s;
    size_t n = argv[0].len, from = 0, tail = 0;
    wr_buf b;
    wr_buf_init(&b);
    while ((rc = rx_find(ctx, r, s, n, from)) == 1) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        size_t ms = ov[0], me = ov[1];
        wr_buf_append(&b, s + tail, ms - tail);
        if ((rc = append_replacement(ctx, r, s, &argv[2], &b)) != 0)
            break;
        tail = me;
        from = next_from(s, n, ms, me);
    }
    if (rc < 0) {
        wr_buf_fini(&b);
        return rc;
    }
    wr_buf_append(&b, s + tail, n - tail);
    *out = wr_str_copy(ctx->arena, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return 0;
}

/* ---------------------------------------------------------------- REGEXP_SPLIT_TO_ARRAY */

SIG_RESOLVER(split, "REGEXP_SPLIT_TO_ARRAY", "SS=A")

/* Pieces between matches.  java_split: Pattern.split semantics (no leading empty piece for a
 * zero-width match at 0, trailing empty pieces dropped); otherwise Guava's Splitter.on(pattern)
 * (every piece kept). */
static int fn_split(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    rx *r;
    int rc = rx_get(ctx, &argv[1], &r);
    if (rc)
        return rc;
    int java_split = argv[1].len == 0;
    if (!java_split) {
        int m = pcre2_match(r->code, (PCRE2_SPTR) "", 0, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                            r->md, r->mctx);
        java_split = m >= 0;
    }
    const char *s = argv[0].u.s;
    size_t n = argv[0].len, from = 0, index = 0;
    uint32_t cnt = 0, cap = 8;
    wr_value *items = wr_arena_alloc(ctx->arena, sizeof(wr_value) * cap);
    for (;;) {
        rc = rx_find(ctx, r, s, n, from);
        if (rc < 0)
            return rc;
        size_t ms = n, me = n;
        if (rc == 1) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
            ms = ov[0];
            me = ov[1];
            from = next_from(s, n, ms, me);
            if (java_split && index == 0 && ms == 0 && me == 0)
                continue;
        }
        if (cnt == cap) {
            wr_value *bigger = wr_arena_alloc(ctx->arena, sizeof(wr_value) * cap * 2);
            memcpy(bigger, items, sizeof(wr_value) * cap);
            items = bigger;
            cap *= 2;
        }
        items[cnt++] = wr_str_copy(ctx->arena, s + index, ms - index);
        if (rc == 0)
            break;
        index = me;
    }
    if (java_split && index == 0) { /* no separator found: the input itself */
        cnt = 1;
        items[0] = argv[0];
    } else if (java_split) {
        while (cnt > 0 && items[cnt - 1].len == 0)
            cnt--;
    }
    *out = wr_array(ctx->arena, cnt);
    if (cnt)
        memcpy(out->u.items, items, sizeof(wr_value) * cnt);
    return 0;
}

/* ---------------------------------------------------------------- table */

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NN WR_FN_NULL_IN_NULL_OUT
#define CAT "REGULAR EXPRESSION"

const wr_scalar_def wr_fns_regex[] = {
    {"REGEXP_EXTRACT", CAT,
     "Extract the first substring matched by a regex pattern (the whole match, or the given "
     "capturing group); NULL when there is no match.",
     V("REGEXP_EXTRACT(pattern STRING, input STRING) => STRING",
       "REGEXP_EXTRACT(pattern STRING, input STRING, group INT) => STRING"),
     2, 3, NN, res_extract, NULL, fn_extract},
    {"REGEXP_EXTRACT_ALL", CAT,
     "Extract all substrings matched by a regex pattern (the whole match, or the given "
     "capturing group).",
     V("REGEXP_EXTRACT_ALL(pattern STRING, input STRING) => ARRAY<STRING>",
       "REGEXP_EXTRACT_ALL(pattern STRING, input STRING, group INT) => ARRAY<STRING>"),
     2, 3, NN, res_extract_all, NULL, fn_extract_all},
    {"REGEXP_REPLACE", CAT,
     "Replace all matches of a regex in an input string with a replacement string; $n refers "
     "to capturing group n.",
     V("REGEXP_REPLACE(input STRING, regex STRING, replacement STRING) => STRING"), 3, 3, NN,
     res_replace, NULL, fn_replace},
    {"REGEXP_SPLIT_TO_ARRAY", CAT,
     "Splits a string into an array of substrings based on a regular expression.",
     V("REGEXP_SPLIT_TO_ARRAY(string STRING, regexp STRING) => ARRAY<STRING>"), 2, 2, NN,
     res_split, NULL, fn_split},
    {0},
};
