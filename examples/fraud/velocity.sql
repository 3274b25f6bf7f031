-- Fraud velocity rule: "count and sum of withdrawals per card over 5 minutes, alert above a
-- threshold".  A card with more than 5 cash withdrawals within one 5-minute window (event
-- time, the transaction's `ts`) is an alert, updated with every further withdrawal of that
-- window; the table's topic holds the latest count and total per card and window.
--
-- Under `weir test` every update is emitted; live (`weir run`), updates of the same card and
-- window within one commit interval are coalesced (cache.max.bytes.buffering), and the
-- counts live in LMDB with the input offsets, so a restart continues them exactly.
CREATE STREAM transactions (
    card_id      STRING KEY,
    txn_id       STRING,
    kind         STRING,
    amount       DECIMAL(12, 2),
    currency     STRING,
    merchant     STRING,
    country      STRING,
    home_country STRING,
    ts           BIGINT
) WITH (KAFKA_TOPIC='transactions', VALUE_FORMAT='JSON', TIMESTAMP='ts');

CREATE TABLE withdrawal_velocity WITH (KAFKA_TOPIC='withdrawal-velocity') AS
    SELECT card_id,
           COUNT(*) AS withdrawals,
           SUM(amount) AS total
    FROM transactions
    WINDOW TUMBLING (SIZE 5 MINUTES)
    WHERE kind = 'withdrawal'
    GROUP BY card_id
    HAVING COUNT(*) > 5
    EMIT CHANGES;
