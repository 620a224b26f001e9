/* SPDX-License-Identifier: Apache-2.0 */
/* hq_cli_alert: alerts, reports, the poster and opening hours on the command line (see hq_cli_alert.h). */
#include "hq_cli_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hq_alerter.h"
#include "hq_cli_opts.h"
#include "hq_poster.h"

static int usage(void)
{
	fprintf(stderr, "usage: tally-hq alerts list | alerts del ID | alerts check [--now TIME]\n"
			"       tally-hq alerts add negative|index|silent|daily|weekly --store S|--region R [--threshold X]\n"
			"                [--window MIN] [--min N] [--at HH:MM] [--webhook URL] [--secret-stdin] [--mail-to LIST]\n"
			"       tally-hq report [--now TIME]\n"
			"       tally-hq poster --store S --week YYYY-Www --out FILE.pdf\n"
			"       tally-hq kiosk hours ID [DAY=HOURS]...   (DAY sun..sat or daily)\n"
			"TIME: YYYY-MM-DDTHH:MM[:SS]Z (UTC) or milliseconds since the epoch\n");
	return 2;
}

int hq_cli_alert_wants(int argc, char **argv)
{
	if (argc < 1)
		return 0;
	return !strcmp(argv[0], "alerts") || !strcmp(argv[0], "report") || !strcmp(argv[0], "poster") ||
	       (argc >= 2 && !strcmp(argv[0], "kiosk") && !strcmp(argv[1], "hours"));
}

void hq_cli_alert_options(const struct config *cfg, const char *db_path, struct hq_alerter_options *o)
{
	memset(o, 0, sizeof(*o));
	o->db_path = db_path;
	o->env = (struct hq_alert_env){ .public_url = cfg->alerts_public_url, .webhook_url = cfg->alerts_webhook_url,
					.mail_to = cfg->alerts_mail_to, .report_time = cfg->alerts_report_time,
					.mail = cfg->alerts_smtp_url[0] != '\0' };
	o->deliver = (struct hq_deliver_conf){ .smtp_url = cfg->alerts_smtp_url, .smtp_user = cfg->alerts_smtp_user,
					       .smtp_password = cfg->alerts_smtp_password, .smtp_from = cfg->alerts_smtp_from,
					       .smtp_ca_file = cfg->alerts_smtp_ca_file,
					       .smtp_starttls = cfg->alerts_smtp_starttls, .timeout_s = cfg->alerts_timeout_s };
	o->webhook_secret = cfg->alerts_webhook_secret;
	o->check_s = cfg->alerts_check_s;
	o->retry_s = cfg->alerts_retry_s;
	o->max_attempts = cfg->alerts_max_attempts;
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* TIME (see the header) into ms. 0, or -1. */
static int parse_time(const char *s, int64_t *ms)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*s && !*end && v > 0) {
		*ms = v;
		return 0;
	}
	int y, mo, d, h, mi, sec = 0, k = 0;
	if ((sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &k) == 6 && k && !s[k]) ||
	    (sec = 0, k = 0, sscanf(s, "%4d-%2d-%2dT%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &k) == 5 && k && !s[k])) {
		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
			return -1;
		*ms = ((tzif_days_from_civil(y, mo, d) * 86400) + h * 3600 + mi * 60 + sec) * 1000LL;
		return 0;
	}
	return -1;
}

/* --now TIME among argv, or the clock. 0, or -1 (said). */
static int now_arg(int argc, char **argv, int64_t *now)
{
	static const char *const names[] = { "--now", NULL };
	const char *v[1] = { NULL };
	*now = wall_ms();
	if (hq_cli_options(argc, argv, names, 0, v) || (v[0] && parse_time(v[0], now))) {
		fprintf(stderr, "tally-hq: %s: expected --now TIME (YYYY-MM-DDTHH:MMZ)\n", v[0] ? v[0] : argv[0]);
		return -1;
	}
	return 0;
}

static int pass(struct hq_store *db, const struct config *cfg, const char *db_path, int64_t now, unsigned what)
{
	struct hq_alerter_options o;
	hq_cli_alert_options(cfg, db_path, &o);
	if (hq_deliver_init()) {
		fprintf(stderr, "tally-hq: cannot start libcurl\n");
		return 1;
	}
	struct hq_alerter_pass_stats st;
	char err[512];
	int rc = hq_alerter_pass(db, &o, now, what | HQ_ALERTER_SEND, &st, err, sizeof(err));
	if (what & HQ_ALERTER_ALERTS)
		printf("alerts: %d opened, %d cleared\n", st.opened, st.cleared);
	if (what & HQ_ALERTER_REPORTS)
		printf("reports: %d queued\n", st.reports);
	printf("messages: %d sent, %d to retry, %d given up\n", st.sent, st.failed, st.gave_up);
	if (rc)
		fprintf(stderr, "tally-hq: %s\n", err);
	return rc ? 1 : 0;
}

static int rules_list(struct hq_store *db)
{
	struct hq_alert_rule *r;
	size_t n;
	char err[512];
	if (hq_alert_rule_list(db, &r, &n, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	printf("%-4s %-9s %-24s %-10s %-7s %-4s %-5s %s\n", "ID", "KIND", "SCOPE", "THRESHOLD", "WINDOW", "MIN", "AT",
	       "TO");
	for (size_t i = 0; i < n; i++) {
		char scope[HQ_NAME_MAX + 8];
		snprintf(scope, sizeof(scope), "%s %s", r[i].scope_kind, r[i].scope);
		printf("%-4lld %-9s %-24s %-10g %-7d %-4d %-5s %s%s%s%s\n", (long long)r[i].id, r[i].kind, scope,
		       r[i].threshold, r[i].window_min, r[i].min_ratings, r[i].send_at[0] ? r[i].send_at : "-",
		       r[i].webhook[0] ? "webhook " : "", r[i].mail_to[0] ? r[i].mail_to : "",
		       !r[i].webhook[0] && !r[i].mail_to[0] ? "(configured targets)" : "", r[i].enabled ? "" : " disabled");
	}
	free(r);
	return 0;
}

/* value of option name as a number (whole: an integer, as strtol reads it). 0, or 2 with the error printed. */
static int number(const char *name, const char *value, int whole, double *out)
{
	char *end;
	*out = whole ? (double)strtol(value, &end, 10) : strtod(value, &end);
	if (*end) {
		fprintf(stderr, "tally-hq: %s: \"%s\" is not a number\n", name, value);
		return 2;
	}
	return 0;
}

static int rules_add(struct hq_store *db, int argc, char **argv)
{
	struct hq_alert_rule r;
	if (argc < 1 || hq_alert_rule_defaults(&r, argv[0])) {
		fprintf(stderr, "tally-hq: alerts add: a kind first: negative, index, silent, daily or weekly\n");
		return 2;
	}
	enum { STORE, REGION, THRESHOLD, WINDOW, MIN, AT, WEBHOOK, MAIL_TO, SECRET_STDIN };
	static const char *const names[] = { "--store", "--region", "--threshold", "--window", "--min", "--at",
					     "--webhook", "--mail-to", "--secret-stdin", NULL };
	const char *v[SECRET_STDIN + 1] = { NULL };
	/* A rule belongs to a store or a region: both is a mistake, not "the last one". */
	if (hq_cli_options(argc - 1, argv + 1, names, 1u << SECRET_STDIN, v) || (v[STORE] && v[REGION]))
		return usage();
	if (v[STORE] || v[REGION]) {
		snprintf(r.scope_kind, sizeof(r.scope_kind), "%s", v[STORE] ? "store" : "region");
		snprintf(r.scope, sizeof(r.scope), "%s", v[STORE] ? v[STORE] : v[REGION]);
	}
	double x;
	if (v[THRESHOLD] && number(names[THRESHOLD], v[THRESHOLD], 0, &r.threshold))
		return 2;
	if (v[WINDOW] && number(names[WINDOW], v[WINDOW], 1, &x))
		return 2;
	if (v[WINDOW])
		r.window_min = (int)x;
	if (v[MIN] && number(names[MIN], v[MIN], 1, &x))
		return 2;
	if (v[MIN])
		r.min_ratings = (int)x;
	if (v[AT])
		snprintf(r.send_at, sizeof(r.send_at), "%.7s", v[AT]);
	if (v[WEBHOOK])
		snprintf(r.webhook, sizeof(r.webhook), "%s", v[WEBHOOK]);
	if (v[MAIL_TO])
		snprintf(r.mail_to, sizeof(r.mail_to), "%s", v[MAIL_TO]);
	if (v[SECRET_STDIN]) {
		if (!fgets(r.secret, sizeof(r.secret), stdin)) {
			fprintf(stderr, "tally-hq: --secret-stdin: nothing on standard input\n");
			return 2;
		}
		r.secret[strcspn(r.secret, "\r\n")] = '\0';
	}
	char err[512];
	if (hq_alert_rule_save(db, &r, wall_ms(), err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	printf("rule %lld\n", (long long)r.id);
	return 0;
}

static int hours_cmd(struct hq_store *db, int argc, char **argv)
{
	static const char *const days[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
	const char *week[7] = { "", "", "", "", "", "", "" };
	char err[512];
	if (argc < 1)
		return usage();
	if (argc == 1) {
		struct day_hours h[7];
		if (hq_alert_hours_get(db, argv[0], h)) {
			fprintf(stderr, "tally-hq: cannot read the hours of %s\n", argv[0]);
			return 1;
		}
		for (int d = 0; d < 7; d++) {
			if (h[d].all_day)
				printf("%s all day\n", days[d]);
			else if (h[d].closed)
				printf("%s closed\n", days[d]);
			else
				printf("%s %02d:%02d-%02d:%02d\n", days[d], h[d].open_min / 60, h[d].open_min % 60,
				       h[d].close_min / 60, h[d].close_min % 60);
		}
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		int found = 0;
		for (int d = 0; eq && d < 7; d++)
			if ((size_t)(eq - argv[i]) == 3 && !strncmp(argv[i], days[d], 3)) {
				week[d] = eq + 1;
				found = 1;
			}
		if (eq && !strncmp(argv[i], "daily=", 6)) {
			for (int d = 0; d < 7; d++)
				week[d] = eq + 1;
			found = 1;
		}
		if (!found) {
			fprintf(stderr, "tally-hq: kiosk hours: \"%s\" is not DAY=HOURS (DAY sun..sat or daily)\n", argv[i]);
			return 2;
		}
	}
	int rc = hq_alert_hours_set(db, argv[0], week, err, sizeof(err));
	if (rc == 1)
		fprintf(stderr, "tally-hq: no kiosk %s\n", argv[0]);
	else if (rc)
		fprintf(stderr, "tally-hq: %s\n", err);
	else
		printf("hours of %s set\n", argv[0]);
	return rc ? 1 : 0;
}

static int poster_cmd(struct hq_store *db, int argc, char **argv)
{
	static const char *const names[] = { "--store", "--week", "--out", NULL };
	const char *v[3] = { NULL };
	if (hq_cli_options(argc, argv, names, 0, v) || !v[0] || !v[1] || !v[2])
		return usage();
	const char *store = v[0], *week = v[1], *out = v[2];
	char *pdf, err[512];
	size_t len;
	if (hq_poster_make(db, store, week, &pdf, &len, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	FILE *f = fopen(out, "wb");
	int ok = f && fwrite(pdf, 1, len, f) == len;
	if (f && fclose(f))
		ok = 0;
	free(pdf);
	if (!ok) {
		fprintf(stderr, "tally-hq: cannot write %s\n", out);
		return 1;
	}
	printf("poster of %s, %s: %s (%zu bytes)\n", store, week, out, len);
	return 0;
}

int hq_cli_alert_run(const struct config *cfg, const char *db_path, int argc, char **argv)
{
	struct hq_store *db;
	char err[512];
	if (hq_store_open(&db, db_path, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	int rc;
	int64_t now;
	if (!strcmp(argv[0], "kiosk")) {
		rc = hours_cmd(db, argc - 2, argv + 2);
	} else if (!strcmp(argv[0], "poster")) {
		rc = poster_cmd(db, argc - 1, argv + 1);
	} else if (!strcmp(argv[0], "report")) {
		rc = now_arg(argc - 1, argv + 1, &now) ? 2 : pass(db, cfg, db_path, now, HQ_ALERTER_REPORTS);
	} else if (argc >= 2 && !strcmp(argv[1], "check")) {
		rc = now_arg(argc - 2, argv + 2, &now) ? 2 : pass(db, cfg, db_path, now, HQ_ALERTER_ALERTS);
	} else if (argc == 2 && !strcmp(argv[1], "list")) {
		rc = rules_list(db);
	} else if (argc >= 2 && !strcmp(argv[1], "add")) {
		rc = rules_add(db, argc - 2, argv + 2);
	} else if (argc == 3 && !strcmp(argv[1], "del")) {
		char *end;
		long long id = strtoll(argv[2], &end, 10);
		rc = *end ? 1 : hq_alert_rule_delete(db, id, err, sizeof(err));
		if (rc == 1)
			fprintf(stderr, "tally-hq: no rule %s\n", argv[2]);
		else if (rc)
			fprintf(stderr, "tally-hq: %s\n", err);
		else
			printf("rule %lld deleted\n", id);
		rc = rc ? 1 : 0;
	} else {
		rc = usage();
	}
	hq_store_close(db);
	return rc;
}
