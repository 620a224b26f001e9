/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backlight: sysfs brightness. The level found at start is what "on"
 * restores, so an installer's chosen brightness survives the nightly dim.
 * Writes happen twice a day at most: no wear, no flicker.
 */
#include "backlight.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct backlight {
	char dir[512];
	long on_level;
};

static long read_long(const char *dir, const char *name)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

int backlight_open(struct backlight **out)
{
	*out = NULL;
	const char *root = getenv("TALLY_SYSFS_ROOT");
	char base[400];
	snprintf(base, sizeof(base), "%s/class/backlight", root && *root ? root : "/sys");
	DIR *d = opendir(base);
	if (!d)
		return 0;
	struct dirent *e;
	struct backlight *b = NULL;
	while ((e = readdir(d)) && !b) {
		if (e->d_name[0] == '.')
			continue;
		char dir[512];
		snprintf(dir, sizeof(dir), "%.390s/%.100s", base, e->d_name);
		long max = read_long(dir, "max_brightness"), now = read_long(dir, "brightness");
		if (max <= 0 || now < 0)
			continue;
		b = calloc(1, sizeof(*b));
		if (!b)
			break;
		snprintf(b->dir, sizeof(b->dir), "%s", dir);
		/* A panel found dark at start comes back at full brightness. */
		b->on_level = now > 0 ? now : max;
	}
	closedir(d);
	*out = b;
	return b != NULL;
}

void backlight_close(struct backlight *b)
{
	free(b);
}

int backlight_set(struct backlight *b, int on, char *err, size_t errlen)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/brightness", b->dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "backlight: %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", on ? b->on_level : 0L);
	if (fclose(f) != 0) {
		snprintf(err, errlen, "backlight: %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

const char *backlight_path(const struct backlight *b)
{
	return b->dir;
}
