/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_bundle: `tallyctl bundle`, a support archive an admin can mail to
 * whoever looks after the kiosks: the config with every token redacted,
 * `tallyctl status`, the database integrity check, library versions and
 * the recent journal. Collected in a scratch directory, packed with the
 * system's tar (no archive library for a once-a-year command), removed.
 *
 * Each part is best effort: a bundle from a sick kiosk is the one that
 * matters most, so a part that fails says why inside the bundle instead of
 * stopping the others.
 */
#include "ctl.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef TALLY_VERSION
#define TALLY_VERSION "unknown"
#endif

int ctl_run(char *const argv[], const char *out_path, uid_t uid, gid_t gid)
{
	int fd = -1;
	if (out_path && (fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (pid == 0) {
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (gid != (gid_t)-1 && (setgroups(0, NULL) != 0 || setgid(gid) != 0))
			_exit(126);
		if (uid != (uid_t)-1 && setuid(uid) != 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (fd >= 0)
		close(fd);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* "token" anywhere in the key, any case: [sync] token and whatever comes later. */
static int key_is_secret(const char *line)
{
	const char *eq = strchr(line, '=');
	if (!eq)
		return 0;
	for (const char *p = line; p + 5 <= eq; p++)
		if (strncasecmp(p, "token", 5) == 0)
			return 1;
	return 0;
}

static void write_config(const struct ctl *c, FILE *out)
{
	if (!c->config_path) {
		fprintf(out, "# no --config: built-in defaults\n");
		return;
	}
	FILE *in = fopen(c->config_path, "r");
	if (!in) {
		fprintf(out, "# %s: %s\n", c->config_path, strerror(errno));
		return;
	}
	fprintf(out, "# %s, every *token* key redacted\n", c->config_path);
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, in) > 0) {
		const char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (*s != '#' && *s != ';' && key_is_secret(s)) {
			fprintf(out, "%.*s= REDACTED\n", (int)(strchr(line, '=') - line), line);
			continue;
		}
		fputs(line, out);
	}
	free(line);
	fclose(in);
}

static void write_integrity(const struct ctl *c, FILE *out)
{
	sqlite3 *db;
	char err[1024];
	if (ctl_db_open(c, &db, err, sizeof(err))) {
		fprintf(out, "not checked: %s\n", err);
		return;
	}
	sqlite3_stmt *st;
	fprintf(out, "PRAGMA integrity_check on %s (read-only):\n", c->cfg.database);
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		fprintf(out, "cannot run: %s\n", sqlite3_errmsg(db));
	} else {
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			fprintf(out, "%s\n", (const char *)sqlite3_column_text(st, 0));
		if (rc != SQLITE_DONE)
			fprintf(out, "stopped: %s\n", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

/*
 * Library versions: SQLite and jansson are ours; SDL, libgpiod, libcurl and
 * libmicrohttpd are asked of the programs that link them (their --version),
 * so tallyctl itself links none of them.
 */
static void write_versions(const struct ctl *c, const char *path)
{
	FILE *out = fopen(path, "w");
	if (!out)
		return;
	struct utsname u;
	fprintf(out, "tally %s\n", TALLY_VERSION);
	fprintf(out, "SQLite %s\n", sqlite3_libversion());
	fprintf(out, "jansson %s\n", jansson_version_str());
	if (uname(&u) == 0)
		fprintf(out, "%s %s %s %s\n", u.sysname, u.nodename, u.release, u.machine);
	fclose(out);
	static const char *const progs[] = { "tally-kiosk", "tally-sync", "tally-hq" };
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		char prog[4200];
		ctl_sibling(progs[i], prog, sizeof(prog));
		char *argv[] = { prog, "--version", NULL };
		int rc = ctl_run(argv, path, (uid_t)-1, (gid_t)-1);
		if (rc != 0 && (out = fopen(path, "a"))) {
			fprintf(out, "%s: not installed here, or it failed (exit %d)\n", progs[i], rc);
			fclose(out);
		}
	}
	(void)c;
}

static int in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];
	while (path && *path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
		if (access(buf, X_OK) == 0)
			return 1;
		path += n + (path[n] == ':');
	}
	return 0;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

/* Writes one part by calling fn with the open file. */
static int part(const char *dir, const char *name, void (*fn)(const struct ctl *, FILE *), const struct ctl *c)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fn(c, f);
	return fclose(f);
}

int ctl_bundle(struct ctl *c, int argc, char **argv)
{
	const char *output = NULL;
	const struct ctl_opt opts[] = { { "output", &output, NULL }, { NULL, NULL, NULL } };
	int nrest, prc = ctl_args_parse(c, "bundle", argc, argv, opts, NULL, 0, &nrest);
	if (prc != CTL_OK)
		return prc;
	char stamp[32], name[256], deflt[320], tmp[256], dir[600], path[700];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(name, sizeof(name), "tally-bundle-%s-%s", c->cfg.kiosk_id, stamp);
	snprintf(deflt, sizeof(deflt), "%s.tar.gz", name);
	if (!output)
		output = deflt;

	const char *t = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/tallyctl-bundle.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmp)) {
		ctl_error(c, "bundle: scratch directory: %s", strerror(errno));
		return CTL_PROBLEM;
	}
	snprintf(dir, sizeof(dir), "%s/%s", tmp, name);
	int rc = CTL_PROBLEM;
	if (mkdir(dir, 0700) != 0) {
		ctl_error(c, "bundle: %s: %s", dir, strerror(errno));
		goto out;
	}
	if (part(dir, "tally.conf", write_config, c) || part(dir, "integrity.txt", write_integrity, c)) {
		ctl_error(c, "bundle: writing in %s: %s", dir, strerror(errno));
		goto out;
	}

	snprintf(path, sizeof(path), "%s/versions.txt", dir);
	write_versions(c, path);

	/* status as the admin would see it: ourselves, run again (its exit code says "needs attention"). */
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "%s/status.txt", dir);
	char *st_argv[] = { self, "--config", (char *)c->config_path, "status", NULL };
	if (!c->config_path) {
		st_argv[1] = "status";
		st_argv[2] = NULL;
	}
	int st = n > 0 ? ctl_run(st_argv, path, (uid_t)-1, (gid_t)-1) : -1;
	FILE *f = fopen(path, "a");
	if (f) {
		fprintf(f, "\n(tallyctl status exit code %d)\n", st);
		fclose(f);
	}

	snprintf(path, sizeof(path), "%s/journal.txt", dir);
	if (in_path("journalctl")) {
		char *j_argv[] = { "journalctl", "--no-pager", "-o", "short-iso", "-u", "tally-kiosk",
				   "-u", "tally-sync", "-n", "2000", NULL };
		ctl_run(j_argv, path, (uid_t)-1, (gid_t)-1);
	} else if ((f = fopen(path, "w"))) {
		fprintf(f, "no journalctl on this machine: no journal in this bundle\n");
		fclose(f);
	}

	char *tar_argv[] = { "tar", "czf", (char *)output, "-C", tmp, name, NULL };
	snprintf(path, sizeof(path), "%s/tar.log", tmp);
	if (ctl_run(tar_argv, path, (uid_t)-1, (gid_t)-1) != 0) {
		ctl_error(c, "bundle: tar could not write %s", output);
		goto out;
	}
	if (c->json) {
		json_t *j = json_pack("{s:s}", "bundle", output);
		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("%s\n", output);
	}
	rc = CTL_OK;
out:
	nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
