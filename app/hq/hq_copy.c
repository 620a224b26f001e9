/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_copy: a head office from one database into another (see hq_copy.h).
 *
 * Both sides through hq_db.h, so a path or a URI works on either side; the
 * point is SQLite to PostgreSQL. The source is read in one read
 * transaction (a consistent moment, also of a head office that is still
 * serving); the target is written in one write transaction that commits
 * only after the verification passed, so a failed or refused copy leaves
 * the target as it was. Rows go in as multi-row INSERTs of ROWS rows.
 * Explicit ids (ratings.rowid: the export cursor; installs.id, which the
 * ratings refer to; admin token ids) are copied as they are; on
 * PostgreSQL their identity sequences are then moved past the highest id,
 * or the next insert would collide.
 */
#include "hq_copy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hq_db.h"
#include "hq_migrate.h"

#define ROWS 500 /* rows per INSERT: 19 parameters each at most, far below both engines' limits */

/* One table of the schema: its columns, and each column's type (t text, i integer, d double, b blob). */
struct table {
	const char *name, *cols, *types;
	const char *identity; /* PostgreSQL: the identity column to move past the copied ids, or NULL */
};

static const struct table tables[] = {
	{ "kiosks", "id, store, area, tz, token_hash, created_ms, revoked_ms, acked_through, token_prefix,"
		    " token_expires_ms, last_batch_ms, last_seq, version, clock_state, batches, accepted, duplicates",
	  "ttttbiiitiiittiii", NULL },
	{ "admin_tokens", "rowid, token_hash, created_ms, revoked_ms, prefix, label, expires_ms", "ibiitti", "rowid" },
	{ "installs", "id, kiosk_id, install_id, acked_through, first_ms, last_ms", "ittiii", "id" },
	{ "ratings", "rowid, kiosk_id, seq, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced,"
		     " corrected_ms, flags, best_ms, time_known, received_ms, install, corrected_by, corrected_err_ms,"
		     " reason",
	  "itiiitiitiiiiiiiiit", "rowid" },
	{ "conflicts", "kiosk_id, install_id, seq, fields, first_ms, last_ms, times", "ttitiii", NULL },
	{ "rating_counts", "slot, kiosk_id, scale, known, v0, v1, v2, v3, v4, misuse, closed", "itiiiiiiiii", NULL },
	{ "kiosk_shifts", "kiosk_id, valid_from_ms, definition, received_ms", "titi", NULL },
	{ "stores", "name, region", "tt", NULL },
	{ "users", "name, role, pw_hash, created_ms", "ttti", NULL },
	{ "user_scopes", "username, scope", "tt", NULL },
	{ "sessions", "id_hash, username, csrf, created_ms, seen_ms", "bttii", NULL },
	{ "rating_days", "kiosk_id, day, scale, known, v0, v1, v2, v3, v4, misuse, closed", "tiiiiiiiiii", NULL },
	{ "dash_state", "name, value", "ti", NULL },
	{ "alert_rules", "id, kind, scope_kind, scope, threshold, window_min, min_ratings, send_at, webhook, secret,"
			 " mail_to, enabled, updated_ms", "itttdiittttii", NULL },
	{ "alert_episodes", "id, rule_id, subject, store, opened_ms, cleared_ms, value, ratings, detail", "iittiidit",
	  NULL },
	{ "alert_outbox", "id, rule_id, channel, target, subject, body, created_ms, attempts, next_ms, sent_ms,"
			  " gave_up_ms, last_error", "iittttiiiiit", NULL },
	{ "report_runs", "rule_id, period, sent_ms", "iti", NULL },
	{ "kiosk_hours", "kiosk_id, week", "tt", NULL },
	{ "reason_counts", "slot, kiosk_id, positive, reason, n", "ititi", NULL },
	{ "rating_hours", "day, kiosk_id, local_hour, scale, v0, v1, v2, v3, v4, misuse, closed", "itiiiiiiiii",
	  NULL },
	{ "rating_slots", "kiosk_id, slot, install, seq_lo, seq_hi", "tiiii", NULL },
	{ "rating_blocks", "kiosk_id, block, scale, known, v0, v1, v2, v3, v4, misuse, closed", "tiiiiiiiiii", NULL },
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

const char *const hq_copy_tables[] = { "kiosks", "admin_tokens", "installs", "ratings", "conflicts",
				       "rating_counts", "kiosk_shifts", "stores", "users", "user_scopes",
				       "sessions", "rating_days", "dash_state", "alert_rules", "alert_episodes",
				       "alert_outbox", "report_runs", "kiosk_hours", "reason_counts", "rating_hours",
				       "rating_slots", "rating_blocks", NULL };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void say(const struct hq_copy_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct hq_copy_options *o, const char *fmt, ...)
{
	if (!o->progress)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->progress(o->arg, line);
}

/* One integer from sql (with text parameter a when not NULL); -1 with err on failure. */
static int64_t one_int(struct hq_db *db, const char *sql, const char *a, char *err, size_t errlen)
{
	struct hq_db_stmt *st;
	if (hq_db_prepare(db, sql, &st, err, errlen) != HQ_DB_DONE)
		return -1;
	if (a)
		hq_db_bind_text(st, 1, a);
	int rc = hq_db_step(st);
	int64_t v = rc == HQ_DB_ROW ? hq_db_column_int64(st, 0) : -1;
	if (rc != HQ_DB_ROW)
		snprintf(err, errlen, "%s", hq_db_errmsg(db));
	hq_db_finalize(st);
	return v;
}

/* "INSERT INTO t (cols) VALUES (?,..),(..)": rows rows of ncols. malloc'd, or NULL. */
static char *insert_sql(const struct table *t, size_t ncols, size_t rows)
{
	size_t len = strlen(t->name) + strlen(t->cols) + 64 + rows * (ncols * 2 + 3);
	char *s = malloc(len);
	if (!s)
		return NULL;
	size_t at = (size_t)snprintf(s, len, "INSERT INTO %s (%s) VALUES ", t->name, t->cols);
	for (size_t r = 0; r < rows; r++) {
		s[at++] = r ? ',' : ' ';
		s[at++] = '(';
		for (size_t c = 0; c < ncols; c++) {
			if (c)
				s[at++] = ',';
			s[at++] = '?';
		}
		s[at++] = ')';
	}
	s[at] = '\0';
	return s;
}

/* Copies the bound value of column c of the source row into parameter p of ins. */
static void bind_from(struct hq_db_stmt *ins, int p, struct hq_db_stmt *src, int c, char type)
{
	if (hq_db_column_null(src, c)) {
		hq_db_bind_null(ins, p);
	} else if (type == 't') {
		hq_db_bind_text(ins, p, hq_db_column_text(src, c));
	} else if (type == 'd') {
		hq_db_bind_double(ins, p, hq_db_column_double(src, c));
	} else if (type == 'b') {
		size_t n = 0;
		const void *v = hq_db_column_blob(src, c, &n);
		hq_db_bind_blob(ins, p, v ? v : "", n);
	} else {
		hq_db_bind_int64(ins, p, hq_db_column_int64(src, c));
	}
}

/* Runs ins (rows rows bound) and checks they all went in. 0 or -1 with err. */
static int flush(struct hq_db *to, struct hq_db_stmt *ins, size_t rows, const char *table, char *err, size_t errlen)
{
	int rc = hq_db_step(ins);
	int64_t changed = hq_db_changes(ins);
	if (rc != HQ_DB_DONE)
		snprintf(err, errlen, "%s: %s", table, hq_db_errmsg(to));
	hq_db_reset(ins);
	if (rc != HQ_DB_DONE)
		return -1;
	if (changed != (int64_t)rows) {
		snprintf(err, errlen, "%s: %lld of %zu rows went in", table, (long long)changed, rows);
		return -1;
	}
	return 0;
}

/*
 * Copies one table, total rows (counted in the same read transaction):
 * full statements of ROWS rows, then one of the rows left. *copied rows.
 * 0 or -1 with err.
 */
static int copy_table(struct hq_db *from, struct hq_db *to, const struct table *t, int64_t total, int64_t *copied,
		      char *err, size_t errlen)
{
	size_t ncols = strlen(t->types);
	*copied = 0;
	char sel[1024];
	/* In id order: the export cursor's order is the arrival order, kept. */
	snprintf(sel, sizeof(sel), "SELECT %s FROM %s%s", t->cols, t->name,
		 t->identity ? (strcmp(t->identity, "rowid") ? " ORDER BY id" : " ORDER BY rowid") : "");
	struct hq_db_stmt *src = NULL, *full = NULL, *tail = NULL;
	int rc = -1;
	if (hq_db_prepare(from, sel, &src, err, errlen) != HQ_DB_DONE)
		goto done;
	while (*copied < total) {
		size_t rows = total - *copied >= ROWS ? ROWS : (size_t)(total - *copied);
		struct hq_db_stmt **ins = rows == ROWS ? &full : &tail;
		if (!*ins) {
			char *sql = insert_sql(t, ncols, rows);
			int prc = sql ? hq_db_prepare(to, sql, ins, err, errlen) : HQ_DB_ERROR;
			if (!sql)
				snprintf(err, errlen, "out of memory");
			free(sql);
			if (prc != HQ_DB_DONE)
				goto done;
		}
		for (size_t r = 0; r < rows; r++) {
			if (hq_db_step(src) != HQ_DB_ROW) {
				snprintf(err, errlen, "reading %s: %s", t->name, hq_db_errmsg(from));
				goto done;
			}
			for (size_t c = 0; c < ncols; c++)
				bind_from(*ins, (int)(r * ncols + c + 1), src, (int)c, t->types[c]);
		}
		if (flush(to, *ins, rows, t->name, err, errlen))
			goto done;
		*copied += (int64_t)rows;
	}
	if (hq_db_step(src) != HQ_DB_DONE) {
		snprintf(err, errlen, "reading %s: more rows than counted: %s", t->name, hq_db_errmsg(from));
		goto done;
	}
	rc = 0;
done:
	if (src)
		hq_db_finalize(src);
	if (full)
		hq_db_finalize(full);
	if (tail)
		hq_db_finalize(tail);
	return rc;
}

/* FNV-1a, 64 bits: enough to tell two copies of the same rows apart from different ones. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* A kiosk's ratings summed up: every column of every row, in (install, seq) order. 0 or -1 with err. */
static int kiosk_sum(struct hq_db *db, const char *kiosk, int64_t *n, uint64_t *sum, char *err, size_t errlen)
{
	static const char sql[] = "SELECT rowid, install, seq, value, scale, source, wall_ms, boot_ms, boot_id,"
				  " clock_synced, corrected_ms, flags, best_ms, time_known, received_ms, corrected_by,"
				  " corrected_err_ms, reason FROM ratings WHERE kiosk_id = ? ORDER BY install, seq";
	static const char types[] = "iiiiitiitiiiiiiiit";
	struct hq_db_stmt *st;
	if (hq_db_prepare(db, sql, &st, err, errlen) != HQ_DB_DONE)
		return -1;
	hq_db_bind_text(st, 1, kiosk);
	uint64_t h = 14695981039346656037ull;
	*n = 0;
	int rc;
	while ((rc = hq_db_step(st)) == HQ_DB_ROW) {
		for (int c = 0; types[c]; c++) {
			if (hq_db_column_null(st, c)) {
				h = fnv(h, "N", 1);
			} else if (types[c] == 't') {
				const char *s = hq_db_column_text(st, c);
				h = fnv(h, s ? s : "", s ? strlen(s) + 1 : 1);
			} else {
				int64_t v = hq_db_column_int64(st, c);
				h = fnv(h, &v, sizeof(v));
			}
		}
		(*n)++;
	}
	if (rc != HQ_DB_DONE)
		snprintf(err, errlen, "checking kiosk %s: %s", kiosk, hq_db_errmsg(db));
	hq_db_finalize(st);
	*sum = h;
	return rc == HQ_DB_DONE ? 0 : -1;
}

/* Every kiosk's ratings the same on both sides. 0, or -1 with err. */
static int verify_kiosks(const struct hq_copy_options *o, struct hq_db *from, struct hq_db *to, char *err,
			 size_t errlen)
{
	struct hq_db_stmt *st;
	if (hq_db_prepare(from, "SELECT id FROM kiosks ORDER BY id", &st, err, errlen) != HQ_DB_DONE)
		return -1;
	int rc, bad = 0;
	while (!bad && (rc = hq_db_step(st)) == HQ_DB_ROW) {
		char id[256];
		snprintf(id, sizeof(id), "%s", hq_db_column_text(st, 0) ? hq_db_column_text(st, 0) : "");
		int64_t n1, n2;
		uint64_t s1, s2;
		if (kiosk_sum(from, id, &n1, &s1, err, errlen) || kiosk_sum(to, id, &n2, &s2, err, errlen)) {
			bad = 1;
			break;
		}
		if (n1 != n2 || s1 != s2) {
			snprintf(err, errlen, "kiosk %s: %lld ratings, checksum %016llx in the source but %lld, %016llx"
				 " in the target", id, (long long)n1, (unsigned long long)s1, (long long)n2,
				 (unsigned long long)s2);
			bad = 1;
			break;
		}
		char sum[24];
		snprintf(sum, sizeof(sum), "%016llx", (unsigned long long)s1);
		say(o, "kiosk %s: %lld ratings, checksum %s on both", id, (long long)n1, sum);
	}
	if (!bad && rc != HQ_DB_DONE) {
		snprintf(err, errlen, "listing kiosks: %s", hq_db_errmsg(from));
		bad = 1;
	}
	hq_db_finalize(st);
	return bad ? -1 : 0;
}

int hq_copy(const struct hq_copy_options *o, char *err, size_t errlen)
{
	struct hq_db *from = NULL, *to = NULL;
	char what_from[256], what_to[256], why[512];
	hq_db_describe(o->from, what_from, sizeof(what_from));
	hq_db_describe(o->to, what_to, sizeof(what_to));
	int rc = -1, in_write = 0, in_read = 0;
	for (size_t i = 0; i < N_TABLES; i++) {
		/* The column lists above must match their types (a slip here would shift every value). */
		size_t commas = 0;
		for (const char *c = tables[i].cols; *c; c++)
			commas += *c == ',';
		if (commas + 1 != strlen(tables[i].types)) {
			snprintf(err, errlen, "copy: table %s: %zu columns but %zu types", tables[i].name, commas + 1,
				 strlen(tables[i].types));
			return -1;
		}
	}
	if (!strcmp(o->from, o->to)) {
		snprintf(err, errlen, "copy: %s is both the source and the target", what_from);
		return -1;
	}
	struct stat sb;
	if (hq_db_engine_of(o->from) == HQ_DB_SQLITE && stat(o->from, &sb) != 0) {
		/* Opening would create an empty file and then complain about its schema. */
		snprintf(err, errlen, "copy: %s: %s", what_from, strerror(errno));
		return -1;
	}
	if (hq_db_open(&from, o->from, why, sizeof(why))) {
		snprintf(err, errlen, "copy: cannot open the source: %s", why);
		goto done;
	}
	int version = hq_migrate_version(from, why, sizeof(why));
	if (version < 0) {
		snprintf(err, errlen, "copy: %s: %s", what_from, why);
		goto done;
	}
	if (version != hq_migrate_latest()) {
		snprintf(err, errlen, "copy: %s has schema version %d, this tally-hq copies version %d: %s", what_from,
			 version, hq_migrate_latest(),
			 version < hq_migrate_latest() ? "run `tally-hq --db SOURCE migrate` first" : "use a newer tally-hq");
		goto done;
	}
	if (hq_db_open(&to, o->to, why, sizeof(why)) || hq_migrate(to, what_to, why, sizeof(why))) {
		snprintf(err, errlen, "copy: cannot open the target: %s", why);
		goto done;
	}
	if (hq_db_begin(from, 0, why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "copy: %s: %s", what_from, why);
		goto done;
	}
	in_read = 1;
	if (hq_db_begin(to, 1, why, sizeof(why)) != HQ_DB_DONE) {
		snprintf(err, errlen, "copy: %s: %s", what_to, why);
		goto done;
	}
	in_write = 1;
	int64_t held = one_int(to, "SELECT count(*) FROM ratings", NULL, why, sizeof(why));
	if (held < 0) {
		snprintf(err, errlen, "copy: %s: %s", what_to, why);
		goto done;
	}
	if (held > 0 && !o->replace) {
		snprintf(err, errlen, "copy: %s already holds %lld ratings; --replace empties it first", what_to,
			 (long long)held);
		rc = 1;
		goto done;
	}
	/* Emptied in the reverse order of the copy (sessions and scopes refer to users), inside the transaction. */
	for (size_t i = N_TABLES; i-- > 0;) {
		char sql[128];
		snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[i].name);
		if (hq_db_exec(to, sql, why, sizeof(why)) != HQ_DB_DONE) {
			snprintf(err, errlen, "copy: emptying %s: %s", tables[i].name, why);
			goto done;
		}
	}
	for (size_t i = 0; i < N_TABLES; i++) {
		const struct table *t = &tables[i];
		double t0 = now_s();
		int64_t copied = 0, there;
		char sql[160];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", t->name);
		int64_t source = one_int(from, sql, NULL, why, sizeof(why));
		if (source < 0) {
			snprintf(err, errlen, "copy: counting %s: %s", t->name, why);
			goto done;
		}
		if (copy_table(from, to, t, source, &copied, why, sizeof(why))) {
			snprintf(err, errlen, "copy: %s", why);
			goto done;
		}
		there = one_int(to, sql, NULL, why, sizeof(why));
		if (there < 0) {
			snprintf(err, errlen, "copy: counting %s: %s", t->name, why);
			goto done;
		}
		if (source != copied || there != copied) {
			snprintf(err, errlen, "copy: %s: %lld rows in the source, %lld copied, %lld in the target", t->name,
				 (long long)source, (long long)copied, (long long)there);
			goto done;
		}
		if (t->identity && hq_db_engine(to) == HQ_DB_PG) {
			/* PostgreSQL's identity sequence knows nothing of the ids copied in: move it past them. */
			snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence('%s', '%s'),"
				 " (SELECT coalesce(max(%s), 0) + 1 FROM %s), false)", t->name, t->identity, t->identity,
				 t->name);
			if (one_int(to, sql, NULL, why, sizeof(why)) < 0) {
				snprintf(err, errlen, "copy: %s: cannot move its ids on: %s", t->name, why);
				goto done;
			}
		}
		say(o, "%s: %lld rows, the same count on both (%.1f s)", t->name, (long long)copied, now_s() - t0);
	}
	if (verify_kiosks(o, from, to, why, sizeof(why))) {
		snprintf(err, errlen, "copy: %s; nothing was kept", why);
		goto done;
	}
	if (hq_db_commit(to, why, sizeof(why)) != HQ_DB_DONE) {
		in_write = 0;
		snprintf(err, errlen, "copy: %s: cannot commit: %s", what_to, why);
		goto done;
	}
	in_write = 0;
	rc = 0;
done:
	if (in_write)
		hq_db_rollback(to);
	if (in_read)
		hq_db_rollback(from);
	if (to)
		hq_db_close(to);
	if (from)
		hq_db_close(from);
	return rc;
}

static void print_line(void *arg, const char *line)
{
	(void)arg;
	printf("%s\n", line);
	fflush(stdout);
}

int hq_copy_main(int argc, char **argv)
{
	struct hq_copy_options o = { .progress = print_line };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--from") && i + 1 < argc)
			o.from = argv[++i];
		else if (!strcmp(argv[i], "--to") && i + 1 < argc)
			o.to = argv[++i];
		else if (!strcmp(argv[i], "--replace"))
			o.replace = 1;
		else
			o.from = o.to = NULL, i = argc;
	}
	if (!o.from || !o.to) {
		fprintf(stderr, "usage: tally-hq copy --from SQLITE_PATH --to URI [--replace]\n");
		return 2;
	}
	char err[1024];
	double t0 = now_s();
	int rc = hq_copy(&o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	char what_from[256], what_to[256];
	hq_db_describe(o.from, what_from, sizeof(what_from));
	hq_db_describe(o.to, what_to, sizeof(what_to));
	printf("copied %s to %s in %.1f s: every table counted and every kiosk's ratings checked\n", what_from, what_to,
	       now_s() - t0);
	return 0;
}
