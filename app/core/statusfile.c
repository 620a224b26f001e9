/* SPDX-License-Identifier: Apache-2.0 */
/* statusfile: "key value" lines, replaced by rename so a reader never sees half a file. */
#include "statusfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void statusfile_path(const struct config *cfg, const char *program, char *out, size_t outlen)
{
	if (cfg->run_dir[0]) {
		snprintf(out, outlen, "%s/%s.status", cfg->run_dir, program);
		return;
	}
	const char *slash = strrchr(cfg->database, '/');
	if (!slash)
		snprintf(out, outlen, "%s.status", program);
	else
		snprintf(out, outlen, "%.*s/%s.status", (int)(slash - cfg->database), cfg->database, program);
}

void statusfile_set(struct statusfile *s, const char *key, const char *fmt, ...)
{
	int i;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->key[i], key))
			break;
	if (i == s->n) {
		if (s->n == STATUSFILE_MAX)
			return;
		s->n++;
		snprintf(s->key[i], sizeof(s->key[i]), "%s", key);
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->value[i], sizeof(s->value[i]), fmt, ap);
	va_end(ap);
	/* one line per key: a value never carries a newline */
	for (char *c = s->value[i]; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
}

const char *statusfile_get(const struct statusfile *s, const char *key)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->key[i], key))
			return s->value[i];
	return NULL;
}

static int same_as_on_disk(const struct statusfile *s, const char *path)
{
	static struct statusfile old;
	if (statusfile_read(&old, path) != 0 || old.n != s->n)
		return 0;
	for (int i = 0; i < s->n; i++)
		if (strcmp(old.key[i], s->key[i]) || strcmp(old.value[i], s->value[i]))
			return 0;
	return 1;
}

int statusfile_write(const struct statusfile *s, const char *path, char *err, size_t errlen)
{
	if (same_as_on_disk(s, path))
		return 0;
	char tmp[1100];
	snprintf(tmp, sizeof(tmp), "%.1000s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "status: %s: %s", tmp, strerror(errno));
		return -1;
	}
	for (int i = 0; i < s->n; i++)
		fprintf(f, "%s %s\n", s->key[i], s->value[i]);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "status: %s: %s", path, strerror(errno));
		remove(tmp);
		return -1;
	}
	return 0;
}

int statusfile_read(struct statusfile *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[400];
	while (fgets(line, sizeof(line), f) && s->n < STATUSFILE_MAX) {
		line[strcspn(line, "\n")] = '\0';
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		snprintf(s->key[s->n], sizeof(s->key[s->n]), "%.47s", line);
		snprintf(s->value[s->n], sizeof(s->value[s->n]), "%.255s", sp + 1);
		s->n++;
	}
	fclose(f);
	return 0;
}
