/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_check: `tallyctl check-config [FILE]`: every problem config_load
 * finds, one "file:line: what is wrong" line each, the same lines every
 * Tally program refuses a config with. Checks the file without running
 * anything, so an admin can check an edit before restarting the kiosk.
 */
#include "ctl.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Splits one "path:line: message" line of config_load's output into JSON. */
static json_t *problem_json(const char *path, const char *line)
{
	size_t n = strlen(path);
	long lineno = 0;
	const char *msg = line;
	if (!strncmp(line, path, n) && line[n] == ':') {
		char *end;
		long v = strtol(line + n + 1, &end, 10);
		if (end != line + n + 1 && end[0] == ':' && end[1] == ' ') {
			lineno = v;
			msg = end + 2;
		} else if (line[n + 1] == ' ') {
			msg = line + n + 2; /* about the whole file: no line */
		}
	}
	return json_pack("{s:I, s:s}", "line", (json_int_t)lineno, "message", msg);
}

/* Shift gaps are allowed: noted, as "file:line: note: ...", never counted as problems. */
struct notes {
	const char *path;
	json_t *list;
};

static void note(void *arg, int line, const char *message)
{
	struct notes *n = arg;
	if (n->list)
		json_array_append_new(n->list, json_pack("{s:i, s:s}", "line", line, "message", message));
	else
		printf("%s:%d: %s\n", n->path, line, message);
}

/* Runs tally-kiosk --check-config on path and adds each "warning: " line it prints to list (or prints it). */
static void glyph_warnings(const char *path, json_t *list)
{
	char exe[PATH_MAX], kiosk[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(kiosk, sizeof(kiosk), "%s/tally-kiosk", exe);
	if (access(kiosk, X_OK) != 0)
		return; /* a head-office machine: no kiosk, no fonts to check */
	int fd[2];
	if (pipe(fd) != 0)
		return;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execl(kiosk, kiosk, "--config", path, "--check-config", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	FILE *f = pid > 0 ? fdopen(fd[0], "r") : NULL;
	if (!f) {
		close(fd[0]);
		return;
	}
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "warning: ", 9))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (list)
			json_array_append_new(list, json_string(line + 9));
		else
			printf("%s: %s\n", path, line);
	}
	fclose(f);
	int status;
	waitpid(pid, &status, 0);
}

int ctl_check_config(struct ctl *c, int argc, char **argv)
{
	char *files[2];
	int nfiles, rc = ctl_args_parse(c, "check-config", argc, argv, NULL, files, 2, &nfiles);
	if (rc != CTL_OK)
		return rc;
	if (nfiles > 1)
		return ctl_usage_error(c, "check-config", "takes at most one FILE");
	const char *path = nfiles == 1 ? files[0] : c->config_path;
	if (!path)
		return ctl_usage_error(c, "check-config", "give a FILE, or --config FILE");

	static struct config cfg;
	static char errs[65536];
	config_defaults(&cfg);
	int problems = config_load(&cfg, path, errs, sizeof(errs));

	struct notes notes = { path, c->json ? json_array() : NULL };
	json_t *warnings = c->json ? json_array() : NULL;
	if (problems == 0) {
		shifts_gaps(&cfg.shifts, cfg.hours, note, &notes);
		glyph_warnings(path, warnings);
	}
	if (c->json) {
		json_t *list = json_array();
		char *save = NULL;
		for (char *line = strtok_r(errs, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			json_array_append_new(list, problem_json(path, line));
		json_t *doc = json_pack("{s:s, s:b, s:i, s:o, s:o, s:o}", "file", path, "ok", problems == 0, "count", problems,
					"problems", list, "notes", notes.list, "warnings", warnings);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	} else if (problems) {
		fputs(errs, stdout);
		printf("%d problem%s in %s\n", problems, problems == 1 ? "" : "s", path);
	} else {
		printf("%s: ok\n", path);
	}
	return problems ? CTL_PROBLEM : CTL_OK;
}
