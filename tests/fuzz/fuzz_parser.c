/*
 * fuzz_parser.c - libFuzzer target for the SQL front end: arbitrary bytes go through
 * sql_split, sql_is_complete, sql_substitute and sql_parse_one (whole input and every split
 * statement); every parsed statement is dumped and its expressions formatted.  Must never
 * crash, hang or leak (the arena owns everything).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"

typedef struct fuzz_ctx {
    wr_arena *arena;
    wr_buf *buf;
} fuzz_ctx;

static void format_exprs(const sql_select *sel, wr_buf *buf)
{
    if (!sel) return;
    for (int i = 0; i < sel->nitems; i++)
        if (sel->items[i].expr) sql_expr_format(sel->items[i].expr, buf);
    if (sel->where) sql_expr_format(sel->where, buf);
    if (sel->having) sql_expr_format(sel->having, buf);
}

static void parse_and_dump(fuzz_ctx *ctx, const char *text, size_t len)
{
    sql_stmt *stmt = NULL;
    wr_error err;
    if (sql_parse_one(text, len, ctx->arena, &stmt, &err) == 0) {
        if (stmt->span.off + stmt->span.len > len) abort();
        wr_buf_reset(ctx->buf);
        sql_stmt_dump(stmt, ctx->buf);
        format_exprs(stmt->select, ctx->buf);
        if (stmt->values)
            for (int i = 0; i < stmt->values->n; i++) sql_expr_format(stmt->values->items[i], ctx->buf);
    } else if (stmt != NULL || err.code != WR_ESYNTAX || err.off > len || err.off + err.len > len) {
        abort();
    }
    wr_arena_reset(ctx->arena);
}

static int on_stmt(void *ud, const char *text, uint32_t off, uint32_t len)
{
    parse_and_dump(ud, text + off, len);
    return 0;
}

static const char *lookup(void *ud, const char *name)
{
    (void)ud;
    return name[0] == 'A' ? "x" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wr_arena arena;
    wr_buf buf;
    fuzz_ctx ctx = {&arena, &buf};
    const char *text = (const char *)data;
    char *sub;
    wr_error err;

    if (size > 1 << 16) return 0;
    wr_arena_init(&arena, 0);
    wr_buf_init(&buf);
    (void)sql_is_complete(text, size);
    parse_and_dump(&ctx, text, size);
    sql_split(text, size, on_stmt, &ctx);
    if (sql_substitute(text, size, lookup, NULL, &arena, &sub, &err) == 0) (void)strlen(sub);
    wr_buf_fini(&buf);
    wr_arena_fini(&arena);
    return 0;
}
