/*
 * fn_json.c - JSON functions: EXTRACTJSONFIELD IS_JSON_STRING JSON_ARRAY_CONTAINS
 * JSON_ARRAY_LENGTH JSON_CONCAT JSON_ITEMS JSON_KEYS JSON_RECORDS TO_JSON_STRING.
 *
 * Documents are parsed with jansson.  ksqlDB reads them with Jackson, whose lenient readTree
 * accepts trailing content after a complete value; jansson's JSON_DISABLE_EOF_CHECK gives the
 * same.  JSON text produced from a document is compact (no spaces) like Jackson's
 * JsonNode.toString(): objects keep their key order, integers print as written, reals in
 * Java's Double.toString form (Jackson parses them as doubles), strings escaped as the serde
 * escapes them.  TO_JSON_STRING serialises SQL values through the serde (one JSON writer for
 * the whole engine).
 *
 * An unparsable document is a data error (ksqlDB: "Invalid JSON format"): the call yields
 * NULL and the message goes to the processing log.  IS_JSON_STRING and JSON_ARRAY_CONTAINS
 * answer false instead, as in ksqlDB.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "func.h"
#include "serde.h"

static int type_is_null(const wr_type *t) { return !t || t->kind == WR_NULL; }

/* Every argument must be a STRING (or the NULL literal). */
static const wr_type *strings_resolve(wr_fn_resolve_ctx *rc, const char *name, int argc,
                                      const wr_type *const *argt, const wr_type *result)
{
    for (int i = 0; i < argc; i++)
        if (!type_is_null(argt[i]) && argt[i]->kind != WR_STRING)
            return wr_fn_bad_args(rc, name, argc, argt);
    return result;
}

/* Parses a document; NULL when it is not JSON (or is empty).  Like Jackson, content after a
 * complete value is ignored, except that a top-level number must be followed by whitespace
 * or the end ("1x" is an error, "1 x" is 1). */
static json_t *doc_parse(const wr_value *v)
{
    json_error_t jerr;
    json_t *doc = json_loadb(v->u.s, v->len,
                             JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
    if (doc && json_is_number(doc) && jerr.position >= 0 && (size_t)jerr.position < v->len) {
        char c = v->u.s[jerr.position];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            json_decref(doc);
            return NULL;
        }
    }
    return doc;
}

/* The processing-log error for an unparsable document. */
static int invalid_json(wr_fn_ctx *ctx, const wr_value *v)
{
    int n = v->len > 200 ? 200 : (int)v->len;
    return wr_error_set(ctx->err, WR_EDATA, "Invalid JSON format:%.*s%s", n, v->u.s,
                        v->len > 200 ? "..." : "");
}

/* Appends the compact JSON text of j (Jackson's JsonNode.toString()). */
static void doc_write(json_t *j, wr_buf *b)
{
    char num[40];
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        wr_buf_putc(b, '{');
        int first = 1;
        for (void *it = json_object_iter(j); it; it = json_object_iter_next(j, it)) {
            if (!first)
                wr_buf_putc(b, ',');
            first = 0;
            wr_json_write_string(json_object_iter_key(it), json_object_iter_key_len(it), b);
            wr_buf_putc(b, ':');
            doc_write(json_object_iter_value(it), b);
        }
        wr_buf_putc(b, '}');
        break;
    }
    case JSON_ARRAY:
        wr_buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i)
                wr_buf_putc(b, ',');
            doc_write(json_array_get(j, i), b);
        }
        wr_buf_putc(b, ']');
        break;
    case JSON_STRING:
        wr_json_write_string(json_string_value(j), json_string_length(j), b);
        break;
    case JSON_INTEGER:
        wr_buf_printf(b, "%lld", (long long)json_integer_value(j));
        break;
    case JSON_REAL:
        wr_double_format(json_real_value(j), num);
        wr_buf_puts(b, num);
        break;
    case JSON_TRUE: wr_buf_puts(b, "true"); break;
    case JSON_FALSE: wr_buf_puts(b, "false"); break;
    default: wr_buf_puts(b, "null"); break;
    }
}

/* The compact text of j as a STRING value in the arena. */
static wr_value doc_text(wr_arena *a, json_t *j)
{
    wr_buf b;
    wr_buf_init(&b);
    doc_write(j, &b);
    wr_value v = wr_str_copy(a, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return v;
}

/* ---------------------------------------------------------------- EXTRACTJSONFIELD */

/* A JSON path as ksqlDB tokenizes it (Presto's JsonPathTokenizer): '$' then any of
 * .name (letters, digits, _ $ - :), [name-or-index] (letters, digits, _ $ -) and ["quoted"]
 * (\" and \\ escapes).  Tokens are appended to *tok (NUL-separated, arena memory).  0 or -1
 * for an invalid path. */
static int unquoted_char(unsigned char c, int in_segment)
{
    return c == '_' || c == '$' || c == '-' || (in_segment && c == ':') ||
           (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c >= 0x80;
}

typedef struct path_tok {
    const char *s;
    size_t n;
} path_tok;

static int path_parse(wr_arena *a, const char *p, size_t n, path_tok **out, int *ntok)
{
    if (n == 0 || p[0] != '$')
        return -1;
    path_tok *t = wr_arena_alloc(a, sizeof *t * (n + 1));
    int k = 0;
    size_t i = 1;
    while (i < n) {
        if (p[i] == '.' || (p[i] == '[' && (i + 1 >= n || p[i + 1] != '"'))) {
            int seg = p[i] == '.';
            size_t start = ++i;
            while (i < n && unquoted_char((unsigned char)p[i], seg))
                i++;
            if (i == start)
                return -1;
            t[k].s = p + start;
            t[k++].n = i - start;
            if (!seg) {
                if (i >= n || p[i] != ']')
                    return -1;
                i++;
            }
        } else if (p[i] == '[') {
            i += 2; /* [" */
            char *buf = wr_arena_alloc(a, n);
            size_t len = 0;
            while (i < n && p[i] != '"') {
                if (p[i] == '\\') {
                    if (i + 1 >= n || (p[i + 1] != '"' && p[i + 1] != '\\'))
                        return -1;
                    i++;
                }
                buf[len++] = p[i++];
            }
            if (i + 1 >= n || p[i + 1] != ']')
                return -1;
            i += 2;
            t[k].s = buf;
            t[k++].n = len;
        } else {
            return -1;
        }
    }
    *out = t;
    *ntok = k;
    return 0;
}

/* Java's Integer.parseInt: optional sign, decimal digits, int range. */
static int parse_index(const path_tok *t, long *out)
{
    size_t i = 0;
    int neg = 0;
    if (t->n && (t->s[0] == '-' || t->s[0] == '+')) {
        neg = t->s[0] == '-';
        i = 1;
    }
    if (i >= t->n)
        return -1;
    long v = 0;
    for (; i < t->n; i++) {
        if (t->s[i] < '0' || t->s[i] > '9')
            return -1;
        v = v * 10 + (t->s[i] - '0');
        if (v > 2147483648L)
            return -1;
    }
    if (!neg && v > 2147483647L)
        return -1;
    *out = neg ? -v : v;
    return 0;
}

static const wr_type *extract_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return strings_resolve(rc, "EXTRACTJSONFIELD", argc, argt, &wr_type_string);
}

/* A missing step gives NULL; a string result is the bare string, anything else its JSON
 * text (so an explicit JSON null gives the string "null", as Jackson's NullNode does). */
static int extract_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    path_tok *tok;
    int ntok;
    *out = wr_null();
    if (path_parse(ctx->arena, argv[1].u.s, argv[1].len, &tok, &ntok) != 0)
        return wr_error_set(ctx->err, WR_EDATA, "Invalid JSON path: '%.*s'", (int)argv[1].len,
                            argv[1].u.s);
    json_t *doc = doc_parse(&argv[0]);
    if (!doc)
        return invalid_json(ctx, &argv[0]);
    json_t *cur = doc;
    for (int i = 0; i < ntok && cur; i++) {
        if (json_is_array(cur)) {
            long idx;
            cur = parse_index(&tok[i], &idx) == 0 && idx >= 0 ? json_array_get(cur, (size_t)idx)
                                                               : NULL;
        } else if (json_is_object(cur)) {
            cur = json_object_getn(cur, tok[i].s, tok[i].n);
        } else {
            cur = NULL;
        }
    }
    if (cur)
        *out = json_is_string(cur)
                   ? wr_str_copy(ctx->arena, json_string_value(cur), json_string_length(cur))
                   : doc_text(ctx->arena, cur);
    json_decref(doc);
    return 0;
}

/* ---------------------------------------------------------------- IS_JSON_STRING */

static const wr_type *is_json_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return strings_resolve(rc, "IS_JSON_STRING", argc, argt, &wr_type_boolean);
}

static int is_json_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    json_t *doc = wr_is_null(&argv[0]) ? NULL : doc_parse(&argv[0]);
    *out = wr_bool(doc != NULL);
    json_decref(doc);
    return 0;
}

/* ---------------------------------------------------------------- JSON_ARRAY_CONTAINS */

static const wr_type *array_contains_resolve(wr_fn_resolve_ctx *rc, int argc,
                                             const wr_type *const *argt)
{
    if (!type_is_null(argt[0]) && argt[0]->kind != WR_STRING)
        return wr_fn_bad_args(rc, "JSON_ARRAY_CONTAINS", argc, argt);
    const wr_type *v = argt[1];
    if (!type_is_null(v) && v->kind != WR_BOOLEAN && v->kind != WR_INT &&
        v->kind != WR_BIGINT && v->kind != WR_DOUBLE && v->kind != WR_STRING &&
        v->kind != WR_DECIMAL)
        return wr_fn_bad_args(rc, "JSON_ARRAY_CONTAINS", argc, argt);
    return &wr_type_boolean;
}

/* ksqlDB compares top-level elements by token kind: INT/BIGINT against JSON integers,
 * DOUBLE against JSON reals (1.0, 1e2), strings, booleans, NULL against null; nested
 * arrays/objects are skipped and a DECIMAL never matches.  Not an array -> false. */
static int element_matches(json_t *e, const wr_value *v)
{
    switch (json_typeof(e)) {
    case JSON_INTEGER:
        return (v->kind == WR_INT || v->kind == WR_BIGINT) && v->u.i == json_integer_value(e);
    case JSON_REAL:
        return v->kind == WR_DOUBLE && v->u.d == json_real_value(e);
    case JSON_STRING:
        return v->kind == WR_STRING && v->len == json_string_length(e) &&
               memcmp(v->u.s, json_string_value(e), v->len) == 0;
    case JSON_TRUE: return v->kind == WR_BOOLEAN && v->u.b;
    case JSON_FALSE: return v->kind == WR_BOOLEAN && !v->u.b;
    case JSON_NULL: return v->kind == WR_NULL;
    default: return 0;
    }
}

static int array_contains_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int found = 0;
    json_t *doc = wr_is_null(&argv[0]) ? NULL : doc_parse(&argv[0]);
    if (doc && json_is_array(doc))
        for (size_t i = 0; i < json_array_size(doc) && !found; i++)
            found = element_matches(json_array_get(doc, i), &argv[1]);
    json_decref(doc);
    *out = wr_bool(found);
    return 0;
}

/* ---------------------------------------------------------------- JSON_ARRAY_LENGTH */

static const wr_type *array_length_resolve(wr_fn_resolve_ctx *rc, int argc,
                                           const wr_type *const *argt)
{
    return strings_resolve(rc, "JSON_ARRAY_LENGTH", argc, argt, &wr_type_int);
}

/* Not an array -> NULL. */
static int array_length_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    json_t *doc = doc_parse(&argv[0]);
    if (!doc)
        return invalid_json(ctx, &argv[0]);
    *out = json_is_array(doc) ? wr_int((int32_t)json_array_size(doc)) : wr_null();
    json_decref(doc);
    return 0;
}

/* ---------------------------------------------------------------- JSON_CONCAT */

static const wr_type *concat_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return strings_resolve(rc, "JSON_CONCAT", argc, argt, &wr_type_string);
}

/* All objects: merged left to right (a later key replaces the value, keeping the key's first
 * position).  Otherwise: one array of the elements of every argument, a non-array argument
 * counting as a one-element array. */
static int concat_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    json_t **docs = wr_arena_calloc(ctx->arena, sizeof *docs * (size_t)argc);
    int all_objects = 1, rc = 0;
    for (int i = 0; i < argc; i++) {
        if (!(docs[i] = doc_parse(&argv[i]))) {
            rc = invalid_json(ctx, &argv[i]);
            goto done;
        }
        all_objects &= json_is_object(docs[i]);
    }
    json_t *res;
    if (all_objects) {
        res = json_incref(docs[0]);
        for (int i = 1; i < argc; i++)
            json_object_update(res, docs[i]);
    } else {
        res = json_array();
        for (int i = 0; i < argc; i++) {
            if (json_is_array(docs[i]))
                json_array_extend(res, docs[i]);
            else
                json_array_append(res, docs[i]);
        }
    }
    *out = doc_text(ctx->arena, res);
    json_decref(res);
done:
    for (int i = 0; i < argc; i++)
        json_decref(docs[i]);
    return rc;
}

/* ---------------------------------------------------------------- JSON_ITEMS / KEYS / RECORDS */

static const wr_type *items_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return strings_resolve(rc, "JSON_ITEMS", argc, argt,
                           wr_type_array(rc->arena, &wr_type_string));
}

static const wr_type *keys_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return strings_resolve(rc, "JSON_KEYS", argc, argt, wr_type_array(rc->arena, &wr_type_string));
}

static const wr_type *records_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return strings_resolve(rc, "JSON_RECORDS", argc, argt,
                           wr_type_map(rc->arena, &wr_type_string, &wr_type_string));
}

/* The JSON text of each element of an array document; not an array -> NULL. */
static int items_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    json_t *doc = doc_parse(&argv[0]);
    if (!doc)
        return invalid_json(ctx, &argv[0]);
    *out = wr_null();
    if (json_is_array(doc)) {
        *out = wr_array(ctx->arena, (uint32_t)json_array_size(doc));
        for (size_t i = 0; i < json_array_size(doc); i++)
            out->u.items[i] = doc_text(ctx->arena, json_array_get(doc, i));
    }
    json_decref(doc);
    return 0;
}

/* Field names (keys_only=1) or name -> JSON text of the value of an object document; not
 * an object -> NULL. */
static int object_fn(wr_fn_ctx *ctx, const wr_value *arg, int keys_only, wr_value *out)
{
    json_t *doc = doc_parse(arg);
    if (!doc)
        return invalid_json(ctx, arg);
    *out = wr_null();
    if (json_is_object(doc)) {
        uint32_t n = (uint32_t)json_object_size(doc), i = 0;
        *out = keys_only ? wr_array(ctx->arena, n) : wr_map(ctx->arena, n);
        for (void *it = json_object_iter(doc); it; it = json_object_iter_next(doc, it), i++) {
            wr_value k = wr_str_copy(ctx->arena, json_object_iter_key(it),
                                     json_object_iter_key_len(it));
            if (keys_only) {
                out->u.items[i] = k;
            } else {
                out->u.items[2 * i] = k;
                out->u.items[2 * i + 1] = doc_text(ctx->arena, json_object_iter_value(it));
            }
        }
    }
    json_decref(doc);
    return 0;
}

static int keys_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return object_fn(ctx, &argv[0], 1, out);
}

static int records_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return object_fn(ctx, &argv[0], 0, out);
}

/* ---------------------------------------------------------------- TO_JSON_STRING */

static const wr_type *to_json_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (argt[0] && argt[0]->kind == WR_LAMBDA)
        return wr_fn_bad_args(rc, "TO_JSON_STRING", argc, argt);
    return &wr_type_string;
}

/* Any value, NULL included (-> 'null'), in the serde's JSON form. */
static int to_json_fn(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    wr_buf b;
    wr_buf_init(&b);
    if (wr_is_null(&argv[0]))
        wr_buf_puts(&b, "null");
    else
        wr_json_write_value(&argv[0], ctx->argt[0], &b);
    *out = wr_str_copy(ctx->arena, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return 0;
}

/* ---------------------------------------------------------------- the table */

static const char *const extract_v[] = {
    "EXTRACTJSONFIELD(input STRING, path STRING) => STRING", NULL};
static const char *const is_json_v[] = {"IS_JSON_STRING(json STRING) => BOOLEAN", NULL};
static const char *const array_contains_v[] = {
    "JSON_ARRAY_CONTAINS(jsonArray STRING, val T) => BOOLEAN", NULL};
static const char *const array_length_v[] = {"JSON_ARRAY_LENGTH(json STRING) => INT", NULL};
static const char *const concat_v[] = {"JSON_CONCAT(json STRING...) => STRING", NULL};
static const char *const items_v[] = {"JSON_ITEMS(json STRING) => ARRAY<STRING>", NULL};
static const char *const keys_v[] = {"JSON_KEYS(json STRING) => ARRAY<STRING>", NULL};
static const char *const records_v[] = {
    "JSON_RECORDS(json STRING) => MAP<STRING, STRING>", NULL};
static const char *const to_json_v[] = {"TO_JSON_STRING(input T) => STRING", NULL};

#define NN WR_FN_NULL_IN_NULL_OUT

const wr_scalar_def wr_fns_json[] = {
    {"EXTRACTJSONFIELD", "JSON",
     "Given a STRING that contains JSON data, extract the value at the specified JSONPath "
     "(e.g. '$.a.b[0]'). A string value is returned bare, any other value as JSON text; "
     "returns NULL if the path does not exist.",
     extract_v, 2, 2, NN, extract_resolve, NULL, extract_fn},
    {"IS_JSON_STRING", "JSON",
     "Given a STRING, returns true if it can be parsed as a valid JSON value, false otherwise.",
     is_json_v, 1, 1, 0, is_json_resolve, NULL, is_json_fn},
    {"JSON_ARRAY_CONTAINS", "JSON",
     "Given a STRING containing a JSON array, checks if a search value is contained in the "
     "array. Returns false if the first parameter does not contain a JSON array.",
     array_contains_v, 2, 2, 0, array_contains_resolve, NULL, array_contains_fn},
    {"JSON_ARRAY_LENGTH", "JSON",
     "Given a STRING containing a JSON array, returns the number of its elements; NULL if the "
     "string is not a JSON array.",
     array_length_v, 1, 1, NN, array_length_resolve, NULL, array_length_fn},
    {"JSON_CONCAT", "JSON",
     "Given N strings, parse them as JSON values and return a string representing their "
     "concatenation: objects are merged, otherwise the values are combined into one array.",
     concat_v, 1, -1, NN, concat_resolve, NULL, concat_fn},
    {"JSON_ITEMS", "JSON",
     "Given a STRING containing a JSON array, returns an array of the JSON text of its "
     "elements; NULL if the string is not a JSON array.",
     items_v, 1, 1, NN, items_resolve, NULL, items_fn},
    {"JSON_KEYS", "JSON",
     "Given a STRING containing a JSON object, returns an array of its top-level keys; NULL "
     "if the string is not a JSON object.",
     keys_v, 1, 1, NN, keys_resolve, NULL, keys_fn},
    {"JSON_RECORDS", "JSON",
     "Given a STRING containing a JSON object, returns a map of its top-level keys to the "
     "JSON text of their values; NULL if the string is not a JSON object.",
     records_v, 1, 1, NN, records_resolve, NULL, records_fn},
    {"TO_JSON_STRING", "JSON",
     "Given any SQL value, returns its JSON text.",
     to_json_v, 1, 1, 0, to_json_resolve, NULL, to_json_fn},
    {0},
};
