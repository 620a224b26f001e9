/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text on the screens: a question that wraps is set in balanced lines, with
 * the shipped font for real (no word alone on the last line when the words
 * can be spread), and SDL_ttf's own wrapping still takes what cannot be.
 */
#include "testutil.h"

#include <SDL_ttf.h>

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

static void test_words_wider_than_the_box_are_left_to_sdl_ttf(void **state)
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_question_wraps_into_balanced_lines),
		cmocka_unit_test(test_text_that_fits_stays_on_one_line),
		cmocka_unit_test(test_three_lines_are_even),
		cmocka_unit_test(test_words_wider_than_the_box_are_left_to_sdl_ttf),
		cmocka_unit_test(test_no_word_is_cut_while_a_smaller_size_fits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
