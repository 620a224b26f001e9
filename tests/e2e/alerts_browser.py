#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The alerts page (assets/web/alerts.html) in headless Chromium against a
real tally-hq (tests/e2e/dashlib.py's chain): run by hq_alerts_browser.sh.

- four negative ratings at Hamburg open an episode of the chain's rule; the
  page lists it, and /alerts?episode=N explains it with the API's words;
- the chain user edits that rule's threshold and adds a region rule in the
  form; the API then holds exactly what was typed;
- a store user (München) sees neither the form nor Hamburg's alert.
"""
import json
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashlib  # noqa: E402

BUILD = os.environ.get("TALLY_BUILD", "build")
HQ_BIN = os.environ.get("TALLY_HQ", os.path.join(BUILD, "asan", "tally-hq"))
SHOTS = os.path.join(BUILD, "screenshots")
WAIT_S = 60


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


def wait(cond, what, timeout=WAIT_S):
    end, last = time.monotonic() + timeout, None
    while time.monotonic() < end:
        try:
            v = cond()
            if v:
                return v
        except Exception as e:  # still loading: again until the deadline
            last = e
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} ({last})")


def main():
    work = tempfile.mkdtemp(prefix="tally-alerts-browser-")
    hq = dashlib.Hq(HQ_BIN, work)
    d = None
    try:
        hq.start()
        dashlib.seed(hq, days=3)
        token = re.search(r"token ([0-9a-f]+)", hq.cli("kiosk", "rotate-token", "k-hh-1")).group(1)
        st, h, data = hq.request("POST", "/login", json.dumps({"user": "boss", "password": "chain-pass-1"}),
                                 {"Content-Type": "application/json"})
        cookie = re.search(r"tally_session=([0-9a-f]+)", h["set-cookie"]).group(1)
        csrf = json.loads(data)["csrf_token"]
        st, _, data = hq.request("POST", "/api/v1/alert-rules",
                                 json.dumps({"kind": "negative", "scope_kind": "store", "scope": "Hamburg"}),
                                 {"Content-Type": "application/json", "X-CSRF-Token": csrf}, cookie=cookie)
        check(st == 200, f"a negative rule for Hamburg ({st} {data[:100]!r})")
        rule = json.loads(data)
        now = int(time.time() * 1000)
        batch = {"kiosk": "k-hh-1", "install": "f" * 32, "boots": ["b"],
                 "ratings": [[i, 0, 4, "button", now - 60000 + i * 1000, i, 0, 1, None, 0] for i in range(1, 5)]}
        st, _, _ = hq.request("POST", "/api/v1/ratings", json.dumps(batch), {"Content-Type": "application/json"},
                              token=token)
        check(st == 200, "four negative ratings at Hamburg")
        ep = wait(lambda: hq.get_json("/api/v1/alerts?state=open", cookie)["alerts"], "the episode")[0]
        check(ep["store"] == "Hamburg" and ep["kind"] == "negative", f"the API has the episode: {ep['detail']}")

        d = dashlib.browser()
        d.get(hq.url(f"/alerts?episode={ep['id']}"))
        wait(lambda: d.find_element("id", "user"), "the login page")
        d.find_element("id", "user").send_keys("boss")
        d.find_element("id", "password").send_keys("chain-pass-1")
        d.find_element("id", "login-submit").click()
        wait(lambda: d.execute_script("return document.body.getAttribute('data-drawn') === '1'"), "the alerts page")
        check(d.current_url.endswith(f"/alerts?episode={ep['id']}"), f"back on the page the link named after login ({d.current_url})")
        box = d.find_element("id", "episode").text
        check("Hamburg" in box and ep["detail"] in box and "negative faces ≥ 50" in box,
              f"the linked alert is explained with its figure and rule: {box!r}")
        rows = d.find_elements("css selector", "#alerts tbody tr")
        check(len(rows) == 1 and "Hamburg" in rows[0].text and "open" in rows[0].text, "the alerts table lists it, open")
        os.makedirs(SHOTS, exist_ok=True)
        for w, h in [(1366, 768), (390, 844)]:
            dashlib.viewport(d, w, h)
            path = os.path.join(SHOTS, f"dashboard-alerts-{w}x{h}.png")
            d.save_screenshot(path)
            check(os.path.getsize(path) > 10000, f"screenshot {path}")
        dashlib.viewport(d, 1366, 768)

        # Change the rule's threshold through the form.
        d.find_element("id", f"edit-rule-{rule['id']}").click()
        wait(lambda: d.find_element("id", "rule-form-title").text.startswith(f"Rule {rule['id']}"), "the rule in the form")
        t = d.find_element("id", "rule-threshold")
        t.clear()
        t.send_keys("65")
        d.find_element("id", "rule-save").click()
        wait(lambda: d.find_element("id", "rule-status").text == f"Rule {rule['id']} saved.", "the save")
        got = [r for r in hq.get_json("/api/v1/alert-rules", cookie)["rules"] if r["id"] == rule["id"]][0]
        check(got["threshold"] == 65 and got["window_min"] == 15 and got["min_ratings"] == 4,
              f"the API holds the new threshold, the rest unchanged ({got})")

        # A new rule: the day's Happy Index for region North.
        d.find_element("id", "rule-cancel").click()
        from selenium.webdriver.support.ui import Select
        Select(d.find_element("id", "rule-kind")).select_by_value("index")
        Select(d.find_element("id", "rule-scope-kind")).select_by_value("region")
        Select(d.find_element("id", "rule-scope")).select_by_value("North")
        for fid, v in [("rule-threshold", "45"), ("rule-min", "6")]:
            e = d.find_element("id", fid)
            e.clear()
            e.send_keys(v)
        check(not d.find_element("id", "rule-window").is_displayed(), "the form hides what an index rule has no use for")
        d.find_element("id", "rule-save").click()
        wait(lambda: re.fullmatch(r"Rule \d+ saved\.", d.find_element("id", "rule-status").text), "the new rule saved")
        new = [r for r in hq.get_json("/api/v1/alert-rules", cookie)["rules"] if r["kind"] == "index"]
        check(len(new) == 1 and new[0]["scope_kind"] == "region" and new[0]["scope"] == "North" and
              new[0]["threshold"] == 45 and new[0]["min_ratings"] == 6, f"the API holds the rule as typed ({new})")

        # A store user: its own store only, nothing to edit.
        d.delete_all_cookies()
        d.get(hq.url("/alerts"))
        wait(lambda: d.find_element("id", "user"), "the login page again")
        d.find_element("id", "user").send_keys("muc")
        d.find_element("id", "password").send_keys("munich-pass-1")
        d.find_element("id", "login-submit").click()
        wait(lambda: d.execute_script("return document.body.getAttribute('data-drawn') === '1'"), "muc's alerts page")
        check(not d.find_elements("id", "rule-form") and not d.find_elements("css selector", "[id^=edit-rule-]"),
              "a store user gets no rule form")
        check("Hamburg" not in d.find_element("id", "main").text, "a store user sees nothing of Hamburg")
        print("ok: alerts_browser all passed")
    except Exception:
        if d is not None:
            print("page:", d.current_url, d.find_element("tag name", "body").text[:2000], file=sys.stderr)
        print(hq.log()[-3000:] if hq.proc else "", file=sys.stderr)
        raise
    finally:
        if d is not None:
            d.quit()
        hq.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
