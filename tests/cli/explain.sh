# weir explain: results of SHOW/DESCRIBE, the plan of each persistent query, and a compile
# error reported with line, column, caret and hint (exit 1).
set -eu
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out=$("$WEIR" explain examples/iot/statements.sql)
grep -q "Created query with ID CSAS_SENSOR_ALERTS_0" <<<"$out"
grep -q "\[ SINK \].*topic sensor-alerts" <<<"$out"
grep -q "\[ FILTER \]" <<<"$out"
grep -q "\[ SOURCE \].*topic sensor-readings, key KAFKA, value JSON" <<<"$out"
cat >"$tmp/bad.sql" <<'SQL'
CREATE STREAM txns (card STRING KEY, amount DECIMAL(10,2)) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');
DESCRIBE txns;
CREATE STREAM big AS SELECT card, amountt FROM txns;
SQL
set +e
out=$("$WEIR" explain "$tmp/bad.sql" 2>&1); rc=$?
set -e
[ "$rc" = 1 ]
grep -q " AMOUNT | DECIMAL(10, 2)" <<<"$out"
grep -q "Line: 3, Col: 35: Column 'AMOUNTT' cannot be resolved. Did you mean 'AMOUNT'?" <<<"$out"
grep -q "^                                  \^\^\^\^\^\^\^$" <<<"$out"
