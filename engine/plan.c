/*
 * plan.c - plan nodes, the graph builder (plan -> runtime operators) and EXPLAIN.
 * The plan is immutable once analyzed; a query instantiates operators from it once and
 * EXPLAIN prints the same tree, so what is shown is what runs.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_state.h"
#include "plan.h"

wr_plan_node *wr_plan_node_new(wr_arena *a, int kind, wr_plan_node *input,
                               const wr_schema *schema)
{
    wr_plan_node *n = wr_arena_calloc(a, sizeof *n);
    n->kind = kind;
    n->input = input;
    n->schema = schema;
    return n;
}

void wr_schema_format(const wr_schema *s, wr_buf *out)
{
    for (int i = 0; i < s->ncols; i++) {
        wr_buf_printf(out, "%s`%s` ", i ? ", " : "", s->cols[i].name);
        wr_type_format(s->cols[i].type, out);
        if (s->cols[i].role == WR_COL_KEY)
            wr_buf_puts(out, " KEY");
        else if (s->cols[i].role == WR_COL_HEADERS) {
            if (s->cols[i].header)
                wr_buf_printf(out, " HEADER('%s')", s->cols[i].header);
            else
                wr_buf_puts(out, " HEADERS");
        }
    }
}

/* ---------------------------------------------------------------- transient output */

/* The last operator of a transient push query: formats rows for the driver's row callback. */
static int push_out_push(op *o, op_ctx *ctx, int port, const op_batch *b)
{
    wr_query *q = ctx->ud;
    const wr_schema *s = q->plan.result;
    for (int i = 0; i < b->n; i++) {
        if (q->limit >= 0 && q->emitted >= q->limit)
            return 0;
        const wr_row *row = b->rows[i];
        const char **cells = wr_arena_calloc(ctx->arena, sizeof(char *) * (size_t)(s->ncols + 1));
        for (int c = 0; c < s->ncols; c++) {
            if (wr_is_null(&row->cols[c]) || (row->tombstone && c >= s->nkey))
                continue;
            wr_buf b2;
            wr_buf_init(&b2);
            wr_value_format(&row->cols[c], s->cols[c].type, &b2);
            cells[c] = wr_arena_strdup(ctx->arena, b2.data ? b2.data : "");
            wr_buf_fini(&b2);
        }
        q->emitted++;
        if (q->row_cb)
            q->row_cb(q->row_ud, q, s->ncols, cells, row->tombstone);
    }
    return 0;
}

static const op_vt push_out_vt = {"push", NULL, push_out_push, NULL, NULL, NULL};

/* ---------------------------------------------------------------- graph builder */

static op *op_for(wr_plan_node *n)
{
    switch (n->kind) {
    case WR_PLAN_SOURCE: return op_source_new(&n->u.source);
    case WR_PLAN_FILTER: return op_filter_new(&n->u.filter);
    case WR_PLAN_PARTITION: return op_partition_new(&n->u.partition);
    case WR_PLAN_FLATMAP: return op_flatmap_new(&n->u.flatmap);
    case WR_PLAN_PROJECT: return op_project_new(&n->u.project);
    case WR_PLAN_SINK: return op_sink_new(&n->u.sink);
    case WR_PLAN_GROUPBY: return op_groupby_new(&n->u.groupby);
    case WR_PLAN_AGGREGATE: return op_aggregate_new(&n->u.aggregate);
    case WR_PLAN_HAVING: return op_having_new(&n->u.having);
    default: return NULL;
    }
}

static int is_stateful(const wr_plan_node *n)
{
    return n->kind == WR_PLAN_AGGREGATE || n->kind == WR_PLAN_HAVING ||
           (n->kind == WR_PLAN_SOURCE && n->u.source.materialize);
}

/* repartition-out's produce: to the repartition topic live, straight to repartition-in in
 * weir test */
static int repart_produce(void *ud, op_ctx *ctx, const wr_record *rec)
{
    wr_query *q = ud;
    if (!q->rp_topic)
        return op_repart_in_feed(q->rp_head, ctx, rec);
    return wr_query_produce(q, ctx, q->rp_topic, rec);
}

/* Cuts the chain after the group-by operator ops[g] (see wr_query.rp_head). */
static void repart_split(wr_query *q, wr_plan_node **chain, op *const *ops, int g)
{
    const wr_plan_node *src = chain[g];
    while (src->input)
        src = src->input;
    op_repart_spec *sp = &q->rp_spec;
    sp->schema = chain[g]->schema;
    sp->changelog = src->kind == WR_PLAN_SOURCE && src->u.source.materialize;
    sp->produce = repart_produce;
    sp->ud = q;
    if (!q->eng->opts.test_mode) {
        const char *sid = wr_engine_get_property(q->eng, "ksql.service.id");
        if (!sid)
            sid = "default_"; /* ksqlDB's default, as the runtime's */
        q->rp_topic = wr_xstrdup(wr_arena_sprintf(&q->arena, "_confluent-ksql-%squery_%s-Aggregate-"
                                                  "GroupBy-repartition", sid, q->id));
    }
    sp->topic = q->rp_topic ? q->rp_topic : "(in-process repartition)";
    sp->dedupe = q->rp_topic != NULL;
    if (q->rp_topic) /* EXPLAIN shows it */
        chain[g]->detail = wr_arena_sprintf(&q->arena, "%s%srepartition topic %s",
                                            chain[g]->detail ? chain[g]->detail : "",
                                            chain[g]->detail ? ", " : "", q->rp_topic);
    op *out = op_repart_out_new(sp);
    q->rp_head = op_repart_in_new(sp);
    q->rp_head->next = ops[g]->next;
    ops[g]->next = out;
}

int wr_plan_build(wr_query *q, wr_error *err)
{
    wr_plan_node *chain[32];
    op *ops[32];
    int n = 0, stateful = 0;
    for (wr_plan_node *p = q->root; p && n < 32; p = p->input) {
        chain[n++] = p;
        stateful |= is_stateful(p);
    }
    q->ctx.query_id = q->id;
    q->ctx.fresh_state = q->kind == WR_Q_TRANSIENT;
    if (stateful && !(q->ctx.state = wr_engine_state(q->eng, err)))
        return err->code ? err->code : WR_ESTATE;
    op *prev = NULL;
    for (int i = n - 1; i >= 0; i--) {
        op *o = ops[i] = op_for(chain[i]);
        if (!o) {
            op_chain_close(q->head);
            q->head = NULL;
            return wr_error_set(err, WR_EINTERNAL, "no operator for plan node kind %d",
                                chain[i]->kind);
        }
        if (prev)
            prev->next = o;
        else
            q->head = o;
        prev = o;
    }
    if (q->kind == WR_Q_TRANSIENT && prev)
        prev->next = op_alloc(sizeof(op), &push_out_vt, NULL);
    /* persistent aggregations that re-key go through a repartition topic; push queries
     * aggregate in process */
    if (q->kind != WR_Q_TRANSIENT && wr_query_rekeys(q))
        for (int i = 0; i < n; i++)
            if (chain[i]->kind == WR_PLAN_GROUPBY) {
                repart_split(q, chain, ops, i);
                break;
            }
    int rc = op_chain_open(q->head, &q->ctx);
    if (!rc && q->rp_head)
        rc = op_chain_open(q->rp_head, &q->ctx);
    if (rc) {
        *err = q->err;
        return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- EXPLAIN */

static const char *kind_name(int kind)
{
    switch (kind) {
    case WR_PLAN_SOURCE: return "SOURCE";
    case WR_PLAN_FILTER: return "FILTER";
    case WR_PLAN_PARTITION: return "PARTITION BY";
    case WR_PLAN_FLATMAP: return "FLAT MAP";
    case WR_PLAN_PROJECT: return "PROJECT";
    case WR_PLAN_SINK: return "SINK";
    case WR_PLAN_AGGREGATE: return "AGGREGATE";
    case WR_PLAN_WINDOW: return "WINDOW";
    case WR_PLAN_JOIN: return "JOIN";
    case WR_PLAN_HAVING: return "HAVING";
    case WR_PLAN_GROUPBY: return "GROUP BY";
    default: return "?";
    }
}

static void dot_escape(const char *s, wr_buf *out)
{
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            wr_buf_putc(out, '\\');
        wr_buf_putc(out, *s);
    }
}

void wr_plan_explain(const wr_plan_node *root, int dot, wr_buf *out)
{
    if (dot) {
        wr_buf_puts(out, "digraph plan {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n");
        int id = 0;
        for (const wr_plan_node *n = root; n; n = n->input, id++) {
            wr_buf_printf(out, "  n%d [label=\"%s", id, kind_name(n->kind));
            if (n->detail && *n->detail) {
                wr_buf_puts(out, "\\n");
                dot_escape(n->detail, out);
            }
            wr_buf_puts(out, "\\n");
            wr_buf sb;
            wr_buf_init(&sb);
            wr_schema_format(n->schema, &sb);
            dot_escape(sb.data ? sb.data : "", out);
            wr_buf_fini(&sb);
            wr_buf_puts(out, "\"];\n");
            if (n->input)
                wr_buf_printf(out, "  n%d -> n%d;\n", id + 1, id);
        }
        wr_buf_puts(out, "}\n");
        return;
    }
    int depth = 0;
    for (const wr_plan_node *n = root; n; n = n->input, depth++) {
        for (int i = 0; i < depth; i++)
            wr_buf_puts(out, "\t\t");
        wr_buf_printf(out, " > [ %s ] | Schema: ", kind_name(n->kind));
        wr_schema_format(n->schema, out);
        if (n->detail && *n->detail)
            wr_buf_printf(out, " | %s", n->detail);
        wr_buf_putc(out, '\n');
    }
}
