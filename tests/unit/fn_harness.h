/*
 * fn_harness.h - calls registered functions the way the expression compiler and evaluator
 * do (resolve with static types, lambda_params for lambda arguments, coercions through
 * wr_value_cast, NULL-in-NULL-out, then fn) so unit tests can check results as text.
 * Included by test_fn_collections.c and test_fn_json.c; everything is static.
 */
#ifndef WEIR_FN_HARNESS_H
#define WEIR_FN_HARNESS_H

#include <stdio.h>
#include <stdlib.h>

#include "func.h"
#include "serde.h"
#include "unit.h"

/* Tests spell calls as positional initialisers and leave the outputs zeroed. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static wr_arena harness_arena;
static const wr_type harness_lambda_type = {.kind = WR_LAMBDA};

/* A lambda given by the test: C code standing in for a compiled body. */
typedef int (*fake_lambda)(int argc, const wr_value *argv, wr_value *out);

#define FC_MAX 8

typedef struct fcall {
    /* in */
    const char *name;
    int argc;
    const wr_type *argt[FC_MAX]; /* NULL entries: the lambda arguments (see body) */
    wr_value argv[FC_MAX];
    const wr_type *body[FC_MAX]; /* lambda argument i: static type of its body */
    int nparams[FC_MAX];         /* lambda argument i: number of parameters */
    fake_lambda lam[FC_MAX];
    /* out */
    const wr_type *ptypes[FC_MAX][3]; /* parameter types lambda_params gave */
    const wr_type *rtype;
    wr_value out;
    int rc;                      /* fn result; -100 when resolve or lambda_params failed */
    char errmsg[512];
    char text[1024];             /* wr_value_format of out */
} fcall;

static fcall *harness_current;

static int harness_call_lambda(wr_fn_ctx *ctx, int arg, int argc, const wr_value *argv,
                               wr_value *out)
{
    fcall *c = ctx->eval;
    return c->lam[arg](argc, argv, out);
}

static void harness_setup(void)
{
    wr_arena_init(&harness_arena, 0);
}

static wr_arena *A(void)
{
    return &harness_arena;
}

/* JSON text -> value of type t (the serde's lenient reader). */
static wr_value J(const char *json, const wr_type *t)
{
    wr_value v;
    wr_error err;
    wr_error_clear(&err);
    int rc = wr_json_read_value(json, strlen(json), t, &harness_arena, &v, &err);
    if (rc != 0)
        fail_msg("bad test JSON %s: %s", json, err.msg);
    return v;
}

static wr_value S(const char *s)
{
    return s ? wr_cstr(&harness_arena, s) : wr_null();
}

static const wr_type *ARR(const wr_type *elem) { return wr_type_array(&harness_arena, elem); }
static const wr_type *MAP(const wr_type *v) { return wr_type_map(&harness_arena, &wr_type_string, v); }

/* Runs the call; returns c->rc. */
static int run(fcall *c)
{
    const wr_scalar_def *def = wr_fn_lookup(c->name);
    if (!def)
        fail_msg("function %s not registered", c->name);
    const wr_type *coerce[FC_MAX] = {0};
    const wr_value *literal[FC_MAX] = {0};
    const wr_type *argt[FC_MAX];
    wr_fn_resolve_ctx rc = {0};
    rc.arena = &harness_arena;
    rc.coerce = coerce;
    rc.literal = literal;
    for (int i = 0; i < c->argc; i++)
        argt[i] = c->argt[i] ? c->argt[i] : &harness_lambda_type;
    c->out = wr_null();
    c->text[0] = c->errmsg[0] = 0;
    for (int i = 0; i < c->argc; i++) {
        if (c->argt[i])
            continue;
        if (!def->lambda_params ||
            def->lambda_params(&rc, c->argc, argt, i, c->nparams[i], c->ptypes[i]) != 0) {
            snprintf(c->errmsg, sizeof c->errmsg, "%s", rc.errmsg);
            return c->rc = -100;
        }
    }
    for (int i = 0; i < c->argc; i++)
        if (!c->argt[i]) {
            argt[i] = c->body[i];
            rc.lambda_mask |= 1u << i;
            wr_value lv = {0};
            lv.kind = WR_LAMBDA;
            lv.u.i = i;
            c->argv[i] = lv;
        }
    if (c->argc < def->min_args || (def->max_args >= 0 && c->argc > def->max_args)) {
        snprintf(c->errmsg, sizeof c->errmsg, "arity");
        return c->rc = -100;
    }
    c->rtype = def->resolve(&rc, c->argc, argt);
    if (!c->rtype) {
        snprintf(c->errmsg, sizeof c->errmsg, "%s", rc.errmsg);
        return c->rc = -100;
    }
    wr_error err;
    wr_error_clear(&err);
    wr_value argv[FC_MAX];
    const wr_type *final_t[FC_MAX];
    for (int i = 0; i < c->argc; i++) {
        argv[i] = c->argv[i];
        final_t[i] = coerce[i] ? coerce[i] : argt[i];
        if (coerce[i] && !wr_is_null(&argv[i])) {
            if (wr_value_cast(&harness_arena, &c->argv[i], argt[i], coerce[i], &argv[i], &err))
                fail_msg("coercion failed: %s", err.msg);
        }
    }
    if (def->flags & WR_FN_NULL_IN_NULL_OUT)
        for (int i = 0; i < c->argc; i++)
            if (wr_is_null(&argv[i])) {
                snprintf(c->text, sizeof c->text, "null");
                return c->rc = 0;
            }
    wr_fn_config cfg;
    wr_fn_config_default(&cfg);
    wr_fn_site site = {0};
    wr_fn_ctx ctx = {0};
    ctx.arena = &harness_arena;
    ctx.err = &err;
    ctx.cfg = &cfg;
    ctx.argt = final_t;
    ctx.rtype = c->rtype;
    ctx.site = &site;
    ctx.call_lambda = harness_call_lambda;
    ctx.eval = c;
    harness_current = c;
    c->rc = def->fn(&ctx, c->argc, argv, &c->out);
    if (site.free)
        site.free(site.data);
    free(site.key);
    if (c->rc) {
        snprintf(c->errmsg, sizeof c->errmsg, "%s", err.msg);
        c->out = wr_null();
    }
    wr_buf b;
    wr_buf_init(&b);
    wr_value_format(&c->out, c->rtype, &b);
    snprintf(c->text, sizeof c->text, "%s", b.data ? b.data : "");
    wr_buf_fini(&b);
    return c->rc;
}

/* The result type as SQL text. */
static const char *rtype_text(const fcall *c)
{
    static char buf[256];
    wr_buf b;
    wr_buf_init(&b);
    wr_type_format(c->rtype, &b);
    snprintf(buf, sizeof buf, "%s", b.data ? b.data : "");
    wr_buf_fini(&b);
    return buf;
}

/* Asserts a successful call whose result formats as `want`. */
#define EXPECT(c, want)                                                                        \
    do {                                                                                       \
        int rc_ = run(c);                                                                      \
        if (rc_ != 0)                                                                          \
            fail_msg("%s failed (%d): %s", (c)->name, rc_, (c)->errmsg);                       \
        assert_string_equal((c)->text, (want));                                                \
    } while (0)

#endif
