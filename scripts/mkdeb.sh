#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds $BUILD/deb/tally_VERSION_ARCH.deb from the release build: a staged
# `make install PREFIX=/usr`, binaries stripped, man pages and changelog
# compressed, and the maintainer scripts from packaging/. dpkg-deb rather
# than debhelper, so nothing is written into the source tree and
# `debian/rules clean` never wipes a build/ others are using.
set -eu
BUILD=${BUILD:-build}
VERSION=${VERSION:-$(cat VERSION)}
# DEB_ARCH: a cross build's Debian architecture (make deb ARCH=arm64); else this machine's.
ARCH=${DEB_ARCH:-$(dpkg --print-architecture)}
TRIPLET=$(dpkg-architecture -a "$ARCH" -q DEB_HOST_GNU_TYPE 2>/dev/null)
STRIP=strip
[ "$ARCH" = "$(dpkg --print-architecture)" ] || STRIP="$TRIPLET-strip"
OUT="$BUILD/deb"
mkdir -p "$OUT"
# The staged tree lives outside $BUILD: the Makefile reads every *.d under
# $BUILD as a dependency file, and sysusers.d/tmpfiles.d are directories.
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/tally-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
chmod 0755 "$STAGE"
mkdir -p "$STAGE/DEBIAN"

# Only installs: the programs and man pages are built already (make deb: all man).
make --no-print-directory -s install PREFIX=/usr DESTDIR="$STAGE" BUILD="$BUILD" >/dev/null

for b in "$STAGE"/usr/bin/*; do
	"$STRIP" --strip-unneeded --remove-section=.comment --remove-section=.note "$b"
done
find "$STAGE/usr/share/man" -type f -exec gzip -9n {} +

DOC="$STAGE/usr/share/doc/tally"
install -d "$DOC"
install -m 0644 packaging/copyright "$DOC/copyright"
# A native package's changelog, in Debian's format; dated from the last commit so rebuilds are identical.
DATE=$(git log -1 --format=%cD 2>/dev/null || date -R)
cat >"$OUT/changelog" <<EOC
tally ($VERSION) unstable; urgency=medium

  * Release $VERSION: see the project's git log.

 -- Tally maintainers <tally@example.org>  $DATE
EOC
gzip -9n <"$OUT/changelog" >"$DOC/changelog.gz"
chmod 0644 "$DOC/changelog.gz"

for s in postinst prerm postrm; do
	install -m 0755 "packaging/$s" "$STAGE/DEBIAN/$s"
done
# The config is the admin's: dpkg keeps their edits on upgrade and asks before replacing them.
echo /etc/tally/tally.conf >"$STAGE/DEBIAN/conffiles"

# Depends from the libraries the binaries really link (dpkg-shlibdeps wants a debian/control to sit beside).
SHL="$OUT/shlibs"
rm -rf "$SHL" && mkdir -p "$SHL/debian"
printf 'Source: tally\n\nPackage: tally\nArchitecture: any\n' >"$SHL/debian/control"
BINS=$(for b in "$STAGE"/usr/bin/*; do printf '%s ' "$b"; done)
# shellcheck disable=SC2086
# dpkg-architecture -a: dpkg-shlibdeps then looks up the libraries of that architecture (multiarch).
DEPS=$(cd "$SHL" && dpkg-architecture -a "$ARCH" -c dpkg-shlibdeps -O $BINS 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$DEPS" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)

cat >"$STAGE/DEBIAN/control" <<EOC
Package: tally
Version: $VERSION
Architecture: $ARCH
Maintainer: Tally maintainers <tally@example.org>
Installed-Size: $SIZE
Depends: $DEPS, systemd, tzdata, fonts-wqy-microhei
Section: misc
Priority: optional
Description: smiley-button customer feedback terminal
 Tally is a feedback terminal for stores and warehouses: customers press
 one of a row of smiley faces (arcade buttons on GPIO, or a touch screen),
 each press is stored on disk before the screen thanks them, and ratings
 travel to head office when the network allows.
 .
 This package holds the kiosk (tally-kiosk), its sync daemon (tally-sync),
 the admin tool (tallyctl) and the head-office server (tally-hq), with
 systemd units that are not enabled until the kiosk is configured.
EOC

(cd "$STAGE" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | sort -z \
	| xargs -0 md5sum) >"$STAGE/DEBIAN/md5sums"
chmod 0644 "$STAGE/DEBIAN/control" "$STAGE/DEBIAN/conffiles" "$STAGE/DEBIAN/md5sums"

DEB="$OUT/tally_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
