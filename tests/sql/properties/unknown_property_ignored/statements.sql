SET 'some.unknown.property' = 'x';
SET 'auto.offset.reset' = 'earliest';
CREATE STREAM S (ID INT KEY, NAME STRING, AGE INT) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');
CREATE STREAM OUT AS SELECT * FROM S;
