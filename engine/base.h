/*
 * base.h - weir's base types: arenas, errors, SQL types, values, schemas, rows.
 *
 * Every layer includes this header and nothing above it (parser/ and state/ depend on
 * base types only).  Prefix: wr_ for functions and types, WR_ for constants.
 *
 * Ownership rules, in one place:
 *  - Types (wr_type) and schemas are immutable once built and live in the arena of whoever
 *    built them (catalog, query plan, test runner).  Built-in scalar types are static.
 *  - Values (wr_value) are 16 bytes.  Anything they point at (string bytes, array items,
 *    decimal digits) lives in an arena; a value never owns memory.  Copy with
 *    wr_value_copy() into a longer-lived arena before keeping it past a cycle.
 *  - Errors: functions return 0 on success or a negative WR_E* code and fill a wr_error.
 */
#ifndef WEIR_BASE_H
#define WEIR_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- arena */

typedef struct wr_arena_chunk wr_arena_chunk;

/* A bump allocator.  wr_arena_reset() frees everything at once (keeping the first chunk). */
typedef struct wr_arena {
    wr_arena_chunk *head; /* current chunk; older chunks linked behind it */
    size_t chunk_size;    /* default size of new chunks */
    size_t total;         /* bytes handed out since the last reset (stats) */
} wr_arena;

void wr_arena_init(wr_arena *a, size_t chunk_size); /* chunk_size 0 = 64 KiB */
void wr_arena_fini(wr_arena *a);
void wr_arena_reset(wr_arena *a);
/* Returns 16-byte aligned, uninitialised memory; aborts on out-of-memory. */
void *wr_arena_alloc(wr_arena *a, size_t n);
void *wr_arena_calloc(wr_arena *a, size_t n);
char *wr_arena_strdup(wr_arena *a, const char *s);
char *wr_arena_strndup(wr_arena *a, const char *s, size_t n); /* always NUL-terminated */
char *wr_arena_sprintf(wr_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *wr_arena_memdup(wr_arena *a, const void *p, size_t n);

/* Heap helpers that abort with a message on out-of-memory. */
void *wr_xmalloc(size_t n);
void *wr_xcalloc(size_t n, size_t m);
void *wr_xrealloc(void *p, size_t n);
char *wr_xstrdup(const char *s);

/* A growable byte buffer (heap).  Always NUL-terminated after any append. */
typedef struct wr_buf {
    char *data;
    size_t len, cap;
} wr_buf;

void wr_buf_init(wr_buf *b);
void wr_buf_fini(wr_buf *b);
void wr_buf_reset(wr_buf *b); /* len = 0, keeps memory */
void wr_buf_append(wr_buf *b, const void *p, size_t n);
void wr_buf_puts(wr_buf *b, const char *s);
void wr_buf_putc(wr_buf *b, char c);
void wr_buf_printf(wr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wr_buf_vprintf(wr_buf *b, const char *fmt, va_list ap);

/* ---------------------------------------------------------------- errors */

enum {
    WR_OK = 0,
    WR_ESYNTAX = -1,   /* SQL did not parse */
    WR_ESEMANTIC = -2, /* SQL parsed but is invalid: unknown name, type mismatch, ... */
    WR_EEXISTS = -3,   /* object already exists */
    WR_ENOTFOUND = -4, /* object does not exist */
    WR_EDATA = -5,     /* a record or value could not be decoded/evaluated/encoded */
    WR_EIO = -6,       /* file or system call failed (sub = errno) */
    WR_EKAFKA = -7,    /* librdkafka error (sub = rd_kafka_resp_err_t) */
    WR_ESTATE = -8,    /* LMDB error (sub = mdb error code) */
    WR_EUSAGE = -9,    /* command line / configuration error */
    WR_EUNSUPPORTED = -10, /* valid ksqlDB, not (yet) supported by weir */
    WR_EINTERNAL = -11,
};

/* One error struct per call chain.  The span is a byte range into the SQL text that was
 * being processed (off/len = 0/0 when there is no position).  Line and column are computed
 * only when printed. */
typedef struct wr_error {
    int code;          /* WR_E*, 0 = no error */
    int sub;           /* library sub-code (errno, rd_kafka_resp_err_t, mdb rc) */
    uint32_t off, len; /* span in the SQL text; has_span says whether it is meaningful */
    int has_span;
    char msg[512];
    char hint[256];    /* optional "Did you mean 'AMOUNT'?" style hint, "" when none */
} wr_error;

void wr_error_clear(wr_error *err);
/* Sets code, message (printf) and no span.  Returns code, so `return wr_error_set(...)`. */
int wr_error_set(wr_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same with a span into the SQL text. */
int wr_error_at(wr_error *err, int code, uint32_t off, uint32_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void wr_error_hint(wr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Formats the error for people:
 *   "Line: 3, Col: 14: column 'AMOUNTT' cannot be resolved. Did you mean 'AMOUNT'?\n"
 *   "<the source line>\n"
 *   "             ^^^^^^^\n"
 * `sql` may be NULL (then no position/caret).  Lines and columns are 1-based; columns count
 * bytes+1 like ksqlDB. */
void wr_error_format(const wr_error *err, const char *sql, wr_buf *out);
/* Converts a byte offset into 1-based line and column. */
void wr_text_position(const char *text, uint32_t off, int *line, int *col);
/* Damerau-free Levenshtein distance, for "did you mean" hints (case-insensitive). */
int wr_edit_distance(const char *a, const char *b);
/* Index of the first of cands[0..n) (NULL entries skipped) at the smallest edit distance from
 * name, when that distance is at most max_dist; -1 otherwise. */
int wr_closest(const char *name, const char *const *cands, int n, int max_dist);

/* ---------------------------------------------------------------- types */

typedef enum wr_kind {
    WR_NULL = 0, /* the type of the NULL literal; as a value kind: SQL NULL */
    WR_BOOLEAN,
    WR_INT,     /* int32 */
    WR_BIGINT,  /* int64 */
    WR_DOUBLE,
    WR_DECIMAL, /* precision 1..38, scale 0..precision */
    WR_STRING,
    WR_BYTES,
    WR_TIMESTAMP, /* int64 epoch milliseconds */
    WR_DATE,      /* int64 days since 1970-01-01 */
    WR_TIME,      /* int64 milliseconds since midnight */
    WR_ARRAY,
    WR_MAP,
    WR_STRUCT,
    WR_LAMBDA,    /* only as the static type of a lambda argument during function resolution */
    WR_KIND_COUNT
} wr_kind;

typedef struct wr_type wr_type;

typedef struct wr_field {
    const char *name; /* as declared: upper-cased unless quoted */
    const wr_type *type;
} wr_field;

struct wr_type {
    wr_kind kind;
    int precision, scale; /* DECIMAL */
    const wr_type *elem;  /* ARRAY element, MAP value */
    const wr_type *key;   /* MAP key (ksqlDB: always STRING) */
    int nfields;          /* STRUCT */
    const wr_field *fields;
};

/* Static singletons for the scalar types; compare scalar types with wr_type_equal(). */
extern const wr_type wr_type_null, wr_type_boolean, wr_type_int, wr_type_bigint, wr_type_double,
    wr_type_string, wr_type_bytes, wr_type_timestamp, wr_type_date, wr_type_time;

const wr_type *wr_type_scalar(wr_kind kind); /* NULL for non-scalar kinds */
const wr_type *wr_type_decimal(wr_arena *a, int precision, int scale);
const wr_type *wr_type_array(wr_arena *a, const wr_type *elem);
const wr_type *wr_type_map(wr_arena *a, const wr_type *key, const wr_type *value);
/* fields are copied (names are not: they must live at least as long as the arena). */
const wr_type *wr_type_struct(wr_arena *a, int nfields, const wr_field *fields);
int wr_type_equal(const wr_type *a, const wr_type *b);
int wr_type_is_numeric(const wr_type *t); /* INT BIGINT DOUBLE DECIMAL */
/* ksqlDB's SQL text of a type: "INTEGER", "BIGINT", "DECIMAL(5, 2)", "ARRAY<STRING>",
 * "MAP<STRING, INTEGER>", "STRUCT<`A` INTEGER, `B` STRING>" (as DESCRIBE prints them). */
void wr_type_format(const wr_type *t, wr_buf *out);
const char *wr_kind_name(wr_kind k); /* "INTEGER", "BIGINT", ... */
/* Deep copy into another arena (field names copied too). */
const wr_type *wr_type_copy(wr_arena *a, const wr_type *t);
/* Index of a struct field by name: exact match first, then case-insensitive; -1 if absent. */
int wr_type_field_index(const wr_type *t, const char *name);

/* ---------------------------------------------------------------- values */

/* DECIMAL values: unscaled 128-bit integer; the scale travels in wr_value.len. */
typedef __int128 wr_int128;

/* A 16-byte tagged value.  kind == WR_NULL means SQL NULL (of whatever static type).
 *   BOOLEAN         u.b (0/1)
 *   INT BIGINT      u.i  (INT values are kept in int32 range)
 *   TIMESTAMP DATE TIME  u.i
 *   DOUBLE          u.d
 *   DECIMAL         u.dec -> unscaled int128, len = scale
 *   STRING BYTES    u.s / len (string bytes are UTF-8, NOT necessarily NUL-terminated)
 *   ARRAY           u.items[0..len)
 *   MAP             u.items[0..2*len): key0, value0, key1, value1, ... in insertion order
 *   STRUCT          u.items[0..len) in the struct type's field order
 *   LAMBDA          u.i = index of the lambda argument (function library internal)
 */
typedef struct wr_value {
    uint8_t kind;  /* wr_kind */
    uint8_t flags; /* reserved */
    uint16_t pad;
    uint32_t len;
    union {
        int64_t i;
        double d;
        int b;
        const char *s;
        const wr_int128 *dec;
        struct wr_value *items;
    } u;
} wr_value;

_Static_assert(sizeof(wr_value) == 16, "wr_value must stay 16 bytes");

static inline wr_value wr_null(void) { wr_value v = {0}; return v; }
static inline int wr_is_null(const wr_value *v) { return v->kind == WR_NULL; }
static inline wr_value wr_bool(int b) { wr_value v = {0}; v.kind = WR_BOOLEAN; v.u.b = b != 0; return v; }
static inline wr_value wr_int(int32_t i) { wr_value v = {0}; v.kind = WR_INT; v.u.i = i; return v; }
static inline wr_value wr_bigint(int64_t i) { wr_value v = {0}; v.kind = WR_BIGINT; v.u.i = i; return v; }
static inline wr_value wr_double(double d) { wr_value v = {0}; v.kind = WR_DOUBLE; v.u.d = d; return v; }
static inline wr_value wr_i64(wr_kind k, int64_t i) { wr_value v = {0}; v.kind = (uint8_t)k; v.u.i = i; return v; }
/* The bytes are NOT copied. */
static inline wr_value wr_str(const char *s, size_t n) { wr_value v = {0}; v.kind = WR_STRING; v.len = (uint32_t)n; v.u.s = s; return v; }
static inline wr_value wr_bytes(const void *p, size_t n) { wr_value v = {0}; v.kind = WR_BYTES; v.len = (uint32_t)n; v.u.s = (const char *)p; return v; }
wr_value wr_str_copy(wr_arena *a, const char *s, size_t n);
wr_value wr_cstr(wr_arena *a, const char *s); /* copies */
wr_value wr_decimal(wr_arena *a, wr_int128 unscaled, int scale);
wr_value wr_array(wr_arena *a, uint32_t n);  /* items allocated, all NULL */
wr_value wr_map(wr_arena *a, uint32_t n);    /* 2n items allocated, all NULL */
wr_value wr_struct(wr_arena *a, uint32_t n); /* items allocated, all NULL */

/* Deep copy into arena a. */
wr_value wr_value_copy(wr_arena *a, const wr_value *v);
/* Deep equality (NULL equals NULL here; SQL comparison semantics live in the evaluator).
 * Numeric kinds compare by value across INT/BIGINT/DOUBLE/DECIMAL. */
int wr_value_equal(const wr_value *a, const wr_value *b);
/* Total order for sorting (ARRAY_SORT, MIN/MAX, TOPK): NULL sorts first; numbers by value;
 * strings bytewise; booleans false<true; arrays/structs lexicographic. */
int wr_value_compare(const wr_value *a, const wr_value *b);
/* Hash consistent with wr_value_equal for same-kind values. */
uint64_t wr_value_hash(const wr_value *v);

/* Cast v (of static type `from`) to type `to` following ksqlDB's CAST rules.  Returns 0, or
 * WR_EDATA with a message when the value cannot be converted (e.g. CAST('x' AS INT)). */
int wr_value_cast(wr_arena *a, const wr_value *v, const wr_type *from, const wr_type *to,
                  wr_value *out, wr_error *err);

/* Human/debug text of a value as ksqlDB's CLI prints it in a table cell: strings bare,
 * doubles in Java form, DECIMAL with its scale, arrays [1, 2], maps {a=1}, structs
 * {A=1, B=x}, NULL as "null".  Needs the static type for STRUCT field names (t may be NULL,
 * then fields print positionally). */
void wr_value_format(const wr_value *v, const wr_type *t, wr_buf *out);

/* ---------------------------------------------------------------- big-endian integers */

/* The n low bytes of v at p, most significant first (state keys, Kafka window suffixes,
 * internal record layouts). */
static inline void wr_be_put(void *p, uint64_t v, int n)
{
    unsigned char *b = p;
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        b[i] = (unsigned char)v;
}

/* The n-byte big-endian unsigned integer at p. */
static inline uint64_t wr_be_get(const void *p, int n)
{
    const unsigned char *b = p;
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | b[i];
    return v;
}

/* ---------------------------------------------------------------- numbers as text */

/* Java's Double.toString: shortest round-trip digits, always a fraction part, scientific
 * notation ("1.0E7", "4.9E-324") at >= 1e7 and < 1e-3, "NaN", "Infinity", "-Infinity".
 * Returns the length written (buffer of 32 bytes is always enough). */
int wr_double_format(double d, char *out);
/* The same text by a search over printf precisions checked with strtod (several times
 * slower); wr_double_format's fallback and the reference its fast path is tested against. */
int wr_double_format_exact(double d, char *out);
/* Parses the decimal text s[0..n) ([-]digits[.digits][e[+-]digits]) when that can be done
 * exactly without strtod (at most 19 significant digits below 2^53, power of ten within
 * +-22): 0 and *out, the value strtod would give; -1 for anything else (then use strtod). */
int wr_double_parse_fast(const char *s, size_t n, double *out);

/* DECIMAL text with exactly `scale` fractional digits ("2.000", "-0.50"). */
void wr_decimal_format(wr_int128 unscaled, int scale, wr_buf *out);
/* Parses a decimal literal ("12.50", "-3", "1E+2"); returns 0 and the unscaled value and its
 * natural scale, or -1 when not a number or out of 38 digits. */
int wr_decimal_parse(const char *s, size_t n, wr_int128 *unscaled, int *scale);
/* Rescales (HALF_UP rounding when reducing scale); -1 when the result exceeds `precision`
 * digits (precision 0 = no check). */
int wr_decimal_rescale(wr_int128 unscaled, int from_scale, int to_scale, int precision,
                       wr_int128 *out);
double wr_decimal_to_double(wr_int128 unscaled, int scale);
int wr_decimal_digits(wr_int128 unscaled); /* number of decimal digits (1 for 0) */

/* Base64 (standard alphabet, padded), as ksqlDB prints BYTES. */
void wr_base64_encode(const void *p, size_t n, wr_buf *out);
/* Returns decoded length or -1 on invalid input; out must hold 3*n/4+3 bytes. */
long wr_base64_decode(const char *s, size_t n, unsigned char *out);

/* ---------------------------------------------------------------- schemas and rows */

/* Pseudo and system columns are not in schemas; they are fields of wr_row. */
typedef enum wr_col_role {
    WR_COL_VALUE = 0,
    WR_COL_KEY = 1, /* KEY in a stream, PRIMARY KEY in a table */
    WR_COL_HEADERS = 2, /* HEADERS / HEADER('name') columns (ARRAY<STRUCT<KEY,VALUE>> or BYTES) */
} wr_col_role;

typedef struct wr_column {
    const char *name;   /* final name (upper-cased unless quoted) */
    const wr_type *type;
    int role;           /* wr_col_role */
    const char *header; /* HEADER('name') key, or NULL */
} wr_column;

/* Key columns come first (0..nkey), then value columns (nkey..ncols). */
typedef struct wr_schema {
    int ncols;
    int nkey;
    const wr_column *cols;
} wr_schema;

int wr_schema_find(const wr_schema *s, const char *name); /* exact, then -1 */

/* Window kinds of windowed keys. */
typedef enum wr_window_kind { WR_WIN_NONE = 0, WR_WIN_TUMBLING, WR_WIN_HOPPING, WR_WIN_SESSION } wr_window_kind;

/* A decoded row: schema + timestamp + columns (keys first).  Immutable once emitted. */
typedef struct wr_row {
    const wr_schema *schema;
    int64_t ts;           /* ROWTIME */
    int64_t win_start;    /* WINDOWSTART, valid when win_kind != WR_WIN_NONE */
    int64_t win_end;      /* WINDOWEND */
    int32_t partition;    /* ROWPARTITION (-1 unknown) */
    int64_t offset;       /* ROWOFFSET (-1 unknown) */
    uint8_t win_kind;     /* wr_window_kind */
    uint8_t tombstone;    /* value is null (table delete / stream null value) */
    uint8_t key_null;     /* the record had a null key */
    uint8_t pad;
    wr_value *cols;       /* schema->ncols values; value columns NULL when tombstone */
} wr_row;

/* ---------------------------------------------------------------- strings */

int wr_strcaseeq(const char *a, const char *b);
/* Encodes code point cp (<= 0x10FFFF) as UTF-8 into out (room for 4 bytes); returns the length. */
int wr_utf8_put(uint32_t cp, char *out);
int wr_strncaseeq_n(const char *a, size_t an, const char *b); /* a has length an, b NUL-term */
/* Upper-cases ASCII letters into a new arena string (ksqlDB identifier casing). */
char *wr_upper(wr_arena *a, const char *s, size_t n);
/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12), as Java's LocalDate. */
int64_t wr_days_from_civil(int64_t year, int month, int day);
/* Integer division rounding toward negative infinity (epoch ms -> days before 1970). */
int64_t wr_floor_div(int64_t a, int64_t b);

/* Reads a whole file into a NUL-terminated heap buffer (free() it); *len excludes the NUL.
 * NULL with errno set when the file cannot be read. */
char *wr_file_read(const char *path, size_t *len);
/* Current wall clock in epoch ms. */
int64_t wr_now_ms(void);
/* Whether a property name looks like a credential (password, secret, token, sasl.jaas.config,
 * api key, credentials): its value is hidden in history files and replies. */
int wr_secret_key(const char *name, size_t n);

#endif
