# A full disk: the kiosk says "out of order" rather than thanking anyone,
# logs why, keeps every rating stored before, and recovers by itself when
# space returns. The database lives on a 2 MiB tmpfs in a private mount
# namespace (unshare: no root needed, nothing mounted outside this test).
. "$(dirname "$0")/lib.inc"

command -v unshare >/dev/null || fail "unshare (util-linux) is needed"
MNT="$WORK/mnt"
mkdir -p "$MNT"
EDGES="$WORK/edges"
mkfifo "$EDGES"
{
	printf '[kiosk]\ndatabase = %s/k.db\nrun_dir = %s\n[screen]\nthanks_s = 0.3\n[filter]\nresponse_interval_s = 0\n' "$MNT" "$WORK"
	for i in 1 2 3 4; do printf '[button.%d]\nchip = sim:%s\nline = %d\n' "$i" "$EDGES" $((i + 10)); done
} >"$WORK/k.conf"

# Presses come through the simulated chip when this script chooses; every
# step waits (up to a minute) for the kiosk to show it handled the last one.
cat >"$WORK/inside.sh" <<INSIDE
set -eu
mount -t tmpfs -o size=2m tmpfs "$MNT"
"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 2>"$WORK/log" &
KIOSK=\$!
trap 'kill \$KIOSK 2>/dev/null || true' EXIT
until_ok() { # what, condition
	i=0
	until eval "\$2"; do sleep 0.1; i=\$((i + 1)); [ \$i -lt 600 ] || { echo "\$1"; exit 1; }; done
}
press() { t=\$((\$(date +%s%N) / 1000)); printf '%s 1 %s\\n%s 0 %s\\n' \$1 \$t \$1 \$((t + 150000)) >"$EDGES"; }
rows() { sqlite3 "$MNT/k.db" 'select count(*) from ratings' 2>/dev/null || echo -1; }
until_ok "kiosk did not start" 'grep -q "^screen rating\\$" "$WORK/kiosk.status" 2>/dev/null'
press 11
until_ok "first rating not stored" '[ "\$(rows)" = 1 ]'
# The disk fills up.
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
press 12
until_ok "never out of order" 'grep -q "^screen out-of-order" "$WORK/kiosk.status" 2>/dev/null'
cp "$WORK/kiosk.status" "$WORK/status-full"
# Space again: the next press is stored and the kiosk is in order again.
rm -f "$MNT/filler"
press 13
until_ok "rating after the disk had room again not stored" '[ "\$(rows)" = 2 ]'
until_ok "not in order again" 'grep -q "^screen rating\\$" "$WORK/kiosk.status"'
kill \$KIOSK
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
expect_eq "ratings before and after kept; the one that could not be stored is not there" "0
2" "$(cat "$WORK/rows")"
