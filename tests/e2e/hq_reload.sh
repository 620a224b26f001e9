# SPDX-License-Identifier: Apache-2.0
# tally-hq on SIGHUP: a config with a mistake is refused and it goes on
# serving; a good one takes effect (same process, new settings).
. "$(dirname "$0")/sync_lib.inc"

hq_init
HQ_CONFIG="$T/hq.ini"
printf '[hq]\nmax_batch = 5000\n' >"$HQ_CONFIG"
hq_start # it blocks SIGHUP for sigwait before it serves /healthz

printf '[hq]\nmax_batch = lots\n' >"$HQ_CONFIG"
kill -HUP "$HQ_PID"
wait_until 30 'grep -q "config reload refused, old config kept: $HQ_CONFIG:2: max_batch" "$T/hq.log"' ||
	fail "bad config not refused"
curl -fs "http://127.0.0.1:$HQ_PORT/healthz" >/dev/null || fail "tally-hq stopped serving"
note "bad config refused, still serving"

printf '[hq]\nmax_batch = 2\n' >"$HQ_CONFIG"
kill -HUP "$HQ_PID"
wait_until 30 '[ "$(grep -c "^listening on" "$T/hq.log")" = 2 ]' || fail "tally-hq did not restart with the new config"
wait_http "http://127.0.0.1:$HQ_PORT/healthz" || fail "tally-hq not serving after the reload"
kill -0 "$HQ_PID" || fail "tally-hq is gone"
# The new max_batch is in force: a batch of 3 is too many.
BODY='{"kiosk":"demo-kiosk","boots":["b"],"ratings":[[1,1,4,"key",1,1,0,1,null,0],[2,1,4,"key",1,1,0,1,null,0],[3,1,4,"key",1,1,0,1,null,0]]}'
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	--data "$BODY" "http://127.0.0.1:$HQ_PORT/api/v1/ratings")
[ "$code" = 413 ] || fail "max_batch = 2 not in force (HTTP $code)"
note "good config applied by the same process"
hq_stop
note ok
