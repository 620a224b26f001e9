#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The alerts page in a real browser (chromium-driver, python3-selenium,
# headless) on a real tally-hq: an alert the test triggers is listed and
# explained, the chain user changes a rule and adds one through the page
# (checked through the API), a store user sees no form and no other store.
# tests/e2e/alerts_browser.py says what; screenshots under build/screenshots/.
. "$(dirname "$0")/lib.inc"
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] ||
	fail "chromium and chromium-driver are needed (scripts/deps.sh installs them)"
/usr/bin/python3 -c 'import selenium' 2>/dev/null || fail "python3-selenium is needed (scripts/deps.sh installs it)"
/usr/bin/python3 "$(dirname "$0")/alerts_browser.py"
