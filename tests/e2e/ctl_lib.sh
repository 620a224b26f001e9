# ctl_lib.sh: fixtures for the tallyctl end-to-end tests (sourced after
# lib.sh). A kiosk store in schema 3, made with the sqlite3 CLI exactly as
# store.c's migrations leave it (WAL, user_version 3), a config for it in
# Europe/Berlin, and eight ratings around Tuesday 2026-03-10 that exercise
# every rule: misuse, closed, a corrected time, an unknown time, local
# midnight, yesterday and last week. Run on its own it does nothing.

CTL="$BIN/tallyctl"

# ctl_make_store DB: an empty schema-3 store.
ctl_make_store() {
	sqlite3 "$1" >/dev/null <<'SQL'
PRAGMA journal_mode = WAL;
CREATE TABLE ratings (seq INTEGER PRIMARY KEY AUTOINCREMENT, kiosk_id TEXT NOT NULL,
 value INTEGER NOT NULL, scale INTEGER NOT NULL, source TEXT NOT NULL, wall_ms INTEGER NOT NULL,
 boot_ms INTEGER NOT NULL, boot_id TEXT NOT NULL, clock_synced INTEGER NOT NULL,
 flags INTEGER NOT NULL DEFAULT 0, corrected_ms INTEGER, acked INTEGER NOT NULL DEFAULT 0);
CREATE INDEX ratings_unacked ON ratings(acked, seq);
CREATE INDEX ratings_wall ON ratings(wall_ms);
CREATE TABLE summary (day TEXT PRIMARY KEY, json TEXT NOT NULL, as_of_ms INTEGER NOT NULL,
 fetched_ms INTEGER NOT NULL);
PRAGMA user_version = 3;
SQL
}

# ctl_fill_store DB: the eight ratings (times in UTC; Berlin is UTC+1 then).
ctl_fill_store() {
	sqlite3 "$1" <<'SQL'
INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags, corrected_ms, acked) VALUES
 ('k1', 3, 4, 'button', 1773135000000, 1000, 'b0', 1, 0, NULL, 1),          -- 1: 10:30 local
 ('k1', 0, 4, 'button', 1773135002000, 3000, 'b0', 1, 1, NULL, 1),          -- 2: misuse
 ('k1', 2, 4, 'button', 1773173700000, 5000, 'b0', 1, 2, NULL, 0),          -- 3: closed, 21:15
 ('k1', 1, 4, 'touch',  1772971200000, 7000, 'b1', 0, 0, 1773148200000, 0), -- 4: clock said the 8th; really 14:10
 ('k1', 3, 4, 'key',    1773183599999, 9000, 'b,"q"', 0, 0, NULL, 0),       -- 5: unknown time, 23:59:59.999
 ('k1', 2, 4, 'button', 1773183600000, 11000, 'b2', 1, 0, NULL, 0),         -- 6: 00:00 on the 11th
 ('k1', 0, 4, 'button', 1772532000000, 13000, 'b2', 1, 0, NULL, 1),         -- 7: Tuesday a week before
 ('k1', 3, 4, 'button', 1773046800000, 15000, 'b2', 1, 0, NULL, 1);         -- 8: Monday the 9th
SQL
}

# ctl_config FILE DB: a config for store DB in Europe/Berlin with 4 faces.
ctl_config() {
	cat >"$1" <<EOC
[kiosk]
id = k1
store = Berlin Mitte
area = Counter
timezone = Europe/Berlin
database = $2
[screen]
faces = 4
EOC
}

# expect_rc WHAT EXPECTED COMMAND...: runs COMMAND, checks its exit code.
expect_rc() {
	what=$1 want=$2
	shift 2
	set +e
	"$@" >"$WORK/out" 2>"$WORK/err"
	got=$?
	set -e
	[ "$got" = "$want" ] || { cat "$WORK/out" "$WORK/err" >&2; fail "$what: exit code $got, expected $want"; }
	echo "ok: $what (exit $got)"
}

# expect_file WHAT EXPECTED_FILE ACTUAL_FILE: byte-exact comparison.
expect_file() {
	cmp -s "$2" "$3" || { diff -u "$2" "$3" >&2 || true; fail "$1: output differs"; }
	echo "ok: $1"
}
