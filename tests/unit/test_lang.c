/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The customers' languages in the config: each language's texts from its
 * shipped file (assets/lang/CODE.ini) under the config's own [text] and
 * [text.CODE]; numbers and dates from those texts, with no OS locale at
 * all (LANG=C, as on a Pi that has none installed).
 */
#include "testutil.h"

#include <limits.h>
#include <locale.h>

#include "config.h"
#include "textfmt.h"

static char dir[512];

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	setenv("LANG", "C", 1);
	setenv("LC_ALL", "C", 1);
	setlocale(LC_ALL, "C");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	return 0;
}

/* Loads text as a config file in language number lang; the number of problems, errs filled. */
static int load(struct config *cfg, const char *text, int lang, char *errs, size_t errlen)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/k.conf", dir);
	tu_write(path, text);
	return config_load_language(cfg, path, lang, errs, errlen);
}

/* The [text] keys of a config, by name. */
struct texts {
	int n;
	char name[128][32];
	const char *value[128];
};

static void collect(const char *name, const char *value, void *arg)
{
	struct texts *t = arg;
	assert_true(t->n < 128);
	snprintf(t->name[t->n], sizeof(t->name[t->n]), "%s", name);
	t->value[t->n++] = value;
}

static const char *text_of(const struct texts *t, const char *name)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->name[i], name))
			return t->value[i];
	return NULL;
}

/* en.ini is the translators' template: every key, each exactly the built-in English. */
static void test_english_file_is_the_built_in_texts(void **state)
{
	(void)state;
	static struct config cfg;
	config_defaults(&cfg);
	struct texts t = { 0 };
	config_each_text(&cfg, collect, &t);
	char path[PATH_MAX];
	assert_int_equal(config_language_file("en", path, sizeof(path)), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[1024];
	int keys = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *eq = strstr(line, " = ");
		if (line[0] == '#' || line[0] == '[' || !eq)
			continue;
		*eq = '\0';
		const char *builtin = text_of(&t, line);
		if (!builtin || strcmp(builtin, eq + 3))
			fail_msg("en.ini: %s = \"%s\", built in \"%s\"", line, eq + 3, builtin ? builtin : "(no such key)");
		keys++;
	}
	fclose(f);
	assert_int_equal(keys, t.n);
}

/* Every shipped language loads cleanly and says each text in its own words (or knowingly the same). */
static void test_every_shipped_language_sets_every_text(void **state)
{
	(void)state;
	static const char *codes[] = { "de", "ar", "zh" };
	static struct config en, cfg;
	config_defaults(&en);
	struct texts te = { 0 };
	config_each_text(&en, collect, &te);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char conf[128], errs[2048];
		snprintf(conf, sizeof(conf), "[kiosk]\nlanguages = en, %s\n", codes[i]);
		assert_int_equal(load(&cfg, conf, 1, errs, sizeof(errs)), 0);
		struct texts t = { 0 };
		config_each_text(&cfg, collect, &t);
		int same = 0;
		for (int k = 0; k < t.n; k++)
			same += !strcmp(t.value[k], te.value[k]);
		/* Templates of numbers only ("{page} / {pages}", "{area} — {date}") and the brand may stay. */
		assert_true(same <= 6);
		assert_string_not_equal(cfg.question, en.question);
		assert_string_not_equal(cfg.t_language_name, "English");
	}
}

static void test_config_texts_override_the_language_file(void **state)
{
	(void)state;
	static struct config cfg;
	char errs[2048];
	const char *conf = "[kiosk]\nlanguages = de, en\n[text]\nquestion = Wie war es?\n[text.en]\nthanks = Cheers!\n"
			   "[text.de]\nthanks = Danke!\n";
	/* The first language: its file, then [text], then [text.de]. */
	assert_int_equal(load(&cfg, conf, 0, errs, sizeof(errs)), 0);
	assert_string_equal(cfg.question, "Wie war es?");
	assert_string_equal(cfg.thanks, "Danke!");
	assert_string_equal(cfg.out_of_order, "Dieses Terminal ist leider außer Betrieb.");
	assert_string_equal(cfg.t_decimal_separator, ",");
	/* The second: built-in English, then [text.en]; [text] belongs to the first language only. */
	assert_int_equal(load(&cfg, conf, 1, errs, sizeof(errs)), 0);
	assert_string_equal(cfg.question, "How was your visit today?");
	assert_string_equal(cfg.thanks, "Cheers!");
	/* config_load is the first language */
	static struct config plain;
	config_defaults(&plain);
	char path[600];
	snprintf(path, sizeof(path), "%s/k.conf", dir);
	assert_int_equal(config_load(&plain, path, errs, sizeof(errs)), 0);
	assert_string_equal(plain.thanks, "Danke!");
}

static void test_bad_languages_are_refused_with_their_line(void **state)
{
	(void)state;
	static struct config cfg;
	char errs[4096];
	assert_int_equal(load(&cfg, "[kiosk]\nlanguages = en, fr\n", 0, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, "no texts for \"fr\""));
	assert_int_equal(load(&cfg, "[kiosk]\nlanguages = en\n[text.de]\nthanks = Danke\n", 0, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, "k.conf:4: [text.de]: de is not in [kiosk] languages"));
	assert_int_equal(load(&cfg, "[kiosk]\nlanguages = en, EN!\n", 0, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, "k.conf:2: languages: \"EN!\" is not a language code"));
	assert_int_equal(load(&cfg, "[kiosk]\nlanguages = en, de\n[text.de]\nbogus = x\n", 0, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, "k.conf:4: unknown key \"bogus\" in [text.de]"));
	assert_int_equal(load(&cfg, "[kiosk]\nlanguages = en, de\n[text.de]\nstaff_title = {aera}\n", 0, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, "k.conf:4: staff_title: unknown placeholder {aera}"));
	assert_int_equal(load(&cfg, "[text]\ndate_format = %A %x\n", 0, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, "date_format: unknown field %x"));
	assert_int_equal(load(&cfg, "[text]\nmonths = Jan,Feb\n", 0, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, "months must be 12 names"));
	/* The OS locale is gone for good: said so, not silently ignored. */
	assert_int_equal(load(&cfg, "[kiosk]\nlocale = de_DE.UTF-8\n", 0, errs, sizeof(errs)), 1);
	assert_non_null(strstr(errs, "k.conf:2: locale is gone"));
}

/* Under LANG=C the German texts still give German numbers and dates: they are ours, not the C library's. */
static void test_numbers_and_dates_come_from_the_texts_under_lang_c(void **state)
{
	(void)state;
	static struct config cfg;
	char errs[2048], out[128];
	assert_int_equal(load(&cfg, "[kiosk]\nlanguages = de\n", 0, errs, sizeof(errs)), 0);
	struct tzdate d = { 2026, 3, 5 };
	textfmt_date(&cfg, d, 4, out, sizeof(out));
	assert_string_equal(out, "Donnerstag, 5. März");
	textfmt_decimal(76.64, 1, cfg.t_decimal_separator, "", out, sizeof(out));
	assert_string_equal(out, "76,6");
	textfmt_count(1234567, cfg.t_thousands_separator, out, sizeof(out));
	assert_string_equal(out, "1.234.567");
	assert_int_equal(load(&cfg, "[kiosk]\nlanguages = zh\n", 0, errs, sizeof(errs)), 0);
	textfmt_date(&cfg, d, 4, out, sizeof(out));
	assert_string_equal(out, "3月5日 星期四");
	assert_int_equal(load(&cfg, "[kiosk]\nlanguages = ar\n", 0, errs, sizeof(errs)), 0);
	textfmt_date(&cfg, d, 4, out, sizeof(out));
	assert_string_equal(out, "الخميس 5 مارس");
	config_defaults(&cfg);
	snprintf(cfg.t_date_format, sizeof(cfg.t_date_format), "%%a %%d.%%m.%%Y %%b %%%%");
	textfmt_date(&cfg, d, 4, out, sizeof(out));
	assert_string_equal(out, "Thu 05.03.2026 Mar %");
	textfmt_decimal(-1, 1, ".", "%", out, sizeof(out));
	assert_string_equal(out, "\u2013");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_english_file_is_the_built_in_texts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_shipped_language_sets_every_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_texts_override_the_language_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_languages_are_refused_with_their_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers_and_dates_come_from_the_texts_under_lang_c, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
