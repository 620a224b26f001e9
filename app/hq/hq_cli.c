/* hq_cli: the kiosk registry and admin token commands of tally-hq. */
#include "hq_cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hq_cli_user.h"
#include "hq_scope.h"
#include "hq_store.h"
#include "hq_token.h"

static int usage(void)
{
	fprintf(stderr, "usage: tally-hq [--db PATH] kiosk add --store S --area A [--region R] [--tz ZONE] [--id ID]\n"
			"       tally-hq [--db PATH] kiosk list\n"
			"       tally-hq [--db PATH] store set-region STORE REGION | store list\n"
			"       tally-hq [--db PATH] user add|passwd|del|list ...\n"
			"       tally-hq [--db PATH] kiosk revoke ID\n"
			"       tally-hq [--db PATH] admin-token\n");
	return 2;
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

static int kiosk_add(struct hq_store *db, int argc, char **argv)
{
	struct hq_kiosk k;
	memset(&k, 0, sizeof(k));
	snprintf(k.tz, sizeof(k.tz), "UTC");
	const char *store = NULL, *area = NULL, *tz = NULL, *id = NULL, *region = NULL;
	for (int i = 0; i < argc; i++) {
		const char **slot = !strcmp(argv[i], "--store") ? &store : !strcmp(argv[i], "--area") ? &area
				  : !strcmp(argv[i], "--tz") ? &tz : !strcmp(argv[i], "--id") ? &id
				  : !strcmp(argv[i], "--region") ? &region : NULL;
		if (!slot || i + 1 >= argc)
			return usage();
		*slot = argv[++i];
	}
	if (!store || !area || !*store || !*area || strlen(store) >= sizeof(k.store) || strlen(area) >= sizeof(k.area)) {
		fprintf(stderr, "tally-hq: kiosk add needs --store and --area (1 to %zu bytes each)\n", sizeof(k.store) - 1);
		return 2;
	}
	char err[512], token[HQ_TOKEN_LEN + 1];
	if (region && !hq_scope_region_ok(region)) {
		fprintf(stderr, "tally-hq: --region: at most %zu bytes, no control characters\n", sizeof(k.store) - 1);
		return 2;
	}
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
	if (hq_token_new(token, err, sizeof(err)) || hq_token_hash(token, strlen(token), hash)) {
		fprintf(stderr, "tally-hq: cannot make a token: %s\n", err);
		return 1;
	}
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

static int kiosk_list(struct hq_store *db)
{
	struct hq_kiosk *k;
	size_t n;
	char err[512];
	if (hq_store_kiosk_list(db, &k, &n, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	printf("%-24s %-20s %-16s %-16s %-20s %-8s %14s %10s\n", "ID", "STORE", "REGION", "AREA", "TZ", "STATUS",
	       "ACKED_THROUGH", "RATINGS");
	for (size_t i = 0; i < n; i++)
		printf("%-24s %-20s %-16s %-16s %-20s %-8s %14lld %10lld\n", k[i].id, k[i].store,
		       k[i].region[0] ? k[i].region : "-", k[i].area, k[i].tz,
		       k[i].revoked_ms ? "revoked" : "active", (long long)k[i].acked_through, (long long)k[i].ratings);
	free(k);
	return 0;
}

int hq_cli_run(const char *db_path, int argc, char **argv)
{
	if (argc < 1)
		return usage();
	int is_kiosk = !strcmp(argv[0], "kiosk"), is_people = !strcmp(argv[0], "user") || !strcmp(argv[0], "store");
	if (!(is_kiosk && argc >= 2) && !is_people && strcmp(argv[0], "admin-token") != 0)
		return usage();
	struct hq_store *db;
	char err[512];
	if (hq_store_open(&db, db_path, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	int rc;
	if (is_people) {
		rc = hq_cli_user_run(db, argc, argv);
	} else if (!is_kiosk) {
		char token[HQ_TOKEN_LEN + 1];
		uint8_t hash[HQ_HASH_LEN];
		rc = 1;
		if (argc != 1)
			rc = usage();
		else if (hq_token_new(token, err, sizeof(err)) || hq_token_hash(token, strlen(token), hash) ||
			 hq_store_admin_add(db, hash, err, sizeof(err)))
			fprintf(stderr, "tally-hq: %s\n", err);
		else {
			printf("%s\n", token);
			fprintf(stderr, "tally-hq: the admin token is shown only this once\n");
			rc = 0;
		}
	} else if (!strcmp(argv[1], "add")) {
		rc = kiosk_add(db, argc - 2, argv + 2);
	} else if (!strcmp(argv[1], "list") && argc == 2) {
		rc = kiosk_list(db);
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
