/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_db_pg_stmt: the PostgreSQL engine's statements (hq_db_pg.c has the
 * connection they run on): SQL in, parameters bound, rows out; and COPY,
 * the other way rows go in. Apart from the connection because a
 * statement's life (prepared, run, walked, finalised) is its own state.
 *
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
 */
#include "hq_db_pg_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Sends the deallocations queued by hq_db_pg_finalize, when there are enough and the connection can take them. */
static void flush_dealloc(struct hq_db_pg *d)
{
	if (d->ndealloc < 32 || PQstatus(d->conn) != CONNECTION_OK || PQtransactionStatus(d->conn) == PQTRANS_INERROR)
		return;
	PQclear(PQexec(d->conn, d->dealloc)); /* a failure leaves statements prepared: harmless, freed with the connection */
	d->dealloc[0] = '\0';
	d->ndealloc = 0;
}

/* Prepares s on the server's current connection. HQ_DB_DONE or the code. */
static int server_prepare(struct hq_db_pg_stmt *s)
{
	struct hq_db_pg *d = hq_db_pg_of(s->base.db);
	int rc = d->lost_in_tx ? HQ_DB_GONE : hq_db_pg_usable(d);
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
		rc = hq_db_pg_failed(d, res, NULL);
	}
	PQclear(res);
	return rc;
}

int hq_db_pg_prepare(struct hq_db *db, const char *sql, struct hq_db_stmt **out, char *err, size_t errlen)
{
	struct hq_db_pg *d = hq_db_pg_of(db);
	struct hq_db_pg_stmt *s = calloc(1, sizeof(*s));
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
		return hq_db_pg_fill(d, HQ_DB_ERROR, err, errlen);
	}
	s->base.ops = &hq_db_pg_ops;
	s->base.db = db;
	snprintf(s->name, sizeof(s->name), "hq%u", ++d->next_name);
	int rc = server_prepare(s);
	if (rc != HQ_DB_DONE) {
		free(s->params);
		free(s->types);
		free(s->sql);
		free(s);
		return hq_db_pg_fill(d, rc, err, errlen);
	}
	*out = &s->base;
	return HQ_DB_DONE;
}

static struct hq_db_pg_param *param(struct hq_db_stmt *st, int i)
{
	struct hq_db_pg_stmt *s = hq_db_pg_stmt_of(st);
	if (i < 1 || i > s->nparams)
		return NULL;
	struct hq_db_pg_param *p = &s->params[i - 1];
	free(p->text);
	memset(p, 0, sizeof(*p));
	return p;
}

void hq_db_pg_bind_int64(struct hq_db_stmt *st, int i, int64_t v)
{
	struct hq_db_pg_param *p = param(st, i);
	char buf[24];
	if (p && (p->text = strdup((snprintf(buf, sizeof(buf), "%lld", (long long)v), buf))))
		p->len = (int)strlen(p->text);
}

void hq_db_pg_bind_double(struct hq_db_stmt *st, int i, double v)
{
	struct hq_db_pg_param *p = param(st, i);
	char buf[40];
	if (p && (p->text = strdup((snprintf(buf, sizeof(buf), "%.17g", v), buf))))
		p->len = (int)strlen(p->text);
}

void hq_db_pg_bind_text(struct hq_db_stmt *st, int i, const char *v)
{
	struct hq_db_pg_param *p = param(st, i);
	if (p && v && (p->text = strdup(v)))
		p->len = (int)strlen(v);
}

void hq_db_pg_bind_blob(struct hq_db_stmt *st, int i, const void *v, size_t n)
{
	struct hq_db_pg_param *p = param(st, i);
	/* Binary, so bytea takes the bytes as they are (one extra byte: malloc(0) may be NULL). */
	if (p && (p->text = malloc(n + 1))) {
		memcpy(p->text, v, n);
		p->len = (int)n;
		p->binary = 1;
	}
}

void hq_db_pg_bind_null(struct hq_db_stmt *st, int i) { (void)param(st, i); }

static int run(struct hq_db_pg_stmt *s)
{
	struct hq_db_pg *d = hq_db_pg_of(s->base.db);
	int rc = d->lost_in_tx ? HQ_DB_GONE : hq_db_pg_usable(d);
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
		rc = hq_db_pg_failed(d, res, NULL);
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

int hq_db_pg_step(struct hq_db_stmt *st)
{
	struct hq_db_pg_stmt *s = hq_db_pg_stmt_of(st);
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
	struct hq_db_pg_stmt *s = hq_db_pg_stmt_of(st);
	if (!s->res || s->row < 0 || s->row >= s->nrows || i < 0 || i >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

int hq_db_pg_column_null(struct hq_db_stmt *st, int i) { return value(st, i) == NULL; }

int64_t hq_db_pg_column_int64(struct hq_db_stmt *st, int i)
{
	const char *v = value(st, i);
	if (!v)
		return 0;
	if (v[0] == 't' && !v[1])
		return 1; /* a boolean */
	return strtoll(v, NULL, 10);
}

double hq_db_pg_column_double(struct hq_db_stmt *st, int i)
{
	const char *v = value(st, i);
	return v ? strtod(v, NULL) : 0;
}

const char *hq_db_pg_column_text(struct hq_db_stmt *st, int i) { return value(st, i); }

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* bytea comes as text in its hex form, "\x0a1b...": decoded into the statement's buffer. */
const void *hq_db_pg_column_blob(struct hq_db_stmt *st, int i, size_t *n)
{
	struct hq_db_pg_stmt *s = hq_db_pg_stmt_of(st);
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

int64_t hq_db_pg_changes(struct hq_db_stmt *st) { return hq_db_pg_stmt_of(st)->changes; }

void hq_db_pg_reset(struct hq_db_stmt *st)
{
	struct hq_db_pg_stmt *s = hq_db_pg_stmt_of(st);
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

void hq_db_pg_finalize(struct hq_db_stmt *st)
{
	struct hq_db_pg_stmt *s = hq_db_pg_stmt_of(st);
	struct hq_db_pg *d = hq_db_pg_of(st->db);
	hq_db_pg_reset(st);
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

/*
 * COPY FROM STDIN: the data in one piece, then the end; the result says
 * how it went (a constraint, a lost connection) as any statement's does.
 */
int hq_db_pg_copy_in(struct hq_db *db, const char *sql, const char *data, size_t len, int64_t *rows, char *err,
		     size_t errlen)
{
	struct hq_db_pg *d = hq_db_pg_of(db);
	int rc = d->lost_in_tx ? HQ_DB_GONE : hq_db_pg_usable(d);
	if (rc)
		return hq_db_pg_fill(d, rc, err, errlen);
	PGresult *res = PQexec(d->conn, sql);
	if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
		rc = hq_db_pg_failed(d, res, NULL);
		PQclear(res);
		return hq_db_pg_fill(d, rc == HQ_DB_DONE ? HQ_DB_ERROR : rc, err, errlen);
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
			rc = hq_db_pg_failed(d, res, NULL);
		}
		PQclear(res);
	}
	if (rc == HQ_DB_DONE && !sent)
		rc = hq_db_pg_failed(d, NULL, "COPY");
	return hq_db_pg_fill(d, rc, err, errlen);
}
