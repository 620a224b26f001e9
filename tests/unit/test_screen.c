/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Screens, drawn for real: faces at their places in their colours, the
 * question rendered, the highlight, and rotation as the panel shows it.
 */
#include "testutil.h"

#include <SDL.h>
#include <png.h>

#include "config.h"
#include "display.h"
#include "face.h"
#include "kiosk_screenshot.h"
#include "layout.h"
#include "screen.h"
#include "snapshot.h"
#include "text.h"

static Uint32 pixel(SDL_Surface *s, int x, int y)
{
	return ((Uint32 *)s->pixels)[y * (s->pitch / 4) + x];
}

static Uint32 rgb(SDL_Surface *s, int x, int y)
{
	Uint8 r, g, b;
	SDL_GetRGB(pixel(s, x, y), s->format, &r, &g, &b);
	return (Uint32)r << 16 | (Uint32)g << 8 | b;
}

/* Counts pixels in the rect far from the background colour (text, shapes). */
static int ink(SDL_Surface *s, struct rect r)
{
	int n = 0;
	Uint32 bg = rgb(s, 1, 1);
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++)
			if (rgb(s, x, y) != bg)
				n++;
	return n;
}

static void paint(struct config *cfg, int w, int h, struct screen_state *st, SDL_Surface **out, struct screen **scr)
{
	struct text *text = NULL;
	char err[256];
	assert_int_equal(text_open(&text, "", err, sizeof(err)), 0);
	*out = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	*scr = screen_new(cfg, text, w, h);
	assert_non_null(*scr);
	screen_paint(*scr, *out, st);
	screen_free(*scr);
	*scr = NULL;
	text_close(text);
}

static void test_faces_are_at_their_places_in_their_colours(void **state)
{
	(void)state;
	static const int sizes[][2] = { { 480, 320 }, { 800, 480 }, { 1920, 1080 }, { 480, 800 } };
	for (size_t s = 0; s < 4; s++)
		for (int n = 3; n <= 5; n++)
		for (int order = 0; order < 2; order++) {
			struct config cfg;
			config_defaults(&cfg);
			cfg.faces = n;
			cfg.face_order = order;
			struct screen_state st = { SCREEN_RATING, -1, -1, NULL, NULL, 0, -1 };
			SDL_Surface *c;
			struct screen *scr;
			paint(&cfg, sizes[s][0], sizes[s][1], &st, &c, &scr);
			struct layout l;
			layout_rating(&l, c->w, c->h, n);
			for (int i = 0; i < n; i++) {
				/* a point on the cheek: between the eyes and the edge, clear of features */
				int x = l.cx[i] - l.diameter * 35 / 100, y = l.cy[i] + l.diameter / 20;
				/* position i shows the value of [screen] face_order: best at the left by default */
				assert_int_equal(rgb(c, x, y), face_colour(config_face_value(&cfg, i), n));
			}
			/* the question is drawn */
			assert_true(ink(c, l.question) > 200);
			SDL_FreeSurface(c);
		}
}

static void test_faces_read_without_colour(void **state)
{
	(void)state;
	/* Draw each face, then compare their features only (the dark pixels). */
	enum { S = 120 };
	static uint32_t px[5][S * S];
	for (int v = 0; v < 5; v++)
		face_draw(px[v], S, S, v, 5, 0);
	for (int a = 0; a < 5; a++)
		for (int b = a + 1; b < 5; b++) {
			int differ = 0;
			for (int i = 0; i < S * S; i++) {
				int da = (px[a][i] & 0xffffff) == 0x1b1b1b, db = (px[b][i] & 0xffffff) == 0x1b1b1b;
				differ += da != db;
			}
			assert_true(differ > 40);
		}
}

static void test_highlight_lights_one_face_and_dims_the_others(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	struct screen_state st = { SCREEN_RATING, 2, -1, NULL, NULL, 0, -1 };
	SDL_Surface *c;
	struct screen *scr;
	paint(&cfg, 800, 480, &st, &c, &scr);
	struct layout l;
	layout_rating(&l, 800, 480, 4);
	int x = l.cx[2] - l.diameter * 35 / 100, y = l.cy[2] + l.diameter / 20;
	assert_int_equal(rgb(c, x, y), face_colour(config_face_value(&cfg, 2), 4));
	/* a white ring just outside the lit face */
	assert_int_equal(rgb(c, l.cx[2] + (int)(l.diameter / 2 * 1.17), l.cy[2]), 0xffffff);
	/* the others keep their place but not their full colour */
	x = l.cx[0] - l.diameter * 35 / 100;
	assert_int_not_equal(rgb(c, x, y), face_colour(config_face_value(&cfg, 0), 4));
	SDL_FreeSurface(c);
}

static void test_thanks_and_out_of_order_screens_show_text(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	struct screen_state st = { SCREEN_THANKS, -1, 3, NULL, NULL, 0, -1 };
	SDL_Surface *c;
	struct screen *scr;
	paint(&cfg, 800, 480, &st, &c, &scr);
	assert_int_equal(rgb(c, 400 - 60, 480 * 40 / 100), face_colour(config_face_value(&cfg, 3), 4));
	assert_true(ink(c, (struct rect){ 0, 480 * 70 / 100, 800, 480 * 25 / 100 }) > 500);
	SDL_FreeSurface(c);
	st = (struct screen_state){ SCREEN_OUT_OF_ORDER, -1, -1, "disk full", NULL, 0, -1 };
	paint(&cfg, 800, 480, &st, &c, &scr);
	assert_int_equal(rgb(c, 2, 2), 0x6d1b1b);
	assert_true(ink(c, (struct rect){ 0, 100, 800, 300 }) > 500);
	SDL_FreeSurface(c);
}

static void test_rotated_panel_shows_the_canvas_turned(void **state)
{
	(void)state;
	setenv("SDL_VIDEODRIVER", "offscreen", 1);
	for (int r = 0; r < 360; r += 90) {
		struct display *d;
		char err[256];
		assert_int_equal(display_open(&d, 0, 800, 480, r, err, sizeof(err)), 0);
		SDL_Surface *c = display_canvas(d);
		int lw, lh;
		layout_logical_size(r, 800, 480, &lw, &lh);
		assert_int_equal(c->w, lw);
		assert_int_equal(c->h, lh);
		SDL_FillRect(c, NULL, SDL_MapRGB(c->format, 0, 0, 0));
		SDL_Rect mark = { 100, 40, 1, 1 };
		SDL_FillRect(c, &mark, SDL_MapRGB(c->format, 255, 0, 0));
		assert_int_equal(display_present(d), 0);
		double px, py;
		/* the pixel covering logical (100.5, 40.5) is where layout says */
		layout_to_physical(r, 800, 480, 100.5, 40.5, &px, &py);
		SDL_Surface *panel = display_panel(d);
		assert_int_equal(rgb(panel, (int)px, (int)py), 0xff0000);
		assert_int_equal(rgb(panel, (int)px + 1, (int)py), 0);
		int pw, ph;
		display_physical_size(d, &pw, &ph);
		assert_int_equal(pw, 800);
		assert_int_equal(ph, 480);
		display_close(d);
	}
}

static void test_screenshot_writes_a_png_of_the_panel(void **state)
{
	(void)state;
	char dir[512], path[600];
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/rating.png", dir);
	struct config cfg;
	config_defaults(&cfg);
	cfg.rotate = 90;
	assert_int_equal(kiosk_screenshot(&cfg, NULL, NULL, "rating", 800, 480, path, 0), 0);
	png_image img = { 0 };
	img.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_file(&img, path));
	/* the customer's view: portrait on a landscape panel turned by 90 */
	assert_int_equal(img.width, 480);
	assert_int_equal(img.height, 800);
	png_image_free(&img);
	assert_int_equal(kiosk_screenshot(&cfg, NULL, NULL, "nonsense", 800, 480, path, 0), 2);
	tu_rmdir(dir);
}

/* A fresh machine: the staff screens draw an empty day, and no database file is made for a picture. */
static void test_staff_screens_render_without_a_database(void **state)
{
	(void)state;
	char dir[512], path[600];
	tu_mkdtemp(dir, sizeof(dir));
	struct config cfg;
	config_defaults(&cfg);
	static const char *const names[] = { "staff", "display" };
	static const char *const dbs[] = { "tally.db", "no/such/dir/tally.db" };
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			snprintf(cfg.database, sizeof(cfg.database), "%s/%s", dir, dbs[j]);
			snprintf(path, sizeof(path), "%s/%s.png", dir, names[i]);
			assert_int_equal(kiosk_screenshot(&cfg, NULL, NULL, names[i], 800, 480, path, 0), 0);
			png_image img = { 0 };
			img.version = PNG_IMAGE_VERSION;
			assert_true(png_image_begin_read_from_file(&img, path));
			assert_int_equal(img.width, 800);
			assert_int_equal(img.height, 480);
			png_image_free(&img);
			assert_int_equal(access(cfg.database, F_OK), -1);
			unlink(path);
		}
	snprintf(path, sizeof(path), "%s/no", dir);
	assert_int_equal(access(path, F_OK), -1);
	tu_rmdir(dir);
}

/* [screen] logo and colours: the store's PNG above the question, on its own background. */
static void test_logo_and_colours_come_from_the_config(void **state)
{
	(void)state;
	char dir[] = "/tmp/tally-logo.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64], err[256];
	snprintf(path, sizeof(path), "%s/logo.png", dir);
	SDL_Surface *red = SDL_CreateRGBSurfaceWithFormat(0, 200, 50, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_FillRect(red, NULL, SDL_MapRGB(red->format, 0xcc, 0x00, 0x11));
	assert_int_equal(snapshot_save_png(red, path, err, sizeof(err)), 0);
	SDL_FreeSurface(red);
	struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.logo, sizeof(cfg.logo), "%s", path);
	cfg.background = 0x102030;
	struct screen_state st = { SCREEN_RATING, -1, -1, NULL, NULL, 0, -1 };
	SDL_Surface *c;
	struct screen *scr;
	paint(&cfg, 800, 480, &st, &c, &scr);
	assert_int_equal(rgb(c, 2, 2), 0x102030);
	struct layout l;
	layout_rating(&l, 800, 480, cfg.faces);
	/* the logo sits centred at the top of the question box */
	assert_int_equal(rgb(c, 400, l.question.y + 10), 0xcc0011);
	/* the faces keep their places */
	int x = l.cx[0] - l.diameter * 35 / 100, y = l.cy[0] + l.diameter / 20;
	assert_int_equal(rgb(c, x, y), face_colour(config_face_value(&cfg, 0), cfg.faces));
	SDL_FreeSurface(c);
	/* a logo that cannot be read: the screen without it, still taking ratings */
	snprintf(cfg.logo, sizeof(cfg.logo), "%s/missing.png", dir);
	paint(&cfg, 800, 480, &st, &c, &scr);
	assert_int_equal(rgb(c, 400, l.question.y + 10), 0x102030);
	SDL_FreeSurface(c);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faces_are_at_their_places_in_their_colours),
		cmocka_unit_test(test_faces_read_without_colour),
		cmocka_unit_test(test_logo_and_colours_come_from_the_config),
		cmocka_unit_test(test_highlight_lights_one_face_and_dims_the_others),
		cmocka_unit_test(test_thanks_and_out_of_order_screens_show_text),
		cmocka_unit_test(test_rotated_panel_shows_the_canvas_turned),
		cmocka_unit_test(test_screenshot_writes_a_png_of_the_panel),
		cmocka_unit_test(test_staff_screens_render_without_a_database),
	};
	return cmocka_run_group_tests_name("screen", tests, NULL, NULL);
}
