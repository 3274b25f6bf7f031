-- Weather observations: raw nested JSON flattened into a typed, warehouse-ready stream,
-- plus one row per station tag (EXPLODE).  The flat stream is what a warehouse sink loads.
CREATE STREAM weather_raw (
    station     STRING KEY,
    observed_at BIGINT,
    location    STRUCT<city STRING, country STRING, lat DOUBLE, lon DOUBLE>,
    readings    STRUCT<temp_c DOUBLE, humidity INT, wind STRUCT<speed_kmh DOUBLE, dir STRING>>,
    tags        ARRAY<STRING>
) WITH (KAFKA_TOPIC='weather-raw', VALUE_FORMAT='JSON', TIMESTAMP='observed_at');

CREATE STREAM weather_flat WITH (KAFKA_TOPIC='weather-flat') AS
    SELECT station,
           location->city        AS city,
           location->country     AS country,
           location->lat         AS lat,
           location->lon         AS lon,
           readings->temp_c      AS temp_c,
           ROUND(readings->temp_c * 9 / 5 + 32, 1) AS temp_f,
           readings->humidity    AS humidity,
           readings->wind->speed_kmh AS wind_kmh,
           readings->wind->dir   AS wind_dir,
           ARRAY_LENGTH(tags)    AS tag_count,
           observed_at
    FROM weather_raw
    EMIT CHANGES;

CREATE STREAM weather_tags WITH (KAFKA_TOPIC='weather-tags') AS
    SELECT station, EXPLODE(tags) AS tag
    FROM weather_raw
    EMIT CHANGES;
