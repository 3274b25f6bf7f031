/*
 * fn_test.h - helpers for the function-library unit tests (test_fn_*.c): call a registered
 * function the way the expression evaluator does (resolve with static types, coerce the
 * arguments, honour NULL-in-NULL-out, call fn) and check the result.
 *
 * Include after unit.h.  Everything is static; each test binary has one arena that is reset
 * by fnt_setup().
 */
#ifndef WEIR_FN_TEST_H
#define WEIR_FN_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include "func.h"

typedef struct fnt_arg {
    const wr_type *t;
    wr_value v;
} fnt_arg;

static wr_arena fnt_arena;
static wr_error fnt_err;
static wr_fn_config fnt_cfg;
static const wr_type *fnt_rtype;   /* result type of the last call */
static int fnt_rc;                 /* fn's return code of the last call */
static char fnt_resolve_msg[256];  /* resolver message when resolve failed */

static int fnt_setup(void **state)
{
    (void)state;
    wr_arena_init(&fnt_arena, 0);
    wr_fn_config_default(&fnt_cfg);
    return 0;
}

static int fnt_teardown(void **state)
{
    (void)state;
    wr_arena_fini(&fnt_arena);
    return 0;
}

static inline fnt_arg ai(int32_t i) { fnt_arg a = {&wr_type_int, wr_int(i)}; return a; }
static inline fnt_arg abi(int64_t i) { fnt_arg a = {&wr_type_bigint, wr_bigint(i)}; return a; }
static inline fnt_arg ad(double d) { fnt_arg a = {&wr_type_double, wr_double(d)}; return a; }
static inline fnt_arg ab(int b) { fnt_arg a = {&wr_type_boolean, wr_bool(b)}; return a; }
static inline fnt_arg as(const char *s)
{
    fnt_arg a = {&wr_type_string, wr_str(s, strlen(s))};
    return a;
}
static inline fnt_arg abytes(const void *p, size_t n)
{
    fnt_arg a = {&wr_type_bytes, wr_bytes(p, n)};
    return a;
}
static inline fnt_arg anull(const wr_type *t) { fnt_arg a = {t, wr_null()}; return a; }
/* DECIMAL(p,s) from text, rescaled to s. */
static inline fnt_arg adec(const char *text, int p, int s)
{
    wr_int128 u;
    int sc;
    if (wr_decimal_parse(text, strlen(text), &u, &sc) != 0)
        fail_msg("bad decimal %s", text);
    wr_int128 r;
    if (wr_decimal_rescale(u, sc, s, p, &r) != 0)
        fail_msg("decimal %s does not fit", text);
    fnt_arg a = {wr_type_decimal(&fnt_arena, p, s), wr_decimal(&fnt_arena, r, s)};
    return a;
}

/* Calls `name` with a fresh call-site cache (or `site` when given).  Fails the test when the
 * function is unknown; a resolve failure returns NULL with fnt_resolve_msg set and
 * fnt_rtype NULL. */
static wr_value fnt_call_site(const char *name, wr_fn_site *site, int argc, const fnt_arg *args)
{
    const wr_scalar_def *def = wr_fn_lookup(name);
    if (!def)
        fail_msg("function %s not registered", name);
    const wr_type *argt[16];
    const wr_type *coerce[16] = {0};
    const wr_value *lit[16] = {0};
    for (int i = 0; i < argc; i++)
        argt[i] = args[i].t;
    wr_fn_resolve_ctx rc = {0};
    rc.arena = &fnt_arena;
    rc.coerce = coerce;
    rc.literal = lit;
    fnt_resolve_msg[0] = 0;
    fnt_rc = 0;
    if (argc < def->min_args || (def->max_args >= 0 && argc > def->max_args)) {
        snprintf(fnt_resolve_msg, sizeof fnt_resolve_msg, "arity");
        fnt_rtype = NULL;
        return wr_null();
    }
    fnt_rtype = def->resolve(&rc, argc, argt);
    if (!fnt_rtype) {
        snprintf(fnt_resolve_msg, sizeof fnt_resolve_msg, "%s", rc.errmsg);
        return wr_null();
    }
    wr_value vals[16];
    for (int i = 0; i < argc; i++) {
        vals[i] = args[i].v;
        if (coerce[i]) {
            if (wr_value_cast(&fnt_arena, &args[i].v, argt[i], coerce[i], &vals[i], &fnt_err))
                fail_msg("coercion of argument %d failed: %s", i, fnt_err.msg);
            argt[i] = coerce[i];
        }
    }
    if (def->flags & WR_FN_NULL_IN_NULL_OUT)
        for (int i = 0; i < argc; i++)
            if (wr_is_null(&vals[i]))
                return wr_null();
    wr_fn_site local = {0};
    wr_fn_ctx ctx = {0};
    ctx.arena = &fnt_arena;
    ctx.err = &fnt_err;
    ctx.cfg = &fnt_cfg;
    ctx.argt = argt;
    ctx.rtype = fnt_rtype;
    ctx.site = site ? site : &local;
    ctx.now_ms = 0;
    wr_error_clear(&fnt_err);
    wr_value out = wr_null();
    fnt_rc = def->fn(&ctx, argc, vals, &out);
    if (!site) {
        if (local.free && local.data)
            local.free(local.data);
        free(local.key);
    }
    if (fnt_rc)
        return wr_null();
    return out;
}

static inline void fnt_site_free(wr_fn_site *site)
{
    if (site->free && site->data)
        site->free(site->data);
    free(site->key);
    memset(site, 0, sizeof *site);
}

#define FNT_ARGS(...) ((const fnt_arg[]){__VA_ARGS__})
#define FNT_NARGS(...) ((int)(sizeof(FNT_ARGS(__VA_ARGS__)) / sizeof(fnt_arg)))
#define CALL(name, ...) fnt_call_site(name, NULL, FNT_NARGS(__VA_ARGS__), FNT_ARGS(__VA_ARGS__))
#define CALL0(name) fnt_call_site(name, NULL, 0, NULL)

/* Text of a value as the CLI prints it (strings bare, doubles Java form). */
static const char *fnt_text(wr_value v)
{
    wr_buf b;
    wr_buf_init(&b);
    wr_value_format(&v, fnt_rtype, &b);
    char *s = wr_arena_strdup(&fnt_arena, b.data ? b.data : "");
    wr_buf_fini(&b);
    return s;
}

/* Asserts the formatted result; "null" for NULL. */
#define EXPECT(expected, value)                                                                 \
    do {                                                                                        \
        wr_value v_ = (value);                                                                  \
        const char *got_ = fnt_text(v_);                                                        \
        if (strcmp(got_, (expected)) != 0)                                                      \
            fail_msg("%s:%d: expected [%s] got [%s] (rc %d %s%s)", __FILE__, __LINE__,          \
                     (expected), got_, fnt_rc, fnt_err.msg, fnt_resolve_msg);                   \
    } while (0)

/* Asserts a string result byte for byte (NULL pointer expects SQL NULL). */
#define EXPECT_STR(expected, value)                                                             \
    do {                                                                                        \
        wr_value v_ = (value);                                                                  \
        const char *e_ = (expected);                                                            \
        if (!e_) {                                                                              \
            if (!wr_is_null(&v_))                                                               \
                fail_msg("%s:%d: expected null got [%.*s]", __FILE__, __LINE__, (int)v_.len,    \
                         v_.u.s);                                                               \
        } else if (wr_is_null(&v_) || v_.len != strlen(e_) || memcmp(v_.u.s, e_, v_.len)) {     \
            fail_msg("%s:%d: expected [%s] got [%.*s]%s (rc %d %s%s)", __FILE__, __LINE__, e_,  \
                     wr_is_null(&v_) ? 0 : (int)v_.len, wr_is_null(&v_) ? "" : v_.u.s,          \
                     wr_is_null(&v_) ? "NULL" : "", fnt_rc, fnt_err.msg, fnt_resolve_msg);      \
        }                                                                                       \
    } while (0)

/* Asserts the static result type's SQL text. */
#define EXPECT_TYPE(expected)                                                                   \
    do {                                                                                        \
        if (!fnt_rtype)                                                                         \
            fail_msg("%s:%d: resolve failed: %s", __FILE__, __LINE__, fnt_resolve_msg);         \
        wr_buf b_;                                                                              \
        wr_buf_init(&b_);                                                                       \
        wr_type_format(fnt_rtype, &b_);                                                         \
        if (strcmp(b_.data, (expected)) != 0)                                                   \
            fail_msg("%s:%d: expected type %s got %s", __FILE__, __LINE__, (expected), b_.data);\
        wr_buf_fini(&b_);                                                                       \
    } while (0)

/* Asserts that the arguments did not resolve. */
#define EXPECT_REJECTED()                                                                       \
    do {                                                                                        \
        if (fnt_rtype)                                                                          \
            fail_msg("%s:%d: expected a resolve failure", __FILE__, __LINE__);                  \
    } while (0)

/* Asserts a run-time WR_EDATA. */
#define EXPECT_EDATA()                                                                          \
    do {                                                                                        \
        if (fnt_rc != WR_EDATA)                                                                 \
            fail_msg("%s:%d: expected WR_EDATA, rc %d", __FILE__, __LINE__, fnt_rc);            \
    } while (0)

#endif
