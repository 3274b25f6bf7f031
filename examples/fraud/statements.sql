-- Card fraud rules over a transaction stream.
-- Stateless rules flag single suspicious transactions as they happen.  (The velocity rule,
-- "more than 5 withdrawals per card in 5 minutes", is a windowed aggregate: see
-- velocity.sql once aggregations land.)
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

CREATE STREAM suspicious_transactions WITH (KAFKA_TOPIC='suspicious-transactions') AS
    SELECT card_id,
           txn_id,
           kind,
           amount,
           currency,
           country,
           CASE WHEN country <> home_country AND amount >= 1000 THEN 'LARGE_FOREIGN'
                ELSE 'LARGE_WITHDRAWAL' END AS reason
    FROM transactions
    WHERE (country <> home_country AND amount >= 1000)
       OR (kind = 'withdrawal' AND amount >= 2000)
    EMIT CHANGES;
