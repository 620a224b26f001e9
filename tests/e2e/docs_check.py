#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""docs_check: the documentation holds together (run by tests/e2e/docs.sh).

    tests/e2e/docs_check.py SCRATCH_DIR

For README.md and docs/*.md:

1. Every internal link resolves: a relative link names a file or folder of
   the repository, and a #fragment names a heading (GitHub's anchor rules)
   or an <a id> of the document it points into.
2. Every fenced code block says what it is: ```sh (commands), ```console
   (commands after "$ ", with their output), or anything else (```text,
   ```ini, ```json, ...), which holds no command.
3. Every command in an sh or console block runs in a test. The block is
   either marked on the line above its fence (blank lines between allowed):

       <!-- hardware-only: why -->       needs a Pi, root on a real system,
                                         systemd running the units, or
                                         another machine; not run
       <!-- run-by: tests/e2e/x.sh -->   another test runs it; checked here:
                                         the named files exist and name
                                         each command's program

   or it is unmarked, and this script runs it, in a scratch directory with
   the sanitizer-built programs first on PATH: an sh block as one script
   (sh -e), a console block command by command, each must exit 0
   (`tallyctl status` may exit 1: it says so when something needs
   attention; curl is told to fail on an HTTP error). What the commands name is made real first: the config
   /etc/tally/tally.conf is a scratch config of a kiosk store with a day of
   ratings (/var/lib/tally/tally.db) and two shifts, https://hq.example.com is a tally-hq
   on 127.0.0.1 (a free port; its database /var/lib/tally-hq/hq.db, also
   hq.db in the scratch directory)
   with the kiosk berlin-counter-1 registered ($TOKEN its token, $ADMIN the
   admin token), /tmp/tally-buttons.fifo is the simulated chip of a running
   kiosk (which must then store the button press). A block marked
   <!-- file: NAME --> is written as NAME into the document's scratch
   directory before its commands run (the API's batch.json).

Every `make TARGET` named anywhere in those blocks must also be a target
make knows (`make -n`).

4. What the programs say is what they say: every line of a block marked
   <!-- from-the-code --> (log lines, status lines, errors quoted in the
   troubleshooting guide) matches, whole, a message of the C sources in
   app/ and platform/, its printf conversions standing for any value
   (messages with fewer than 10 characters of their own are not used), or
   is a file path, ": " and such a message, as the store's errors are
   put together ("PATH: what[: why]").
5. Every document in docs/ opens with who it is for (its first paragraph
   after the title starts "For ...") and is linked from README.md.
"""
import os
import re
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("TALLY_BUILD", os.path.join(ROOT, "build"))
BIN = os.path.join(BUILD, "asan")
WORK = sys.argv[1] if len(sys.argv) > 1 else "/tmp/tally-docs-check"
COMMAND_BLOCKS = {"sh", "shell", "bash", "console"}
MARKER = re.compile(r"^\s*<!--\s*(hardware-only|run-by|file|from-the-code)\s*:?\s*(.*?)\s*-->\s*$")
# Words that start a shell line without naming a program worth checking.
SHELL_WORDS = {"for", "do", "done", "while", "if", "then", "else", "fi", "case", "esac", "echo", "cd", "export",
               "set", "sleep", "true", "false", "test", "[", "{", "}", "printf", "read", "exit", "wait"}

failures = []
counts = {"run here": 0, "run-by": 0, "hardware-only": 0}


def fail(where, msg):
    failures.append("%s: %s" % (where, msg))


def documents():
    docs = ["README.md"]
    d = os.path.join(ROOT, "docs")
    docs += sorted("docs/" + f for f in os.listdir(d) if f.endswith(".md"))
    return docs


# --- reading a document ---------------------------------------------------------

def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    s = re.sub(r"<[^>]+>", "", heading)
    s = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = s.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


class Block:
    def __init__(self, doc, line, info, body, marker):
        self.doc, self.line, self.info, self.body, self.marker = doc, line, info, body, marker

    def where(self):
        return "%s:%d" % (self.doc, self.line)


def parse(doc):
    """(anchors, links as (line, target), code blocks) of one document."""
    lines = open(os.path.join(ROOT, doc), encoding="utf-8").read().split("\n")
    anchors, links, blocks, seen = set(), [], [], {}
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)", line)
        if m:
            indent, fence, info = len(m.group(1)), m.group(2), m.group(3)
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not re.match(r"^\s*" + fence[0] + "{%d,}\\s*$" % len(fence), lines[i]):
                body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
                i += 1
            marker, j = None, start - 2
            while j >= 0 and lines[j].strip() == "":
                j -= 1
            if j >= 0:
                mm = MARKER.match(lines[j])
                if mm:
                    marker = (mm.group(1), mm.group(2))
            blocks.append(Block(doc, start, info, body, marker))
            i += 1
            continue
        h = re.match(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if h:
            base = slug(h.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            anchors.add(base if n == 0 else "%s-%d" % (base, n))
        for a in re.finditer(r"<a\s+(?:id|name)=\"([^\"]+)\"", line):
            anchors.add(a.group(1))
        text = re.sub(r"`[^`]*`", "", line)  # code spans hold no links
        for l in re.finditer(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", text):
            links.append((i + 1, l.group(1)))
        for l in re.finditer(r"(?:href|src)=\"([^\"]+)\"", text):
            links.append((i + 1, l.group(1)))
        r = re.match(r"^\s*\[[^\]]+\]:\s*(\S+)", text)
        if r:
            links.append((i + 1, r.group(1)))
        i += 1
    return anchors, links, blocks


# --- 1. links -------------------------------------------------------------------------

def check_links(parsed):
    for doc, (_, links, _) in parsed.items():
        for line, target in links:
            where = "%s:%d" % (doc, line)
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue  # http:, https:, mailto: leave the repository
            path, _, frag = target.partition("#")
            if path:
                full = os.path.normpath(os.path.join(ROOT, os.path.dirname(doc), path))
                if not (full + os.sep).startswith(ROOT + os.sep) and full != ROOT:
                    fail(where, "link %s leaves the repository" % target)
                    continue
                if not os.path.exists(full):
                    fail(where, "link %s: no such file" % target)
                    continue
                rel = os.path.relpath(full, ROOT)
            else:
                rel = doc
            if frag and rel.endswith(".md"):
                if rel not in parsed:
                    parsed[rel] = parse(rel)
                if frag not in parsed[rel][0]:
                    fail(where, "link %s: %s has no heading with the anchor #%s" % (target, rel, frag))


# --- 2. and 3. code blocks ----------------------------------------------------------------

def commands(block):
    """The commands of an sh or console block, backslash continuations joined."""
    out, cur = [], None
    for raw in block.body:
        line = raw.rstrip()
        if cur is not None:
            cur += "\n" + line
        elif block.info == "console":
            if not line.startswith("$ "):
                continue
            cur = line[2:]
        else:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cur = line
        if not cur.endswith("\\"):
            out.append(cur)
            cur = None
    if cur is not None:
        out.append(cur)
    return out


def programs(cmd):
    """The programs a command line starts (the first word of each part), sudo and VAR=x dropped."""
    progs = []
    for part in re.split(r"&&|\|\||;|\|", re.sub(r"\s+#.*", "", cmd)):
        words = part.split()
        while words and (words[0] == "sudo" or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
            words = words[1:]
        if words and words[0] not in SHELL_WORDS and not words[0].endswith("()"):
            progs.append((words[0], words[1:]))
    return progs


def clean_env():
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


def make_dry_run(block, cmd):
    """Each `make ...` of cmd run as `make -n ...`: its arguments and what make would run."""
    out = []
    for prog, args in programs(cmd):
        if prog != "make":
            continue
        try:
            args = shlex.split(" ".join(args))
        except ValueError:
            args = []
        r = subprocess.run(["make", "-n"] + args, cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120)
        if r.returncode != 0:
            fail(block.where(), "make %s: make does not know it: %s" % (" ".join(args), r.stderr.strip()[-300:]))
        out.append((args, r.stdout))
    return out


def check_run_by(block, cmds):
    """Each command is named by one of the tests (its program, a make target, a file it runs), or its
    make target runs one of them."""
    files = block.marker[1].split()
    if not files:
        fail(block.where(), "run-by names no test")
    texts = []
    for f in files:
        p = os.path.join(ROOT, f)
        if not os.path.isfile(p):
            fail(block.where(), "run-by %s: no such test" % f)
            continue
        texts.append(open(p, encoding="utf-8", errors="replace").read())
    for cmd in cmds:
        names = []
        for prog, args in programs(cmd):
            if prog == "make":
                targets = [a for a in args if not a.startswith("-") and "=" not in a]
                names += ["make " + " ".join(targets)] + [os.path.basename(t) for t in targets]
            else:
                names.append(os.path.basename(prog))
        named = any(n in t for n in names for t in texts)
        made = any(f in out for _, out in make_dry_run(block, cmd) for f in files)
        if texts and names and not (named or made):
            fail(block.where(), "run-by: %s do not run this: %s" % (" ".join(files), cmd.split("\n")[0]))


# --- 4. quoted messages ----------------------------------------------------------------------

CONVERSION = re.compile(r"%[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?(hh|h|ll|l|z|j|t|L)?([diouxXeEfgGcspm%])")
C_TOKEN = re.compile(r"//[^\n]*|/\*.*?\*/|'(?:[^'\\\n]|\\.)*'|\"((?:[^\"\\\n]|\\.)*)\"", re.S)


def c_unescape(lit):
    return re.sub(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)",
                  lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "ux" and len(m.group(1)) > 1
                  else {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), lit)


def source_messages():
    """Every string literal of the C sources (adjacent literals joined), as a regex, if it says enough."""
    found = []
    for top in ("app", "platform"):
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for n in names:
                if not n.endswith(".c"):
                    continue
                text = open(os.path.join(dirpath, n), encoding="utf-8", errors="replace").read()
                cur, end = None, -1
                for m in C_TOKEN.finditer(text):
                    if m.group(1) is None:
                        continue
                    lit = c_unescape(m.group(1))
                    if cur is not None and text[end:m.start()].strip() == "":
                        cur += lit
                    else:
                        if cur is not None:
                            found.append(cur)
                        cur = lit
                    end = m.end()
                if cur is not None:
                    found.append(cur)
    regexes = []
    # The store's errors are put together from parts: "PATH: what[: why]".
    whats = sorted({re.escape(f) for f in found if len(f) >= 10 and "%" not in f and "\n" not in f})
    regexes.append(re.compile(r"/\S+: (?:%s)(?:: .*)?" % "|".join(whats), re.S))
    for fmt in set(found):
        fmt = fmt.strip("\n")
        parts, pos, literal = [], 0, 0
        for c in CONVERSION.finditer(fmt):
            parts.append(re.escape(fmt[pos:c.start()]))
            literal += c.start() - pos
            conv = c.group(4)
            parts.append("%" if conv == "%" else r"-?\d+" if conv in "diouxXc" and conv != "c" else
                         r"-?[\d.]+(?:e[-+]?\d+)?" if conv in "eEfgG" else ".*")
            pos = c.end()
        parts.append(re.escape(fmt[pos:]))
        literal += len(fmt) - pos
        if literal >= 10:
            regexes.append(re.compile("".join(parts), re.S))
    return regexes


def check_quotes(parsed):
    regexes = None
    for doc in documents():
        for b in parsed[doc][2]:
            if not b.marker or b.marker[0] != "from-the-code":
                continue
            if regexes is None:
                regexes = source_messages()
            for k, line in enumerate(b.body):
                line = line.strip()
                if line and not any(r.fullmatch(line) for r in regexes):
                    fail("%s:%d" % (doc, b.line + k), "no program says this: %s" % line)


# --- the scratch world the commands run in -----------------------------------------------

class World:
    """One document's scratch directory and what its commands name, started on demand."""

    def __init__(self, doc):
        self.dir = os.path.join(WORK, doc.replace("/", "_"))
        os.makedirs(self.dir, exist_ok=True)
        self.bindir = os.path.join(WORK, "bin")
        os.makedirs(self.bindir, exist_ok=True)
        for p in ("tally-kiosk", "tally-sync", "tally-hq", "tallyctl"):
            link = os.path.join(self.bindir, p)
            if not os.path.exists(link) and os.path.exists(os.path.join(BIN, p)):
                os.symlink(os.path.join(BIN, p), link)
        self.env = dict(os.environ)
        self.env["PATH"] = self.bindir + os.pathsep + self.env.get("PATH", "")
        self.env["HOME"] = self.dir
        self.env["SDL_VIDEODRIVER"] = "offscreen"
        for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
            self.env.pop(k, None)
        self.env["no_proxy"] = "*"
        # curl answers an HTTP error with exit 22, not a page: a wrong example fails here.
        with open(os.path.join(self.dir, ".curlrc"), "w") as f:
            f.write("fail\n")
        self.subst = {}
        self.procs = []
        self.kiosk_db = None

    def prepare(self, text):
        if ("/etc/tally/tally.conf" in text or "/var/lib/tally/" in text) and "/etc/tally/tally.conf" not in self.subst:
            self.store()
        if ("hq.example.com" in text or "/var/lib/tally-hq/" in text or " hq.db" in text) \
                and "https://hq.example.com" not in self.subst:
            self.head_office()
        if "/tmp/tally-buttons.fifo" in text and "/tmp/tally-buttons.fifo" not in self.subst:
            self.button_kiosk()

    def store(self):
        """A kiosk's config (two shifts) and store with ratings, as /etc/tally/tally.conf names them."""
        db = os.path.join(self.dir, "tally.db")
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "demo_data.py"),
                            os.path.join(BIN, "tally-kiosk"), db, "4", "2026-03-10 16:40"],
                           env=self.env, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError("demo data: " + r.stderr[-500:])
        conf = os.path.join(self.dir, "tally.conf")
        with open(conf, "w") as f:
            f.write("[kiosk]\nid = berlin-mitte-1\nstore = Berlin Mitte\narea = Counter\n"
                    "timezone = Europe/Berlin\ndatabase = %s\n[screen]\nfaces = 4\n"
                    "[shifts]\nEarly = Mon-Sun 08:00-14:00\nLate = Mon-Sun 14:00-20:00\n" % db)
        self.subst["/etc/tally/tally.conf"] = conf
        self.subst["/var/lib/tally/tally.db"] = db

    def head_office(self):
        """tally-hq on a free port of 127.0.0.1 with berlin-counter-1; $TOKEN and $ADMIN."""
        hq, db = os.path.join(BIN, "tally-hq"), os.path.join(self.dir, "hq.db")
        add = subprocess.run([hq, "--db", db, "kiosk", "add", "--id", "berlin-counter-1", "--store", "Berlin Mitte",
                              "--area", "Counter", "--tz", "Europe/Berlin"], env=self.env, capture_output=True,
                             text=True, timeout=60)
        token = re.search(r"^token[: =]*(\S+)", add.stdout, re.M)
        admin = subprocess.run([hq, "--db", db, "admin-token"], env=self.env, capture_output=True, text=True,
                               timeout=60)
        if add.returncode or not token or admin.returncode or not admin.stdout.strip():
            raise RuntimeError("tally-hq setup: " + add.stderr[-300:] + admin.stderr[-300:])
        self.env["TOKEN"] = token.group(1)
        self.env["ADMIN"] = admin.stdout.split()[-1]
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        log = open(os.path.join(self.dir, "hq.log"), "w")
        self.procs.append(subprocess.Popen([hq, "--db", db, "--listen", "127.0.0.1:%d" % port], env=self.env,
                                           stdout=log, stderr=log))
        url = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + 30
        while subprocess.run(["curl", "-fs", "-o", "/dev/null", "--max-time", "1", url + "/healthz"],
                             env=self.env).returncode != 0:
            if time.monotonic() > deadline or self.procs[-1].poll() is not None:
                raise RuntimeError("tally-hq did not come up: " + open(log.name).read()[-500:])
            time.sleep(0.1)
        self.subst["https://hq.example.com"] = url
        self.subst["/var/lib/tally-hq/hq.db"] = db

    def button_kiosk(self):
        """A running kiosk whose four buttons are lines 20..23 of a simulated chip on a FIFO."""
        fifo = os.path.join(self.dir, "buttons.fifo")
        self.kiosk_db = os.path.join(self.dir, "k.db")
        conf = os.path.join(self.dir, "k.conf")
        with open(conf, "w") as f:
            f.write("[kiosk]\ndatabase = %s\n" % self.kiosk_db)
            for i in range(4):
                f.write("[button.%d]\nchip = sim:%s\nline = %d\n" % (i + 1, fifo, 20 + i))
        log = open(os.path.join(self.dir, "kiosk.log"), "w")
        self.procs.append(subprocess.Popen([os.path.join(BIN, "tally-kiosk"), "--config", conf, "--windowed", "800x480",
                                            "-v"], env=self.env, stdout=log, stderr=log))
        deadline = time.monotonic() + 30
        while not (os.path.exists(fifo) and "store: " in open(log.name).read()):
            if time.monotonic() > deadline or self.procs[-1].poll() is not None:
                raise RuntimeError("kiosk did not come up: " + open(log.name).read()[-500:])
            time.sleep(0.05)
        self.subst["/tmp/tally-buttons.fifo"] = fifo

    def button_ratings(self):
        if not os.path.exists(self.kiosk_db):
            return 0
        c = sqlite3.connect("file:%s?mode=ro" % self.kiosk_db, uri=True)
        try:
            return c.execute("SELECT count(*) FROM ratings WHERE source = 'button'").fetchone()[0]
        finally:
            c.close()

    def apply(self, text):
        for k, v in self.subst.items():
            text = text.replace(k, v)
        return text

    def stop(self):
        """Stops what was started here, each by its pid; a sanitizer report fails the check."""
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                code = p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                code = p.wait()
            if code != 0:
                fail(self.dir, "%s exited %d" % (os.path.basename(p.args[0]), code))


def run_blocks(doc, blocks):
    runnable = [b for b in blocks if b.info in COMMAND_BLOCKS and not b.marker]
    if not runnable:
        return
    world = World(doc)
    try:
        for b in blocks:
            if b.marker and b.marker[0] == "file":
                with open(os.path.join(world.dir, b.marker[1]), "w") as f:
                    f.write("\n".join(b.body) + "\n")
        for b in runnable:
            text = "\n".join(b.body)
            world.prepare(text)
            if b.info == "console":
                scripts = [world.apply(c) for c in commands(b)]
            else:
                scripts = [world.apply(text)]
            for s in scripts:
                counts["run here"] += 1
                r = subprocess.run(["sh", "-e", "-c", s], cwd=world.dir, env=world.env, capture_output=True,
                                   text=True, timeout=120)
                ok = r.returncode == 0 or (r.returncode == 1 and re.search(r"\btallyctl\b.*\bstatus\b", s))
                if not ok:
                    fail(b.where(), "exit %d from: %s\n%s%s" % (r.returncode, s, r.stdout[-800:], r.stderr[-1500:]))
            if "/tmp/tally-buttons.fifo" in text:
                deadline = time.monotonic() + 30
                while world.button_ratings() < 1 and time.monotonic() < deadline:
                    time.sleep(0.05)
                if world.button_ratings() < 1:
                    fail(b.where(), "the press written to the FIFO is not in the kiosk's store")
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        fail(doc, str(e))
    finally:
        world.stop()


def check_blocks(parsed):
    for doc in documents():
        _, _, blocks = parsed[doc]
        for b in blocks:
            if not b.info:
                fail(b.where(), "a code block says what it is: ```sh for commands, ```console for commands "
                                "after \"$ \" with their output, ```text (or ini, json, ...) for the rest")
                continue
            if b.info not in COMMAND_BLOCKS:
                if b.marker and b.marker[0] not in ("file", "from-the-code"):
                    fail(b.where(), "%s marks a block that holds no commands (```%s)" % (b.marker[0], b.info))
                continue
            cmds = commands(b)
            if not cmds:
                fail(b.where(), "an ```%s block without a command" % b.info)
            if not b.marker or b.marker[0] != "run-by":
                for c in cmds:
                    make_dry_run(b, c)
            if not b.marker:
                continue
            kind, arg = b.marker
            if kind in counts:
                counts[kind] += len(cmds)
            if kind == "hardware-only" and not arg:
                fail(b.where(), "hardware-only says why")
            elif kind == "run-by":
                check_run_by(b, cmds)
            elif kind in ("file", "from-the-code"):
                fail(b.where(), "%s marks a command block" % kind)
        run_blocks(doc, blocks)


def check_readers(parsed):
    readme_links = {os.path.normpath(t.partition("#")[0]) for _, t in parsed["README.md"][1]}
    for doc in documents()[1:]:
        lines = open(os.path.join(ROOT, doc), encoding="utf-8").read().split("\n")
        if not lines or not lines[0].startswith("# "):
            fail(doc + ":1", "a document starts with its title (# ...)")
            continue
        first = next((l for l in lines[1:] if l.strip()), "")
        if not first.startswith("For "):
            fail(doc, "opens with who it is for (\"For ...\" after the title), not: %s" % first[:80])
        if doc not in readme_links:
            fail(doc, "README.md does not link it")


def main():
    os.makedirs(WORK, exist_ok=True)
    parsed = {d: parse(d) for d in documents()}
    check_links(parsed)
    check_quotes(parsed)
    check_readers(parsed)
    check_blocks(parsed)
    nblocks = sum(len(p[2]) for d, p in parsed.items() if d in documents())
    nlinks = sum(len(p[1]) for d, p in parsed.items() if d in documents())
    for f in failures:
        print("FAIL " + f)
    print("%d documents, %d links, %d code blocks; commands: %d run here (console lines, or whole sh blocks), "
          "%d run by a named test, %d hardware-only; %d problems"
          % (len(documents()), nlinks, nblocks, counts["run here"], counts["run-by"], counts["hardware-only"],
             len(failures)))
    if failures:
        print("the rules and the markers: docs/testing.md#the-documentation")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
