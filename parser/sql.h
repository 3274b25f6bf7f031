/*
 * sql.h - weir's SQL front end: ksqlDB statement language -> AST with byte spans.
 *
 * The lexer (lexer.re, re2c) feeds the lemon grammar (grammar.y) one token at a time, like
 * SQLite's tokenize.c/parse.y.  Grammar actions only call builder functions (ast.c).  Every
 * node records the byte span of the text it came from, relative to the text handed to
 * sql_parse_one(); line/column are computed only when an error is printed.
 *
 * The AST is syntax only: names are not resolved and nothing is typed.  The analyzer
 * (engine/) turns it into a plan.  All AST memory lives in the arena given to the parser.
 *
 * Identifier casing happens here: an unquoted identifier is upper-cased (ksqlDB rule 1),
 * a backtick-quoted one keeps its exact spelling (quoted = 1).
 * Prefix: sql_ / SQL_.
 */
#ifndef WEIR_SQL_H
#define WEIR_SQL_H

#include "base.h"

typedef struct sql_span {
    uint32_t off, len; /* byte range in the parsed text */
} sql_span;

typedef struct sql_ident {
    const char *name; /* NULL when absent; upper-cased unless quoted */
    int quoted;       /* written with backticks */
    sql_span span;
} sql_ident;

/* ------------------------------------------------------------------ types (as written) */

typedef struct sql_type sql_type;

typedef struct sql_type_field {
    sql_ident name;
    sql_type *type;
} sql_type_field;

struct sql_type {
    int kind;             /* wr_kind (WR_BOOLEAN..WR_STRUCT), or SQL_T_CUSTOM */
    int precision, scale; /* DECIMAL(p, s) */
    sql_type *elem;       /* ARRAY<elem>, MAP<key, elem> */
    sql_type *key;
    int nfields;          /* STRUCT<...> */
    sql_type_field *fields;
    sql_ident custom;     /* SQL_T_CUSTOM: name of a type made with CREATE TYPE */
    sql_span span;
};
#define SQL_T_CUSTOM 100

/* ------------------------------------------------------------------ expressions */

typedef enum sql_expr_kind {
    SQL_E_NULL = 1,  /* NULL literal */
    SQL_E_BOOL,      /* TRUE/FALSE: ival 1/0 */
    SQL_E_INT,       /* integer literal: ival; text = digits as written.  A '-' written right
                        before a number literal is part of it (ksqlDB's grammar): "-5" is
                        SQL_E_INT -5 with text "-5", not a negation (also DECIMAL/DOUBLE) */
    SQL_E_DECIMAL,   /* literal with a '.' and no exponent (ksqlDB: DECIMAL): text as written */
    SQL_E_DOUBLE,    /* literal with an exponent (1.5E3): dval, text */
    SQL_E_STRING,    /* 'literal': text = unescaped bytes ('' -> '), tlen */
    SQL_E_COLUMN,    /* [qual.]name: qual (may be NULL), name.  Also a lambda parameter use. */
    SQL_E_UNARY,     /* op: SQL_OP_NEG, SQL_OP_PLUS, SQL_OP_NOT; a */
    SQL_E_BINARY,    /* op: arithmetic, comparison, AND, OR, CONCAT; a op b */
    SQL_E_IS_NULL,   /* a IS [NOT] NULL          (flags SQL_F_NOT) */
    SQL_E_IS_DISTINCT, /* a IS [NOT] DISTINCT FROM b (flags SQL_F_NOT) */
    SQL_E_BETWEEN,   /* a [NOT] BETWEEN b AND c */
    SQL_E_IN,        /* a [NOT] IN (list) */
    SQL_E_LIKE,      /* a [NOT] LIKE b [ESCAPE c] */
    SQL_E_CASE,      /* CASE [a] WHEN list[0] THEN list[1] WHEN list[2] THEN list[3]... [ELSE c] END */
    SQL_E_CAST,      /* CAST(a AS type) */
    SQL_E_DEREF,     /* a->name  (struct field) */
    SQL_E_SUBSCRIPT, /* a[b]     (array index, 1-based, negative from the end; map key) */
    SQL_E_ARRAY,     /* ARRAY[list...] */
    SQL_E_MAP,       /* MAP(k0 := v0, k1 := v1...): list = k0, v0, k1, v1, ... */
    SQL_E_STRUCT,    /* STRUCT(name := v, ...): list of SQL_E_FIELD_INIT */
    SQL_E_FIELD_INIT,/* name := a  (only inside SQL_E_STRUCT) */
    SQL_E_CALL,      /* name(list)  flags: SQL_F_STAR for f(*), SQL_F_DISTINCT for f(DISTINCT x) */
    SQL_E_LAMBDA,    /* (params) => a   params: list of SQL_E_COLUMN with name only */
    SQL_E_INTERVAL_UNIT, /* bare time unit as a function argument: TIMESTAMPADD(MINUTES, 5, ts):
                            name = canonical unit ("MILLISECONDS".."DAYS"), ival = ms per unit */
} sql_expr_kind;

typedef enum sql_op {
    SQL_OP_NONE = 0,
    SQL_OP_ADD, SQL_OP_SUB, SQL_OP_MUL, SQL_OP_DIV, SQL_OP_MOD, SQL_OP_CONCAT, /* || */
    SQL_OP_EQ, SQL_OP_NE, SQL_OP_LT, SQL_OP_LE, SQL_OP_GT, SQL_OP_GE,
    SQL_OP_AND, SQL_OP_OR,
    SQL_OP_NEG, SQL_OP_PLUS, SQL_OP_NOT,
} sql_op;

#define SQL_F_NOT      0x01u
#define SQL_F_STAR     0x02u
#define SQL_F_DISTINCT 0x04u
#define SQL_F_PAREN    0x08u /* written inside parentheses (affects nothing but formatting) */

typedef struct sql_expr sql_expr;

typedef struct sql_expr_list {
    int n, cap;
    sql_expr **items;
} sql_expr_list;

struct sql_expr {
    uint16_t kind;     /* sql_expr_kind */
    uint16_t op;       /* sql_op */
    uint32_t flags;    /* SQL_F_* */
    sql_span span;     /* whole expression text */
    const char *name;  /* column / function / field / unit name (cased per rule 1) */
    int quoted;        /* name was backtick-quoted */
    const char *qual;  /* column qualifier (source name or alias), upper-cased unless quoted; or NULL */
    const char *text;  /* literal text (strings: unescaped) */
    uint32_t tlen;
    int64_t ival;
    double dval;
    sql_expr *a, *b, *c;
    sql_expr_list *list;
    sql_type *type;    /* CAST target */
    void *anno;        /* free for the analyzer */
    uint32_t depth;    /* height of the tree below this node (the parser caps it) */
};

/* ------------------------------------------------------------------ queries */

typedef enum sql_join_kind {
    SQL_JOIN_INNER = 1, SQL_JOIN_LEFT, SQL_JOIN_RIGHT, SQL_JOIN_FULL
} sql_join_kind;

typedef struct sql_from sql_from;
struct sql_from {
    int is_join;
    /* !is_join: a named source */
    sql_ident name;
    sql_ident alias;      /* name == NULL when no alias */
    /* is_join: left JOIN right ON on.  Left-deep: a JOIN b JOIN c = (a JOIN b) JOIN c */
    int join_kind;        /* sql_join_kind */
    sql_from *left, *right;
    sql_expr *on;
    int has_within;
    int64_t within_before_ms, within_after_ms; /* WITHIN n: both n; WITHIN (a, b) */
    int has_grace;
    int64_t grace_ms;
    sql_span span;
};

typedef enum sql_window_kind {
    SQL_WIN_TUMBLING = 1, SQL_WIN_HOPPING, SQL_WIN_SESSION, SQL_WIN_SLIDING
} sql_window_kind;

typedef struct sql_window {
    int kind;             /* sql_window_kind */
    int64_t size_ms;      /* TUMBLING/HOPPING/SLIDING SIZE; SESSION gap */
    int64_t advance_ms;   /* HOPPING ADVANCE BY */
    int has_grace;
    int64_t grace_ms;
    int has_retention;
    int64_t retention_ms;
    sql_span span;
} sql_window;

typedef enum sql_emit { SQL_EMIT_NONE = 0, SQL_EMIT_CHANGES, SQL_EMIT_FINAL } sql_emit;

typedef struct sql_select_item {
    sql_expr *expr;      /* NULL for * and alias.* */
    sql_ident alias;     /* AS alias; name NULL when none */
    int star;            /* SELECT * or alias.* */
    sql_ident star_qual; /* alias of alias.*, name NULL for a bare * */
    sql_span span;
} sql_select_item;

typedef struct sql_select {
    int nitems;
    sql_select_item *items;
    sql_from *from;
    sql_window *window;          /* NULL when no WINDOW clause */
    sql_expr *where;             /* NULL when absent */
    sql_expr_list *group_by;     /* NULL when absent */
    sql_expr_list *partition_by; /* NULL when absent */
    sql_expr *having;
    int emit;                    /* sql_emit */
    int64_t limit;               /* -1 when absent */
    sql_span span;
} sql_select;

/* ------------------------------------------------------------------ statements */

typedef enum sql_stmt_kind {
    SQL_S_CREATE_SOURCE = 1, /* CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] n (cols) WITH (...) */
    SQL_S_CREATE_AS,         /* CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] n [WITH (...)] AS SELECT */
    SQL_S_INSERT_SELECT,     /* INSERT INTO n [WITH (...)] SELECT ... */
    SQL_S_INSERT_VALUES,     /* INSERT INTO n [(cols)] VALUES (exprs) */
    SQL_S_SELECT,            /* push or pull query */
    SQL_S_DROP,              /* DROP STREAM|TABLE|TYPE|CONNECTOR [IF EXISTS] n [DELETE TOPIC] */
    SQL_S_SHOW,              /* SHOW|LIST <obj> [EXTENDED] */
    SQL_S_DESCRIBE,          /* DESCRIBE [EXTENDED] n | DESCRIBE STREAMS|TABLES [EXTENDED] */
    SQL_S_DESCRIBE_FUNCTION, /* DESCRIBE FUNCTION f */
    SQL_S_DESCRIBE_CONNECTOR,/* DESCRIBE CONNECTOR n */
    SQL_S_EXPLAIN,           /* EXPLAIN <statement> | EXPLAIN query_id ; [FORMAT DOT] */
    SQL_S_TERMINATE,         /* TERMINATE id | TERMINATE ALL */
    SQL_S_PAUSE,             /* PAUSE id | ALL */
    SQL_S_RESUME,            /* RESUME id | ALL */
    SQL_S_SET,               /* SET 'name' = 'value' */
    SQL_S_UNSET,             /* UNSET 'name' */
    SQL_S_DEFINE,            /* DEFINE name = 'value' */
    SQL_S_UNDEFINE,          /* UNDEFINE name */
    SQL_S_RUN_SCRIPT,        /* RUN SCRIPT 'path' */
    SQL_S_PRINT,             /* PRINT topic|'topic' [FROM BEGINNING] [INTERVAL|SAMPLE n] [LIMIT n] */
    SQL_S_CREATE_TYPE,       /* CREATE TYPE [IF NOT EXISTS] n AS type */
    SQL_S_CREATE_CONNECTOR,  /* CREATE SOURCE|SINK CONNECTOR [IF NOT EXISTS] n WITH (...) */
    SQL_S_ALTER,             /* ALTER STREAM|TABLE n ADD [COLUMN] c type [, ADD ...] */
    SQL_S_ASSERT,            /* ASSERT [NOT EXISTS] TOPIC|SCHEMA ... (parsed, executed as a check) */
} sql_stmt_kind;

/* Object kinds for CREATE/DROP/SHOW/DESCRIBE. */
typedef enum sql_obj {
    SQL_OBJ_NONE = 0,
    SQL_OBJ_STREAM, SQL_OBJ_TABLE, SQL_OBJ_TYPE, SQL_OBJ_CONNECTOR,
    /* SHOW/LIST targets (plural) */
    SQL_OBJ_STREAMS, SQL_OBJ_TABLES, SQL_OBJ_QUERIES, SQL_OBJ_TOPICS, SQL_OBJ_ALL_TOPICS,
    SQL_OBJ_PROPERTIES, SQL_OBJ_FUNCTIONS, SQL_OBJ_TYPES, SQL_OBJ_VARIABLES, SQL_OBJ_CONNECTORS,
    SQL_OBJ_SOURCE_CONNECTORS, SQL_OBJ_SINK_CONNECTORS,
    /* ASSERT targets */
    SQL_OBJ_TOPIC, SQL_OBJ_SCHEMA,
} sql_obj;

/* Statement flags */
#define SQL_S_OR_REPLACE    0x0001u
#define SQL_S_IF_NOT_EXISTS 0x0002u
#define SQL_S_IF_EXISTS     0x0004u
#define SQL_S_SOURCE        0x0008u /* CREATE SOURCE STREAM|TABLE, CREATE SOURCE CONNECTOR */
#define SQL_S_DELETE_TOPIC  0x0010u
#define SQL_S_EXTENDED      0x0020u
#define SQL_S_FROM_BEGINNING 0x0040u
#define SQL_S_ALL           0x0080u /* TERMINATE ALL / PAUSE ALL / RESUME ALL */
#define SQL_S_SINK          0x0100u /* CREATE SINK CONNECTOR */
#define SQL_S_FORMAT_DOT    0x0200u /* EXPLAIN ... FORMAT DOT (weir extension) */
#define SQL_S_NOT_EXISTS    0x0400u /* ASSERT NOT EXISTS */

/* Column definition flags */
#define SQL_COL_KEY         0x01u /* KEY */
#define SQL_COL_PRIMARY_KEY 0x02u /* PRIMARY KEY */
#define SQL_COL_HEADERS     0x04u /* HEADERS */
#define SQL_COL_HEADER      0x08u /* HEADER('key'): header_key */

typedef struct sql_column_def {
    sql_ident name;
    sql_type *type;
    unsigned flags;
    const char *header_key;
    sql_span span;
} sql_column_def;

/* WITH (name = value): name upper-cased (property names are case-insensitive);
 * value is a literal expression (SQL_E_STRING, SQL_E_INT, SQL_E_DECIMAL, SQL_E_BOOL...). */
typedef struct sql_prop {
    sql_ident name;
    sql_expr *value;
    sql_span span;
} sql_prop;

typedef struct sql_stmt sql_stmt;
struct sql_stmt {
    int kind;              /* sql_stmt_kind */
    int obj;               /* sql_obj */
    unsigned flags;        /* SQL_S_* */
    sql_span span;         /* the whole statement, without the trailing ';' */
    sql_ident name;        /* target object, function, query id, variable, connector */
    int ncols;             /* CREATE_SOURCE elements; ALTER added columns */
    sql_column_def *cols;
    int nprops;            /* WITH (...) */
    sql_prop *props;
    sql_select *select;    /* CREATE_AS, INSERT_SELECT, SELECT, EXPLAIN of a query */
    int ninsert_cols;      /* INSERT VALUES column list (0 = all columns in order) */
    sql_ident *insert_cols;
    sql_expr_list *values; /* INSERT VALUES expressions */
    sql_stmt *inner;       /* EXPLAIN <statement> */
    const char *str;       /* SET/UNSET property name; DEFINE value; RUN SCRIPT path;
                              PRINT topic exactly as written (bare or quoted, case kept);
                              ASSERT TOPIC name / SCHEMA SUBJECT name (also in `name`) */
    const char *str2;      /* SET value */
    sql_type *type;        /* CREATE TYPE n AS type */
    int64_t limit;         /* PRINT LIMIT, -1 when absent */
    int64_t interval;      /* PRINT INTERVAL/SAMPLE, -1 when absent */
    int64_t timeout_ms;    /* ASSERT ... TIMEOUT, -1 when absent */
    int64_t schema_id;     /* ASSERT SCHEMA ... ID n, -1 when absent */
};

/* ------------------------------------------------------------------ API */

/* Calls cb(text+off, len) for each statement of a script: statements end at ';' outside
 * string literals, quoted identifiers and comments.  A trailing statement without ';' is
 * passed too (it will fail to parse if it needs one).  Empty statements (only whitespace and
 * comments) are skipped.  `off` is the byte offset in `text` of the statement's first token
 * (leading whitespace and comments are skipped); `len` runs to the end of its last token, so
 * it excludes the ';' and any whitespace or comment before it.  Returns the number of statements, or stops early and returns -1 if cb returns
 * non-zero. */
typedef int (*sql_split_cb)(void *ud, const char *text, uint32_t off, uint32_t len);
int sql_split(const char *text, size_t len, sql_split_cb cb, void *ud);

/* True when `text` holds at least one complete statement ending in ';' (outside quotes and
 * comments) and nothing but whitespace/comments after the last ';' - the REPL's test for
 * "run it now". */
int sql_is_complete(const char *text, size_t len);

/* Parses exactly one statement (text may end with ';' and trailing whitespace/comments).
 * Returns 0 and *out, or WR_ESYNTAX with err's span on the offending token and a message
 * in ksqlDB's spirit: "Syntax error at or near 'SELEC'", with a hint where one is cheap
 * ("Did you mean SELECT?", "Missing ';'?", "Unterminated string literal").  Spans are
 * offsets into `text`. */
int sql_parse_one(const char *text, size_t len, wr_arena *a, sql_stmt **out, wr_error *err);

/* Replaces ${name} by the value of a variable (also inside string literals and quoted
 * identifiers, as ksqlDB does; not inside comments).  Variable names are case-insensitive:
 * lookup gets the name upper-cased, like DEFINE's name (an identifier).  lookup returns NULL
 * for an undefined variable, which is an error (span on the ${...}).  Text that is not
 * ${identifier} ("$", "${}") is left alone.  Returns 0 and *out (NUL-terminated arena string)
 * or WR_ESEMANTIC. */
typedef const char *(*sql_var_lookup)(void *ud, const char *name);
int sql_substitute(const char *text, size_t len, sql_var_lookup lookup, void *ud, wr_arena *a,
                   char **out, wr_error *err);

/* Formats an expression back to SQL text the way ksqlDB prints expressions (EXPLAIN,
 * DESCRIBE, default names in errors): identifiers upper-cased, binary operations
 * parenthesised "(A + 1)", strings quoted 'x', function calls "ABS(X)". */
void sql_expr_format(const sql_expr *e, wr_buf *out);

/* AST dump for tests: one S-expression per statement, deterministic. */
void sql_stmt_dump(const sql_stmt *stmt, wr_buf *out);

/* Keywords for REPL completion and "did you mean" hints: NULL-terminated array. */
extern const char *const sql_keywords[];
/* True when `word` (any case) is a reserved keyword that needs backticks as an identifier. */
int sql_is_reserved(const char *word, size_t n);

#endif
