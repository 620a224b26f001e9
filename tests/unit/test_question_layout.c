/* SPDX-License-Identifier: Apache-2.0 */
/* The follow-up question's layout: answers above their buttons, or as touch buttons, at many sizes. */
#include "testutil.h"

#include "question_layout.h"

static const int sizes[][2] = { { 480, 320 }, { 800, 480 }, { 1024, 600 }, { 1920, 1080 }, { 480, 800 }, { 1080, 1920 } };

static int inside(const struct rect *in, const struct rect *out)
{
	return in->x >= out->x && in->y >= out->y && in->x + in->w <= out->x + out->w && in->y + in->h <= out->y + out->h;
}

static int overlap(const struct rect *a, const struct rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static void test_answers_stand_above_the_buttons_that_choose_them(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (int faces = 3; faces <= 5; faces++)
			for (int n = 1; n <= faces; n++) {
				struct layout l;
				struct question_layout q;
				layout_rating(&l, sizes[s][0], sizes[s][1], faces);
				question_layout(&q, &l, n, faces);
				assert_int_equal(q.n, n);
				assert_true(q.by_buttons);
				for (int i = 0; i < n; i++) {
					int b = q.button[i];
					assert_true(b >= 0 && b < faces);
					/* Drawn inside the column of the face that button rates: right above it. */
					assert_true(inside(&q.answer[i], &l.cell[b]));
					assert_int_equal(question_layout_for_button(&q, b), i);
					int cx = q.answer[i].x + q.answer[i].w / 2, cy = q.answer[i].y + q.answer[i].h / 2;
					assert_int_equal(question_layout_hit(&q, cx, cy), i);
					if (i > 0)
						assert_int_equal(q.button[i], q.button[i - 1] + 1);
				}
				/* Centred on the row: as many buttons without an answer on each side (or one more right). */
				int left = q.button[0], right = faces - 1 - q.button[n - 1];
				assert_true(right == left || right == left + 1);
				/* A button with no answer above it chooses nothing. */
				for (int b = 0; b < faces; b++)
					if (b < left || b > q.button[n - 1])
						assert_int_equal(question_layout_for_button(&q, b), -1);
			}
}

static void test_touch_answers_fit_below_the_question_without_overlapping(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (int n = 1; n <= QUESTION_MAX_ANSWERS; n++) {
			struct layout l;
			struct question_layout q;
			layout_rating(&l, sizes[s][0], sizes[s][1], 4);
			question_layout(&q, &l, n, 0);
			assert_int_equal(q.n, n);
			assert_false(q.by_buttons);
			struct rect screen = { 0, 0, l.w, l.h };
			for (int i = 0; i < n; i++) {
				const struct rect *a = &q.answer[i];
				assert_true(inside(a, &screen));
				assert_true(a->y >= q.title.y + q.title.h);
				/* A thumb's target: at least a tenth of the short side each way. */
				int small = l.w < l.h ? l.w : l.h;
				assert_true(a->w >= small / 10 && a->h >= small / 10);
				assert_int_equal(question_layout_hit(&q, a->x + a->w / 2, a->y + a->h / 2), i);
				assert_int_equal(question_layout_for_button(&q, i), -1);
				for (int j = 0; j < i; j++)
					assert_false(overlap(a, &q.answer[j]));
			}
			assert_int_equal(question_layout_hit(&q, 1, 1), -1);
		}
}

static void test_no_more_answers_than_buttons(void **state)
{
	(void)state;
	struct layout l;
	struct question_layout q;
	layout_rating(&l, 800, 480, 3);
	question_layout(&q, &l, 6, 3);
	assert_int_equal(q.n, 3);
	question_layout(&q, &l, 0, 3);
	assert_int_equal(q.n, 0);
	assert_int_equal(question_layout_for_button(&q, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_stand_above_the_buttons_that_choose_them),
		cmocka_unit_test(test_touch_answers_fit_below_the_question_without_overlapping),
		cmocka_unit_test(test_no_more_answers_than_buttons),
	};
	return cmocka_run_group_tests_name("question_layout", tests, NULL, NULL);
}
