CREATE STREAM s (a INT) WITH (kafka_topic='a;b');
SELECT * FROM s;
