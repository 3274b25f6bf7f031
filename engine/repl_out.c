/*
 * repl_out.c - everything the shell prints: statement results (the ksql CLI's tables from
 * render.c, or JSON), errors with line/column/caret, push-query rows, and the spool copy.
 *
 * Push-query table, as the ksql CLI draws it:
 *
 *   +--------------------------------------+--------------------------------------+
 *   |ID                                    |AMOUNT                                |
 *   +--------------------------------------+--------------------------------------+
 *   |1                                     |10.5                                  |
 *   +--------------------------------------+--------------------------------------+
 *   Limit Reached
 *   Query terminated
 *
 * Rows are printed as they arrive, so the widths are fixed before the first row: the
 * terminal's width (80 when stdout is not a terminal) shared equally, widened to fit each
 * header.  A longer value wraps onto extra lines inside its cell, so nothing is cut and the
 * box stays straight.  Control characters in values print as spaces.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "repl_int.h"

/* ---------------------------------------------------------------- raw output */

void wr_repl_out(wr_shell *sh, FILE *f, const char *s, size_t n)
{
    uv_mutex_lock(&sh->out_mu);
    fwrite(s, 1, n, f);
    if (f != stdout) fflush(stdout); /* keep stdout and stderr in order on a terminal */
    fflush(f);
    if (sh->spool) {
        fwrite(s, 1, n, sh->spool);
        fflush(sh->spool);
    }
    uv_mutex_unlock(&sh->out_mu);
}

void wr_repl_outf(wr_shell *sh, FILE *f, const char *fmt, ...)
{
    wr_buf b;
    wr_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    wr_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    wr_repl_out(sh, f, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
}

void wr_repl_spool_echo(wr_shell *sh, const char *s)
{
    uv_mutex_lock(&sh->out_mu);
    if (sh->spool) {
        fputs(s, sh->spool);
        fflush(sh->spool);
    }
    uv_mutex_unlock(&sh->out_mu);
}

void wr_repl_after_ctrl_c(wr_shell *sh)
{
    if (!isatty(STDOUT_FILENO)) return;
    uv_mutex_lock(&sh->out_mu);
    fputs("\r", stdout); /* not spooled */
    uv_mutex_unlock(&sh->out_mu);
}

int wr_repl_spool(wr_shell *sh, const char *path)
{
    FILE *f = NULL;
    if (path && !(f = fopen(path, "w"))) return -1;
    uv_mutex_lock(&sh->out_mu);
    if (sh->spool) fclose(sh->spool);
    free(sh->spool_path);
    sh->spool = f;
    sh->spool_path = path ? wr_xstrdup(path) : NULL;
    uv_mutex_unlock(&sh->out_mu);
    return 0;
}

/* ---------------------------------------------------------------- results */

static void out_json(wr_shell *sh, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(j);
    if (s) {
        wr_repl_outf(sh, stdout, "%s\n", s);
        free(s);
    }
}

static json_t *json_cell(const char *s) { return s ? json_string(s) : json_null(); }

/* Numbers and booleans as JSON numbers and booleans; DECIMAL stays text (exact digits), as do
 * the formatted ARRAY/MAP/STRUCT values. */
static json_t *json_typed_cell(int kind, const char *s)
{
    if (!s)
        return json_null();
    char *end;
    switch (kind) {
    case WR_INT:
    case WR_BIGINT: {
        long long v = strtoll(s, &end, 10);
        return *end ? json_string(s) : json_integer(v);
    }
    case WR_DOUBLE: {
        double d = strtod(s, &end);
        return *end || !isfinite(d) ? json_string(s) : json_real(d);
    }
    case WR_BOOLEAN:
        return !strcmp(s, "true") ? json_true() : !strcmp(s, "false") ? json_false() : json_string(s);
    default:
        return json_string(s);
    }
}

static void result_json(wr_shell *sh, const wr_result *res)
{
    json_t *j;
    if (res->kind == WR_RES_TABLE) {
        j = json_array();
        for (int r = 0; r < res->nrows; r++) {
            json_t *row = json_object();
            for (int c = 0; c < res->ncols; c++)
                json_object_set_new(row, res->cols[c], json_cell(res->cells[r][c]));
            json_array_append_new(j, row);
        }
    } else {
        j = json_object();
        if (res->stmt_text) json_object_set_new(j, "statementText", json_string(res->stmt_text));
        if (res->text) json_object_set_new(j, "text", json_string(res->text));
        if (res->message) json_object_set_new(j, "message", json_string(res->message));
        if (res->query_id) json_object_set_new(j, "queryId", json_string(res->query_id));
    }
    out_json(sh, j);
}

void wr_repl_result(wr_shell *sh, const wr_result *res)
{
    if (sh->output == WR_OUT_JSON) {
        result_json(sh, res);
        return;
    }
    wr_buf b;
    wr_buf_init(&b);
    wr_result_render(res, &b);
    /* nothing to say (INSERT VALUES): print nothing rather than a blank line */
    if (b.len && strspn(b.data, " \n") < b.len) wr_repl_out(sh, stdout, b.data, b.len);
    wr_buf_fini(&b);
}

void wr_repl_error(wr_shell *sh, const wr_error *err, const char *sql)
{
    wr_buf b;
    wr_buf_init(&b);
    if (sh->src_name) wr_buf_printf(&b, "%s: ", sh->src_name);
    size_t at = b.len;
    wr_error_format(err, sql, &b);
    int line, used = 0;
    if (sql && sh->line_base > 0 && sscanf(b.data + at, "Line: %d%n", &line, &used) == 1) {
        /* positions count from the start of the file or input, not of the statement */
        wr_buf fixed;
        wr_buf_init(&fixed);
        wr_buf_append(&fixed, b.data, at);
        wr_buf_printf(&fixed, "Line: %d%s", line + sh->line_base, b.data + at + used);
        wr_buf_fini(&b);
        b = fixed;
    }
    if (!b.len) wr_buf_puts(&b, "error");
    if (b.data[b.len - 1] != '\n') wr_buf_putc(&b, '\n');
    wr_repl_out(sh, stderr, b.data, b.len);
    wr_buf_fini(&b);
}

/* ---------------------------------------------------------------- push-query table */

/* Code points in s[0..n) (display width, near enough). */
static int text_width(const char *s, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
    return w;
}

/* Byte length of the first `cols` code points of s[0..n). */
static size_t prefix_bytes(const char *s, size_t n, int cols)
{
    size_t i = 0;
    for (int c = 0; i < n; c++) {
        if (c == cols) break;
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

static int terminal_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
        return ws.ws_col;
    return 80;
}

static void rule(wr_shell *sh, wr_buf *b)
{
    wr_buf_putc(b, '+');
    for (int c = 0; c < sh->push_ncols; c++) {
        for (int i = 0; i < sh->push_w[c]; i++) wr_buf_putc(b, '-');
        wr_buf_putc(b, '+');
    }
    wr_buf_putc(b, '\n');
}

/* One table row; cells wrap onto as many lines as the longest needs. */
static void table_row(wr_shell *sh, wr_buf *b, int ncols, const char *const *cells)
{
    int n = sh->push_ncols;
    const char **text = wr_xcalloc((size_t)n, sizeof *text);
    size_t *len = wr_xcalloc((size_t)n, sizeof *len), *pos = wr_xcalloc((size_t)n, sizeof *pos);
    for (int c = 0; c < n; c++) {
        text[c] = c < ncols && cells[c] ? cells[c] : "null";
        len[c] = strlen(text[c]);
    }
    for (int more = 1; more;) {
        more = 0;
        wr_buf_putc(b, '|');
        for (int c = 0; c < n; c++) {
            size_t take = prefix_bytes(text[c] + pos[c], len[c] - pos[c], sh->push_w[c]);
            size_t start = b->len;
            wr_buf_append(b, text[c] + pos[c], take);
            for (size_t i = start; i < b->len; i++)
                if ((unsigned char)b->data[i] < 0x20 || b->data[i] == 0x7f) b->data[i] = ' ';
            for (int w = text_width(text[c] + pos[c], take); w < sh->push_w[c]; w++)
                wr_buf_putc(b, ' ');
            wr_buf_putc(b, '|');
            pos[c] += take;
            if (pos[c] < len[c]) more = 1;
        }
        wr_buf_putc(b, '\n');
    }
    free(text);
    free(len);
    free(pos);
}

void wr_repl_push_begin(wr_shell *sh, const wr_query *q)
{
    int n = wr_query_column_count(q);
    sh->push_ncols = n;
    sh->push_w = wr_xcalloc((size_t)n + 1, sizeof *sh->push_w);
    sh->push_names = wr_xcalloc((size_t)n + 1, sizeof *sh->push_names);
    sh->push_kinds = wr_xcalloc((size_t)n + 1, sizeof *sh->push_kinds);
    for (int c = 0; c < n; c++) {
        const wr_type *t = wr_query_column_type(q, c);
        sh->push_kinds[c] = t ? (int)t->kind : WR_STRING;
    }
    int base = n ? (terminal_width() - 1) / n - 1 : 0;
    if (base < 1) base = 1;
    for (int c = 0; c < n; c++) {
        const char *name = wr_query_column_name(q, c);
        sh->push_names[c] = wr_xstrdup(name ? name : "");
        int w = text_width(sh->push_names[c], strlen(sh->push_names[c]));
        sh->push_w[c] = w > base ? w : base;
    }
    if (sh->output == WR_OUT_JSON) return;
    wr_buf b;
    wr_buf_init(&b);
    rule(sh, &b);
    table_row(sh, &b, n, (const char *const *)sh->push_names);
    rule(sh, &b);
    wr_repl_out(sh, stdout, b.data, b.len);
    wr_buf_fini(&b);
}

void wr_repl_push_row(wr_shell *sh, int ncols, const char *const *cells, int tombstone)
{
    if (sh->output == WR_OUT_JSON) {
        json_t *row = json_object();
        for (int c = 0; c < sh->push_ncols && c < ncols; c++)
            json_object_set_new(row, sh->push_names[c], json_typed_cell(sh->push_kinds[c], cells[c]));
        if (tombstone) json_object_set_new(row, "__tombstone", json_true());
        out_json(sh, row);
        return;
    }
    wr_buf b;
    wr_buf_init(&b);
    table_row(sh, &b, ncols, cells);
    wr_repl_out(sh, stdout, b.data, b.len);
    wr_buf_fini(&b);
}

void wr_repl_push_end(wr_shell *sh, int status)
{
    wr_buf b;
    wr_buf_init(&b);
    if (status == 1) wr_repl_after_ctrl_c(sh);
    if (sh->output != WR_OUT_JSON) rule(sh, &b);
    if (status == 0) wr_buf_puts(&b, "Limit Reached\n");
    wr_buf_puts(&b, status < 0 ? "Query failed\n" : "Query terminated\n");
    /* JSON rows stay alone on stdout (one object per line) */
    if (sh->output == WR_OUT_JSON) wr_repl_out(sh, stderr, b.data, b.len);
    else wr_repl_out(sh, stdout, b.data, b.len);
    wr_buf_fini(&b);
    for (int c = 0; c < sh->push_ncols; c++) free(sh->push_names[c]);
    free(sh->push_names);
    free(sh->push_kinds);
    sh->push_kinds = NULL;
    free(sh->push_w);
    sh->push_names = NULL;
    sh->push_w = NULL;
    sh->push_ncols = 0;
}
