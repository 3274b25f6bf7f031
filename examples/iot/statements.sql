-- IoT sensor threshold alerts.
-- Readings arrive as JSON keyed by sensor id; a reading over its kind's limit becomes an
-- alert with a severity.  Event time is the device's own timestamp (TIMESTAMP='ts').
CREATE STREAM readings (
    sensor_id STRING KEY,
    site      STRING,
    kind      STRING,
    reading   DOUBLE,
    unit      STRING,
    ts        BIGINT
) WITH (KAFKA_TOPIC='sensor-readings', VALUE_FORMAT='JSON', TIMESTAMP='ts');

CREATE STREAM sensor_alerts WITH (KAFKA_TOPIC='sensor-alerts') AS
    SELECT sensor_id,
           site,
           kind,
           reading,
           unit,
           CASE WHEN kind = 'temperature' AND reading > 80 THEN 'CRITICAL'
                WHEN kind = 'pressure' AND reading > 12 THEN 'CRITICAL'
                ELSE 'WARNING' END AS severity,
           TIMESTAMPTOSTRING(ts, 'yyyy-MM-dd HH:mm:ss', 'UTC') AS observed
    FROM readings
    WHERE (kind = 'temperature' AND reading > 60)
       OR (kind = 'pressure' AND reading > 10)
       OR (kind = 'humidity' AND reading > 90)
    EMIT CHANGES;
