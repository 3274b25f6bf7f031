/*
 * grammar.y - lemon grammar of weir's SQL (ksqlDB's statement language plus weir additions).
 *
 * The lexer (lexer.re) feeds one token at a time (parse.c drives it).  Actions only call the
 * builders of ast.c, which allocate from the parse arena and record semantic errors in the parse
 * state.  Non-reserved keywords fall back to IDENT, so a column may be called SIZE or TYPE: a
 * keyword is a keyword only where the grammar can take it as one (decided in parse.c).
 */

%include {
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "sql_int.h"
}

%name sql_lemon
%token_prefix TK_
%token_type {sql_tok}
%default_type {sql_tok}
%extra_context {sql_pstate *ps}
%stack_size 400

%syntax_error { sql_syntax_error(ps, yymajor, &yyminor); }
%stack_overflow { sql_stack_overflow(ps); }
%parse_failure { ps->failed = 1; }

/* Non-reserved keywords (lexer.re's table) are not declared with %fallback: lemon's default
 * reductions would let IDENT win where the keyword is valid only after a reduction
 * ("FROM t PARTITION BY").  parse.c turns such a keyword into IDENT only when the parser
 * cannot take it as the keyword. */

%left OR.
%left AND.
%right NOT.
%left IS BETWEEN IN LIKE EQ NE LT LE GT GE.
%left ESCAPE.
%left PLUS MINUS CONCAT.
%left STAR SLASH PERCENT.
%right UMINUS.
%left ARROW LB.

/* ------------------------------------------------------------------ top level */

input ::= cmd(C).         { ps->result = C; }
input ::= cmd(C) SEMI.    { ps->result = C; }

%type cmd {sql_stmt*}
%type stmt {sql_stmt*}
cmd(A) ::= stmt(S).                                  { A = S; }
cmd(A) ::= EXPLAIN(T) stmt(S) fmtopt(F).             { A = sql_build_explain(ps, T, S, NULL, F.code != 0, F); }
cmd(A) ::= EXPLAIN(T) ident(N) fmtopt(F).            { A = sql_build_explain(ps, T, NULL, &N, F.code != 0, F); }

fmtopt(A) ::= .                                      { memset(&A, 0, sizeof A); }
fmtopt(A) ::= FORMAT(F) DOT.                         { A = F; }

/* ------------------------------------------------------------------ CREATE */

%type create_head {sql_stmt*}
create_head(A) ::= CREATE(T) orrep(R) srcopt(O) STREAM|TABLE(K) ifne(I) ident(N).
    { A = sql_stmt_new(ps, SQL_S_CREATE_SOURCE, T);
      A->obj = K.code == TK_TABLE ? SQL_OBJ_TABLE : SQL_OBJ_STREAM;
      A->flags = (unsigned)(R | O | I); A->name = N; }

%type orrep {int}
orrep(A) ::= .                   { A = 0; }
orrep(A) ::= OR REPLACE.         { A = SQL_S_OR_REPLACE; }
%type srcopt {int}
srcopt(A) ::= .                  { A = 0; }
srcopt(A) ::= SOURCE.            { A = SQL_S_SOURCE; }
%type connkind {int}
connkind(A) ::= SOURCE.          { A = SQL_S_SOURCE; }
connkind(A) ::= SINK.            { A = SQL_S_SINK; }
%type ifne {int}
ifne(A) ::= .                    { A = 0; }
ifne(A) ::= IF NOT EXISTS.       { A = SQL_S_IF_NOT_EXISTS; }
%type ife {int}
ife(A) ::= .                     { A = 0; }
ife(A) ::= IF EXISTS.            { A = SQL_S_IF_EXISTS; }

stmt(A) ::= create_head(H) LP coldefs(C) RP opt_with(W).   { A = sql_build_create_source(ps, H, C, W); }
stmt(A) ::= create_head(H) opt_with(W).                    { A = sql_build_create_source(ps, H, NULL, W); }
stmt(A) ::= create_head(H) opt_with(W) AS select(S).       { A = sql_build_create_as(ps, H, W, S); }

stmt(A) ::= CREATE(T) orrep(R) TYPE ifne(I) ident(N) AS type(Y).
    { A = sql_stmt_new(ps, SQL_S_CREATE_TYPE, T); A->obj = SQL_OBJ_TYPE;
      A->flags = (unsigned)(R | I); A->name = N; A->type = Y; }
stmt(A) ::= CREATE(T) orrep(R) connkind(K) CONNECTOR ifne(I) ident(N) opt_with(W).
    { A = sql_stmt_new(ps, SQL_S_CREATE_CONNECTOR, T); A->obj = SQL_OBJ_CONNECTOR;
      A->flags = (unsigned)(R | I | K);
      A->name = N; sql_stmt_set_props(A, W); }

%type coldefs {sql_cols*}
coldefs(A) ::= coldef(C).                          { A = sql_cols_add(ps, NULL, &C); }
coldefs(A) ::= coldefs(L) COMMA coldef(C).         { A = sql_cols_add(ps, L, &C); }
%type coldef {sql_column_def}
coldef(A) ::= ident(N) type(T) colcons(C).         { A = sql_build_coldef(ps, &N, T, &C); }

/* colcons: code = SQL_COL_* flag; z = header key (arena string) for HEADER('k'); off/len = last token */
colcons(A) ::= .                                  { memset(&A, 0, sizeof A); }
colcons(A) ::= KEY(K).                            { A = K; A.code = SQL_COL_KEY; }
colcons(A) ::= PRIMARY KEY(K).                    { A = K; A.code = SQL_COL_PRIMARY_KEY; }
colcons(A) ::= HEADERS(K).                        { A = K; A.code = SQL_COL_HEADERS; }
colcons(A) ::= HEADER LP STRING(S) RP(E).         { A = E; A.code = SQL_COL_HEADER; A.z = sql_unquote_string(ps, S, NULL); }

%type opt_with {sql_props*}
opt_with(A) ::= .                                 { A = NULL; }
opt_with(A) ::= WITH LP props(P) RP.              { A = P; }
%type props {sql_props*}
props(A) ::= prop(P).                             { A = P; }
props(A) ::= props(L) COMMA ident(N) EQ propval(V).   { A = sql_props_add(ps, L, &N, V); }
props(A) ::= props(L) COMMA STRING(S) EQ propval(V).  { sql_ident n = sql_build_ident_str(ps, S); A = sql_props_add(ps, L, &n, V); }
%type prop {sql_props*}
prop(A) ::= ident(N) EQ propval(V).               { A = sql_props_add(ps, NULL, &N, V); }
prop(A) ::= STRING(S) EQ propval(V).              { sql_ident n = sql_build_ident_str(ps, S); A = sql_props_add(ps, NULL, &n, V); }
%type propval {sql_expr*}
propval(A) ::= literal(L).                        { A = L; }
propval(A) ::= MINUS(M) INTEGER|DECIMAL|FLOAT(N). { A = sql_build_unary(ps, M, sql_build_literal(ps, N)); }

/* ------------------------------------------------------------------ INSERT */

stmt(A) ::= INSERT(T) INTO ident(N) opt_with(W) select(S).
    { A = sql_stmt_new(ps, SQL_S_INSERT_SELECT, T); A->name = N; sql_stmt_set_props(A, W); A->select = S; }
stmt(A) ::= INSERT(T) INTO ident(N) VALUES LP exprlist(V) RP.
    { A = sql_stmt_new(ps, SQL_S_INSERT_VALUES, T); A->name = N; A->values = V; }
stmt(A) ::= INSERT(T) INTO ident(N) LP idents(C) RP VALUES LP exprlist(V) RP.
    { A = sql_stmt_new(ps, SQL_S_INSERT_VALUES, T); A->name = N; A->values = V;
      A->ninsert_cols = C->n; A->insert_cols = C->v; }

%type idents {sql_idents*}
idents(A) ::= ident(N).                           { A = sql_idents_add(ps, NULL, &N); }
idents(A) ::= idents(L) COMMA ident(N).           { A = sql_idents_add(ps, L, &N); }

/* ------------------------------------------------------------------ SELECT */

stmt(A) ::= select(S).      { A = sql_build_select_stmt(ps, S); }

%type select {sql_select*}
select(A) ::= SELECT(T) items(I) FROM from(F) opt_window(W) opt_where(WH) opt_groupby(G)
              opt_partby(P) opt_having(H) opt_emit(E) opt_limit(L).
    { A = sql_build_select(ps, T, I, F, W, WH, G, P, H, E, L); }

%type items {sql_items*}
items(A) ::= item(I).                             { A = sql_items_add(ps, NULL, &I); }
items(A) ::= items(L) COMMA item(I).              { A = sql_items_add(ps, L, &I); }
%type item {sql_select_item}
item(A) ::= STAR(S).                              { A = sql_build_item(ps, NULL, NULL, NULL, &S); }
item(A) ::= ident(Q) PERIOD STAR(S).              { A = sql_build_item(ps, NULL, NULL, &Q, &S); }
item(A) ::= expr(E).                              { A = sql_build_item(ps, E, NULL, NULL, NULL); }
item(A) ::= expr(E) AS ident(N).                  { A = sql_build_item(ps, E, &N, NULL, NULL); }
item(A) ::= expr(E) ident(N).                     { A = sql_build_item(ps, E, &N, NULL, NULL); }

%type from {sql_from*}
%type source {sql_from*}
from(A) ::= source(S).                            { A = S; }
from(A) ::= from(L) jointype(K) JOIN source(R) within(W) grace(G) ON expr(E).
    { A = sql_build_join(ps, L, K, R, W.d, W.n, G.n ? &G.d[0] : NULL, E); }
source(A) ::= ident(N).                           { A = sql_build_source(ps, &N, NULL); }
source(A) ::= ident(N) ident(L).                  { A = sql_build_source(ps, &N, &L); }
source(A) ::= ident(N) AS ident(L).               { A = sql_build_source(ps, &N, &L); }

%type jointype {int}
jointype(A) ::= .                                 { A = SQL_JOIN_INNER; }
jointype(A) ::= INNER.                            { A = SQL_JOIN_INNER; }
jointype(A) ::= LEFT.                             { A = SQL_JOIN_LEFT; }
jointype(A) ::= LEFT OUTER.                       { A = SQL_JOIN_LEFT; }
jointype(A) ::= RIGHT.                            { A = SQL_JOIN_RIGHT; }
jointype(A) ::= RIGHT OUTER.                      { A = SQL_JOIN_RIGHT; }
jointype(A) ::= FULL.                             { A = SQL_JOIN_FULL; }
jointype(A) ::= FULL OUTER.                       { A = SQL_JOIN_FULL; }

%include {
/* Up to two durations (WITHIN (before, after)); n = how many were written. */
typedef struct durs { int n; sql_dur d[2]; } durs;
}
%type within {durs}
%type grace {durs}
%type dur {sql_dur}
within(A) ::= .                                   { A.n = 0; }
within(A) ::= WITHIN dur(D).                      { A.n = 1; A.d[0] = D; }
within(A) ::= WITHIN LP dur(B) COMMA dur(F) RP.   { A.n = 2; A.d[0] = B; A.d[1] = F; }
grace(A) ::= .                                    { A.n = 0; }
grace(A) ::= GRACE PERIOD dur(D).                 { A.n = 1; A.d[0] = D; }
dur(A) ::= INTEGER(N) ident(U).                   { A = sql_build_dur(ps, N, &U); }

%type opt_window {sql_window*}
opt_window(A) ::= .                               { A = NULL; }
opt_window(A) ::= WINDOW(W) TUMBLING|HOPPING|SESSION|SLIDING(K) LP wparams(P) RP(E).
    { A = sql_build_window(ps, W, K, P, E); }
%type wparams {sql_wparams*}
wparams(A) ::= wparam(P).                         { A = sql_wparams_add(ps, NULL, P.which, P.kw, P.d); }
wparams(A) ::= wparams(L) COMMA wparam(P).        { A = sql_wparams_add(ps, L, P.which, P.kw, P.d); }
%include {
typedef struct wparam { int which; sql_tok kw; sql_dur d; } wparam;
}
%type wparam {wparam}
wparam(A) ::= SIZE(K) dur(D).                     { A.which = SQL_WP_SIZE; A.kw = K; A.d = D; }
wparam(A) ::= ADVANCE(K) BY dur(D).               { A.which = SQL_WP_ADVANCE; A.kw = K; A.d = D; }
wparam(A) ::= RETENTION(K) dur(D).                { A.which = SQL_WP_RETENTION; A.kw = K; A.d = D; }
wparam(A) ::= GRACE(K) PERIOD dur(D).             { A.which = SQL_WP_GRACE; A.kw = K; A.d = D; }
wparam(A) ::= dur(D).                             { A.which = SQL_WP_GAP; memset(&A.kw, 0, sizeof A.kw); A.kw.off = D.span.off; A.kw.len = D.span.len; A.d = D; }

%type opt_where {sql_expr*}
opt_where(A) ::= .                                { A = NULL; }
opt_where(A) ::= WHERE expr(E).                   { A = E; }
%type opt_having {sql_expr*}
opt_having(A) ::= .                               { A = NULL; }
opt_having(A) ::= HAVING expr(E).                 { A = E; }
%type opt_groupby {sql_expr_list*}
opt_groupby(A) ::= .                              { A = NULL; }
opt_groupby(A) ::= GROUP BY grouplist(L).         { A = L; }
%type opt_partby {sql_expr_list*}
opt_partby(A) ::= .                               { A = NULL; }
opt_partby(A) ::= PARTITION BY grouplist(L).      { A = L; }
%type grouplist {sql_expr_list*}
grouplist(A) ::= exprlist(L).                     { A = L; }
grouplist(A) ::= LP expr(E) COMMA exprlist(L) RP. { A = sql_list_new(ps, E); for (int i = 0; i < L->n; i++) sql_list_add(ps, A, L->items[i]); }
%type opt_emit {int}
opt_emit(A) ::= .                                 { A = SQL_EMIT_NONE; }
opt_emit(A) ::= EMIT CHANGES.                     { A = SQL_EMIT_CHANGES; }
opt_emit(A) ::= EMIT FINAL.                       { A = SQL_EMIT_FINAL; }
%type opt_limit {int64_t}
opt_limit(A) ::= .                                { A = -1; }
opt_limit(A) ::= LIMIT INTEGER(N).                { A = sql_build_count(ps, N); }

/* ------------------------------------------------------------------ other statements */

stmt(A) ::= DROP(T) STREAM|TABLE(K) ife(I) ident(N) deltopic(D).
    { A = sql_stmt_new(ps, SQL_S_DROP, T); A->obj = K.code == TK_TABLE ? SQL_OBJ_TABLE : SQL_OBJ_STREAM;
      A->flags = (unsigned)(I | D); A->name = N; }
stmt(A) ::= DROP(T) TYPE ife(I) ident(N).
    { A = sql_stmt_new(ps, SQL_S_DROP, T); A->obj = SQL_OBJ_TYPE; A->flags = (unsigned)I; A->name = N; }
stmt(A) ::= DROP(T) CONNECTOR ife(I) ident(N).
    { A = sql_stmt_new(ps, SQL_S_DROP, T); A->obj = SQL_OBJ_CONNECTOR; A->flags = (unsigned)I; A->name = N; }
%type deltopic {int}
deltopic(A) ::= .                                 { A = 0; }
deltopic(A) ::= DELETE TOPIC.                     { A = SQL_S_DELETE_TOPIC; }

stmt(A) ::= SHOW|LIST(T) showobj(O) extopt(E).
    { A = sql_stmt_new(ps, SQL_S_SHOW, T); A->obj = O; A->flags = (unsigned)E; }
%type showobj {int}
showobj(A) ::= STREAMS.          { A = SQL_OBJ_STREAMS; }
showobj(A) ::= TABLES.           { A = SQL_OBJ_TABLES; }
showobj(A) ::= QUERIES.          { A = SQL_OBJ_QUERIES; }
showobj(A) ::= TOPICS.           { A = SQL_OBJ_TOPICS; }
showobj(A) ::= ALL TOPICS.       { A = SQL_OBJ_ALL_TOPICS; }
showobj(A) ::= PROPERTIES.       { A = SQL_OBJ_PROPERTIES; }
showobj(A) ::= FUNCTIONS.        { A = SQL_OBJ_FUNCTIONS; }
showobj(A) ::= TYPES.            { A = SQL_OBJ_TYPES; }
showobj(A) ::= VARIABLES.        { A = SQL_OBJ_VARIABLES; }
showobj(A) ::= CONNECTORS.       { A = SQL_OBJ_CONNECTORS; }
showobj(A) ::= SOURCE CONNECTORS. { A = SQL_OBJ_SOURCE_CONNECTORS; }
showobj(A) ::= SINK CONNECTORS.  { A = SQL_OBJ_SINK_CONNECTORS; }
%type extopt {int}
extopt(A) ::= .                  { A = 0; }
extopt(A) ::= EXTENDED.          { A = SQL_S_EXTENDED; }

stmt(A) ::= DESCRIBE(T) ident(N).
    { A = sql_stmt_new(ps, SQL_S_DESCRIBE, T); A->name = N; }
stmt(A) ::= DESCRIBE(T) ident(N) EXTENDED.
    { A = sql_stmt_new(ps, SQL_S_DESCRIBE, T); A->name = N; A->flags = SQL_S_EXTENDED; }
stmt(A) ::= DESCRIBE(T) EXTENDED ident(N).
    { A = sql_stmt_new(ps, SQL_S_DESCRIBE, T); A->name = N; A->flags = SQL_S_EXTENDED; }
stmt(A) ::= DESCRIBE(T) STREAMS|TABLES(K) extopt(E).
    { A = sql_stmt_new(ps, SQL_S_DESCRIBE, T); A->obj = K.code == TK_TABLES ? SQL_OBJ_TABLES : SQL_OBJ_STREAMS;
      A->flags = (unsigned)E; }
stmt(A) ::= DESCRIBE(T) FUNCTION ident(N).
    { A = sql_stmt_new(ps, SQL_S_DESCRIBE_FUNCTION, T); A->name = N; }
stmt(A) ::= DESCRIBE(T) CONNECTOR ident(N).
    { A = sql_stmt_new(ps, SQL_S_DESCRIBE_CONNECTOR, T); A->obj = SQL_OBJ_CONNECTOR; A->name = N; }

stmt(A) ::= TERMINATE|PAUSE|RESUME(T) ident(N).
    { A = sql_stmt_new(ps, T.code == TK_TERMINATE ? SQL_S_TERMINATE : T.code == TK_PAUSE ? SQL_S_PAUSE : SQL_S_RESUME, T);
      A->name = N; }
stmt(A) ::= TERMINATE|PAUSE|RESUME(T) ALL.
    { A = sql_stmt_new(ps, T.code == TK_TERMINATE ? SQL_S_TERMINATE : T.code == TK_PAUSE ? SQL_S_PAUSE : SQL_S_RESUME, T);
      A->flags = SQL_S_ALL; }

stmt(A) ::= SET(T) STRING(N) EQ STRING(V).
    { A = sql_stmt_new(ps, SQL_S_SET, T); A->str = sql_unquote_string(ps, N, NULL); A->str2 = sql_unquote_string(ps, V, NULL); }
stmt(A) ::= UNSET(T) STRING(N).
    { A = sql_stmt_new(ps, SQL_S_UNSET, T); A->str = sql_unquote_string(ps, N, NULL); }
stmt(A) ::= DEFINE(T) ident(N) EQ STRING(V).
    { A = sql_stmt_new(ps, SQL_S_DEFINE, T); A->name = N; A->str = sql_unquote_string(ps, V, NULL); }
stmt(A) ::= UNDEFINE(T) ident(N).
    { A = sql_stmt_new(ps, SQL_S_UNDEFINE, T); A->name = N; }
stmt(A) ::= RUN(T) SCRIPT STRING(P).
    { A = sql_stmt_new(ps, SQL_S_RUN_SCRIPT, T); A->str = sql_unquote_string(ps, P, NULL); }

stmt(A) ::= PRINT(T) ident(N) frombeg(F) printint(I) opt_limit(L).
    { A = sql_stmt_new(ps, SQL_S_PRINT, T); A->name = N;
      A->str = N.quoted ? N.name : wr_arena_strndup(ps->a, ps->text + N.span.off, N.span.len);
      A->flags = (unsigned)F; A->interval = I; A->limit = L; }
stmt(A) ::= PRINT(T) STRING(N) frombeg(F) printint(I) opt_limit(L).
    { A = sql_stmt_new(ps, SQL_S_PRINT, T); A->str = sql_unquote_string(ps, N, NULL);
      A->flags = (unsigned)F; A->interval = I; A->limit = L; }
%type frombeg {int}
frombeg(A) ::= .                                  { A = 0; }
frombeg(A) ::= FROM BEGINNING.                    { A = SQL_S_FROM_BEGINNING; }
%type printint {int64_t}
printint(A) ::= .                                 { A = -1; }
printint(A) ::= INTERVAL|SAMPLE INTEGER(N).       { A = sql_build_count(ps, N); }

stmt(A) ::= ALTER(T) STREAM|TABLE(K) ident(N) alters(C).
    { A = sql_stmt_new(ps, SQL_S_ALTER, T); A->obj = K.code == TK_TABLE ? SQL_OBJ_TABLE : SQL_OBJ_STREAM;
      A->name = N; sql_stmt_set_cols(A, C); }
%type alters {sql_cols*}
alters(A) ::= ADD colopt ident(N) type(Y).
    { sql_column_def c = sql_build_coldef(ps, &N, Y, NULL); A = sql_cols_add(ps, NULL, &c); }
alters(A) ::= alters(L) COMMA ADD colopt ident(N) type(Y).
    { sql_column_def c = sql_build_coldef(ps, &N, Y, NULL); A = sql_cols_add(ps, L, &c); }
colopt ::= .
colopt ::= COLUMN.

stmt(A) ::= ASSERT(T) notex(X) TOPIC ident(N) opt_with(W) timeout(O).
    { A = sql_stmt_new(ps, SQL_S_ASSERT, T); A->obj = SQL_OBJ_TOPIC; A->flags = (unsigned)X; A->name = N;
      A->str = N.name; sql_stmt_set_props(A, W); A->timeout_ms = O; }
stmt(A) ::= ASSERT(T) notex(X) TOPIC STRING(N) opt_with(W) timeout(O).
    { A = sql_stmt_new(ps, SQL_S_ASSERT, T); A->obj = SQL_OBJ_TOPIC; A->flags = (unsigned)X;
      A->name = sql_build_ident_str(ps, N); A->str = A->name.name; sql_stmt_set_props(A, W); A->timeout_ms = O; }
stmt(A) ::= ASSERT(T) notex(X) SCHEMA subject(S) schemaid(I) timeout(O).
    { A = sql_stmt_new(ps, SQL_S_ASSERT, T); A->obj = SQL_OBJ_SCHEMA; A->flags = (unsigned)X;
      A->name = S; A->str = S.name; A->schema_id = I; A->timeout_ms = O; }
%type notex {int}
notex(A) ::= .                                    { A = 0; }
notex(A) ::= NOT EXISTS.                          { A = SQL_S_NOT_EXISTS; }
%type subject {sql_ident}
subject(A) ::= .                                  { memset(&A, 0, sizeof A); }
subject(A) ::= SUBJECT ident(N).                  { A = N; }
subject(A) ::= SUBJECT STRING(N).                 { A = sql_build_ident_str(ps, N); }
%type schemaid {int64_t}
schemaid(A) ::= .                                 { A = -1; }
schemaid(A) ::= ID INTEGER(N).                    { A = sql_build_count(ps, N); }
%type timeout {int64_t}
timeout(A) ::= .                                  { A = -1; }
timeout(A) ::= TIMEOUT dur(D).                    { A = D.ms; }

/* ------------------------------------------------------------------ types */

%type type {sql_type*}
type(A) ::= ident(N).                                        { A = sql_build_type(ps, &N); }
type(A) ::= ident(N) LP INTEGER(P) COMMA INTEGER(S) RP(E).   { A = sql_build_type_decimal(ps, &N, P, S, E); }
type(A) ::= ARRAY(K) LT type(E) GT(G).                       { A = sql_build_type_array(ps, K, E, G); }
type(A) ::= MAP(K) LT type(KT) COMMA type(V) GT(G).          { A = sql_build_type_map(ps, K, KT, V, G); }
type(A) ::= STRUCT(K) LT fields(F) GT(G).                    { A = sql_build_type_struct(ps, K, F, G); }
type(A) ::= STRUCT(K) LT GT(G).                              { A = sql_build_type_struct(ps, K, NULL, G); }
%type fields {sql_fields*}
fields(A) ::= ident(N) type(T).                              { A = sql_fields_add(ps, NULL, &N, T); }
fields(A) ::= fields(L) COMMA ident(N) type(T).              { A = sql_fields_add(ps, L, &N, T); }

/* ------------------------------------------------------------------ expressions */

%type ident {sql_ident}
ident(A) ::= IDENT(T).                            { A = sql_build_ident(ps, T); }

%type expr {sql_expr*}
%type literal {sql_expr*}
%type exprlist {sql_expr_list*}
%type args {sql_expr_list*}
%type arg {sql_expr*}

literal(A) ::= INTEGER|DECIMAL|FLOAT|STRING|TRUE|FALSE|NULL(T).  { A = sql_build_literal(ps, T); }

expr(A) ::= literal(L).                           { A = L; }
expr(A) ::= ident(N).                             { A = sql_build_column(ps, NULL, &N); }
expr(A) ::= ident(Q) PERIOD ident(N).             { A = sql_build_column(ps, &Q, &N); }
expr(A) ::= LP(L) expr(E) RP(R).                  { A = sql_build_paren(ps, L, E, R); }

expr(A) ::= ident(N) LP RP(R).                    { A = sql_build_call(ps, &N, NULL, 0, R); }
expr(A) ::= ident(N) LP STAR RP(R).               { A = sql_build_call(ps, &N, NULL, SQL_F_STAR, R); }
expr(A) ::= ident(N) LP args(L) RP(R).            { A = sql_build_call(ps, &N, L, 0, R); }
expr(A) ::= ident(N) LP DISTINCT args(L) RP(R).   { A = sql_build_call(ps, &N, L, SQL_F_DISTINCT, R); }
args(A) ::= arg(E).                               { A = sql_list_new(ps, E); }
args(A) ::= args(L) COMMA arg(E).                 { A = sql_list_add(ps, L, E); }
arg(A) ::= expr(E).                               { A = E; }
arg(A) ::= expr(K) ASSIGN expr(V).                { A = sql_build_assign(ps, K, V); }
arg(A) ::= ident(N) LAMBDA expr(B).
    { sql_expr *p = sql_build_column(ps, NULL, &N); A = sql_build_lambda(ps, N.span, sql_list_new(ps, p), B); }
arg(A) ::= LP(T) expr(P) RP LAMBDA expr(B).       { A = sql_build_lambda(ps, sql_tok_span(T), sql_list_new(ps, P), B); }
arg(A) ::= LP(T) expr(P) COMMA exprlist(L) RP LAMBDA expr(B).
    { sql_expr_list *l = sql_list_new(ps, P); for (int i = 0; i < L->n; i++) sql_list_add(ps, l, L->items[i]);
      A = sql_build_lambda(ps, sql_tok_span(T), l, B); }

expr(A) ::= CAST(K) LP expr(E) AS type(T) RP(R).  { A = sql_build_cast(ps, K, E, T, R); }

expr(A) ::= CASE(K) case_base(B) case_whens(W) case_else(E) END(T).  { A = sql_build_case(ps, K, B, W, E, T); }
%type case_base {sql_expr*}
case_base(A) ::= .                                { A = NULL; }
case_base(A) ::= expr(E).                         { A = E; }
%type case_whens {sql_expr_list*}
case_whens(A) ::= WHEN expr(C) THEN expr(R).                { A = sql_build_when(ps, NULL, C, R); }
case_whens(A) ::= case_whens(L) WHEN expr(C) THEN expr(R).  { A = sql_build_when(ps, L, C, R); }
%type case_else {sql_expr*}
case_else(A) ::= .                                { A = NULL; }
case_else(A) ::= ELSE expr(E).                    { A = E; }

expr(A) ::= expr(L) OR(O) expr(R).                { A = sql_build_binary(ps, L, O.code, R); }
expr(A) ::= expr(L) AND(O) expr(R).               { A = sql_build_binary(ps, L, O.code, R); }
expr(A) ::= NOT(O) expr(E).                       { A = sql_build_unary(ps, O, E); }
expr(A) ::= expr(L) EQ|NE|LT|LE|GT|GE(O) expr(R). { A = sql_build_binary(ps, L, O.code, R); }
expr(A) ::= expr(L) PLUS|MINUS|CONCAT(O) expr(R). { A = sql_build_binary(ps, L, O.code, R); }
expr(A) ::= expr(L) STAR|SLASH|PERCENT(O) expr(R). { A = sql_build_binary(ps, L, O.code, R); }
expr(A) ::= MINUS|PLUS(O) expr(E). [UMINUS]       { A = sql_build_unary(ps, O, E); }

expr(A) ::= expr(E) IS NULL(T).                   { A = sql_build_is_null(ps, E, 0, T); }
expr(A) ::= expr(E) IS NOT NULL(T).               { A = sql_build_is_null(ps, E, 1, T); }
expr(A) ::= expr(L) IS DISTINCT FROM expr(R).     { A = sql_build_is_distinct(ps, L, 0, R); }
expr(A) ::= expr(L) IS NOT DISTINCT FROM expr(R). { A = sql_build_is_distinct(ps, L, 1, R); }
expr(A) ::= expr(E) BETWEEN expr(L) AND expr(H). [BETWEEN]      { A = sql_build_between(ps, E, 0, L, H); }
expr(A) ::= expr(E) NOT BETWEEN expr(L) AND expr(H). [BETWEEN]  { A = sql_build_between(ps, E, 1, L, H); }
expr(A) ::= expr(E) IN LP exprlist(L) RP(R).                     { A = sql_build_in(ps, E, 0, L, R); }
expr(A) ::= expr(E) NOT IN LP exprlist(L) RP(R). [IN]            { A = sql_build_in(ps, E, 1, L, R); }
expr(A) ::= expr(E) LIKE expr(P).                                 { A = sql_build_like(ps, E, 0, P, NULL); }
expr(A) ::= expr(E) LIKE expr(P) ESCAPE expr(C).                  { A = sql_build_like(ps, E, 0, P, C); }
expr(A) ::= expr(E) NOT LIKE expr(P). [LIKE]                      { A = sql_build_like(ps, E, 1, P, NULL); }
expr(A) ::= expr(E) NOT LIKE expr(P) ESCAPE expr(C). [LIKE]       { A = sql_build_like(ps, E, 1, P, C); }

expr(A) ::= expr(E) ARROW ident(F).               { A = sql_build_deref(ps, E, &F); }
expr(A) ::= expr(E) LB exprlist(L) RB(R).         { A = sql_build_subscript(ps, E, L, R); }
expr(A) ::= expr(E) LB RB(R).                     { A = sql_build_subscript(ps, E, NULL, R); }

exprlist(A) ::= expr(E).                          { A = sql_list_new(ps, E); }
exprlist(A) ::= exprlist(L) COMMA expr(E).        { A = sql_list_add(ps, L, E); }

%code {
/* The parser (its stack is tens of KiB) lives on the heap for one parse only, so that
 * statements parsed into a long-lived arena do not each leave a dead stack in it. */
void *sql_parser_new(sql_pstate *ps)
{
    return sql_lemonAlloc(wr_xmalloc, ps);
}

void sql_parser_free(void *parser)
{
    sql_lemonFree(parser, free);
}

/* Replays the parser's reductions on a copy of its state stack to learn whether token `code`
 * could be shifted now.  Lemon's default reductions make a plain table look-up say yes to
 * tokens that fail a few reductions later, so the simulation is needed for exact hints. */
int sql_parser_accepts(void *parser, int code)
{
    yyParser *p = parser;
    YYACTIONTYPE st[YYSTACKDEPTH + 2];
    int top = (int)(p->yytos - p->yystack);
    if (code <= 0 || code >= YYNTOKEN) return 0;
    for (int i = 0; i <= top; i++) st[i] = p->yystack[i].stateno;
    YYACTIONTYPE act = st[top];
    for (int guard = 0; guard < 10000; guard++) {
        act = yy_find_shift_action((YYCODETYPE)code, act);
        if (act >= YY_MIN_REDUCE) {
            unsigned rule = act - YY_MIN_REDUCE;
            top += yyRuleInfoNRhs[rule];
            if (top < 0) return 0;
            act = yy_find_reduce_action(st[top], yyRuleInfoLhs[rule]);
            if (++top > YYSTACKDEPTH) return 0;
            st[top] = act;
        } else if (act <= YY_MAX_SHIFTREDUCE) {
            return 1;
        } else {
            return act == YY_ACCEPT_ACTION;
        }
    }
    return 0;
}
}
