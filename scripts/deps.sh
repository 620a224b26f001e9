#!/bin/sh
# Installs the Debian 12 packages that building, running and testing Tally
# need, but only those that are missing: a no-op on a ready machine, so
# `make run` and `make test` can call it every time.
set -eu

PKGS="build-essential pkg-config \
libsdl2-dev libsdl2-ttf-dev libgpiod-dev libsqlite3-dev \
libcurl4-openssl-dev libmicrohttpd-dev libjansson-dev libinih-dev \
libcmocka-dev libsystemd-dev zlib1g-dev libgnutls28-dev libpng-dev \
sqlite3 curl python3 procps openssl jq locales xvfb xauth xdotool iproute2"
# tally-hq hashes its users' passwords with Argon2id.
PKGS="$PKGS libargon2-dev"
# Time zone rules, read by app/core/tzif.c (kiosk and head office).
PKGS="$PKGS tzdata"
# `make install` turns man/*.scd into man pages.
PKGS="$PKGS scdoc"
# `make deb` (./scripts/deps.sh deb) also builds and checks a Debian package.
if [ "${1:-}" = deb ]; then PKGS="$PKGS dpkg-dev lintian"; fi
# `make bench` (./scripts/deps.sh bench) runs the kiosk in a real X window under Xvfb.
if [ "${1:-}" = bench ]; then PKGS="$PKGS xvfb xauth"; fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root or sudo to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
