/*
 * serde_int.h - private interface between the serde files (serde.c dispatches, one file per
 * format implements).  Not for use outside engine/serde*.c.
 *
 * The per-format functions have exactly the contracts of wr_serde_decode / wr_serde_encode
 * in serde.h; serde.c has already checked the format kind.
 */
#ifndef WEIR_SERDE_INT_H
#define WEIR_SERDE_INT_H

#include "serde.h"

int wr_serde_json_decode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                         const uint8_t *need, const char *data, size_t len, wr_value *out,
                         wr_arena *a, wr_error *err);
int wr_serde_json_encode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                         const wr_value *vals, wr_buf *out, wr_error *err);
int wr_serde_delimited_decode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                              const uint8_t *need, const char *data, size_t len,
                              wr_value *out, wr_arena *a, wr_error *err);
int wr_serde_delimited_encode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                              const wr_value *vals, wr_buf *out, wr_error *err);
int wr_serde_kafka_decode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                          const uint8_t *need, const char *data, size_t len, wr_value *out,
                          wr_arena *a, wr_error *err);
int wr_serde_kafka_encode(const wr_format *f, int is_key, const wr_column *cols, int ncols,
                          const wr_value *vals, wr_buf *out, wr_error *err);

/* Java's number parsers, so that text read from JSON strings and DELIMITED fields is accepted
 * or rejected exactly as ksqlDB does.  Each returns 0, or -1 when Java would throw
 * NumberFormatException. */
int wr_serde_parse_int32(const char *s, size_t n, int32_t *out); /* Integer.parseInt */
int wr_serde_parse_int64(const char *s, size_t n, int64_t *out); /* Long.parseLong */
int wr_serde_parse_double(const char *s, size_t n, double *out); /* Double.parseDouble */

/* Writes the decimal text of v into out (24 bytes are enough); returns its length.  The hot
 * path of every encoder, hence not printf. */
int wr_serde_int_text(int64_t v, char *out);

/* Appends the text of a DECIMAL value with the scale of its column type t (the full scale,
 * even when the value arrives with another one); t may be NULL. */
void wr_serde_decimal_text(const wr_value *v, const wr_type *t, wr_buf *out);

/* Appends ksqlDB's column list text, "[`A` INTEGER KEY, `B` STRING]", for error messages. */
void wr_serde_columns_text(const wr_column *cols, int ncols, int is_key, wr_buf *out);

#endif
