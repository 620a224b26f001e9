/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reasons: counting a day's follow-up answers (reasons.h). The day is
 * found as stats.c finds it: a rating whose clock was synced by wall_ms,
 * else by a corrected time, else (time unknown) by wall_ms all the same.
 * The query first narrows by wall_ms or corrected_ms, both indexed, as
 * stats.c's does: the staff view opens on a year of ratings, and a scan
 * of them all would cost it more than the rest of its figures.
 */
#include "reasons.h"

#include <stdio.h>
#include <string.h>

#define BEST "CASE WHEN clock_synced OR corrected_ms IS NULL THEN wall_ms ELSE corrected_ms END"

int reasons_day_compute(sqlite3 *db, const struct tzday *day, int scale, struct reasons_day *out, char *err,
			size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!db)
		return 0;
	sqlite3_stmt *st;
	/* flags = 0: neither misuse nor closed, as stats counts; positive as score_is_positive. */
	if (sqlite3_prepare_v2(db, "SELECT reason, 2 * value > scale - 1, count(*), flags & 1 FROM ratings"
			       " WHERE ((wall_ms >= ?1 AND wall_ms < ?2) OR (corrected_ms >= ?1 AND corrected_ms < ?2))"
			       " AND reason IS NOT NULL AND scale = ?3 AND (flags = 0 OR flags & 1)"
			       " AND " BEST " >= ?1 AND " BEST " < ?2"
			       " GROUP BY 1, 2, 4 ORDER BY 4, 3 DESC, 1, 2", -1, &st, NULL) != SQLITE_OK) {
		/* A store the kiosk has not migrated yet has no answers to count. */
		if (strstr(sqlite3_errmsg(db), "no such column: reason"))
			return 0;
		snprintf(err, errlen, "reasons: cannot query answers: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, day->start_ms);
	sqlite3_bind_int64(st, 2, day->end_ms);
	sqlite3_bind_int(st, 3, scale);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(st, 2);
		if (sqlite3_column_int(st, 3)) {
			out->misuse_answered += n;
			continue;
		}
		out->answered += n;
		if (out->n == REASONS_MAX)
			continue;
		struct reason_count *r = &out->top[out->n++];
		snprintf(r->text, sizeof(r->text), "%s", (const char *)sqlite3_column_text(st, 0));
		r->positive = sqlite3_column_int(st, 1);
		r->count = n;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "reasons: cannot read answers: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}
