/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_store_impl: what the files of the hq_store module share (hq_store.c
 * kiosks and tokens, hq_ingest.c, hq_zones.c, hq_summary.c, hq_export.c).
 * Nothing outside the module includes it: the rest of head office uses
 * hq_store.h.
 */
#ifndef HQ_STORE_IMPL_H
#define HQ_STORE_IMPL_H

#include "hq_db.h"
#include "hq_store.h"
#include "tzif.h"

/* A zone this connection has loaded: zone files are read once per connection, not per request. */
struct hq_zone_cache {
	char name[HQ_TZ_MAX];
	struct tzif *z;
};

struct hq_store {
	struct hq_db *sql;
	enum hq_db_engine engine;
	int in_group;                  /* inside hq_store_group_begin: batches use SAVEPOINTs */
	int64_t *group_keys;           /* the kiosk locks the group holds (hq_store_group_lock), sorted */
	size_t ngroup_keys;
	struct hq_zone_cache *zones;   /* sorted by name */
	size_t nzones;
};

/* The quarter hour of rating_counts (see the migrations). */
#define HQ_SLOT_MS 900000

/* "what: the database's last error"; returns -1. */
int hq_store_fail(struct hq_store *s, const char *what, char *err, size_t errlen);
int64_t hq_store_now_ms(void);
/* Column col as text into out ("" for NULL). */
void hq_store_text(struct hq_db_stmt *st, int col, char *out, size_t len);

/* hq_ingest.c: the process-wide write lock's mutex, shared with hq_store_write_lock. */
void hq_store_lock_process(int on);

/*
 * The local days of every zone head office has kiosks in (of one store,
 * or all), as many as the registry holds; tz sorted by strcmp for
 * hq_zones_find's binary search (sorted here, not by the engine: a
 * PostgreSQL database's collation need not be strcmp's).
 */
struct hq_zones {
	size_t n;
	char (*tz)[HQ_TZ_MAX];
	struct tzday *from;  /* the day (summary) or the first day (export) */
	int64_t *end_ms;     /* end of the last day */
};

int hq_zones_load(struct hq_store *s, const char *store, struct tzdate from, struct tzdate to,
		  struct hq_zones *z, char *err, size_t errlen);
void hq_zones_free(struct hq_zones *z);
/* The index of tz in z, or -1. */
int hq_zones_find(const struct hq_zones *z, const char *tz);
/* The earliest start and latest end over z's days. */
void hq_zones_span(const struct hq_zones *z, int64_t *lo, int64_t *hi);
/* Frees this connection's loaded zones. */
void hq_zones_cache_free(struct hq_store *s);

#endif
