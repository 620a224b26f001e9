# SPDX-License-Identifier: Apache-2.0
# tally-sync on SIGHUP: a config with a mistake is refused and the daemon
# goes on with the old one; a good one takes effect (same process, new
# settings) and ratings keep flowing to head office.
. "$(dirname "$0")/sync_lib.inc"

hq_init
hq_start
kiosk_config "$HQ_PORT"
add_ratings 5
sync_start
wait_until 30 '[ "$(hq_count)" = 5 ]' || fail "first ratings never arrived"
note "5 ratings at head office"
wait_until 30 '[ $(( 0x$(awk "/^SigCgt:/ { print \$2 }" /proc/$SYNC_PID/status) & 0x1 )) != 0 ]' ||
	fail "tally-sync never caught SIGHUP"

cp "$T/kiosk.ini" "$T/good.ini"
printf '[sync]\nbatch_size = 0\n' >>"$T/kiosk.ini"
kill -HUP "$SYNC_PID"
wait_until 30 'grep -q "config reload refused, old config kept: $T/kiosk.ini:[0-9]*: batch_size" "$T/sync.log"' ||
	fail "bad config not refused"
kill -0 "$SYNC_PID" || fail "tally-sync died on a bad config"
note "bad config refused, daemon still running"

sed 's/^connect_timeout_s = 1$/connect_timeout_s = 2/' "$T/good.ini" >"$T/kiosk.ini"
printf '[sync]\nbatch_size = 7\n' >>"$T/kiosk.ini"
kill -HUP "$SYNC_PID"
wait_until 30 'grep -q "batches of 7" "$T/sync.log"' || fail "new config not applied"
kill -0 "$SYNC_PID" || fail "tally-sync is gone after the reload"
note "good config applied by the same process"
add_ratings 20
wait_until 30 '[ "$(hq_count)" = 25 ]' || fail "ratings after the reload never arrived"
note "ratings flow after the reload"
sync_stop
note ok
