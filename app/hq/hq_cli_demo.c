/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_cli_demo: the demo chain (see hq_cli_demo.h).
 *
 * The ratings go through hq_store_ingest, one batch per kiosk and day, as
 * a kiosk's would: the quarter hours, day totals and fleet state the
 * dashboard reads are written by the code that writes them in production,
 * not by a shortcut that could disagree with it. The numbers come from a
 * fixed-seed generator, so two demos differ only in where "now" falls;
 * each store has its own mood, and Hamburg's turns sour in the last week,
 * so the overview has a mover to show.
 *
 * The chain also gets the alert rules a chain would start with (the market
 * leader's 50 % / 15 min / 4 per store, a Happy Index floor per region, a
 * silent-kiosk rule per region) and its kiosks their opening hours; and
 * Hamburg's last quarter hour before "now" holds a queue's worth of bad
 * ratings, so the first check of the server that follows opens an episode
 * and the Alerts page has something to show (its all clear follows when
 * the quarter hour has passed).
 */
#include "hq_cli_demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hq_alert_store.h"
#include "hq_dash_days.h"
#include "hq_scope.h"
#include "hq_token.h"
#include "hq_users.h"
#include "rating.h"

#define HOUR_MS 3600000LL
#define MINUTE_MS 60000LL
#define DEMO_HOURS "08:00-20:00" /* demo_day's opening hours */

/* Hamburg's bad moment, minutes before now and the face (0 worst of 4): 5 of 6 negative. */
static const struct { int ago_min, value; } burst[] = { { 12, 0 }, { 10, 1 }, { 9, 3 }, { 7, 0 }, { 5, 1 }, { 3, 0 } };
#define NBURST (sizeof(burst) / sizeof(burst[0]))

struct demo_kiosk {
	const char *id, *store, *area, *region, *tz;
	double mood[2][4];          /* chance of each face (worst first): before and during the last week */
	int per_hour;               /* ratings in an average opening hour */
};

static const struct demo_kiosk demo[] = {
	{ "demo-berlin-counter", "Berlin Mitte", "Counter", "North", "Europe/Berlin",
	  { { .05, .10, .35, .50 }, { .04, .08, .33, .55 } }, 8 },
	{ "demo-berlin-pickup", "Berlin Mitte", "Pickup", "North", "Europe/Berlin",
	  { { .10, .20, .40, .30 }, { .08, .17, .40, .35 } }, 4 },
	{ "demo-hamburg", "Hamburg", "Counter", "North", "Europe/Berlin",
	  { { .05, .10, .35, .50 }, { .25, .25, .30, .20 } }, 6 },
	{ "demo-london", "London", "Counter", "West", "Europe/London",
	  { { .10, .20, .40, .30 }, { .10, .18, .42, .30 } }, 7 },
	{ "demo-manchester", "Manchester", "Warehouse", "West", "Europe/London",
	  { { .20, .25, .35, .20 }, { .08, .15, .40, .37 } }, 3 },
	{ "demo-newyork", "New York", "Counter", "Americas", "America/New_York",
	  { { .08, .12, .30, .50 }, { .08, .12, .30, .50 } }, 9 },
};
#define NDEMO (sizeof(demo) / sizeof(demo[0]))

/* xorshift64*: a fixed, portable sequence (rand() differs between libcs). */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545f4914f6cdd1dULL) >> 11) / 9007199254740992.0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int face(const double p[4])
{
	double u = uniform(), acc = 0;
	for (int v = 0; v < 3; v++)
		if (u < (acc += p[v]))
			return v;
	return 3;
}

/* One day of kiosk d (local day `day`, opening 08:00-20:00) as one batch, up to now. 0 or -1 with err. */
static int demo_day(struct hq_store *db, const struct hq_kiosk *k, const struct demo_kiosk *d, int64_t day,
		    int last_week, int64_t now, int64_t *seq, char *err, size_t errlen)
{
	struct protocol_rating *r = calloc(600, sizeof(*r)); /* room for the day, its misuse and a burst */
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int64_t open_ms = hq_dash_day_start(hq_dash_zone(d->tz), day) + 8 * HOUR_MS;
	size_t n = 0;
	for (int h = -1; h <= 12 && n < 590; h++) {
		/* Busier at midday; an hour before opening and after closing gets the odd closed press. */
		int closed = h < 0 || h >= 12;
		int count = closed ? (uniform() < 0.3) : (int)(d->per_hour * (0.5 + uniform() * (h >= 3 && h <= 6 ? 1.4 : 0.8)));
		for (int i = 0; i < count && n < 590; i++) {
			int64_t at = open_ms + h * HOUR_MS + (int64_t)(uniform() * (double)HOUR_MS);
			if (at > now)
				continue;
			struct protocol_rating *p = &r[n++];
			p->r.value = face(d->mood[last_week]);
			p->r.scale = 4;
			p->r.source = SOURCE_BUTTON;
			p->r.wall_ms = at;
			p->r.clock_synced = 1;
			p->r.flags = closed ? RATING_CLOSED : 0;
			/* A child pressing twice: the second press is misuse, kept and left out. */
			if (!closed && uniform() < 0.04 && n < 590) {
				r[n] = *p;
				r[n].r.wall_ms = at + 1500;
				r[n].r.flags = RATING_MISUSE;
				n++;
			}
		}
	}
	/* Hamburg, today: the queue at the till just now, whatever the hour (the demo's alert to see). */
	if (!strcmp(d->id, "demo-hamburg") && day == hq_dash_local_day(hq_dash_zone(d->tz), now, NULL))
		for (size_t i = 0; i < NBURST && n < 600; i++) {
			struct protocol_rating *p = &r[n++];
			p->r.value = burst[i].value;
			p->r.scale = 4;
			p->r.source = SOURCE_BUTTON;
			p->r.wall_ms = now - burst[i].ago_min * MINUTE_MS;
			p->r.clock_synced = 1;
		}
	/* Ratings come in time order, as a kiosk stores them. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && r[j].r.wall_ms < r[j - 1].r.wall_ms; j--) {
			struct protocol_rating t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	/* Manchester's warehouse kiosk lost its clock for a morning: those times are unknown. */
	int lost_clock = !strcmp(d->id, "demo-manchester") && !last_week && (day % 7) == 3;
	for (size_t i = 0; i < n; i++) {
		r[i].r.seq = ++*seq;
		snprintf(r[i].r.kiosk_id, sizeof(r[i].r.kiosk_id), "%s", k->id);
		r[i].r.boot_ms = 60000 + (r[i].r.wall_ms - open_ms + 2 * HOUR_MS);
		snprintf(r[i].r.boot_id, sizeof(r[i].r.boot_id), "demo-boot");
		if (lost_clock && i < n / 3)
			r[i].r.clock_synced = 0;
	}
	struct protocol_batch b = { .n = n, .ratings = r };
	snprintf(b.kiosk_id, sizeof(b.kiosk_id), "%s", k->id);
	snprintf(b.version, sizeof(b.version), "%s", TALLY_VERSION);
	struct protocol_ack ack;
	int rc = n ? hq_store_ingest(db, k, &b, now, &ack, err, errlen) : 0;
	free(r);
	return rc ? -1 : 0;
}

static int demo_user(struct hq_store *db, const char *name, enum hq_role role, const char *scope)
{
	struct hq_user *u = calloc(1, sizeof(*u));
	char token[HQ_TOKEN_LEN + 1], err[256];
	if (!u || hq_token_new(token, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: demo user %s: %s\n", name, u ? err : "out of memory");
		free(u);
		return -1;
	}
	token[16] = '\0'; /* 64 random bits: plenty for a demo on loopback */
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->role = role;
	if (scope)
		snprintf(u->scopes[u->nscopes++], HQ_NAME_MAX, "%s", scope);
	int rc = hq_users_add(db, u, token, err, sizeof(err));
	free(u);
	if (rc) {
		fprintf(stderr, "tally-hq: demo user %s: %s\n", name, rc == 1 ? "the name is taken" : err);
		return -1;
	}
	printf("user %s %s %s\n", name, hq_role_name(role), token);
	return 0;
}

/* A rule of kind with its defaults for scope (store or region), threshold if > 0. 0 or -1 (said on stderr). */
static int demo_rule(struct hq_store *db, const char *kind, const char *scope_kind, const char *scope, double threshold,
		     int64_t now)
{
	struct hq_alert_rule r;
	char err[256];
	hq_alert_rule_defaults(&r, kind);
	snprintf(r.scope_kind, sizeof(r.scope_kind), "%s", scope_kind);
	snprintf(r.scope, sizeof(r.scope), "%s", scope);
	if (threshold > 0)
		r.threshold = threshold;
	if (hq_alert_rule_save(db, &r, now, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: demo rule %s for %s: %s\n", kind, scope, err);
		return -1;
	}
	printf("rule %lld %s %s %s %g\n", (long long)r.id, kind, scope_kind, scope, r.threshold);
	return 0;
}

/* The rules a chain starts with: per store the market leader's default; per region a floor and silent kiosks. */
static int demo_rules(struct hq_store *db, int64_t now)
{
	for (size_t i = 0; i < NDEMO; i++) {
		if (i && !strcmp(demo[i].store, demo[i - 1].store))
			continue;
		if (demo_rule(db, "negative", "store", demo[i].store, 0, now))
			return -1;
	}
	const char *regions[] = { "North", "West", "Americas" };
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		if (demo_rule(db, "index", "region", regions[i], 60, now) || demo_rule(db, "silent", "region", regions[i], 2, now))
			return -1;
	return 0;
}

int hq_cli_demo_run(struct hq_store *db, int argc, char **argv)
{
	long days = 14;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--days") && i + 1 < argc && (days = strtol(argv[++i], &end, 10), !*end) && days >= 1 &&
		    days <= 400)
			continue;
		fprintf(stderr, "usage: tally-hq [--db PATH] demo [--days N]   (N: 1..400, default 14)\n");
		return 2;
	}
	int64_t now = now_ms();
	char err[512];
	for (size_t i = 0; i < NDEMO; i++) {
		struct hq_kiosk k;
		memset(&k, 0, sizeof(k));
		snprintf(k.id, sizeof(k.id), "%s", demo[i].id);
		snprintf(k.store, sizeof(k.store), "%s", demo[i].store);
		snprintf(k.area, sizeof(k.area), "%s", demo[i].area);
		snprintf(k.tz, sizeof(k.tz), "%s", demo[i].tz);
		k.created_ms = now;
		/* The demo's kiosks never post themselves: their tokens are thrown away. */
		char token[HQ_TOKEN_LEN + 1];
		uint8_t hash[HQ_HASH_LEN];
		int rc = hq_token_new(token, err, sizeof(err)) || hq_token_hash(token, strlen(token), hash)
				 ? -1 : hq_store_kiosk_add(db, &k, hash, err, sizeof(err));
		if (rc == 1) {
			fprintf(stderr, "tally-hq: this database already has the demo chain (kiosk %s)\n", k.id);
			return 1;
		}
		if (rc || hq_scope_set_region(db, k.store, demo[i].region, err, sizeof(err)) < 0) {
			fprintf(stderr, "tally-hq: demo kiosk %s: %s\n", k.id, err);
			return 1;
		}
		const char *const week[7] = { DEMO_HOURS, DEMO_HOURS, DEMO_HOURS, DEMO_HOURS, DEMO_HOURS, DEMO_HOURS, DEMO_HOURS };
		if (hq_alert_hours_set(db, k.id, week, err, sizeof(err))) {
			fprintf(stderr, "tally-hq: demo kiosk %s: opening hours: %s\n", k.id, err);
			return 1;
		}
		int64_t today = hq_dash_local_day(hq_dash_zone(k.tz), now, NULL), seq = 0;
		for (int64_t day = today - days + 1; day <= today; day++)
			if (demo_day(db, &k, &demo[i], day, day > today - 7, now, &seq, err, sizeof(err))) {
				fprintf(stderr, "tally-hq: demo kiosk %s: %s\n", k.id, err);
				return 1;
			}
		printf("kiosk %s %s / %s (%s, %s): %lld ratings\n", k.id, k.store, k.area, demo[i].region, k.tz,
		       (long long)seq);
	}
	if (demo_rules(db, now))
		return 1;
	if (demo_user(db, "demo-chain", HQ_ROLE_CHAIN, NULL) || demo_user(db, "demo-north", HQ_ROLE_REGION, "North") ||
	    demo_user(db, "demo-berlin", HQ_ROLE_STORE, "Berlin Mitte"))
		return 1;
	return 0;
}
