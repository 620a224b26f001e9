/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_db_pg: the PostgreSQL engine behind hq_db.h (a postgresql:// or
 * postgres:// URI as the database setting), through libpq.
 *
 * How it maps the seam:
 * - SQL is written as SQLite writes it: "?" and "?N" become $N here, outside
 *   quotes and comments, once per statement.
 * - Every statement is prepared on the server when hq_db_prepare is called
 *   (PQprepare), so bad SQL fails there, as on SQLite, and then only
 *   executed (PQexecPrepared). A cached statement (hq_db_cached) stays
 *   prepared for the connection's life; a one-off one is deallocated after
 *   it is finalised, 32 at a time in one round trip.
 * - A statement's whole result is fetched when it first steps, so a caller
 *   may run other statements while it walks the rows (SQLite allows it).
 * - Parameters go as text (blobs as binary); results come back as text.
 * - SQLSTATE decides the code: class 23 is a constraint, 40001/40P01/55P03
 *   busy (retry the transaction), a lost connection gone.
 * - A lost connection is opened again by the next call, but never inside a
 *   transaction: until the caller rolls back, every call answers gone, so
 *   the rest of a batch can never land in autocommit, half-stored.
 * - Errors are one line naming the database and server, never a password
 *   (libpq's messages do not carry one; the URI is never printed whole).
 */
#include "hq_db_impl.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_db {
	struct hq_db base;
	PGconn *conn;
	char *uri;
	char what[256];         /* the database, for messages */
	char errmsg[1024];      /* the last error, one line */
	unsigned generation;    /* bumped by each new connection: prepared statements are gone */
	unsigned next_name;
	int in_tx;
	int lost_in_tx;         /* the connection died inside a transaction: gone until rollback */
	char dealloc[32 * 24];  /* "DEALLOCATE hqN;" of finalised one-off statements, sent together */
	char seq_for[128];      /* "table.column" whose sequence seq names (hq_db_horizon) */
	char seq[192];
	int ndealloc;
};

struct pg_param {
	char *text;             /* owned; NULL binds NULL */
	int len, binary;
};

struct pg_stmt {
	struct hq_db_stmt base;
	char *sql;              /* with $N */
	int nparams;
	struct pg_param *params;
	Oid *types;             /* 0: the server infers it; text where it cannot (see server_prepare) */
	char name[24];
	unsigned prepared_gen;  /* the connection it is prepared on (0: none) */
	PGresult *res;
	int row, nrows, ran;
	int64_t changes;
	unsigned char *blob;    /* the last bytea column decoded */
	size_t bloblen;
};

static const struct hq_db_ops pg_ops;

static struct pg_db *pg(struct hq_db *db) { return (struct pg_db *)db; }
static struct pg_stmt *ps(struct hq_db_stmt *st) { return (struct pg_stmt *)st; }

/* Copies msg into out on one line (libpq's messages end in newlines and may hold several). */
static void one_line(char *out, size_t len, const char *msg)
{
	size_t j = 0;
	int space = 0;
	for (const char *c = msg ? msg : ""; *c && j + 1 < len; c++) {
		if (*c == '\n' || *c == '\r' || *c == '\t') {
			space = j > 0;
			continue;
		}
		if (space && j + 2 < len)
			out[j++] = ' ';
		space = 0;
		out[j++] = *c;
	}
	while (j > 0 && out[j - 1] == ' ')
		j--;
	if (len)
		out[j] = '\0';
}

void hq_db_pg_describe(const char *uri, char *out, size_t len)
{
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(uri, &why);
	if (!opts) {
		PQfreemem(why);
		snprintf(out, len, "PostgreSQL (a setting libpq cannot parse)");
		return;
	}
	const char *db = NULL, *host = NULL, *port = NULL, *user = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "dbname"))
			db = o->val;
		else if (!strcmp(o->keyword, "host") || (!host && !strcmp(o->keyword, "hostaddr")))
			host = o->val;
		else if (!strcmp(o->keyword, "port"))
			port = o->val;
		else if (!strcmp(o->keyword, "user"))
			user = o->val;
	}
	snprintf(out, len, "PostgreSQL database %s on %s%s%s%s%s", db ? db : user ? user : "(default)",
		 host ? host : "the default socket", port ? " port " : "", port ? port : "", user ? " as " : "",
		 user ? user : "");
	PQconninfoFree(opts);
}

/* Notices ("table exists, skipping") are not errors and do not belong on stderr. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int connect_now(struct pg_db *d, char *err, size_t errlen)
{
	if (d->conn)
		PQfinish(d->conn);
	/*
	 * connect_timeout: an unreachable server (a dropped packet, not a
	 * refusal) fails within seconds instead of hanging a request. The URI
	 * comes last, so its own connect_timeout wins.
	 */
	const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { "5", "tally-hq", d->uri, NULL };
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		char why[400];
		one_line(why, sizeof(why), d->conn ? PQerrorMessage(d->conn) : "out of memory");
		snprintf(d->errmsg, sizeof(d->errmsg), "%s: cannot connect: %s", d->what, why);
		if (errlen)
			snprintf(err, errlen, "%s", d->errmsg);
		return -1;
	}
	PQsetNoticeProcessor(d->conn, quiet, NULL);
	d->generation++;
	d->in_tx = d->lost_in_tx = 0;
	return 0;
}

int hq_db_pg_open(struct hq_db **out, const char *uri, char *err, size_t errlen)
{
	*out = NULL;
	struct pg_db *d = calloc(1, sizeof(*d));
	if (!d || !(d->uri = strdup(uri))) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->base.ops = &pg_ops;
	hq_db_pg_describe(uri, d->what, sizeof(d->what));
	if (connect_now(d, err, errlen)) {
		PQfinish(d->conn);
		free(d->uri);
		free(d);
		return -1;
	}
	*out = &d->base;
	return 0;
}

/*
 * Before each call: a connection that died outside a transaction is opened
 * again; inside one, the call fails until the caller rolls back.
 */
static int usable(struct pg_db *d)
{
	if (PQstatus(d->conn) == CONNECTION_OK)
		return 0;
	if (d->in_tx) {
		d->lost_in_tx = 1;
		snprintf(d->errmsg, sizeof(d->errmsg), "%s: the connection was lost inside a transaction", d->what);
		return HQ_DB_GONE;
	}
	return connect_now(d, NULL, 0) ? HQ_DB_GONE : 0;
}

/* hq_db's code for a failed result (or none), with errmsg filled. */
static int failed(struct pg_db *d, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char why[400];
	one_line(why, sizeof(why), msg ? msg : PQerrorMessage(d->conn));
	snprintf(d->errmsg, sizeof(d->errmsg), "%s%s%s", what ? what : "", what ? ": " : "", why);
	if (PQstatus(d->conn) != CONNECTION_OK || (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P0", 4)))) {
		snprintf(d->errmsg, sizeof(d->errmsg), "%s: connection lost: %s", d->what, why);
		if (d->in_tx)
			d->lost_in_tx = 1;
		return HQ_DB_GONE;
	}
	if (state && !strncmp(state, "23", 2))
		return HQ_DB_CONSTRAINT;
	if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")))
		return HQ_DB_BUSY;
	if (state && !strcmp(state, "25006"))
		snprintf(d->errmsg, sizeof(d->errmsg), "%s is read-only (a standby, or default_transaction_read_only):"
			 " %s", d->what, why);
	return HQ_DB_ERROR;
}

static int fill(struct pg_db *d, int rc, char *err, size_t errlen)
{
	if (rc != HQ_DB_DONE && errlen)
		snprintf(err, errlen, "%s", d->errmsg);
	return rc;
}

/* Runs sql without parameters; HQ_DB_DONE or the code. *tag gets the command's tag when asked. */
static int simple(struct pg_db *d, const char *sql, char *tag, size_t taglen)
{
	int rc = usable(d);
	if (rc)
		return rc;
	PGresult *res = PQexec(d->conn, sql);
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY) {
		if (tag)
			snprintf(tag, taglen, "%s", PQcmdStatus(res));
		rc = HQ_DB_DONE;
	} else {
		rc = failed(d, res, NULL);
	}
	PQclear(res);
	return rc;
}

static void pg_close(struct hq_db *db)
{
	struct pg_db *d = pg(db);
	hq_db_cache_clear(db);
	PQfinish(d->conn);
	free(d->uri);
	free(d);
}

static const char *pg_errmsg(struct hq_db *db) { return pg(db)->errmsg; }

static int pg_exec(struct hq_db *db, const char *sql, char *err, size_t errlen)
{
	return fill(pg(db), simple(pg(db), sql, NULL, 0), err, errlen);
}

static int pg_begin(struct hq_db *db, int write, char *err, size_t errlen)
{
	(void)write; /* row locks and the kiosk's advisory lock do what SQLite's IMMEDIATE does */
	struct pg_db *d = pg(db);
	int rc = simple(d, "BEGIN", NULL, 0);
	if (rc == HQ_DB_DONE)
		d->in_tx = 1;
	return fill(d, rc, err, errlen);
}

static int pg_commit(struct hq_db *db, char *err, size_t errlen)
{
	struct pg_db *d = pg(db);
	if (d->lost_in_tx)
		return fill(d, HQ_DB_GONE, err, errlen);
	char tag[32] = "";
	int rc = simple(d, "COMMIT", tag, sizeof(tag));
	/* COMMIT of a transaction a failed statement aborted answers ROLLBACK, not an error. */
	if (rc == HQ_DB_DONE && strcmp(tag, "COMMIT") != 0) {
		snprintf(d->errmsg, sizeof(d->errmsg), "%s: the transaction was rolled back", d->what);
		rc = HQ_DB_ERROR;
	}
	if (rc != HQ_DB_GONE)
		d->in_tx = 0;
	return fill(d, rc, err, errlen);
}

static int pg_rollback(struct hq_db *db)
{
	struct pg_db *d = pg(db);
	int rc = HQ_DB_DONE;
	if (d->in_tx && !d->lost_in_tx && PQstatus(d->conn) == CONNECTION_OK) {
		PGresult *res = PQexec(d->conn, "ROLLBACK");
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = failed(d, res, NULL);
		PQclear(res);
	}
	/* Whatever happened, the server holds nothing of it: a lost connection took the transaction with it. */
	d->in_tx = d->lost_in_tx = 0;
	return rc;
}

/*
 * "?" and "?N" as $N, outside string literals, quoted names and comments.
 * A bare "?" is one more than the highest number so far, as in SQLite.
 */
static char *rewrite(const char *sql, int *nparams)
{
	size_t n = strlen(sql);
	char *out = malloc(n * 6 + 1); /* "?" may become "$99999" */
	if (!out)
		return NULL;
	size_t j = 0;
	int max = 0;
	for (size_t i = 0; i < n;) {
		char c = sql[i];
		if (c == '\'' || c == '"') {
			size_t k = i + 1;
			while (k < n) {
				if (sql[k] == c && k + 1 < n && sql[k + 1] == c)
					k += 2; /* a doubled quote stays inside */
				else if (sql[k] == c)
					break;
				else
					k++;
			}
			k = k < n ? k + 1 : n;
			memcpy(out + j, sql + i, k - i);
			j += k - i;
			i = k;
		} else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
			while (i < n && sql[i] != '\n')
				out[j++] = sql[i++];
		} else if (c == '?') {
			i++;
			int num = 0;
			if (i < n && sql[i] >= '0' && sql[i] <= '9') {
				while (i < n && sql[i] >= '0' && sql[i] <= '9' && num < 100000)
					num = num * 10 + (sql[i++] - '0');
			} else {
				num = max + 1;
			}
			if (num > max)
				max = num;
			j += (size_t)sprintf(out + j, "$%d", num);
		} else {
			out[j++] = sql[i++];
		}
	}
	out[j] = '\0';
	*nparams = max;
	return out;
}

/* Sends the deallocations queued by pg_finalize, when there are enough and the connection can take them. */
static void flush_dealloc(struct pg_db *d)
{
	if (d->ndealloc < 32 || PQstatus(d->conn) != CONNECTION_OK || PQtransactionStatus(d->conn) == PQTRANS_INERROR)
		return;
	PQclear(PQexec(d->conn, d->dealloc)); /* a failure leaves statements prepared: harmless, freed with the connection */
	d->dealloc[0] = '\0';
	d->ndealloc = 0;
}

/* Prepares s on the server's current connection. HQ_DB_DONE or the code. */
static int server_prepare(struct pg_stmt *s)
{
	struct pg_db *d = pg(s->base.db);
	int rc = d->lost_in_tx ? HQ_DB_GONE : usable(d);
	if (rc)
		return rc;
	flush_dealloc(d);
	PGresult *res = PQprepare(d->conn, s->name, s->sql, s->nparams, s->types);
	/*
	 * "?1 IS NULL OR store = ?1": PostgreSQL types a parameter from its
	 * first use, and IS NULL says nothing. Such a parameter is text (the
	 * optional filters are names), declared one at a time as the server
	 * names them; once per statement and connection.
	 */
	for (int tries = 0; tries < s->nparams && res && PQresultStatus(res) != PGRES_COMMAND_OK; tries++) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		const char *at = msg ? strstr(msg, "parameter $") : NULL;
		int i = at ? atoi(at + 11) : 0;
		if (!state || (strcmp(state, "42P18") && strcmp(state, "42P08")) || i < 1 || i > s->nparams || s->types[i - 1])
			break;
		s->types[i - 1] = 25; /* TEXTOID */
		PQclear(res);
		res = PQprepare(d->conn, s->name, s->sql, s->nparams, s->types);
	}
	if (res && PQresultStatus(res) == PGRES_COMMAND_OK) {
		s->prepared_gen = d->generation;
		rc = HQ_DB_DONE;
	} else {
		rc = failed(d, res, NULL);
	}
	PQclear(res);
	return rc;
}

static int pg_prepare(struct hq_db *db, const char *sql, struct hq_db_stmt **out, char *err, size_t errlen)
{
	struct pg_db *d = pg(db);
	struct pg_stmt *s = calloc(1, sizeof(*s));
	if (s)
		s->sql = rewrite(sql, &s->nparams);
	if (s && s->sql && s->nparams) {
		s->params = calloc((size_t)s->nparams, sizeof(*s->params));
		s->types = calloc((size_t)s->nparams, sizeof(*s->types));
	}
	if (!s || !s->sql || (s->nparams && (!s->params || !s->types))) {
		if (s) {
			free(s->params);
			free(s->types);
			free(s->sql);
			free(s);
		}
		snprintf(d->errmsg, sizeof(d->errmsg), "out of memory");
		return fill(d, HQ_DB_ERROR, err, errlen);
	}
	s->base.ops = &pg_ops;
	s->base.db = db;
	snprintf(s->name, sizeof(s->name), "hq%u", ++d->next_name);
	int rc = server_prepare(s);
	if (rc != HQ_DB_DONE) {
		free(s->params);
		free(s->types);
		free(s->sql);
		free(s);
		return fill(d, rc, err, errlen);
	}
	*out = &s->base;
	return HQ_DB_DONE;
}

static struct pg_param *param(struct hq_db_stmt *st, int i)
{
	struct pg_stmt *s = ps(st);
	if (i < 1 || i > s->nparams)
		return NULL;
	struct pg_param *p = &s->params[i - 1];
	free(p->text);
	memset(p, 0, sizeof(*p));
	return p;
}

static void pg_bind_int64(struct hq_db_stmt *st, int i, int64_t v)
{
	struct pg_param *p = param(st, i);
	char buf[24];
	if (p && (p->text = strdup((snprintf(buf, sizeof(buf), "%lld", (long long)v), buf))))
		p->len = (int)strlen(p->text);
}

static void pg_bind_double(struct hq_db_stmt *st, int i, double v)
{
	struct pg_param *p = param(st, i);
	char buf[40];
	if (p && (p->text = strdup((snprintf(buf, sizeof(buf), "%.17g", v), buf))))
		p->len = (int)strlen(p->text);
}

static void pg_bind_text(struct hq_db_stmt *st, int i, const char *v)
{
	struct pg_param *p = param(st, i);
	if (p && v && (p->text = strdup(v)))
		p->len = (int)strlen(v);
}

static void pg_bind_blob(struct hq_db_stmt *st, int i, const void *v, size_t n)
{
	struct pg_param *p = param(st, i);
	/* Binary, so bytea takes the bytes as they are (one extra byte: malloc(0) may be NULL). */
	if (p && (p->text = malloc(n + 1))) {
		memcpy(p->text, v, n);
		p->len = (int)n;
		p->binary = 1;
	}
}

static void pg_bind_null(struct hq_db_stmt *st, int i) { (void)param(st, i); }

static int run(struct pg_stmt *s)
{
	struct pg_db *d = pg(s->base.db);
	int rc = d->lost_in_tx ? HQ_DB_GONE : usable(d);
	if (rc)
		return rc;
	const char **values = NULL;
	int *lengths = NULL, *formats = NULL;
	if (s->nparams) {
		values = calloc((size_t)s->nparams, sizeof(*values));
		lengths = calloc((size_t)s->nparams, sizeof(*lengths));
		formats = calloc((size_t)s->nparams, sizeof(*formats));
		if (!values || !lengths || !formats) {
			free(values);
			free(lengths);
			free(formats);
			snprintf(d->errmsg, sizeof(d->errmsg), "out of memory");
			return HQ_DB_ERROR;
		}
		for (int i = 0; i < s->nparams; i++) {
			values[i] = s->params[i].text;
			lengths[i] = s->params[i].len;
			formats[i] = s->params[i].binary;
		}
	}
	PGresult *res = NULL;
	/* A new connection since it was prepared (the old one was lost): prepared again. */
	if (s->prepared_gen != d->generation)
		rc = server_prepare(s);
	if (rc == HQ_DB_DONE)
		res = PQexecPrepared(d->conn, s->name, s->nparams, values, lengths, formats, 0);
	free(values);
	free(lengths);
	free(formats);
	if (rc)
		return rc;
	ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		rc = failed(d, res, NULL);
		PQclear(res);
		return rc;
	}
	s->res = res;
	s->row = -1;
	s->nrows = status == PGRES_TUPLES_OK ? PQntuples(res) : 0;
	const char *n = PQcmdTuples(res);
	s->changes = n && *n ? strtoll(n, NULL, 10) : 0;
	return HQ_DB_DONE;
}

static int pg_step(struct hq_db_stmt *st)
{
	struct pg_stmt *s = ps(st);
	if (!s->ran) {
		s->ran = 1;
		int rc = run(s);
		if (rc != HQ_DB_DONE) {
			s->nrows = 0;
			return rc;
		}
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return HQ_DB_ROW;
	}
	s->row = s->nrows;
	return HQ_DB_DONE;
}

static const char *value(struct hq_db_stmt *st, int i)
{
	struct pg_stmt *s = ps(st);
	if (!s->res || s->row < 0 || s->row >= s->nrows || i < 0 || i >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

static int pg_column_null(struct hq_db_stmt *st, int i) { return value(st, i) == NULL; }

static int64_t pg_column_int64(struct hq_db_stmt *st, int i)
{
	const char *v = value(st, i);
	if (!v)
		return 0;
	if (v[0] == 't' && !v[1])
		return 1; /* a boolean */
	return strtoll(v, NULL, 10);
}

static double pg_column_double(struct hq_db_stmt *st, int i)
{
	const char *v = value(st, i);
	return v ? strtod(v, NULL) : 0;
}

static const char *pg_column_text(struct hq_db_stmt *st, int i) { return value(st, i); }

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* bytea comes as text in its hex form, "\x0a1b...": decoded into the statement's buffer. */
static const void *pg_column_blob(struct hq_db_stmt *st, int i, size_t *n)
{
	struct pg_stmt *s = ps(st);
	const char *v = value(st, i);
	*n = 0;
	if (!v)
		return NULL;
	size_t len = strlen(v);
	if (len < 2 || v[0] != '\\' || v[1] != 'x') {
		*n = len; /* not bytea: the text's bytes */
		return v;
	}
	free(s->blob);
	s->blob = malloc(len / 2 + 1);
	if (!s->blob)
		return NULL;
	size_t k = 0;
	for (size_t j = 2; j + 1 < len; j += 2) {
		int hi = hexval(v[j]), lo = hexval(v[j + 1]);
		if (hi < 0 || lo < 0)
			return NULL;
		s->blob[k++] = (unsigned char)(hi << 4 | lo);
	}
	*n = k;
	return s->blob;
}

static int64_t pg_changes(struct hq_db_stmt *st) { return ps(st)->changes; }

static void pg_reset(struct hq_db_stmt *st)
{
	struct pg_stmt *s = ps(st);
	PQclear(s->res);
	s->res = NULL;
	s->ran = 0;
	s->row = -1;
	s->nrows = 0;
	s->changes = 0;
	for (int i = 0; i < s->nparams; i++) {
		free(s->params[i].text);
		memset(&s->params[i], 0, sizeof(s->params[i]));
	}
	free(s->blob);
	s->blob = NULL;
}

static void pg_finalize(struct hq_db_stmt *st)
{
	struct pg_stmt *s = ps(st);
	struct pg_db *d = pg(st->db);
	pg_reset(st);
	/* A cached statement lives as long as its connection; closing, nothing is sent. */
	if (!st->kept && s->prepared_gen == d->generation && d->ndealloc < 32) {
		size_t at = strlen(d->dealloc);
		snprintf(d->dealloc + at, sizeof(d->dealloc) - at, "DEALLOCATE %s;", s->name);
		d->ndealloc++;
	}
	free(s->params);
	free(s->types);
	free(s->sql);
	free(s);
}

static int pg_lock_key(struct hq_db *db, int64_t key, char *err, size_t errlen)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld)", (long long)key);
	return pg_exec(db, sql, err, errlen);
}

/*
 * Several locks in one round trip: a string of statements runs in its
 * order, so the locks are taken in the ascending order of keys (the
 * caller's promise that two groups never wait on each other in a circle).
 */
static int pg_lock_keys(struct hq_db *db, const int64_t *keys, size_t n, char *err, size_t errlen)
{
	static const char one[] = "SELECT pg_advisory_xact_lock(-9223372036854775808);";
	size_t len = n * sizeof(one) + 1;
	char *sql = malloc(len);
	if (!sql) {
		snprintf(pg(db)->errmsg, sizeof(pg(db)->errmsg), "out of memory");
		return fill(pg(db), HQ_DB_ERROR, err, errlen);
	}
	size_t at = 0;
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(sql + at, len - at, "SELECT pg_advisory_xact_lock(%lld);", (long long)keys[i]);
	int rc = pg_exec(db, sql, err, errlen);
	free(sql);
	return rc;
}

/*
 * COPY FROM STDIN: the data in one piece, then the end; the result says
 * how it went (a constraint, a lost connection) as any statement's does.
 */
static int pg_copy_in(struct hq_db *db, const char *sql, const char *data, size_t len, int64_t *rows, char *err,
		      size_t errlen)
{
	struct pg_db *d = pg(db);
	int rc = d->lost_in_tx ? HQ_DB_GONE : usable(d);
	if (rc)
		return fill(d, rc, err, errlen);
	PGresult *res = PQexec(d->conn, sql);
	if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
		rc = failed(d, res, NULL);
		PQclear(res);
		return fill(d, rc == HQ_DB_DONE ? HQ_DB_ERROR : rc, err, errlen);
	}
	PQclear(res);
	int sent = 1;
	/* PQputCopyData takes an int's worth at most: larger data goes in pieces. */
	for (size_t at = 0; sent && at < len;) {
		size_t n = len - at < (1u << 30) ? len - at : (1u << 30);
		sent = PQputCopyData(d->conn, data + at, (int)n) == 1;
		at += n;
	}
	sent = PQputCopyEnd(d->conn, sent ? NULL : "tally-hq could not send the rows") == 1 && sent;
	rc = HQ_DB_DONE;
	while ((res = PQgetResult(d->conn))) {
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			const char *n = PQcmdTuples(res);
			*rows = n && *n ? strtoll(n, NULL, 10) : 0;
		} else if (rc == HQ_DB_DONE) {
			rc = failed(d, res, NULL);
		}
		PQclear(res);
	}
	if (rc == HQ_DB_DONE && !sent)
		rc = failed(d, NULL, "COPY");
	return fill(d, rc, err, errlen);
}

/* The sequence behind table.column, as pg_get_serial_sequence names it (looked up once). 0, or -1. */
static int sequence_of(struct pg_db *d, const char *table, const char *column)
{
	char key[sizeof(d->seq_for)];
	snprintf(key, sizeof(key), "%s.%s", table, column);
	if (!strcmp(key, d->seq_for))
		return 0;
	int rc = usable(d);
	if (rc)
		return -1;
	const char *vals[] = { table, column };
	PGresult *res = PQexecParams(d->conn, "SELECT pg_get_serial_sequence($1, $2)", 2, NULL, vals, NULL, NULL, 0);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQgetisnull(res, 0, 0) ||
	    strlen(PQgetvalue(res, 0, 0)) >= sizeof(d->seq)) {
		if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
			snprintf(d->errmsg, sizeof(d->errmsg), "%s: %s has no sequence", d->what, key);
		else
			failed(d, res, NULL);
		PQclear(res);
		return -1;
	}
	snprintf(d->seq, sizeof(d->seq), "%s", PQgetvalue(res, 0, 0));
	snprintf(d->seq_for, sizeof(d->seq_for), "%s", key);
	PQclear(res);
	return 0;
}

/*
 * The mark: a shared advisory lock, until the transaction ends, whose key
 * is -1 - (the last value the sequence handed out). Every value this
 * transaction takes from the sequence afterwards is above that, and
 * pg_locks shows the mark to every session. Shared: marks never wait.
 */
static int pg_hold_horizon(struct hq_db *db, const char *table, const char *column, char *err, size_t errlen)
{
	struct pg_db *d = pg(db);
	if (d->lost_in_tx)
		return fill(d, HQ_DB_GONE, err, errlen);
	if (sequence_of(d, table, column))
		return fill(d, PQstatus(d->conn) == CONNECTION_OK ? HQ_DB_ERROR : HQ_DB_GONE, err, errlen);
	char sql[400];
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock_shared(-1 - CASE WHEN is_called THEN last_value"
		 " ELSE last_value - 1 END) FROM %s", d->seq);
	return pg_exec(db, sql, err, errlen);
}

/*
 * The sequence's last value first, then the marks: a transaction whose
 * mark is not there yet takes its values after that read, so above it.
 * safe: below every mark (a running transaction's values are above its
 * mark), or the last value when there is none.
 */
static int pg_horizon(struct hq_db *db, const char *table, const char *column, int64_t *safe, int64_t *last,
		      char *err, size_t errlen)
{
	struct pg_db *d = pg(db);
	if (sequence_of(d, table, column))
		return fill(d, PQstatus(d->conn) == CONNECTION_OK ? HQ_DB_ERROR : HQ_DB_GONE, err, errlen);
	char sql[400];
	snprintf(sql, sizeof(sql), "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s", d->seq);
	const char *marks = "SELECT min(-1 - ((classid::bigint << 32) | objid::bigint)) FROM pg_locks"
			    " WHERE locktype = 'advisory' AND objsubid = 1 AND classid >= 2147483648"
			    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
	int64_t v[2] = { 0, INT64_MAX };
	for (int i = 0; i < 2; i++) {
		int rc = usable(d);
		if (rc)
			return fill(d, rc, err, errlen);
		PGresult *res = PQexec(d->conn, i == 0 ? sql : marks);
		if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
			rc = failed(d, res, NULL);
			PQclear(res);
			return fill(d, rc, err, errlen);
		}
		if (!PQgetisnull(res, 0, 0))
			v[i] = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	*last = v[0];
	*safe = v[1] < v[0] ? v[1] : v[0];
	return HQ_DB_DONE;
}

static int pg_ping(struct hq_db *db, char *err, size_t errlen)
{
	return pg_exec(db, "SELECT 1", err, errlen);
}

static const struct hq_db_ops pg_ops = {
	.engine = HQ_DB_PG,
	.close = pg_close,
	.errmsg = pg_errmsg,
	.exec = pg_exec,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.prepare = pg_prepare,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_null = pg_column_null,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.changes = pg_changes,
	.reset = pg_reset,
	.finalize = pg_finalize,
	.lock_key = pg_lock_key,
	.lock_keys = pg_lock_keys,
	.hold_horizon = pg_hold_horizon,
	.copy_in = pg_copy_in,
	.horizon = pg_horizon,
	.ping = pg_ping,
};
