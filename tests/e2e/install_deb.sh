# SPDX-License-Identifier: Apache-2.0
# Installing: `make install PREFIX=/usr DESTDIR=...` puts every file where
# a Debian system looks for it; `make deb` builds a package lintian finds no
# error in. As root on a machine without the package (the CI machine), the
# package is also installed, upgraded with an edited config and data in
# /var/lib/tally (both kept), removed and purged; nothing is started (no
# unit is enabled on install) and everything is cleaned up afterwards.
. "$(dirname "$0")/lib.inc"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BUILD_REL=${TALLY_BUILD#"$ROOT"/}

make --no-print-directory -s install PREFIX=/usr DESTDIR="$WORK/dest" BUILD="$BUILD_REL" >"$WORK/install.log" 2>&1 \
	|| { cat "$WORK/install.log"; fail "make install failed"; }
(cd "$WORK/dest" && find . ! -type d | sort) >"$WORK/files"
for f in ./usr/bin/tally-kiosk ./usr/bin/tally-sync ./usr/bin/tally-hq ./usr/bin/tallyctl \
	./usr/share/tally/fonts/DejaVuSans.ttf ./usr/share/tally/fonts/LICENSE ./usr/share/tally/tally.conf.example \
	./usr/share/tally/lang/de.ini ./usr/share/tally/lang/ar.ini ./usr/share/tally/lang/zh.ini \
	./etc/tally/tally.conf ./usr/share/man/man1/tally-kiosk.1 ./usr/share/man/man8/tallyctl.8 \
	./usr/share/man/man8/tally-hq.8 ./usr/share/man/man5/tally.conf.5 \
	./lib/systemd/system/tally-kiosk.service ./lib/systemd/system/tally-sync.service \
	./lib/systemd/system/tally-hq.service ./lib/systemd/system/tally-hq-postgresql.conf \
	./usr/lib/sysusers.d/tally.conf ./usr/lib/tmpfiles.d/tally.conf; do
	grep -qx "$f" "$WORK/files" || fail "make install did not install $f"
done
[ "$(stat -c %a "$WORK/dest/etc/tally/tally.conf")" = 640 ] || fail "tally.conf is not 0640"
echo "ok: make install PREFIX=/usr DESTDIR: binaries, assets, config, man pages, units, sysusers, tmpfiles"
# The installed kiosk finds its installed font (not the source tree's), whatever PREFIX it was built for.
(unset TALLY_DATADIR; SDL_VIDEODRIVER=offscreen "$WORK/dest/usr/bin/tally-kiosk" --screenshot "$WORK/shot.png" --screen rating) \
	2>"$WORK/shot.log" || { cat "$WORK/shot.log"; fail "the installed kiosk cannot render a screen"; }
! grep -q "font:" "$WORK/shot.log" || { cat "$WORK/shot.log"; fail "the installed kiosk did not find its font"; }
echo "ok: the installed kiosk draws with the installed font"
# The installed head office serves the installed dashboard (not the source tree's), byte for byte.
for f in index.html store.html fleet.html login.html common.js app.css vendor/uplot/uPlot.iife.min.js vendor/uplot/LICENSE; do
	cmp -s "assets/web/$f" "$WORK/dest/usr/share/tally/web/$f" || fail "make install did not install web/$f"
done
(unset TALLY_DATADIR; exec "$WORK/dest/usr/bin/tally-hq" --db "$WORK/hq.db" --listen 127.0.0.1:0) >"$WORK/hq.out" 2>"$WORK/hq.err" &
HQPID=$!
wait_until 60 'grep -q "^listening on " "$WORK/hq.out" || ! kill -0 $HQPID 2>/dev/null' || true
HQPORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/hq.out")
got=0
if [ -n "$HQPORT" ] && curl -sSf -o "$WORK/login.html" "http://127.0.0.1:$HQPORT/login" &&
	curl -sSf -o "$WORK/uplot.js" "http://127.0.0.1:$HQPORT/static/vendor/uplot/uPlot.iife.min.js"; then
	got=1
fi
kill "$HQPID" 2>/dev/null || true
wait "$HQPID" 2>/dev/null || true
[ "$got" = 1 ] || { cat "$WORK/hq.err"; fail "the installed tally-hq does not serve its dashboard"; }
cmp -s "$WORK/login.html" assets/web/login.html && cmp -s "$WORK/uplot.js" assets/web/vendor/uplot/uPlot.iife.min.js ||
	fail "the installed tally-hq served other files than it installed"
! grep -q "dashboard: no pages" "$WORK/hq.err" || fail "the installed tally-hq did not find its pages"
echo "ok: the installed tally-hq serves its installed dashboard"
# ... and its installed languages: German texts from /usr/share/tally/lang/de.ini.
printf '[kiosk]\nlanguages = de\n' >"$WORK/de.conf"
(unset TALLY_DATADIR; "$WORK/dest/usr/bin/tallyctl" check-config "$WORK/de.conf") >"$WORK/de.log" 2>&1 ||
	{ cat "$WORK/de.log"; fail "the installed programs do not find their languages"; }
echo "ok: the installed programs find their language files"

# Another PREFIX keeps everything under it, the config in PREFIX/etc, units pointing there.
make --no-print-directory -s install PREFIX=/opt/tally DESTDIR="$WORK/opt" BUILD="$BUILD_REL" >"$WORK/install2.log" 2>&1 \
	|| { cat "$WORK/install2.log"; fail "make install PREFIX=/opt/tally failed"; }
[ -f "$WORK/opt/opt/tally/etc/tally/tally.conf" ] || fail "no PREFIX/etc/tally/tally.conf"
grep -qx 'ExecStart=/opt/tally/bin/tally-kiosk --config /opt/tally/etc/tally/tally.conf' \
	"$WORK/opt/opt/tally/lib/systemd/system/tally-kiosk.service" || fail "unit does not point into PREFIX"
[ -z "$(cd "$WORK/opt" && find . ! -type d ! -path './opt/tally/*')" ] || fail "files outside PREFIX"
echo "ok: PREFIX=/opt/tally keeps everything under it"

# An admin's config survives a second make install.
echo "# mine" >>"$WORK/dest/etc/tally/tally.conf"
make --no-print-directory -s install PREFIX=/usr DESTDIR="$WORK/dest" BUILD="$BUILD_REL" >/dev/null 2>&1
grep -q '^# mine$' "$WORK/dest/etc/tally/tally.conf" || fail "make install overwrote the config"
echo "ok: make install keeps an existing config"

DEB=$(make --no-print-directory -s deb BUILD="$BUILD_REL" 2>"$WORK/deb.log" | tail -n 1) || { cat "$WORK/deb.log"; fail "make deb failed"; }
[ -f "$DEB" ] || { cat "$WORK/deb.log"; fail "make deb made no package ($DEB)"; }
lintian --fail-on error "$DEB" >"$WORK/lintian.out" 2>&1 || { cat "$WORK/lintian.out"; fail "lintian reports errors"; }
grep -v 'running with root privileges' "$WORK/lintian.out" || true
echo "ok: lintian finds no error in $(basename "$DEB")"
dpkg-deb -f "$DEB" Depends | grep -q libsqlite3 || fail "Depends lacks the libraries"
dpkg-deb -f "$DEB" Depends | grep -q fonts-wqy-microhei || fail "Depends lacks the CJK fallback font"
dpkg-deb -e "$DEB" "$WORK/ctrl"
grep -qx /etc/tally/tally.conf "$WORK/ctrl/conffiles" || fail "tally.conf is not a conffile"

if [ "$(id -u)" != 0 ] || dpkg-query -W -f='${Status}' tally 2>/dev/null | grep -q installed; then
	echo "# not root, or tally already installed here: install/upgrade/remove not tried"
	exit 0
fi

# Leave the machine as we found it: the user, group, data and state we create go again.
had_user=$(getent passwd tally >/dev/null && echo 1 || echo 0)
had_gpio=$(getent group gpio >/dev/null && echo 1 || echo 0)
had_data=$([ -e /var/lib/tally ] && echo 1 || echo 0)
had_hqdata=$([ -e /var/lib/tally-hq ] && echo 1 || echo 0)
cleanup_dpkg() {
	dpkg -P tally >/dev/null 2>&1 || true
	[ "$had_data" = 1 ] || rm -rf /var/lib/tally
	[ "$had_hqdata" = 1 ] || rm -rf /var/lib/tally-hq
	[ "$had_user" = 1 ] || userdel tally 2>/dev/null || true
	[ "$had_gpio" = 1 ] || groupdel gpio 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup_dpkg EXIT

dpkg -i "$DEB" >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log"; fail "dpkg -i failed"; }
getent passwd tally >/dev/null || fail "no user tally after install"
[ "$(stat -c '%U:%G %a' /var/lib/tally)" = "tally:tally 750" ] || fail "/var/lib/tally is $(stat -c '%U:%G %a' /var/lib/tally)"
[ "$(stat -c '%U:%G %a' /etc/tally/tally.conf)" = "root:tally 640" ] || fail "tally.conf is $(stat -c '%U:%G %a' /etc/tally/tally.conf)"
/usr/bin/tallyctl check-config /etc/tally/tally.conf >/dev/null || fail "installed config refused"
# Without --config the installed tallyctl reads the installed config, and says so first.
first=$(env -u TALLY_DEFAULT_CONFIG /usr/bin/tallyctl status 2>&1 | head -n 1)
[ "$first" = "config: /etc/tally/tally.conf" ] || fail "installed tallyctl status begins [$first]"
[ ! -e /etc/systemd/system/multi-user.target.wants/tally-sync.service ] || fail "tally-sync enabled on install"
[ ! -e /etc/systemd/system/graphical.target.wants/tally-kiosk.service ] || fail "tally-kiosk enabled on install"
echo "ok: dpkg -i: user, /var/lib/tally, config root:tally 0640, nothing enabled"

# Upgrade: the same package as a newer version; the admin's edits and the data stay.
echo "# edited by the admin" >>/etc/tally/tally.conf
echo data >/var/lib/tally/tally.db
mkdir -p "$WORK/up"
dpkg-deb -R "$DEB" "$WORK/up/pkg"
sed -i 's/^Version: .*/&+up1/' "$WORK/up/pkg/DEBIAN/control"
dpkg-deb --root-owner-group --build "$WORK/up/pkg" "$WORK/up/tally-up.deb" >/dev/null
dpkg -i --force-confold "$WORK/up/tally-up.deb" >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log"; fail "upgrade failed"; }
dpkg-query -W -f='${Version}' tally | grep -q '+up1$' || fail "upgrade did not happen"
grep -q '^# edited by the admin$' /etc/tally/tally.conf || fail "upgrade lost the admin's config"
[ "$(cat /var/lib/tally/tally.db)" = data ] || fail "upgrade touched /var/lib/tally"
echo "ok: upgrade keeps the edited config and the data"

dpkg -r tally >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log"; fail "dpkg -r failed"; }
[ ! -e /usr/bin/tally-kiosk ] || fail "binary left after remove"
[ -f /etc/tally/tally.conf ] || fail "remove deleted the conffile (only purge may)"
dpkg -P tally >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log"; fail "dpkg -P failed"; }
[ ! -e /etc/tally ] || fail "/etc/tally left after purge: $(ls -A /etc/tally)"
[ ! -e /lib/systemd/system/tally-kiosk.service ] || fail "unit left after purge"
[ ! -e /lib/systemd/system/tally-hq-postgresql.conf ] || fail "the PostgreSQL drop-in left after purge"
[ "$(cat /var/lib/tally/tally.db)" = data ] || fail "purge deleted the ratings"
! ls /var/lib/systemd/deb-systemd-helper-enabled/ 2>/dev/null | grep -q tally || fail "unit state left after purge"
echo "ok: remove keeps the config, purge removes it and keeps the ratings; nothing left running"
