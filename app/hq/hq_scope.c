/* SPDX-License-Identifier: Apache-2.0 */
/* hq_scope: regions and what a user may see (see hq_scope.h). */
#include "hq_scope.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hq_scope_region_ok(const char *region)
{
	if (!region || strlen(region) >= HQ_NAME_MAX)
		return 0;
	for (const unsigned char *c = (const unsigned char *)region; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return 0;
	return 1;
}

int hq_scope_set_region(struct hq_store *db, const char *store, const char *region, char *err, size_t errlen)
{
	if (!hq_scope_region_ok(region)) {
		snprintf(err, errlen, "a region name has at most %d bytes and no control characters", HQ_NAME_MAX - 1);
		return -1;
	}
	sqlite3 *s = hq_store_db(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s, "UPDATE stores SET region = ? WHERE name = ?", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot set region: %s", sqlite3_errmsg(s));
		return -1;
	}
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, store, -1, SQLITE_STATIC);
	hq_store_write_lock(1);
	int rc = sqlite3_step(st);
	int changed = sqlite3_changes(s);
	hq_store_write_lock(0);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot set region: %s", sqlite3_errmsg(s));
		return -1;
	}
	return changed == 1 ? 0 : 1;
}

int hq_scope_stores(struct hq_store *db, const char *user, struct hq_scope_store **out, size_t *n,
		    char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	sqlite3 *s = hq_store_db(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s, "SELECT st.name, st.region,"
			       " (SELECT count(*) FROM kiosks k WHERE k.store = st.name AND k.revoked_ms = 0)"
			       " FROM stores st WHERE ?1 IS NULL OR st.name IN (" HQ_STORE_VISIBLE_SQL("?1") ")"
			       " ORDER BY st.name", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot list stores: %s", sqlite3_errmsg(s));
		return -1;
	}
	if (user)
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct hq_scope_store *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			*out = more;
		}
		struct hq_scope_store *x = &(*out)[(*n)++];
		snprintf(x->name, sizeof(x->name), "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(x->region, sizeof(x->region), "%s", (const char *)sqlite3_column_text(st, 1));
		x->kiosks = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		snprintf(err, errlen, "cannot list stores: %s", sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

int hq_scope_may_see(struct hq_store *db, const char *user, const char *store)
{
	sqlite3 *s = hq_store_db(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s, "SELECT 1 FROM stores WHERE name = ?2 AND (?1 IS NULL OR name IN ("
			       HQ_STORE_VISIBLE_SQL("?1") "))", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (user)
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, store, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int hq_scope_region_stores(struct hq_store *db, const char *region)
{
	sqlite3 *s = hq_store_db(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s, "SELECT count(*) FROM stores WHERE region = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return n;
}
