/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Top reasons: a day's follow-up answers counted from a real store as the
 * day's figures count ratings (misuse kept apart, closed and other days
 * left out, positive and negative told apart), and the block the staff
 * view and the wall display draw from them, only when there are answers.
 */
#include "testutil.h"

#include <SDL.h>

#include "config.h"
#include "reasons.h"
#include "staff_view.h"
#include "store.h"
#include "text.h"
#include "tzday.h"

#define TZ "Europe/Berlin"

static char dir[512], path[600], err[512];
static struct store *s;
static struct tzday day;   /* 2025-06-17 in Berlin */

static int setup(void **state)
{
	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/k.db", dir);
	assert_int_equal(store_open(&s, path, err, sizeof(err)), 0);
	struct tzdate d = { 2025, 6, 17 };
	assert_int_equal(tzday_make(&day, TZ, d, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(s);
	tu_rmdir(dir);
	return 0;
}

/* A rating at minute offset of the day, answered with reason (NULL: none). */
static void add(int value, int scale, int flags, int64_t at_ms, int synced, const char *reason)
{
	struct rating r = { .value = value, .scale = scale, .source = SOURCE_KEY, .wall_ms = at_ms, .boot_ms = 1,
			    .clock_synced = synced, .flags = flags };
	snprintf(r.kiosk_id, sizeof(r.kiosk_id), "k");
	snprintf(r.boot_id, sizeof(r.boot_id), "b");
	assert_int_equal(store_add(s, &r, err, sizeof(err)), 0);
	if (reason)
		assert_int_equal(store_set_reason(s, r.seq, reason, err, sizeof(err)), 0);
}

static void fill(void)
{
	int64_t noon = day.start_ms + 12 * 3600000LL;
	for (int i = 0; i < 3; i++)
		add(0, 4, 0, noon + i, 1, "Waiting time");
	add(1, 4, 0, noon + 10, 1, "Staff");
	add(3, 4, 0, noon + 11, 1, "Staff");        /* praise, not the complaint */
	add(3, 4, 0, noon + 12, 1, "Friendly");
	add(2, 4, 0, noon + 13, 1, NULL);           /* not answered */
	add(0, 4, RATING_MISUSE, noon + 14, 1, "Price"); /* kept, not counted */
	add(0, 4, RATING_CLOSED, noon + 15, 1, "Price"); /* a closed rating is never counted */
	add(0, 5, 0, noon + 16, 1, "Price");        /* another scale: as the day's figures leave it out */
	add(0, 4, 0, day.end_ms + 1, 1, "Price");   /* tomorrow */
	add(0, 4, 0, day.start_ms - 1, 1, "Price"); /* yesterday */
}

static void test_answers_are_counted_as_the_day_counts_ratings(void **state)
{
	(void)state;
	fill();
	struct reasons_day r;
	assert_int_equal(reasons_day_compute(store_db(s), &day, 4, &r, err, sizeof(err)), 0);
	assert_int_equal(r.answered, 6);
	assert_int_equal(r.misuse_answered, 1);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.top[0].text, "Waiting time");
	assert_int_equal(r.top[0].count, 3);
	assert_false(r.top[0].positive);
	/* Ties by name, then negative before positive. */
	assert_string_equal(r.top[1].text, "Friendly");
	assert_true(r.top[1].positive);
	assert_string_equal(r.top[2].text, "Staff");
	assert_false(r.top[2].positive);
	assert_string_equal(r.top[3].text, "Staff");
	assert_true(r.top[3].positive);
	/* No database, no answers. */
	assert_int_equal(reasons_day_compute(NULL, &day, 4, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
}

static void test_a_store_from_before_answers_has_none(void **state)
{
	(void)state;
	add(0, 4, 0, day.start_ms + 1000, 1, NULL);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP INDEX ratings_reason_unsent; ALTER TABLE ratings DROP COLUMN reason;",
				      NULL, NULL, NULL), SQLITE_OK);
	struct reasons_day r;
	assert_int_equal(reasons_day_compute(db, &day, 4, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
	sqlite3_close(db);
}

static int count_colour(SDL_Surface *c, Uint32 rgb)
{
	int n = 0;
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++)
			if ((((Uint32 *)c->pixels)[y * (c->pitch / 4) + x] & 0xffffff) == rgb)
				n++;
	return n;
}

static void paint(const struct config *cfg, int w, int h, int display, int *green, int *red)
{
	struct text *t;
	static struct staff_data d;
	assert_int_equal(text_open(&t, "", err, sizeof(err)), 0);
	assert_int_equal(staff_data_load(&d, store_db(s), cfg, day.start_ms + 16 * 3600000LL, err, sizeof(err)), 0);
	SDL_Surface *c = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	struct staff_view *v = staff_view_new(cfg, t, w, h);
	assert_non_null(v);
	if (display) {
		staff_view_paint_display(v, c, &d, 0);
	} else {
		assert_int_equal(staff_view_set_data(v, &d), 0);
		staff_view_paint(v, c);
	}
	*green = count_colour(c, 0x4caf50);
	*red = count_colour(c, 0xe57373);
	SDL_FreeSurface(c);
	staff_view_free(v);
	text_close(t);
}

static void test_the_staff_screens_show_top_reasons_only_with_answers(void **state)
{
	(void)state;
	static struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.timezone, sizeof(cfg.timezone), TZ);
	static const int sizes[][2] = { { 800, 480 }, { 1920, 1080 }, { 480, 800 } };
	int green, red;
	add(0, 4, 0, day.start_ms + 12 * 3600000LL, 1, NULL);
	for (int i = 0; i < 3; i++)
		for (int display = 0; display < 2; display++) {
			paint(&cfg, sizes[i][0], sizes[i][1], display, &green, &red);
			assert_int_equal(green, 0);
			assert_int_equal(red, 0);
		}
	fill();
	for (int i = 0; i < 3; i++)
		for (int display = 0; display < 2; display++) {
			/* Bars in the kinds' colours: red for the complaints, green for the praise. */
			paint(&cfg, sizes[i][0], sizes[i][1], display, &green, &red);
			assert_true(red > 100);
			assert_true(green > 100);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answers_are_counted_as_the_day_counts_ratings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_store_from_before_answers_has_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_staff_screens_show_top_reasons_only_with_answers, setup, teardown),
	};
	return cmocka_run_group_tests_name("reasons", tests, NULL, NULL);
}
