/*
 * op.c - helpers shared by every operator: emitting downstream, walking a chain, the slot
 * vector (columns + pseudo columns) that compiled expressions read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op.h"

int op_emit(op *o, op_ctx *ctx, const op_batch *b)
{
    if (!o->next || b->n == 0)
        return 0;
    return o->next->vt->push(o->next, ctx, o->next_port, b);
}

int op_emit_row(op *o, op_ctx *ctx, wr_row *row)
{
    op_batch b = {1, &row, NULL};
    return op_emit(o, ctx, &b);
}

int op_chain_open(op *o, op_ctx *ctx)
{
    for (; o; o = o->next)
        if (o->vt->open) {
            int rc = o->vt->open(o, ctx);
            if (rc)
                return rc;
        }
    return 0;
}

int op_chain_advance(op *o, op_ctx *ctx, int64_t watermark)
{
    for (; o; o = o->next)
        if (o->vt->advance) {
            int rc = o->vt->advance(o, ctx, watermark);
            if (rc)
                return rc;
        }
    return 0;
}

void op_chain_close(op *o)
{
    while (o) {
        op *next = o->next;
        free(o->slots);
        if (o->vt->close)
            o->vt->close(o);
        else
            free(o);
        o = next;
    }
}

const wr_value *op_slots_fill(op *o, const wr_row *row)
{
    int n = row->schema->ncols;
    if (o->nslots < n + OP_PSEUDO_COUNT) {
        o->nslots = n + OP_PSEUDO_COUNT;
        o->slots = wr_xrealloc(o->slots, sizeof(wr_value) * (size_t)o->nslots);
    }
    if (n)
        memcpy(o->slots, row->cols, sizeof(wr_value) * (size_t)n);
    wr_value *p = o->slots + n;
    p[OP_PSEUDO_ROWTIME] = wr_bigint(row->ts);
    p[OP_PSEUDO_ROWPARTITION] = row->partition >= 0 ? wr_int(row->partition) : wr_null();
    p[OP_PSEUDO_ROWOFFSET] = row->offset >= 0 ? wr_bigint(row->offset) : wr_null();
    if (row->win_kind != WR_WIN_NONE) {
        p[OP_PSEUDO_WINDOWSTART] = wr_bigint(row->win_start);
        p[OP_PSEUDO_WINDOWEND] = wr_bigint(row->win_end);
    } else {
        p[OP_PSEUDO_WINDOWSTART] = wr_null();
        p[OP_PSEUDO_WINDOWEND] = wr_null();
    }
    return o->slots;
}

wr_row *op_row_new(op_ctx *ctx, const wr_schema *schema, const wr_row *like)
{
    wr_row *row = wr_arena_calloc(ctx->arena, sizeof *row);
    if (like)
        *row = *like;
    else {
        row->partition = -1;
        row->offset = -1;
    }
    row->schema = schema;
    row->cols = wr_arena_calloc(ctx->arena, sizeof(wr_value) * (size_t)(schema->ncols ? schema->ncols : 1));
    return row;
}

op *op_alloc(size_t size, const op_vt *vt, const void *spec)
{
    op *o = wr_xcalloc(1, size < sizeof(op) ? sizeof(op) : size);
    o->vt = vt;
    o->spec = spec;
    return o;
}

st_store *op_store_open(op_ctx *ctx, const char *name)
{
    if (!ctx->state) {
        wr_error_set(ctx->err, WR_EINTERNAL, "operator '%s' needs a state environment", name);
        return NULL;
    }
    char full[512];
    snprintf(full, sizeof full, "%s#%s", ctx->query_id ? ctx->query_id : "query", name);
    st_store *s = st_store_open(ctx->state, full, ctx->err);
    if (s && ctx->fresh_state && st_store_clear(s, ctx->err))
        return NULL;
    if (s && ctx->nstores < (int)(sizeof ctx->stores / sizeof ctx->stores[0]))
        ctx->stores[ctx->nstores++] = s;
    return s;
}

size_t op_table_key(const wr_schema *s, const wr_value *keys, wr_buf *out)
{
    const wr_type *types[16];
    const wr_type **t = s->nkey <= 16 ? types : wr_xcalloc((size_t)s->nkey, sizeof *t);
    for (int k = 0; k < s->nkey; k++)
        t[k] = s->cols[k].type;
    wr_buf kb;
    wr_buf_init(&kb);
    wr_values_encode(keys, t, s->nkey, &kb);
    size_t n = st_key(out, kb.data ? kb.data : "", kb.len, 0, NULL);
    wr_buf_fini(&kb);
    if (t != types)
        free(t);
    return n;
}

void op_window_key(wr_buf *out, int64_t start, const void *g, size_t gl)
{
    unsigned char b[8];
    wr_be_put(b, (uint64_t)start ^ (UINT64_C(1) << 63), 8);
    st_key(out, b, 8, 0, NULL);
    wr_buf_append(out, g, gl);
}

int op_window_key_parse(const void *k, size_t kl, int64_t *start, const void **g, size_t *gl)
{
    const unsigned char *p = k;
    if (kl < OP_WINDOW_PREFIX || wr_be_get(p, 4) != 8)
        return -1;
    *start = (int64_t)(wr_be_get(p + 4, 8) ^ (UINT64_C(1) << 63));
    *g = p + OP_WINDOW_PREFIX;
    *gl = kl - OP_WINDOW_PREFIX;
    return 0;
}

int op_column_timestamp(op_ctx *ctx, wr_fn_site *site, const wr_value *v, const char *col,
                        int is_string, const char *pattern, int64_t *ms, wr_error *perr)
{
    if (wr_is_null(v))
        return wr_error_set(perr, WR_EDATA, "Timestamp column %s is null", col);
    if (!is_string) {
        *ms = v->u.i;
        return 0;
    }
    /* Reuse the function library's Java-pattern parser rather than a second copy. */
    const wr_scalar_def *def = wr_fn_lookup("PARSE_TIMESTAMP");
    if (!pattern)
        pattern = "yyyy-MM-dd'T'HH:mm:ss.SSS"; /* ISO-8601 */
    wr_value argv[2] = {*v, wr_str(pattern, strlen(pattern))};
    const wr_type *argt[2] = {&wr_type_string, &wr_type_string};
    wr_error err;
    wr_error_clear(&err);
    wr_fn_ctx fctx;
    memset(&fctx, 0, sizeof fctx);
    fctx.arena = ctx->arena;
    fctx.err = &err;
    fctx.cfg = ctx->eval ? ctx->eval->cfg : NULL;
    fctx.argt = argt;
    fctx.rtype = &wr_type_timestamp;
    fctx.site = site;
    wr_value out = wr_null();
    int rc = def->fn(&fctx, 2, argv, &out);
    if (rc || wr_is_null(&out)) {
        if (err.code)
            *perr = err;
        else
            wr_error_set(perr, WR_EDATA, "Failed to parse timestamp '%.*s' with pattern '%s'",
                         (int)v->len, v->u.s, pattern);
        return WR_EDATA;
    }
    *ms = out.u.i;
    return 0;
}

void op_site_release(wr_fn_site *site)
{
    if (site->free)
        site->free(site->data);
    free(site->key);
    memset(site, 0, sizeof *site);
}
