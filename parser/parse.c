/*
 * parse.c - the parse driver: lexer -> lemon parser, error messages with hints, statement
 * splitting, "is this complete" for the REPL, and ${variable} substitution.
 *
 * sql_parse_one() copies the text into the arena (the lexer needs a NUL sentinel), then feeds
 * tokens to the lemon parser one at a time, like SQLite's sqlite3RunParser.  The AST lives in
 * the arena; the parser itself is freed before returning, on every path.
 */
#include <stdio.h>
#include <string.h>

#include "sql_int.h"
#include "grammar.h"

/* ------------------------------------------------------------------ syntax errors */

/* Largest edit distance at which a word counts as a misspelling of a keyword. */
static int typo_limit(size_t n)
{
    return n <= 2 ? 0 : n <= 5 ? 1 : 2;
}

static int upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 32 : c;
}

/* Edit distance counting a swap of neighbours as one edit (FORM -> FROM), case-insensitive:
 * the typos people make in keywords.  Words are short (< 64 bytes). */
static int typo_distance(const char *a, size_t n, const char *b)
{
    size_t m = strlen(b);
    int d[64][64];
    if (n >= 64 || m >= 64) return 99;
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int cost = upper(a[i - 1]) != upper(b[j - 1]);
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && upper(a[i - 1]) == upper(b[j - 2]) && upper(a[i - 2]) == upper(b[j - 1]) &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[n][m];
}

/* The keyword closest to word[0..n) within the typo limit; only keywords the parser would
 * take now when `ps` is given, only reserved ones otherwise.  NULL when none is close. */
static const char *closest_keyword(sql_pstate *ps, const char *word, size_t n, int use_parser)
{
    const char *best = NULL;
    int bestd = typo_limit(n) + 1;
    if (n == 0 || n >= 64 || bestd <= 1) return NULL;
    for (int i = 0; sql_keywords[i]; i++) {
        const char *kw = sql_keywords[i];
        int d = typo_distance(word, n, kw);
        if (d == 0 || d >= bestd) continue;
        if (use_parser) {
            if (!sql_parser_accepts(ps->parser, sql_keyword_code(kw, strlen(kw)))) continue;
        } else if (!sql_is_reserved(kw, strlen(kw))) {
            continue;
        }
        best = kw;
        bestd = d;
    }
    return best;
}

/* Tokens that can start an expression: listed as "an expression" in hints. */
static int starts_expr(int code)
{
    switch (code) {
    case TK_IDENT: case TK_INTEGER: case TK_DECIMAL: case TK_FLOAT: case TK_STRING: case TK_TRUE:
    case TK_FALSE: case TK_NULL: case TK_LP: case TK_MINUS: case TK_PLUS: case TK_NOT: case TK_CASE:
    case TK_CAST:
        return 1;
    }
    return 0;
}

/* "Expecting FROM or ','" when few tokens fit; empty when too many to be useful. */
static void expected_tokens(sql_pstate *ps, char *out, size_t cap)
{
    const char *names[16];
    int n = 0;
    int ident_ok = sql_parser_accepts(ps->parser, TK_IDENT);
    /* CAST starts nothing but an expression */
    int expr_ok = sql_parser_accepts(ps->parser, TK_CAST);
    /* MAP is a keyword only as a type */
    int type_ok = sql_parser_accepts(ps->parser, TK_MAP);
    out[0] = 0;
    if (expr_ok) names[n++] = "an expression";
    if (type_ok) names[n++] = "a type";
    for (int code = 1; code < 256; code++) {
        if (expr_ok && starts_expr(code)) continue;
        if (type_ok && (code == TK_IDENT || code == TK_ARRAY || code == TK_MAP || code == TK_STRUCT)) continue;
        if (!sql_parser_accepts(ps->parser, code)) continue;
        const char *name = sql_token_name(code);
        if (name[0] == '?') continue;
        /* with an identifier possible, every non-reserved keyword is too: say identifier */
        if (ident_ok && code != TK_IDENT && name[0] >= 'A' && name[0] <= 'Z' &&
            !sql_is_reserved(name, strlen(name)))
            continue;
        if (n == 12) return;
        names[n++] = name;
    }
    if (n == 0) return;
    size_t len = (size_t)snprintf(out, cap, "Expecting ");
    for (int i = 0; i < n && len < cap; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        len += (size_t)snprintf(out + len, cap - len, "%s%s", sep, names[i]);
    }
}

void sql_syntax_error(sql_pstate *ps, int code, const sql_tok *tok)
{
    char expect[200];
    if (ps->failed) return;
    if (code == 0) {
        uint32_t off = ps->has_prev ? ps->prev.off + ps->prev.len : 0;
        sql_fail(ps, off, 0, "Syntax error: unexpected end of statement");
        expected_tokens(ps, expect, sizeof expect);
        wr_error_hint(ps->err, "Missing ';' or incomplete statement%s%s", expect[0] ? ". " : "", expect);
        return;
    }
    sql_fail(ps, tok->off, tok->len, "Syntax error at or near '%.*s'", tok->len > 40 ? 40 : (int)tok->len,
             tok->z);
    const char *kw = NULL;
    if (code == TK_IDENT && !tok->quoted) kw = closest_keyword(ps, tok->z, tok->len, 1);
    if (kw) {
        wr_error_hint(ps->err, "Did you mean %s?", kw);
        return;
    }
    /* "SELECT a FORM s": FORM was taken as an alias; the error shows only at s */
    if (ps->has_prev && ps->prev.code == TK_IDENT && !ps->prev.quoted &&
        (kw = closest_keyword(ps, ps->prev.z, ps->prev.len, 0)) != NULL) {
        ps->err->off = ps->prev.off;
        ps->err->len = ps->prev.len;
        snprintf(ps->err->msg, sizeof ps->err->msg, "Syntax error at or near '%.*s'",
                 ps->prev.len > 40 ? 40 : (int)ps->prev.len, ps->prev.z);
        wr_error_hint(ps->err, "Did you mean %s?", kw);
        return;
    }
    if (ps->has_prev && ps->prev.code == TK_SEMI) {
        wr_error_hint(ps->err, "Only one statement is expected here; split the script at ';'");
        return;
    }
    expected_tokens(ps, expect, sizeof expect);
    if (expect[0]) wr_error_hint(ps->err, "%s", expect);
}

static void lex_error(sql_pstate *ps, int code, const sql_tok *tok)
{
    unsigned char c = (unsigned char)tok->z[0];
    switch (code) {
    case SQL_LEX_ERR_STRING:
        sql_fail(ps, tok->off, 1, "Unterminated string literal");
        wr_error_hint(ps->err, "Close the string with ' (write '' for a quote inside it)");
        break;
    case SQL_LEX_ERR_IDENT:
        sql_fail(ps, tok->off, 1, "Unterminated quoted identifier");
        wr_error_hint(ps->err, "Close the identifier with %c", c);
        break;
    case SQL_LEX_ERR_COMMENT:
        sql_fail(ps, tok->off, 2, "Unterminated comment");
        wr_error_hint(ps->err, "Close the comment with */");
        break;
    default:
        if (c >= 0x20 && c < 0x7f)
            sql_fail(ps, tok->off, 1, "Syntax error at or near '%c': unexpected character", c);
        else
            sql_fail(ps, tok->off, 1, "Syntax error: unexpected byte 0x%02x", c);
        if (c == '$' && tok->z[1] == '{')
            wr_error_hint(ps->err, "Variables must be substituted before parsing (DEFINE the variable)");
        break;
    }
}

/* ------------------------------------------------------------------ parse one statement */

/* End of the text before `off`, skipping whitespace backwards. */
static uint32_t trim_end(const char *text, uint32_t off)
{
    while (off > 0 && (text[off - 1] == ' ' || text[off - 1] == '\t' || text[off - 1] == '\n' ||
                       text[off - 1] == '\r'))
        off--;
    return off;
}

/* Gives statements and their queries their full span once the parse is over: the grammar
 * only knows where they start. */
static void finish_spans(sql_pstate *ps, sql_stmt *s, uint32_t start, uint32_t end)
{
    s->span.off = start;
    s->span.len = end > start ? end - start : 0;
    if (s->select && s->select->span.off <= end) s->select->span.len = end - s->select->span.off;
    if (s->inner) {
        uint32_t iend = ps->explain_end ? trim_end(ps->text, ps->explain_end) : end;
        finish_spans(ps, s->inner, s->inner->span.off, iend);
        if (s->inner->select) s->select = s->inner->select;
    }
}

int sql_parse_one(const char *text, size_t len, wr_arena *a, sql_stmt **out, wr_error *err)
{
    sql_pstate ps;
    uint32_t pos = 0, first = 0, last_end = 0;
    int ntok = 0;

    *out = NULL;
    wr_error_clear(err);
    if (len >= UINT32_MAX) return wr_error_set(err, WR_ESYNTAX, "Statement is too long");
    memset(&ps, 0, sizeof ps);
    char *buf = wr_arena_alloc(a, len + 1);
    if (len) memcpy(buf, text, len);
    buf[len] = 0;
    ps.text = buf;
    ps.len = (uint32_t)len;
    ps.a = a;
    ps.err = err;
    ps.parser = sql_parser_new(&ps);

    for (;;) {
        sql_tok tok;
        int code = sql_lex_next(buf, ps.len, &pos, &tok);
        if (code == SQL_LEX_SPACE) continue;
        if (code >= SQL_LEX_ERR_STRING) {
            lex_error(&ps, code, &tok);
            break;
        }
        if (code == SQL_LEX_EOF) {
            if (ntok == 0) {
                sql_fail(&ps, 0, 0, "Empty statement");
                break;
            }
            tok.off = last_end;
            tok.len = 0;
            sql_lemon(ps.parser, 0, tok);
            if (ps.pending_int)
                sql_fail(&ps, ps.pending_int->span.off, ps.pending_int->span.len,
                         "Integer literal is out of range: %s", ps.pending_int->text);
            break;
        }
        /* a non-reserved keyword is a keyword only where the parser can take it as one */
        if (code != TK_IDENT && tok.len < 16 && !sql_is_reserved(tok.z, tok.len) &&
            sql_keyword_code(tok.z, tok.len) == code && !sql_parser_accepts(ps.parser, code))
            code = tok.code = TK_IDENT;
        if (ntok++ == 0) first = tok.off;
        if (code != TK_SEMI) last_end = tok.off + tok.len;
        sql_lemon(ps.parser, code, tok);
        if (ps.pending_int && ps.pending_int->span.off + ps.pending_int->span.len <= tok.off)
            sql_fail(&ps, ps.pending_int->span.off, ps.pending_int->span.len,
                     "Integer literal is out of range: %s", ps.pending_int->text);
        if (ps.failed) break;
        ps.prev = tok;
        ps.has_prev = 1;
    }
    sql_parser_free(ps.parser);
    if (!ps.failed && !ps.result) sql_fail(&ps, 0, 0, "Syntax error: incomplete statement");
    if (ps.failed) return err->code ? err->code : WR_ESYNTAX;
    finish_spans(&ps, ps.result, first, last_end);
    *out = ps.result;
    return 0;
}

/* ------------------------------------------------------------------ splitting */

/* Index just past the quote that closes the one at t[i] (doubled quotes escape it), or len
 * with *open set when it never closes. */
static size_t skip_quoted(const char *t, size_t i, size_t len, int *open)
{
    char q = t[i++];
    while (i < len) {
        if (t[i] == q) {
            if (i + 1 < len && t[i + 1] == q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    *open = 1;
    return len;
}

/* If t[i] starts a comment, returns the index after it (setting *open for an unterminated
 * block comment); otherwise returns i. */
static size_t skip_comment(const char *t, size_t i, size_t len, int *open)
{
    if (i + 1 < len && t[i] == '-' && t[i + 1] == '-') {
        while (i < len && t[i] != '\n') i++;
        return i;
    }
    if (i + 1 < len && t[i] == '/' && t[i + 1] == '*') {
        for (i += 2; i + 1 < len; i++)
            if (t[i] == '*' && t[i + 1] == '/') return i + 2;
        *open = 1;
        return len;
    }
    return i;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* One scanner for sql_split and sql_is_complete: calls cb for each non-empty statement (cb may
 * be NULL).  Sets *complete when the text ends with ';' outside quotes and comments. */
static int scan(const char *t, size_t len, sql_split_cb cb, void *ud, int *complete)
{
    size_t i = 0, first = 0, last = 0;
    int has = 0, open = 0, count = 0, semi_last = 0;
    while (i < len) {
        char c = t[i];
        if (is_space(c)) {
            i++;
            continue;
        }
        size_t j = skip_comment(t, i, len, &open);
        if (j != i) {
            i = j;
            continue;
        }
        if (c == ';') {
            if (has) {
                count++;
                if (cb && cb(ud, t, (uint32_t)first, (uint32_t)(last - first))) return -1;
            }
            has = 0;
            semi_last = 1;
            i++;
            continue;
        }
        semi_last = 0;
        if (!has) {
            has = 1;
            first = i;
        }
        if (c == '\'' || c == '`' || c == '"')
            i = skip_quoted(t, i, len, &open);
        else
            i++;
        last = i;
    }
    if (has) {
        count++;
        if (cb && cb(ud, t, (uint32_t)first, (uint32_t)(last - first))) return -1;
    }
    if (complete) *complete = semi_last && !open;
    return count;
}

int sql_split(const char *text, size_t len, sql_split_cb cb, void *ud)
{
    return scan(text, len, cb, ud, NULL);
}

int sql_is_complete(const char *text, size_t len)
{
    int complete = 0;
    scan(text, len, NULL, NULL, &complete);
    return complete;
}

/* ------------------------------------------------------------------ ${variables} */

static int is_var_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int sql_substitute(const char *text, size_t len, sql_var_lookup lookup, void *ud, wr_arena *a,
                   char **out, wr_error *err)
{
    wr_buf b;
    size_t i = 0, copied = 0;
    int open = 0;
    *out = NULL;
    wr_buf_init(&b);
    char quote = 0; /* the quote character while inside a string or quoted identifier */
    while (i < len) {
        char c = text[i];
        if (quote) {
            if (c == quote) quote = 0; /* a doubled quote closes and reopens: same result */
        } else if (c == '\'' || c == '`' || c == '"') {
            quote = c;
        } else {
            size_t j = skip_comment(text, i, len, &open);
            if (j != i) { /* comments are copied untouched: a commented-out ${x} is no error */
                i = j;
                continue;
            }
        }
        if (c == '$' && i + 1 < len && text[i + 1] == '{') {
            size_t k = i + 2;
            while (k < len && is_var_char(text[k])) k++;
            if (k < len && text[k] == '}' && k > i + 2) {
                char *name = wr_upper(a, text + i + 2, k - i - 2);
                const char *val = lookup ? lookup(ud, name) : NULL;
                if (!val) {
                    wr_buf_fini(&b);
                    wr_error_clear(err);
                    return wr_error_at(err, WR_ESEMANTIC, (uint32_t)i, (uint32_t)(k + 1 - i),
                                       "Undefined variable '%s'", name);
                }
                wr_buf_append(&b, text + copied, i - copied);
                wr_buf_puts(&b, val);
                i = copied = k + 1;
                continue;
            }
        }
        i++;
    }
    wr_buf_append(&b, text + copied, len - copied);
    char *res = wr_arena_alloc(a, b.len + 1);
    if (b.len) memcpy(res, b.data, b.len);
    res[b.len] = 0;
    *out = res;
    wr_buf_fini(&b);
    return 0;
}
