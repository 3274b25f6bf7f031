/*
 * agg.h - aggregate functions (COUNT, SUM, AVG, ... TOPK, HISTOGRAM): one registry of
 * structs with init / add / retract / merge / result, as the aggregate operator calls them.
 *
 * An aggregate keeps an *intermediate state*: one wr_value of a type the aggregate chooses at
 * resolve time (COUNT: BIGINT; AVG: STRUCT<SUM DOUBLE, COUNT BIGINT>; COLLECT_LIST: ARRAY<T>;
 * LATEST_BY_OFFSET(x, n): ARRAY<STRUCT<SEQ BIGINT, VAL T>> ...).  The aggregate operator stores
 * states in LMDB through the value codec (wr_value_encode/decode below) and hands them back, so
 * a state must be a plain value of its declared state type: no pointers outside the value.
 *
 * Calling convention:
 *  - Compile time: wr_agg_find(name) then def->resolve(call, err): call->argt/literals are set
 *    by the caller; resolve checks arity and types (ksqlDB's messages: "Function 'SUM' does not
 *    accept parameters (STRING)."), may set call->coerce[i], and fills call->state_type and
 *    call->result_type.  Literal-only parameters (the N of LATEST_BY_OFFSET(col, N), TOPK's k,
 *    ignoreNulls) are read from call->literal[i] at resolve time and kept in call->param.
 *  - Run time, all memory from `a` (the cycle arena; the caller copies what it keeps):
 *      init(call, a, &state)                  fresh state for a new group/window
 *      add(call, a, &state, args, seq)        args: the (coerced) argument values of one row;
 *                                              seq orders rows for *_BY_OFFSET (the record's
 *                                              offset, or an increasing counter)
 *      retract(call, a, &state, args, seq)    undo one add (aggregating a table); NULL when
 *                                              the function cannot: the planner then rejects
 *                                              it on tables
 *      merge(call, a, &state, &other)         combine two states (session windows merge);
 *                                              NULL when unsupported
 *      result(call, a, &state, &out)          the value a query sees (type result_type)
 *    A state is updated in place: add() writes the new state to *state (it may point into a).
 *    Bad values never fail: they are ignored (nulls per the function's rule) - ksqlDB's
 *    aggregates do not write processing-log entries.
 */
#ifndef WEIR_AGG_H
#define WEIR_AGG_H

#include "base.h"
#include "func.h"

#define WR_AGG_MAXARGS 4

typedef struct wr_agg_def wr_agg_def;

typedef struct wr_agg_call {
    const wr_agg_def *def;
    int argc;                                  /* arguments, incl. literal parameters */
    const wr_type *argt[WR_AGG_MAXARGS];        /* static argument types (NULL type for '*') */
    const wr_value *literal[WR_AGG_MAXARGS];    /* literal value of argument i, or NULL */
    const wr_type *coerce[WR_AGG_MAXARGS];      /* out: cast argument i to this before add() */
    int star;                                   /* COUNT(*) */
    const wr_type *state_type;                  /* out */
    const wr_type *result_type;                 /* out */
    int64_t param[4];                           /* out: resolved literal parameters */
    const wr_fn_config *cfg;                    /* collect_list/set limits */
    wr_arena *arena;                            /* for building types at resolve time */
} wr_agg_call;

struct wr_agg_def {
    const char *name;
    const char *description;  /* one line, for DESCRIBE FUNCTION / SHOW FUNCTIONS */
    int (*resolve)(wr_agg_call *call, wr_error *err);
    void (*init)(const wr_agg_call *c, wr_arena *a, wr_value *state);
    void (*add)(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                int64_t seq);
    void (*retract)(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *args,
                    int64_t seq);
    void (*merge)(const wr_agg_call *c, wr_arena *a, wr_value *state, const wr_value *other);
    void (*result)(const wr_agg_call *c, wr_arena *a, const wr_value *state, wr_value *out);
};

/* Case-insensitive lookup; NULL when `name` is not an aggregate. */
const wr_agg_def *wr_agg_find(const char *name);
int wr_agg_count(void);
const wr_agg_def *wr_agg_at(int i); /* sorted by name */

/* ---- value codec: a compact binary form of a typed value, for state stores ----
 * Self-delimiting given the type; round-trips every kind (NULL anywhere, DECIMAL exactly,
 * nested ARRAY/MAP/STRUCT).  decode returns 0 or WR_EDATA on malformed input and allocates
 * from a. */
void wr_value_encode(const wr_value *v, const wr_type *t, wr_buf *out);
int wr_value_decode(const void *p, size_t n, const wr_type *t, wr_arena *a, wr_value *out,
                    size_t *used);
/* Several values (a row) one after another. */
void wr_values_encode(const wr_value *v, const wr_type *const *t, int n, wr_buf *out);
int wr_values_decode(const void *p, size_t len, const wr_type *const *t, int n, wr_arena *a,
                     wr_value *out);

#endif
