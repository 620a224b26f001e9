/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sync: the round, batch by batch.
 *
 * Exactly-once, from the kiosk's side: a batch is read, sent, and marked
 * acknowledged in one local transaction only after a 200 whose ack we could
 * read. Any other outcome marks nothing, so the batch is sent again later;
 * head office stores each batch in one transaction and ignores any (kiosk,
 * seq) it already has, so a batch that did arrive but whose answer was lost
 * (a cut connection, a kill -9 between the 200 and our commit) is counted
 * once there and reported back as duplicates. A batch head office refuses
 * with 409 (its (kiosk, install, seq) is held with other content) is not
 * marked either: the round stops, the conflict is logged and written to
 * sync.status for `tallyctl status`, and the daemon retries with backoff.
 *
 * Time: while the kiosk's clock is not NTP-synced, every answer of a head
 * office whose own clock is synced is a time reading (protocol.h's
 * "hq_time_ms"): taken over a round trip measured on CLOCK_BOOTTIME, it is
 * a reference for timefix like an NTP sync, with an error bound of half the
 * round trip, and the times it corrects are flagged as corrected by head
 * office. Before a round sends anything unsynced, a stale reading is
 * renewed with one GET /healthz, so a backlog leaves corrected.
 */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clockstate.h"
#include "log.h"
#include "outbox.h"
#include "protocol.h"
#include "shift_schedule.h"
#include "statusfile.h"
#include "timefix.h"

/* A reading over a longer round trip is too coarse to be worth it. */
#define HQ_CLOCK_MAX_RTT_MS 10000
/* A reading older than this (boot time) is renewed before a round sends. */
#define HQ_CLOCK_FRESH_MS 60000

/*
 * Head office's clock as this kiosk's time source, while the kiosk's own
 * clock is not NTP-synced: the latest reading whose head office said its
 * clock was synced. ref.boot_ms is the middle of the round trip on
 * CLOCK_BOOTTIME, ref.error_ms half the round trip (plus the ms rounding).
 */
struct hq_clock {
	int have;
	struct timefix_ref ref;
};

struct sync {
	const struct config *cfg;
	struct store *store;
	struct http_client *http;
	volatile sig_atomic_t *stop;
	char ratings_url[CONFIG_PATH_MAX + 64];
	char healthz_url[CONFIG_PATH_MAX + 64];
	struct hq_clock hq;       /* head office's clock, while ours is not synced */
	int hq_unsynced_logged;   /* said once that head office's clock is not synced either */
	int64_t hq_probed_ms;     /* boot time of the last GET /healthz for the clock, 0: never */
	struct outbox_batch batch;
	int batch_limit;        /* batch_size, or less after head office said 413 */
	/* the link's state as last logged */
	enum sync_outcome last_outcome;
	long last_status;
	enum http_failure last_failure;
	int failures;           /* consecutive failed rounds */
	int logged_any;
	int64_t last_ok_ms;     /* wall time of the last successful round, 0: none yet */
};

void sync_url(const struct config *cfg, const char *path, char *out, size_t outlen)
{
	size_t n = strlen(cfg->sync_url);
	while (n > 0 && cfg->sync_url[n - 1] == '/')
		n--;
	snprintf(out, outlen, "%.*s/api/v1/%s", (int)n, cfg->sync_url, path);
}

int sync_new(struct sync **out, const struct config *cfg, struct store *store, struct http_client *http,
	     volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct sync *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->cfg = cfg;
	s->store = store;
	s->http = http;
	s->stop = stop;
	s->last_outcome = SYNC_DONE;
	s->batch_limit = cfg->sync_batch_size;
	sync_url(cfg, "ratings", s->ratings_url, sizeof(s->ratings_url));
	/* /healthz is at the root, beside /api/v1. */
	size_t n = strlen(cfg->sync_url);
	while (n > 0 && cfg->sync_url[n - 1] == '/')
		n--;
	snprintf(s->healthz_url, sizeof(s->healthz_url), "%.*s/healthz", (int)n, cfg->sync_url);
	*out = s;
	return 0;
}

void sync_free(struct sync *s)
{
	if (!s)
		return;
	outbox_batch_free(&s->batch);
	free(s);
}

static int64_t wall_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads head office's clock from an answer that was on the wire from b0 to
 * b1 (CLOCK_BOOTTIME). Head office read its clock somewhere in between, so
 * taking the middle errs by at most half the round trip.
 */
static void observe_hq_clock(struct sync *s, const struct http_response *resp, int64_t b0, int64_t b1)
{
	int64_t hq_ms;
	int hq_synced;
	if (protocol_decode_hq_time(resp->body, resp->len, &hq_ms, &hq_synced))
		return;
	if (!hq_synced) {
		/* Never a source: a wrong head office would "correct" every rating. */
		if (!s->hq_unsynced_logged && !clockstate_synced())
			log_msg(LOG_WARNING, "head office says its own clock is not synced either: not used as a time source");
		s->hq_unsynced_logged = 1;
		return;
	}
	s->hq_unsynced_logged = 0;
	int64_t rtt = b1 - b0;
	if (rtt < 0 || rtt > HQ_CLOCK_MAX_RTT_MS)
		return;
	struct rating now;
	clockstate_stamp(&now);
	if (now.clock_synced) {
		s->hq.have = 0; /* our own synced clock is the better source */
		return;
	}
	if (!s->hq.have)
		log_msg(LOG_NOTICE, "the clock is not synced: using head office's clock as time source (round trip %lld ms)",
			(long long)rtt);
	s->hq.have = 1;
	memset(&s->hq.ref, 0, sizeof(s->hq.ref));
	memcpy(s->hq.ref.boot_id, now.boot_id, sizeof(s->hq.ref.boot_id));
	s->hq.ref.wall_ms = hq_ms;
	s->hq.ref.boot_ms = b0 + rtt / 2;
	s->hq.ref.by_hq = 1;
	/* Half the round trip, rounded up, plus 1 ms for both clocks' ms truncation. */
	s->hq.ref.error_ms = (rtt + 1) / 2 + 1;
}

/* One GET /healthz for a fresh reading of head office's clock; failures are left to the send. */
static void probe_hq_clock(struct sync *s)
{
	struct http_response resp;
	char err[256];
	int64_t b0 = clockstate_boot_ms();
	s->hq_probed_ms = b0;
	if (http_get(s->http, s->healthz_url, NULL, &resp, err, sizeof(err)) == 0) {
		observe_hq_clock(s, &resp, b0, clockstate_boot_ms());
		http_response_free(&resp);
	}
}

/*
 * Corrects unsynced times before they leave: once sent, a rating is never
 * sent again, so a correction found later could not reach head office.
 * The reference is our own clock when it is synced, else head office's
 * latest reading. Returns whether our clock is synced now.
 */
static int fix_times(struct sync *s, struct sync_result *r)
{
	struct rating now;
	char err[256];
	clockstate_stamp(&now);
	struct timefix_ref ref = { .wall_ms = now.wall_ms, .boot_ms = now.boot_ms };
	memcpy(ref.boot_id, now.boot_id, sizeof(ref.boot_id));
	const struct timefix_ref *use = NULL;
	if (now.clock_synced) {
		use = &ref;
		s->hq.have = 0;
	} else if (s->hq.have && !strcmp(s->hq.ref.boot_id, now.boot_id)) {
		use = &s->hq.ref;
	}
	int64_t n = outbox_fix_times(s->store, use, err, sizeof(err));
	if (n < 0)
		log_msg(LOG_WARNING, "cannot correct times: %s", err);
	else if (n > 0) {
		r->corrected += n;
		if (use && use->by_hq)
			log_msg(LOG_INFO, "corrected the times of %lld ratings from head office's clock (within %lld ms)",
				(long long)n, (long long)use->error_ms);
		else
			log_msg(LOG_INFO, "corrected the times of %lld ratings taken before the clock was synced", (long long)n);
	}
	return now.clock_synced;
}

/*
 * Sends s->batch. 0 when acknowledged (and marked), 1 when it should go
 * again at once in smaller batches, -1 otherwise with r filled.
 */
/*
 * The kiosk's shift schedules go with every batch (a few hundred bytes),
 * so head office always has the versions its ratings were counted by. A
 * store that cannot read them still sends its ratings: they matter more.
 */
static int encode_with_shifts(struct sync *s, struct protocol_batch *out, char **json, size_t *len, char *err,
			      size_t errlen)
{
	struct shift_schedule_row *rows = calloc(PROTOCOL_MAX_SCHEDULES, sizeof(*rows));
	struct protocol_schedule sched[PROTOCOL_MAX_SCHEDULES];
	char why[256];
	int n = rows ? shift_schedule_rows(store_db(s->store), rows, PROTOCOL_MAX_SCHEDULES, why, sizeof(why)) : -1;
	if (n < 0) {
		log_msg(LOG_WARNING, "shift schedules not sent: %s", rows ? why : "out of memory");
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		sched[i].from_ms = rows[i].from_ms;
		sched[i].definition = rows[i].definition;
	}
	out->schedules = sched;
	out->nschedules = (size_t)n;
	int rc = protocol_encode_batch_of(out, json, len, err, errlen);
	out->schedules = NULL; /* ours, on the stack and in rows: not the batch's to free */
	out->nschedules = 0;
	free(rows);
	return rc;
}

static int send_batch(struct sync *s, struct sync_result *r)
{
	char err[512];
	char *json = NULL;
	size_t len = 0;
	struct protocol_batch out = { .n = s->batch.n, .ratings = s->batch.rows,
				      .nreasons = s->batch.nreasons, .reasons = s->batch.reasons };
	snprintf(out.kiosk_id, sizeof(out.kiosk_id), "%s", s->cfg->kiosk_id);
	snprintf(out.install_id, sizeof(out.install_id), "%s", store_install_id(s->store));
	if (encode_with_shifts(s, &out, &json, &len, err, sizeof(err))) {
		/* A row head office would refuse (e.g. a value out of range written
		 * by a foreign tool): stop here rather than skip it silently. */
		r->outcome = SYNC_LOCAL_ERROR;
		snprintf(r->problem, sizeof(r->problem), "cannot encode ratings from seq %lld: %s",
			 (long long)(s->batch.n ? s->batch.rows[0].r.seq : s->batch.reasons[0].seq), err);
		return -1;
	}
	struct http_response resp;
	int64_t b0 = clockstate_boot_ms();
	int rc = http_post_json_gzip(s->http, s->ratings_url, s->cfg->sync_token, json, len, &resp, err, sizeof(err));
	int64_t b1 = clockstate_boot_ms();
	free(json);
	r->wire_bytes += (int64_t)http_client_last_body_bytes(s->http);
	r->status = 0;
	if (rc) {
		r->failure = http_client_last_failure(s->http);
		r->outcome = r->failure == HTTP_FAIL_STOPPED ? SYNC_STOPPED : SYNC_NO_ANSWER;
		snprintf(r->problem, sizeof(r->problem), "%s", err);
		return -1;
	}
	r->status = resp.status;
	observe_hq_clock(s, &resp, b0, b1);
	if (resp.status == 409) {
		/* Head office holds other ratings under this store's (kiosk, install,
		 * seq): marking them sent would lose one side. A person decides. */
		char msg[400];
		if (protocol_decode_error(resp.body, resp.len, msg, sizeof(msg)))
			snprintf(msg, sizeof(msg), "no error message");
		protocol_decode_conflict(resp.body, resp.len, &r->conflict);
		r->outcome = SYNC_CONFLICT;
		snprintf(r->problem, sizeof(r->problem), "conflict (HTTP 409): %s", msg);
		http_response_free(&resp);
		return -1;
	}
	if (resp.status == 413 && s->batch.n > 1) {
		/* Head office takes smaller batches than [sync] batch_size: halve
		 * until it accepts, rather than retrying a batch it will never take. */
		s->batch_limit = (int)s->batch.n / 2;
		log_msg(LOG_WARNING, "head office refuses batches of %zu ratings (HTTP 413); sending %d at a time",
			s->batch.n, s->batch_limit);
		http_response_free(&resp);
		return 1;
	}
	if (resp.status != 200) {
		char msg[200];
		if (protocol_decode_error(resp.body, resp.len, msg, sizeof(msg)))
			snprintf(msg, sizeof(msg), "no error message");
		r->outcome = resp.status >= 500 ? SYNC_NO_ANSWER : SYNC_REFUSED;
		snprintf(r->problem, sizeof(r->problem), "HTTP %ld: %s", resp.status, msg);
		http_response_free(&resp);
		return -1;
	}
	struct protocol_ack ack;
	if (protocol_decode_ack(resp.body, resp.len, &ack, err, sizeof(err))) {
		r->outcome = SYNC_REFUSED;
		snprintf(r->problem, sizeof(r->problem), "unreadable answer from head office: %s", err);
		http_response_free(&resp);
		return -1;
	}
	http_response_free(&resp);
	if (strcmp(ack.kiosk_id, s->cfg->kiosk_id) != 0 ||
	    (ack.install_id[0] && strcmp(ack.install_id, store_install_id(s->store)) != 0)) {
		r->outcome = SYNC_REFUSED;
		snprintf(r->problem, sizeof(r->problem), "head office acknowledged kiosk \"%s\" install \"%s\", not \"%s\" \"%s\"",
			 ack.kiosk_id, ack.install_id, s->cfg->kiosk_id, store_install_id(s->store));
		return -1;
	}
	/* The 200 means the whole batch is stored at head office. */
	if (outbox_mark_acked(s->store, &s->batch, err, sizeof(err))) {
		/* Not marked: the batch goes again and head office counts it as duplicates. */
		r->outcome = SYNC_LOCAL_ERROR;
		snprintf(r->problem, sizeof(r->problem), "%s", err);
		return -1;
	}
	r->sent += (int64_t)s->batch.n;
	r->duplicates += ack.duplicates;
	r->batches++;
	if (ack.accepted + ack.duplicates != (int64_t)s->batch.n)
		log_msg(LOG_WARNING, "head office counted %lld new + %lld duplicates for a batch of %zu",
			(long long)ack.accepted, (long long)ack.duplicates, s->batch.n);
	return 0;
}

void sync_round(struct sync *s, struct sync_result *r)
{
	char err[512];
	memset(r, 0, sizeof(*r));
	r->unsent = -1;
	/* At most one probe a minute: a head office without a synced clock
	 * (or none at all) is not asked again on every rating. */
	int64_t boot_now = clockstate_boot_ms();
	if (!clockstate_synced() && (!s->hq.have || boot_now - s->hq.ref.boot_ms > HQ_CLOCK_FRESH_MS) &&
	    (!s->hq_probed_ms || boot_now - s->hq_probed_ms > HQ_CLOCK_FRESH_MS) && outbox_pending(s->store) == 1)
		probe_hq_clock(s);
	int synced = fix_times(s, r);
	for (;;) {
		if (s->stop && *s->stop) {
			r->outcome = SYNC_STOPPED;
			snprintf(r->problem, sizeof(r->problem), "stopped");
			break;
		}
		/* The clock may sync while a backlog drains: correct before the rest leaves. */
		if (!synced && (clockstate_synced() || s->hq.have))
			synced = fix_times(s, r);
		if (outbox_next(s->store, s->batch_limit, &s->batch, err, sizeof(err))) {
			r->outcome = SYNC_LOCAL_ERROR;
			snprintf(r->problem, sizeof(r->problem), "%s", err);
			break;
		}
		if (s->batch.n == 0 && s->batch.nreasons == 0) {
			r->outcome = SYNC_DONE;
			break;
		}
		int rc = send_batch(s, r);
		if (rc < 0)
			break;
	}
	if (r->outcome == SYNC_DONE)
		r->unsent = 0;
	else {
		struct outbox_counts c;
		if (outbox_counts(s->store, &c, err, sizeof(err)) == 0)
			r->unsent = c.unsent;
	}
	/* A drained backlog need not stay in memory until the next one. */
	outbox_batch_free(&s->batch);
	sqlite3_db_release_memory(store_db(s->store));
}

static const char *failure_name(enum http_failure f)
{
	switch (f) {
	case HTTP_FAIL_CONNECT: return "unreachable";
	case HTTP_FAIL_TIMEOUT: return "timed out";
	default: return "no complete answer";
	}
}

void sync_log_result(struct sync *s, const struct sync_result *r)
{
	if (r->outcome == SYNC_STOPPED)
		return;
	if (r->outcome == SYNC_DONE) {
		if (s->failures > 0)
			log_msg(LOG_NOTICE, "head office reachable again after %d failed attempts; sent %lld ratings",
				s->failures, (long long)r->sent);
		else if (r->sent > 0)
			log_msg(LOG_DEBUG, "sent %lld ratings in %lld batches", (long long)r->sent, (long long)r->batches);
		s->failures = 0;
		s->last_outcome = SYNC_DONE;
		return;
	}
	s->failures++;
	/* Log a failure when its kind changes, not on every retry. */
	int changed = !s->logged_any || r->outcome != s->last_outcome || r->status != s->last_status ||
		      (r->outcome == SYNC_NO_ANSWER && r->failure != s->last_failure);
	s->last_outcome = r->outcome;
	s->last_status = r->status;
	s->last_failure = r->failure;
	if (!changed)
		return;
	s->logged_any = 1;
	if (r->status == 401 || r->status == 403)
		log_msg(LOG_ERR, "head office refuses this kiosk's token (%s): check [sync] token and [kiosk] id = %s;"
			" %lld ratings wait, retrying with backoff", r->problem, s->cfg->kiosk_id, (long long)r->unsent);
	else if (r->outcome == SYNC_NO_ANSWER && r->status == 0)
		log_msg(LOG_WARNING, "head office %s (%s): %lld ratings wait, retrying with backoff",
			failure_name(r->failure), r->problem, (long long)r->unsent);
	else if (r->outcome == SYNC_LOCAL_ERROR)
		log_msg(LOG_ERR, "kiosk store: %s", r->problem);
	else if (r->outcome == SYNC_CONFLICT)
		log_msg(LOG_ERR, "NEEDS ATTENTION: head office %s; this store is install %s; %lld ratings wait unsent"
			" (none is marked sent), retrying with backoff", r->problem, store_install_id(s->store),
			(long long)r->unsent);
	else
		log_msg(LOG_WARNING, "head office: %s; %lld ratings wait, retrying with backoff", r->problem,
			(long long)r->unsent);
}

int64_t sync_prune(struct sync *s, char *err, size_t errlen)
{
	/*
	 * Only on a synced clock: a clock that came up years ahead would make
	 * every acknowledged row look expired, and the staff screens would lose
	 * today's local figures (head office has the rows; the screen does not).
	 */
	if (!clockstate_synced())
		return 0;
	int64_t before = wall_now_ms() - (int64_t)s->cfg->sync_retention_days * 86400000LL;
	int64_t n = outbox_prune(s->store, before, err, errlen);
	if (n < 0)
		return -1;
	/* Cached summaries: the staff screens show today and yesterday at most. */
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(store_db(s->store), "DELETE FROM summary WHERE fetched_ms < ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, wall_now_ms() - 8 * 86400000LL);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (n > 0)
		log_msg(LOG_INFO, "pruned %lld acknowledged ratings older than %d days", (long long)n,
			s->cfg->sync_retention_days);
	return n;
}

static void iso_time(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void sync_write_status(struct sync *s, const struct sync_result *r)
{
	static struct statusfile st;
	char path[CONFIG_PATH_MAX + 32], when[32], err[512];
	int64_t now = wall_now_ms();
	if (r->outcome == SYNC_DONE)
		s->last_ok_ms = now;
	memset(&st, 0, sizeof(st));
	statusfile_set(&st, "pid", "%ld", (long)getpid());
	iso_time(now, when, sizeof(when));
	statusfile_set(&st, "last_attempt", "%s", when);
	statusfile_set(&st, "last_result", "%s", r->outcome == SYNC_DONE ? "ok" : r->problem);
	if (s->last_ok_ms) {
		iso_time(s->last_ok_ms, when, sizeof(when));
		statusfile_set(&st, "last_success", "%s", when);
	}
	statusfile_set(&st, "failures", "%d", s->failures);
	statusfile_set(&st, "unsent", "%lld", (long long)r->unsent);
	statusfile_set(&st, "install", "%s", store_install_id(s->store));
	if (r->outcome == SYNC_CONFLICT) {
		const struct protocol_conflict *c = &r->conflict;
		if (c->n > 0)
			statusfile_set(&st, "conflict", "%lld rating(s) held with other content, first seq %lld (%s)",
				       (long long)c->count, (long long)c->items[0].seq, c->items[0].fields);
		else
			statusfile_set(&st, "conflict", "%s", r->problem);
	}
	if (clockstate_synced())
		statusfile_set(&st, "time_source", "ntp");
	else if (s->hq.have)
		statusfile_set(&st, "time_source", "head office, within %lld ms", (long long)s->hq.ref.error_ms);
	else
		statusfile_set(&st, "time_source", "none");
	statusfile_path(s->cfg, "sync", path, sizeof(path));
	if (statusfile_write(&st, path, err, sizeof(err)) != 0)
		log_msg(LOG_DEBUG, "%s", err);
}

void sync_write_status_once(struct sync *s, const struct sync_result *r)
{
	/*
	 * A --once run is a new process: without what the file says already,
	 * a failed attempt (a 401) would leave an old "last sync ok" standing
	 * as if nothing had been tried, and the count of failures would restart.
	 */
	static struct statusfile old;
	char path[CONFIG_PATH_MAX + 32];
	statusfile_path(s->cfg, "sync", path, sizeof(path));
	if (statusfile_read(&old, path) == 0) {
		const char *ok = statusfile_get(&old, "last_success"), *failures = statusfile_get(&old, "failures");
		struct tm tm = { 0 };
		const char *end = ok ? strptime(ok, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
		if (end && *end == '\0')
			s->last_ok_ms = (int64_t)timegm(&tm) * 1000;
		if (failures)
			s->failures = atoi(failures);
	}
	if (r->outcome == SYNC_STOPPED)
		return;
	s->failures = r->outcome == SYNC_DONE ? 0 : s->failures + 1;
	sync_write_status(s, r);
}
