#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Head office's files are private whatever the umask, also outside
# systemd: under umask 000 the database the CLI creates, and the WAL and
# SHM files the running server adds, are 0600; with [hq] file_group they
# are 0640 and that group's; a database left readable by others (an older
# version, a careless copy) loses those bits when tally-hq opens it.
set -eu
NAME=files . "$(dirname "$0")/hq_lib.inc"
umask 000
mode() { stat -c %a "$1"; }
expect() {
	[ "$2" = "$3" ] || { echo "FAIL: $1: expected $2, got $3"; exit 1; }
	echo "ok: $1 ($3)"
}

cat >"$DIR/hq.conf" <<CONF
[hq]
database = $DIR/hq.db
listen = 127.0.0.1:0
CONF
TOKEN=$($HQC kiosk add --store S --area A --id k-files 2>/dev/null | awk '$1=="token"{print $2}')
expect "database made by the CLI under umask 000" 600 "$(mode "$DIR/hq.db")"

hq_start
ANS=$(curl -sS -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
	--data '{"kiosk":"k-files","boots":["b"],"ratings":[[1,2,4,"touch",1711875600000,1,0,1,null,0]]}' \
	"http://127.0.0.1:$PORT/api/v1/ratings")
case "$ANS" in *'"accepted":1'*) ;; *) echo "post failed: $ANS"; exit 1 ;; esac
[ -f "$DIR/hq.db-wal" ] && [ -f "$DIR/hq.db-shm" ] || { echo "no WAL/SHM while serving"; ls -l "$DIR"; exit 1; }
expect "database while serving" 600 "$(mode "$DIR/hq.db")"
expect "its WAL" 600 "$(mode "$DIR/hq.db-wal")"
expect "its SHM" 600 "$(mode "$DIR/hq.db-shm")"
hq_stop

# With a group: 0640, owned by it (the group we are in, so no privileges are needed).
GROUP=$(id -gn)
cat >"$DIR/g.conf" <<CONF
[hq]
database = $DIR/g.db
file_group = $GROUP
CONF
$HQ --config "$DIR/g.conf" admin-token >/dev/null 2>&1
expect "database with file_group" 640 "$(mode "$DIR/g.db")"
expect "its group" "$GROUP" "$(stat -c %G "$DIR/g.db")"
echo "file_group = no-such-group-here" >>"$DIR/g.conf"
if $HQ --config "$DIR/g.conf" admin-token >/dev/null 2>"$DIR/gerr"; then echo "unknown group accepted"; exit 1; fi
grep -q "no-such-group-here" "$DIR/gerr" && echo "ok: unknown group refused: $(cat "$DIR/gerr")"

# A database others could read is tightened on open.
chmod 666 "$DIR/hq.db"
$HQC kiosk list >/dev/null
expect "a 0666 database after tally-hq opened it" 660 "$(mode "$DIR/hq.db")"
