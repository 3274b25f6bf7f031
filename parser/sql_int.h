/*
 * sql_int.h - parser internals shared by lexer.re, grammar.y, ast.c and parse.c.
 *
 * Not a public header: the rest of weir sees only sql.h.  Tokens are slices of the text being
 * parsed (an arena copy that is NUL-terminated, which the re2c lexer needs as its sentinel);
 * grammar actions call the sql_build_* functions below, which allocate from the parse arena
 * and record the first semantic error in the parse state instead of failing, so a grammar
 * action never sees NULL.
 */
#ifndef WEIR_SQL_INT_H
#define WEIR_SQL_INT_H

#include "sql.h"

/* A token: a slice of the parsed text.  `code` is the lemon token code (TK_*). */
typedef struct sql_tok {
    const char *z;
    uint32_t off, len;
    int code;
    int quoted; /* identifier written with backticks or double quotes */
} sql_tok;

/* Non-grammar results of the lexer (grammar codes are small positive numbers). */
enum {
    SQL_LEX_EOF = 0,
    SQL_LEX_SPACE = 1000,   /* whitespace or comment: skipped */
    SQL_LEX_ERR_STRING,     /* unterminated '...' */
    SQL_LEX_ERR_IDENT,      /* unterminated `...` or "..." */
    SQL_LEX_ERR_COMMENT,    /* unterminated block comment */
    SQL_LEX_ERR_CHAR,       /* a byte that starts no token */
};

/* Scans the token at *pos of text (text[len] must be NUL), fills tok and advances *pos.
 * Returns a TK_* code, SQL_LEX_EOF at the end, or one of the SQL_LEX_* codes above. */
int sql_lex_next(const char *text, uint32_t len, uint32_t *pos, sql_tok *tok);
/* Keyword token code of word[0..n) (any case), or 0 when it is not a keyword. */
int sql_keyword_code(const char *word, size_t n);
/* Human name of a token code for messages: "SELECT", "'('", "an identifier". */
const char *sql_token_name(int code);

/* Parse state handed to lemon as %extra_context. */
typedef struct sql_pstate {
    const char *text; /* NUL-terminated arena copy of the statement text */
    uint32_t len;
    wr_arena *a;
    wr_error *err;
    int failed;       /* an error has been recorded: stop feeding tokens */
    sql_stmt *result;
    sql_tok prev;     /* the token shifted before the current lookahead (for hints) */
    int has_prev;
    void *parser;     /* the lemon parser, for expected-token hints */
    sql_expr *pending_int; /* 9223372036854775808: fine only if a unary minus takes it next */
    uint32_t explain_end;  /* offset of FORMAT in EXPLAIN ... FORMAT DOT, else 0 */
} sql_pstate;

/* Growable arrays built by the grammar (arena memory, doubled on demand). */
typedef struct sql_items { int n, cap; sql_select_item *v; } sql_items;
typedef struct sql_cols { int n, cap; sql_column_def *v; } sql_cols;
typedef struct sql_props { int n, cap; sql_prop *v; } sql_props;
typedef struct sql_idents { int n, cap; sql_ident *v; } sql_idents;
typedef struct sql_fields { int n, cap; sql_type_field *v; sql_span span; } sql_fields;

/* Window parameters as written, checked against the window kind at the end. */
enum { SQL_WP_SIZE = 1, SQL_WP_ADVANCE = 2, SQL_WP_RETENTION = 4, SQL_WP_GRACE = 8, SQL_WP_GAP = 16 };
typedef struct sql_wparams { sql_window w; unsigned seen; } sql_wparams;

/* A duration as written: milliseconds plus the span it came from. */
typedef struct sql_dur { int64_t ms; sql_span span; } sql_dur;

/* ---- lemon entry points (generated grammar.c) */
/* A new parser (heap) for one statement; sql_parser_free() releases it. */
void *sql_parser_new(sql_pstate *ps);
void sql_parser_free(void *parser);
void sql_lemon(void *parser, int code, sql_tok tok);
/* 1 when the parser in its current state would accept token `code` (used for hints). */
int sql_parser_accepts(void *parser, int code);

/* ---- errors */
/* Records the first error of the parse as WR_ESYNTAX with a span (later ones are ignored) and
 * marks the parse failed. */
void sql_fail(sql_pstate *ps, uint32_t off, uint32_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* %syntax_error: "Syntax error at or near 'X'" on tok (code 0 = end of input) with a hint:
 * a keyword the misspelt word resembles, or the tokens the parser expects. */
void sql_syntax_error(sql_pstate *ps, int code, const sql_tok *tok);
/* %stack_overflow: the statement nests deeper than the parser stack. */
void sql_stack_overflow(sql_pstate *ps);

/* ---- builders (ast.c), called from grammar actions.
 * Each returns memory from ps->a (never NULL) whose span covers the text it was built from;
 * a semantic problem (overflow, bad unit, misplaced ':=') is recorded with sql_fail() and a
 * usable node is still returned, so the grammar can run on to the driver's check. */
sql_span sql_span_join(sql_span a, sql_span b);
sql_span sql_tok_span(sql_tok t);
sql_ident sql_build_ident(sql_pstate *ps, sql_tok t);
sql_ident sql_build_ident_str(sql_pstate *ps, sql_tok t); /* 'string' used as a name: kept as is */

sql_expr *sql_build_literal(sql_pstate *ps, sql_tok t);
sql_expr *sql_build_column(sql_pstate *ps, const sql_ident *qual, const sql_ident *name);
sql_expr *sql_build_paren(sql_pstate *ps, sql_tok lp, sql_expr *e, sql_tok rp);
sql_expr *sql_build_unary(sql_pstate *ps, sql_tok op, sql_expr *e);
sql_expr *sql_build_binary(sql_pstate *ps, sql_expr *l, int tkop, sql_expr *r);
sql_expr *sql_build_is_null(sql_pstate *ps, sql_expr *e, int not, sql_tok end);
sql_expr *sql_build_is_distinct(sql_pstate *ps, sql_expr *l, int not, sql_expr *r);
sql_expr *sql_build_between(sql_pstate *ps, sql_expr *e, int not, sql_expr *lo, sql_expr *hi);
sql_expr *sql_build_in(sql_pstate *ps, sql_expr *e, int not, sql_expr_list *list, sql_tok rp);
sql_expr *sql_build_like(sql_pstate *ps, sql_expr *e, int not, sql_expr *pat, sql_expr *esc);
sql_expr *sql_build_case(sql_pstate *ps, sql_tok kw, sql_expr *base, sql_expr_list *whens,
                         sql_expr *els, sql_tok end);
sql_expr_list *sql_build_when(sql_pstate *ps, sql_expr_list *l, sql_expr *cond, sql_expr *res);
sql_expr *sql_build_cast(sql_pstate *ps, sql_tok kw, sql_expr *e, sql_type *t, sql_tok rp);
sql_expr *sql_build_deref(sql_pstate *ps, sql_expr *e, const sql_ident *field);
sql_expr *sql_build_subscript(sql_pstate *ps, sql_expr *e, sql_expr_list *idx, sql_tok rb);
/* name(args): flags SQL_F_STAR / SQL_F_DISTINCT.  MAP(...) and STRUCT(...) become
 * constructors; bare time-unit words among the arguments become SQL_E_INTERVAL_UNIT. */
sql_expr *sql_build_call(sql_pstate *ps, const sql_ident *name, sql_expr_list *args,
                         unsigned flags, sql_tok rp);
sql_expr *sql_build_assign(sql_pstate *ps, sql_expr *k, sql_expr *v); /* k := v argument */
sql_expr *sql_build_lambda(sql_pstate *ps, sql_span start, sql_expr_list *params, sql_expr *body);
sql_expr_list *sql_list_new(sql_pstate *ps, sql_expr *first);
sql_expr_list *sql_list_add(sql_pstate *ps, sql_expr_list *l, sql_expr *e);

sql_type *sql_build_type(sql_pstate *ps, const sql_ident *name);
sql_type *sql_build_type_decimal(sql_pstate *ps, const sql_ident *name, sql_tok p, sql_tok s,
                                 sql_tok rp);
sql_type *sql_build_type_array(sql_pstate *ps, sql_tok kw, sql_type *elem, sql_tok gt);
sql_type *sql_build_type_map(sql_pstate *ps, sql_tok kw, sql_type *k, sql_type *v, sql_tok gt);
sql_type *sql_build_type_struct(sql_pstate *ps, sql_tok kw, sql_fields *f, sql_tok gt);
sql_fields *sql_fields_add(sql_pstate *ps, sql_fields *f, const sql_ident *name, sql_type *t);

sql_dur sql_build_dur(sql_pstate *ps, sql_tok num, const sql_ident *unit);
int64_t sql_build_count(sql_pstate *ps, sql_tok num); /* LIMIT/INTERVAL/SAMPLE n */

sql_select_item sql_build_item(sql_pstate *ps, sql_expr *e, const sql_ident *alias,
                               const sql_ident *star_qual, const sql_tok *star);
sql_items *sql_items_add(sql_pstate *ps, sql_items *l, const sql_select_item *it);
sql_from *sql_build_source(sql_pstate *ps, const sql_ident *name, const sql_ident *alias);
sql_from *sql_build_join(sql_pstate *ps, sql_from *l, int kind, sql_from *r, sql_dur *within,
                         int nwithin, sql_dur *grace, sql_expr *on);
sql_wparams *sql_wparams_add(sql_pstate *ps, sql_wparams *w, int which, sql_tok kw, sql_dur d);
sql_window *sql_build_window(sql_pstate *ps, sql_tok kw, sql_tok kind, sql_wparams *w, sql_tok rp);
sql_select *sql_build_select(sql_pstate *ps, sql_tok kw, sql_items *items, sql_from *from,
                             sql_window *win, sql_expr *where, sql_expr_list *group,
                             sql_expr_list *part, sql_expr *having, int emit, int64_t limit);

/* cons: the column constraint as a token whose code is a SQL_COL_* flag (0 = none), z the
 * HEADER key, off/len the constraint's last token; NULL for ALTER ... ADD. */
sql_column_def sql_build_coldef(sql_pstate *ps, const sql_ident *name, sql_type *t,
                                const sql_tok *cons);
sql_cols *sql_cols_add(sql_pstate *ps, sql_cols *l, const sql_column_def *c);
sql_props *sql_props_add(sql_pstate *ps, sql_props *l, const sql_ident *name, sql_expr *v);
sql_idents *sql_idents_add(sql_pstate *ps, sql_idents *l, const sql_ident *id);
char *sql_unquote_string(sql_pstate *ps, sql_tok t, uint32_t *outlen);

sql_stmt *sql_stmt_new(sql_pstate *ps, int kind, sql_tok start);
void sql_stmt_set_cols(sql_stmt *s, sql_cols *c);
void sql_stmt_set_props(sql_stmt *s, sql_props *p);
sql_stmt *sql_build_select_stmt(sql_pstate *ps, sql_select *sel);
sql_stmt *sql_build_create_source(sql_pstate *ps, sql_stmt *head, sql_cols *cols, sql_props *with);
sql_stmt *sql_build_create_as(sql_pstate *ps, sql_stmt *head, sql_props *with, sql_select *sel);
sql_stmt *sql_build_explain(sql_pstate *ps, sql_tok kw, sql_stmt *inner, const sql_ident *id,
                            int dot, sql_tok fmt);

#endif
