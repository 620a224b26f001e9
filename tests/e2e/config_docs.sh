# SPDX-License-Identifier: Apache-2.0
# Config documentation keeps up with the code: every key in
# app/core/config.c's tables is in assets/tally.conf.example (with its
# default, in its section), the example itself passes check-config, and
# docs/config.md and tally.conf(5) are what scripts/gen_config_doc.py
# makes of the example.
. "$(dirname "$0")/lib.inc"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# Rows of the key tables: STR("sec", "key", ...), NUM(...), { "sec", "key", K_...}, BSTR/BNUM("key", ...).
sed -n 's/^[[:space:]]*\(STR\|NUM\)("\([a-z_.]*\)", "\([a-z_]*\)".*/\2 \3/p;
	s/^[[:space:]]*{ "\([a-z_.]*\)", "\([a-z_]*\)", K_.*/\1 \2/p;
	s/^[[:space:]]*\(BSTR\|BNUM\)("\([a-z_]*\)".*/button.N \2/p' \
	"$ROOT/app/core/config.c" >"$WORK/keys"
[ "$(wc -l <"$WORK/keys")" -gt 40 ] || fail "found only $(wc -l <"$WORK/keys") keys in config.c: has its table changed shape?"

# The example's keys, each with the section it appears under.
awk '/^#? *\[[a-z0-9.]+\] *$/ { s = $0; gsub(/[#\[\] ]/, "", s); if (s ~ /^button\./) s = "button.N"; next }
     /^#? *[a-z_]+ *=/ { k = $0; sub(/^# */, "", k); sub(/ *=.*/, "", k); print s, k }' \
	"$ROOT/assets/tally.conf.example" | sort -u >"$WORK/documented"
missing=$(sort -u "$WORK/keys" | comm -23 - "$WORK/documented")
[ -z "$missing" ] || fail "keys in config.c but not in assets/tally.conf.example: $(echo $missing)"
echo "ok: all $(sort -u "$WORK/keys" | wc -l) keys of config.c are in the example"
extra=$(sort -u "$WORK/keys" | comm -13 - "$WORK/documented")
[ -z "$extra" ] || fail "keys in the example that config.c does not know: $(echo $extra)"
echo "ok: the example documents no key config.c lacks"

"$BIN/tallyctl" check-config "$ROOT/assets/tally.conf.example" >/dev/null || fail "the example does not pass check-config"
# Uncommented, every default is accepted too (button sections aside: they need all faces;
# and [sync] token, whose empty default is refused when written out: tally.conf(5)).
sed '/^# \[button\.1\]/,/^\[sync\]/!s/^# \([a-z_]* =.*\)/\1/; /^token =$/d' \
	"$ROOT/assets/tally.conf.example" >"$WORK/all.conf"
"$BIN/tallyctl" check-config "$WORK/all.conf" || fail "the example with every default uncommented is refused"
echo "ok: the example, and every default in it, pass check-config"

python3 "$ROOT/scripts/gen_config_doc.py" --check || fail "docs out of date"
echo "ok: docs/config.md and tally.conf(5) are current"
