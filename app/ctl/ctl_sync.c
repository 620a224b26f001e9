/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_sync: `tallyctl sync`, "send now and tell me how it went".
 *
 * If a tally-sync daemon runs for this config, it is the one to send: a
 * second sender would race it for the same batches (harmless, head office
 * keeps each rating once, but wasteful). So we wake it with SIGUSR1 and
 * watch the store until nothing is unsent or the timeout passes. With no
 * daemon we run `tally-sync --once` and pass on its one line and exit code;
 * as root, as the store's owner, so the WAL files it may create stay
 * writable by the kiosk.
 */
#include "ctl.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Reads /proc/PID/cmdline into buf; returns its length, -1 if gone. */
static ssize_t read_cmdline(const char *pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%.32s/cmdline", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* 1 when path a and b name the same file (or both are NULL: built-in defaults). */
static int same_config(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	struct stat sa, sb;
	if (stat(a, &sa) || stat(b, &sb))
		return !strcmp(a, b);
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * The pid of a tally-sync daemon (not --once) reading our config, 0 if none.
 * Its cwd matters for a relative --config: resolve it through /proc/PID/cwd.
 */
static pid_t find_daemon(const struct ctl *c)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *e;
	pid_t found = 0;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char cmd[8192];
		ssize_t n = read_cmdline(e->d_name, cmd, sizeof(cmd));
		if (n <= 0)
			continue;
		const char *base = strrchr(cmd, '/');
		base = base ? base + 1 : cmd;
		if (strcmp(base, "tally-sync") != 0)
			continue;
		const char *config = NULL;
		int once = 0;
		for (const char *a = cmd + strlen(cmd) + 1; a < cmd + n; a += strlen(a) + 1) {
			if (!strcmp(a, "--once"))
				once = 1;
			else if (!strcmp(a, "--config") && a + strlen(a) + 1 < cmd + n)
				config = a + strlen(a) + 1;
			else if (!strncmp(a, "--config=", 9))
				config = a + 9;
		}
		if (once)
			continue;
		char resolved[8300];
		if (config && config[0] != '/') {
			snprintf(resolved, sizeof(resolved), "/proc/%.32s/cwd/%s", e->d_name, config);
			config = resolved;
		}
		if (same_config(config, c->config_path))
			found = (pid_t)atol(e->d_name);
	}
	closedir(d);
	return found;
}

static int unsent_count(const struct ctl *c, int64_t *out, char *err, size_t errlen)
{
	sqlite3 *db;
	if (ctl_db_open(c, &db, err, errlen))
		return -1;
	sqlite3_stmt *st;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM ratings WHERE acked = 0", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = 0;
		}
		sqlite3_finalize(st);
	}
	if (rc)
		snprintf(err, errlen, "%.512s: %.400s", c->cfg.database, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}

static void report(const struct ctl *c, const char *how, int ok, int64_t sent, int64_t unsent, const char *text)
{
	if (c->json) {
		json_t *j = json_pack("{s:s,s:b,s:I,s:I,s:s}", "via", how, "ok", ok, "sent", (json_int_t)sent, "unsent",
				      (json_int_t)unsent, "message", text);
		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("%s\n", text);
	}
}

/* 1 once pid catches SIGUSR1: before that, the signal's default action would kill it. */
static int catches_usr1(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	unsigned long long mask = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigCgt: %llx", &mask) == 1)
			break;
	fclose(f);
	return (mask >> (SIGUSR1 - 1)) & 1;
}

static int wake_daemon(const struct ctl *c, pid_t pid, double timeout_s)
{
	char err[1024], text[1200];
	int64_t before, left;
	if (unsent_count(c, &before, err, sizeof(err))) {
		ctl_error(c, "sync: %s", err);
		return CTL_PROBLEM;
	}
	struct timespec nap = { 0, 200 * 1000000L };
	for (int i = 0; i < 25 && !catches_usr1(pid); i++)
		nanosleep(&nap, NULL);
	if (!catches_usr1(pid)) {
		ctl_error(c, "sync: tally-sync (pid %ld) is still starting; try again in a moment", (long)pid);
		return CTL_PROBLEM;
	}
	if (kill(pid, SIGUSR1) != 0) {
		ctl_error(c, "sync: cannot signal tally-sync (pid %ld): %s%s", (long)pid, strerror(errno),
			  errno == EPERM ? " (run as root or as its user)" : "");
		return CTL_PROBLEM;
	}
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (unsent_count(c, &left, err, sizeof(err))) {
			ctl_error(c, "sync: %s", err);
			return CTL_PROBLEM;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		double waited = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
		if (left == 0 || waited >= timeout_s)
			break;
		nanosleep(&nap, NULL);
	}
	int64_t sent = before > left ? before - left : 0;
	if (left == 0) {
		snprintf(text, sizeof(text), "woke tally-sync (pid %ld): %lld sent, 0 unsent", (long)pid,
			 (long long)sent);
		report(c, "daemon", 1, sent, 0, text);
		return CTL_OK;
	}
	snprintf(text, sizeof(text),
		 "woke tally-sync (pid %ld): %lld sent, %lld still unsent after %g s; it keeps trying "
		 "(journalctl -u tally-sync says why)", (long)pid, (long long)sent, (long long)left, timeout_s);
	report(c, "daemon", 0, sent, left, text);
	return CTL_PROBLEM;
}

static int run_once(const struct ctl *c)
{
	/* The tally-sync installed beside us first: the pair is built together. */
	char prog[PATH_MAX + 16];
	ctl_sibling("tally-sync", prog, sizeof(prog));
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	struct stat sb;
	if (geteuid() == 0 && stat(c->cfg.database, &sb) == 0 && sb.st_uid != 0) {
		uid = sb.st_uid;
		gid = sb.st_gid;
	}
	const char *t = getenv("TMPDIR");
	char outpath[512];
	snprintf(outpath, sizeof(outpath), "%s/tallyctl-sync.XXXXXX", t && *t ? t : "/tmp");
	int fd = mkstemp(outpath);
	if (fd < 0) {
		ctl_error(c, "sync: scratch file: %s", strerror(errno));
		return CTL_PROBLEM;
	}
	/* The child may run as another user: let it write its output. */
	if (uid != (uid_t)-1 && fchown(fd, uid, gid) != 0) {
		ctl_error(c, "sync: scratch file: %s", strerror(errno));
		close(fd);
		unlink(outpath);
		return CTL_PROBLEM;
	}
	close(fd);
	char *argv[] = { prog, "--once", "--config", (char *)c->config_path, NULL };
	if (!c->config_path)
		argv[2] = NULL;
	int64_t before = -1, left = -1;
	char err[1024];
	if (unsent_count(c, &before, err, sizeof(err)))
		before = -1;
	int rc = ctl_run(argv, outpath, uid, gid);
	if (unsent_count(c, &left, err, sizeof(err)))
		left = -1;
	char text[4096] = "";
	FILE *f = fopen(outpath, "r");
	if (f) {
		size_t len = fread(text, 1, sizeof(text) - 1, f);
		text[len] = '\0';
		fclose(f);
	}
	unlink(outpath);
	size_t len = strlen(text);
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	if (rc == 127 || rc < 0) {
		ctl_error(c, "sync: cannot run %s (no tally-sync installed?)", prog);
		return CTL_PROBLEM;
	}
	int64_t sent = before >= 0 && left >= 0 && before > left ? before - left : 0;
	report(c, "once", rc == 0, sent, left < 0 ? 0 : left, text);
	return rc == 0 ? CTL_OK : CTL_PROBLEM;
}

int ctl_sync(struct ctl *c, int argc, char **argv)
{
	double timeout_s = 30;
	const char *timeout = NULL;
	const struct ctl_opt opts[] = { { "timeout", &timeout, NULL }, { NULL, NULL, NULL } };
	int nrest, rc = ctl_args_parse(c, "sync", argc, argv, opts, NULL, 0, &nrest);
	if (rc != CTL_OK)
		return rc;
	if (timeout) {
		char *end;
		timeout_s = strtod(timeout, &end);
		if (end == timeout || *end || !(timeout_s >= 0 && timeout_s <= 3600))
			return ctl_usage_error(c, "sync", "--timeout takes seconds from 0 to 3600, not \"%s\"", timeout);
	}
	pid_t pid = find_daemon(c);
	return pid > 0 ? wake_daemon(c, pid, timeout_s) : run_once(c);
}
