/*
 * serde.h - record formats: bytes <-> typed columns.
 *
 * One interface for every format (JSON, DELIMITED, KAFKA, NONE; AVRO/PROTOBUF/JSON_SR later).
 * A key and a value are serialised separately: the key holds the key columns in the key
 * format, the value holds the value columns in the value format (ksqlDB rule 4: keys live
 * only in the key).
 *
 * Decoding follows ksqlDB's lenient rules (SEMANTICS.md rule 3): JSON field names match
 * column names case-insensitively, missing fields are NULL, unknown fields are ignored,
 * numbers are coerced to the declared type.  Encoding follows its exact output rules: every
 * value column is present (explicit null) in projection order, doubles in Java form, DECIMAL
 * with its full scale, TIMESTAMP/DATE/TIME as numbers, BYTES as base64.
 *
 * Hot path: decode takes `need`, a per-column flag array (NULL = all columns); columns not
 * needed are left NULL and are not converted.
 */
#ifndef WEIR_SERDE_H
#define WEIR_SERDE_H

#include "base.h"

typedef enum wr_format_kind {
    WR_FMT_NONE = 0,  /* no data: key always null */
    WR_FMT_KAFKA,     /* one primitive column: INT 4-byte BE, BIGINT 8-byte BE, DOUBLE IEEE-754
                         BE, STRING UTF-8, BYTES raw */
    WR_FMT_JSON,
    WR_FMT_DELIMITED,
    WR_FMT_JSON_SR,   /* JSON with schema-registry framing (magic byte + id) - later */
    WR_FMT_AVRO,      /* later */
    WR_FMT_PROTOBUF,  /* later */
} wr_format_kind;

typedef struct wr_format {
    int kind;        /* wr_format_kind */
    char delim;      /* DELIMITED: VALUE_DELIMITER/KEY_DELIMITER (',' default; 'TAB', 'SPACE') */
    int wrap_single; /* values with one column: 1 = wrapped in an object/record (default),
                        0 = bare value (WRAP_SINGLE_VALUE=false).  Keys ignore it: a single
                        key column is always bare. */
} wr_format;

/* Parses a format name (case-insensitive: "json", "Delimited", ...).  0 or -1 if unknown. */
int wr_format_parse(const char *name, wr_format *out);
const char *wr_format_name(int kind); /* "JSON", "DELIMITED", "KAFKA", "NONE", ... */
/* Parses VALUE_DELIMITER text: a single character, or TAB, SPACE (case-insensitive).  0/-1. */
int wr_format_parse_delim(const char *text, char *out);

/* Checks that a format can carry these columns, e.g. KAFKA and NONE keys: at most one
 * column (NONE: zero); KAFKA values: exactly one primitive column; DELIMITED: no
 * ARRAY/MAP/STRUCT.  0 or WR_ESEMANTIC with a message naming the format and column. */
int wr_serde_check(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                   wr_error *err);

/* Decodes a key (is_key=1) or value blob into out[0..ncols).  `data` is never NULL here (the
 * caller handles null keys and tombstones).  Strings in *out may point into `data` or into
 * arena a.  Returns 0, or WR_EDATA with a message like ksqlDB's processing log text
 * ("Failed to deserialize value from topic: t. Can't convert type. sourceType: TextNode,
 * requiredType: INTEGER"). */
int wr_serde_decode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                    const uint8_t *need, const char *data, size_t len, wr_value *out,
                    wr_arena *a, wr_error *err);

/* Encodes vals[0..ncols) (typed by cols) and appends to out.  Returns 0 or WR_EDATA. */
int wr_serde_encode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                    const wr_value *vals, wr_buf *out, wr_error *err);

/* ---- JSON text of single values (functions, processing log, REPL, test runner) ---- */

/* Appends ksqlDB's JSON text for one value of type t: numbers as JSON numbers (DOUBLE in Java
 * form, DECIMAL with full scale), STRUCT as an object with field names, MAP as an object,
 * BYTES as base64 string, NULL as null. */
void wr_json_write_value(const wr_value *v, const wr_type *t, wr_buf *out);

/* Converts JSON text to a value of type t with the lenient reading rules.  0 or WR_EDATA. */
int wr_json_read_value(const char *json, size_t len, const wr_type *t, wr_arena *a,
                       wr_value *out, wr_error *err);

/* Appends a JSON string literal (quotes and escapes) for n bytes of UTF-8. */
void wr_json_write_string(const char *s, size_t n, wr_buf *out);

#endif
