/* SPDX-License-Identifier: Apache-2.0 */
/* hq_health: the database's reachability, watched by a thread of its own (see hq_health.h). */
#include "hq_health.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hq_db.h"
#include "log.h"

struct hq_health {
	char *target;
	enum hq_db_engine engine;
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	int ok;
	char why[512];
};

/* Asks the database once: 1 answered, 0 not (why filled). Opens the connection when there is none. */
static int ask(struct hq_health *hh, struct hq_db **db, char *why, size_t len)
{
	if (!*db && hq_db_open(db, hh->target, why, len))
		return 0;
	if (hq_db_ping(*db, why, len) == HQ_DB_DONE)
		return 1;
	/* A fresh connection next time: libpq's own reset would do as well, this is simpler to reason about. */
	hq_db_close(*db);
	*db = NULL;
	return 0;
}

static void *watch(void *arg)
{
	struct hq_health *hh = arg;
	struct hq_db *db = NULL;
	pthread_mutex_lock(&hh->lock);
	while (!hh->stopping) {
		pthread_mutex_unlock(&hh->lock);
		char why[512] = "";
		int ok = ask(hh, &db, why, sizeof(why));
		pthread_mutex_lock(&hh->lock);
		if (ok != hh->ok)
			log_msg(ok ? LOG_NOTICE : LOG_ERR, ok ? "database reachable again" : "database unreachable: %s", why);
		hh->ok = ok;
		snprintf(hh->why, sizeof(hh->why), "%s", why);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 1;
		while (!hh->stopping && pthread_cond_timedwait(&hh->wake, &hh->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&hh->lock);
	hq_db_close(db);
	return NULL;
}

int hq_health_start(struct hq_health **out, const char *db_path, char *err, size_t errlen)
{
	*out = NULL;
	struct hq_health *hh = calloc(1, sizeof(*hh));
	if (!hh || !(hh->target = strdup(db_path ? db_path : ""))) {
		free(hh);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	hh->engine = hq_db_engine_of(db_path);
	hh->ok = 1; /* the server opened it just before */
	pthread_mutex_init(&hh->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hh->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (hh->engine == HQ_DB_PG) {
		if (pthread_create(&hh->thread, NULL, watch, hh)) {
			snprintf(err, errlen, "cannot start the health thread");
			hq_health_stop(hh);
			return -1;
		}
		hh->started = 1;
	}
	*out = hh;
	return 0;
}

void hq_health_stop(struct hq_health *hh)
{
	if (!hh)
		return;
	if (hh->started) {
		pthread_mutex_lock(&hh->lock);
		hh->stopping = 1;
		pthread_cond_signal(&hh->wake);
		pthread_mutex_unlock(&hh->lock);
		pthread_join(hh->thread, NULL);
	}
	pthread_cond_destroy(&hh->wake);
	pthread_mutex_destroy(&hh->lock);
	free(hh->target);
	free(hh);
}

const char *hq_health_engine(const struct hq_health *hh)
{
	return hh->engine == HQ_DB_PG ? "postgresql" : "sqlite";
}

int hq_health_ok(struct hq_health *hh, char *why, size_t len)
{
	pthread_mutex_lock(&hh->lock);
	int ok = hh->ok;
	snprintf(why, len, "%s", hh->why);
	pthread_mutex_unlock(&hh->lock);
	return ok;
}
