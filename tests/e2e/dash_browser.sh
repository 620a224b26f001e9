#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The dashboard in a real browser: Debian's chromium through chromium-driver
# (python3-selenium), headless, on a real tally-hq on 127.0.0.1 with ratings
# the test posts itself; logs in as each role and compares every page with
# the API and with the posted ratings (tests/e2e/dash_browser.py says what).
# Screenshots go to $TALLY_BUILD/screenshots/. Never skipped: a machine
# without chromium fails it (scripts/deps.sh installs it).
. "$(dirname "$0")/lib.inc"
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] ||
	fail "chromium and chromium-driver are needed (scripts/deps.sh installs them)"
/usr/bin/python3 -c 'import selenium' 2>/dev/null || fail "python3-selenium is needed (scripts/deps.sh installs it)"
/usr/bin/python3 "$(dirname "$0")/dash_browser.py"
