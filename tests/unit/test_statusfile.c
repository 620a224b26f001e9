/* SPDX-License-Identifier: Apache-2.0 */
/* Status files: written atomically, only when changed, read back. */
#include "testutil.h"

#include <sys/stat.h>

#include "statusfile.h"

static void test_round_trip_and_no_rewrite_when_unchanged(void **state)
{
	(void)state;
	char dir[512], path[600];
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/kiosk.status", dir);
	static struct statusfile s, back;
	memset(&s, 0, sizeof(s));
	statusfile_set(&s, "screen", "rating");
	statusfile_set(&s, "button.1", "pinctrl-rp1 17 up presses=%d", 3);
	statusfile_set(&s, "screen", "out-of-order");
	statusfile_set(&s, "reason", "disk\nfull");
	char err[256];
	assert_int_equal(statusfile_write(&s, path, err, sizeof(err)), 0);
	assert_int_equal(statusfile_read(&back, path), 0);
	assert_int_equal(back.n, 3);
	assert_string_equal(statusfile_get(&back, "screen"), "out-of-order");
	assert_string_equal(statusfile_get(&back, "button.1"), "pinctrl-rp1 17 up presses=3");
	assert_string_equal(statusfile_get(&back, "reason"), "disk full");
	assert_null(statusfile_get(&back, "nothing"));

	struct stat before, after;
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(statusfile_write(&s, path, err, sizeof(err)), 0); /* unchanged: not written */
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	statusfile_set(&s, "screen", "rating");
	assert_int_equal(statusfile_write(&s, path, err, sizeof(err)), 0); /* changed: replaced */
	assert_int_equal(stat(path, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	tu_rmdir(dir);
}

static void test_path_follows_run_dir_or_the_database(void **state)
{
	(void)state;
	struct config cfg;
	char path[CONFIG_PATH_MAX + 32];
	config_defaults(&cfg);
	snprintf(cfg.database, sizeof(cfg.database), "/var/lib/tally/kiosk.db");
	statusfile_path(&cfg, "kiosk", path, sizeof(path));
	assert_string_equal(path, "/var/lib/tally/kiosk.status");
	snprintf(cfg.run_dir, sizeof(cfg.run_dir), "/run/tally");
	statusfile_path(&cfg, "sync", path, sizeof(path));
	assert_string_equal(path, "/run/tally/sync.status");
	cfg.run_dir[0] = '\0';
	snprintf(cfg.database, sizeof(cfg.database), "tally.db");
	statusfile_path(&cfg, "kiosk", path, sizeof(path));
	assert_string_equal(path, "kiosk.status");
}

static void test_unwritable_place_is_an_error(void **state)
{
	(void)state;
	struct statusfile s = { 0 };
	char err[256];
	statusfile_set(&s, "a", "b");
	assert_int_equal(statusfile_write(&s, "/nonexistent/dir/kiosk.status", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/dir/kiosk.status.tmp"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_no_rewrite_when_unchanged),
		cmocka_unit_test(test_path_follows_run_dir_or_the_database),
		cmocka_unit_test(test_unwritable_place_is_an_error),
	};
	return cmocka_run_group_tests_name("statusfile", tests, NULL, NULL);
}
