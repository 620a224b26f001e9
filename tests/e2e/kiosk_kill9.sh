# The kiosk killed with SIGKILL 30 times while faces are pressed through
# its simulated chip and by scripted keys and touches (half the kills a few
# ms after a press, around its commit); after every kill the store passes
# integrity_check, holds every acknowledged rating, has no seq gap and
# nothing stored twice (tests/crash/kiosk_kill9.py; `make crash-bench`
# runs it 1,000 times).
. "$(dirname "$0")/lib.inc"
python3 "$(dirname "$0")/../crash/kiosk_kill9.py" "$BIN/tally-kiosk" --rounds "${KILL9_ROUNDS:-30}" --out "$WORK/kill9" ||
	fail "kiosk under kill -9"
