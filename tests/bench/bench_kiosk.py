#!/usr/bin/env python3
"""Kiosk benchmarks: press to present, durable commit, startup to first
frame, memory (PSS) after startup, and idle CPU.

Runs the release build of tally-kiosk in a real X window under Xvfb when
xvfb-run exists (the software framebuffer path a desktop takes), else with
SDL's offscreen driver. Presses are scripted (--script): each key event is
pushed into SDL's queue and timed from that moment to the return of the
present that shows the lit face.

usage: bench_kiosk.py BUILD_DIR [--presses N] [--idle-s S]
"""
import json, os, shutil, subprocess, sys, tempfile, time

build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
presses = int(sys.argv[sys.argv.index("--presses") + 1]) if "--presses" in sys.argv else 1000
idle_s = float(sys.argv[sys.argv.index("--idle-s") + 1]) if "--idle-s" in sys.argv else 60
kiosk = os.path.join(build, "tally-kiosk")
work = tempfile.mkdtemp(prefix="tally-bench-")
env = dict(os.environ)
env.pop("TALLY_DATADIR", None)

def config(name, extra=""):
    path = os.path.join(work, name + ".conf")
    with open(path, "w") as f:
        f.write(f"[kiosk]\ndatabase = {work}/{name}.db\n[screen]\nthanks_s = 0.2\nhighlight_s = 0\n{extra}")
    return path

def under_display(args):
    """The command line, run in a real X window when Xvfb is available."""
    if shutil.which("xvfb-run"):
        return ["xvfb-run", "-a", "-s", "-screen 0 800x480x24"] + args
    env["SDL_VIDEODRIVER"] = "offscreen"
    return args

def pss_kib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return -1

def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])

def started_kiosk(args, pidfile):
    """Starts the kiosk (under xvfb-run it is a grandchild) through a shell
    that writes its own pid and then becomes the kiosk: the pid is the one
    we started, never another kiosk that happens to run on this machine."""
    inner = ["sh", "-c", 'echo $$ >"$0"; exec "$@"', pidfile] + args
    return subprocess.Popen(under_display(inner), env=env, stderr=subprocess.DEVNULL)

def wait_for(cond, what, limit_s=120):
    end = time.monotonic() + limit_s
    while not cond():
        if time.monotonic() > end:
            raise SystemExit(f"bench_kiosk: {what} within {limit_s} s")
        time.sleep(0.05)

def status_says(path, line):
    try:
        with open(path) as f:
            return line in f.read().splitlines()
    except OSError:
        return False

# 1. Press to present and durable commit, over N presses.
script = os.path.join(work, "presses")
with open(script, "w") as f:
    for i in range(presses):
        f.write(f"key {i % 4 + 1}\nwait 260\n")
    f.write("quit\n")
stats = os.path.join(work, "presses.json")
subprocess.run(under_display([kiosk, "--config", config("presses"), "--windowed", "800x480",
                              "--script", script, "--stats-out", stats]), env=env, check=True,
               stderr=subprocess.DEVNULL)
s = json.load(open(stats))
print(f"display path:            {s['display']}")
p = s["press_to_present_ms"]
print(f"press to present:        p50 {p['p50']:.2f} ms, p99 {p['p99']:.2f} ms, max {p['max']:.2f} ms over {p['n']} presses (goal p99 <= 16 ms)")
c = s["commit_ms"]
print(f"durable commit:          p50 {c['p50']:.2f} ms, p99 {c['p99']:.2f} ms over {c['n']} ratings (WAL, synchronous=FULL, fsync)")

# 2. Startup to first presented frame: exec of the process to the present.
starts = []
for i in range(10):
    quit_script = os.path.join(work, "quit")
    with open(quit_script, "w") as f:
        f.write("wait 50\nquit\n")
    out = os.path.join(work, f"start{i}.json")
    env_local = dict(env)
    env_local["SDL_VIDEODRIVER"] = env.get("SDL_VIDEODRIVER", "")
    args = under_display([kiosk, "--config", config("start"), "--windowed", "800x480", "--script", quit_script, "--stats-out", out])
    # Time from our exec of the kiosk itself; Xvfb's own startup is not the kiosk's.
    if args[0] == "xvfb-run":
        inner = os.path.join(work, "inner.sh")
        with open(inner, "w") as f:
            f.write('python3 -c "import time,os,sys; sys.stdout.write(str(time.monotonic_ns())); sys.stdout.flush(); os.execv(sys.argv[1], sys.argv[1:])" ' +
                    " ".join(f"'{a}'" for a in [kiosk, "--config", config("start"), "--windowed", "800x480", "--script", quit_script, "--stats-out", out]) + f" > {work}/t0\n")
        subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 800x480x24", "sh", inner], env=env, check=True, stderr=subprocess.DEVNULL)
        t0 = int(open(f"{work}/t0").read())
    else:
        t0 = time.monotonic_ns()
        subprocess.run(args, env=env, check=True, stderr=subprocess.DEVNULL)
    starts.append((json.load(open(out))["first_frame_mono_ns"] - t0) / 1e6)
starts.sort()
print(f"startup to first frame:  median {starts[len(starts)//2]:.1f} ms, worst {starts[-1]:.1f} ms over {len(starts)} starts, from exec (goal <= 100 ms)")

# 3. Memory after startup and idle CPU.
pidfile = os.path.join(work, "idle.pid")
proc = started_kiosk([kiosk, "--config", config("idle"), "--windowed", "800x480"], pidfile)
wait_for(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), "the kiosk did not start")
pid = int(open(pidfile).read())
# Up means its own status file (next to its database) says it shows the faces.
wait_for(lambda: status_says(os.path.join(work, "kiosk.status"), f"pid {pid}")
         and status_says(os.path.join(work, "kiosk.status"), "screen rating"), "the kiosk showed no faces")
pss = pss_kib(pid)
t0, c0 = time.monotonic(), cpu_ticks(pid)
time.sleep(idle_s)
t1, c1 = time.monotonic(), cpu_ticks(pid)
hz = os.sysconf("SC_CLK_TCK")
print(f"memory after startup:    PSS {pss / 1024:.1f} MiB (goal <= 30 MiB)")
print(f"idle CPU:                {100.0 * (c1 - c0) / hz / (t1 - t0):.3f}% of one core over {t1 - t0:.0f} s (goal <= 0.1%)")
os.kill(pid, 15)
try:
    proc.wait(timeout=60)
except subprocess.TimeoutExpired:
    os.kill(pid, 9)
    proc.wait()
    raise SystemExit("bench_kiosk: the kiosk did not stop on SIGTERM within 60 s")
shutil.rmtree(work)
