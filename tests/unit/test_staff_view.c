/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The staff screens, painted for real from a real database: the bars
 * follow the hourly counts, every number that must show is drawn, the
 * head-office block shows only with a fresh summary, and the PIN pad's
 * keys are where they are drawn.
 */
#include "testutil.h"

#include <SDL.h>
#include <sys/wait.h>

#include "config.h"
#include "face.h"
#include "layout.h"
#include "protocol.h"
#include "config_validate.h"
#include "staff_view.h"
#include "store.h"
#include "text.h"
#include "tzday.h"

#define TZ "Europe/Berlin"

struct fixture {
	char dir[512], db_path[600];
	struct store *store;
	struct config cfg;
	int64_t now_ms; /* 2025-06-17 16:40 Berlin */
};

static void add(struct fixture *f, int value, int hour, int minute)
{
	struct tzdate d = { 2025, 6, 17 };
	int64_t ms;
	char err[256];
	assert_int_equal(tzday_local_to_ms(TZ, d, hour, minute, 0, &ms, err, sizeof(err)), 0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->store),
					    "INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id,"
					    " clock_synced) VALUES ('k', ?, 4, 'key', ?, 0, 'b', 1)",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int(st, 1, value);
	sqlite3_bind_int64(st, 2, ms);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void put_summary_of(struct fixture *f, int64_t as_of, struct protocol_figures fig)
{
	static struct protocol_summary s;
	memset(&s, 0, sizeof(s));
	snprintf(s.day, sizeof(s.day), "2025-06-17");
	s.as_of_ms = as_of;
	s.kiosk = s.store_total = s.chain = fig;
	snprintf(s.store_name, sizeof(s.store_name), "Harbour Street");
	s.nareas = 2;
	snprintf(s.areas[0].area, sizeof(s.areas[0].area), "Counter");
	snprintf(s.areas[1].area, sizeof(s.areas[1].area), "Returns");
	s.areas[0].figures = s.areas[1].figures = fig;
	char *json, err[256];
	size_t len;
	assert_int_equal(protocol_encode_summary(&s, &json, &len, err, sizeof(err)), 0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->store), "INSERT OR REPLACE INTO summary VALUES ('2025-06-17', ?, ?, ?)",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, json, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, as_of);
	sqlite3_bind_int64(st, 3, as_of);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(json);
}

static void put_summary(struct fixture *f, int64_t as_of)
{
	struct protocol_figures fig = { .scale = 4, .counts = { 1, 1, 2, 6 }, .total = 10, .positive_pct = 80,
					.happy_index = 76.7 };
	put_summary_of(f, as_of, fig);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	tu_mkdtemp(f->dir, sizeof(f->dir));
	snprintf(f->db_path, sizeof(f->db_path), "%s/k.db", f->dir);
	char err[512];
	assert_int_equal(store_open(&f->store, f->db_path, err, sizeof(err)), 0);
	config_defaults(&f->cfg);
	snprintf(f->cfg.timezone, sizeof(f->cfg.timezone), TZ);
	struct tzdate d = { 2025, 6, 17 };
	assert_int_equal(tzday_local_to_ms(TZ, d, 16, 40, 0, &f->now_ms, err, sizeof(err)), 0);
	/* 9:00 one rating, 12:00 four, 15:00 two: bars 1 : 4 : 2 */
	add(f, 3, 9, 5);
	for (int i = 0; i < 4; i++)
		add(f, i == 0 ? 0 : 3, 12, 10 + i);
	add(f, 2, 15, 1);
	add(f, 1, 15, 2);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->store);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

/* Pixels in r that differ from the background at (1, 1). */
static int ink(SDL_Surface *s, struct rect r)
{
	int n = 0;
	Uint32 bg = ((Uint32 *)s->pixels)[s->pitch / 4 + 1];
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++)
			if (((Uint32 *)s->pixels)[y * (s->pitch / 4) + x] != bg)
				n++;
	return n;
}

static void paint_staff(struct fixture *f, int w, int h, struct staff_data *d, SDL_Surface **canvas,
			struct staff_view **v, struct text **text)
{
	char err[512];
	assert_int_equal(text_open(text, "", err, sizeof(err)), 0);
	assert_int_equal(staff_data_load(d, store_db(f->store), &f->cfg, f->now_ms, err, sizeof(err)), 0);
	*canvas = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	*v = staff_view_new(&f->cfg, *text, w, h);
	assert_non_null(*v);
	assert_int_equal(staff_view_set_data(*v, d), 0);
	staff_view_paint(*v, *canvas);
}

static void done(SDL_Surface *c, struct staff_view *v, struct text *t)
{
	SDL_FreeSurface(c);
	staff_view_free(v);
	text_close(t);
}

static void test_bars_follow_the_hourly_counts(void **state)
{
	struct fixture *f = *state;
	static const int sizes[][2] = { { 800, 480 }, { 1920, 1080 }, { 480, 800 } };
	for (int s = 0; s < 3; s++) {
		static struct staff_data d;
		SDL_Surface *c;
		struct staff_view *v;
		struct text *t;
		paint_staff(f, sizes[s][0], sizes[s][1], &d, &c, &v, &t);
		const struct staff_marks *m = staff_view_marks(v);
		assert_int_equal(m->hour_first, 0);
		assert_int_equal(m->hour_end, 24);
		int h9 = m->bar[9].h, h12 = m->bar[12].h, h15 = m->bar[15].h;
		assert_true(h12 > 0);
		assert_int_equal(m->bar[8].h, 0);
		assert_int_equal(m->bar[16].h, 0);
		/* proportional to 1 : 4 : 2, within a pixel of rounding */
		assert_true(abs(h9 * 4 - h12) <= 4);
		assert_true(abs(h15 * 2 - h12) <= 2);
		/* the bars stand on the chart's base and are painted */
		assert_int_equal(m->bar[12].y + m->bar[12].h, m->chart.y + m->chart.h);
		assert_true(ink(c, m->bar[12]) == m->bar[12].w * m->bar[12].h);
		done(c, v, t);
	}
}

/* How each hour felt: the 12:00 bar (one worst, three best) is split in the faces' colours, best on top. */
static void test_bars_are_split_by_face(void **state)
{
	struct fixture *f = *state;
	static struct staff_data d;
	SDL_Surface *c;
	struct staff_view *v;
	struct text *t;
	paint_staff(f, 800, 480, &d, &c, &v, &t);
	const struct staff_marks *m = staff_view_marks(v);
	struct rect b = m->bar[12];
	Uint32 *px = c->pixels;
	int pitch = c->pitch / 4;
	Uint32 top = px[(b.y + 1) * pitch + b.x + b.w / 2] & 0xffffff;
	Uint32 bottom = px[(b.y + b.h - 2) * pitch + b.x + b.w / 2] & 0xffffff;
	assert_int_equal(top, face_colour(3, 4));
	assert_int_equal(bottom, face_colour(0, 4));
	/* a quarter of the bar is the worst face's, within rounding */
	int worst = 0;
	for (int y = b.y; y < b.y + b.h; y++)
		worst += (px[y * pitch + b.x + b.w / 2] & 0xffffff) == face_colour(0, 4);
	assert_true(abs(worst * 4 - b.h) <= 4);
	done(c, v, t);
}

/*
 * Every shipped language at 800x480 on the staff view and the wall
 * display, with head office's figures and ratings at unknown times: no
 * text is drawn under 16 px (text_fit never breaks a word, it shrinks
 * instead, so this is also "no word broken").
 */
static void test_every_language_reads_at_800x480(void **state)
{
	struct fixture *f = *state;
	static const char *codes[] = { "en", "de", "ar", "zh" };
	int64_t ms;
	char err[512];
	struct tzdate day = { 2025, 6, 17 };
	assert_int_equal(tzday_local_to_ms(TZ, day, 11, 0, 0, &ms, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_exec(store_db(f->store),
				      "INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced)"
				      " SELECT 'k', 3, 4, 'key', wall_ms, 0, 'b', 0 FROM ratings LIMIT 3",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	put_summary(f, f->now_ms - 60000);
	static struct config saved;
	saved = f->cfg;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		f->cfg = saved;
		struct config_report r = { .path = "test" };
		config_apply_language_file(&f->cfg, codes[i], &r);
		assert_int_equal(config_report_write(&r, err, sizeof(err)), 0);
		static struct staff_data d;
		SDL_Surface *c;
		struct staff_view *v;
		struct text *t;
		assert_int_equal(text_open(&t, "", err, sizeof(err)), 0);
		assert_int_equal(text_set_fallback(t, f->cfg.fallback_font, err, sizeof(err)), 0);
		assert_int_equal(staff_data_load(&d, store_db(f->store), &f->cfg, f->now_ms, err, sizeof(err)), 0);
		assert_true(d.have_summary);
		assert_true(d.view.today.time_unknown > 0);
		c = SDL_CreateRGBSurfaceWithFormat(0, 800, 480, 32, SDL_PIXELFORMAT_ARGB8888);
		v = staff_view_new(&f->cfg, t, 800, 480);
		assert_non_null(v);
		text_smallest_reset(t);
		print_message("%s:\n", codes[i]);
		assert_int_equal(staff_view_set_data(v, &d), 0);
		staff_view_paint(v, c);
		int staff = text_smallest(t);
		text_smallest_reset(t);
		staff_view_paint_display(v, c, &d, 0);
		int wall = text_smallest(t);
		print_message("%s: smallest text %d px on the staff view, %d px on the wall display\n", codes[i], staff,
			      wall);
		assert_true(staff >= 16);
		assert_true(wall >= 16);
		/* the table's headers sit over their columns, one beside the other, never on each other */
		const struct staff_marks *m = staff_view_marks(v);
		for (int k = 0; k < 2; k++)
			assert_true(m->header[k].x + m->header[k].w <= m->header[k + 1].x);
		done(c, v, t);
	}
	f->cfg = saved;
}

static void test_every_number_is_drawn(void **state)
{
	struct fixture *f = *state;
	static struct staff_data d;
	SDL_Surface *c;
	struct staff_view *v;
	struct text *t;
	paint_staff(f, 800, 480, &d, &c, &v, &t);
	const struct staff_marks *m = staff_view_marks(v);
	/* counts 1, 1, 1, 4 (worst to best): each face's count is drawn */
	assert_int_equal(d.view.today.total, 7);
	for (int i = 0; i < 4; i++) {
		assert_true(m->count[i].w > 0 && m->count[i].h > 0);
		assert_true(ink(c, m->count[i]) > 20);
	}
	/* the big figures are large enough to read from two metres */
	assert_true(m->positive.h >= 480 / 10);
	assert_true(ink(c, m->positive) > 200);
	assert_true(ink(c, m->happy) > 200);
	assert_true(ink(c, m->sentence) > 200);
	assert_string_equal(m->sentence_text, "71% positive today.");
	/* no summary stored: no head-office block at all */
	assert_int_equal(m->head_office.w, 0);
	done(c, v, t);
}

/*
 * [kiosk] languages: numbers and the date follow the language's own texts
 * (assets/lang/de.ini), with no OS locale at all: LANG=C, as on a Pi that
 * has none installed.
 */
static void test_numbers_and_date_follow_the_language_not_the_locale(void **state)
{
	struct fixture *f = *state;
	setenv("LANG", "C", 1);
	setenv("LC_ALL", "C", 1);
	static struct config saved;
	saved = f->cfg;
	struct config_report r = { .path = "test" };
	config_apply_language_file(&f->cfg, "de", &r);
	char errs[1024];
	assert_int_equal(config_report_write(&r, errs, sizeof(errs)), 0);
	static struct staff_data d;
	SDL_Surface *c;
	struct staff_view *v;
	struct text *t;
	paint_staff(f, 800, 480, &d, &c, &v, &t);
	const struct staff_marks *m = staff_view_marks(v);
	char expect[32];
	snprintf(expect, sizeof(expect), "%.1f", d.view.today.happy_index);
	*strchr(expect, '.') = ',';
	assert_string_equal(m->happy_text, expect);
	/* the date in German words: the fixture's day is a Tuesday in June */
	assert_non_null(strstr(m->title_text, "Dienstag, 17. Juni"));
	/* the sentence in German, its Happy Index (when named) with the decimal comma */
	assert_non_null(strstr(m->sentence_text, "positiv"));
	done(c, v, t);
	f->cfg = saved;
	unsetenv("LC_ALL");
}

static void test_counts_have_thousands_separators_and_unknown_times_are_said(void **state)
{
	struct fixture *f = *state;
	/* 1,234 more best ratings at 10:00, and 3 with a clock never set (in no hour) */
	struct tzdate day = { 2025, 6, 17 };
	int64_t ms;
	char err[256];
	assert_int_equal(tzday_local_to_ms(TZ, day, 10, 0, 0, &ms, err, sizeof(err)), 0);
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1237)"
		 " INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced)"
		 " SELECT 'k', 3, 4, 'key', %lld, 0, 'b', i <= 1234 FROM n",
		 (long long)ms);
	assert_int_equal(sqlite3_exec(store_db(f->store), sql, NULL, NULL, NULL), SQLITE_OK);
	static struct staff_data d;
	SDL_Surface *c;
	struct staff_view *v;
	struct text *t;
	paint_staff(f, 800, 480, &d, &c, &v, &t);
	const struct staff_marks *m = staff_view_marks(v);
	assert_string_equal(m->count_text[3], "1,241");
	assert_int_equal(d.view.today.time_unknown, 3);
	assert_true(m->time_unknown.w > 0);
	assert_true(ink(c, m->time_unknown) > 100);
	done(c, v, t);
	/* the project's own separator, whatever the OS locale */
	snprintf(f->cfg.t_thousands_separator, sizeof(f->cfg.t_thousands_separator), ".");
	paint_staff(f, 800, 480, &d, &c, &v, &t);
	assert_string_equal(staff_view_marks(v)->count_text[3], "1.241");
	done(c, v, t);
}

static void test_head_office_block_only_when_fresh(void **state)
{
	struct fixture *f = *state;
	static struct staff_data d;
	SDL_Surface *c;
	struct staff_view *v;
	struct text *t;
	put_summary(f, f->now_ms - 10 * 60 * 1000);
	paint_staff(f, 800, 480, &d, &c, &v, &t);
	assert_true(d.have_summary);
	assert_true(staff_view_marks(v)->head_office.h > 0);
	assert_true(ink(c, staff_view_marks(v)->head_office) > 500);
	done(c, v, t);

	/* the table reads at a glance: no text under 16 px, headers apart, in English and German */
	static const char *names[2][3] = { { "ratings", "positive", "Happy Index" }, { "Bewertungen", "positiv", "Zufriedenheitsindex" } };
	for (int lang = 0; lang < 2; lang++) {
		snprintf(f->cfg.t_ratings, sizeof(f->cfg.t_ratings), "%s", names[lang][0]);
		snprintf(f->cfg.t_positive, sizeof(f->cfg.t_positive), "%s", names[lang][1]);
		snprintf(f->cfg.t_happy_index, sizeof(f->cfg.t_happy_index), "%s", names[lang][2]);
		paint_staff(f, 800, 480, &d, &c, &v, &t);
		const struct staff_marks *m = staff_view_marks(v);
		assert_true(m->table_px >= 16);
		for (int k = 0; k < 3; k++) {
			assert_true(m->header[k].w > 0);
			if (k > 0) /* no "ratingspositive": a gap between neighbours */
				assert_true(m->header[k - 1].x + m->header[k - 1].w < m->header[k].x);
		}
		done(c, v, t);
	}

	/* older than [staff] summary_max_age_s: left out, not shown as zeros */
	put_summary(f, f->now_ms - (int64_t)(f->cfg.staff_summary_max_age_s * 1000) - 1000);
	paint_staff(f, 800, 480, &d, &c, &v, &t);
	assert_false(d.have_summary);
	assert_int_equal(staff_view_marks(v)->head_office.w, 0);
	done(c, v, t);
}

/*
 * The largest counts the summary decoder lets through paint on every wall
 * display page without overflow (head office's INT64_MAX counts did; the
 * decoder now refuses them: test_protocol).
 */
static void test_display_paints_the_largest_counts_head_office_may_send(void **state)
{
	struct fixture *f = *state;
	static struct staff_data d;
	SDL_Surface *c;
	struct staff_view *v;
	struct text *t;
	struct protocol_figures fig = { .scale = 5, .total = PROTOCOL_MAX_COUNT, .misuse = PROTOCOL_MAX_COUNT,
					.closed = PROTOCOL_MAX_COUNT, .positive_pct = 100, .happy_index = 100 };
	for (int i = 0; i < 5; i++)
		fig.counts[i] = PROTOCOL_MAX_COUNT;
	for (int h = 0; h < 24; h++)
		fig.hourly[h] = PROTOCOL_MAX_COUNT;
	put_summary_of(f, f->now_ms - 60 * 1000, fig);
	paint_staff(f, 1920, 1080, &d, &c, &v, &t);
	assert_true(d.have_summary);
	int pages = staff_view_display_pages(v, &d);
	assert_true(pages >= 1);
	for (int p = 0; p < pages; p++)
		staff_view_paint_display(v, c, &d, p);
	done(c, v, t);
}

static void test_chart_keeps_to_the_configured_hours(void **state)
{
	struct fixture *f = *state;
	static struct staff_data d;
	SDL_Surface *c;
	struct staff_view *v;
	struct text *t;
	f->cfg.staff_hours[0] = 8;
	f->cfg.staff_hours[1] = 20;
	paint_staff(f, 800, 480, &d, &c, &v, &t);
	const struct staff_marks *m = staff_view_marks(v);
	assert_int_equal(m->hour_first, 8);
	assert_int_equal(m->hour_end, 20);
	assert_true(m->bar[8].x < m->bar[9].x);
	assert_int_equal(m->bar[7].w, 0);
	done(c, v, t);
}

/*
 * A fresh machine has no database yet: the staff screens show the day
 * itself, empty, and the file is not created by looking. A file that is
 * there but is no database is still an error, not an empty day.
 */
static void test_no_database_yet_is_an_empty_day(void **state)
{
	struct fixture *f = *state;
	char path[700], err[512];
	sqlite3 *db = (sqlite3 *)1;
	snprintf(path, sizeof(path), "%s/fresh/tally.db", f->dir);
	assert_int_equal(staff_data_open(&db, path, err, sizeof(err)), 0);
	assert_null(db);
	snprintf(path, sizeof(path), "%s/tally.db", f->dir);
	assert_int_equal(staff_data_open(&db, path, err, sizeof(err)), 0);
	assert_null(db);
	assert_int_equal(access(path, F_OK), -1);

	static struct staff_data d;
	assert_int_equal(staff_data_load(&d, NULL, &f->cfg, f->now_ms, err, sizeof(err)), 0);
	assert_int_equal(d.view.today.day.date.year, 2025);
	assert_int_equal(d.view.today.day.date.month, 6);
	assert_int_equal(d.view.today.day.date.day, 17);
	assert_int_equal(d.view.today.hours_in_day, 24);
	assert_int_equal(d.view.today.total, 0);
	assert_true(d.view.today.happy_index < 0);
	assert_false(d.have_summary);
	struct text *t;
	assert_int_equal(text_open(&t, "", err, sizeof(err)), 0);
	SDL_Surface *c = SDL_CreateRGBSurfaceWithFormat(0, 800, 480, 32, SDL_PIXELFORMAT_ARGB8888);
	struct staff_view *v = staff_view_new(&f->cfg, t, 800, 480);
	assert_int_equal(staff_view_set_data(v, &d), 0);
	staff_view_paint(v, c);
	const struct staff_marks *m = staff_view_marks(v);
	assert_string_equal(m->sentence_text, "No ratings yet today.");
	assert_non_null(strstr(m->title_text, "17"));
	assert_int_equal(m->head_office.w, 0);
	done(c, v, t);

	tu_write(path, "not a database, and not empty either: a file someone put there by mistake\n");
	assert_int_equal(staff_data_open(&db, path, err, sizeof(err)), 0); /* SQLite reads lazily */
	assert_non_null(db);
	assert_int_not_equal(staff_data_load(&d, db, &f->cfg, f->now_ms, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not a database"));
	sqlite3_close(db);
}

static void test_pin_keys_are_where_they_are_drawn(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct text *t;
	assert_int_equal(text_open(&t, "", err, sizeof(err)), 0);
	SDL_Surface *c = SDL_CreateRGBSurfaceWithFormat(0, 800, 480, 32, SDL_PIXELFORMAT_ARGB8888);
	struct staff_view *v = staff_view_new(&f->cfg, t, 800, 480);
	staff_view_paint_pin(v, c, 0, 0);
	/* the e2e test touches the cancel key at (0.395, 0.881) of 800x480 */
	assert_int_equal(staff_view_pin_hit(v, 0.395 * 800, 0.881 * 480), STAFF_PIN_CANCEL);
	assert_int_equal(staff_view_pin_hit(v, 400, 171), 2);
	assert_int_equal(staff_view_pin_hit(v, 5, 5), -1);
	done(c, v, t);
}

static void test_corners_are_never_faces(void **state)
{
	(void)state;
	static const int sizes[][2] = { { 480, 320 }, { 800, 480 }, { 1920, 1080 }, { 480, 800 }, { 1080, 1920 } };
	for (int s = 0; s < 5; s++)
		for (int n = 3; n <= 5; n++) {
			struct layout l;
			int w = sizes[s][0], h = sizes[s][1];
			layout_rating(&l, w, h, n);
			/* the top corners are corner zones in the question box, never a face */
			assert_true(staff_view_in_corner(w, h, 2, 2));
			assert_true(staff_view_in_corner(w, h, w - 3, 2));
			assert_int_equal(layout_hit(&l, 2, 2), -1);
			assert_int_equal(layout_hit(&l, w - 3, 2), -1);
			assert_false(staff_view_in_corner(w, h, w / 2, h / 2));
		}
}

static int overlap(struct rect a, struct rect b)
{
	return a.w > 0 && b.w > 0 && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static int inside(struct rect a, int w, int h)
{
	return a.x >= 0 && a.y >= 0 && a.x + a.w <= w && a.y + a.h <= h;
}

static void two_shifts(struct fixture *f)
{
	char err[256];
	assert_int_equal(shifts_add_line(&f->cfg.shifts, "Early", "Mon-Sat 08:00-14:00", 1, err, sizeof(err)), 0);
	assert_int_equal(shifts_add_line(&f->cfg.shifts, "Late", "Mon-Sat 14:00-20:00", 2, err, sizeof(err)), 0);
}

static void test_shifts_put_the_running_shift_first(void **state)
{
	struct fixture *f = *state;
	two_shifts(f);
	static const int sizes[][2] = { { 800, 480 }, { 1920, 1080 }, { 480, 800 } };
	for (int s = 0; s < 3; s++) {
		static struct staff_data d;
		SDL_Surface *c;
		struct staff_view *v;
		struct text *t;
		paint_staff(f, sizes[s][0], sizes[s][1], &d, &c, &v, &t);
		const struct shift_marks *m = &staff_view_marks(v)->shift;
		/* 16:40: the Late shift runs; Early had 9:05 and 12:10-12:13, Late 15:01 and 15:02 */
		assert_true(d.shifts.have && d.shifts.running);
		assert_string_equal(m->focus_text, "Late shift so far");
		assert_int_equal(d.shifts.day.shift[0].now.total, 5);
		assert_int_equal(d.shifts.day.shift[1].now.total, 2);
		assert_string_equal(m->sentence_text, "Late shift: 50% positive, Happy Index 50");
		/* the day's shifts side by side, each drawn, apart from each other and the rest */
		assert_int_equal(m->ntiles, 2);
		assert_true(m->tile[0].x + m->tile[0].w <= m->tile[1].x);
		struct rect parts[] = { m->title, m->focus, m->positive, m->happy, m->table, m->sentence };
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			assert_true(parts[i].w > 0);
			assert_true(inside(parts[i], sizes[s][0], sizes[s][1]));
			assert_false(overlap(parts[i], m->tile[0]) || overlap(parts[i], m->tile[1]));
			for (size_t j = i + 1; j < sizeof(parts) / sizeof(parts[0]); j++)
				assert_false(overlap(parts[i], parts[j]));
		}
		assert_true(ink(c, m->positive) > 0);
		done(c, v, t);
	}
}

static void test_shift_end_screen_says_only_what_the_numbers_support(void **state)
{
	struct fixture *f = *state;
	two_shifts(f);
	static struct staff_data d;
	SDL_Surface *c;
	struct staff_view *v;
	struct text *t;
	paint_staff(f, 800, 480, &d, &c, &v, &t);
	staff_view_paint_shift_end(v, c, &d.shifts.day.shift[0]);
	const struct shift_marks *m = &staff_view_marks(v)->shift;
	/* five ratings, no weeks before: the figures, and no comparison to make */
	assert_string_equal(m->sentence_text, "Early shift: 80% positive, Happy Index 80");
	assert_string_equal(m->claim_text, "");
	struct rect parts[] = { m->title, m->positive, m->happy, m->claim, m->table };
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		assert_true(parts[i].w > 0 && inside(parts[i], 800, 480));
		for (size_t j = i + 1; j < sizeof(parts) / sizeof(parts[0]); j++)
			assert_false(overlap(parts[i], parts[j]));
	}
	done(c, v, t);
}

static void test_shift_view_says_how_many_ratings_have_no_known_time(void **state)
{
	struct fixture *f = *state;
	two_shifts(f);
	/* 16:00 on a clock that was not synced and never corrected: in no shift */
	struct tzdate day = { 2025, 6, 17 };
	int64_t ms;
	char err[256];
	assert_int_equal(tzday_local_to_ms(TZ, day, 16, 0, 0, &ms, err, sizeof(err)), 0);
	char sql[300];
	snprintf(sql, sizeof(sql), "INSERT INTO ratings (kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id,"
		 " clock_synced) VALUES ('k', 3, 4, 'key', %lld, 0, 'b', 0)", (long long)ms);
	assert_int_equal(sqlite3_exec(store_db(f->store), sql, NULL, NULL, NULL), SQLITE_OK);
	static struct staff_data d;
	SDL_Surface *c;
	struct staff_view *v;
	struct text *t;
	paint_staff(f, 800, 480, &d, &c, &v, &t);
	assert_int_equal(d.shifts.day.time_unknown, 1);
	assert_int_equal(d.shifts.day.shift[1].now.total, 2); /* not guessed into Late */
	assert_string_equal(staff_view_marks(v)->shift.sentence_text,
			    "Late shift: 50% positive, Happy Index 50 \u00b7 Time unknown, in no shift: 1");
	done(c, v, t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bars_follow_the_hourly_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_number_is_drawn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts_have_thousands_separators_and_unknown_times_are_said, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers_and_date_follow_the_language_not_the_locale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_office_block_only_when_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_display_paints_the_largest_counts_head_office_may_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chart_keeps_to_the_configured_hours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_database_yet_is_an_empty_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_keys_are_where_they_are_drawn, setup, teardown),
		cmocka_unit_test(test_corners_are_never_faces),
		cmocka_unit_test_setup_teardown(test_shifts_put_the_running_shift_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shift_end_screen_says_only_what_the_numbers_support, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shift_view_says_how_many_ratings_have_no_known_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bars_are_split_by_face, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_language_reads_at_800x480, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
