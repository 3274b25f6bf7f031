CREATE STREAM S (ID INT KEY, NAME STRING, AGE INT) WITH (kafka_topic='input', value_format='json');
CREATE STREAM OUT WITH (value_format='Delimited') AS SELECT * FROM S;
