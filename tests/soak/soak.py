#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""soak: the whole chain for a long time, under faults and restarts.

A real tally-kiosk (release build, SDL offscreen, -v) is pressed 10 times a
second through its simulated chip's FIFO; tally-sync sends its ratings
through tests/e2e/faultproxy.py (random drops, delays, cut connections and
500s) to a real tally-hq on SQLite. Every daemon is restarted at intervals,
alternately with SIGTERM and SIGKILL. Every SAMPLE_S the soak samples each
process's RSS and open descriptors, the sizes of both databases and their
WALs, and the unsynced backlog, and prints a line.

At the end presses stop, the link is made clean, the backlog drains, and
the soak checks:
  - every press the kiosk acknowledged (its -v line "rating N: face F ..."
    is logged after the commit, before the thank-you) is in the kiosk's
    store with that value, and at head office exactly once with that value;
  - the kiosk's seqs run 1..N without a gap, head office holds exactly them;
  - nothing grew without levelling off: for RSS and descriptors of each
    daemon, the WAL sizes and the bytes per rating of each database, the
    highest sample of the last third of the run is at most the highest of
    the middle third plus a tolerance (10 % and a small absolute slack);
    the unsynced backlog, a queue that rises with every outage and falls
    after it, comes down to 500 rows at least once in the last third.
Exit status 0 only if all hold. Processes are tracked by their pids.

usage: soak.py BUILD_DIR [--seconds S] [--sample-s S] [--out DIR]
"""
import argparse
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RATING_RE = re.compile(r"rating (\d+): face (\d+) of \d+ by button")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(cond, what, limit_s=120):
    end = time.monotonic() + limit_s
    while not cond():
        if time.monotonic() > end:
            raise SystemExit(f"soak: {what} within {limit_s} s")
        time.sleep(0.1)


def healthy(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def nfds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def fsize(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class Proc:
    """One daemon: how to start it, its current pid, and its restarts."""

    def __init__(self, name, argv, log, env, ready=None):
        self.name, self.argv, self.log, self.env, self.ready = name, argv, log, env, ready
        self.p = None
        self.restarts = {"TERM": 0, "KILL": 0}
        self.lock = threading.Lock()

    def start(self):
        with open(self.log, "a") as log:
            self.p = subprocess.Popen(self.argv, stdout=log, stderr=log, env=self.env)
        if self.ready:
            def up():
                if self.p.poll() is not None:
                    raise SystemExit(f"soak: {self.name} exited {self.p.returncode} at start; see {self.log}")
                return self.ready(self.p.pid)
            wait_for(up, f"{self.name} not ready")

    def pid(self):
        return self.p.pid if self.p and self.p.poll() is None else None

    def stop(self, sig):
        p = self.p
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                raise SystemExit(f"soak: {self.name} (pid {p.pid}) ignored signal {sig} for 60 s")
        if sig == signal.SIGTERM and p.returncode != 0:
            raise SystemExit(f"soak: {self.name} exited {p.returncode} on SIGTERM; see {self.log}")

    def restart(self, kill):
        with self.lock:
            self.stop(signal.SIGKILL if kill else signal.SIGTERM)
            self.restarts["KILL" if kill else "TERM"] += 1
            self.start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seconds", type=float, default=3600)
    ap.add_argument("--sample-s", type=float, default=None)
    ap.add_argument("--rate", type=float, default=10.0, help="presses per second")
    ap.add_argument("--out", default=None, help="keep the run's files here")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    duration = a.seconds
    sample_s = a.sample_s or min(60.0, max(2.0, duration / 12))
    # Restarts: each daemon several times an hour, staggered; scaled down for short runs.
    every = {"kiosk": min(420.0, duration / 4), "sync": min(300.0, duration / 5), "hq": min(660.0, duration / 3)}
    work = a.out or tempfile.mkdtemp(prefix="tally-soak-")
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ)
    env["SDL_VIDEODRIVER"] = "offscreen"
    env["SDL_AUDIODRIVER"] = "dummy"
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(k, None)
    env["no_proxy"] = "*"

    hq_db, kdb = f"{work}/hq.db", f"{work}/kiosk/tally.db"
    fifo = f"{work}/buttons.fifo"
    os.makedirs(f"{work}/kiosk", exist_ok=True)
    out = subprocess.run([f"{build}/tally-hq", "--db", hq_db, "kiosk", "add", "--id", "soak-kiosk",
                          "--store", "Soak Store", "--area", "Counter"], capture_output=True, text=True, env=env)
    token = next((l.split()[-1] for l in out.stdout.splitlines() if l.startswith("token")), None)
    if not token:
        raise SystemExit(f"soak: tally-hq kiosk add printed no token: {out.stdout} {out.stderr}")
    hq_port = free_port()
    mode_file, port_file = f"{work}/proxy.mode", f"{work}/proxy.port"
    with open(mode_file, "w") as f:
        f.write("random:0.3\n")
    with open(f"{work}/kiosk.ini", "w") as f:
        # worst-first: face N (the -v line's, by button index) is value N - 1, as the checks below read it.
        f.write("[kiosk]\nid = soak-kiosk\ndatabase = %s\n[screen]\nface_order = worst-first\nthanks_s = 0.2\n"
                "highlight_s = 0\n" % kdb)
        for i in range(4):
            f.write(f"[button.{i + 1}]\nchip = sim:{fifo}\nline = {i + 20}\n")
    os.mkfifo(fifo)

    procs = []
    try:
        hq = Proc("tally-hq", [f"{build}/tally-hq", "--db", hq_db, "--listen", f"127.0.0.1:{hq_port}"],
                  f"{work}/hq.log", env, ready=lambda pid: healthy(hq_port))
        procs.append(hq)
        hq.start()
        proxy = Proc("faultproxy", [sys.executable, f"{ROOT}/tests/e2e/faultproxy.py", "--upstream", str(hq_port),
                                    "--mode-file", mode_file, "--port-file", port_file,
                                    "--log", f"{work}/proxy.requests"], f"{work}/proxy.log", env,
                     ready=lambda pid: fsize(port_file) > 0)
        procs.append(proxy)
        proxy.start()
        with open(port_file) as f:
            proxy_port = int(f.read())
        with open(f"{work}/kiosk.ini", "a") as f:
            f.write(f"[sync]\nurl = http://127.0.0.1:{proxy_port}\ntoken = {token}\nconnect_timeout_s = 1\n"
                    "timeout_s = 3\nsummary_every_s = 0\n")
        status = f"{work}/kiosk/kiosk.status"

        def kiosk_up(pid):
            try:
                lines = open(status).read().splitlines()
            except OSError:
                return False
            return f"pid {pid}" in lines and "screen rating" in lines

        kiosk = Proc("tally-kiosk", [f"{build}/tally-kiosk", "--config", f"{work}/kiosk.ini", "--windowed",
                                     "800x480", "-v"], f"{work}/kiosk.log", env, ready=kiosk_up)
        procs.append(kiosk)
        kiosk.start()
        sync = Proc("tally-sync", [f"{build}/tally-sync", "--config", f"{work}/kiosk.ini"], f"{work}/sync.log", env)
        procs.append(sync)
        sync.start()

        stop = threading.Event()
        counts = {"written": 0, "skipped": 0}

        def presser():
            """10 presses a second through the FIFO; skipped while no kiosk reads it."""
            period = 1.0 / a.rate
            nxt = time.monotonic()
            last_t = 0
            while not stop.is_set():
                nxt += period
                line = 20 + random.randrange(4)
                # Records never overlap the previous press, even when this thread
                # falls behind on a busy machine (a down edge before the last
                # release would make both a glitch, not presses).
                t = max(time.monotonic_ns() // 1000, last_t + 60000)
                last_t = t + 40000
                rec = f"{line} 1 {t}\n{line} 0 {t + 40000}\n".encode()
                with kiosk.lock:
                    try:
                        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                        try:
                            os.write(fd, rec)
                            counts["written"] += 1
                        finally:
                            os.close(fd)
                    except OSError:
                        counts["skipped"] += 1
                delay = nxt - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                else:
                    nxt = time.monotonic()

        samples = []
        hdr = ("t_s kiosk_rss_kib kiosk_fds sync_rss_kib sync_fds hq_rss_kib hq_fds kiosk_db kiosk_wal "
               "hq_db hq_wal kiosk_rows hq_rows backlog")
        print(f"soak: {duration:.0f} s, {a.rate:g} presses/s, sample every {sample_s:.0f} s, files in {work}")
        print(hdr, flush=True)

        def rows(db, where):
            c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
            try:
                return c.execute(f"SELECT count(*) FROM ratings {where}").fetchone()[0]
            finally:
                c.close()

        def sample(t):
            s = [round(t)]
            for p in (kiosk, sync, hq):
                pid = p.pid()
                s += [rss_kib(pid) if pid else -1, nfds(pid) if pid else -1]
            s += [fsize(kdb), fsize(kdb + "-wal"), fsize(hq_db), fsize(hq_db + "-wal")]
            s += [rows(kdb, ""), rows(hq_db, ""), rows(kdb, "WHERE acked = 0")]
            samples.append(s)
            print(" ".join(str(x) for x in s), flush=True)

        th = threading.Thread(target=presser, daemon=True)
        th.start()
        t0 = time.monotonic()
        due = {k: t0 + v * (0.5 + 0.25 * i) for i, (k, v) in enumerate(every.items())}
        kills = {"kiosk": False, "sync": True, "hq": False}
        by_name = {"kiosk": kiosk, "sync": sync, "hq": hq}
        next_sample = t0 + sample_s
        while time.monotonic() - t0 < duration:
            now = time.monotonic()
            for name, when in due.items():
                if now >= when:
                    by_name[name].restart(kills[name])
                    kills[name] = not kills[name]
                    due[name] = time.monotonic() + every[name]
            for p in procs:
                # Restarts happen in this loop: a daemon found dead here died on its own.
                if p.p.poll() is not None:
                    raise SystemExit(f"soak: {p.name} died on its own ({p.p.returncode}); see {p.log}")
            if now >= next_sample:
                sample(now - t0)
                next_sample += sample_s
            time.sleep(0.2)
        stop.set()
        th.join()

        # Drain: a clean link, then every row delivered.
        with open(mode_file, "w") as f:
            f.write("pass\n")
        wait_for(lambda: rows(kdb, "WHERE acked = 0") == 0, "the backlog did not drain", 600)
        sample(time.monotonic() - t0)
        for p in (kiosk, sync, hq):
            p.stop(signal.SIGTERM)
        proxy.stop(signal.SIGKILL)

        # Acknowledged presses: every -v line of every kiosk run.
        acked = {}
        with open(kiosk.log, errors="replace") as f:
            for line in f:
                m = RATING_RE.search(line)
                if m:
                    seq, face = int(m.group(1)), int(m.group(2))
                    if seq in acked and acked[seq] != face - 1:
                        raise SystemExit(f"soak: seq {seq} acknowledged twice with different faces")
                    acked[seq] = face - 1
        k = dict(sqlite3.connect(kdb).execute("SELECT seq, value FROM ratings"))
        hqc = sqlite3.connect(hq_db)
        h = {}
        dups = 0
        for seq, value in hqc.execute("SELECT seq, value FROM ratings WHERE kiosk_id = 'soak-kiosk'"):
            dups += seq in h
            h[seq] = value
        failures = []
        lost = [s for s, v in acked.items() if k.get(s) != v]
        lost_hq = [s for s, v in acked.items() if h.get(s) != v]
        gaps = sorted(set(range(1, max(k) + 1)) - set(k)) if k else []
        if lost:
            failures.append(f"{len(lost)} acknowledged ratings missing or changed in the kiosk store, e.g. {lost[:5]}")
        if lost_hq:
            failures.append(f"{len(lost_hq)} acknowledged ratings missing or changed at head office, e.g. {lost_hq[:5]}")
        if dups:
            failures.append(f"{dups} ratings stored twice at head office")
        if gaps:
            failures.append(f"{len(gaps)} seqs missing in the kiosk store, e.g. {gaps[:5]}")
        if set(h) != set(k):
            failures.append(f"head office holds {len(h)} ratings, the kiosk {len(k)}: not the same seqs")
        for db in (kdb, hq_db):
            ok = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                failures.append(f"{db}: integrity_check says {ok}")

        # Growth that does not level off: last third against the middle third.
        cols = hdr.split()
        third = len(samples) // 3
        growth = []
        if third >= 1:
            def check(name, vals, rel=0.10, slack=0):
                mid, last = vals[third:2 * third], vals[2 * third:]
                mid, last = [v for v in mid if v >= 0], [v for v in last if v >= 0]
                if mid and last and max(last) > max(mid) * (1 + rel) + slack:
                    growth.append(f"{name} still growing: {max(mid)} in the middle third, {max(last)} in the last")
            for i, c in enumerate(cols):
                v = [s[i] for s in samples[:-1]]  # the drained sample is not part of the run
                if c.endswith("rss_kib"):
                    check(c, v, slack=2048)
                elif c.endswith("fds"):
                    check(c, v, rel=0, slack=3)
                elif c.endswith("wal"):
                    check(c, v, slack=1 << 20)
                elif c == "backlog":
                    # A queue, not a store: it rises with every outage the faults and restarts make
                    # and falls when the link lets it, so its peaks compare nothing. A sender that
                    # cannot keep up never catches up: the last third must come down to the slack once.
                    last = [x for x in v[2 * third:] if x >= 0]
                    if last and min(last) > 500:
                        growth.append(f"backlog never below {min(last)} in the last third: tally-sync falls behind")
            for db, rcol in (("kiosk_db", "kiosk_rows"), ("hq_db", "hq_rows")):
                i, j = cols.index(db), cols.index(rcol)
                per = [s[i] / s[j] if s[j] > 1000 else -1 for s in samples[:-1]]
                check(f"{db} bytes per rating", per, rel=0.10)
        failures += growth

        print()
        print(f"presses written {counts['written']} (the ones in the FIFO when the kiosk was stopped are never read), "
              f"skipped while no kiosk read the FIFO {counts['skipped']}")
        print(f"acknowledged by the kiosk {len(acked)}; kiosk store {len(k)} (seq 1..{max(k) if k else 0}); "
              f"head office {len(h)}, duplicates {dups}")
        for p in (kiosk, sync, hq):
            print(f"{p.name}: restarted {p.restarts['TERM']} times by SIGTERM, {p.restarts['KILL']} by SIGKILL")
        with open(f"{work}/proxy.requests") as f:
            modes = {}
            for line in f:
                m = line.split()[0]
                modes[m] = modes.get(m, 0) + 1
        print("proxy requests by mode: " + ", ".join(f"{m} {n}" for m, n in sorted(modes.items())))
        if failures:
            print("soak: FAIL")
            for f in failures:
                print("  " + f)
            return 1
        print("soak: ok (no acknowledged rating lost, none stored twice, no growth that did not level off)")
        return 0
    finally:
        for p in procs:
            if p.p and p.p.poll() is None:
                p.p.kill()
                p.p.wait()
        if not a.out:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
