/*
 * shift_schedule: one row per schedule version in the kiosk store.
 *
 * Durability: a version is written in its own transaction when the kiosk
 * starts or reloads with a changed [shifts], never per rating. Losing it to
 * a power cut in that instant only means the next start records it again,
 * a few seconds later.
 */
#include "shift_schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char create_sql[] =
	"CREATE TABLE IF NOT EXISTS shift_schedules (from_ms INTEGER PRIMARY KEY, definition TEXT NOT NULL)";

static int table_exists(sqlite3 *db)
{
	sqlite3_stmt *st;
	int found = 0;
	if (!db)
		return 0; /* no database yet: no history */
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'shift_schedules'", -1,
			       &st, NULL) != SQLITE_OK)
		return 0;
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* The newest definition text into out ("" and 0 when none). -1 on error. */
static int newest(sqlite3 *db, char *out, size_t outlen, int64_t *from_ms)
{
	out[0] = '\0';
	*from_ms = 0;
	if (!table_exists(db))
		return 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT from_ms, definition FROM shift_schedules ORDER BY from_ms DESC LIMIT 1", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*from_ms = sqlite3_column_int64(st, 0);
		const unsigned char *t = sqlite3_column_text(st, 1);
		snprintf(out, outlen, "%s", t ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int shift_schedule_record(sqlite3 *db, const struct shifts *s, int64_t now_ms, char *err, size_t errlen)
{
	char text[SHIFTS_TEXT_MAX], old[SHIFTS_TEXT_MAX];
	int64_t old_from;
	if (shifts_format(s, text, sizeof(text))) {
		snprintf(err, errlen, "shift schedule too long to record");
		return -1;
	}
	int have = newest(db, old, sizeof(old), &old_from);
	if (have < 0) {
		snprintf(err, errlen, "cannot read shift schedules: %s", sqlite3_errmsg(db));
		return -1;
	}
	if ((have && !strcmp(old, text)) || (!have && s->n == 0))
		return 0;
	/* Never before the newest one: a clock set back must not reorder history. */
	if (have && now_ms <= old_from)
		now_ms = old_from + 1;
	sqlite3_stmt *st = NULL;
	if (sqlite3_exec(db, create_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO shift_schedules (from_ms, definition) VALUES (?, ?)", -1, &st, NULL) !=
		    SQLITE_OK) {
		snprintf(err, errlen, "cannot record the shift schedule: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot record the shift schedule: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 1;
}

int shift_schedule_rows(sqlite3 *db, struct shift_schedule_row *rows, int max, char *err, size_t errlen)
{
	if (!table_exists(db))
		return 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT from_ms, definition FROM (SELECT * FROM shift_schedules ORDER BY from_ms DESC LIMIT ?)"
			       " ORDER BY from_ms",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read shift schedules: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int(st, 1, max);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		rows[n].from_ms = sqlite3_column_int64(st, 0);
		const unsigned char *t = sqlite3_column_text(st, 1);
		snprintf(rows[n].definition, sizeof(rows[n].definition), "%s", t ? (const char *)t : "");
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		snprintf(err, errlen, "cannot read shift schedules: %s", sqlite3_errmsg(db));
		return -1;
	}
	return n;
}

int shift_schedule_history(sqlite3 *db, const struct shifts *current, int64_t now_ms, struct shifts_history *h,
			   char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	struct shift_schedule_row *rows = calloc(SHIFTS_MAX_VERSIONS, sizeof(*rows));
	struct shifts *s = malloc(sizeof(*s));
	int rc = -1;
	if (!rows || !s) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	int n = shift_schedule_rows(db, rows, SHIFTS_MAX_VERSIONS, err, errlen);
	if (n < 0)
		goto done;
	for (int i = 0; i < n; i++) {
		char why[256];
		/* A version this build cannot read is skipped, never guessed: the next one covers its time. */
		if (shifts_parse_text(rows[i].definition, s, why, sizeof(why)) == 0)
			shifts_history_add(h, s, rows[i].from_ms);
	}
	if (current && (h->n > 0 || current->n > 0))
		shifts_history_add(h, current, now_ms);
	rc = 0;
done:
	free(rows);
	free(s);
	return rc;
}
