# SPDX-License-Identifier: Apache-2.0
# tallyctl status: identity, store, clock, disk, unsent ratings; what needs
# attention first, exit 1 when anything does; never writes the store.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/ctl_lib.inc"

# A synced clock, as systemd-timesyncd says it (clockstate reads this root).
mkdir -p "$WORK/synced/run/systemd/timesync" "$WORK/unsynced"
touch "$WORK/synced/run/systemd/timesync/synchronized"
export TALLY_CLOCK_ROOT="$WORK/synced"

DB="$WORK/kiosk.db"
ctl_config "$WORK/k.conf" "$DB"
C="--config $WORK/k.conf"
j() { jq -c "$1" "$WORK/out"; }

expect_rc "no store yet" 1 "$CTL" $C --json status
expect_eq "no store: attention" true "$(j '.attention | any(test("no database here"))')"
expect_eq "no store: identity still shown" '["k1","Berlin Mitte","Counter"]' "$(j '[.kiosk_id,.store,.area]')"
[ ! -e "$DB" ] || fail "status created a store"

# Ratings from an hour ago: sent but the newest three.
ctl_make_store "$DB"
now=$(($(date +%s) * 1000))
sqlite3 "$DB" "INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags, acked)
 VALUES ('k1', 3, 4, 'button', $now - 3600000, 1, 'b', 1, 0, 1),
        ('k1', 2, 4, 'button', $now - 3000000, 2, 'b', 1, 0, 1),
        ('k1', 0, 4, 'button', $now - 2400000, 3, 'b', 1, 0, 0),
        ('k1', 1, 4, 'button', $now - 1800000, 4, 'b', 0, 0, 0),
        ('k1', 3, 4, 'button', $now - 1200000, 5, 'b', 1, 1, 0);"
sum=$(cat "$DB" "$DB-wal" 2>/dev/null | cksum)
# A kiosk running (this shell stands in for its pid), as kiosk.status says.
printf 'pid %s\nscreen rating\ndisplay software framebuffer on kmsdrm, 800x480, rotate 0\nbutton.1 sim 11 up presses=4\n' $$ >"$WORK/kiosk.status"

expect_rc "status json" 0 "$CTL" $C --json status
expect_eq "json: ok, nothing needs attention" '[true,[]]' "$(j '[.ok,.attention]')"
expect_eq "json: identity" '["k1","Berlin Mitte","Counter","Europe/Berlin"]' "$(j '[.kiosk_id,.store,.area,.timezone]')"
expect_eq "json: version" "\"$(cat VERSION 2>/dev/null || cat "$(dirname "$0")/../../VERSION")\"" "$(j .version)"
expect_eq "json: store" "[\"$DB\",\"ok\",5,3,1]" "$(j '[.database,.integrity,.ratings_total,.unsent,.time_unknown]')"
expect_eq "json: clock synced" true "$(j .clock_synced)"
expect_eq "json: sizes and ages are numbers" '["number","number","number","string"]' \
	"$(j '[(.database_bytes|type),(.disk_free_bytes|type),(.unsent_oldest_age_s|type),(.last_rating|type)]')"

expect_rc "status text" 0 "$CTL" $C status
expect_eq "text: first line names the config" "config: $WORK/k.conf" "$(head -n 1 "$WORK/out")"
expect_eq "text: then the verdict" "ok: nothing needs attention" "$(sed -n 2p "$WORK/out")"

grep -q '^kiosk  *k1$' "$WORK/out" || fail "text: kiosk line"
grep -q '^not at head office  *3 ratings$' "$WORK/out" || fail "text: unsent line"
grep -q '^clock  *synced$' "$WORK/out" || fail "text: clock line"

# Without --config: the installed config when there is one (TALLY_DEFAULT_CONFIG
# stands in for /etc/tally/tally.conf here; install_deb reads the real one).
TALLY_DEFAULT_CONFIG="$WORK/k.conf" expect_rc "installed config found" 0 "$CTL" status
expect_eq "installed config: named first" "config: $WORK/k.conf" "$(head -n 1 "$WORK/out")"
grep -q '^kiosk  *k1$' "$WORK/out" || fail "installed config: not read"
TALLY_DEFAULT_CONFIG="$WORK/absent.conf" expect_rc "no installed config" 1 "$CTL" status
expect_eq "no installed config: built-in defaults, said" \
	"config: none, built-in defaults (no $WORK/absent.conf; --config FILE reads another)" "$(head -n 1 "$WORK/out")"
grep -q '^kiosk  *demo-kiosk$' "$WORK/out" || fail "no installed config: defaults not used"
printf '[screen]\nfaces = 7\n' >"$WORK/broken.conf"
TALLY_DEFAULT_CONFIG="$WORK/broken.conf" expect_rc "installed config refused" 1 "$CTL" status
grep -q "broken.conf:2: faces must be" "$WORK/err" || fail "installed config: problem not shown"
grep -q -- "--config FILE reads another" "$WORK/err" || fail "installed config: no hint"

# The clock not synced, and a rating unsent for three days: attention, first.
TALLY_CLOCK_ROOT="$WORK/unsynced"
sqlite3 "$DB" "UPDATE ratings SET wall_ms = $now - 3 * 86400000 WHERE seq = 3"
sum=$(cat "$DB" "$DB-wal" 2>/dev/null | cksum)
expect_rc "attention" 1 "$CTL" $C status
expect_eq "text: attention first" "NEEDS ATTENTION" "$(sed -n 2p "$WORK/out")"
sed -n 3,4p "$WORK/out" | grep -q '! the wall clock is not synced' || fail "attention: clock"
sed -n 3,4p "$WORK/out" | grep -q '! 3 ratings not yet at head office, the oldest 3 d' || fail "attention: unsent"
expect_rc "attention json" 1 "$CTL" $C --json status
expect_eq "json: two attention lines" 2 "$(j '.attention|length')"
expect_eq "status wrote nothing to the store" "$sum" "$(cat "$DB" "$DB-wal" 2>/dev/null | cksum)"

# The kiosk's own report: a stuck button and an out-of-order screen come first.
TALLY_CLOCK_ROOT="$WORK/synced"
sqlite3 "$DB" "UPDATE ratings SET acked = 1"
printf 'pid %s\nscreen out-of-order\nout_of_order %s: database or disk is full\nbutton.1 sim 11 down presses=4 STUCK\n' $$ "$DB" >"$WORK/kiosk.status"
printf 'pid %s\nlast_attempt 2026-11-26T10:00:00Z\nlast_result HTTP 401: unknown or revoked kiosk token\nfailures 7\nunsent 0\n' $$ >"$WORK/sync.status"
expect_rc "kiosk and sync attention" 1 "$CTL" $C --json status
expect_eq "json: kiosk and sync attention" \
	'["the kiosk shows \"out of order\": '"$DB"': database or disk is full","button 1 is stuck (sim 11 down presses=4 STUCK): ignored until released","sync failing (7 attempts in a row): HTTP 401: unknown or revoked kiosk token"]' \
	"$(j '.attention')"
expect_eq "json: button state" '"sim 11 down presses=4 STUCK"' "$(j '."button.1"')"
# No kiosk process behind the status file: said, as attention.
printf 'pid 999999999\nscreen rating\n' >"$WORK/kiosk.status"
expect_rc "kiosk not running" 1 "$CTL" $C --json status
expect_eq "json: kiosk not running" true "$(j '.attention | any(test("tally-kiosk is not running"))')"

expect_rc "unknown argument" 2 "$CTL" $C status --verbose
