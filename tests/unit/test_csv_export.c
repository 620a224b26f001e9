/* SPDX-License-Identifier: Apache-2.0 */
/* csv_export: the one CSV schema of the kiosk's and head office's exports. */
#include "testutil.h"

#include "csv_export.h"
#include "score.h"

static struct csv_export_row sample(void)
{
	return (struct csv_export_row){
		.kiosk = "k1", .install_id = "i9", .store = "Berlin Mitte", .area = "Counter", .seq = 7,
		.time = "2026-03-10T10:30:00.000+01:00", .time_basis = "synced", .value = 3, .scale = 4,
		.source = "button", .flags = 0, .wall_time = "2026-03-10T10:30:00.000+01:00", .boot_ms = 1000,
		.boot_id = "b0", .clock_synced = 1, .corrected_time = "", .corrected_by = "", .corrected_err_ms = -1,
		.at_head_office = 1, .received_time = "", .shift = "Early",
	};
}

static void test_header_names_every_column(void **state)
{
	(void)state;
	assert_string_equal(csv_export_header(),
			    "kiosk,install_id,store,area,seq,time,time_basis,value,label,scale,source,flags,wall_time,"
			    "boot_ms,boot_id,clock_synced,corrected_time,corrected_by,corrected_err_ms,at_head_office,"
			    "received_time,shift,reason\r\n");
}

static void test_a_row_has_the_face_label_beside_its_value(void **state)
{
	(void)state;
	char line[1024];
	struct csv_export_row r = sample();
	int n = csv_export_row(&r, line, sizeof(line));
	assert_string_equal(line, "k1,i9,Berlin Mitte,Counter,7,2026-03-10T10:30:00.000+01:00,synced,3,very positive,4,"
				  "button,,2026-03-10T10:30:00.000+01:00,1000,b0,1,,,,1,,Early,\r\n");
	assert_int_equal(n, (int)strlen(line));
	r.corrected_time = "2026-03-10T10:31:00.000+01:00";
	r.corrected_by = "hq";
	r.corrected_err_ms = 40;
	csv_export_row(&r, line, sizeof(line));
	assert_non_null(strstr(line, ",1,2026-03-10T10:31:00.000+01:00,hq,40,1,,Early,\r\n"));
	/* The follow-up answer, last, quoted like any text. */
	r.reason = "Waiting, then more waiting";
	csv_export_row(&r, line, sizeof(line));
	assert_non_null(strstr(line, ",Early,\"Waiting, then more waiting\"\r\n"));
}

static void test_flags_are_words_and_text_is_quoted_and_guarded(void **state)
{
	(void)state;
	char line[1024];
	struct csv_export_row r = sample();
	r.store = "=HYPERLINK(\"x\")";
	r.area = "Pick, up";
	r.flags = 3;
	r.value = 2;
	r.scale = 5;
	csv_export_row(&r, line, sizeof(line));
	assert_non_null(strstr(line, "k1,i9,\"'=HYPERLINK(\"\"x\"\")\",\"Pick, up\",7,"));
	assert_non_null(strstr(line, ",2,neutral,5,button,misuse closed,"));
}

static void test_a_row_that_does_not_fit_is_refused(void **state)
{
	(void)state;
	char line[40];
	struct csv_export_row r = sample();
	assert_int_equal(csv_export_row(&r, line, sizeof(line)), -1);
}

static void test_labels_for_every_scale(void **state)
{
	(void)state;
	assert_string_equal(score_face_label(0, 3), "negative");
	assert_string_equal(score_face_label(1, 3), "neutral");
	assert_string_equal(score_face_label(0, 4), "very negative");
	assert_string_equal(score_face_label(2, 4), "positive");
	assert_string_equal(score_face_label(4, 5), "very positive");
	assert_string_equal(score_face_label(5, 5), "");
	assert_string_equal(score_face_label(-1, 4), "");
}

static void test_times_are_rfc3339_with_their_offset(void **state)
{
	(void)state;
	char t[48];
	assert_string_equal(csv_export_time(1773135000123, 3600, t, sizeof(t)), "2026-03-10T10:30:00.123+01:00");
	assert_string_equal(csv_export_time(1773135000123, 0, t, sizeof(t)), "2026-03-10T09:30:00.123Z");
	assert_string_equal(csv_export_time(1773135000000, -(4 * 3600 + 1800), t, sizeof(t)), "2026-03-10T05:00:00.000-04:30");
	assert_string_equal(csv_export_time(-1, 0, t, sizeof(t)), "1969-12-31T23:59:59.999Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_names_every_column),
		cmocka_unit_test(test_a_row_has_the_face_label_beside_its_value),
		cmocka_unit_test(test_flags_are_words_and_text_is_quoted_and_guarded),
		cmocka_unit_test(test_a_row_that_does_not_fit_is_refused),
		cmocka_unit_test(test_labels_for_every_scale),
		cmocka_unit_test(test_times_are_rfc3339_with_their_offset),
	};
	return cmocka_run_group_tests_name("csv_export", tests, NULL, NULL);
}
