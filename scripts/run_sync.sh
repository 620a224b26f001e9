# SPDX-License-Identifier: Apache-2.0
# run_sync.sh: the head-office half of `make run`, sourced by scripts/run.sh
# after it wrote $RUN/kiosk.conf and set its stop trap. Starts a local
# tally-hq on SQLite in $RUN/, registers the demo kiosk once (its token is
# kept in $RUN/hq.token), adds the [sync] section to the kiosk's config and
# starts tally-sync. Uses and extends run.sh's $B, $RUN and $pids.
HQ_PORT=${TALLY_HQ_PORT:-8470}
HQ_DB="$RUN/hq.db"

if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$HQ_PORT/healthz" 2>/dev/null; then
	echo "tally: something already answers on 127.0.0.1:$HQ_PORT (another make run?); stop it or set TALLY_HQ_PORT" >&2
	exit 1
fi
if [ ! -s "$RUN/hq.token" ]; then
	# The token is shown once; without it the demo kiosk cannot be used
	# again, so a head-office database without a saved token starts afresh.
	rm -f "$HQ_DB" "$HQ_DB-wal" "$HQ_DB-shm"
	"$B/tally-hq" --db "$HQ_DB" kiosk add --id demo-kiosk --store "Demo Store" --area Counter 2>/dev/null \
		| sed -n 's/^token //p' >"$RUN/hq.token.tmp"
	[ -s "$RUN/hq.token.tmp" ] || { echo "tally: could not register the demo kiosk with tally-hq" >&2; exit 1; }
	chmod 600 "$RUN/hq.token.tmp"
	mv "$RUN/hq.token.tmp" "$RUN/hq.token"
	rm -f "$RUN/demo.txt"
fi
# The dashboard's demo chain (stores in three regions and zones, two weeks
# of ratings, a user per role), made once with the database; its passwords
# are shown only then, so they are kept (0600) to be shown at every start.
if [ ! -s "$RUN/demo.txt" ]; then
	(umask 077; "$B/tally-hq" --db "$HQ_DB" demo >"$RUN/demo.txt.tmp" 2>>"$RUN/hq.log") ||
		{ echo "tally: could not make the demo chain (see $RUN/hq.log); remove $RUN/hq.token to start afresh" >&2; exit 1; }
	"$B/tally-hq" --db "$HQ_DB" store set-region "Demo Store" North >/dev/null
	mv "$RUN/demo.txt.tmp" "$RUN/demo.txt"
fi

cat >>"$RUN/kiosk.conf" <<CONF
[sync]
url = http://127.0.0.1:$HQ_PORT
token = $(cat "$RUN/hq.token")
summary_every_s = 60
CONF

"$B/tally-hq" --db "$HQ_DB" --listen "127.0.0.1:$HQ_PORT" >>"$RUN/hq.log" 2>&1 &
pids="$pids $!"
i=0
until curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$HQ_PORT/healthz" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
	[ $i -lt 300 ] || { echo "tally: tally-hq did not start, see $RUN/hq.log" >&2; exit 1; }
done
"$B/tally-sync" --config "$RUN/kiosk.conf" >>"$RUN/sync.log" 2>&1 &
pids="$pids $!"
# Which processes this run started, so a test can check them by pid.
echo "$pids" >"$RUN/run.pids"
echo "tally: head office on http://127.0.0.1:$HQ_PORT ($HQ_DB, log $RUN/hq.log); tally-sync log $RUN/sync.log" >&2
echo "tally: ratings at head office: sqlite3 $HQ_DB \"SELECT count(*) FROM ratings WHERE kiosk_id = 'demo-kiosk'\"" >&2
echo "tally: dashboard on http://127.0.0.1:$HQ_PORT/ with a demo chain; log in as" >&2
sed -n 's/^user \([^ ]*\) \([^ ]*\) \([^ ]*\)$/tally:   \1  password \3  (\2)/p' "$RUN/demo.txt" >&2
