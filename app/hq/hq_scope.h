/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_scope: regions, and which stores a user may see. A store belongs to
 * at most one region (a store is the name its kiosks carry; its region is
 * kept once per store, in table stores). What a user sees is decided by
 * one SQL definition, HQ_STORE_VISIBLE_SQL (hq_store.h), which every
 * answer about stores or ratings given to a user goes through.
 */
#ifndef HQ_SCOPE_H
#define HQ_SCOPE_H

#include <stddef.h>

#include "hq_store.h"

struct hq_scope_store {
	char name[HQ_NAME_MAX];
	char region[HQ_NAME_MAX];  /* "": none */
	int kiosks;                /* active kiosks */
};

/* 1 when region is a usable region name (1..127 bytes, no control characters), else 0. "" is allowed: none. */
int hq_scope_region_ok(const char *region);

/* Puts store in region ("" none). 0; 1 no kiosk has that store; -1 with err. */
int hq_scope_set_region(struct hq_store *db, const char *store, const char *region, char *err, size_t errlen);

/* Stores user may see (NULL: every store), by name; *out malloc'd. 0 or -1 with err. */
int hq_scope_stores(struct hq_store *db, const char *user, struct hq_scope_store **out, size_t *n,
		    char *err, size_t errlen);

/* Whether user (NULL: everything) may see store: 1 yes, 0 no (or no such store), -1 error. */
int hq_scope_may_see(struct hq_store *db, const char *user, const char *store);

/* How many stores are in region: >= 0, or -1 error. */
int hq_scope_region_stores(struct hq_store *db, const char *region);

#endif
