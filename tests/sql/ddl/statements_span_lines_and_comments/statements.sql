-- a comment line; with a semicolon
CREATE STREAM S (
  ID INT KEY,
  NAME STRING,  -- the name
  AGE INT
) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');
/* a block comment */
CREATE STREAM OUT AS
  SELECT ID, NAME, 'x;y' AS LIT
  FROM S;
