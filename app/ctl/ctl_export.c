/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_export: `tallyctl export --format csv|json [--since T] [--until T]
 * [--include-misuse]`: the stored ratings to stdout, oldest seq first,
 * every stored column plus the flags as words and the best time, who
 * corrected a corrected time ("kiosk": its own synced clock, "hq": head
 * office's clock) and the store's install id (which tells the stores of a
 * re-imaged kiosk apart, as head office does).
 *
 * --since/--until compare with the time that decides a rating's day in
 * the statistics (its best time; wall time when that is unknown), so an
 * export of a day has exactly the ratings `tallyctl stats` counted for it.
 * Rows are streamed one at a time: a year of ratings never sits in memory.
 *
 * The last column, shift, names the shift ([shifts]) the rating's best
 * time falls in, by the schedule in force then; empty when it falls in no
 * shift or its time is unknown (never guessed).
 */
#include "ctl.h"

#include <string.h>

#include "csv_export.h"
#include "rating.h"
#include "score.h"
#include "shift_schedule.h"
#include "stats.h"

#define EXPORT_SQL(correction, reason) \
	"SELECT seq, kiosk_id, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, flags," \
	" corrected_ms, acked, " correction ", " reason " FROM ratings" \
	" WHERE (?1 IS NULL OR CASE WHEN clock_synced THEN wall_ms ELSE coalesce(corrected_ms, wall_ms) END >= ?1)" \
	" AND (?2 IS NULL OR CASE WHEN clock_synced THEN wall_ms ELSE coalesce(corrected_ms, wall_ms) END < ?2)" \
	" AND (?3 OR (flags & 1) = 0)" \
	" ORDER BY seq"
/* A store from before schema 5 (not yet opened by the upgraded kiosk) has no corrected_by: all its own clock's. */
/* Nor, before schema 6, a follow-up answer. */
static const char export_sql[] = EXPORT_SQL("corrected_by, corrected_err_ms", "reason");
static const char export_sql_v5[] = EXPORT_SQL("corrected_by, corrected_err_ms", "NULL");
static const char export_sql_v4[] = EXPORT_SQL("0, 0", "NULL");

/* One row, decoded once for both formats. */
struct row {
	int64_t seq, wall_ms, boot_ms, corrected_ms, best_ms;
	const char *kiosk_id, *source, *boot_id;
	int value, scale, clock_synced, flags, acked, has_corrected, corrected_by;
	int64_t corrected_err_ms;
	const char *install_id;
	const char *reason;            /* the follow-up answer, or NULL */
	enum stats_time_basis basis;
	char flag_names[32], wall_time[48], best_time[48], corrected_time[48];
	char shift[SHIFTS_NAME_MAX];   /* "" when in no shift or time unknown */
};

static const char *text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? (const char *)t : "";
}

static void decode(const struct ctl *c, sqlite3_stmt *st, struct shifts_finder *shifts, struct row *r)
{
	r->seq = sqlite3_column_int64(st, 0);
	r->kiosk_id = text(st, 1);
	r->value = sqlite3_column_int(st, 2);
	r->scale = sqlite3_column_int(st, 3);
	r->source = text(st, 4);
	r->wall_ms = sqlite3_column_int64(st, 5);
	r->boot_ms = sqlite3_column_int64(st, 6);
	r->boot_id = text(st, 7);
	r->clock_synced = sqlite3_column_int(st, 8);
	r->flags = sqlite3_column_int(st, 9);
	r->has_corrected = sqlite3_column_type(st, 10) != SQLITE_NULL;
	r->corrected_ms = sqlite3_column_int64(st, 10);
	r->acked = sqlite3_column_int(st, 11);
	r->corrected_by = sqlite3_column_int(st, 12);
	r->corrected_err_ms = sqlite3_column_int64(st, 13);
	r->reason = sqlite3_column_type(st, 14) == SQLITE_NULL ? NULL : text(st, 14);
	r->basis = stats_best_time(r->clock_synced, r->has_corrected, r->corrected_ms, r->wall_ms, &r->best_ms);
	r->flag_names[0] = '\0';
	if (r->flags & RATING_MISUSE)
		strcat(r->flag_names, "misuse");
	if (r->flags & RATING_CLOSED)
		strcat(r->flag_names, r->flag_names[0] ? " closed" : "closed");
	ctl_format_time(c, r->wall_ms, r->wall_time, sizeof(r->wall_time));
	r->corrected_time[0] = '\0';
	if (r->has_corrected)
		ctl_format_time(c, r->corrected_ms, r->corrected_time, sizeof(r->corrected_time));
	r->shift[0] = '\0';
	if (r->basis == STATS_TIME_UNKNOWN) {
		r->best_time[0] = '\0';
	} else {
		ctl_format_time(c, r->best_ms, r->best_time, sizeof(r->best_time));
		struct shift_occ occ;
		char err[256];
		if (shifts && shifts_finder_at(shifts, r->best_ms, &occ, err, sizeof(err)) == 1)
			snprintf(r->shift, sizeof(r->shift), "%s", occ.name);
	}
}

/* Who corrected the time: the kiosk from its own synced clock, or head office's clock. */
static const char *corrected_by_name(const struct row *r)
{
	return !r->has_corrected ? "" : r->corrected_by ? "hq" : "kiosk";
}

/* One CSV line in the schema head office's export shares (csv_export.h). */
static void csv_row(const struct ctl *c, const struct row *r)
{
	struct csv_export_row x = {
		.kiosk = r->kiosk_id, .install_id = r->install_id, .store = c->cfg.store, .area = c->cfg.area,
		.seq = r->seq, .time = r->best_time, .time_basis = stats_time_basis_name(r->basis), .value = r->value,
		.scale = r->scale, .source = r->source, .flags = r->flags, .wall_time = r->wall_time,
		.boot_ms = r->boot_ms, .boot_id = r->boot_id, .clock_synced = r->clock_synced,
		.corrected_time = r->corrected_time, .corrected_by = corrected_by_name(r),
		.corrected_err_ms = r->has_corrected && r->corrected_by ? r->corrected_err_ms : -1,
		.at_head_office = r->acked, .received_time = "", .shift = r->shift,
		.reason = r->reason,
	};
	char line[4096];
	int n = csv_export_row(&x, line, sizeof(line));
	if (n > 0)
		fwrite(line, 1, (size_t)n, stdout);
}

static json_t *str_or_null(const char *s)
{
	json_t *j = json_string(s);
	return j ? j : json_null(); /* not UTF-8: say nothing rather than something wrong */
}

static json_t *json_row(const struct row *r)
{
	json_t *names = json_array();
	if (r->flags & RATING_MISUSE)
		json_array_append_new(names, json_string("misuse"));
	if (r->flags & RATING_CLOSED)
		json_array_append_new(names, json_string("closed"));
	int known = r->basis != STATS_TIME_UNKNOWN;
	json_t *o = json_pack("{s:I, s:o, s:i, s:s, s:i, s:o, s:I, s:s, s:I, s:o, s:b, s:o, s:b, s:i, s:o, s:s, s:o, s:o}",
			 "seq", (json_int_t)r->seq, "kiosk_id", str_or_null(r->kiosk_id), "value", r->value,
			 "label", score_face_label(r->value, r->scale),
			 "scale", r->scale, "source", str_or_null(r->source), "wall_ms", (json_int_t)r->wall_ms,
			 "wall_time", r->wall_time, "boot_ms", (json_int_t)r->boot_ms, "boot_id",
			 str_or_null(r->boot_id), "clock_synced", r->clock_synced,
			 "corrected_ms", r->has_corrected ? json_integer(r->corrected_ms) : json_null(),
			 "acked", r->acked, "flags", r->flags, "flag_names", names,
			 "time_basis", stats_time_basis_name(r->basis),
			 "best_ms", known ? json_integer(r->best_ms) : json_null(),
			 "best_time", known ? json_string(r->best_time) : json_null());
	if (o) {
		json_object_set_new(o, "corrected_by", r->has_corrected ? json_string(corrected_by_name(r)) : json_null());
		json_object_set_new(o, "install_id", str_or_null(r->install_id));
		json_object_set_new(o, "shift", r->shift[0] ? str_or_null(r->shift) : json_null());
		json_object_set_new(o, "reason", r->reason ? str_or_null(r->reason) : json_null());
	}
	return o;
}

int ctl_export(struct ctl *c, int argc, char **argv)
{
	const char *format = NULL, *since = NULL, *until = NULL;
	int include_misuse = 0;
	const struct ctl_opt opts[] = {
		{ "format", &format, NULL },
		{ "since", &since, NULL },
		{ "until", &until, NULL },
		{ "include-misuse", NULL, &include_misuse },
		{ NULL, NULL, NULL },
	};
	int nrest, prc = ctl_args_parse(c, "export", argc, argv, opts, NULL, 0, &nrest);
	if (prc != CTL_OK)
		return prc;
	/* CSV unless asked otherwise: what a spreadsheet opens, and what head office's export gives. */
	if (!format)
		format = c->json ? "json" : "csv";
	int csv = !strcmp(format, "csv");
	if (!csv && strcmp(format, "json"))
		return ctl_usage_error(c, "export", "--format must be csv or json, not \"%s\"", format);

	char err[1024];
	if (tzday_valid(c->cfg.timezone, err, sizeof(err))) {
		ctl_error(c, "[kiosk] timezone: %s", err);
		return CTL_PROBLEM;
	}
	int64_t since_ms = 0, until_ms = 0;
	if (since && ctl_parse_time(c, since, 0, &since_ms, err, sizeof(err)))
		return ctl_usage_error(c, "export", "--since: %s", err);
	if (until && ctl_parse_time(c, until, 1, &until_ms, err, sizeof(err)))
		return ctl_usage_error(c, "export", "--until: %s", err);

	sqlite3 *db;
	if (ctl_db_open(c, &db, err, sizeof(err))) {
		ctl_error(c, "%s", err);
		return CTL_PROBLEM;
	}
	static struct shifts_history history;
	static struct shifts_finder finder;
	if (shift_schedule_history(db, &c->cfg.shifts, ctl_now_ms(), &history, err, sizeof(err))) {
		ctl_error(c, "%s", err);
		sqlite3_close(db);
		return CTL_PROBLEM;
	}
	shifts_finder_init(&finder, &history, c->cfg.timezone);
	struct shifts_finder *shifts = shifts_history_any(&history) ? &finder : NULL;
	sqlite3_stmt *st;
	char install[80] = "";
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'install_id'", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(install, sizeof(install), "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(db, export_sql, -1, &st, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, export_sql_v5, -1, &st, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, export_sql_v4, -1, &st, NULL) != SQLITE_OK) {
		ctl_error(c, "%s: cannot query ratings: %s", c->cfg.database, sqlite3_errmsg(db));
		sqlite3_close(db);
		return CTL_PROBLEM;
	}
	if (since)
		sqlite3_bind_int64(st, 1, since_ms);
	if (until)
		sqlite3_bind_int64(st, 2, until_ms);
	sqlite3_bind_int(st, 3, include_misuse);

	if (csv)
		fputs(csv_export_header(), stdout);
	else
		fputs("[", stdout);
	int rc, n = 0;
	struct row r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		decode(c, st, shifts, &r);
		r.install_id = install;
		if (csv) {
			csv_row(c, &r);
		} else {
			json_t *j = json_row(&r);
			fputs(n ? ",\n" : "\n", stdout);
			json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
			json_decref(j);
		}
		n++;
	}
	if (!csv)
		fputs(n ? "\n]\n" : "]\n", stdout);
	int failed = rc != SQLITE_DONE;
	if (failed)
		ctl_error(c, "%s: reading ratings failed after %d rows: %s", c->cfg.database, n, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_error(c, "cannot write the export to stdout");
		failed = 1;
	}
	return failed ? CTL_PROBLEM : CTL_OK;
}
