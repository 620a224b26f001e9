#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""dashlib: a real tally-hq with a small chain in it, and a real Chromium,
for the dashboard's browser test (tests/e2e/dash_browser.py) and its
render benchmark (tests/bench/bench_dash_render.py).

- Hq: tally-hq on 127.0.0.1 (port 0), its own database and config in a
  scratch directory, started and stopped by pid; CLI commands; plain HTTP
  with a session cookie or a token.
- seed(): three stores in two regions, four kiosks (one with five faces),
  users of each role, and ratings posted through POST /api/v1/ratings
  with every kind of press (counted, misuse, closed, unknown time); it
  returns the ratings so a test can work out every figure itself.
- browser(): Debian's chromium through chromium-driver, headless; raises
  (never skips) when it cannot start.
"""
import datetime
import http.client
import json
import os
import random
import re
import subprocess
import time
import zoneinfo

TZ = "Europe/Berlin"
ZONE = zoneinfo.ZoneInfo(TZ)

# store -> (region, [(kiosk, area, scale)], how good its customers find it now, and before)
STORES = {
    "Berlin Mitte": ("North", [("k-bm-counter", "Counter", 4), ("k-bm-pickup", "Pickup", 4)], 0.80, 0.78),
    "Hamburg": ("North", [("k-hh-1", "Counter", 4), ("k-hh-2", "Pickup", 4)], 0.45, 0.75),
    "München": ("South", [("k-mu-1", "Counter", 5)], 0.70, 0.50),
}
USERS = {  # name -> (password, role, scope flags, the stores it may see)
    "boss": ("chain-pass-1", ["--role", "chain"], {"Berlin Mitte", "Hamburg", "München"}),
    "nord": ("north-pass-1", ["--role", "region", "--region", "North"], {"Berlin Mitte", "Hamburg"}),
    "muc": ("munich-pass-1", ["--role", "store", "--store", "München"], {"München"}),
}


class Hq:
    def __init__(self, binary, workdir):
        self.binary, self.dir = binary, workdir
        self.proc = None
        self.port = None
        self.conf = os.path.join(workdir, "hq.conf")
        with open(self.conf, "w") as f:
            f.write(f"[hq]\ndatabase = {workdir}/hq.db\nlisten = 127.0.0.1:0\n"
                    "login_max_failures_per_address = 1000\n")

    def cli(self, *args, stdin=None):
        r = subprocess.run([self.binary, "--config", self.conf, *args], input=stdin, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"tally-hq {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def start(self, deadline_s=120):
        self.out = open(os.path.join(self.dir, "hq.out"), "w+")
        self.err = open(os.path.join(self.dir, "hq.err"), "w+")
        self.proc = subprocess.Popen([self.binary, "--config", self.conf], stdout=self.out, stderr=self.err)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            self.out.seek(0)
            m = re.search(r"^listening on 127\.0\.0\.1:(\d+)$", self.out.read(), re.M)
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.err.seek(0)
        raise RuntimeError("tally-hq did not start: " + self.err.read()[-2000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log(self):
        self.err.seek(0)
        return self.err.read()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method, path, body=None, headers=None, cookie=None, token=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = dict(headers or {})
        if cookie:
            h["Cookie"] = "tally_session=" + cookie
        if token:
            h["Authorization"] = "Bearer " + token
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def login(self, user, password):
        st, h, data = self.request("POST", "/login", json.dumps({"user": user, "password": password}),
                                   {"Content-Type": "application/json"})
        if st != 200:
            raise RuntimeError(f"login {user}: {st} {data[:200]!r}")
        return re.search(r"tally_session=([0-9a-f]+)", h["set-cookie"]).group(1)

    def get_json(self, path, cookie):
        st, _, data = self.request("GET", path, cookie=cookie)
        if st != 200:
            raise RuntimeError(f"GET {path}: {st} {data[:300]!r}")
        return json.loads(data)


def local_ms(day, hour, minute):
    """ms since the epoch of a local wall time in the stores' zone."""
    dt = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)
    return int(dt.timestamp() * 1000)


def today():
    return datetime.datetime.now(ZONE).date()


def seed(hq, days=20, per_day=(4, 9), seed_value=11):
    """Registers the chain, makes the users and posts ratings on the `days`
    local days before today (today itself gets none, so a test near midnight
    still knows every figure). Returns the list of ratings as dicts."""
    rnd = random.Random(seed_value)
    tokens = {}
    for store, (region, kiosks, _, _) in STORES.items():
        for kiosk, area, _ in kiosks:
            out = hq.cli("kiosk", "add", "--store", store, "--area", area, "--region", region, "--tz", TZ, "--id", kiosk)
            tokens[kiosk] = re.search(r"token ([0-9a-f]+)", out).group(1)
    for name, (pw, role, _) in USERS.items():
        hq.cli("user", "add", name, *role, "--password-stdin", stdin=pw + "\n")
    d0 = today()
    ratings = []
    for store, (region, kiosks, now_good, before_good) in STORES.items():
        for kiosk, area, scale in kiosks:
            if kiosk == "k-hh-2":
                continue  # registered, never posted: the fleet page puts it first
            rows = []
            for back in range(days, 0, -1):
                day = d0 - datetime.timedelta(days=back)
                good = now_good if back <= days // 2 else before_good
                for _ in range(rnd.randint(*per_day)):
                    hour, minute = rnd.randint(8, 19), rnd.randint(0, 59)
                    # Good customers press the upper faces, the rest spread over all of them.
                    value = rnd.randint(scale // 2, scale - 1) if rnd.random() < good else rnd.randint(0, scale - 1)
                    rows.append(dict(store=store, region=region, kiosk=kiosk, area=area, scale=scale, value=value,
                                     day=day, hour=hour, ms=local_ms(day, hour, minute), synced=1, flags=0))
                # Once a day each kind that never counts: misuse, outside opening hours, and an unknown time.
                if back % 3 == 0:
                    rows.append(dict(store=store, region=region, kiosk=kiosk, area=area, scale=scale, value=0, day=day,
                                     hour=12, ms=local_ms(day, 12, 30), synced=1, flags=1))
                if back % 4 == 0:
                    rows.append(dict(store=store, region=region, kiosk=kiosk, area=area, scale=scale, value=scale - 1,
                                     day=day, hour=21, ms=local_ms(day, 21, 15), synced=1, flags=2))
                if back % 5 == 0:
                    rows.append(dict(store=store, region=region, kiosk=kiosk, area=area, scale=scale, value=1, day=day,
                                     hour=10, ms=local_ms(day, 10, 5), synced=0, flags=0))
            rows.sort(key=lambda r: r["ms"])
            batch = {"kiosk": kiosk, "install": "0123456789abcdef" + kiosk.replace("-", "")[:16].ljust(16, "0"),
                     "version": "0.1.0", "boots": ["5f0c2a5e-1d7b-4b5e-9a51-0c6d1e2f3a4b"], "ratings": []}
            for seq, r in enumerate(rows, 1):
                r["seq"] = seq
                batch["ratings"].append([seq, r["value"], r["scale"], "button", r["ms"], 1000 + seq, 0, r["synced"],
                                         None, r["flags"]])
            st, _, data = hq.request("POST", "/api/v1/ratings", json.dumps(batch), {"Content-Type": "application/json"},
                                     token=tokens[kiosk])
            if st != 200:
                raise RuntimeError(f"posting {kiosk}'s ratings: {st} {data[:300]!r}")
            ratings.extend(rows)
    return ratings


def figures(rows):
    """What the market's definitions make of these ratings (app/core/score.c):
    counted, Happy Index and % positive to one decimal, and the kinds apart."""
    counted = [r for r in rows if r["flags"] == 0 and r["synced"]]
    out = {"ratings": len(counted),
           "misuse": sum(1 for r in rows if r["flags"] & 1),
           "closed": sum(1 for r in rows if r["flags"] == 2),
           "unknown_time": sum(1 for r in rows if r["flags"] == 0 and not r["synced"])}
    if counted:
        out["happy_index"] = sum(100.0 * r["value"] / (r["scale"] - 1) for r in counted) / len(counted)
        out["positive_pct"] = 100.0 * sum(1 for r in counted if 2 * r["value"] > r["scale"] - 1) / len(counted)
    else:
        out["happy_index"] = out["positive_pct"] = None
    return out


def browser(download_dir=None, width=1366, height=768, lang="en-GB", javascript=True):
    """Headless Chromium through chromium-driver. Raises when it cannot start:
    a browser test that cannot run a browser has failed, it has not passed."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    o = Options()
    o.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-extensions", "--disable-background-networking", "--disable-component-update",
              "--hide-scrollbars", f"--lang={lang}", f"--window-size={width},{height}"]:
        o.add_argument(a)
    prefs = {"intl.accept_languages": lang}
    if not javascript:  # as a browser with JavaScript switched off (chromium's content setting, 2: blocked)
        prefs["profile.managed_default_content_settings.javascript"] = 2
    o.add_experimental_option("prefs", prefs)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    # Intl follows this (the --lang flag alone does not reach a headless browser's Intl).
    d.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": lang})
    if download_dir:
        d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
    viewport(d, width, height)
    return d


def viewport(d, width, height):
    """The page's viewport exactly width x height CSS pixels (a phone's is mobile: its meta viewport counts)."""
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
