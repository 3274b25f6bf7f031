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

#endif
