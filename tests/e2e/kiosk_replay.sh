# A recording in a plain sim-chip file, written all at once, replays
# faithfully through the real kiosk: every press stored, stamped and
# misuse-filtered on the recording's own time base (a rating's boot_ms and
# wall_ms apart by exactly what its records are apart), however far ahead of
# or behind the recording the kiosk reads. Eight replays at once, so some
# fall behind: a dense burst of presses (6 ms apart) comes first, which the
# kiosk cannot keep up with; before the fix a deadline moved the button
# logic's clock past edges still unread, and whole presses became glitches
# (about one press in ten lost, the last one among them).
. "$(dirname "$0")/lib.inc"

REPLAYS=8
# The recording: 300 presses 6 ms apart (held 3 ms, debounce 1 ms), then
# five spaced presses; response interval 1 s.
python3 - "$WORK/rec" "$WORK/expected" <<'PY'
import sys
rec, exp = open(sys.argv[1], "w"), open(sys.argv[2], "w")
t, presses = 1_000_000, []
for i in range(300):
    line = 11 + i % 4
    rec.write(f"{line} 1 {t}\n{line} 0 {t + 3000}\n")
    presses.append((line - 11, t + 3000))
    t += 6000
# spaced: 1.3 s after the burst (clean), 0.4 s after that (misuse), then clean ones
for gap, line in ((1_300_000, 12), (400_000, 13), (1_300_000, 14), (1_500_000, 11), (1_200_000, 12)):
    t = presses[-1][1] + gap - 100_000
    rec.write(f"{line} 1 {t}\n{line} 0 {t + 100_000}\n")
    presses.append((line - 11, t + 100_000))
prev = None
for value, release in presses:
    misuse = prev is not None and release - prev < 1_000_000
    exp.write(f"{value} {int(misuse)} {release}\n")
    prev = release
PY
N=$(wc -l <"$WORK/expected")

i=1
while [ $i -le $REPLAYS ]; do
	mkdir "$WORK/r$i"
	{
		printf '[kiosk]\ndatabase = %s/r%d/k.db\n[screen]\nthanks_s = 0.2\n[filter]\nresponse_interval_s = 1\n' "$WORK" $i
		for b in 1 2 3 4; do
			printf '[button.%d]\nchip = sim:%s/rec\nline = %d\ndebounce_ms = 1\n' $b "$WORK" $((b + 10))
		done
	} >"$WORK/r$i/k.conf"
	i=$((i + 1))
done
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null || true; done; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
i=1
while [ $i -le $REPLAYS ]; do
	"$BIN/tally-kiosk" --config "$WORK/r$i/k.conf" --windowed 800x480 2>"$WORK/r$i/log" &
	PIDS="$PIDS $!"
	i=$((i + 1))
done
stored() { sql "$1/k.db" 'select count(*) from ratings' 2>/dev/null || echo 0; }
i=1
for p in $PIDS; do
	# The last press is decided when our clock reaches its place in the
	# recording (about 8 s in); a busy machine may take much longer.
	wait_until 180 '[ "$(stored "$WORK/r$i")" -ge $N ]' ||
		{ tail "$WORK/r$i/log"; fail "replay $i: $(stored "$WORK/r$i") of $N presses stored"; }
	kill $p
	wait $p || { cat "$WORK/r$i/log"; fail "replay $i: kiosk exited with an error"; }
	python3 - "$WORK/r$i/k.db" "$WORK/expected" <<'PY' || fail "replay $i not faithful"
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT value, flags, boot_ms, wall_ms FROM ratings ORDER BY seq").fetchall()
exp = [tuple(int(x) for x in l.split()) for l in open(sys.argv[2])]
assert len(rows) == len(exp), f"{len(rows)} rows, {len(exp)} presses recorded"
bad = []
for k, ((value, flags, boot, wall), (ev, emisuse, release)) in enumerate(zip(rows, exp)):
    # Times relative to the first press, in ms: the record's, and the stamps' (1 ms of rounding).
    want = (release - exp[0][2]) / 1000
    if value != ev or (flags & 1) != emisuse or abs(boot - rows[0][2] - want) > 1 or abs(wall - rows[0][3] - want) > 1:
        bad.append(f"press {k + 1}: value {value} flags {flags} at +{boot - rows[0][2]} ms boot, "
                   f"+{wall - rows[0][3]} ms wall; recorded value {ev} misuse {emisuse} at +{want:.0f} ms")
if bad:
    print(f"{len(bad)} of {len(rows)} presses differ from the recording, e.g.:\n  " + "\n  ".join(bad[:5]))
    sys.exit(1)
PY
	echo "ok: replay $i: $N presses, values, misuse flags and times as recorded"
	i=$((i + 1))
done
PIDS=""
