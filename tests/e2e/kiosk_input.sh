# SPDX-License-Identifier: Apache-2.0
# The kiosk run headless with scripted key, touch and mouse input; then the
# database rows are checked: value, source, misuse flag, time fields.
. "$(dirname "$0")/lib.inc"

cat >"$WORK/k.conf" <<CONF
[kiosk]
id = e2e-kiosk
database = $WORK/k.db
[screen]
faces = 5
face_order = worst-first
thanks_s = 0.5
[filter]
response_interval_s = 1
CONF

cat >"$WORK/input" <<SCRIPT
key 1
screenshot $WORK/lit.png
wait 1200
# the fifth face: touch at its place on the panel (800x480, 5 columns)
touch 0.9 0.75
wait 1200
# a mouse click SDL made from a touch must not count twice
touch-click 400 360
click 400 360
wait 1200
# pressed twice quickly: both stored, the second marked misuse
key 4
wait 100
key 2
wait 800
quit
SCRIPT

"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 --script "$WORK/input" 2>"$WORK/log" ||
	{ cat "$WORK/log"; fail "kiosk exited with an error"; }

expect_eq "rows" "5" "$(sql "$WORK/k.db" 'select count(*) from ratings')"
expect_eq "values, sources and misuse flags" \
"1|e2e-kiosk|0|5|key|0
2|e2e-kiosk|4|5|touch|0
3|e2e-kiosk|2|5|touch|0
4|e2e-kiosk|3|5|key|0
5|e2e-kiosk|1|5|key|1" \
	"$(sql "$WORK/k.db" 'select seq, kiosk_id, value, scale, source, flags from ratings order by seq')"
expect_eq "time fields present" "5" \
	"$(sql "$WORK/k.db" "select count(*) from ratings where wall_ms > 1600000000000 and boot_ms > 0 and length(boot_id) = 36 and clock_synced in (0, 1)")"
expect_eq "boot id is this machine's" "$(cat /proc/sys/kernel/random/boot_id)" \
	"$(sql "$WORK/k.db" 'select distinct boot_id from ratings')"
[ -s "$WORK/lit.png" ] || fail "no screenshot"
# a clean stop folds the WAL back into the database file
[ ! -s "$WORK/k.db-wal" ] || fail "WAL left behind after a clean stop"
echo ok: clean stop

# The default order, best-first: key 1 and the leftmost face are the best
# (value 4 of 0..4), the rightmost face the worst; the lit face on screen
# is the best one (green), at the left.
sed '/face_order/d; s#k.db#best.db#' "$WORK/k.conf" >"$WORK/best.conf"
cat >"$WORK/best-input" <<SCRIPT
key 1
screenshot $WORK/best-lit.png
wait 1200
touch 0.9 0.75
wait 1200
quit
SCRIPT
"$BIN/tally-kiosk" --config "$WORK/best.conf" --windowed 800x480 --script "$WORK/best-input" 2>"$WORK/log" ||
	{ cat "$WORK/log"; fail "kiosk exited with an error"; }
expect_eq "best-first: key 1 is the best face, the rightmost the worst" "4|key
0|touch" "$(sql "$WORK/best.db" 'select value, source from ratings order by seq')"
python3 - "$WORK/best-lit.png" <<'PY' || fail "best-first: the lit leftmost face is not the green (best) one"
import sys, zlib, struct
# The leftmost face's centre pixel: green dominates on the best face.
data = open(sys.argv[1], 'rb').read()
pos, w, h, idat = 8, 0, 0, b''
while pos < len(data):
    n, t = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if t == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif t == b'IDAT':
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
bpp = 4 if ctype == 6 else 3
stride = w * bpp
rows, prev = [], bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
# leftmost of 5 columns, in the faces band: sample a little above the centre (the cheek, not an eye)
x, y = w // 10 + w // 60, int(h * 0.62)
r, g, b = rows[y][x * bpp:x * bpp + 3]
print("leftmost face pixel", r, g, b)
sys.exit(0 if g > r and g > b else 1)
PY
echo "ok: best face drawn at the left"
