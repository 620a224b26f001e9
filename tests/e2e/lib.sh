# Shared helpers for the end-to-end scripts (sourced, POSIX sh).
set -eu
: "${TALLY_BUILD:?run through tests/run.sh or set TALLY_BUILD}"
BIN="$TALLY_BUILD/asan"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tally-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export SDL_VIDEODRIVER=offscreen

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
	echo "ok: $1"
}

sql() {
	sqlite3 "$1" "$2"
}
