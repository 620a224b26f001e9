#!/bin/sh
# tally-sync against a head office that misbehaves (through the fault
# proxy): a 500, an answer that never comes, a connection closed before or
# in the middle of the answer, and a 500 after head office stored the
# batch. Each time nothing is marked sent; the next good round delivers
# the rest and every rating is at head office exactly once. Also: a head
# office that takes smaller batches (413) gets them, halved until accepted.
. "$(dirname "$0")/sync_lib.inc"

hq_init
hq_start
proxy_start pass
SYNC_TIMEOUT_S=2 kiosk_config "$PROXY_PORT"

total=0
for mode in 500 hang close-before close-mid 500-after; do
	note "fault: $mode"
	proxy_mode "$mode"
	add_ratings 120
	total=$((total + 120))
	before=$(hq_count)
	out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") && fail "$mode: --once claimed success: $out"
	[ "$(kiosk_count 'acked = 0')" = 120 ] || fail "$mode: rows marked sent without a readable 200"
	case $mode in
	close-mid|500-after) stored=120 ;; # head office did store this batch
	*) stored=0 ;;
	esac
	[ "$(hq_count)" = $((before + stored)) ] || fail "$mode: head office holds $(hq_count), expected $((before + stored))"
	proxy_mode pass
	out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") || fail "$mode: recovery --once failed: $out"
	echo "$out" | grep -q "^sent 120 ratings in 1 batches ($stored already at head office" || fail "$mode: $out"
	[ "$(hq_count)" = $total ] || fail "$mode: head office holds $(hq_count), not $total"
	[ "$(kiosk_count 'acked = 0')" = 0 ] || fail "$mode: rows left unsent"
done

note "daemon through random faults, then a clean link"
SYNC_TIMEOUT_S=1
proxy_mode random:0.6
sync_start
for i in 1 2 3 4 5 6 7 8; do add_ratings 75; sleep 0.3; done
total=$((total + 600))
sleep 2
proxy_mode pass
add_ratings 1
total=$((total + 1))
wait_until 90 '[ "$(hq_count)" = $total ]' || fail "daemon: head office holds $(hq_count), not $total"
[ "$(hq_count "GROUP BY kiosk_id, seq HAVING count(*) > 1")" = "" ] || fail "duplicates at head office"
wait_until 30 '[ "$(kiosk_count "acked = 0")" = 0 ]' || fail "daemon: rows left unsent"
sync_stop
note "SIGTERM while a request hangs: the request is abandoned, the daemon stops cleanly"
sed -i "s/^timeout_s = .*/timeout_s = 600/" "$T/kiosk.ini"
proxy_mode hang
add_ratings 10
total=$((total + 10))
: >"$T/sync.log"
sync_start
# The first round starts at once and hangs on the proxy: wait until its
# connection is there (however slow the machine), then stop the daemon.
wait_until 60 '[ -n "$(ss -Htn state established "( dport = :$PROXY_PORT )")" ]' ||
	fail "tally-sync never connected to the hanging proxy"
kill "$SYNC_PID"
wait_until 20 '! kill -0 "$SYNC_PID" 2>/dev/null' || fail "tally-sync did not stop while a request hung"
wait "$SYNC_PID" || fail "tally-sync exited with $? after SIGTERM"
grep -q "stopping" "$T/sync.log" || fail "no clean stop logged"
[ "$(kiosk_count 'acked = 0')" = 10 ] || fail "rows marked sent by an abandoned request"
proxy_mode pass
"$SYNC" --once --config "$T/kiosk.ini" >/dev/null 2>>"$T/sync.log" || fail "final --once failed"
[ "$(hq_count)" = $total ] || fail "head office holds $(hq_count), not $total"

note "head office takes smaller batches than batch_size (413): halved until accepted"
hq_stop
printf '[hq]\nmax_batch = 100\n' >"$T/hq.ini"
HQ_CONFIG="$T/hq.ini" hq_start
add_ratings 450
total=$((total + 450))
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") || fail "--once against max_batch 100 failed: $out"
echo "$out" | grep -q "^sent 450 ratings in" || fail "expected 450 sent: $out"
grep -q "refuses batches of 450 ratings (HTTP 413)" "$T/sync.log" || fail "413 not logged"
[ "$(hq_count)" = $total ] || fail "head office holds $(hq_count), not $total"

note "requests by mode: $(cut -d' ' -f1 "$T/proxy.requests" | sort | uniq -c | tr '\n' ' ')"
note "ok"
