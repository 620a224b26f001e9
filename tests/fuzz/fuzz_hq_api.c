/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_hq_api: head office's request handler (hq_api_handle) with a real
 * SQLite store, given requests in a small text form, and a gzip body
 * through hq_gunzip first, as hq_http does:
 *
 *     METHOD /path?name=value&name=value
 *     Authorization: Bearer aaaa-token
 *     Content-Encoding: gzip
 *     ~gzip
 *
 *     body
 *
 * "~gzip" is the harness's own line: it gzips the body before it goes
 * through hq_gunzip, the way tally-sync sends it (a mutated gzip body
 * almost never passes its CRC, so without it the fuzzer would never get a
 * gzip body past the gunzip; fuzz_gunzip covers bad gzip). Query values
 * are taken as they are (no %-decoding: MHD's job).
 *
 * Checked beyond crashes: every answer has a status 200..599 and a JSON
 * body (CSV for the export), an error is {"error":"..."}, and a POST that
 * is not answered 200 stored nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "fuzz_hq_util.h"
#include "hq_api.h"
#include "hq_gunzip.h"

static struct fuzz_hq fx;
static struct hq_store *db;
static const struct hq_api_options opt = { .max_batch = 100 };

#define MAX_ARGS 16
struct args {
	int n;
	char *name[MAX_ARGS], *value[MAX_ARGS];
};

static const char *query(void *ctx, const char *name)
{
	struct args *a = ctx;
	for (int i = 0; i < a->n; i++)
		if (!strcmp(a->name[i], name))
			return a->value[i];
	return NULL;
}

/* Splits "a=1&b=2" in place. */
static void parse_query(char *q, struct args *a)
{
	a->n = 0;
	while (q && *q && a->n < MAX_ARGS) {
		char *next = strchr(q, '&');
		if (next)
			*next++ = '\0';
		char *eq = strchr(q, '=');
		a->name[a->n] = q;
		a->value[a->n] = eq ? (*eq = '\0', eq + 1) : q + strlen(q);
		a->n++;
		q = next;
	}
}

static sqlite3_int64 ratings_held(void)
{
	sqlite3_stmt *st;
	sqlite3_int64 n = -1;
	if (sqlite3_prepare_v2(fx.reset_db, "SELECT count(*) FROM ratings", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* gzip of in, as tally-sync's client writes it. 0 or -1. */
static int gzip(const char *in, size_t len, char **out, size_t *outlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	size_t cap = deflateBound(&zs, len) + 32;
	*out = malloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)*out;
	zs.avail_out = (uInt)cap;
	int rc = *out ? deflate(&zs, Z_FINISH) : Z_MEM_ERROR;
	*outlen = cap - zs.avail_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static void check_answer(const struct hq_response *res, const char *method)
{
	if (res->status < 200 || res->status > 599)
		fuzz_die("status out of range");
	if (!res->body || !res->body_len)
		fuzz_die("an answer without a body");
	int csv = res->content_type && !strncmp(res->content_type, "text/csv", 8);
	if (!csv && res->body[0] != '{')
		fuzz_die("a JSON answer that is not an object");
	if (res->status >= 400) {
		char msg[600];
		if (protocol_decode_error(res->body, res->body_len, msg, sizeof(msg)))
			fuzz_die("an error answer that is not {\"error\":\"...\"}");
		if (strchr(msg, '\n') || strchr(msg, '\r'))
			fuzz_die("an error message of more than one line");
	}
	(void)method;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	fuzz_hq_setup(&fx);
	char err[512];
	if (hq_store_open(&db, fx.path, err, sizeof(err)))
		fuzz_die(err);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		fuzz_die("out of memory");
	memcpy(text, data, size);
	text[size] = '\0';
	/* Request line, header lines, a blank line, then the body (raw bytes, any length). */
	char *body = NULL;
	size_t body_len = 0;
	char *sep = NULL;
	for (size_t i = 0; i + 1 < size; i++)
		if (text[i] == '\n' && text[i + 1] == '\n') {
			sep = text + i;
			break;
		}
	if (sep) {
		*sep = '\0';
		body = sep + 2;
		body_len = size - (size_t)(body - text);
	}
	char *line = text, *next = strchr(line, '\n');
	if (next)
		*next++ = '\0';
	char *method = line, *target = strchr(line, ' ');
	if (target)
		*target++ = '\0';
	else
		target = (char *)"/";
	struct args args;
	char *q = strchr(target, '?');
	if (q)
		*q++ = '\0';
	parse_query(q, &args);
	const char *auth = NULL, *encoding = NULL;
	int harness_gzip = 0;
	for (line = next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncasecmp(line, "Authorization: ", 15))
			auth = line + 15;
		else if (!strncasecmp(line, "Content-Encoding: ", 18))
			encoding = line + 18;
		else if (!strcmp(line, "~gzip"))
			harness_gzip = 1;
	}

	struct hq_request rq = { .method = method, .path = target, .authorization = auth, .query = query,
				 .query_ctx = &args, .body = body, .body_len = body_len, .peer = "fuzz" };
	struct hq_response res = { 0 };
	char *zipped = NULL, *plain = NULL;
	size_t zlen, plen;
	if (harness_gzip && body && gzip(body, body_len, &zipped, &zlen) == 0) {
		rq.body = zipped;
		rq.body_len = zlen;
	}
	sqlite3_int64 before = ratings_held();
	/* As hq_http's on_request: a gzip body is gunzipped within the limit, or refused. */
	if (encoding && rq.body_len && strcasecmp(encoding, "identity") != 0) {
		int rc = strcasecmp(encoding, "gzip") ? 415 : hq_gunzip(rq.body, rq.body_len, &plain, &plen);
		if (rc) {
			hq_api_error(&res, &rq, rc, "refused body (%d)", rc);
		} else {
			rq.body = plain;
			rq.body_len = plen;
		}
	}
	if (!res.status)
		hq_api_handle(db, &opt, &rq, &res);
	check_answer(&res, method);
	if (!strcmp(method, "POST")) {
		if (res.status != 200 && ratings_held() != before)
			fuzz_die("a refused POST stored ratings");
	}
	fuzz_hq_reset_if_changed(&fx);
	hq_api_response_free(&res);
	free(plain);
	free(zipped);
	free(text);
	return 0;
}
