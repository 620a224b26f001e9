# SPDX-License-Identifier: Apache-2.0
# The documentation holds together: every internal link in README.md and
# docs/*.md resolves (files and #anchors), every code block says what it
# is, and every shell command in them runs here or in a named test, or is
# marked hardware-only. The rules and the markers: docs/testing.md and
# tests/e2e/docs_check.py.
. "$(dirname "$0")/lib.inc"
python3 "$(dirname "$0")/docs_check.py" "$WORK"
