/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_alert_hours: kiosks' opening hours (see hq_alert_store.h), for the
 * silent alert: a kiosk is only missed while its store is open.
 */
#include "hq_alert_store.h"
#include "hq_alert_store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hq_alert_hours_set(struct hq_store *db, const char *kiosk_id, const char *const week[7], char *err, size_t errlen)
{
	char text[7 * 32] = "";
	size_t used = 0;
	for (int d = 0; d < 7; d++) {
		struct day_hours h;
		if (strlen(week[d]) > 24 || hours_parse(week[d], &h)) {
			snprintf(err, errlen, "\"%s\" is not a day's hours (08:00-20:00, closed, or empty for all day)", week[d]);
			return -1;
		}
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s", d ? "\n" : "", week[d]);
	}
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	if (hq_alert_prep(s, "SELECT 1 FROM kiosks WHERE id = ?", &st, "cannot set hours", err, errlen))
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	int rc = hq_db_step(st);
	hq_db_finalize(st);
	if (rc == HQ_DB_DONE)
		return 1;
	if (rc != HQ_DB_ROW) {
		snprintf(err, errlen, "cannot set hours: %s", hq_db_errmsg(s));
		return -1;
	}
	if (hq_alert_prep(s, "INSERT INTO kiosk_hours (kiosk_id, week) VALUES (?1, ?2)"
		 " ON CONFLICT (kiosk_id) DO UPDATE SET week = excluded.week", &st, "cannot set hours", err, errlen))
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	hq_db_bind_text(st, 2, text);
	hq_store_write_lock(1);
	rc = hq_alert_run(s, st, "cannot set hours", err, errlen);
	hq_store_write_lock(0);
	return rc;
}

int hq_alert_hours_get(struct hq_store *db, const char *kiosk_id, struct day_hours week[7])
{
	hours_always_open(week);
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(hq_store_sql(db), "SELECT week FROM kiosk_hours WHERE kiosk_id = ?", &st, why, sizeof(why))
	    != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, kiosk_id);
	int rc = hq_db_step(st);
	if (rc == HQ_DB_ROW) {
		char text[7 * 32];
		hq_alert_text_col(st, 0, text, sizeof(text));
		char *p = text;
		for (int d = 0; d < 7; d++) {
			/* strtok would merge empty (all day) lines: split by hand. */
			char *nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			if (hours_parse(p, &week[d]))
				hours_parse("", &week[d]);
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	hq_db_reset(st);
	return rc == HQ_DB_ROW || rc == HQ_DB_DONE ? 0 : -1;
}
