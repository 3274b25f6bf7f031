create stream s (id int key, name string) with (kafka_topic='input', value_format='json');
create stream out as select id, name as nick from s;
