/* SPDX-License-Identifier: Apache-2.0 */
/*
 * datadir: the data directory's write permission worked out from its
 * owner, group and mode (not access(), which answers only for ourselves
 * and always says yes to root), so tallyctl can ask it for the kiosk's
 * user while running as the admin.
 */
#include "datadir.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static const char *user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);
	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%ld", (long)uid);
	return buf;
}

static const char *group_name(gid_t gid, char *buf, size_t len)
{
	struct group *gr = getgrgid(gid);
	if (gr)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%ld", (long)gid);
	return buf;
}

/* Whether uid (primary group gid, and its supplementary groups) is in group g. */
static int in_group(uid_t uid, gid_t gid, gid_t g)
{
	if (gid == g)
		return 1;
	struct passwd *pw = getpwuid(uid);
	if (!pw)
		return 0;
	gid_t groups[256];
	int n = (int)(sizeof(groups) / sizeof(groups[0]));
	if (getgrouplist(pw->pw_name, gid, groups, &n) < 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (groups[i] == g)
			return 1;
	return 0;
}

int datadir_check(const char *db_path, uid_t uid, gid_t gid, char *why, size_t whylen)
{
	char copy[4096], uname[64], owner[64], group[64];
	snprintf(copy, sizeof(copy), "%s", db_path);
	const char *dir = dirname(copy);
	struct stat st;
	if (stat(dir, &st) != 0) {
		snprintf(why, whylen, "%s: the data directory %s: %s", db_path, dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "%s: %s is not a directory", db_path, dir);
		return -1;
	}
	struct statvfs vfs;
	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
		snprintf(why, whylen, "%s is on a read-only file system: no rating can be stored (remount it read-write)", dir);
		return -1;
	}
	if (uid == 0)
		return 0;
	mode_t need = st.st_uid == uid ? S_IWUSR | S_IXUSR
		      : in_group(uid, gid, st.st_gid) ? S_IWGRP | S_IXGRP
						      : S_IWOTH | S_IXOTH;
	if ((st.st_mode & need) == need)
		return 0;
	user_name(uid, uname, sizeof(uname));
	snprintf(why, whylen,
		 "%s is not writable by user %s (uid %ld), who runs Tally here: it is %s:%s, mode %04o; "
		 "make it %s's (chown %s %s; chmod 0750 %s)",
		 dir, uname, (long)uid, user_name(st.st_uid, owner, sizeof(owner)),
		 group_name(st.st_gid, group, sizeof(group)), (unsigned)(st.st_mode & 07777), uname, uname, dir, dir);
	return -1;
}
