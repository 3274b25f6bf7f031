# repl_tmux.sh - the interactive shell driven through tmux like a person at a terminal, on its
# embedded development broker: DDL, INSERT VALUES (one statement over two lines, two statements
# on one line), push queries in the boxed table (LIMIT; without LIMIT, a row produced by kcat
# while it runs, then Ctrl-C), Ctrl-C at the prompt, tab completion of a stream name, an error
# with line/column/caret, credentials redacted in the history file, `exit`.  Then -e, -f, stdin
# and --output JSON without a terminal, and their exit statuses.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || { not_ok "tmux is installed"; exit 1; }

SOCK="$T/tmux.sock"
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

# screen: everything the pane showed (scrollback included), wrapped lines joined
screen() { tm capture-pane -p -J -t repl -S -3000 2>/dev/null; }
screen_has() { screen | grep -Eq -- "$1"; }
screen_lacks() { ! screen | grep -Eq -- "$1"; }
# screen_count PATTERN: how many lines match; screen_count_ge N PATTERN: at least N
screen_count() { screen | grep -Ec -- "$1"; }
screen_count_ge() { [ "$(screen_count "$2")" -ge "$1" ]; }
# keys TEXT: the characters of TEXT, as hex bytes (tmux would take a trailing ';' of a
# literal argument as its own command separator)
keys() { tm send-keys -t repl -H $(printf '%s' "$1" | od -An -tx1); }
# type_line TEXT: TEXT, then Enter
type_line() { keys "$1"; tm send-keys -t repl Enter; }
# prompt_count: how many prompt lines the pane shows (a new one appears after each command)
prompt_count() { screen_count '^weir> '; }
# wait_prompts N [SECONDS]: until the pane shows N prompt lines
wait_prompts() { wait_for "${2:-20}" screen_count_ge "$1" '^weir> '; }

# ---------------------------------------------------------------- interactive, in tmux
cat >"$T/run.sh" <<EOF
#!/bin/sh
# Ctrl-C in the pane reaches this shell too: keep it alive to record the exit status
trap : INT
cd "$T"
WEIR_HISTORY="$T/hist" HOME="$T" TERM=xterm "$WEIR"
echo "exit status \$?" >"$T/exit"
sleep 60
EOF
chmod +x "$T/run.sh"
tm -f /dev/null new-session -d -s repl -x 200 -y 50 "$T/run.sh"
tm set-option -t repl history-limit 5000 >/dev/null

check "the shell starts with a prompt" wait_for 30 screen_has '^weir> '
check "it says it started an embedded development broker" \
    screen_has '^No Kafka cluster configured: started an embedded development broker at 127\.0\.0\.1:[0-9]+ \(in memory only; use -b to connect to Kafka\)'
BOOTSTRAP=$(screen | sed -n 's/.*development broker at \(127\.0\.0\.1:[0-9]*\) .*/\1/p' | head -n 1)

type_line "CREATE STREAM payments (id INT KEY, amount DOUBLE) WITH (KAFKA_TOPIC='payments', PARTITIONS=1, VALUE_FORMAT='JSON');"
check "CREATE STREAM answers 'Stream created'" wait_for 20 screen_has '^ Stream created'

# one statement over two lines: the continuation prompt, then it runs
type_line "INSERT INTO payments (id, amount)"
check "an unfinished statement shows the continuation prompt" wait_for 5 screen_has '^    > $'
type_line "VALUES (1, 10.5);"
type_line "INSERT INTO payments (id, amount) VALUES (2, 20.25); INSERT INTO payments (id, amount) VALUES (3, 30.0);"
type_line "SET 'auto.offset.reset'='earliest';"
wait_prompts 6
check "no error so far" screen_lacks 'Line: [0-9]+, Col|rror'

type_line "SELECT id, amount FROM payments EMIT CHANGES LIMIT 3;"
check "a push query with LIMIT ends with 'Limit Reached'" wait_for 40 screen_has '^Limit Reached'
boxed_header() { screen | grep -A1 -E '^\+-+\+-+\+$' | grep -Eq '^\|ID +\|AMOUNT +\|$'; }
check "its header is boxed" boxed_header
check "row 1 is in the table" screen_has '^\|1 +\|10\.5 +\|$'
check "row 2 is in the table" screen_has '^\|2 +\|20\.25 +\|$'
check "row 3 is in the table" screen_has '^\|3 +\|30\.0 +\|$'
check "then 'Query terminated'" wait_for 5 screen_has '^Query terminated'

# without LIMIT: rows as they arrive, until Ctrl-C
n=$(prompt_count)
type_line "SELECT amount, id FROM payments WHERE amount > 15 EMIT CHANGES;"
check "the unlimited push query shows the old rows" wait_for 40 screen_has '^\|30\.0 +\|3 +\|$'
echo '{"AMOUNT":77.5}' | kcat -P -b "$BOOTSTRAP" -t payments -p 0 2>"$T/kcat.log" || show "$T/kcat.log"
check "a row produced by another client while it runs is printed" wait_for 20 screen_has '^\|77\.5 +\|null +\|$'
check "the push query is still running (no new prompt)" test "$(prompt_count)" -eq "$n"
tm send-keys -t repl C-c
check "Ctrl-C stops it: 'Query terminated'" wait_for 20 screen_count_ge 2 '^Query terminated'
check "... and the prompt is back" wait_prompts $((n + 1))
type_line "SHOW STREAMS;"
check "the prompt still works: SHOW STREAMS lists PAYMENTS" wait_for 20 screen_has '^ PAYMENTS +\| payments +\| KAFKA +\| JSON'

# Ctrl-C at the prompt drops the half-typed statement and does not exit
n=$(prompt_count)
keys "SELEC this is not sent"
tm send-keys -t repl C-c
check "Ctrl-C at the prompt gives a fresh prompt" wait_prompts $((n + 1)) 10
type_line "SHOW TOPICS;"
check "the next statement runs alone (the dropped text is not part of it)" wait_for 20 screen_has '^ payments +\|'
check "nothing complained about the dropped text" screen_lacks "near 'SELEC'"

# tab completion of a stream name
keys "DESCRIBE PAYM"
tm send-keys -t repl Tab
check "Tab completes PAYM to PAYMENTS" wait_for 5 screen_has '^weir> DESCRIBE PAYMENTS $'
type_line ";"
check "the completed statement runs" wait_for 20 screen_has '^Name +: PAYMENTS'

# errors point into the statement typed
type_line "SELECT id,"
type_line "  amountt FROM payments EMIT CHANGES;"
check "an error gives line and column in the statement" \
    wait_for 20 screen_has "^Line: 2, Col: 3: Column 'AMOUNTT' cannot be resolved"
check "... with the caret under the word" screen_has '^  \^\^\^\^\^\^\^$'

# credentials never reach the history file
type_line "SET 'sasl.jaas.config'='org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"hunter2\";';"
type_line "DEFINE api_key = 'sk-12345';"
wait_for 10 grep -q api_key "$T/hist"
check "the history file exists" test -s "$T/hist"
check "the history file holds the statements typed" grep -q "^CREATE STREAM payments" "$T/hist"
check "sasl.jaas.config is stored as [hidden]" grep -qF "SET 'sasl.jaas.config'='[hidden]';" "$T/hist"
check "DEFINE api_key is stored as [hidden]" grep -qF "DEFINE api_key = '[hidden]';" "$T/hist"
check "no secret in the history file" sh -c "! grep -Eq 'hunter2|sk-12345' '$T/hist'"
check "the history file is private (0600)" test "$(stat -c %a "$T/hist")" = 600
type_line "history"
check "'history' lists the redacted lines" wait_for 5 screen_has "^ +[0-9]+  SET 'sasl.jaas.config'='\[hidden\]';"

type_line "exit"
check "'exit' ends the shell with status 0" wait_for 30 grep -q "exit status 0" "$T/exit"
screen >"$T/screen.txt" 2>/dev/null # kept for a look when something failed
tm kill-server 2>/dev/null

# ---------------------------------------------------------------- non-interactive
DDL="CREATE STREAM s (id INT KEY, v STRING) WITH (KAFKA_TOPIC='s', PARTITIONS=1, VALUE_FORMAT='JSON');"
"$WEIR" -e "$DDL INSERT INTO s (id, v) VALUES (1, 'a'); INSERT INTO s (id, v) VALUES (2, 'b');
SET 'auto.offset.reset'='earliest'; SELECT * FROM s EMIT CHANGES LIMIT 2;" >"$T/e.out" 2>"$T/e.err"
rc=$?
check "-e: exit status 0" test "$rc" -eq 0
check "-e: the embedded broker line goes to stderr" grep -q "^No Kafka cluster configured" "$T/e.err"
check "-e: rows in the boxed table" grep -Eq '^\|2 +\|b +\|$' "$T/e.out"
check "-e: ... ending with Limit Reached" grep -q '^Limit Reached' "$T/e.out"
[ "$rc" -eq 0 ] || { show "$T/e.out"; show "$T/e.err"; }

cat >"$T/f.sql" <<EOF
$DDL
INSERT INTO s (id, v) VALUES (1, 'a');
SELECT nosuch FROM s EMIT CHANGES;
SHOW STREAMS;
EOF
"$WEIR" -f "$T/f.sql" >"$T/f.out" 2>"$T/f.err"
rc=$?
check "-f with a failing statement: exit status 1" test "$rc" -eq 1
check "-f: the error names the file, line and column" \
    grep -qF "$T/f.sql: Line: 3, Col: 8: Column 'NOSUCH' cannot be resolved" "$T/f.err"
check "-f: statements before it ran" grep -q '^ Stream created' "$T/f.out"
check "-f: statements after it did not run" sh -c "! grep -q 'Stream Name' '$T/f.out'"

printf '%s\n' "$DDL" "INSERT INTO s (id, v) VALUES (5, 'x\"y');" "SET 'auto.offset.reset'='earliest';" \
    "SELECT id, v FROM s EMIT CHANGES LIMIT 1" | "$WEIR" --output JSON >"$T/j.out" 2>"$T/j.err"
rc=$?
check "stdin + --output JSON: exit status 0 (last statement without ';' runs)" test "$rc" -eq 0
check "--output JSON: one object per row, numbers as numbers" grep -qxF '{"ID":5,"V":"x\"y"}' "$T/j.out"
[ "$rc" -eq 0 ] || { show "$T/j.out"; show "$T/j.err"; }

"$WEIR" --no-such-option >/dev/null 2>"$T/u.err"
check "an unknown option is a usage error (status 2)" test $? -eq 2
"$WEIR" -b 127.0.0.1:1 --bogus 2>/dev/null
check "usage errors come before connecting" test $? -eq 2
