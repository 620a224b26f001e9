/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbwatch: a watch on the directory (IN_CREATE, IN_MOVED_TO, mask-limited
 * so other files there cost few wakeups) and one on the -wal file itself
 * (IN_MODIFY). SQLite removes the -wal file when the last connection
 * closes; its watch then goes away by itself (IN_IGNORED) and the
 * directory watch sees the next one created.
 */
#include "dbwatch.h"

#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct dbwatch {
	int fd;
	int dir_wd;
	int wal_wd;
	char wal_path[1100];
	char wal_name[256];
};

static void watch_wal(struct dbwatch *w)
{
	w->wal_wd = inotify_add_watch(w->fd, w->wal_path, IN_MODIFY);
}

int dbwatch_open(struct dbwatch **out, const char *db_path, char *err, size_t errlen)
{
	*out = NULL;
	struct dbwatch *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char copy1[1024], copy2[1024];
	snprintf(copy1, sizeof(copy1), "%s", db_path);
	snprintf(copy2, sizeof(copy2), "%s", db_path);
	const char *dir = dirname(copy1);
	const char *base = basename(copy2);
	snprintf(w->wal_path, sizeof(w->wal_path), "%s-wal", db_path);
	snprintf(w->wal_name, sizeof(w->wal_name), "%s-wal", base);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		snprintf(err, errlen, "inotify: %s", strerror(errno));
		free(w);
		return -1;
	}
	w->dir_wd = inotify_add_watch(w->fd, dir, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
	if (w->dir_wd < 0) {
		snprintf(err, errlen, "cannot watch %s: %s", dir, strerror(errno));
		close(w->fd);
		free(w);
		return -1;
	}
	watch_wal(w); /* may not exist yet: the directory watch will see it */
	*out = w;
	return 0;
}

void dbwatch_close(struct dbwatch *w)
{
	if (!w)
		return;
	close(w->fd);
	free(w);
}

int dbwatch_fd(const struct dbwatch *w)
{
	return w->fd;
}

int dbwatch_read(struct dbwatch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)(void *)p;
			if (ev->wd == w->dir_wd && ev->len && !strcmp(ev->name, w->wal_name)) {
				watch_wal(w);
				changed = 1;
			} else if (ev->wd == w->wal_wd) {
				if (ev->mask & IN_IGNORED)
					w->wal_wd = -1;
				else
					changed = 1;
			} else if (ev->mask & IN_Q_OVERFLOW) {
				changed = 1;
			}
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}
