#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The dashboard in a real browser (run by tests/e2e/dash_browser.sh).

Debian's chromium, headless, through chromium-driver (python3-selenium),
on a real tally-hq on 127.0.0.1 holding ratings this test posted itself
(tests/e2e/dashlib.py). For each role (chain, region, store):

- a visitor without a session is sent to /login and, once logged in, back
  to the page asked for; logging out works and ends the session;
- every page (overview, store, fleet) shows the figures the API gives, and
  those are the figures this test works out from the ratings it posted
  (Happy Index, % positive, counts, misuse, closed and unknown-time presses
  apart, a heat-map cell, the faces);
- a user never sees another store: not in the ranking, the store list, the
  fleet, nor by asking for it in the URL;
- a CSV downloaded by clicking its link is the API's CSV, byte for byte;
- the keyboard reaches the controls (period buttons, sort headers, CSV
  links, Log out) with a visible focus, and Enter on a header sorts;
- numbers follow the browser's locale (de-DE: a decimal comma);
- on a phone (390x844) no page is wider than the screen and the ranking,
  regions and fleet are a card per row with every column's value shown
  (tables again at 1366 px); a guessed address is the page not found;
- with JavaScript off, the login form still logs in, and each page says
  what needs JavaScript instead of "Loading…", its CSV links working.

Screenshots at 1366x768 and 390x844 go to $TALLY_BUILD/screenshots/
(dashboard-*.png). Chromium that cannot start fails the test.
"""
import base64
import datetime
import json
import os
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashlib  # noqa: E402

BUILD = os.environ["TALLY_BUILD"]
HQ_BIN = os.environ.get("TALLY_HQ", os.path.join(BUILD, "asan", "tally-hq"))
SHOTS = os.path.join(BUILD, "screenshots")
WAIT_S = 120  # deadlines, never sleeps: a busy machine is slow, not wrong


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


def wait(d, cond, what, timeout=WAIT_S):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            v = cond(d)
            if v:
                return v
        except Exception as e:  # the page is still loading: try again until the deadline
            last = e
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (at {d.current_url}; {last})")


def js(d, script, *args):
    return d.execute_script(script, *args)


def drawn(d):
    return wait(d, lambda x: js(x, "return document.body.getAttribute('data-drawn') === '1' || "
                               "!!document.querySelector('#content .error')"), "the page's figures")


def open_page(d, hq, path):
    d.get(hq.url(path))
    drawn(d)
    err = js(d, "var e = document.querySelector('#content .error'); return e && e.textContent")
    return err


def near(a, b, tol=0.051):
    return a is not None and b is not None and abs(a - b) <= tol


def num(v):
    return None if v in (None, "") else float(v)


def login(d, hq, user, path="/"):
    d.get(hq.url(path))
    wait(d, lambda x: "/login" in x.current_url and js(x, "return !!document.getElementById('user')"), "the login page")
    check(urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query).get("next") == [path],
          f"{user}: {path} without a session goes to /login?next={path}")
    pw = dashlib.USERS[user][0]
    # A wrong password first: the page says so and stays.
    d.find_element("id", "user").send_keys(user)
    d.find_element("id", "password").send_keys("wrong-" + pw)
    d.find_element("id", "login-submit").click()
    wait(d, lambda x: x.find_element("id", "login-error").is_displayed(), "the login error")
    check("Wrong user name or password" in d.find_element("id", "login-error").text, f"{user}: a wrong password is refused, said so")
    d.find_element("id", "password").clear()
    d.find_element("id", "password").send_keys(pw)
    d.find_element("id", "login-submit").click()
    wait(d, lambda x: "/login" not in x.current_url, "leaving /login")
    got = urllib.parse.urlparse(d.current_url)
    check(got.path + ("?" + got.query if got.query else "") == path, f"{user}: back at {path} after logging in")
    drawn(d)
    return d.get_cookie("tally_session")["value"]


def cards(d):
    return {k: num(js(d, f"return document.querySelector('#card-{c} .big').getAttribute('data-value')"))
            for k, c in [("happy_index", "happy"), ("positive_pct", "positive"), ("ratings", "ratings")]}


def apart(d):
    return {k: int(js(d, f"return document.querySelector('#apart [data-key={k}]').getAttribute('data-value')"))
            for k in ("misuse", "closed", "unknown_time")}


def column(d, table, key):
    return js(d, """return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody [data-key=' + arguments[1] + ']'))
                    .map(function (c) { return c.getAttribute('data-value'); });""", table, key)


def compare_figures(where, page, api, mine):
    for k in ("happy_index", "positive_pct"):
        check(num(page[k]) == api[k], f"{where}: {k} on the page {page[k]} is the API's {api[k]}")
        check(near(api[k], mine[k]), f"{where}: {k} {api[k]} is the posted ratings' {mine[k]}")
    check(int(page["ratings"]) == api["ratings"] == mine["ratings"], f"{where}: ratings {page['ratings']}")


def download(d, hq, link_id, api_path, cookie, dl_dir, volatile=()):
    # A fresh directory each time: the same file name twice would be overwritten, not added.
    dl_dir = tempfile.mkdtemp(dir=dl_dir)
    d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": dl_dir})
    before = set()
    link = d.find_element("id", link_id)
    href = link.get_attribute("href")
    link.click()

    def done(_):
        new = [f for f in set(os.listdir(dl_dir)) - before if not f.endswith(".crdownload")]
        return new[0] if new else None
    name = wait(d, done, f"the download of {link_id}")
    with open(os.path.join(dl_dir, name), "rb") as f:
        got = f.read()
    st, h, want = hq.request("GET", api_path, cookie=cookie)
    check(st == 200 and h["content-type"].startswith("text/csv"), f"{api_path} is CSV")
    check(urllib.parse.urlparse(href).path + "?" + urllib.parse.urlparse(href).query == api_path,
          f"{link_id} links {api_path}")
    if not volatile:
        check(got == want, f"{link_id}: the downloaded {name} is the API's CSV ({len(got)} bytes)")
        return got
    # Columns that move with the clock (seconds since the last batch) may differ by the seconds between the two reads.
    import csv
    import io
    a = list(csv.DictReader(io.StringIO(got.decode())))
    b = list(csv.DictReader(io.StringIO(want.decode())))
    same = got.split(b"\r\n", 1)[0] == want.split(b"\r\n", 1)[0] and len(a) == len(b) and all(
        {k: v for k, v in x.items() if k not in volatile} == {k: v for k, v in y.items() if k not in volatile} and
        all(abs(int(x[k] or 0) - int(y[k] or 0)) <= 300 for k in volatile) for x, y in zip(a, b))
    check(same, f"{link_id}: the downloaded {name} is the API's CSV ({len(a)} rows; {', '.join(volatile)} "
          "as of each read)")
    return got


def keyboard(d, where, must):
    """Tabs through the page from the top; every selector in must is reached, focus visibly outlined."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    d.refresh()  # from the top of a fresh page: the first Tab lands on its first control
    drawn(d)
    reached, outlines = set(), []
    for _ in range(80):
        ActionChains(d).send_keys(Keys.TAB).perform()
        info = js(d, """var e = document.activeElement, s = getComputedStyle(e);
            return [e.id, e.tagName, e.className, e.getAttribute('data-period'), s.outlineStyle, s.outlineWidth,
                    !!e.closest('thead'), e.matches(':focus'), document.hasFocus(), e.matches('input:focus')];""")
        if info[1] == "BODY":
            break
        for sel, test in must.items():
            if test(info):
                reached.add(sel)
        if info[4] == "none" or info[5] in ("0px", ""):
            outlines.append(info)
    for sel in must:
        check(sel in reached, f"{where}: the keyboard reaches {sel}")
    check(reached and not outlines, f"{where}: every focused control shows a focus outline {outlines[:3]}")


CONTRAST_JS = """
function parse(c) {
    var m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    var p = m[1].split(',').map(parseFloat);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function lum(p) {
    var c = [p[0], p[1], p[2]].map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
function bg(e) {
    for (; e; e = e.parentElement) {
        var b = parse(getComputedStyle(e).backgroundColor);
        if (b && b[3] > 0.99) return b;
    }
    return [255, 255, 255, 1];
}
var bad = [], n = 0;
document.querySelectorAll('body *').forEach(function (e) {
    if (!Array.from(e.childNodes).some(function (t) { return t.nodeType === 3 && t.textContent.trim(); })) return;
    var r = e.getBoundingClientRect(), s = getComputedStyle(e);
    if (!r.width || !r.height || s.visibility === 'hidden' || e.closest('.sr, .skip')) return;
    var l1 = lum(parse(s.color)), l2 = lum(bg(e));
    var ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    n++;
    if (ratio < 4.5) bad.push([e.tagName, e.className, e.textContent.slice(0, 30), s.color, bg(e).join(','), ratio.toFixed(2)]);
});
return [n, bad];
"""


def contrast(d, where):
    """Every visible piece of text is at least 4.5:1 against the background it sits on (WCAG AA)."""
    n, bad = js(d, CONTRAST_JS)
    check(n > 20 and not bad, f"{where}: all {n} texts at least 4.5:1 against their background {bad[:3]}")


def screenshot(d, name, w, h, full=False):
    dashlib.viewport(d, w, h)
    js(d, "window.dispatchEvent(new Event('resize')); window.scrollTo(0, 0);")
    drawn(d)
    path = os.path.join(SHOTS, f"dashboard-{name}-{w}x{h}.png")
    d.save_screenshot(path)
    check(os.path.getsize(path) > 10000, f"screenshot {path}")
    if full:
        # The whole page at that width, as a manager scrolls through it.
        size = js(d, "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        shot = d.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                 "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}})
        path = os.path.join(SHOTS, f"dashboard-{name}-{w}-full.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        check(size[0] == w, f"{name} at {w} px wide: nothing wider than the screen ({size[0]} px); whole page in {path}")


REFLOW_JS = """
var t = document.getElementById(arguments[0]), wrap = t.closest('.table-wrap'), w = wrap.getBoundingClientRect();
var cells = Array.from(t.querySelectorAll('tbody tr > [data-key]')), cols = t.querySelectorAll('thead th').length;
return {display: getComputedStyle(t).display, cols: cols, rows: t.querySelectorAll('tbody tr').length,
        scroll: [wrap.scrollWidth, wrap.clientWidth],
        cells: cells.map(function (c) {
            var r = c.getBoundingClientRect(), b = getComputedStyle(c, '::before').content;
            return [c.getAttribute('data-key'), c.getAttribute('data-label'), b, r.width > 0 && r.height > 0,
                    r.left >= w.left - 1 && r.right <= w.right + 1, c.textContent.trim(), getComputedStyle(c).display];
        })};
"""


def page_fits(d, where):
    size = js(d, "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    check(size[0] <= size[1], f"{where} at 390x844: nothing scrolls sideways (scrollWidth {size[0]} <= {size[1]})")


def phone(d, hq, pq):
    """At 390x844 no page is wider than the screen, and the wide tables are cards with every column shown."""
    dashlib.viewport(d, 390, 844)
    try:
        tables = {f"/?{pq}": ["ranking", "regions"], "/fleet": ["fleet"],
                  f"/store?store={urllib.parse.quote('Berlin Mitte')}&{pq}": [], "/alerts": []}
        for path, ids in tables.items():
            open_page(d, hq, path)
            page_fits(d, path)
            for t in ids:
                r = js(d, REFLOW_JS, t)
                check(r["display"] == "block" and r["scroll"][0] <= r["scroll"][1] and r["rows"] > 0,
                      f"{path} at 390 px: #{t} is cards, nothing to scroll sideways ({r['scroll'][0]} <= {r['scroll'][1]})")
                bad = [c for c in r["cells"] if not (c[3] and c[4] and c[2] == json.dumps(c[1]) and c[5])]
                check(len(r["cells"]) == r["rows"] * r["cols"] and not bad,
                      f"{path} at 390 px: #{t}: all {r['cols']} columns of its {r['rows']} rows shown, each after its "
                      f"label, inside the screen {bad[:3]}")
        open_page(d, hq, f"/?{pq}")
        labels = [c[1] for c in js(d, REFLOW_JS, "ranking")["cells"][:9]]
        check(len(set(labels)) == len(labels) and "Happy Index, change" in labels,
              f"the ranking's card lines each say what they are {labels}")
        dashlib.viewport(d, 1366, 768)
        for path, t in ((f"/?{pq}", "ranking"), ("/fleet", "fleet")):
            open_page(d, hq, path)
            r = js(d, REFLOW_JS, t)
            check(r["display"] == "table" and all(c[6] in ("table-cell",) and c[2] in ("none", "normal") for c in r["cells"]),
                  f"{path} at 1366 px: #{t} is a table, no labels in its cells")
    finally:
        dashlib.viewport(d, 1366, 768)


GUESSED = ("/fleet.html", "/nothing")  # their 404s are the browser console's only errors


def not_found(d, hq):
    """A guessed address in the browser: the page not found, in the dashboard's style, its link to the overview."""
    dashlib.viewport(d, 390, 844)
    for path in GUESSED:
        d.get(hq.url(path))
        wait(d, lambda x: x.find_elements("id", "not-found"), f"the page not found at {path}")
        style = js(d, "return [getComputedStyle(document.querySelector('header.top')).backgroundColor, "
                      "getComputedStyle(document.getElementById('not-found')).borderRadius]")
        check(d.title == "Page not found · Tally" and "no page at this address" in d.find_element("id", "not-found").text
              and style == ["rgb(31, 78, 121)", "10px"], f"{path} in the browser: the page not found, in the dashboard's style {style}")
    page_fits(d, "the page not found")
    dashlib.viewport(d, 1366, 768)
    d.find_element("id", "to-overview").click()
    wait(d, lambda x: urllib.parse.urlparse(x.current_url).path == "/" and drawn(x), "the overview from the page not found")
    check(d.find_elements("id", "card-happy"), "the page not found links to the overview, which opens")


def noscript(d, hq, cookie, dl):
    """With JavaScript off each page says what needs it and what works without it, not "Loading…" forever."""
    for path in ("/store?store=M%C3%BCnchen", "/", "/fleet", "/alerts"):
        d.get(hq.url(path))
        wait(d, lambda x: x.find_elements("id", "noscript"), f"the page {path} without JavaScript")
        box = d.find_element("id", "noscript")
        loading = [e for e in d.find_elements("css selector", ".loading") if e.is_displayed()]
        check(box.is_displayed() and "needs JavaScript" in box.text and "CSV" in box.text and "report by mail" in box.text
              and not loading and d.find_element("css selector", "nav .brand").is_displayed(),
              f"no JavaScript: {path} says what needs it and what works without it, no 'Loading…'")
    # Its link leads to the one page that lists what works without JavaScript.
    d.find_element("id", "noscript-more").click()
    wait(d, lambda x: urllib.parse.urlparse(x.current_url).path == "/no-javascript" and x.find_elements("id", "without-js"),
         "the page of what works without JavaScript")
    check("CSV" in d.find_element("id", "without-js").text and len(d.find_elements("css selector", "#without-js a[download]")) == 5,
          "no JavaScript: /no-javascript lists the five CSV downloads")
    # What it offers works: a CSV link, clicked with JavaScript off, is the API's CSV.
    download(d, hq, "noscript-stores-7d", "/api/v1/overview?period=7d&format=csv&table=stores", cookie, dl)
    download(d, hq, "noscript-fleet", "/api/v1/fleet?format=csv", cookie, dl, volatile=("silent_s",))


def login_without_js(hq, dl):
    """The login form as a plain HTML form: chromium with JavaScript off posts it, head office answers 303."""
    d = dashlib.browser(javascript=False)
    try:
        user, path = "muc", "/store?store=M%C3%BCnchen"
        pw = dashlib.USERS[user][0]
        d.get(hq.url(path))
        wait(d, lambda x: urllib.parse.urlparse(x.current_url).path == "/login" and x.find_elements("id", "user"),
             "the login page (no JavaScript)")
        check(urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query).get("next") == [path]
              and not d.find_element("id", "wrong").is_displayed(), "no JavaScript: the page sends to /login?next=, no error shown")
        d.find_element("id", "user").send_keys(user)
        d.find_element("id", "password").send_keys("wrong-" + pw)
        d.find_element("id", "login-submit").click()
        wait(d, lambda x: urllib.parse.urlparse(x.current_url).fragment == "wrong", "back at /login#wrong")
        check(d.find_element("id", "wrong").is_displayed() and "Wrong user name or password" in d.find_element("id", "wrong").text
              and not d.find_element("id", "limited").is_displayed() and d.get_cookie("tally_session") is None,
              "no JavaScript: a wrong password comes back to the form, said so, no session")
        d.find_element("id", "user").clear()
        d.find_element("id", "user").send_keys(user)
        d.find_element("id", "password").send_keys(pw)
        d.find_element("id", "login-submit").click()
        wait(d, lambda x: urllib.parse.urlparse(x.current_url).path == "/store", "the store page after the form")
        got = urllib.parse.urlparse(d.current_url)
        check(urllib.parse.parse_qs(got.query) == {"store": ["München"]}, f"no JavaScript: back at {path} after logging in")
        cookie = d.get_cookie("tally_session")
        check(cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", "no JavaScript: the session cookie, HttpOnly, SameSite=Strict")
        st, _, data = hq.request("GET", "/api/v1/session", cookie=cookie["value"])
        check(st == 200 and json.loads(data)["user"] == user, "no JavaScript: the cookie is a live session of muc")
        # JavaScript was off indeed: the page's script never drew it.
        check(d.find_elements("css selector", "#content .loading") and not d.find_elements("css selector", "#content table"),
              "no JavaScript: the page was not drawn by a script (JavaScript was off)")
        noscript(d, hq, cookie["value"], dl)
    finally:
        d.quit()


def main():
    os.makedirs(SHOTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="tally-dash-")
    dl = os.path.join(work, "downloads")
    os.makedirs(dl)
    hq = dashlib.Hq(HQ_BIN, work)
    hq.start()
    d = None
    try:
        rows = dashlib.seed(hq)
        check(len(rows) > 300, f"posted {len(rows)} ratings of four kiosks in three stores")
        try:
            d = dashlib.browser(dl)
        except Exception as e:
            raise AssertionError(f"chromium cannot start through chromium-driver: {e}")
        t0 = dashlib.today()
        fr, to = (t0 - datetime.timedelta(days=10)).isoformat(), (t0 - datetime.timedelta(days=1)).isoformat()
        pq = f"from={fr}&to={to}"
        in_period = [r for r in rows if fr <= r["day"].isoformat() <= to]
        for user, (_, _, sees) in dashlib.USERS.items():
            mine_rows = [r for r in in_period if r["store"] in sees]
            cookie = login(d, hq, user, f"/?{pq}")
            api = hq.get_json(f"/api/v1/overview?{pq}", cookie)
            # --- overview ---
            compare_figures(f"{user} overview", cards(d), api["chain"], dashlib.figures(mine_rows))
            check(apart(d) == {k: api["chain"][k] for k in ("misuse", "closed", "unknown_time")} ==
                  {k: dashlib.figures(mine_rows)[k] for k in ("misuse", "closed", "unknown_time")},
                  f"{user} overview: misuse, closed and unknown-time presses apart, as posted")
            stores = column(d, "ranking", "store")
            check(stores == [s["store"] for s in api["stores"]], f"{user}: the ranking is the API's order {stores}")
            check(set(stores) == sees, f"{user} sees exactly the stores of the role: {sorted(sees)}")
            for s in api["stores"]:
                check(near(s["happy_index"], dashlib.figures([r for r in mine_rows if r["store"] == s["store"]])["happy_index"]),
                      f"{user}: {s['store']}'s Happy Index {s['happy_index']} is its ratings'")
            his = [num(v) for v in column(d, "ranking", "happy_index")]
            check(his == [s["happy_index"] for s in api["stores"]], f"{user}: the ranking's Happy Index column is the API's")
            check(js(d, "return document.querySelectorAll('.asof').length") >= 3, f"{user}: 'As of' under the figures")
            text = d.find_element("id", "main").text
            hidden = [s for s in dashlib.STORES if s not in sees and s in text]
            check(not hidden, f"{user}: no other store's name anywhere on the overview ({hidden})")
            # Sorting: a header is a button; pressed twice it reverses.
            btn = d.find_element("css selector", "#ranking thead th[data-key=ratings] button")
            btn.click()
            counts = [int(v) for v in column(d, "ranking", "ratings")]
            check(counts == sorted(counts, reverse=True), f"{user}: sorted by ratings, most first {counts}")
            btn.click()
            counts = [int(v) for v in column(d, "ranking", "ratings")]
            check(counts == sorted(counts) and
                  js(d, "return document.querySelector('#ranking th[data-key=ratings]').getAttribute('aria-sort')") == "ascending",
                  f"{user}: pressed again, fewest first, aria-sort says so")
            download(d, hq, "ranking-csv", f"/api/v1/overview?{pq}&format=csv&table=stores", cookie, dl)
            if user == "boss":
                open_page(d, hq, f"/?{pq}")
                screenshot(d, "overview", 1366, 768)
                contrast(d, "overview at 1366x768")
                screenshot(d, "overview", 390, 844)
                contrast(d, "overview at 390x844")
                dashlib.viewport(d, 1366, 768)
                keyboard(d, "overview", {
                    "the skip link": lambda i: "skip" in (i[2] or ""),
                    "the period buttons": lambda i: i[3] == "7d",
                    "a sortable header": lambda i: i[6],
                    "a CSV link": lambda i: i[0] == "ranking-csv",
                    "Log out": lambda i: i[0] == "logout"})
                from selenium.webdriver.common.keys import Keys
                b = d.find_element("css selector", "#ranking thead th[data-key=store] button")
                b.send_keys(Keys.ENTER)
                check(js(d, "return document.querySelector('#ranking th[data-key=store]').getAttribute('aria-sort')") == "ascending",
                      "Enter on a header sorts by it")
                # The browser's locale: German writes a decimal comma, and the page follows.
                d.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": "de-DE"})
                open_page(d, hq, f"/?{pq}")
                big = d.find_element("css selector", "#card-happy .big").text
                check(big == f"{api['chain']['happy_index']:.1f}".replace(".", ","), f"de-DE: Happy Index reads {big}")
                # The range's dates read in the page's locale beside the native inputs (which follow the browser's UI
                # language instead), and follow a new pick at once.
                fmt = "new Intl.DateTimeFormat(arguments[0], {day: 'numeric', month: 'short', year: 'numeric'}).format(new Date(arguments[1], arguments[2] - 1, arguments[3]))"
                ymd = lambda s: [int(x) for x in s.split("-")]
                de_from, en_from = js(d, "return " + fmt, "de-DE", *ymd(fr)), js(d, "return " + fmt, "en-GB", *ymd(fr))
                got_from, got_to = d.find_element("id", "range-from-text").text, d.find_element("id", "range-to-text").text
                check(got_from == de_from != en_from and got_to == js(d, "return " + fmt, "de-DE", *ymd(to)),
                      f"de-DE: the range reads {got_from} – {got_to} beside its inputs (en-GB would be {en_from})")
                js(d, "var i = document.getElementById('range-from'); i.value = '2024-03-05'; i.dispatchEvent(new Event('input'));")
                got = d.find_element("id", "range-from-text").text
                check(got == js(d, "return " + fmt, "de-DE", 2024, 3, 5), f"de-DE: a new pick reads {got}")
                d.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": "en-GB"})
            # --- the store page, for each store the user may see ---
            for store in sorted(sees):
                err = open_page(d, hq, f"/store?store={urllib.parse.quote(store)}&{pq}")
                check(not err, f"{user}: the page of {store} loads")
                sapi = hq.get_json(f"/api/v1/store?store={urllib.parse.quote(store)}&{pq}", cookie)
                srows = [r for r in mine_rows if r["store"] == store]
                compare_figures(f"{user} {store}", cards(d), sapi["totals"], dashlib.figures(srows))
                check(apart(d) == {k: sapi["totals"][k] for k in ("misuse", "closed", "unknown_time")} ==
                      {k: dashlib.figures(srows)[k] for k in ("misuse", "closed", "unknown_time")},
                      f"{user} {store}: misuse, closed and unknown-time presses apart, as posted")
                check(column(d, "areas", "area") == [a["area"] for a in sapi["areas"]] and
                      column(d, "kiosks", "kiosk") == [k["kiosk"] for k in sapi["kiosks"]],
                      f"{user} {store}: areas and kiosks side by side, as the API lists them")
                for a in sapi["areas"]:
                    f = dashlib.figures([r for r in srows if r["area"] == a["area"]])
                    check(a["ratings"] == f["ratings"] and (a["happy_index"] is None or near(a["happy_index"], f["happy_index"])),
                          f"{user} {store}: area {a['area']} as posted")
                cell = max(sapi["heatmap"], key=lambda c: c["ratings"])
                shown = js(d, "var c = document.querySelector('#heatmap td[data-weekday=\"' + arguments[0] + '\"][data-hour=\"' + arguments[1] + '\"]');"
                              "return c && [c.getAttribute('data-value'), c.getAttribute('data-ratings'), c.textContent];",
                           cell["weekday"], cell["hour"])
                crow = [r for r in srows if r["flags"] == 0 and r["synced"] and r["hour"] == cell["hour"] and
                        (r["day"].isoweekday() % 7) == cell["weekday"]]
                check(shown and num(shown[0]) == cell["happy_index"] and int(shown[1]) == cell["ratings"] == len(crow) and
                      near(cell["happy_index"], dashlib.figures(crow)["happy_index"]) and shown[2] == str(int(cell["happy_index"] + 0.5)),
                      f"{user} {store}: the heat map's weekday {cell['weekday']} {cell['hour']}:00 cell holds "
                      f"{cell['happy_index']} of {cell['ratings']} ratings (page {shown}, posted {len(crow)}: "
                      f"{dashlib.figures(crow)['happy_index']})")
                faces = column(d, "faces", "label")
                check(faces == [f["label"] for f in sapi["faces"]] and faces[0].startswith("very positive"),
                      f"{user} {store}: faces best first {faces}")
                counted = [r for r in srows if r["flags"] == 0 and r["synced"]]
                check([int(v) for v in column(d, "faces", "count")] ==
                      [sum(1 for r in counted if r["value"] == f["value"]) for f in sapi["faces"]],
                      f"{user} {store}: each face's count as posted")
                check(js(d, "return !!document.querySelector('#trend-chart canvas')"), f"{user} {store}: the daily trend is drawn")
                # Each chart-like table reads as a chart: the heat map's thin cells ringed and its key a scale, the
                # faces' bars each the face's share of a track that is the whole 100 %.
                thin = js(d, "return Array.from(document.querySelectorAll('#heatmap td[data-ratings]')).map(function (c) {"
                             " return [+c.getAttribute('data-ratings'), c.classList.contains('few')]; })")
                check(thin and all(few == (n < 3) for n, few in thin) and any(n < 3 for n, _ in thin) == any(f for _, f in thin),
                      f"{user} {store}: heat-map cells of fewer than 3 ratings, and only those, are marked ({sum(f for _, f in thin)} of {len(thin)})")
                key = d.find_element("id", "heat-legend").text
                check("Happy Index" in key and "0" in key and "100" in key and "no ratings" in key and "fewer than 3" in key,
                      f"{user} {store}: the heat map's key names the scale, empty and thin cells")
                bars = js(d, "return Array.from(document.querySelectorAll('#faces .facetrack')).map(function (t) {"
                             " return t.firstChild.getBoundingClientRect().width / t.getBoundingClientRect().width; })")
                check(len(bars) == len(sapi["faces"]) and all(abs(b - max(f["share_pct"] or 0, 0) / 100) < 0.03 or
                                                          (f["share_pct"] or 0) < 2 for b, f in zip(bars, sapi["faces"])),
                      f"{user} {store}: each face's bar is its share of a 100 % track {[round(b, 3) for b in bars]}")
                if user == "nord" and store == "Hamburg":
                    download(d, hq, "trend-csv", f"/api/v1/store?store=Hamburg&{pq}&format=csv&table=trend", cookie, dl)
                    screenshot(d, "store", 390, 844, full=True)
                    contrast(d, "store page at 390x844")
                    dashlib.viewport(d, 1366, 768)
                if user == "boss" and store == "Berlin Mitte":
                    screenshot(d, "store", 1366, 768, full=True)
                    contrast(d, "store page at 1366x768")
            # Another store by its URL: refused, said so, no figures.
            for other in sorted(set(dashlib.STORES) - sees):
                err = open_page(d, hq, f"/store?store={urllib.parse.quote(other)}&{pq}")
                check(bool(err) and "is not among the stores you may see" in err,
                      f"{user}: {other} by its URL is refused, said so ({err})")
                check(not js(d, "return !!document.querySelector('#card-happy')"), f"{user}: and no figures of {other} shown")
                opts = js(d, "return Array.from(document.querySelectorAll('#store-pick option')).map(function (o) { return o.value; })")
                check(set(opts) == sees, f"{user}: the store list holds the role's stores only {opts}")
            # --- fleet ---
            open_page(d, hq, "/fleet")
            fapi = hq.get_json("/api/v1/fleet", cookie)
            kiosks = column(d, "fleet", "kiosk")
            check(kiosks == [k["kiosk"] for k in fapi["kiosks"]], f"{user}: the fleet in the API's order {kiosks}")
            check({k["store"] for k in fapi["kiosks"]} <= sees and
                  set(kiosks) == {k for s in sees for k, _, _ in dashlib.STORES[s][1]},
                  f"{user}: the fleet holds the kiosks of the role's stores only")
            if "Hamburg" in sees:
                check(kiosks[0] == "k-hh-2" and js(d, "return !!document.querySelector('#fleet [data-why=never]')"),
                      f"{user}: the kiosk that never posted comes first, said so")
            if user == "boss":
                download(d, hq, "fleet-csv", "/api/v1/fleet?format=csv", cookie, dl, volatile=("silent_s",))
                screenshot(d, "fleet", 1366, 768)
                contrast(d, "fleet at 1366x768")
                screenshot(d, "fleet", 390, 844)
                dashlib.viewport(d, 1366, 768)
                phone(d, hq, pq)
                not_found(d, hq)
            # --- logout, from this page ---
            d.find_element("id", "logout").click()
            wait(d, lambda x: urllib.parse.urlparse(x.current_url).path == "/login", "the login page after Log out")
            st, _, _ = hq.request("GET", "/api/v1/session", cookie=cookie)
            check(st == 401, f"{user}: logged out, the session is over (401)")
            d.get(hq.url("/fleet"))
            wait(d, lambda x: urllib.parse.urlparse(x.current_url).path == "/login", "/login again")
            check(True, f"{user}: after Log out a page sends to /login again")
        login_without_js(hq, dl)
        logs = [e for e in d.get_log("browser") if e.get("level") == "SEVERE" and "favicon" not in e.get("message", "")
                and "401" not in e.get("message", "") and "403" not in e.get("message", "")
                and not any(e.get("message", "").startswith(hq.url(p) + " ") for p in GUESSED)]
        check(not logs, f"no script errors in the browser's console {logs[:3]}")
    finally:
        if d:
            d.quit()
        hq.stop()
    log = hq.log()
    check("ERROR: AddressSanitizer" not in log and "runtime error" not in log, "tally-hq ran clean under ASan/UBSan")


if __name__ == "__main__":
    main()
