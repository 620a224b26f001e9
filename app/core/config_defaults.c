/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_defaults: every key's built-in value (config.h), the one place a
 * default is written in code. They serve a development machine, so a
 * program run with no --config works; the packaged config sets the paths
 * a kiosk needs. assets/tally.conf.example shows each default, and
 * tests/e2e/config_docs.sh keeps the two in step.
 */
#include "config.h"
#include "shift_stats.h"
#include "stats.h"

#include <stdio.h>
#include <string.h>

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->kiosk_id, sizeof(cfg->kiosk_id), "demo-kiosk");
	snprintf(cfg->store, sizeof(cfg->store), "Demo Store");
	snprintf(cfg->area, sizeof(cfg->area), "Counter");
	snprintf(cfg->timezone, sizeof(cfg->timezone), "UTC");
	snprintf(cfg->database, sizeof(cfg->database), "tally.db");
	cfg->faces = 4;
	cfg->rotate = 0;
	cfg->thanks_s = 3.0;
	cfg->highlight_s = 0.3;
	snprintf(cfg->languages[0], sizeof(cfg->languages[0]), "en");
	cfg->nlanguages = 1;
	cfg->language = 0;
	/* Debian's fonts-wqy-microhei (a dependency of the package): CJK in 5 MB. */
	snprintf(cfg->fallback_font, sizeof(cfg->fallback_font), "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc");
	cfg->language_rotate_s = 8;
	cfg->language_return_s = 20;
	snprintf(cfg->t_language_name, sizeof(cfg->t_language_name), "English");
	snprintf(cfg->t_decimal_separator, sizeof(cfg->t_decimal_separator), ".");
	snprintf(cfg->t_months, sizeof(cfg->t_months),
		 "January,February,March,April,May,June,July,August,September,October,November,December");
	snprintf(cfg->question, sizeof(cfg->question), "How was your visit today?");
	snprintf(cfg->thanks, sizeof(cfg->thanks), "Thank you!");
	snprintf(cfg->out_of_order, sizeof(cfg->out_of_order), "Sorry, this terminal is out of order.");
	snprintf(cfg->t_closed, sizeof(cfg->t_closed), "Closed — open again at {time}");
	snprintf(cfg->t_closed_day, sizeof(cfg->t_closed_day), "Closed — open again {day} at {time}");
	snprintf(cfg->t_choose_again, sizeof(cfg->t_choose_again), "Please choose again");
	cfg->closed_wake_s = 5.0;
	cfg->background = 0x1f2a38;
	cfg->text_colour = 0xffffff;
	snprintf(cfg->t_time_unknown, sizeof(cfg->t_time_unknown), "{count} ratings at unknown times (clock not set)");
	snprintf(cfg->t_thousands_separator, sizeof(cfg->t_thousands_separator), ",");
	cfg->choose_again_s = 2.0;
	/* No answers by default: the question is asked only where a store lists them. */
	snprintf(cfg->t_followup, sizeof(cfg->t_followup), "What was the main reason?");
	cfg->followup_s = 10.0;
	snprintf(cfg->t_top_reasons, sizeof(cfg->t_top_reasons), "Top reasons today");
	cfg->mode = MODE_RATING;
	cfg->staff_view_s = 30;
	cfg->staff_corner_hold_s = 2;
	cfg->staff_hours[0] = 0;
	cfg->staff_hours[1] = 24;
	cfg->staff_summary_max_age_s = 3600;
	cfg->display_refresh_s = 30;
	cfg->display_page_s = 10;
	snprintf(cfg->t_staff_title, sizeof(cfg->t_staff_title), "{area} \u2014 {date}");
	snprintf(cfg->t_display_title, sizeof(cfg->t_display_title), "{store} \u2014 {date}");
	snprintf(cfg->t_date_format, sizeof(cfg->t_date_format), "%%A %%e %%B");
	snprintf(cfg->t_ratings, sizeof(cfg->t_ratings), "ratings");
	snprintf(cfg->t_positive, sizeof(cfg->t_positive), "positive");
	snprintf(cfg->t_happy_index, sizeof(cfg->t_happy_index), "Happy Index");
	snprintf(cfg->t_per_hour, sizeof(cfg->t_per_hour), "Ratings per hour");
	snprintf(cfg->t_today, sizeof(cfg->t_today), "Today");
	snprintf(cfg->t_yesterday, sizeof(cfg->t_yesterday), "Yesterday");
	snprintf(cfg->t_last_weekday, sizeof(cfg->t_last_weekday), "Last {weekday}");
	snprintf(cfg->t_store, sizeof(cfg->t_store), "Whole store");
	snprintf(cfg->t_chain, sizeof(cfg->t_chain), "Chain");
	snprintf(cfg->t_as_of, sizeof(cfg->t_as_of), "Head office figures as of {time}");
	snprintf(cfg->t_no_figures, sizeof(cfg->t_no_figures), "No figures yet today");
	snprintf(cfg->t_close_hint, sizeof(cfg->t_close_hint), "Press anywhere to close");
	snprintf(cfg->t_pin_prompt, sizeof(cfg->t_pin_prompt), "Staff PIN");
	snprintf(cfg->t_pin_wrong, sizeof(cfg->t_pin_wrong), "Wrong PIN");
	snprintf(cfg->t_page, sizeof(cfg->t_page), "{page} / {pages}");
	/* The summary sentence's English lives in stats.c, where it is tested. */
	struct stats_texts st;
	stats_texts_default(&st);
	snprintf(cfg->t_weekdays, sizeof(cfg->t_weekdays), "%s,%s,%s,%s,%s,%s,%s", st.weekday[0], st.weekday[1],
		 st.weekday[2], st.weekday[3], st.weekday[4], st.weekday[5], st.weekday[6]);
	snprintf(cfg->t_summary_no_ratings, sizeof(cfg->t_summary_no_ratings), "%s", st.no_ratings);
	snprintf(cfg->t_summary_alone, sizeof(cfg->t_summary_alone), "%s", st.alone);
	snprintf(cfg->t_summary_above, sizeof(cfg->t_summary_above), "%s", st.above);
	snprintf(cfg->t_summary_below, sizeof(cfg->t_summary_below), "%s", st.below);
	snprintf(cfg->t_summary_same, sizeof(cfg->t_summary_same), "%s", st.same);
	snprintf(cfg->t_summary_today, sizeof(cfg->t_summary_today), "%s", st.today);
	snprintf(cfg->t_summary_yesterday, sizeof(cfg->t_summary_yesterday), "%s", st.yesterday);
	snprintf(cfg->t_summary_last_weekday, sizeof(cfg->t_summary_last_weekday), "%s", st.last_weekday);
	snprintf(cfg->t_summary_point, sizeof(cfg->t_summary_point), "%s", st.point);
	snprintf(cfg->t_summary_points, sizeof(cfg->t_summary_points), "%s", st.points);
	hours_always_open(cfg->hours);
	shifts_init(&cfg->shifts);
	cfg->shift_end = 1;
	cfg->shift_end_s = 15;
	cfg->shift_end_grace_s = 900;
	cfg->shift_weeks = 4;
	cfg->shift_min_ratings = 5;
	/* The end-of-shift sentence's English lives in shift_stats.c, where it is tested. */
	struct shift_texts sh;
	shift_texts_default(&sh);
	snprintf(cfg->t_shift_so_far, sizeof(cfg->t_shift_so_far), "{shift} shift so far");
	snprintf(cfg->t_shift_title, sizeof(cfg->t_shift_title), "{shift} shift");
	snprintf(cfg->t_shift_figures, sizeof(cfg->t_shift_figures), "%s", sh.figures);
	snprintf(cfg->t_shift_no_ratings, sizeof(cfg->t_shift_no_ratings), "%s", sh.no_ratings);
	snprintf(cfg->t_shift_best, sizeof(cfg->t_shift_best), "%s", sh.best);
	snprintf(cfg->t_shift_worst, sizeof(cfg->t_shift_worst), "%s", sh.worst);
	snprintf(cfg->t_shift_above, sizeof(cfg->t_shift_above), "%s", sh.above);
	snprintf(cfg->t_shift_below, sizeof(cfg->t_shift_below), "%s", sh.below);
	snprintf(cfg->t_shift_same, sizeof(cfg->t_shift_same), "%s", sh.same);
	snprintf(cfg->t_shift_last_week, sizeof(cfg->t_shift_last_week), "Last week");
	snprintf(cfg->t_shift_average, sizeof(cfg->t_shift_average), "4-week average");
	snprintf(cfg->t_no_shift, sizeof(cfg->t_no_shift), "No shift running");
	snprintf(cfg->t_shift_time_unknown, sizeof(cfg->t_shift_time_unknown),
		 "Time unknown, in no shift: {count}");
	cfg->response_interval_s = 5.0;
	cfg->stuck_after_s = 10.0;
	cfg->staff_hold_s = 3.0;
	cfg->status_led_line = -1;
	snprintf(cfg->sync_url, sizeof(cfg->sync_url), "http://127.0.0.1:8470");
	cfg->sync_batch_size = 500;
	cfg->sync_retention_days = 90;
	cfg->sync_connect_timeout_s = 10;
	cfg->sync_timeout_s = 60;
	cfg->sync_summary_every_s = 300;
	snprintf(cfg->hq_listen, sizeof(cfg->hq_listen), "127.0.0.1:8470");
	snprintf(cfg->hq_database, sizeof(cfg->hq_database), "hq.db");
	cfg->hq_max_batch = 5000;
	cfg->hq_threads = 0;
	cfg->hq_connection_timeout_s = 10;
	cfg->hq_header_timeout_s = 10;
	cfg->hq_max_connections = 10000;
	cfg->hq_max_connections_per_address = 0;
	cfg->hq_slow_connections_per_address = 32;
	cfg->hq_body_memory_limit_mb = 64;
	cfg->hq_session_hours = 12;
	cfg->hq_session_idle_minutes = 60;
	cfg->hq_login_max_failures = 5;
	cfg->hq_login_max_failures_per_address = 20;
	cfg->hq_login_lockout_minutes = 15;
	cfg->hq_fleet_silent_minutes = 60;
	snprintf(cfg->alerts_public_url, sizeof(cfg->alerts_public_url), "http://127.0.0.1:8470");
	snprintf(cfg->alerts_smtp_from, sizeof(cfg->alerts_smtp_from), "tally-hq@localhost");
	cfg->alerts_smtp_starttls = 1;
	cfg->alerts_check_s = 60;
	cfg->alerts_timeout_s = 10;
	cfg->alerts_retry_s = 30;
	cfg->alerts_max_attempts = 10;
	snprintf(cfg->alerts_report_time, sizeof(cfg->alerts_report_time), "07:00");
	for (int i = 0; i < CONFIG_MAX_BUTTONS; i++) {
		struct button_config *b = &cfg->button[i];
		b->line = -1;
		b->active_low = 1;
		b->bias = BIAS_PULL_UP;
		b->debounce_ms = 30;
		b->led_line = -1;
	}
}
