/* SPDX-License-Identifier: Apache-2.0 */
/* Layout: faces placed and hit at many resolutions and all four rotations. */
#include "testutil.h"

#include "layout.h"

static const int sizes[][2] = { { 480, 320 }, { 800, 480 }, { 1024, 600 }, { 1280, 800 }, { 1920, 1080 }, { 480, 800 }, { 1080, 1920 } };
static const int rotations[] = { 0, 90, 180, 270 };

static void test_faces_fit_and_do_not_overlap(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (int n = 3; n <= 5; n++) {
			struct layout l;
			layout_rating(&l, sizes[s][0], sizes[s][1], n);
			assert_true(l.diameter >= 40);
			for (int i = 0; i < n; i++) {
				/* the whole face is on screen and inside its own touch cell */
				assert_true(l.cx[i] - l.diameter / 2 >= l.cell[i].x);
				assert_true(l.cx[i] + l.diameter / 2 <= l.cell[i].x + l.cell[i].w);
				assert_true(l.cy[i] - l.diameter / 2 >= l.cell[i].y);
				assert_true(l.cy[i] + l.diameter / 2 <= l.cell[i].y + l.cell[i].h);
				assert_true(l.cell[i].x + l.cell[i].w <= l.w);
				assert_true(l.cell[i].y + l.cell[i].h <= l.h);
				if (i > 0 && l.cell[i].y == l.cell[i - 1].y) /* left to right, no overlap */
					assert_true(l.cell[i].x >= l.cell[i - 1].x + l.cell[i - 1].w);
				else if (i > 0) /* a second row, below the first */
					assert_true(l.cell[i].y >= l.cell[i - 1].y + l.cell[i - 1].h);
			}
			/* the question sits above the faces */
			assert_true(l.question.y + l.question.h <= l.cell[0].y);
		}
}

/* Portrait panels use the height: two rows of larger faces than one row could hold. */
static void test_portrait_puts_faces_in_two_rows(void **state)
{
	(void)state;
	for (int n = 3; n <= 5; n++) {
		struct layout l;
		layout_rating(&l, 480, 800, n);
		int first = (n + 1) / 2;
		assert_true(l.cy[n - 1] > l.cy[0]);        /* a second row */
		assert_int_equal(l.cy[first - 1], l.cy[0]); /* the first row's faces side by side */
		/* bigger than the faces of one row across the same width */
		assert_true(l.diameter > (480 - 2 * (480 / 25)) / n);
		/* the faces use the height: the last row ends in the screen's bottom fifth */
		assert_true(l.cy[n - 1] + l.diameter / 2 > 800 * 4 / 5);
	}
}

static void test_every_face_centre_hits_its_face(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (int n = 3; n <= 5; n++) {
			struct layout l;
			layout_rating(&l, sizes[s][0], sizes[s][1], n);
			for (int i = 0; i < n; i++) {
				assert_int_equal(layout_hit(&l, l.cx[i], l.cy[i]), i);
				/* a thumb that lands off the face but in its column still counts */
				assert_int_equal(layout_hit(&l, l.cell[i].x + 1, l.cell[i].y + 1), i);
			}
			assert_int_equal(layout_hit(&l, l.w / 2, l.question.y + 1), -1);
			assert_int_equal(layout_hit(&l, -5, l.cy[0]), -1);
			assert_int_equal(layout_hit(&l, l.w + 5, l.cy[0]), -1);
		}
}

static void test_rotation_round_trips(void **state)
{
	(void)state;
	for (size_t r = 0; r < 4; r++) {
		double px, py, lx, ly;
		layout_to_physical(rotations[r], 800, 480, 123.5, 45.25, &px, &py);
		layout_to_logical(rotations[r], 800, 480, px, py, &lx, &ly);
		assert_true(lx == 123.5 && ly == 45.25);
	}
}

static void test_rotation_moves_corners_where_the_panel_shows_them(void **state)
{
	(void)state;
	double lx, ly;
	/* 90: the picture turned clockwise; its top-left is the panel's top-right */
	layout_to_logical(90, 800, 480, 800, 0, &lx, &ly);
	assert_true(lx == 0 && ly == 0);
	/* 180: upside down */
	layout_to_logical(180, 800, 480, 800, 480, &lx, &ly);
	assert_true(lx == 0 && ly == 0);
	/* 270: top-left is the panel's bottom-left */
	layout_to_logical(270, 800, 480, 0, 480, &lx, &ly);
	assert_true(lx == 0 && ly == 0);
	int w, h;
	layout_logical_size(90, 800, 480, &w, &h);
	assert_int_equal(w, 480);
	assert_int_equal(h, 800);
	layout_logical_size(180, 800, 480, &w, &h);
	assert_int_equal(w, 800);
	assert_int_equal(h, 480);
}

static void test_touch_on_rotated_panel_hits_the_face_shown_there(void **state)
{
	(void)state;
	for (size_t r = 0; r < 4; r++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			int pw = sizes[s][0], ph = sizes[s][1], w, h;
			layout_logical_size(rotations[r], pw, ph, &w, &h);
			struct layout l;
			layout_rating(&l, w, h, 4);
			for (int i = 0; i < 4; i++) {
				/* where face i appears on the panel, a finger lands */
				double px, py, lx, ly;
				layout_to_physical(rotations[r], pw, ph, l.cx[i], l.cy[i], &px, &py);
				layout_to_logical(rotations[r], pw, ph, px, py, &lx, &ly);
				assert_int_equal(layout_hit(&l, lx, ly), i);
			}
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faces_fit_and_do_not_overlap),
		cmocka_unit_test(test_portrait_puts_faces_in_two_rows),
		cmocka_unit_test(test_every_face_centre_hits_its_face),
		cmocka_unit_test(test_rotation_round_trips),
		cmocka_unit_test(test_rotation_moves_corners_where_the_panel_shows_them),
		cmocka_unit_test(test_touch_on_rotated_panel_hits_the_face_shown_there),
	};
	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
