/*
 * lexer.re - re2c tokenizer of weir's SQL, and the keyword table.
 *
 * One token per call: parse.c feeds each to the lemon parser (SQLite's tokenize.c model).
 * Tokens are slices of the text, so spans come for free.  The text must end with a NUL at
 * text[len]; re2c uses it as a sentinel and checks the limit, so NUL bytes inside the text are
 * ordinary (illegal) characters.  Keywords are matched as identifiers and looked up in a
 * sorted table: the same table lists keywords for REPL completion and "did you mean" hints.
 * Unterminated strings, quoted identifiers and comments are reported at their start.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_int.h"
#include "grammar.h"

/* Every keyword, alphabetically (bsearch), with whether it is reserved: a reserved word is a
 * token the grammar cannot take back as an identifier (not in grammar.y's %fallback list), so
 * it needs backticks when used as a name. */
#define SQL_KEYWORD_LIST(X) \
    X(ADD, 0) X(ADVANCE, 0) X(ALL, 0) X(ALTER, 0) X(AND, 1) X(ARRAY, 0) X(AS, 1) \
    X(ASSERT, 0) X(BEGINNING, 0) X(BETWEEN, 1) X(BY, 1) X(CASE, 1) X(CAST, 1) X(CHANGES, 0) \
    X(COLUMN, 0) X(CONNECTOR, 0) X(CONNECTORS, 0) X(CREATE, 1) X(DEFINE, 0) \
    X(DELETE, 0) X(DESCRIBE, 0) X(DISTINCT, 1) X(DOT, 0) X(DROP, 0) X(ELSE, 1) X(EMIT, 0) \
    X(END, 1) X(ESCAPE, 0) X(EXISTS, 1) X(EXPLAIN, 0) X(EXTENDED, 0) X(FALSE, 1) X(FINAL, 0) \
    X(FORMAT, 0) X(FROM, 1) X(FULL, 1) X(FUNCTION, 0) X(FUNCTIONS, 0) X(GRACE, 0) X(GROUP, 1) \
    X(HAVING, 1) X(HEADER, 0) X(HEADERS, 0) X(HOPPING, 0) X(ID, 0) X(IF, 0) X(IN, 1) \
    X(INNER, 1) X(INSERT, 1) X(INTERVAL, 0) X(INTO, 1) X(IS, 1) X(JOIN, 1) X(KEY, 0) \
    X(LEFT, 1) X(LIKE, 1) X(LIMIT, 1) X(LIST, 0) X(MAP, 0) X(NOT, 1) X(NULL, 1) X(ON, 1) \
    X(OR, 1) X(OUTER, 1) X(PARTITION, 0) X(PAUSE, 0) X(PERIOD, 0) X(PRIMARY, 0) X(PRINT, 0) \
    X(PROPERTIES, 0) X(QUERIES, 0) X(REPLACE, 0) X(RESUME, 0) X(RETENTION, 0) X(RIGHT, 1) \
    X(RUN, 0) X(SAMPLE, 0) X(SCHEMA, 0) X(SCRIPT, 0) X(SELECT, 1) X(SESSION, 0) X(SET, 0) \
    X(SHOW, 0) X(SINK, 0) X(SIZE, 0) X(SLIDING, 0) X(SOURCE, 0) X(STREAM, 0) X(STREAMS, 0) \
    X(STRUCT, 0) X(SUBJECT, 0) X(TABLE, 0) X(TABLES, 0) X(TERMINATE, 0) X(THEN, 1) \
    X(TIMEOUT, 0) X(TOPIC, 0) X(TOPICS, 0) X(TRUE, 1) X(TUMBLING, 0) X(TYPE, 0) X(TYPES, 0) \
    X(UNDEFINE, 0) X(UNSET, 0) X(VALUES, 1) X(VARIABLES, 0) X(WHEN, 1) X(WHERE, 1) \
    X(WINDOW, 1) X(WITH, 1) X(WITHIN, 1)

typedef struct keyword {
    const char *name;
    int code;
    int reserved;
} keyword;

#define KW_ENTRY(n, r) {#n, TK_##n, (r)},
static const keyword kwtab[] = {SQL_KEYWORD_LIST(KW_ENTRY)};
#define KW_NAME(n, r) #n,
const char *const sql_keywords[] = {SQL_KEYWORD_LIST(KW_NAME) NULL};

static int kw_cmp(const void *key, const void *elt)
{
    const keyword *k = key, *e = elt;
    return strcasecmp(k->name, e->name);
}

static const keyword *kw_find(const char *word, size_t n)
{
    char buf[16];
    if (n == 0 || n >= sizeof buf) return NULL;
    memcpy(buf, word, n);
    buf[n] = 0;
    keyword key = {buf, 0, 0};
    return bsearch(&key, kwtab, sizeof kwtab / sizeof kwtab[0], sizeof kwtab[0], kw_cmp);
}

int sql_keyword_code(const char *word, size_t n)
{
    const keyword *k = kw_find(word, n);
    return k ? k->code : 0;
}

int sql_is_reserved(const char *word, size_t n)
{
    const keyword *k = kw_find(word, n);
    return k && k->reserved > 0;
}

const char *sql_token_name(int code)
{
    switch (code) {
    case 0: return "end of input";
    case TK_IDENT: return "an identifier";
    case TK_STRING: return "a string";
    case TK_INTEGER: return "an integer";
    case TK_DECIMAL: return "a decimal number";
    case TK_FLOAT: return "a number";
    case TK_LP: return "'('";
    case TK_RP: return "')'";
    case TK_LB: return "'['";
    case TK_RB: return "']'";
    case TK_COMMA: return "','";
    case TK_PERIOD: return "'.'";
    case TK_SEMI: return "';'";
    case TK_EQ: return "'='";
    case TK_NE: return "'<>'";
    case TK_LT: return "'<'";
    case TK_LE: return "'<='";
    case TK_GT: return "'>'";
    case TK_GE: return "'>='";
    case TK_PLUS: return "'+'";
    case TK_MINUS: return "'-'";
    case TK_STAR: return "'*'";
    case TK_SLASH: return "'/'";
    case TK_PERCENT: return "'%'";
    case TK_CONCAT: return "'||'";
    case TK_ARROW: return "'->'";
    case TK_LAMBDA: return "'=>'";
    case TK_ASSIGN: return "':='";
    }
    for (size_t i = 0; i < sizeof kwtab / sizeof kwtab[0]; i++)
        if (kwtab[i].code == code) return kwtab[i].name;
    return "?";
}

/*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:yyfill:enable = 0;
    re2c:eof = 0;
*/

int sql_lex_next(const char *text, uint32_t len, uint32_t *pos, sql_tok *tok)
{
    const unsigned char *start = (const unsigned char *)text + *pos;
    const unsigned char *YYCURSOR = start;
    const unsigned char *YYLIMIT = (const unsigned char *)text + len;
    const unsigned char *YYMARKER = start;
    int code;

    tok->z = (const char *)start;
    tok->off = *pos;
    tok->quoted = 0;
    /*!re2c
        digit = [0-9];
        digits = digit+;
        exp = [eE] [+-]? digits;
        idstart = [a-zA-Z_] | [\x80-\xff];
        idchar = [a-zA-Z0-9_@] | [\x80-\xff];

        $ { code = SQL_LEX_EOF; goto done; }
        [ \t\r\n\f\v]+ { code = SQL_LEX_SPACE; goto done; }
        "--" [^\n]* { code = SQL_LEX_SPACE; goto done; }
        "/*" ([^*] | "*"+ [^*/])* "*"+ "/" { code = SQL_LEX_SPACE; goto done; }
        "/*" { code = SQL_LEX_ERR_COMMENT; goto done; }

        "'" ([^'] | "''")* "'" { code = TK_STRING; goto done; }
        "'" { code = SQL_LEX_ERR_STRING; goto done; }
        "`" ([^`] | "``")* "`" { code = TK_IDENT; tok->quoted = 1; goto done; }
        "\"" ([^"] | "\"\"")* "\"" { code = TK_IDENT; tok->quoted = 1; goto done; }
        "`" | "\"" { code = SQL_LEX_ERR_IDENT; goto done; }

        idstart idchar* {
            code = sql_keyword_code((const char *)start, (size_t)(YYCURSOR - start));
            if (code == 0) code = TK_IDENT;
            goto done;
        }

        digits { code = TK_INTEGER; goto done; }
        digits "." digit* | "." digits { code = TK_DECIMAL; goto done; }
        (digits ("." digit*)? | "." digits) exp { code = TK_FLOAT; goto done; }

        "(" { code = TK_LP; goto done; }
        ")" { code = TK_RP; goto done; }
        "[" { code = TK_LB; goto done; }
        "]" { code = TK_RB; goto done; }
        "," { code = TK_COMMA; goto done; }
        "." { code = TK_PERIOD; goto done; }
        ";" { code = TK_SEMI; goto done; }
        "=" { code = TK_EQ; goto done; }
        "<>" | "!=" { code = TK_NE; goto done; }
        "<" { code = TK_LT; goto done; }
        "<=" { code = TK_LE; goto done; }
        ">" { code = TK_GT; goto done; }
        ">=" { code = TK_GE; goto done; }
        "+" { code = TK_PLUS; goto done; }
        "-" { code = TK_MINUS; goto done; }
        "*" { code = TK_STAR; goto done; }
        "/" { code = TK_SLASH; goto done; }
        "%" { code = TK_PERCENT; goto done; }
        "||" { code = TK_CONCAT; goto done; }
        "->" { code = TK_ARROW; goto done; }
        "=>" { code = TK_LAMBDA; goto done; }
        ":=" { code = TK_ASSIGN; goto done; }

        * { code = SQL_LEX_ERR_CHAR; goto done; }
    */
done:
    tok->len = (uint32_t)(YYCURSOR - start);
    tok->code = code;
    *pos += tok->len;
    return code;
}
