/*
 * runtime_state.c - state in the live runtime: the state commit of the commit cycle, the
 * offsets a stateful query resumes from, and the coalescing of table outputs.
 *
 * Commit cycle with state (runtime.c drives it, see cycle_start there):
 *   1. barrier: the queries stop taking records;
 *   2. the coalesced outputs (below) are emitted and produced;
 *   3. when every produced record is acknowledged by the broker (rt->inflight == 0),
 *      rt_state_commit writes the state together with every stateful query's positions
 *      (LMDB, one transaction: wr_engine_commit);
 *   4. the positions are committed to Kafka too (epoch_close), and the queries go on.
 * So LMDB never holds offsets whose outputs might still be lost: after a kill -9 a query
 * resumes from the LMDB offsets (rt_state_offsets, on assignment), with the state of exactly
 * that point, and re-produces only what came after (at-least-once, no record counted twice
 * or missed).  Committing the state before the outputs are acknowledged would need the
 * outputs in LMDB too (an outbox); waiting for the acknowledgements instead costs a pause
 * of one produce round trip per commit interval.
 *
 * Coalescing (ksqlDB's cache.max.bytes.buffering; 0 = every update): the aggregate operator
 * of a CREATE TABLE AS SELECT holds its updated keys and emits only their latest rows when the
 * engine is flushed (wr_engine_flush, step 2 above); `weir test` emits every update.
 */
#include <stdlib.h>

#include "engine_state.h"
#include "runtime_int.h"

/* ---------------------------------------------------------------- state commit */

int rt_engine_flush(wr_runtime *rt)
{
    wr_error err;
    wr_error_clear(&err);
    int rc = wr_engine_flush(rt->eng, &err);
    if (rc)
        rt_log(rt, WR_LOG_ERROR, "emitting coalesced outputs failed: %s", err.msg);
    return rc;
}

int rt_has_state(wr_runtime *rt)
{
    for (rt_query *rq = rt->queries; rq; rq = rq->next)
        if (rq->stateful && !rq->closing)
            return 1;
    return 0;
}

int rt_state_commit(wr_runtime *rt, wr_error *err)
{
    int n = 0;
    for (rt_query *rq = rt->queries; rq; rq = rq->next)
        if (rq->stateful && rq->pos)
            n += rq->pos->cnt;
    st_offset *offs = wr_xcalloc((size_t)(n ? n : 1), sizeof *offs);
    int k = 0;
    for (rt_query *rq = rt->queries; rq; rq = rq->next)
        if (rq->stateful && rq->pos)
            for (int i = 0; i < rq->pos->cnt; i++) {
                offs[k].group = rq->group;
                offs[k].topic = rq->pos->elems[i].topic;
                offs[k].partition = rq->pos->elems[i].partition;
                offs[k].offset = rq->pos->elems[i].offset;
                k++;
            }
    int rc = wr_engine_commit(rt->eng, offs, k, err);
    free(offs);
    if (rc)
        return rc;
    rt->state_commits++;
    st_stats st;
    if (wr_engine_state_stats(rt->eng, &st) && st.map_grows != rt->map_grows) {
        rt_log(rt, WR_LOG_INFO, "state: the LMDB map was full and grew to %zu MiB (%llu "
               "grow(s) so far); processing goes on", st.map_size >> 20,
               (unsigned long long)st.map_grows);
        rt->map_grows = st.map_grows;
    }
    return 0;
}

int rt_state_offsets(rt_query *rq, rd_kafka_topic_partition_list_t *parts)
{
    wr_runtime *rt = rq->w.rt;
    int found = 0;
    for (int i = 0; i < parts->cnt; i++) {
        int64_t off;
        int r = wr_engine_offset(rt->eng, rq->group, parts->elems[i].topic,
                                 parts->elems[i].partition, &off);
        if (r == 1) {
            parts->elems[i].offset = off;
            found++;
        } else if (r < 0) {
            return r;
        }
    }
    return found;
}
