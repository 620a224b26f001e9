/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_migrate: head office's schema and its versions, on both engines
 * (see hq_migrate.c for how each keeps its version and its lock).
 */
#ifndef HQ_MIGRATE_H
#define HQ_MIGRATE_H

#include <stddef.h>

struct hq_db;

/* The schema version this build writes. */
int hq_migrate_latest(void);
/* The version db holds (0: empty), or -1 with err. */
int hq_migrate_version(struct hq_db *db, char *err, size_t errlen);
/*
 * Brings db to the latest version under the migration lock; a newer
 * version than this build knows is refused and left untouched. what names
 * the database in err (never with a password). 0, or -1 with err.
 */
int hq_migrate(struct hq_db *db, const char *what, char *err, size_t errlen);

#endif
