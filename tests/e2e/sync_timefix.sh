#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Time correction on the way out: ratings of THIS boot taken while the clock
# was unsynced (it read 1970) get corrected_ms from "now" once the clock is
# synced, and head office receives raw time, corrected time and the flag;
# ratings of an earlier boot that never synced arrive uncorrected, flagged.
# TALLY_CLOCK_ROOT stands in for / (boot id, timesyncd's flag file).
. "$(dirname "$0")/sync_lib.inc"

CR="$T/clockroot"
mkdir -p "$CR/proc/sys/kernel/random" "$CR/run/systemd/timesync"
echo "boot-now" >"$CR/proc/sys/kernel/random/boot_id"
export TALLY_CLOCK_ROOT="$CR"

hq_init
hq_start
kiosk_config "$HQ_PORT"

# CLOCK_BOOTTIME now, in ms (the kernel's uptime counts boot time).
boot_now=$(awk '{ printf "%d", $1 * 1000 }' /proc/uptime)
sqlite3 "$KDB" <<SQL
INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags) VALUES
 ('demo-kiosk', 1, 4, 'button', 1000, 5000, 'boot-old', 0, 0),
 ('demo-kiosk', 2, 4, 'button', 2000, $boot_now - 60000, 'boot-now', 0, 0),
 ('demo-kiosk', 3, 4, 'button', 3000, $boot_now - 30000, 'boot-now', 0, 0);
SQL

note "clock not synced yet: nothing can be corrected, nothing held back"
"$SYNC" --once --config "$T/kiosk.ini" >/dev/null 2>>"$T/sync.log" || fail "--once failed"
[ "$(hq_count "WHERE corrected_ms IS NULL AND clock_synced = 0")" = 3 ] || fail "expected 3 uncorrected, flagged ratings"

note "clock synced now: this boot's unsynced ratings are corrected before they leave"
sqlite3 "$KDB" "UPDATE ratings SET acked = 0" # as if not yet sent
hq_sql "DELETE FROM ratings"
touch "$CR/run/systemd/timesync/synchronized"
out=$("$SYNC" --once --config "$T/kiosk.ini" 2>>"$T/sync.log") || fail "--once failed: $out"
echo "$out" | grep -q "2 times corrected" || fail "expected 2 corrections: $out"
now_ms=$(($(date +%s) * 1000))
# The corrected time is the true one: about now minus the boot time elapsed.
hq_sql "SELECT seq, wall_ms, clock_synced, coalesce(corrected_ms, -1) FROM ratings ORDER BY seq" >"$T/hq.rows"
awk -F'|' -v now="$now_ms" '
	$1 == 1 { if ($4 != -1 || $3 != 0) bad = bad " seq1:" $0 }
	$1 == 2 { d = now - 60000 - $4; if (d < -120000 || d > 120000 || $2 != 2000) bad = bad " seq2:" $0 }
	$1 == 3 { d = now - 30000 - $4; if (d < -120000 || d > 120000 || $2 != 3000 || $3 != 0) bad = bad " seq3:" $0 }
	END { if (bad != "" || NR != 3) { print "wrong rows:" bad; exit 1 } }' "$T/hq.rows" || fail "$(cat "$T/hq.rows")"
[ "$(sqlite3 "$KDB" "SELECT count(*) FROM ratings WHERE corrected_ms IS NOT NULL")" = 2 ] || fail "kiosk store not corrected"
note "ok"
