/* SPDX-License-Identifier: Apache-2.0 */
/*
 * summary_pull: one GET, checked with the shared protocol decoder before
 * it is stored, so the staff screens never read a half or foreign answer.
 */
#include "summary_pull.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocol.h"
#include "sync.h"
#include "tzday.h"

static int64_t wall_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when the summary table already holds exactly json for day. */
static int unchanged(sqlite3 *db, const char *day, const char *json)
{
	sqlite3_stmt *st;
	int same = 0;
	if (sqlite3_prepare_v2(db, "SELECT json FROM summary WHERE day = ?", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *old = (const char *)sqlite3_column_text(st, 0);
		same = old && !strcmp(old, json);
	}
	sqlite3_finalize(st);
	return same;
}

int summary_pull(const struct config *cfg, struct store *store, struct http_client *http, char *day,
		 size_t daylen, char *err, size_t errlen)
{
	int64_t now = wall_now_ms();
	struct tzdate d;
	if (tzday_date_of(cfg->timezone, now, &d, NULL, err, errlen))
		return -1;
	snprintf(day, daylen, "%04d-%02d-%02d", d.year, d.month, d.day);

	char path[64], url[CONFIG_PATH_MAX + 128];
	snprintf(path, sizeof(path), "summary?day=%04d-%02d-%02d", d.year, d.month, d.day);
	sync_url(cfg, path, url, sizeof(url));
	struct http_response resp;
	char why[512];
	if (http_get(http, url, cfg->sync_token, &resp, why, sizeof(why))) {
		snprintf(err, errlen, "summary: %s", why);
		return -1;
	}
	if (resp.status != 200) {
		char msg[200];
		if (protocol_decode_error(resp.body, resp.len, msg, sizeof(msg)))
			snprintf(msg, sizeof(msg), "no error message");
		snprintf(err, errlen, "summary: HTTP %ld: %s", resp.status, msg);
		http_response_free(&resp);
		return -1;
	}
	struct protocol_summary *sum = malloc(sizeof(*sum));
	if (!sum) {
		http_response_free(&resp);
		snprintf(err, errlen, "summary: out of memory");
		return -1;
	}
	if (protocol_decode_summary(resp.body, resp.len, sum, why, sizeof(why))) {
		snprintf(err, errlen, "summary: unreadable answer: %s", why);
		free(sum);
		http_response_free(&resp);
		return -1;
	}
	int64_t as_of = sum->as_of_ms;
	free(sum);

	sqlite3 *db = store_db(store);
	int rc = 0;
	if (!unchanged(db, day, resp.body)) {
		sqlite3_stmt *st;
		rc = -1;
		if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO summary (day, json, as_of_ms, fetched_ms) VALUES (?,?,?,?)",
				       -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, resp.body, (int)resp.len, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, as_of);
			sqlite3_bind_int64(st, 4, now);
			if (sqlite3_step(st) == SQLITE_DONE)
				rc = 1;
			sqlite3_finalize(st);
		}
		if (rc < 0)
			snprintf(err, errlen, "summary: cannot store: %s", sqlite3_errmsg(db));
	}
	http_response_free(&resp);
	return rc;
}
