/*
 * render.c - statement results as people read them, in the ksql CLI's tabular style.  Shared
 * by every driver that prints results (weir explain now, the REPL and `weir -f` next).
 *
 *  Stream Name | Kafka Topic | Key Format | Value Format | Windowed
 * ------------------------------------------------------------------
 *  S           | s           | KAFKA      | JSON         | false
 * ------------------------------------------------------------------
 */
#include <string.h>

#include "drivers.h"

/* Display width of UTF-8 text in code points (good enough for names and values). */
static int text_width(const char *s)
{
    int w = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

static void pad(wr_buf *out, const char *s, int width)
{
    wr_buf_puts(out, s);
    for (int i = text_width(s); i < width; i++) wr_buf_putc(out, ' ');
}

static void rule(wr_buf *out, int total)
{
    for (int i = 0; i < total; i++) wr_buf_putc(out, '-');
    wr_buf_putc(out, '\n');
}

static void render_table(const wr_result *res, wr_buf *out)
{
    int w[64], n = res->ncols < 64 ? res->ncols : 64, total = 0;
    for (int c = 0; c < n; c++) {
        w[c] = text_width(res->cols[c]);
        for (int r = 0; r < res->nrows; r++) {
            const char *cell = res->cells[r][c] ? res->cells[r][c] : "null";
            if (text_width(cell) > w[c]) w[c] = text_width(cell);
        }
        total += w[c] + 3;
    }
    total = total > 0 ? total - 1 : 0;
    for (int c = 0; c < n; c++) {
        wr_buf_putc(out, ' ');
        pad(out, res->cols[c], w[c]);
        wr_buf_puts(out, c + 1 < n ? " |" : " \n");
    }
    rule(out, total);
    for (int r = 0; r < res->nrows; r++) {
        for (int c = 0; c < n; c++) {
            wr_buf_putc(out, ' ');
            pad(out, res->cells[r][c] ? res->cells[r][c] : "null", w[c]);
            wr_buf_puts(out, c + 1 < n ? " |" : " \n");
        }
    }
    rule(out, total);
}

void wr_result_render(const wr_result *res, wr_buf *out)
{
    switch (res->kind) {
    case WR_RES_TABLE: render_table(res, out); break;
    case WR_RES_TEXT:
        wr_buf_puts(out, res->text ? res->text : "");
        if (out->len && out->data[out->len - 1] != '\n') wr_buf_putc(out, '\n');
        break;
    case WR_RES_QUERY:
        if (res->message) wr_buf_printf(out, " %s\n", res->message);
        else if (res->query_id) wr_buf_printf(out, " Created query with ID %s\n", res->query_id);
        break;
    case WR_RES_PRINT:
        wr_buf_printf(out, " PRINT '%s' needs a broker: run it in the REPL or with weir run\n",
                      res->topic ? res->topic : "");
        break;
    default:
        if (res->message) wr_buf_printf(out, " %s\n", res->message);
        break;
    }
}
