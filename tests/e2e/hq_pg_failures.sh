#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Head office on PostgreSQL when things go wrong: each failure is one clear
# line (naming the database, never a password) and loses nothing.
#  - wrong password, unreachable server, missing database, read-only
#    database (default_transaction_read_only, as on a hot standby);
#  - /healthz says "postgresql", turns 503 when the server stops and 200
#    again by itself when it is back, no restart of tally-hq;
#  - the server's connections dropped in the middle of batches (backends
#    terminated while tally-sync sends): those batches fail with 503, the
#    kiosk sends them again, and head office holds every rating once.
# Run by make test's PostgreSQL pass; alone, it starts its own cluster.
. "$(dirname "$0")/sync_lib.inc"
pg_own
[ -z "${PG_OWN:-}" ] || trap 'cleanup; pg_stop' EXIT INT TERM
HQR=${TALLY_BUILD:-$ROOT/build}/tally-hq
S=$TALLY_HQ_PG_SOCKET

# one_line WHAT EXPECTED-TEXT COMMAND...: the command fails with exactly one line on stderr holding the text.
one_line() {
	what=$1 want=$2
	shift 2
	if "$@" >"$T/out" 2>"$T/err"; then fail "$what: succeeded"; fi
	[ "$(wc -l <"$T/err")" = 1 ] || fail "$what: not one line: $(cat "$T/err")"
	grep -q "$want" "$T/err" || fail "$what: no \"$want\" in: $(cat "$T/err")"
	note "$what: $(cat "$T/err")"
}

DB=$(pg_fresh failures_$$)
one_line "wrong password" "password authentication failed" \
	"$HQR" --db "postgresql:///failures_$$?host=$S&user=tally_pw&password=not-the-password" migrate
! grep -q "not-the-password" "$T/err" || fail "the password is in the error"
PORT=$(free_port)
one_line "unreachable server" "cannot connect" "$HQR" --db "postgresql://tally@127.0.0.1:$PORT/x?password=secret-pw" kiosk list
! grep -q "secret-pw" "$T/err" || fail "the password is in the error"
one_line "missing database" "does not exist" "$HQR" --db "postgresql:///no_such_db?host=$S&user=tally" migrate
RO=$(pg_fresh readonly_$$)
pg_psql "$(pg_uri postgres)" "ALTER DATABASE readonly_$$ SET default_transaction_read_only = on" >/dev/null
one_line "read-only database" "read-only" "$HQR" --db "$RO" kiosk add --id k-ro --store S --area A
# the right password works (on a database of that user's)
createdb -h "$S" -U tally -O tally_pw "owned_$$" || fail "createdb"
"$HQR" --db "postgresql:///owned_$$?host=$S&user=tally_pw&password=right-password" migrate >/dev/null 2>"$T/err" ||
	fail "the right password: $(cat "$T/err")"
# The three commands of docs/head-office.md "Head office on PostgreSQL": a role, its database, the schema.
createuser -h "$S" -U tally "tally_doc_$$" || fail "createuser"
createdb -h "$S" -U tally --owner="tally_doc_$$" "tally_doc_$$" || fail "createdb --owner"
"$HQR" --db "postgresql:///tally_doc_$$?host=$S&user=tally_doc_$$" migrate >"$T/out" 2>"$T/err" ||
	fail "tally-hq migrate: $(cat "$T/err")"
grep -q "schema version" "$T/out" || fail "migrate said: $(cat "$T/out")"

# /healthz follows the server, by itself.
HQ_DB=$DB
HQ_PORT=$(free_port)
TOKEN=$("$HQR" --db "$HQ_DB" kiosk add --id demo-kiosk --store "Demo Store" --area Counter 2>"$T/hq-add.log" \
	| sed -n 's/^token[: =]*//p' | head -n 1)
[ -n "$TOKEN" ] || fail "no token"
hq_start
health() { curl -s -o "$T/health" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$HQ_PORT/healthz"; }
[ "$(health)" = 200 ] || fail "healthz not 200: $(cat "$T/health")"
grep -q '"db":"postgresql"' "$T/health" || fail "healthz does not name the engine: $(cat "$T/health")"
pg_server_stop || fail "cannot stop the server"
wait_until 60 '[ "$(health)" = 503 ]' || { pg_server_start; fail "healthz not 503 with the server stopped: $(cat "$T/health")"; }
note "server stopped: $(cat "$T/health")"
pg_server_start || fail "cannot start the server again"
wait_until 60 '[ "$(health)" = 200 ]' || fail "healthz not 200 again: $(cat "$T/health")"
note "server back: $(cat "$T/health")"

# Connections dropped mid-batch: every rating still arrives once.
kiosk_config "$HQ_PORT"
sed -i 's/^\[sync\]$/[sync]\nbatch_size = 100/' "$T/kiosk.ini"
add_ratings 3000
sync_start
drops=0
while [ "$(hq_count)" -lt 3000 ] && [ $drops -lt 40 ]; do
	pg_psql "$(pg_uri postgres)" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = 'failures_$$' AND application_name = 'tally-hq'" >/dev/null || true
	drops=$((drops + 1))
	sleep 0.2
done
# Every connection dropped is a 503 to whoever used it next: the kiosk's backoff has grown; nudge it until done.
i=0
while [ "$(hq_count)" != 3000 ] && [ $i -lt 60 ]; do sync_usr1; sleep 2; i=$((i + 1)); done
[ "$(hq_count)" = 3000 ] || fail "head office holds $(hq_count) ratings, not 3000"
[ "$(hq_sql "SELECT count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq) FROM ratings")" = "3000 1 3000" ] ||
	fail "not seq 1..3000 once each"
wait_until 60 '[ "$(kiosk_count "acked = 0")" = 0 ]' || fail "$(kiosk_count "acked = 0") rows left unsent"
[ "$(hq_sql "SELECT sum(v0 + v1 + v2 + v3 + v4 + misuse + closed) FROM rating_counts")" = 3000 ] ||
	fail "the hourly counts do not add up to 3000"
n503=$(grep -c '503' "$T/hq.log" || true)
note "$drops rounds of dropped connections; $n503 lines with 503 in head office's log"
sync_stop
hq_stop
note "ok"
