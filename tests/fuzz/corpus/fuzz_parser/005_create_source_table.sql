CREATE SOURCE TABLE t WITH (kafka_topic='x', value_format='avro');
