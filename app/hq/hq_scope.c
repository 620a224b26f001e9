/* SPDX-License-Identifier: Apache-2.0 */
/* hq_scope: regions and what a user may see (see hq_scope.h). */
#include "hq_scope.h"

#include "hq_db.h"

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
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_prepare(s, "UPDATE stores SET region = ? WHERE name = ?", &st, why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot set region: %s", why);
		return -1;
	}
	hq_db_bind_text(st, 1, region);
	hq_db_bind_text(st, 2, store);
	hq_store_write_lock(1);
	int rc = hq_db_step(st);
	int64_t changed = hq_db_changes(st);
	hq_store_write_lock(0);
	if (rc != HQ_DB_DONE)
		snprintf(err, errlen, "cannot set region: %s", hq_db_errmsg(s));
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE)
		return -1;
	return changed == 1 ? 0 : 1;
}

int hq_scope_stores(struct hq_store *db, const char *user, struct hq_scope_store **out, size_t *n,
		    char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	struct hq_db *s = hq_store_sql(db);
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_prepare(s, "SELECT st.name, st.region,"
			  " (SELECT count(*) FROM kiosks k WHERE k.store = st.name AND k.revoked_ms = 0)"
			  " FROM stores st WHERE ?1 IS NULL OR st.name IN (" HQ_STORE_VISIBLE_SQL("?1") ")"
			  " ORDER BY st.name", &st, why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "cannot list stores: %s", why);
		return -1;
	}
	hq_db_bind_text(st, 1, user);
	size_t cap = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct hq_scope_store *more = realloc(*out, cap * sizeof(**out));
			if (!more) {
				rc = HQ_DB_ERROR;
				break;
			}
			*out = more;
		}
		struct hq_scope_store *x = &(*out)[(*n)++];
		const char *name = hq_db_column_text(st, 0), *region = hq_db_column_text(st, 1);
		snprintf(x->name, sizeof(x->name), "%s", name ? name : "");
		snprintf(x->region, sizeof(x->region), "%s", region ? region : "");
		x->kiosks = (int)hq_db_column_int64(st, 2);
	}
	if (rc != HQ_DB_DONE)
		snprintf(err, errlen, "cannot list stores: %s", hq_db_errmsg(s));
	hq_db_finalize(st);
	if (rc != HQ_DB_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int hq_scope_may_see(struct hq_store *db, const char *user, const char *store)
{
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(hq_store_sql(db), "SELECT 1 FROM stores WHERE name = ?2 AND (?1 IS NULL OR name IN ("
			 HQ_STORE_VISIBLE_SQL("?1") "))", &st, why, sizeof(why)) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, user);
	hq_db_bind_text(st, 2, store);
	int rc = hq_db_step(st);
	hq_db_reset(st);
	return rc == HQ_DB_ROW ? 1 : rc == HQ_DB_DONE ? 0 : -1;
}

int hq_scope_region_stores(struct hq_store *db, const char *region)
{
	struct hq_db_stmt *st;
	char why[256];
	if (hq_db_cached(hq_store_sql(db), "SELECT count(*) FROM stores WHERE region = ?", &st, why, sizeof(why))
	    != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, region);
	int n = hq_db_step(st) == HQ_DB_ROW ? (int)hq_db_column_int64(st, 0) : -1;
	hq_db_reset(st);
	return n;
}
