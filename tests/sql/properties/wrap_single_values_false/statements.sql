SET 'ksql.persistence.wrap.single.values' = 'false';
CREATE STREAM S (ID INT KEY, NAME STRING) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');
CREATE STREAM OUT AS SELECT * FROM S;
