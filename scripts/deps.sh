#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages that building, running and testing Tally
# need, but only those that are missing: a no-op on a ready machine, so
# `make run` and `make test` can call it every time.
#
#   scripts/deps.sh            build, run, test
#   scripts/deps.sh deb        ... and build a Debian package
#   scripts/deps.sh bench      ... and run the benchmarks
#   scripts/deps.sh arm64      ... and cross-build for the Pi (64-bit): adds the
#                              arm64 architecture to dpkg, installs the cross
#                              compiler, qemu-user-static and the :arm64 -dev
#                              packages (make deb ARCH=arm64, make test-arm64)
#   scripts/deps.sh armhf      the same for 32-bit Raspberry Pi OS
set -eu

# The libraries, by -dev package. libcurl is linked in its GnuTLS flavour
# (libcurl3-gnutls: one TLS stack with libmicrohttpd); the headers come
# from libcurl4-openssl-dev, which are the same for every flavour of one
# curl version and are what most machines already have.
LIBS="libsdl2-dev libsdl2-ttf-dev libgpiod-dev libsqlite3-dev \
libcurl4-openssl-dev libcurl3-gnutls libmicrohttpd-dev libjansson-dev libinih-dev \
libcmocka-dev libsystemd-dev zlib1g-dev libgnutls28-dev libpng-dev libcairo2-dev"
PKGS="build-essential pkg-config $LIBS \
sqlite3 curl python3 procps openssl jq locales xvfb xauth xdotool iproute2"
# tally-hq hashes its users' passwords with Argon2id.
PKGS="$PKGS libargon2-dev"
# Head office on PostgreSQL: libpq to build tally-hq; the server for make
# test, which runs the head-office tests on a throwaway cluster of its own.
LIBS="$LIBS libpq-dev"
PKGS="$PKGS libpq-dev postgresql-15"
# Alert and report mail is tested against a local SMTP sink (aiosmtpd); the
# staff-room poster's PDF is checked through poppler (pdftoppm, pdftotext).
PKGS="$PKGS python3-aiosmtpd poppler-utils"
# The kiosk's fallback font for scripts DejaVu lacks (Chinese, Japanese,
# Korean): [screen] fallback_font, the smallest CJK font in Debian (5 MB).
PKGS="$PKGS fonts-wqy-microhei"
# Time zone rules, read by app/core/tzif.c (kiosk and head office).
PKGS="$PKGS tzdata"
# make test also runs the libFuzzer targets (clang with its runtime) and the
# static analysers (scan-build from clang-tools, cppcheck).
PKGS="$PKGS clang libclang-rt-14-dev clang-tools cppcheck"
# make test reports the wall and CPU time of each phase and test (/usr/bin/time).
PKGS="$PKGS time"
# `make` turns man/*.scd into man pages.
PKGS="$PKGS scdoc"
# The dashboard's browser test (tests/e2e/dash_browser.sh) drives headless chromium through chromium-driver.
PKGS="$PKGS chromium chromium-driver python3-selenium"
FOREIGN=""
case "${1:-}" in
# `make deb` (./scripts/deps.sh deb) also builds and checks a Debian package.
deb) PKGS="$PKGS dpkg-dev lintian" ;;
# `make bench` (./scripts/deps.sh bench) runs the kiosk in a real X window under Xvfb.
bench) PKGS="$PKGS xvfb xauth chromium chromium-driver python3-selenium" ;;
# Cross builds: the same libraries for the Pi's architecture (multiarch).
arm64|armhf)
	FOREIGN=$1
	PKGS="$PKGS dpkg-dev lintian qemu-user-static crossbuild-essential-$1"
	for p in $LIBS; do PKGS="$PKGS $p:$1"; done
	;;
esac

if [ -n "$FOREIGN" ] && [ "$(dpkg --print-architecture)" != "$FOREIGN" ] &&
	! dpkg --print-foreign-architectures | grep -qx "$FOREIGN"; then
	NEED_ARCH=1
else
	NEED_ARCH=0
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && [ "$NEED_ARCH" = 0 ] && exit 0

echo "deps: installing$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root or sudo to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
if [ "$NEED_ARCH" = 1 ]; then
	echo "deps: adding the $FOREIGN architecture to dpkg" >&2
	$SUDO dpkg --add-architecture "$FOREIGN"
fi
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
