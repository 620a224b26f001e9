# SPDX-License-Identifier: Apache-2.0
# systemd units: `systemd-analyze verify` finds nothing to say about the
# three units (ExecStart pointed at the built programs, so the binaries
# resolve) nor about tally-hq's PostgreSQL drop-in (also installed by make
# install), and `systemd-analyze security --offline=yes` rates each one's
# exposure at 3.0 or less. Offline only: no systemd needs to be running.
. "$(dirname "$0")/lib.inc"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (package systemd)"

for u in tally-kiosk tally-sync tally-hq; do
	sed "s|/usr/bin/|$TALLY_BUILD/|g" "$ROOT/systemd/$u.service" >"$WORK/$u.service"
done
(cd "$WORK" && systemd-analyze verify --man=no --generators=no \
	./tally-kiosk.service ./tally-sync.service ./tally-hq.service) >"$WORK/verify.out" 2>&1 \
	|| { cat "$WORK/verify.out"; fail "systemd-analyze verify failed"; }
if [ -s "$WORK/verify.out" ]; then
	cat "$WORK/verify.out"
	fail "systemd-analyze verify has warnings"
fi
echo "ok: systemd-analyze verify, no warnings"

# tally-hq's PostgreSQL drop-in, linked in as docs/head-office.md says, verified
# with its unit (SYSTEMD_UNIT_PATH: systemd-analyze reads tally-hq.service.d/
# from there). A broken copy must be reported, or the silence proves nothing.
mkdir -p "$WORK/units/tally-hq.service.d"
cp "$WORK/tally-hq.service" "$WORK/units/"
sed "s|/usr/bin/|$TALLY_BUILD/|g" "$ROOT/systemd/tally-hq-postgresql.conf" >"$WORK/units/tally-hq.service.d/postgresql.conf"
for line in After=postgresql.service Wants=postgresql.service Environment=PGPASSFILE=/etc/tally/pgpass \
	"ExecStartPre=$TALLY_BUILD/tally-hq --config /etc/tally/tally.conf migrate"; do
	grep -qx "$line" "$WORK/units/tally-hq.service.d/postgresql.conf" || fail "tally-hq-postgresql.conf lacks $line"
done
dropin_verify() {
	(cd "$WORK/units" && SYSTEMD_UNIT_PATH="$WORK/units:" systemd-analyze verify --man=no --generators=no \
		tally-hq.service) >"$WORK/verify-pg.out" 2>&1
}
dropin_verify || { cat "$WORK/verify-pg.out"; fail "systemd-analyze verify failed with the PostgreSQL drop-in"; }
[ ! -s "$WORK/verify-pg.out" ] || { cat "$WORK/verify-pg.out"; fail "the PostgreSQL drop-in has warnings"; }
sed -i 's|^ExecStartPre=.*|ExecStartPre=not/absolute migrate|' "$WORK/units/tally-hq.service.d/postgresql.conf"
dropin_verify || true
grep -q 'postgresql.conf' "$WORK/verify-pg.out" || { cat "$WORK/verify-pg.out"; fail "systemd-analyze did not read the drop-in"; }
echo "ok: tally-hq.service with tally-hq-postgresql.conf as its drop-in verifies, no warnings"

# make install puts the drop-in beside the units (inert there), pointing into PREFIX.
make --no-print-directory -s -C "$ROOT" install PREFIX=/opt/tally DESTDIR="$WORK/inst" BUILD="${TALLY_BUILD#"$ROOT"/}" \
	>"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; fail "make install failed"; }
d="$WORK/inst/opt/tally/lib/systemd/system/tally-hq-postgresql.conf"
[ -f "$d" ] || fail "make install did not install tally-hq-postgresql.conf beside the units"
grep -qx 'ExecStartPre=/opt/tally/bin/tally-hq --config /opt/tally/etc/tally/tally.conf migrate' "$d" ||
	fail "the installed drop-in does not point into PREFIX"
grep -q 'ln -s /opt/tally/lib/systemd/system/tally-hq-postgresql.conf' "$d" ||
	fail "the installed drop-in does not say how to link it in"
echo "ok: make install puts tally-hq-postgresql.conf beside the units"

for u in tally-kiosk tally-sync tally-hq; do
	(cd "$WORK" && systemd-analyze security --offline=yes --no-pager "$u.service") >"$WORK/$u.security" 2>&1 \
		|| { cat "$WORK/$u.security"; fail "$u: systemd-analyze security failed"; }
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$WORK/$u.security")
	[ -n "$level" ] || { cat "$WORK/$u.security"; fail "$u: no exposure level"; }
	awk -v l="$level" 'BEGIN { exit !(l <= 3.0) }' || fail "$u: exposure $level > 3.0"
	echo "ok: $u exposure $level"
done

# What the kiosk unit promises (issue 6): a logind session on tty1, no network, devices by ACL.
k="$ROOT/systemd/tally-kiosk.service"
for line in PAMName=login TTYPath=/dev/tty1 Conflicts=getty@tty1.service User=tally \
	Type=notify Restart=always PrivateNetwork=yes IPAddressDeny=any DevicePolicy=closed \
	"DeviceAllow=char-drm rw" "DeviceAllow=char-input rw" "DeviceAllow=char-gpiochip rw" \
	Environment=SDL_VIDEODRIVER=kmsdrm "SupplementaryGroups=video render input gpio"; do
	grep -qx "$line" "$k" || fail "tally-kiosk.service lacks $line"
done
grep -q '^WatchdogSec=[1-9]' "$k" || fail "tally-kiosk.service has no WatchdogSec"
echo "ok: tally-kiosk.service has its session, watchdog, no network and device ACL"

# The sysusers.d and tmpfiles.d entries parse.
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$WORK/root/etc"
	systemd-sysusers --root="$WORK/root" "$ROOT/systemd/tally.sysusers" >"$WORK/sysusers.out" 2>&1 \
		|| { cat "$WORK/sysusers.out"; fail "systemd-sysusers refused tally.sysusers"; }
	grep -q '^tally:' "$WORK/root/etc/passwd" || fail "sysusers made no user tally"
	grep -q '^gpio:.*tally' "$WORK/root/etc/group" || fail "tally is not in group gpio"
	echo "ok: sysusers creates user tally in its groups (in a scratch root)"
fi
if command -v systemd-tmpfiles >/dev/null; then
	systemd-tmpfiles --root="$WORK/root" --create "$ROOT/systemd/tally.tmpfiles" >"$WORK/tmpfiles.out" 2>&1 \
		|| { cat "$WORK/tmpfiles.out"; fail "systemd-tmpfiles refused tally.tmpfiles"; }
	[ -d "$WORK/root/var/lib/tally" ] || fail "tmpfiles made no /var/lib/tally"
	echo "ok: tmpfiles creates /var/lib/tally (in a scratch root)"
fi
