/*
 * op_repartition.c - the two ends of an aggregation's repartition topic (Kafka Streams'
 * "-Aggregate-GroupBy-repartition"): `out` writes the group-by rows keyed by their group key,
 * `in` reads them back and hands them to the aggregate.  The live runtime puts a Kafka topic
 * between them, so that every record of a group key reaches the one instance that owns the
 * key's partition; weir test joins them in process (the same encoding, no topic).
 *
 * The topic is internal, so it uses weir's own exact encoding (agg.h's wr_values_encode, the
 * state codec) and not the query's formats: every SQL type round-trips bit for bit, and a
 * KAFKA- or DELIMITED-format source whose GROUP BY yields a STRUCT or several key columns
 * needs no other format.  Record:
 *   key      wr_values_encode(group key columns)        (deterministic: murmur2 partitions it)
 *   value    byte 1 (version), byte flags (1: new row, 2: old row),
 *            the source record's partition i32 and offset i64, and the entry's index u32
 *            among those that record produced, then
 *            new: ts i64, length u32, wr_values_encode(columns)
 *            old: ts i64, wr_values_encode(columns)
 *   timestamp the row's ROWTIME
 * Old rows carry a table's changes (op_batch.old): a change whose old and new rows fall in
 * one group travels as one record, so the aggregate retracts and adds in one step as it does
 * in process.  The new row keeps the source record's ROWPARTITION and ROWOFFSET (decision:
 * `weir test` and the live runtime then agree; ksqlDB would show the repartition topic's).
 *
 * Duplicates.  Delivery is at least once: after a crash the source records read since the
 * last commit are processed again and their repartition records written a second time.  So
 * `in` keeps, per (repartition partition, source partition), the last (source offset, index)
 * it applied, in the store "<QUERY_ID>#repartition" that is committed with the aggregate's
 * state: a record at or below that mark was applied already and is skipped.  The marks are
 * exact because one producer writes a source partition's records to a repartition partition
 * in source order, and a replay resends them in the same order.
 */
#include <stdlib.h>
#include <string.h>

#include "op.h"

enum { RP_VERSION = 1, RP_NEW = 1, RP_OLD = 2 };

typedef struct repart_op {
    op base;
    const wr_type **types; /* [ncols] */
    wr_buf key, val, tmp;
    st_store *marks;       /* in, live: applied marks (see above) */
} repart_op;

/* Appends the n-byte big-endian v to b. */
static void put_be(wr_buf *b, uint64_t v, int n)
{
    unsigned char p[8];
    wr_be_put(p, v, n);
    wr_buf_append(b, p, (size_t)n);
}

static void report(op_ctx *ctx, int type, const char *target, const char *msg, const char *data,
                   size_t len, const char *topic, const wr_row *row)
{
    if (!ctx->report)
        return;
    op_report rep = {type, target, msg, data, len, topic, row, 1};
    ctx->report(ctx, &rep);
}

static int out_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    repart_op *r = (repart_op *)o;
    const op_repart_spec *sp = o->spec;
    const wr_schema *sch = sp->schema;
    int nv = sch->ncols - sch->nkey;
    for (int i = 0; i < b->n; i++) {
        const wr_row *row = b->rows[i];
        const wr_row *old = b->old ? b->old[i] : NULL;
        if (row->tombstone && !old)
            continue; /* nothing to retract or add */
        wr_buf_reset(&r->key);
        wr_buf_reset(&r->val);
        wr_values_encode(row->cols, r->types, sch->nkey, &r->key);
        unsigned char head[2] = {RP_VERSION, (unsigned char)((row->tombstone ? 0 : RP_NEW) |
                                                             (old ? RP_OLD : 0))};
        wr_buf_append(&r->val, head, 2);
        const wr_row *src = row->tombstone ? old : row;
        put_be(&r->val, (uint32_t)src->partition, 4);
        put_be(&r->val, (uint64_t)src->offset, 8);
        put_be(&r->val, (uint32_t)i, 4);
        if (!row->tombstone) {
            put_be(&r->val, (uint64_t)row->ts, 8);
            wr_buf_reset(&r->tmp);
            wr_values_encode(row->cols + sch->nkey, r->types + sch->nkey, nv, &r->tmp);
            put_be(&r->val, (uint32_t)r->tmp.len, 4);
            if (r->tmp.len)
                wr_buf_append(&r->val, r->tmp.data, r->tmp.len);
        }
        if (old) {
            put_be(&r->val, (uint64_t)old->ts, 8);
            wr_values_encode(old->cols + sch->nkey, r->types + sch->nkey, nv, &r->val);
        }
        wr_record rec;
        memset(&rec, 0, sizeof rec);
        rec.key = r->key.data ? r->key.data : "";
        rec.key_len = r->key.len;
        rec.value = r->val.data;
        rec.value_len = r->val.len;
        rec.ts = row->ts;
        rec.partition = -1;
        rec.offset = -1;
        int rc = sp->produce(sp->ud, ctx, &rec);
        if (rc)
            return rc;
    }
    return 0;
}

/* One row of the group-by schema: keys from kv, the value columns from p[0..len). */
static wr_row *row_decode(repart_op *r, op_ctx *ctx, const wr_value *keys, const unsigned char *p,
                          size_t len)
{
    const op_repart_spec *sp = r->base.spec;
    const wr_schema *sch = sp->schema;
    wr_row *row = op_row_new(ctx, sch, NULL);
    if (sch->nkey)
        memcpy(row->cols, keys, sizeof(wr_value) * (size_t)sch->nkey);
    if (wr_values_decode(p, len, r->types + sch->nkey, sch->ncols - sch->nkey, ctx->arena,
                         row->cols + sch->nkey))
        return NULL;
    return row;
}

/* 1 when the entry (source partition sp, offset off, index idx) read from repartition
 * partition rp was applied before (and is to be skipped), else records it as applied. */
static int seen(repart_op *r, op_ctx *ctx, int32_t rp, int32_t sp, int64_t off, uint32_t idx)
{
    unsigned char k[8], v[12];
    wr_be_put(k, (uint32_t)rp, 4);
    wr_be_put(k + 4, (uint32_t)sp, 4);
    const void *pv;
    size_t pl;
    if (st_get(r->marks, k, 8, &pv, &pl, ctx->err) > 0 && pl == 12) {
        int64_t moff = (int64_t)wr_be_get(pv, 8);
        uint32_t midx = (uint32_t)wr_be_get((const unsigned char *)pv + 8, 4);
        if (off < moff || (off == moff && idx <= midx))
            return 1;
    }
    wr_be_put(v, (uint64_t)off, 8);
    wr_be_put(v + 8, idx, 4);
    st_put(r->marks, k, 8, v, 12);
    return 0;
}

int op_repart_in_feed(op *o, op_ctx *ctx, const wr_record *rec)
{
    repart_op *r = (repart_op *)o;
    const op_repart_spec *sp = o->spec;
    const wr_schema *sch = sp->schema;
    const unsigned char *p = (const unsigned char *)rec->value;
    size_t n = rec->value ? rec->value_len : 0;
    const char *why = NULL;
    wr_value *keys = wr_arena_calloc(ctx->arena, sizeof(wr_value) * (size_t)(sch->nkey + 1));
    wr_row *row = NULL, *old = NULL;
    int flags = n >= 2 ? p[1] : 0;
    if (!rec->key || n < 2 || p[0] != RP_VERSION || !(flags & (RP_NEW | RP_OLD)))
        why = "not a weir repartition record (or written by a newer weir)";
    else if (wr_values_decode(rec->key, rec->key_len, r->types, sch->nkey, ctx->arena, keys))
        why = "the group key does not decode";
    else if (n < 18)
        why = "the record is truncated";
    else {
        int32_t spart = (int32_t)wr_be_get(p + 2, 4);
        int64_t soff = (int64_t)wr_be_get(p + 6, 8);
        uint32_t idx = (uint32_t)wr_be_get(p + 14, 4);
        if (r->marks && soff >= 0 && rec->partition >= 0 &&
            seen(r, ctx, rec->partition, spart, soff, idx))
            return ctx->err->code ? ctx->err->code : 0;
        p += 18;
        n -= 18;
        if (flags & RP_NEW) {
            uint64_t len = n >= 12 ? wr_be_get(p + 8, 4) : 0;
            if (n < 12 || len > n - 12 || !(row = row_decode(r, ctx, keys, p + 12, (size_t)len)))
                why = "the row does not decode";
            else {
                row->ts = (int64_t)wr_be_get(p, 8);
                row->partition = spart;
                row->offset = soff;
                p += 12 + len;
                n -= 12 + (size_t)len;
            }
        }
        if (!why && (flags & RP_OLD)) {
            if (n < 8 || !(old = row_decode(r, ctx, keys, p + 8, n - 8)))
                why = "the old row does not decode";
            else
                old->ts = (int64_t)wr_be_get(p, 8);
        }
    }
    if (why) {
        report(ctx, OP_REP_DESERIALIZE, "value", why, rec->value, rec->value ? rec->value_len : 0,
               sp->topic, NULL);
        return 0;
    }
    if (!row) { /* a retraction alone: a tombstone entry with the group's key */
        row = op_row_new(ctx, sch, NULL);
        memcpy(row->cols, keys, sizeof(wr_value) * (size_t)sch->nkey);
        row->tombstone = 1;
        row->ts = rec->ts;
    }
    if (row->ts > ctx->stream_time)
        ctx->stream_time = row->ts;
    op_batch b = {1, &row, sp->changelog ? &old : NULL};
    return op_emit(o, ctx, &b);
}

static int in_open(op *o, op_ctx *ctx)
{
    repart_op *r = (repart_op *)o;
    const op_repart_spec *sp = o->spec;
    if (!sp->dedupe)
        return 0;
    r->marks = op_store_open(ctx, "repartition");
    return r->marks ? 0 : (ctx->err->code ? ctx->err->code : WR_ESTATE);
}

static int in_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    return op_emit(o, ctx, b); /* fed through op_repart_in_feed */
}

static void repart_close(op *o)
{
    repart_op *r = (repart_op *)o;
    free(r->types);
    wr_buf_fini(&r->key);
    wr_buf_fini(&r->val);
    wr_buf_fini(&r->tmp);
    free(o);
}

static const op_vt out_vt = {"repartition-out", NULL, out_push, NULL, NULL, repart_close};
static const op_vt in_vt = {"repartition-in", in_open, in_push, NULL, NULL, repart_close};

static op *repart_new(const op_vt *vt, const op_repart_spec *spec)
{
    repart_op *r = (repart_op *)op_alloc(sizeof(repart_op), vt, spec);
    const wr_schema *sch = spec->schema;
    r->types = wr_xcalloc((size_t)sch->ncols + 1, sizeof(wr_type *));
    for (int i = 0; i < sch->ncols; i++)
        r->types[i] = sch->cols[i].type;
    wr_buf_init(&r->key);
    wr_buf_init(&r->val);
    wr_buf_init(&r->tmp);
    return &r->base;
}

op *op_repart_out_new(const op_repart_spec *spec) { return repart_new(&out_vt, spec); }
op *op_repart_in_new(const op_repart_spec *spec) { return repart_new(&in_vt, spec); }
