/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sharedir: the one lookup of the installed files (fonts, languages, the
 * dashboard) and its order: $TALLY_DATADIR alone when set; else beside
 * the program, installed (../share/tally) before a development build's
 * ../assets and ../../assets; else the compiled-in TALLY_DATADIR.
 */
#include "testutil.h"

#include <limits.h>
#include <sys/stat.h>

#include "sharedir.h"

static char dir[512];
static char *saved_env;

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	const char *e = getenv("TALLY_DATADIR"); /* tests/run.sh sets it */
	saved_env = e ? strdup(e) : NULL;
	unsetenv("TALLY_DATADIR");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (saved_env)
		setenv("TALLY_DATADIR", saved_env, 1);
	free(saved_env);
	tu_rmdir(dir);
	return 0;
}

/* Makes dir/sub (and its parents) and puts file name in it, holding the place's name. */
static void put(const char *sub, const char *name)
{
	char cmd[1200], path[1200];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", dir, sub);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	tu_write(path, sub);
}

/* The file out names holds, as put wrote it. */
static const char *holds(const char *out)
{
	static char text[256];
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

static void test_installed_share_comes_before_the_source_tree(void **state)
{
	(void)state;
	char prog[600], out[PATH_MAX];
	snprintf(prog, sizeof(prog), "%s/build/asan", dir);
	put("build/asan", "prog");
	put("build/share/tally", "f.ini");
	put("build/assets", "f.ini");
	put("assets", "f.ini");
	assert_int_equal(sharedir_find_from(prog, "f.ini", out, sizeof(out)), 0);
	assert_string_equal(holds(out), "build/share/tally");
}

static void test_a_development_build_finds_the_tree_assets(void **state)
{
	(void)state;
	char prog[600], out[PATH_MAX];
	/* build/: ../assets */
	snprintf(prog, sizeof(prog), "%s/build", dir);
	put("build", "prog");
	put("assets", "f.ini");
	assert_int_equal(sharedir_find_from(prog, "f.ini", out, sizeof(out)), 0);
	assert_string_equal(holds(out), "assets");
	/* build/asan/: ../../assets, when ../assets has no such file */
	snprintf(prog, sizeof(prog), "%s/build/asan", dir);
	put("build/asan", "prog");
	assert_int_equal(sharedir_find_from(prog, "f.ini", out, sizeof(out)), 0);
	assert_string_equal(holds(out), "assets");
	put("build/assets", "f.ini");
	assert_int_equal(sharedir_find_from(prog, "f.ini", out, sizeof(out)), 0);
	assert_string_equal(holds(out), "build/assets");
}

static void test_tally_datadir_alone_is_looked_in_when_set(void **state)
{
	(void)state;
	char prog[600], env[600], out[PATH_MAX];
	snprintf(prog, sizeof(prog), "%s/bin", dir);
	put("bin", "prog");
	put("share/tally", "f.ini");
	put("elsewhere", "g.ini");
	snprintf(env, sizeof(env), "%s/elsewhere", dir);
	setenv("TALLY_DATADIR", env, 1);
	assert_int_equal(sharedir_find_from(prog, "g.ini", out, sizeof(out)), 0);
	assert_string_equal(holds(out), "elsewhere");
	/* Not found there: never an installed copy by accident, and the message names where it looked. */
	assert_int_equal(sharedir_find_from(prog, "f.ini", out, sizeof(out)), -1);
	char want[700];
	snprintf(want, sizeof(want), "%s/f.ini", env);
	assert_string_equal(out, want);
	/* Empty counts as unset. */
	setenv("TALLY_DATADIR", "", 1);
	assert_int_equal(sharedir_find_from(prog, "f.ini", out, sizeof(out)), 0);
	assert_string_equal(holds(out), "share/tally");
}

static void test_not_found_names_the_compiled_in_place(void **state)
{
	(void)state;
	char prog[600], out[PATH_MAX];
	snprintf(prog, sizeof(prog), "%s/bin", dir);
	put("bin", "prog");
	assert_int_equal(sharedir_find_from(prog, "no-such-file.ini", out, sizeof(out)), -1);
	assert_string_equal(out, TALLY_DATADIR "/no-such-file.ini");
	assert_int_equal(sharedir_find_from(NULL, "no-such-file.ini", out, sizeof(out)), -1);
	assert_string_equal(out, TALLY_DATADIR "/no-such-file.ini");
}

static void test_the_running_test_finds_the_tree_through_tally_datadir(void **state)
{
	(void)state;
	char out[PATH_MAX];
	if (!saved_env) {
		skip(); /* only under tests/run.sh */
		return; /* skip() does not return; the analyser cannot tell */
	}
	setenv("TALLY_DATADIR", saved_env, 1);
	assert_int_equal(sharedir_find("lang/de.ini", out, sizeof(out)), 0);
	assert_int_equal(access(out, R_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_installed_share_comes_before_the_source_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_development_build_finds_the_tree_assets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tally_datadir_alone_is_looked_in_when_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_found_names_the_compiled_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_running_test_finds_the_tree_through_tally_datadir, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
