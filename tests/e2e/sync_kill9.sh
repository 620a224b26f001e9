#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Exactly once through crashes: a stream of 10,000 ratings is written to the
# kiosk store while tally-sync and tally-hq are each killed with SIGKILL at
# random points (mid-batch, mid-commit, between the 200 and the local ack)
# and restarted. At the end head office holds every seq 1..10000 exactly
# once, and the kiosk has every row marked sent.
. "$(dirname "$0")/sync_lib.inc"

rnd() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 )); }

hq_init
hq_start
kiosk_config "$HQ_PORT"
# Small batches: more batch boundaries for the kills to land on.
sed -i 's/^\[sync\]$/[sync]\nbatch_size = 200/' "$T/kiosk.ini"
sync_start

# The kiosk: 10,000 ratings in 200 commits of 50, as fast as it can.
(
	i=0
	while [ $i -lt 200 ]; do add_ratings 50; sleep 0.0$(rnd 6); i=$((i + 1)); done
	touch "$T/writer.done"
) &
WRITER=$!
PIDS="$PIDS $WRITER"

kills=0
# Alternate the victims; the moments are random.
while [ ! -f "$T/writer.done" ] || [ $kills -lt 8 ]; do
	sleep "0.$(rnd 8)$(rnd 10)"
	if [ $((kills % 2)) = 0 ]; then
		sync_kill9
		echo "kill -9 tally-sync at hq=$(hq_count)" >>"$T/kills.log"
		sync_start
	else
		hq_kill9
		echo "kill -9 tally-hq at hq=$(hq_count)" >>"$T/kills.log"
		sleep "0.$(rnd 5)"
		hq_start
	fi
	kills=$((kills + 1))
	[ $kills -lt 40 ] || break
done
wait "$WRITER" || fail "writer failed"
note "$kills kills: $(grep -c "tally-sync at" "$T/kills.log") of tally-sync, $(grep -c "tally-hq at" "$T/kills.log") of tally-hq"

# Nudge a sleeping backoff (SIGUSR1: try now) and wait for the end state.
sync_usr1
wait_until 120 '[ "$(hq_count)" = 10000 ]' || fail "head office holds $(hq_count) ratings, not 10000"
[ "$(hq_sql "SELECT count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq) FROM ratings WHERE kiosk_id = 'demo-kiosk'")" = "10000 1 10000" ] \
	|| fail "head office does not hold seq 1..10000 once each"
wait_until 30 '[ "$(kiosk_count "acked = 0")" = 0 ]' || fail "$(kiosk_count "acked = 0") rows left unsent"
[ "$(kiosk_count)" = 10000 ] || fail "the kiosk lost rows"
sync_stop
hq_stop
note "ok"
