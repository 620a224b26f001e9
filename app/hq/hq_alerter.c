/* SPDX-License-Identifier: Apache-2.0 */
/* hq_alerter: the alert thread and one pass of it (see hq_alerter.h). */
#include "hq_alerter.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hq_report.h"
#include "log.h"

/* Messages sent at once in one pass. */
#define SEND_BATCH 32
#define RETRY_CAP_MS 3600000LL
/* Checks woken by ingest are at least this far apart. */
#define POKE_GAP_MS 1000

struct hq_alerter {
	struct hq_alerter_options o;
	struct hq_store *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int poked, stopping;
};

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* When attempt number `attempts` (1: the first) failed: the next try, or 0 to give up. */
static int64_t retry_at(const struct hq_alerter_options *o, int attempts, int64_t now_ms)
{
	if (attempts >= o->max_attempts)
		return 0;
	double wait = o->retry_s * 1000;
	for (int i = 1; i < attempts && wait < RETRY_CAP_MS; i++)
		wait *= 2;
	int64_t ms = wait > RETRY_CAP_MS ? RETRY_CAP_MS : (int64_t)wait;
	return now_ms + (ms > 0 ? ms : 1);
}

static int send_due(struct hq_store *db, const struct hq_alerter_options *o, int64_t now_ms,
		    struct hq_alerter_pass_stats *st, char *err, size_t errlen)
{
	for (;;) {
		struct hq_alert_msg *m;
		size_t n;
		if (hq_alert_outbox_due(db, now_ms, SEND_BATCH, &m, &n, err, errlen))
			return -1;
		if (!n) {
			free(m);
			return 0;
		}
		/* Each rule's own key, else the configured one; a rule deleted since: the configured one. */
		char (*secrets)[HQ_ALERT_SECRET_MAX] = calloc(n, sizeof(*secrets));
		const char **sp = calloc(n, sizeof(*sp));
		int *ok = calloc(n, sizeof(*ok));
		char (*why)[256] = calloc(n, sizeof(*why));
		if (!secrets || !sp || !ok || !why) {
			free(secrets);
			free(sp);
			free(ok);
			free(why);
			hq_alert_msg_free(m, n);
			free(m);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			struct hq_alert_rule r;
			const char *key = o->webhook_secret ? o->webhook_secret : "";
			if (hq_alert_rule_get(db, m[i].rule_id, &r) == 1 && r.secret[0])
				key = r.secret;
			snprintf(secrets[i], HQ_ALERT_SECRET_MAX, "%s", key);
			sp[i] = secrets[i];
		}
		int64_t at = wall_ms() > now_ms ? wall_ms() : now_ms;
		hq_deliver(&o->deliver, m, sp, n, at, ok, why);
		int failed = 0;
		for (size_t i = 0; i < n; i++) {
			int attempt = m[i].attempts + 1;
			int64_t next = ok[i] ? 0 : retry_at(o, attempt, now_ms);
			if (ok[i]) {
				st->sent++;
				log_msg(LOG_INFO, "alert outbox: message %lld (%s) sent", (long long)m[i].id, m[i].channel);
			} else if (next) {
				st->failed++;
				log_msg(LOG_WARNING, "alert outbox: message %lld (%s) attempt %d failed: %s; next in %.1f s",
					(long long)m[i].id, m[i].channel, attempt, why[i], (double)(next - now_ms) / 1000);
			} else {
				st->gave_up++;
				log_msg(LOG_ERR, "alert outbox: message %lld (%s) given up after %d attempts: %s",
					(long long)m[i].id, m[i].channel, attempt, why[i]);
			}
			if (hq_alert_outbox_result(db, m[i].id, ok[i], now_ms, next, ok[i] ? "" : why[i], err, errlen))
				failed = 1;
		}
		free(secrets);
		free(sp);
		free(ok);
		free(why);
		hq_alert_msg_free(m, n);
		free(m);
		if (failed)
			return -1;
		if (n < SEND_BATCH)
			return 0;
	}
}

int hq_alerter_pass(struct hq_store *db, const struct hq_alerter_options *o, int64_t now_ms, unsigned what,
		    struct hq_alerter_pass_stats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	int failed = 0;
	char why[512];
	err[0] = '\0';
	if (what & HQ_ALERTER_ALERTS) {
		struct hq_alert_eval_stats es;
		if (hq_alert_eval(db, &o->env, now_ms, &es, why, sizeof(why))) {
			snprintf(err, errlen, "%s", why);
			failed = 1;
		}
		st->opened = es.opened;
		st->cleared = es.cleared;
	}
	if (what & HQ_ALERTER_REPORTS) {
		if (hq_report_queue_due(db, &o->env, now_ms, &st->reports, why, sizeof(why))) {
			snprintf(err, errlen, "%s", why);
			failed = 1;
		}
	}
	if ((what & HQ_ALERTER_SEND) && send_due(db, o, now_ms, st, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		failed = 1;
	}
	return failed ? -1 : 0;
}

static void *alerter_main(void *arg)
{
	struct hq_alerter *a = arg;
	int64_t last_check = 0;
	for (;;) {
		pthread_mutex_lock(&a->lock);
		int64_t next_due = INT64_MAX;
		hq_alert_outbox_next(a->db, &next_due);
		int64_t due = last_check + (int64_t)(a->o.check_s * 1000);
		if (next_due < due)
			due = next_due;
		for (;;) {
			int64_t now = wall_ms();
			/*
			 * A poke (ratings stored) runs a check at once, but at most one a
			 * second: under a stream of ingest groups the checks would
			 * otherwise follow each other without a pause.
			 */
			int64_t until = a->poked && last_check + POKE_GAP_MS < due ? last_check + POKE_GAP_MS : due;
			if (a->stopping || now >= until)
				break;
			struct timespec ts = { .tv_sec = (time_t)(until / 1000), .tv_nsec = (long)(until % 1000) * 1000000 };
			pthread_cond_timedwait(&a->wake, &a->lock, &ts);
		}
		int stop = a->stopping;
		a->poked = 0;
		pthread_mutex_unlock(&a->lock);
		if (stop)
			break;
		struct hq_alerter_pass_stats st;
		char err[512];
		int64_t now = wall_ms();
		last_check = now;
		if (hq_alerter_pass(a->db, &a->o, now, HQ_ALERTER_ALERTS | HQ_ALERTER_REPORTS | HQ_ALERTER_SEND, &st, err,
				    sizeof(err)))
			log_msg(LOG_ERR, "alerts: %s", err);
	}
	return NULL;
}

int hq_alerter_start(struct hq_alerter **out, const struct hq_alerter_options *o, char *err, size_t errlen)
{
	struct hq_alerter *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->o = *o;
	if (hq_deliver_init()) {
		snprintf(err, errlen, "cannot start libcurl");
		free(a);
		return -1;
	}
	if (hq_store_open(&a->db, o->db_path, err, errlen)) {
		free(a);
		return -1;
	}
	pthread_mutex_init(&a->lock, NULL);
	/* The condition waits on the wall clock: retries and checks are due at wall times. */
	pthread_cond_init(&a->wake, NULL);
	if (pthread_create(&a->thread, NULL, alerter_main, a)) {
		snprintf(err, errlen, "cannot start the alert thread");
		hq_store_close(a->db);
		free(a);
		return -1;
	}
	*out = a;
	return 0;
}

void hq_alerter_poke(void *alerter)
{
	struct hq_alerter *a = alerter;
	pthread_mutex_lock(&a->lock);
	a->poked = 1;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
}

void hq_alerter_stop(struct hq_alerter *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stopping = 1;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	hq_store_close(a->db);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->wake);
	free(a);
}
