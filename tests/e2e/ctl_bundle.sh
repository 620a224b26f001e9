# SPDX-License-Identifier: Apache-2.0
# tallyctl bundle: a support archive with the config (every token key
# redacted), status, the database integrity check, versions and the journal
# (or a note where there is no journalctl); the scratch directory is gone
# afterwards and the store is never written.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/ctl_lib.inc"

DB="$WORK/kiosk.db"
ctl_make_store "$DB"
ctl_fill_store "$DB"
ctl_config "$WORK/k.conf" "$DB"
cat >>"$WORK/k.conf" <<'EOC'
[sync]
url = http://127.0.0.1:9
  token   = s3cret-kiosk-token
EOC
mkdir -p "$WORK/tmp" "$WORK/cwd"
export TMPDIR="$WORK/tmp"
before=$(sqlite3 "$DB" "SELECT count(*), sum(acked) FROM ratings")
cd "$WORK/cwd"

expect_rc "bundle" 0 "$CTL" --config "$WORK/k.conf" bundle
path=$(cat "$WORK/out")
case "$path" in tally-bundle-k1-*.tar.gz) ;; *) fail "bundle printed [$path]" ;; esac
[ -f "$path" ] || fail "no archive at $path"
mkdir x && tar xzf "$path" -C x
d=$(ls x)
for f in tally.conf status.txt integrity.txt versions.txt journal.txt; do
	[ -s "x/$d/$f" ] || fail "bundle lacks $f"
done
echo "ok: archive holds config, status, integrity, versions, journal"

grep -q 's3cret' "x/$d/tally.conf" && fail "the token is in the bundle"
grep -qx '  token   = REDACTED' "x/$d/tally.conf" || { cat "x/$d/tally.conf"; fail "token line not redacted in place"; }
grep -qx 'timezone = Europe/Berlin' "x/$d/tally.conf" || fail "the rest of the config is not kept"
echo "ok: the token is redacted, the rest kept"

grep -qx 'ok' "x/$d/integrity.txt" || { cat "x/$d/integrity.txt"; fail "integrity check not ok"; }
grep -q '^SQLite 3' "x/$d/versions.txt" || fail "no SQLite version"
grep -q 'SDL 2' "x/$d/versions.txt" || fail "no SDL version"
grep -q '^libcurl/.*GnuTLS' "x/$d/versions.txt" || fail "no curl version"
grep -q '^tally ' "x/$d/versions.txt" || fail "no tally version"
grep -q 'k1' "x/$d/status.txt" || fail "status does not name the kiosk"
if command -v journalctl >/dev/null; then :; else
	grep -q 'no journalctl' "x/$d/journal.txt" || fail "no note about the missing journal"
fi
echo "ok: integrity ok, versions, status, journal"

[ -z "$(ls -A "$WORK/tmp")" ] || fail "scratch left in TMPDIR: $(ls -A "$WORK/tmp")"
[ "$(sqlite3 "$DB" "SELECT count(*), sum(acked) FROM ratings")" = "$before" ] || fail "the store changed"
echo "ok: no scratch left, store untouched"

expect_rc "bundle --json --output" 0 "$CTL" --config "$WORK/k.conf" --json bundle --output "$WORK/b.tgz"
[ "$(jq -r .bundle "$WORK/out")" = "$WORK/b.tgz" ] || fail "--json names [$(cat "$WORK/out")]"
[ -f "$WORK/b.tgz" ] || fail "no archive at --output"

# A sick kiosk: no database at all. The bundle is still made and says why.
ctl_config "$WORK/gone.conf" "$WORK/nothing-here.db"
expect_rc "bundle without a database" 0 "$CTL" --config "$WORK/gone.conf" bundle --output "$WORK/sick.tgz"
tar xzf "$WORK/sick.tgz" -O --wildcards '*/integrity.txt' | grep -q 'not checked: .*no database here' \
	|| fail "integrity.txt does not say the database is missing"
echo "ok: a kiosk without a database still gets a bundle"

expect_rc "bundle with a bad option" 2 "$CTL" --config "$WORK/k.conf" bundle --frobnicate
