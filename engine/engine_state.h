/*
 * engine_state.h - the engine's state API for drivers (test runner, live runtime): the commit
 * cycle and the source offsets kept with the state.  To be folded into engine.h.
 *
 * Stateful operators (aggregations) keep their stores in one LMDB environment per engine
 * (state/state.h), in wr_engine_opts.state_dir.  Their updates stay in a write-back cache
 * until a driver commits: the commit writes every store's dirty entries together with the
 * offsets of the input records the state reflects, in one LMDB transaction.  After a restart
 * on the same state directory, a driver resumes from wr_engine_offset() and the state
 * continues exactly from that point.
 *
 * Properties read when the state opens: cache.max.bytes.buffering (write-back cache, default
 * 10 MiB) and weir.state.map.size (initial LMDB map size, default 64 MiB; it doubles when
 * full).
 */
#ifndef WEIR_ENGINE_STATE_H
#define WEIR_ENGINE_STATE_H

#include "engine.h"
#include "state.h"

/* Commits the state with the offsets (next offset to read per group, topic, partition) in
 * one transaction.  0, or <0 with err filled (the cache keeps everything: retry later).
 * Cheap when nothing changed. */
int wr_engine_commit(wr_engine *eng, const st_offset *offs, int n, wr_error *err);
/* The write-back cache passed cache.max.bytes.buffering: commit soon. */
int wr_engine_commit_wanted(wr_engine *eng);
/* The committed offset of (group, topic, partition): 1 and *offset when found, 0 when none,
 * <0 when the state cannot be opened. */
int wr_engine_offset(wr_engine *eng, const char *group, const char *topic, int32_t partition,
                     int64_t *offset);

/* Records (per window) a query's aggregation dropped as late (rule 20) since it started. */
uint64_t wr_query_late_records(const wr_query *q);

/* The query keeps state in the engine's stores (aggregation, materialized table): a live
 * driver commits it with the query's offsets and resumes from wr_engine_offset(). */
int wr_query_stateful(const wr_query *q);
/* The state environment's counters (writes, commits, map grows, sizes): 1, or 0 when the
 * engine has opened no state. */
int wr_engine_state_stats(wr_engine *eng, st_stats *out);

/* The query's GROUP BY groups by something else than the message key (its source's key
 * columns, in order): a persistent query then goes through a repartition topic. */
int wr_query_rekeys(const wr_query *q);
/* The internal topic through which a live query that re-keys reaches its aggregate
 * ("_confluent-ksql-<service.id>query_<ID>-Aggregate-GroupBy-repartition"), or NULL.  The
 * driver creates it with the source's partition count and feeds its records to
 * wr_query_process like the source's. */
const char *wr_query_repartition_topic(const wr_query *q);
/* Outputs of the query's aggregation are coalesced until the next wr_engine_flush (only the
 * latest row per key and window is emitted): a CREATE TABLE AS SELECT outside test mode, unless
 * cache.max.bytes.buffering is 0 (ksqlDB's switch for "every update").  Read by the aggregate
 * operator when it opens. */
int wr_query_coalesces(const wr_query *q);
/* Runs every persistent query's checkpoint: coalesced aggregation outputs are emitted (and
 * produced) now.  A live driver calls it at each commit cycle, before wr_engine_commit, and
 * before it shuts down.  0, or the first error (err filled). */
int wr_engine_flush(wr_engine *eng, wr_error *err);

#endif
