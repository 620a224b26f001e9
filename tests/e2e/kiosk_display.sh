# SPDX-License-Identifier: Apache-2.0
# The wall display ([kiosk] mode = display) never writes: keys, touches
# and clicks on it leave the database byte for byte as it was, and a
# database that does not exist yet is not created (the screens then show
# an empty day). It shows the figures (the staff screens' screenshots come
# from the same database).
. "$(dirname "$0")/lib.inc"

DB="$WORK/k.db"
python3 "$(dirname "$0")/../../scripts/demo_data.py" "$BIN/tally-kiosk" "$DB" 4 '2025-06-17 16:40' ||
	fail "demo data"
# Fold the WAL in so the main file alone is the whole database.
sql "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
before_sum=$(sha256sum <"$DB")
before_rows=$(sql "$DB" 'select count(*) from ratings')

printf '[kiosk]\ndatabase = %s\nmode = display\ntimezone = Europe/Berlin\n[display]\nrefresh_s = 1\npage_s = 2\n' "$DB" >"$WORK/d.conf"
cat >"$WORK/d.in" <<IN
wait 300
key 1
touch 0.5 0.7
touch-up 0.5 0.7
click 400 300
key 4
wait 2500
screenshot $WORK/display.png
quit
IN
"$BIN/tally-kiosk" --config "$WORK/d.conf" --windowed 800x480 --script "$WORK/d.in" --now '2025-06-17 16:45' -v \
	2>"$WORK/log" || { cat "$WORK/log"; fail "kiosk exited with an error"; }
grep -q "mode: wall display" "$WORK/log" || { cat "$WORK/log"; fail "not in display mode"; }
expect_eq "rows unchanged" "$before_rows" "$(sql "$DB" 'select count(*) from ratings')"
expect_eq "database file unchanged" "$before_sum" "$(sha256sum <"$DB")"
[ -s "$WORK/display.png" ] || fail "no screenshot"
echo "ok: display screenshot"

# No database yet: the display waits for one and does not create it.
printf '[kiosk]\ndatabase = %s\nmode = display\n' "$WORK/none.db" >"$WORK/n.conf"
printf 'key 1\nwait 200\nquit\n' >"$WORK/n.in"
"$BIN/tally-kiosk" --config "$WORK/n.conf" --windowed 800x480 --script "$WORK/n.in" 2>"$WORK/log" ||
	{ cat "$WORK/log"; fail "kiosk exited with an error"; }
[ ! -e "$WORK/none.db" ] || fail "display mode created a database"
grep -q "display: no database at $WORK/none.db yet: showing an empty day" "$WORK/log" ||
	{ cat "$WORK/log"; fail "the display did not say it shows an empty day"; }
echo "ok: no database created"

# A fresh machine: no config, no database. The staff screens draw an empty
# day and take no database into being for a picture.
mkdir "$WORK/fresh"
for s in staff display; do
	(cd "$WORK/fresh" && "$BIN/tally-kiosk" --screenshot "$WORK/fresh-$s.png" --screen "$s") 2>"$WORK/log" ||
		{ cat "$WORK/log"; fail "--screen $s without a database"; }
	grep -q "no database at tally.db yet: drawing an empty day" "$WORK/log" || { cat "$WORK/log"; fail "no note"; }
	[ -s "$WORK/fresh-$s.png" ] || fail "--screen $s without a database wrote nothing"
done
[ -z "$(ls -A "$WORK/fresh")" ] || fail "a screenshot left files behind: $(ls -A "$WORK/fresh")"
echo "ok: --screen staff and display on a fresh machine"

# Headless screenshots of the staff screens from the same database.
for s in staff display pin; do
	"$BIN/tally-kiosk" --config "$WORK/d.conf" --now '2025-06-17 16:45' --screenshot "$WORK/$s.png" --screen "$s" \
		--size 800x480 2>"$WORK/log" || { cat "$WORK/log"; fail "--screen $s"; }
	[ -s "$WORK/$s.png" ] || fail "--screen $s wrote nothing"
done
echo "ok: --screen staff, display, pin"
