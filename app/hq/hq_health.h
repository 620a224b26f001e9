/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_health: whether head office's database answers, for /healthz. A
 * thread asks it once a second on a connection of its own, so /healthz
 * answers at once from what it last saw and never waits for the database
 * (a PostgreSQL server that went away would hold it for seconds); it turns
 * 503 within a second of the database going, and 200 again by itself when
 * it is back. SQLite is a file beside the process: always reachable.
 */
#ifndef HQ_HEALTH_H
#define HQ_HEALTH_H

#include <stddef.h>

struct hq_health;

/* Starts watching the database db_path names. 0, or -1 with err. */
int hq_health_start(struct hq_health **out, const char *db_path, char *err, size_t errlen);
void hq_health_stop(struct hq_health *hh);
/* "sqlite" or "postgresql". */
const char *hq_health_engine(const struct hq_health *hh);
/* 1 if the database answered last time it was asked, else 0 with why (one line). Any thread. */
int hq_health_ok(struct hq_health *hh, char *why, size_t len);

#endif
