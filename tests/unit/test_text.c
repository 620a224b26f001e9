/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text on the screens: a question that wraps is set in balanced lines, with
 * the shipped font for real (no word alone on the last line when the words
 * can be spread), CJK breaks between characters, right-to-left lines are
 * shaped and ordered, and the fallback font draws what DejaVu lacks.
 */
#include "testutil.h"

#include <SDL_ttf.h>

#include "staff_draw.h"
#include "text.h"

static struct text *open_font(void)
{
	struct text *t = NULL;
	char err[256];
	assert_int_equal(text_open(&t, "", err, sizeof(err)), 0);
	return t;
}

static int words_on_last_line(const char *s)
{
	const char *last = strrchr(s, '\n');
	int words = 1;
	for (const char *c = last ? last + 1 : s; *c; c++)
		words += *c == ' ';
	return words;
}

static void test_question_wraps_into_balanced_lines(void **state)
{
	(void)state;
	struct text *t = open_font();
	const char *q = "How was your visit today?";
	char out[256];
	/* Find a width where plain wrapping leaves "today?" alone on the second line. */
	int w, h, full;
	TTF_Font *f = TTF_OpenFont(text_default_font(), 100);
	assert_non_null(f);
	assert_int_equal(TTF_SizeUTF8(f, "How was your visit", &w, &h), 0);
	assert_int_equal(TTF_SizeUTF8(f, q, &full, &h), 0);
	TTF_CloseFont(f);
	int box = w + 10; /* "How was your visit" fits, the whole question does not */
	assert_true(full > box);
	int lines = text_balance(t, q, 100, box, out, sizeof(out));
	assert_int_equal(lines, 2);
	assert_true(words_on_last_line(out) >= 2);
	assert_string_equal(out, "How was your\nvisit today?");
	text_close(t);
}

static void test_text_that_fits_stays_on_one_line(void **state)
{
	(void)state;
	struct text *t = open_font();
	char out[256];
	assert_int_equal(text_balance(t, "Thank you!", 40, 2000, out, sizeof(out)), 1);
	assert_string_equal(out, "Thank you!");
	text_close(t);
}

static void test_three_lines_are_even(void **state)
{
	(void)state;
	struct text *t = open_font();
	const char *q = "How would you rate the service you received from our team at the counter today?";
	char out[256];
	int lines = text_balance(t, q, 60, 900, out, sizeof(out));
	assert_true(lines >= 2);
	assert_true(words_on_last_line(out) >= 2);
	text_close(t);
}

static void test_words_wider_than_the_box_are_not_balanced(void **state)
{
	(void)state;
	struct text *t = open_font();
	char out[256];
	assert_int_equal(text_balance(t, "Supercalifragilisticexpialidocious", 80, 200, out, sizeof(out)), -1);
	assert_int_equal(text_balance(t, "您今天的访问体验如何", 40, 100, out, sizeof(out)), -1);
	text_close(t);
}

/* "ratin/gs", "Bewertun/gen": a word that does not fit at one size is set smaller, whole. */
static void test_no_word_is_cut_while_a_smaller_size_fits(void **state)
{
	(void)state;
	struct text *t = open_font();
	SDL_Color white = { 255, 255, 255, 255 };
	static const char *words[] = { "ratings", "Bewertungen", "positive" };
	for (int i = 0; i < 3; i++) {
		SDL_Surface *s = text_fit(t, words[i], 60, 200, 40, white);
		assert_non_null(s);
		assert_true(s->w <= 60);
		/* one line: far wider than tall (a word cut into lines is taller than wide) */
		assert_true(s->w > 2 * s->h);
		SDL_FreeSurface(s);
	}
	/* CJK has no spaces and breaks between characters: still wrapped, not shrunk to one line */
	SDL_Surface *s = text_fit(t, "您今天的访问体验如何", 100, 400, 40, white);
	assert_non_null(s);
	assert_true(s->h > s->w / 2);
	SDL_FreeSurface(s);
	text_close(t);
}

/* Whether a and b hold the same pixels (size and every ARGB value). */
static int same_pixels(SDL_Surface *a, SDL_Surface *b)
{
	if (!a || !b || a->w != b->w || a->h != b->h)
		return 0;
	SDL_Surface *x = SDL_ConvertSurfaceFormat(a, SDL_PIXELFORMAT_ARGB8888, 0);
	SDL_Surface *y = SDL_ConvertSurfaceFormat(b, SDL_PIXELFORMAT_ARGB8888, 0);
	int same = x && y;
	for (int r = 0; same && r < x->h; r++)
		same = !memcmp((char *)x->pixels + r * x->pitch, (char *)y->pixels + r * y->pitch, (size_t)x->w * 4);
	SDL_FreeSurface(x);
	SDL_FreeSurface(y);
	return same;
}

/* Ink (alpha) in column x of s. */
static int column_ink(SDL_Surface *s, int x)
{
	int n = 0;
	for (int y = 0; y < s->h; y++)
		n += (((Uint32 *)s->pixels)[y * (s->pitch / 4) + x] >> 24) > 0x40;
	return n;
}

/*
 * Arabic is shaped (letters joined) and laid out right to left: the
 * kiosk's rendering is SDL_ttf's own with the direction and script set,
 * and not the unshaped left-to-right one.
 */
static void test_arabic_is_shaped_right_to_left(void **state)
{
	(void)state;
	struct text *t = open_font();
	assert_true(text_shaping(t));
	const char *q = "\u0643\u064a\u0641 \u0643\u0627\u0646\u062a \u0632\u064a\u0627\u0631\u062a\u0643 \u0627\u0644\u064a\u0648\u0645\u061f";
	assert_true(text_is_rtl(q));
	SDL_Color white = { 255, 255, 255, 255 };
	SDL_Surface *ours = text_fit(t, q, 2000, 200, 40, white);
	TTF_Font *f = TTF_OpenFont(text_default_font(), 40);
	assert_non_null(f);
	assert_int_equal(TTF_SetFontDirection(f, TTF_DIRECTION_RTL), 0);
	assert_int_equal(TTF_SetFontScriptName(f, "Arab"), 0);
	SDL_Surface *direct = TTF_RenderUTF8_Blended(f, q, white);
	assert_true(same_pixels(ours, direct));
	TTF_SetFontDirection(f, TTF_DIRECTION_LTR);
	TTF_SetFontScriptName(f, "Latn");
	SDL_Surface *unshaped = TTF_RenderUTF8_Blended(f, q, white);
	assert_false(same_pixels(ours, unshaped));
	SDL_FreeSurface(ours);
	SDL_FreeSurface(direct);
	SDL_FreeSurface(unshaped);
	TTF_CloseFont(f);
	text_close(t);
}

/* A time inside an Arabic sentence keeps its digits' order and sits where the sentence ends: at the left. */
static void test_a_time_in_arabic_reads_left_to_right_at_the_end(void **state)
{
	(void)state;
	struct text *t = open_font();
	SDL_Color white = { 255, 255, 255, 255 };
	const char *closed = "\u0645\u063a\u0644\u0642 \u2014 \u0646\u0641\u062a\u062d \u0627\u0644\u0633\u0627\u0639\u0629 08:30";
	SDL_Surface *line = text_fit(t, closed, 3000, 200, 40, white);
	assert_non_null(line);
	TTF_Font *f = TTF_OpenFont(text_default_font(), 40);
	SDL_Surface *time = TTF_RenderUTF8_Blended(f, "08:30", white);
	assert_non_null(time);
	/* "08:30" as SDL_ttf draws it, found at the line's left end */
	SDL_Surface *a = SDL_ConvertSurfaceFormat(line, SDL_PIXELFORMAT_ARGB8888, 0);
	SDL_Surface *b = SDL_ConvertSurfaceFormat(time, SDL_PIXELFORMAT_ARGB8888, 0);
	int found = -1;
	for (int x = 0; x + b->w <= a->w && found < 0 && x < a->w / 3; x++) {
		int same = 1;
		for (int y = 0; y < b->h && y < a->h && same; y++)
			for (int i = 0; i < b->w && same; i++) {
				Uint32 pa = ((Uint32 *)a->pixels)[y * (a->pitch / 4) + x + i] >> 24;
				Uint32 pb = ((Uint32 *)b->pixels)[y * (b->pitch / 4) + i] >> 24;
				same = pa == pb;
			}
		if (same)
			found = x;
	}
	assert_true(found >= 0);
	SDL_FreeSurface(a);
	SDL_FreeSurface(b);
	SDL_FreeSurface(line);
	SDL_FreeSurface(time);
	TTF_CloseFont(f);
	text_close(t);
}

/* Chinese draws through the fallback font: SDL_ttf's own rendering with it, not boxes from DejaVu. */
static void test_cjk_draws_through_the_fallback_font(void **state)
{
	(void)state;
	const char *fallback = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
	struct text *t = open_font();
	SDL_Color white = { 255, 255, 255, 255 };
	const char *q = "\u60a8\u4eca\u5929\u7684\u4f53\u9a8c\u5982\u4f55\uff1f";
	assert_int_equal(text_missing_glyph(t, q), 0x60a8);
	SDL_Surface *boxes = text_fit(t, q, 2000, 200, 40, white);
	char err[512];
	assert_int_equal(text_set_fallback(t, fallback, err, sizeof(err)), 0);
	assert_int_equal(text_missing_glyph(t, q), 0);
	SDL_Surface *ours = text_fit(t, q, 2000, 200, 40, white);
	TTF_Font *f = TTF_OpenFont(fallback, 40);
	assert_non_null(f);
	SDL_Surface *direct = TTF_RenderUTF8_Blended(f, q, white);
	assert_true(same_pixels(ours, direct));
	assert_false(same_pixels(ours, boxes));
	/* pixels inside the characters, not empty outlines: most columns have ink */
	int inked = 0;
	for (int x = 0; x < ours->w; x++)
		inked += column_ink(ours, x) > 0;
	assert_true(inked > ours->w / 2);
	SDL_FreeSurface(boxes);
	SDL_FreeSurface(ours);
	SDL_FreeSurface(direct);
	TTF_CloseFont(f);
	text_close(t);
}

/* A missing fallback font is one clear line; the text still draws (boxes for what no font has). */
static void test_a_missing_fallback_font_is_said_and_text_still_draws(void **state)
{
	(void)state;
	struct text *t = open_font();
	char err[512];
	assert_int_equal(text_set_fallback(t, "/nonexistent/wqy-microhei.ttc", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/wqy-microhei.ttc"));
	assert_non_null(strstr(err, "fonts-wqy-microhei"));
	assert_null(strchr(err, '\n'));
	SDL_Color white = { 255, 255, 255, 255 };
	SDL_Surface *s = text_fit(t, "\u8c22\u8c22\uff01", 400, 100, 40, white);
	assert_non_null(s);
	SDL_FreeSurface(s);
	text_close(t);
}

/* In a staff screen's box, a right-to-left text starts at the right where a left-to-right one starts at the left. */
static void test_right_to_left_text_is_aligned_right(void **state)
{
	(void)state;
	struct text *t = open_font();
	SDL_Surface *c = SDL_CreateRGBSurfaceWithFormat(0, 600, 100, 32, SDL_PIXELFORMAT_ARGB8888);
	struct rect box = { 10, 10, 500, 60 };
	struct rect ar = draw_text(t, c, "\u0627\u0644\u064a\u0648\u0645", box, 30, draw_white, -1);
	struct rect en = draw_text(t, c, "Today", box, 30, draw_white, -1);
	assert_true(ar.w > 0 && en.w > 0);
	assert_int_equal(ar.x + ar.w, box.x + box.w);
	assert_int_equal(en.x, box.x);
	SDL_FreeSurface(c);
	text_close(t);
}

/* A Chinese word after a space moves to the next line whole ("1,234 评" / "价" would split the word for "ratings"). */
static void test_a_cjk_word_after_a_space_wraps_whole(void **state)
{
	(void)state;
	struct text *t = open_font();
	char err[512];
	assert_int_equal(text_set_fallback(t, "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", err, sizeof(err)), 0);
	int whole, part, h;
	assert_int_equal(text_size(t, "1,234 \u8bc4\u4ef7", 40, &whole, &h), 0);
	assert_int_equal(text_size(t, "1,234 \u8bc4", 40, &part, &h), 0);
	SDL_Color white = { 255, 255, 255, 255 };
	SDL_Surface *s = text_fit(t, "1,234 \u8bc4\u4ef7", whole - 2, 400, 40, white);
	assert_non_null(s);
	assert_true(s->h > h);      /* two lines at 40 px */
	assert_true(s->w < part);   /* neither line is "1,234 评" */
	SDL_FreeSurface(s);
	text_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_question_wraps_into_balanced_lines),
		cmocka_unit_test(test_text_that_fits_stays_on_one_line),
		cmocka_unit_test(test_three_lines_are_even),
		cmocka_unit_test(test_words_wider_than_the_box_are_not_balanced),
		cmocka_unit_test(test_no_word_is_cut_while_a_smaller_size_fits),
		cmocka_unit_test(test_arabic_is_shaped_right_to_left),
		cmocka_unit_test(test_a_time_in_arabic_reads_left_to_right_at_the_end),
		cmocka_unit_test(test_cjk_draws_through_the_fallback_font),
		cmocka_unit_test(test_a_missing_fallback_font_is_said_and_text_still_draws),
		cmocka_unit_test(test_right_to_left_text_is_aligned_right),
		cmocka_unit_test(test_a_cjk_word_after_a_space_wraps_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
