# SPDX-License-Identifier: Apache-2.0
# A data directory the kiosk's user may not write: the kiosk and tallyctl
# status name the directory, the user and what it must be, not SQLite's
# "unable to open database file" or a disk-space alarm. Needs root (to run
# the kiosk as another user); CI runs as root.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/ctl_lib.inc"

[ "$(id -u)" = 0 ] || { echo "skip: needs root to run the kiosk as user nobody"; exit 0; }
chmod 0755 "$WORK"
mkdir "$WORK/data"            # root:root 0755: nobody may not write here
printf '[kiosk]\nid = k1\ndatabase = %s/data/tally.db\n' "$WORK" >"$WORK/k.conf"
printf 'key 1\nwait 200\nquit\n' >"$WORK/input"
chmod 0644 "$WORK/k.conf" "$WORK/input"

setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$BIN/tally-kiosk" --config "$WORK/k.conf" --windowed 800x480 --script "$WORK/input" 2>"$WORK/log" || true
grep -q "error: $WORK/data is not writable by user nobody (uid [0-9]*), who runs Tally here: it is root:root, mode 0755; make it nobody's (chown nobody $WORK/data; chmod 0750 $WORK/data)" "$WORK/log" ||
	{ cat "$WORK/log"; fail "kiosk: the directory, its owner and mode are not named"; }
grep -q "unable to open database file" "$WORK/log" && fail "kiosk: SQLite's message instead of the cause"
echo "ok: kiosk names the directory, the user, owner and mode"

# tallyctl status as root, about the kiosk's user (the running kiosk's: a
# process of user nobody stands in for it in kiosk.status).
setpriv --reuid=nobody --regid=nogroup --clear-groups sleep 60 &
KPID=$!
trap 'kill $KPID 2>/dev/null || true; rm -rf "$WORK"' EXIT
printf 'pid %s\nscreen out-of-order\n' "$KPID" >"$WORK/data/kiosk.status"
expect_rc "status with an unwritable data directory" 1 "$CTL" --config "$WORK/k.conf" --json status
expect_eq "status: the cause, as attention" true \
	"$(jq '.attention | any(test("data is not writable by user nobody .*root:root, mode 0755"))' "$WORK/out")"
expect_eq "status: no disk-space alarm beside it" false "$(jq '.attention | any(test("free on"))' "$WORK/out")"
expect_eq "status: data_dir_writable" false "$(jq .data_dir_writable "$WORK/out")"
# No kiosk running: the database's owner is the kiosk's user (the kiosk created it).
kill "$KPID" 2>/dev/null || true
rm "$WORK/data/kiosk.status"
touch "$WORK/data/tally.db" && chown nobody:nogroup "$WORK/data/tally.db"
expect_rc "status, no kiosk running, the database nobody's" 1 "$CTL" --config "$WORK/k.conf" --json status
expect_eq "status: the database's owner is asked about" true \
	"$(jq '.attention | any(test("data is not writable by user nobody"))' "$WORK/out")"
chown nobody "$WORK/data"
expect_rc "status once the directory is the kiosk's" 1 "$CTL" --config "$WORK/k.conf" --json status
expect_eq "status: writable by nobody now" true "$(jq .data_dir_writable "$WORK/out")"
rm "$WORK/data/tally.db"

# A read-only file system (a bind mount remounted read-only, in a mount
# namespace of its own): said so, for root too.
chown root "$WORK/data"
if unshare -m sh -c "mount --bind '$WORK/data' '$WORK/data' && mount -o remount,bind,ro '$WORK/data' &&
	SDL_VIDEODRIVER=offscreen '$BIN/tally-kiosk' --config '$WORK/k.conf' --windowed 800x480 --script '$WORK/input'" 2>"$WORK/log2"; then :; fi
if grep -q "mount" "$WORK/log2" && ! grep -q "read-only" "$WORK/log2"; then
	echo "skip: no read-only bind mount here ($(head -n 1 "$WORK/log2"))"
else
	grep -q "error: $WORK/data is on a read-only file system: no rating can be stored (remount it read-write)" "$WORK/log2" ||
		{ cat "$WORK/log2"; fail "kiosk: read-only file system not named"; }
	echo "ok: a read-only file system is named as such"
fi

# A config the user may not read (the installed one is root:tally 0640): who may, said.
chmod 0640 "$WORK/k.conf"
set +e
setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/tallyctl" --config "$WORK/k.conf" status >"$WORK/out" 2>"$WORK/err"
rc=$?
set -e
expect_eq "an unreadable config: exit 1" 1 "$rc"
grep -q "^$WORK/k.conf: cannot open: Permission denied (mode 0640, group root: run as root or as a member of group root)$" "$WORK/err" ||
	{ cat "$WORK/err"; fail "an unreadable config: who may read it is not said"; }
echo "ok: an unreadable config says who may read it"
