# A full disk: the kiosk says "out of order" rather than thanking anyone,
# logs why, keeps every rating stored before, and recovers by itself when
# space returns. The database lives on a 2 MiB tmpfs in a private mount
# namespace (unshare: no root needed, nothing mounted outside this test).
. "$(dirname "$0")/lib.inc"

command -v unshare >/dev/null || fail "unshare (util-linux) is needed"
MNT="$WORK/mnt"
mkdir -p "$MNT"
printf '[kiosk]\ndatabase = %s/k.db\nrun_dir = %s\n[screen]\nthanks_s = 0.3\n[filter]\nresponse_interval_s = 0\n' \
	"$MNT" "$WORK" >"$WORK/k.conf"
printf 'key 1\nwait 2500\nkey 2\nwait 300\nscreenshot %s/full.png\nwait 3000\nkey 3\nwait 500\nquit\n' "$WORK" >"$WORK/input"

cat >"$WORK/inside.sh" <<INSIDE
set -eu
mount -t tmpfs -o size=2m tmpfs "$MNT"
"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 --script "$WORK/input" 2>"$WORK/log" &
KIOSK=\$!
# Once the first rating is on disk, fill the disk.
for i in \$(seq 100); do [ "\$(sqlite3 "$MNT/k.db" 'select count(*) from ratings' 2>/dev/null)" = 1 ] && break; sleep 0.1; done
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
# Once the kiosk says out of order, free the space again.
for i in \$(seq 100); do grep -q '^screen out-of-order' "$WORK/kiosk.status" 2>/dev/null && break; sleep 0.1; done
grep -q '^screen out-of-order' "$WORK/kiosk.status" || { echo "never out of order"; exit 1; }
cp "$WORK/kiosk.status" "$WORK/status-full"
rm -f "$MNT/filler"
wait \$KIOSK
sqlite3 "$MNT/k.db" 'select value from ratings order by seq' >"$WORK/rows"
INSIDE
unshare -rm sh "$WORK/inside.sh" || { cat "$WORK/log"; fail "run on a full disk failed"; }

grep -q "error: $MNT/k.db: cannot store rating: database or disk is full" "$WORK/log" ||
	{ cat "$WORK/log"; fail "no clear log line for the full disk"; }
echo "ok: one clear log line"
grep -q "^out_of_order $MNT/k.db: cannot store rating: database or disk is full" "$WORK/status-full" ||
	{ cat "$WORK/status-full"; fail "status file does not say why"; }
echo "ok: tallyctl status would say why"
grep -q "store: working again" "$WORK/log" || { cat "$WORK/log"; fail "did not recover"; }
echo "ok: recovered when space returned"
expect_eq "ratings before and after kept; the one that could not be stored is not there (best-first)" "3
1" "$(cat "$WORK/rows")"
