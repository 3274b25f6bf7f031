-- Web access logs: tab-delimited lines (an nginx log_format with \t separators) parsed into
-- typed JSON request events, and the server errors split off for alerting.
CREATE STREAM access_log (
    client    STRING,
    time_local STRING,
    method    STRING,
    request   STRING,
    status    INT,
    bytes     BIGINT,
    referer   STRING,
    agent     STRING,
    rt        DOUBLE
) WITH (KAFKA_TOPIC='access-log', VALUE_FORMAT='DELIMITED', VALUE_DELIMITER='TAB');

CREATE STREAM requests WITH (KAFKA_TOPIC='requests', VALUE_FORMAT='JSON') AS
    SELECT client,
           PARSE_TIMESTAMP(time_local, 'dd/MMM/yyyy:HH:mm:ss Z') AS requested_at,
           method,
           URL_EXTRACT_PATH(request) AS path,
           URL_EXTRACT_PARAMETER(request, 'q') AS search,
           status,
           CASE WHEN status >= 500 THEN 'server_error'
                WHEN status >= 400 THEN 'client_error'
                ELSE 'ok' END AS outcome,
           bytes,
           CAST(rt * 1000 AS INT) AS rt_ms,
           REGEXP_EXTRACT('(Firefox|Chrome|Safari|curl)', agent) AS browser
    FROM access_log
    EMIT CHANGES;

CREATE STREAM server_errors WITH (KAFKA_TOPIC='server-errors') AS
    SELECT client, method, path, status, rt_ms
    FROM requests
    WHERE outcome = 'server_error'
    EMIT CHANGES;
