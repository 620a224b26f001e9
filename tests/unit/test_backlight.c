/* SPDX-License-Identifier: Apache-2.0 */
/* Backlight: found in (a stand-in for) sysfs, dimmed and restored. */
#include "testutil.h"

#include "backlight.h"

static char dir[512];

static long level(const char *name)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/class/backlight/panel/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	long v;
	assert_int_equal(fscanf(f, "%ld", &v), 1);
	fclose(f);
	return v;
}

static void test_dims_and_restores_the_level_found_at_start(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	char cmd[800], p[700];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/class/backlight/panel'", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/class/backlight/panel/max_brightness", dir);
	tu_write(p, "255\n");
	snprintf(p, sizeof(p), "%s/class/backlight/panel/brightness", dir);
	tu_write(p, "180\n");
	setenv("TALLY_SYSFS_ROOT", dir, 1);
	struct backlight *b;
	char err[256];
	assert_int_equal(backlight_open(&b), 1);
	assert_int_equal(backlight_set(b, 0, err, sizeof(err)), 0);
	assert_int_equal(level("brightness"), 0);
	assert_int_equal(backlight_set(b, 1, err, sizeof(err)), 0);
	assert_int_equal(level("brightness"), 180);
	backlight_close(b);
	tu_rmdir(dir);
}

static void test_no_backlight_is_not_an_error(void **state)
{
	(void)state;
	setenv("TALLY_SYSFS_ROOT", "/nonexistent", 1);
	struct backlight *b;
	assert_int_equal(backlight_open(&b), 0);
	assert_null(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dims_and_restores_the_level_found_at_start),
		cmocka_unit_test(test_no_backlight_is_not_an_error),
	};
	return cmocka_run_group_tests_name("backlight", tests, NULL, NULL);
}
