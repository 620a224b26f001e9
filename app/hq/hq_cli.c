/* SPDX-License-Identifier: Apache-2.0 */
/* hq_cli: the kiosk registry and admin token commands of tally-hq. */
#include "hq_cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hq_cli_demo.h"
#include "hq_cli_opts.h"
#include "hq_cli_user.h"
#include "hq_copy.h"
#include "hq_dash_days.h"
#include "hq_hours.h"
#include "hq_registry.h"
#include "hq_scope.h"
#include "hq_store.h"
#include "hq_db.h"
#include "hq_token.h"
#include "utf8.h"

static int usage(void)
{
	fprintf(stderr, "usage: tally-hq [--db PATH] kiosk add --store S --area A [--region R] [--tz ZONE] [--id ID]\n"
			"                [--expires DAYS|DATE]\n"
			"       tally-hq [--db PATH] kiosk list\n"
			"       tally-hq [--db PATH] kiosk revoke ID\n"
			"       tally-hq [--db PATH] kiosk rotate-token ID [--expires DAYS|DATE]\n"
			"       tally-hq [--db PATH] admin-token [--label TEXT] [--expires DAYS|DATE]\n"
			"       tally-hq [--db PATH] admin-token list\n"
			"       tally-hq [--db PATH] admin-token revoke ID|PREFIX\n"
			"       tally-hq [--db PATH] admin-token rotate ID|PREFIX [--expires DAYS|DATE]\n"
			"       tally-hq [--db PATH] store set-region STORE REGION | store list\n"
			"       tally-hq [--db PATH] user add|passwd|del|list ...\n"
			"       tally-hq [--db PATH|URI] migrate\n"
			"       tally-hq [--db PATH|URI] demo [--days N]\n"
			"       tally-hq copy --from SQLITE_PATH --to URI [--replace]\n");
	return 2;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The same rule as [kiosk] id in the kiosk's config. */
static int id_ok(const char *id)
{
	if (!*id || strlen(id) >= RATING_ID_MAX)
		return 0;
	for (const char *c = id; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
			return 0;
	return 1;
}

/* "2026-11-28 21:40Z", or "never" for 0. */
static void utc_minute(int64_t ms, char *out, size_t len)
{
	if (ms == 0) {
		snprintf(out, len, "never");
		return;
	}
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, len, "%Y-%m-%d %H:%MZ", &tm))
		snprintf(out, len, "?");
}

/* How long ago: "42s", "17m", "5h", "3d"; "-" for never. */
static void age(int64_t ms, int64_t now, char *out, size_t len)
{
	if (ms == 0) {
		snprintf(out, len, "-");
		return;
	}
	int64_t s = (now - ms) / 1000;
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(out, len, "%llds", (long long)s);
	else if (s < 7200)
		snprintf(out, len, "%lldm", (long long)(s / 60));
	else if (s < 172800)
		snprintf(out, len, "%lldh", (long long)(s / 3600));
	else
		snprintf(out, len, "%lldd", (long long)(s / 86400));
}

/* A fresh token, its hash and its prefix. 0, or 1 with the error printed. */
static int new_token(char token[HQ_TOKEN_LEN + 1], uint8_t hash[HQ_HASH_LEN], char prefix[HQ_TOKEN_PREFIX_LEN + 1])
{
	char err[256];
	if (hq_token_new(token, err, sizeof(err)) || hq_token_hash(token, strlen(token), hash)) {
		fprintf(stderr, "tally-hq: cannot make a token: %s\n", err);
		return 1;
	}
	snprintf(prefix, HQ_TOKEN_PREFIX_LEN + 1, "%s", token);
	return 0;
}

/* Parses "--NAME VALUE" pairs of argv into the slots named in names (NULL-terminated). 0 or usage's 2. */
static int options(int argc, char **argv, const char *const *names, const char **slots)
{
	return hq_cli_options(argc, argv, names, 0, slots) ? usage() : 0;
}

/* --expires VALUE into *ms (0 when absent). 0, or 2 with the error printed. */
static int expiry(const char *value, int64_t *ms)
{
	char err[256];
	*ms = 0;
	if (value && hq_registry_parse_expiry(value, now_ms(), ms, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 2;
	}
	return 0;
}

static int kiosk_add(struct hq_store *db, int argc, char **argv)
{
	struct hq_kiosk k;
	memset(&k, 0, sizeof(k));
	snprintf(k.tz, sizeof(k.tz), "UTC");
	static const char *const names[] = { "--store", "--area", "--tz", "--id", "--expires", "--region", NULL };
	const char *v[6] = { NULL };
	if (options(argc, argv, names, v))
		return 2;
	const char *store = v[0], *area = v[1], *tz = v[2], *id = v[3], *region = v[5];
	if (region && !hq_scope_region_ok(region)) {
		fprintf(stderr, "tally-hq: --region: at most %zu bytes, no control characters\n", sizeof(k.store) - 1);
		return 2;
	}
	if (!store || !area || !*store || !*area || strlen(store) >= sizeof(k.store) || strlen(area) >= sizeof(k.area)) {
		fprintf(stderr, "tally-hq: kiosk add needs --store and --area (1 to %zu bytes each)\n", sizeof(k.store) - 1);
		return 2;
	}
	if (!utf8_name_ok(store) || !utf8_name_ok(area)) {
		fprintf(stderr, "tally-hq: --%s must be UTF-8 text without control characters\n",
			utf8_name_ok(store) ? "area" : "store");
		return 2;
	}
	if (expiry(v[4], &k.token_expires_ms))
		return 2;
	char err[512], token[HQ_TOKEN_LEN + 1];
	if (tz) {
		if (strlen(tz) >= sizeof(k.tz) || hq_store_tz_valid(tz, err, sizeof(err))) {
			fprintf(stderr, "tally-hq: --tz %s: %s\n", tz, strlen(tz) >= sizeof(k.tz) ? "too long" : err);
			return 2;
		}
		snprintf(k.tz, sizeof(k.tz), "%s", tz);
	}
	snprintf(k.store, sizeof(k.store), "%s", store);
	snprintf(k.area, sizeof(k.area), "%s", area);
	if (id) {
		if (!id_ok(id)) {
			fprintf(stderr, "tally-hq: --id may use only letters, digits, '-', '_' and '.' (at most %d)\n", RATING_ID_MAX - 1);
			return 2;
		}
		snprintf(k.id, sizeof(k.id), "%s", id);
	} else {
		/* A random id: store names change, kiosks move between areas. */
		char rnd[HQ_TOKEN_LEN + 1];
		if (hq_token_new(rnd, err, sizeof(err))) {
			fprintf(stderr, "tally-hq: %s\n", err);
			return 1;
		}
		snprintf(k.id, sizeof(k.id), "kiosk-%.8s", rnd);
	}
	uint8_t hash[HQ_HASH_LEN];
	if (new_token(token, hash, k.token_prefix))
		return 1;
	int rc = hq_store_kiosk_add(db, &k, hash, err, sizeof(err));
	if (rc == 1) {
		fprintf(stderr, "tally-hq: kiosk %s already exists\n", k.id);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	/* The region belongs to the store: every kiosk of it moves with this. */
	if (region && hq_scope_set_region(db, k.store, region, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: kiosk %s added, but its store's region not set: %s\n", k.id, err);
		return 1;
	}
	printf("id %s\ntoken %s\n", k.id, token);
	fprintf(stderr, "tally-hq: the token is shown only this once: put it in the kiosk's [sync] token\n");
	return 0;
}

static int kiosk_rotate(struct hq_store *db, const char *id, int argc, char **argv)
{
	static const char *const names[] = { "--expires", NULL };
	const char *v[1] = { NULL };
	int64_t expires;
	if (options(argc, argv, names, v) || expiry(v[0], &expires))
		return 2;
	char token[HQ_TOKEN_LEN + 1], prefix[HQ_TOKEN_PREFIX_LEN + 1], err[512];
	uint8_t hash[HQ_HASH_LEN];
	if (new_token(token, hash, prefix))
		return 1;
	int rc = hq_registry_kiosk_rotate(db, id, hash, prefix, expires, err, sizeof(err));
	if (rc == 1 || rc == 2) {
		fprintf(stderr, rc == 1 ? "tally-hq: no kiosk %s\n" : "tally-hq: kiosk %s is revoked; add it anew\n", id);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	printf("id %s\ntoken %s\n", id, token);
	fprintf(stderr, "tally-hq: kiosk %s's old token is refused from now on; the new one is shown only this once:"
			" put it in the kiosk's [sync] token\n", id);
	return 0;
}

/* The fleet, silent ones first (hq_registry_fleet's order). */
static int kiosk_list(struct hq_store *db)
{
	struct hq_fleet_kiosk *f;
	size_t n;
	char err[512];
	if (hq_registry_fleet(db, &f, &n, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	/* Regions are kept per store (hq_scope.h). */
	struct hq_scope_store *st = NULL;
	size_t nst = 0;
	if (hq_scope_stores(db, NULL, &st, &nst, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		free(f);
		return 1;
	}
	int64_t now = now_ms();
	printf("%-20s %-16s %-12s %-12s %-20s %-8s %-18s %5s %9s %9s %-10s %-9s %9s %9s %-8s %s\n", "ID", "STORE", "REGION",
	       "AREA", "TZ", "STATUS", "LAST_BATCH", "AGE", "LAST_SEQ", "ACKED", "VERSION", "CLOCK", "CONFLICTS", "RATINGS", "TOKEN",
	       "EXPIRES");
	for (size_t i = 0; i < n; i++) {
		const struct hq_fleet_kiosk *x = &f[i];
		char last[32], ago[16], exp[32];
		utc_minute(x->last_batch_ms, last, sizeof(last));
		age(x->last_batch_ms, now, ago, sizeof(ago));
		utc_minute(x->k.token_expires_ms, exp, sizeof(exp));
		const char *status = x->k.revoked_ms ? "revoked"
				     : x->k.token_expires_ms && x->k.token_expires_ms <= now ? "expired" : "active";
		const char *region = "-";
		for (size_t j = 0; j < nst; j++)
			if (!strcmp(st[j].name, x->k.store) && st[j].region[0])
				region = st[j].region;
		printf("%-20s %-16s %-12s %-12s %-20s %-8s %-18s %5s %9lld %9lld %-10s %-9s %9lld %9lld %-8s %s\n", x->k.id,
		       x->k.store, region, x->k.area, x->k.tz, status, last, ago, (long long)x->last_seq,
		       (long long)x->k.acked_through, x->version[0] ? x->version : "-", x->clock[0] ? x->clock : "-",
		       (long long)x->conflicts, (long long)x->k.ratings, x->k.token_prefix[0] ? x->k.token_prefix : "-",
		       x->k.token_expires_ms ? exp : "never");
	}
	free(f);
	free(st);
	return 0;
}

static int admin_new(struct hq_store *db, int argc, char **argv)
{
	static const char *const names[] = { "--label", "--expires", NULL };
	const char *v[2] = { NULL };
	int64_t expires, id;
	if (options(argc, argv, names, v) || expiry(v[1], &expires))
		return 2;
	if (v[0] && (strlen(v[0]) >= HQ_LABEL_MAX || !utf8_name_ok(v[0]))) {
		fprintf(stderr, "tally-hq: --label must be UTF-8 text without control characters, under %d bytes\n",
			HQ_LABEL_MAX);
		return 2;
	}
	char token[HQ_TOKEN_LEN + 1], prefix[HQ_TOKEN_PREFIX_LEN + 1], err[512];
	uint8_t hash[HQ_HASH_LEN];
	if (new_token(token, hash, prefix))
		return 1;
	if (hq_registry_admin_create(db, hash, prefix, v[0], expires, &id, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	printf("%s\n", token);
	fprintf(stderr, "tally-hq: admin token %lld (%s) is shown only this once\n", (long long)id, prefix);
	return 0;
}

static int admin_list(struct hq_store *db)
{
	struct hq_admin_token *t;
	size_t n;
	char err[512];
	if (hq_registry_admin_list(db, &t, &n, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	int64_t now = now_ms();
	printf("%-6s %-8s %-8s %-18s %-18s %s\n", "ID", "PREFIX", "STATUS", "CREATED", "EXPIRES", "LABEL");
	for (size_t i = 0; i < n; i++) {
		char created[32], expires[32];
		utc_minute(t[i].created_ms, created, sizeof(created));
		utc_minute(t[i].expires_ms, expires, sizeof(expires));
		const char *status = t[i].revoked_ms ? "revoked" : t[i].expires_ms && t[i].expires_ms <= now ? "expired"
												     : "active";
		printf("%-6lld %-8s %-8s %-18s %-18s %s\n", (long long)t[i].id, t[i].prefix[0] ? t[i].prefix : "-", status,
		       created, t[i].expires_ms ? expires : "never", t[i].label);
	}
	free(t);
	return 0;
}

/* The admin token ref names. 0 with *id; otherwise the exit status, error printed. */
static int admin_ref(struct hq_store *db, const char *ref, int64_t *id)
{
	char err[512];
	int rc = hq_registry_admin_find(db, ref, id, err, sizeof(err));
	if (rc == 1)
		fprintf(stderr, "tally-hq: no admin token %s (give an ID or a PREFIX from admin-token list)\n", ref);
	else if (rc == 2)
		fprintf(stderr, "tally-hq: %s names more than one admin token; give its ID\n", ref);
	else if (rc)
		fprintf(stderr, "tally-hq: %s\n", err);
	return rc ? 1 : 0;
}

static int admin_token(struct hq_store *db, int argc, char **argv)
{
	char err[512];
	int64_t id;
	if (argc == 0 || argv[0][0] == '-')
		return admin_new(db, argc, argv);
	if (!strcmp(argv[0], "new"))
		return admin_new(db, argc - 1, argv + 1);
	if (!strcmp(argv[0], "list") && argc == 1)
		return admin_list(db);
	if (!strcmp(argv[0], "revoke") && argc == 2) {
		if (admin_ref(db, argv[1], &id))
			return 1;
		if (hq_registry_admin_revoke(db, id, err, sizeof(err))) {
			fprintf(stderr, "tally-hq: %s\n", err);
			return 1;
		}
		printf("revoked admin token %lld\n", (long long)id);
		return 0;
	}
	if (!strcmp(argv[0], "rotate") && argc >= 2) {
		static const char *const names[] = { "--expires", NULL };
		const char *v[1] = { NULL };
		int64_t expires, new_id;
		if (options(argc - 2, argv + 2, names, v) || expiry(v[0], &expires))
			return 2;
		if (admin_ref(db, argv[1], &id))
			return 1;
		char token[HQ_TOKEN_LEN + 1], prefix[HQ_TOKEN_PREFIX_LEN + 1];
		uint8_t hash[HQ_HASH_LEN];
		if (new_token(token, hash, prefix))
			return 1;
		int rc = hq_registry_admin_rotate(db, id, hash, prefix, expires, &new_id, err, sizeof(err));
		if (rc == 1)
			fprintf(stderr, "tally-hq: admin token %lld is revoked; make a new one\n", (long long)id);
		else if (rc)
			fprintf(stderr, "tally-hq: %s\n", err);
		if (rc)
			return 1;
		printf("%s\n", token);
		fprintf(stderr, "tally-hq: admin token %lld replaces %lld, which is refused from now on; shown only this once\n",
			(long long)new_id, (long long)id);
		return 0;
	}
	return usage();
}

int hq_cli_run(const char *db_path, int argc, char **argv)
{
	if (argc < 1)
		return usage();
	if (!strcmp(argv[0], "copy")) /* two databases of its own, not db_path's */
		return hq_copy_main(argc, argv);
	int is_kiosk = !strcmp(argv[0], "kiosk"), is_people = !strcmp(argv[0], "user") || !strcmp(argv[0], "store");
	int is_migrate = !strcmp(argv[0], "migrate"), is_demo = !strcmp(argv[0], "demo");
	if (is_migrate && argc != 1)
		return usage();
	if (!(is_kiosk && argc >= 2) && !is_people && !is_migrate && !is_demo && strcmp(argv[0], "admin-token") != 0)
		return usage();
	struct hq_store *db;
	char err[512];
	if (hq_store_open(&db, db_path, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	int rc;
	if (is_migrate) {
		/*
		 * Opening migrated it: for deployments that change the schema apart
		 * from starting the servers. The roll-ups a newer schema added are
		 * filled here too (from rating_counts: zones need C), so the first
		 * summary or dashboard request after an upgrade does not wait for it.
		 */
		char what[256];
		hq_db_describe(db_path, what, sizeof(what));
		rc = hq_hours_ready(db, err, sizeof(err)) || hq_dash_days_ready(db, err, sizeof(err));
		if (rc)
			fprintf(stderr, "tally-hq: %s: %s\n", what, err);
		else
			printf("%s: schema version %d\n", what, hq_store_schema_latest());
	} else if (is_people) {
		rc = hq_cli_user_run(db, argc, argv);
	} else if (is_demo) {
		rc = hq_cli_demo_run(db, argc, argv);
	} else if (!is_kiosk) {
		rc = admin_token(db, argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "add")) {
		rc = kiosk_add(db, argc - 2, argv + 2);
	} else if (!strcmp(argv[1], "list") && argc == 2) {
		rc = kiosk_list(db);
	} else if (!strcmp(argv[1], "rotate-token") && argc >= 3) {
		rc = kiosk_rotate(db, argv[2], argc - 3, argv + 3);
	} else if (!strcmp(argv[1], "revoke") && argc == 3) {
		rc = hq_store_kiosk_revoke(db, argv[2], err, sizeof(err));
		if (rc == 1)
			fprintf(stderr, "tally-hq: no kiosk %s\n", argv[2]);
		else if (rc)
			fprintf(stderr, "tally-hq: %s\n", err);
		else
			printf("revoked %s\n", argv[2]);
		rc = rc ? 1 : 0;
	} else {
		rc = usage();
	}
	hq_store_close(db);
	return rc;
}
