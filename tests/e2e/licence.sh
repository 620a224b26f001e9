# SPDX-License-Identifier: Apache-2.0
# The Apache License 2.0: the standard text in LICENSE, an SPDX line near
# the top of every source file (C, headers, scripts, tests, build and
# packaging files, man pages), and packaging/copyright (DEP-5) saying the
# same while the fonts keep theirs.
. "$(dirname "$0")/lib.inc"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

[ -s LICENSE ] || fail "no LICENSE"
if [ -f /usr/share/common-licenses/Apache-2.0 ]; then
	cmp -s LICENSE /usr/share/common-licenses/Apache-2.0 || fail "LICENSE is not the Apache License 2.0 text Debian ships"
else
	grep -q 'Apache License' LICENSE && grep -q 'Version 2.0, January 2004' LICENSE || fail "LICENSE is not Apache 2.0"
fi
echo "ok: LICENSE is the Apache License 2.0"

missing=""
n=0
for f in $(find app platform tests scripts systemd packaging man Makefile -type f \
	\( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.inc' -o -name '*.scd' \
	-o -name '*.supp' -o -name '*.service' -o -name '*.rules' -o -name '*.sysusers' -o -name '*.tmpfiles' \
	-o -name Makefile -o -name postinst -o -name prerm -o -name postrm \) | sort); do
	n=$((n + 1))
	head -n 5 "$f" | grep -q 'SPDX-License-Identifier: Apache-2\.0' || missing="$missing $f"
done
[ -z "$missing" ] || fail "no SPDX-License-Identifier: Apache-2.0 line in:$missing"
[ "$n" -gt 100 ] || fail "only $n source files found"
echo "ok: all $n source files carry SPDX-License-Identifier: Apache-2.0"

C=packaging/copyright
head -n 1 "$C" | grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/$' || fail "copyright: not DEP-5"
awk '/^Files: \*$/ { f = 1; next } f && /^License:/ { print; exit }' "$C" | grep -qx 'License: Apache-2.0' ||
	fail "copyright: Files: * is not Apache-2.0"
grep -q '^License: Apache-2.0$' "$C" && grep -q '/usr/share/common-licenses/Apache-2.0' "$C" ||
	fail "copyright: no Apache-2.0 licence paragraph"
awk '/^Files: .*fonts/ { f = 1; next } f && /^License:/ { print; exit }' "$C" | grep -qx 'License: bitstream-vera' ||
	fail "copyright: the fonts lost their licence"
grep -q -i 'reserved by the Tally authors\|no licence' "$C" && fail "copyright: still says no licence"
echo "ok: packaging/copyright (DEP-5): Apache-2.0, the fonts keep theirs"
