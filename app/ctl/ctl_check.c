/*
 * ctl_check: `tallyctl check-config [FILE]`: every problem config_load
 * finds, one "file:line: what is wrong" line each, the same lines every
 * Tally program refuses a config with. Checks the file without running
 * anything, so an admin can check an edit before restarting the kiosk.
 */
#include "ctl.h"

#include <stdlib.h>
#include <string.h>

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

int ctl_check_config(struct ctl *c, int argc, char **argv)
{
	if (argc > 2)
		return ctl_usage_error(c, "check-config", "takes at most one FILE");
	if (argc == 2 && argv[1][0] == '-')
		return ctl_usage_error(c, "check-config", "unknown option %s", argv[1]);
	const char *path = argc == 2 ? argv[1] : c->config_path;
	if (!path)
		return ctl_usage_error(c, "check-config", "give a FILE, or --config FILE");

	static struct config cfg;
	static char errs[65536];
	config_defaults(&cfg);
	int problems = config_load(&cfg, path, errs, sizeof(errs));

	struct notes notes = { path, c->json ? json_array() : NULL };
	if (problems == 0)
		shifts_gaps(&cfg.shifts, cfg.hours, note, &notes);
	if (c->json) {
		json_t *list = json_array();
		char *save = NULL;
		for (char *line = strtok_r(errs, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			json_array_append_new(list, problem_json(path, line));
		json_t *doc = json_pack("{s:s, s:b, s:i, s:o, s:o}", "file", path, "ok", problems == 0, "count", problems,
					"problems", list, "notes", notes.list);
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
