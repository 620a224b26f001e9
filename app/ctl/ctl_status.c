/*
 * ctl_status: `tallyctl status`: what the kiosk is, how it is, and first of
 * all what needs attention. Exits 1 when anything does, so a monitoring
 * script can run it as it is.
 *
 * The report is built by probes, run in order, each adding fields and
 * attention lines through ctl_status_field / ctl_status_attention. A part
 * that knows more adds one probe to the table at the bottom: tally-sync's
 * last attempt and its result, the buttons' states (stuck, noise).
 *
 * Thresholds for attention (candidates for config keys once stores ask):
 * unsent ratings older than a day, less than 100 MiB or 5% disk free.
 */
#include "ctl.h"

#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>

#include "clockstate.h"
#include "stats.h"
#include "statusfile.h"
#include "store.h"

#define UNSENT_ATTENTION_MS (24LL * 3600 * 1000)
#define DISK_MIN_FREE_BYTES (100LL * 1024 * 1024)
#define DISK_MIN_FREE_PCT 5.0

struct status_line {
	char *label, *text;
};

struct ctl_status {
	json_t *fields;     /* for --json, in the order added */
	json_t *attention;  /* strings */
	struct status_line *lines;
	size_t n, cap;
};

/* A probe: adds what it knows. db is the store opened read-only, or NULL. */
typedef void status_probe(struct ctl_status *st, const struct ctl *c, sqlite3 *db);

void ctl_status_field(struct ctl_status *st, const char *key, const char *label, json_t *json_value,
		      const char *fmt, ...)
{
	json_object_set_new(st->fields, key, json_value ? json_value : json_null());
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 32;
		struct status_line *l = realloc(st->lines, cap * sizeof(*l));
		if (!l)
			return;
		st->lines = l;
		st->cap = cap;
	}
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	st->lines[st->n].label = strdup(label);
	st->lines[st->n].text = strdup(text);
	st->n++;
}

void ctl_status_attention(struct ctl_status *st, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(st->attention, json_string(text));
}

static int alive(const struct statusfile *sf);

static void probe_identity(struct ctl_status *st, const struct ctl *c, sqlite3 *db)
{
	(void)db;
	const struct config *cfg = &c->cfg;
	ctl_status_field(st, "kiosk_id", "kiosk", json_string(cfg->kiosk_id), "%s", cfg->kiosk_id);
	ctl_status_field(st, "store", "store", json_string(cfg->store), "%s", cfg->store);
	ctl_status_field(st, "area", "area", json_string(cfg->area), "%s", cfg->area);
	ctl_status_field(st, "version", "version", json_string(TALLY_VERSION), "%s", TALLY_VERSION);
	ctl_status_field(st, "config", "config", c->config_path ? json_string(c->config_path) : NULL, "%s",
			 c->config_path ? c->config_path : "(built-in defaults)");
	char err[256];
	int tz_ok = tzday_valid(cfg->timezone, err, sizeof(err)) == 0;
	ctl_status_field(st, "timezone", "time zone", json_string(cfg->timezone), "%s%s", cfg->timezone,
			 tz_ok ? "" : " (unknown)");
	if (!tz_ok)
		ctl_status_attention(st, "[kiosk] timezone: %s; days are counted in UTC", err);
}

static void probe_system(struct ctl_status *st, const struct ctl *c, sqlite3 *db)
{
	(void)db;
	struct sysinfo si;
	char age[64];
	if (sysinfo(&si) == 0)
		ctl_status_field(st, "uptime_s", "uptime", json_integer(si.uptime), "%s",
				 ctl_format_age((int64_t)si.uptime * 1000, age, sizeof(age)));
	int synced = clockstate_synced();
	/* Where NTP is blocked, tally-sync corrects times from head office's clock instead. */
	static struct statusfile sf;
	char path[CONFIG_PATH_MAX + 32];
	statusfile_path(&c->cfg, "sync", path, sizeof(path));
	const char *source = statusfile_read(&sf, path) == 0 && alive(&sf) ? statusfile_get(&sf, "time_source") : NULL;
	int by_hq = !synced && source && !strncmp(source, "head office", 11);
	ctl_status_field(st, "clock_synced", "clock", json_boolean(synced), "%s%s%s",
			 synced ? "synced" : "NOT synced", by_hq ? "; times corrected from " : "", by_hq ? source : "");
	ctl_status_field(st, "time_source", "time source", source ? json_string(source) : NULL, "%s",
			 source ? source : "unknown (tally-sync not running)");
	if (!synced && !by_hq)
		ctl_status_attention(st, "the wall clock is not synced (NTP): new ratings get times that need "
					 "correcting later");
}

static int64_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/* Runs sql (one row expected); 0 with the statement on its row, or -1. */
static int one_row(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
	if (sqlite3_prepare_v2(db, sql, -1, out, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(*out) != SQLITE_ROW) {
		sqlite3_finalize(*out);
		return -1;
	}
	return 0;
}

static void probe_database(struct ctl_status *st, const struct ctl *c, sqlite3 *db)
{
	const char *path = c->cfg.database;
	char wal[CONFIG_PATH_MAX + 8], t[64], age[64], err[256];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	int64_t size = file_size(path) + file_size(wal);
	ctl_status_field(st, "database", "database", json_string(path), "%s", path);
	ctl_status_field(st, "database_bytes", "database size", json_integer(size), "%.1f MiB",
			 (double)size / (1024 * 1024));
	if (!db)
		return;

	sqlite3_stmt *q;
	if (one_row(db, "PRAGMA quick_check", &q) == 0) {
		const char *r = (const char *)sqlite3_column_text(q, 0);
		int ok = r && !strcmp(r, "ok");
		ctl_status_field(st, "integrity", "integrity", json_string(ok ? "ok" : r ? r : "?"), "%s",
				 ok ? "ok" : r ? r : "?");
		if (!ok)
			ctl_status_attention(st, "%s: database is damaged (%s): copy it away before anything else",
					     path, r ? r : "?");
		sqlite3_finalize(q);
	}

	int64_t now = ctl_now_ms();
	/* Head office tells kiosk stores apart by this: a re-imaged kiosk has a new one. */
	if (one_row(db, "SELECT value FROM meta WHERE key = 'install_id'", &q) == 0) {
		const char *id = (const char *)sqlite3_column_text(q, 0);
		ctl_status_field(st, "install_id", "install id", json_string(id ? id : ""), "%s", id ? id : "");
		sqlite3_finalize(q);
	}
	if (one_row(db, "SELECT count(*) FROM ratings", &q) == 0) {
		ctl_status_field(st, "ratings_total", "ratings held", json_integer(sqlite3_column_int64(q, 0)),
				 "%lld", (long long)sqlite3_column_int64(q, 0));
		sqlite3_finalize(q);
	}
	if (one_row(db, "SELECT wall_ms, clock_synced, corrected_ms IS NOT NULL, corrected_ms FROM ratings"
			" ORDER BY seq DESC LIMIT 1", &q) == 0) {
		int64_t best;
		enum stats_time_basis b = stats_best_time(sqlite3_column_int(q, 1), sqlite3_column_int(q, 2),
							  sqlite3_column_int64(q, 3), sqlite3_column_int64(q, 0), &best);
		ctl_format_time(c, best, t, sizeof(t));
		ctl_status_field(st, "last_rating", "last rating", json_string(t), "%s (%s ago%s)", t,
				 ctl_format_age(now - best, age, sizeof(age)),
				 b == STATS_TIME_UNKNOWN ? ", clock was not synced" : "");
		sqlite3_finalize(q);
	} else {
		ctl_status_field(st, "last_rating", "last rating", NULL, "none yet");
	}

	struct tzdate today;
	static struct stats_day d;
	if (ctl_today(c, &today, err, sizeof(err)) == 0 &&
	    stats_day_compute(db, c->cfg.timezone, c->cfg.faces, today, &d, err, sizeof(err)) == 0) {
		if (d.total > 0)
			ctl_status_field(st, "today_ratings", "today", json_integer(d.total),
					 "%lld ratings, %.0f%% positive, Happy Index %.1f (%lld misuse)",
					 (long long)d.total, d.positive_pct, d.happy_index, (long long)d.misuse);
		else
			ctl_status_field(st, "today_ratings", "today", json_integer(0), "no ratings (%lld misuse)",
					 (long long)d.misuse);
	}

	if (one_row(db, "SELECT count(*), min(seq) FROM ratings WHERE acked = 0", &q) == 0) {
		int64_t unsent = sqlite3_column_int64(q, 0), first = sqlite3_column_int64(q, 1);
		sqlite3_finalize(q);
		ctl_status_field(st, "unsent", "not at head office", json_integer(unsent), "%lld ratings",
				 (long long)unsent);
		char sql[200];
		snprintf(sql, sizeof(sql),
			 "SELECT wall_ms, clock_synced, corrected_ms IS NOT NULL, corrected_ms FROM ratings WHERE seq = %lld",
			 (long long)first);
		if (unsent > 0 && one_row(db, sql, &q) == 0) {
			int64_t best;
			stats_best_time(sqlite3_column_int(q, 1), sqlite3_column_int(q, 2), sqlite3_column_int64(q, 3),
					sqlite3_column_int64(q, 0), &best);
			sqlite3_finalize(q);
			ctl_status_field(st, "unsent_oldest_age_s", "oldest unsent", json_integer((now - best) / 1000),
					 "%s old", ctl_format_age(now - best, age, sizeof(age)));
			if (now - best > UNSENT_ATTENTION_MS)
				ctl_status_attention(st, "%lld ratings not yet at head office, the oldest %s old",
						     (long long)unsent, age);
		}
	}
	if (one_row(db, "SELECT count(*) FROM ratings WHERE clock_synced = 0 AND corrected_ms IS NULL", &q) == 0) {
		ctl_status_field(st, "time_unknown", "times unknown", json_integer(sqlite3_column_int64(q, 0)),
				 "%lld ratings (clock not synced, not corrected)", (long long)sqlite3_column_int64(q, 0));
		sqlite3_finalize(q);
	}
}

static void probe_disk(struct ctl_status *st, const struct ctl *c, sqlite3 *db)
{
	(void)db;
	char dir[CONFIG_PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", c->cfg.database);
	struct statvfs vfs;
	const char *d = dirname(dir);
	if (statvfs(d, &vfs) != 0) {
		ctl_status_field(st, "disk_free_bytes", "disk free", NULL, "unknown (%s)", d);
		return;
	}
	int64_t free_b = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
	int64_t total = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
	double pct = total > 0 ? 100.0 * (double)free_b / (double)total : 0;
	ctl_status_field(st, "disk_free_bytes", "disk free", json_integer(free_b), "%.1f MiB (%.0f%%) on %s",
			 (double)free_b / (1024 * 1024), pct, d);
	if (free_b < DISK_MIN_FREE_BYTES || pct < DISK_MIN_FREE_PCT)
		ctl_status_attention(st, "only %.1f MiB (%.0f%%) free on %s: ratings stop being stored when it is full",
				     (double)free_b / (1024 * 1024), pct, d);
}


/* Whether the process that wrote a status file still runs. */
static int alive(const struct statusfile *sf)
{
	const char *pid = statusfile_get(sf, "pid");
	char proc[64];
	if (!pid)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/%s", pid);
	struct stat sb;
	return stat(proc, &sb) == 0;
}

/* What the running kiosk wrote in kiosk.status: its screen and its buttons. */
static void probe_kiosk(struct ctl_status *st, const struct ctl *c, sqlite3 *db)
{
	(void)db;
	static struct statusfile sf;
	char path[CONFIG_PATH_MAX + 32];
	statusfile_path(&c->cfg, "kiosk", path, sizeof(path));
	if (statusfile_read(&sf, path) != 0 || !alive(&sf)) {
		ctl_status_field(st, "kiosk_running", "kiosk", json_false(), "not running (no live %s)", path);
		ctl_status_attention(st, "tally-kiosk is not running: no ratings can be taken");
		return;
	}
	const char *screen = statusfile_get(&sf, "screen");
	ctl_status_field(st, "kiosk_running", "kiosk", json_true(), "running, pid %s, showing %s",
			 statusfile_get(&sf, "pid"), screen ? screen : "?");
	const char *reason = statusfile_get(&sf, "out_of_order");
	if (reason && *reason)
		ctl_status_attention(st, "the kiosk shows \"out of order\": %s", reason);
	const char *display = statusfile_get(&sf, "display");
	if (display)
		ctl_status_field(st, "display", "display", json_string(display), "%s", display);
	for (int i = 0; i < sf.n; i++) {
		if (strncmp(sf.key[i], "button.", 7) != 0)
			continue;
		char label[64];
		snprintf(label, sizeof(label), "button %s", sf.key[i] + 7);
		ctl_status_field(st, sf.key[i], label, json_string(sf.value[i]), "%s", sf.value[i]);
		if (strstr(sf.value[i], " STUCK"))
			ctl_status_attention(st, "button %s is stuck (%s): ignored until released", sf.key[i] + 7,
					     sf.value[i]);
		if (strstr(sf.value[i], " NOISE"))
			ctl_status_attention(st, "button %s has a noisy line (%s): check its wiring", sf.key[i] + 7,
					     sf.value[i]);
	}
}

/* What tally-sync wrote in sync.status: its last attempt and how it went. */
static void probe_sync(struct ctl_status *st, const struct ctl *c, sqlite3 *db)
{
	(void)db;
	static struct statusfile sf;
	char path[CONFIG_PATH_MAX + 32];
	statusfile_path(&c->cfg, "sync", path, sizeof(path));
	if (statusfile_read(&sf, path) != 0) {
		ctl_status_field(st, "sync_last_attempt", "last sync", NULL, "never (no %s)", path);
		return;
	}
	const char *when = statusfile_get(&sf, "last_attempt"), *result = statusfile_get(&sf, "last_result");
	const char *ok = statusfile_get(&sf, "last_success"), *failures = statusfile_get(&sf, "failures");
	ctl_status_field(st, "sync_last_attempt", "last sync", when ? json_string(when) : NULL, "%s: %s%s",
			 when ? when : "?", result ? result : "?", alive(&sf) ? "" : " (tally-sync not running)");
	ctl_status_field(st, "sync_last_success", "last sync ok", ok ? json_string(ok) : NULL, "%s",
			 ok ? ok : "never");
	const char *conflict = statusfile_get(&sf, "conflict");
	if (conflict)
		ctl_status_field(st, "sync_conflict", "sync conflict", json_string(conflict), "%s", conflict);
	if (!alive(&sf))
		ctl_status_attention(st, "tally-sync is not running: ratings stay on the kiosk");
	else if (conflict)
		ctl_status_attention(st, "head office holds other ratings under this kiosk store's identity (install %s):"
				     " %s; nothing more is sent until a person resolves it (docs/troubleshooting.md)",
				     statusfile_get(&sf, "install") ? statusfile_get(&sf, "install") : "?", conflict);
	else if (failures && atoi(failures) > 0)
		ctl_status_attention(st, "sync failing (%s attempts in a row): %s", failures, result ? result : "?");
}

/* The probes, in the order their fields are shown. Add new ones here. */
static status_probe *const probes[] = {
	probe_identity,
	probe_system,
	probe_database,
	probe_disk,
	probe_kiosk,
	probe_sync,
};

int ctl_status(struct ctl *c, int argc, char **argv)
{
	if (argc > 1)
		return ctl_usage_error(c, "status", "unknown argument \"%s\"", argv[1]);
	struct ctl_status st = { .fields = json_object(), .attention = json_array() };
	char err[1024];
	sqlite3 *db = NULL;
	if (ctl_db_open(c, &db, err, sizeof(err)))
		ctl_status_attention(&st, "%s", err);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		probes[i](&st, c, db);
	sqlite3_close(db);

	size_t nattention = json_array_size(st.attention);
	if (c->json) {
		json_t *doc = json_pack("{s:b, s:O}", "ok", nattention == 0, "attention", st.attention);
		json_object_update(doc, st.fields);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		if (nattention) {
			printf("NEEDS ATTENTION\n");
			for (size_t i = 0; i < nattention; i++)
				printf("  ! %s\n", json_string_value(json_array_get(st.attention, i)));
		} else {
			printf("ok: nothing needs attention\n");
		}
		printf("\n");
		for (size_t i = 0; i < st.n; i++)
			printf("%-20s %s\n", st.lines[i].label, st.lines[i].text);
	}
	for (size_t i = 0; i < st.n; i++) {
		free(st.lines[i].label);
		free(st.lines[i].text);
	}
	free(st.lines);
	json_decref(st.fields);
	json_decref(st.attention);
	fflush(stdout);
	return nattention ? CTL_PROBLEM : CTL_OK;
}
