/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol: encode and decode the v1 wire format with jansson: the small
 * answers (ack, conflict, error, head office's clock, days) here, and the
 * helpers every part shares (protocol_impl.h); the batch is in
 * protocol_batch.c, the summary in protocol_summary.c.
 *
 * Decoders trust nothing: every member is checked for type and range, and
 * the first problem is reported with where it is ("ratings[12]: value 7 out
 * of range 0..3"), because that one line is what head office logs and
 * returns in a 400, and what a kiosk installer reads.
 */
#include "protocol.h"
#include "protocol_impl.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void protocol_say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Dumps j compactly into a malloc'd string; frees j. */
int protocol_dump(json_t *j, char **out, size_t *outlen, char *err, size_t errlen)
{
	if (!j) {
		protocol_say(err, errlen, "out of memory");
		return -1;
	}
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(j);
	if (!s) {
		protocol_say(err, errlen, "out of memory");
		return -1;
	}
	*out = s;
	if (outlen)
		*outlen = strlen(s);
	return 0;
}

json_t *protocol_load(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	/* REJECT_DUPLICATES: two "ratings" members must not mean "the last one". */
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		protocol_say(err, errlen, "malformed JSON at line %d column %d: %s", je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		protocol_say(err, errlen, "the body must be a JSON object");
		json_decref(j);
		return NULL;
	}
	return j;
}

/* An integer member in lo..hi. */
int protocol_get_int(json_t *v, const char *what, int64_t lo, int64_t hi, int64_t *out, char *err, size_t errlen)
{
	if (!json_is_integer(v)) {
		protocol_say(err, errlen, "%s must be an integer", what);
		return -1;
	}
	json_int_t x = json_integer_value(v);
	if (x < lo || x > hi) {
		protocol_say(err, errlen, "%s %lld out of range %lld..%lld", what, (long long)x, (long long)lo, (long long)hi);
		return -1;
	}
	*out = x;
	return 0;
}

int protocol_get_string(json_t *v, const char *what, char *out, size_t outlen, char *err, size_t errlen)
{
	if (!json_is_string(v)) {
		protocol_say(err, errlen, "%s must be a string", what);
		return -1;
	}
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (n == 0 || n >= outlen || memchr(s, '\0', n)) {
		protocol_say(err, errlen, "%s must be 1 to %zu bytes without NUL", what, outlen - 1);
		return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

/* --- ack -------------------------------------------------------------------- */

int protocol_encode_ack(const struct protocol_ack *a, char **out, size_t *outlen, char *err, size_t errlen)
{
	*out = NULL;
	json_t *gaps = json_array();
	for (size_t i = 0; gaps && i < a->ngaps && i < PROTOCOL_MAX_GAPS; i++)
		json_array_append_new(gaps, json_pack("[I,I]", (json_int_t)a->gaps[i].from, (json_int_t)a->gaps[i].to));
	json_t *j = gaps ? json_pack("{s:s,s:I,s:I,s:I,s:o}", "kiosk", a->kiosk_id,
				     "accepted", (json_int_t)a->accepted, "duplicates", (json_int_t)a->duplicates,
				     "acked_through", (json_int_t)a->acked_through, "gaps", gaps) : NULL;
	if (j && a->install_id[0])
		json_object_set_new(j, "install", json_string(a->install_id));
	return protocol_dump(j, out, outlen, err, errlen);
}

int protocol_decode_ack(const char *body, size_t len, struct protocol_ack *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	json_t *root = protocol_load(body, len, err, errlen);
	if (!root)
		return PROTOCOL_MALFORMED;
	int rc = PROTOCOL_MALFORMED;
	json_t *gaps = json_object_get(root, "gaps");
	if (protocol_get_string(json_object_get(root, "kiosk"), "kiosk", out->kiosk_id, sizeof(out->kiosk_id), err, errlen) ||
	    protocol_get_int(json_object_get(root, "accepted"), "accepted", 0, INT64_MAX, &out->accepted, err, errlen) ||
	    protocol_get_int(json_object_get(root, "duplicates"), "duplicates", 0, INT64_MAX, &out->duplicates, err, errlen) ||
	    protocol_get_int(json_object_get(root, "acked_through"), "acked_through", 0, INT64_MAX, &out->acked_through, err, errlen))
		goto done;
	json_t *install = json_object_get(root, "install");
	if (install && protocol_get_string(install, "install", out->install_id, sizeof(out->install_id), err, errlen))
		goto done;
	if (!json_is_array(gaps)) {
		protocol_say(err, errlen, "gaps must be an array");
		goto done;
	}
	for (size_t i = 0; i < json_array_size(gaps) && i < PROTOCOL_MAX_GAPS; i++) {
		json_t *g = json_array_get(gaps, i);
		if (!json_is_array(g) || json_array_size(g) != 2 ||
		    protocol_get_int(json_array_get(g, 0), "gap start", 1, INT64_MAX, &out->gaps[i].from, err, errlen) ||
		    protocol_get_int(json_array_get(g, 1), "gap end", out->gaps[i].from, INT64_MAX, &out->gaps[i].to, err, errlen)) {
			if (!json_is_array(g) || json_array_size(g) != 2)
				protocol_say(err, errlen, "gaps[%zu] must be [from,to]", i);
			goto done;
		}
		out->ngaps = i + 1;
	}
	rc = PROTOCOL_OK;
done:
	json_decref(root);
	return rc;
}

/* --- conflicts --------------------------------------------------------------- */

int protocol_encode_conflict(const char *message, const struct protocol_conflict *c, char **out, size_t *outlen)
{
	json_t *items = json_array();
	for (size_t i = 0; items && i < c->n && i < PROTOCOL_MAX_CONFLICTS; i++) {
		json_t *fields = json_array();
		char names[sizeof(c->items[i].fields)];
		snprintf(names, sizeof(names), "%s", c->items[i].fields);
		for (char *save = NULL, *f = strtok_r(names, ",", &save); fields && f; f = strtok_r(NULL, ",", &save))
			json_array_append_new(fields, json_string(f));
		json_array_append_new(items, json_pack("{s:I,s:o}", "seq", (json_int_t)c->items[i].seq, "fields", fields));
	}
	json_t *conflict = items ? json_pack("{s:s,s:s,s:I,s:o}", "kiosk", c->kiosk_id, "install", c->install_id,
					     "count", (json_int_t)c->count, "ratings", items) : NULL;
	return protocol_dump(conflict ? json_pack("{s:s,s:o}", "error", message, "conflict", conflict) : NULL,
		    out, outlen, NULL, 0);
}

int protocol_decode_conflict(const char *body, size_t len, struct protocol_conflict *c)
{
	memset(c, 0, sizeof(*c));
	json_t *root = protocol_load(body, len, NULL, 0);
	json_t *o = root ? json_object_get(root, "conflict") : NULL;
	int rc = -1;
	if (!json_is_object(o))
		goto done;
	json_t *kiosk = json_object_get(o, "kiosk"), *install = json_object_get(o, "install");
	json_t *count = json_object_get(o, "count"), *items = json_object_get(o, "ratings");
	if (!json_is_string(kiosk) || !json_is_string(install) || !json_is_integer(count) || !json_is_array(items))
		goto done;
	snprintf(c->kiosk_id, sizeof(c->kiosk_id), "%s", json_string_value(kiosk));
	snprintf(c->install_id, sizeof(c->install_id), "%s", json_string_value(install));
	c->count = json_integer_value(count);
	for (size_t i = 0; i < json_array_size(items) && c->n < PROTOCOL_MAX_CONFLICTS; i++) {
		json_t *it = json_array_get(items, i), *seq = json_object_get(it, "seq");
		json_t *fields = json_object_get(it, "fields");
		if (!json_is_integer(seq) || !json_is_array(fields))
			goto done;
		struct protocol_conflict_item *ci = &c->items[c->n++];
		ci->seq = json_integer_value(seq);
		size_t at = 0;
		for (size_t k = 0; k < json_array_size(fields); k++) {
			const char *f = json_string_value(json_array_get(fields, k));
			if (!f)
				goto done;
			int w = snprintf(ci->fields + at, sizeof(ci->fields) - at, "%s%s", at ? "," : "", f);
			if (w < 0 || (size_t)w >= sizeof(ci->fields) - at)
				break;
			at += (size_t)w;
		}
	}
	rc = 0;
done:
	json_decref(root);
	if (rc)
		memset(c, 0, sizeof(*c));
	return rc;
}

/* --- head office's clock ------------------------------------------------------ */

int protocol_stamp_hq_time(char **body, size_t *len, int64_t ms, int synced)
{
	char *b = *body;
	size_t n = *len;
	/* The last '}' closes the object; its last non-blank before says if it is empty. */
	while (n > 0 && (b[n - 1] == ' ' || b[n - 1] == '\n' || b[n - 1] == '\r' || b[n - 1] == '\t'))
		n--;
	if (n < 2 || b[0] != '{' || b[n - 1] != '}')
		return -1;
	size_t k = n - 1;
	while (k > 0 && (b[k - 1] == ' ' || b[k - 1] == '\n' || b[k - 1] == '\r' || b[k - 1] == '\t'))
		k--;
	int empty = k > 0 && b[k - 1] == '{';
	char add[96];
	int w = snprintf(add, sizeof(add), "%s\"hq_time_ms\":%lld,\"hq_clock_synced\":%s}", empty ? "" : ",",
			 (long long)ms, synced ? "true" : "false");
	char *nb = realloc(b, n - 1 + (size_t)w + 1);
	if (!nb)
		return -1;
	memcpy(nb + n - 1, add, (size_t)w + 1);
	*body = nb;
	*len = n - 1 + (size_t)w;
	return 0;
}

int protocol_decode_hq_time(const char *body, size_t len, int64_t *ms, int *synced)
{
	json_t *root = body ? protocol_load(body, len, NULL, 0) : NULL;
	json_t *t = root ? json_object_get(root, "hq_time_ms") : NULL;
	json_t *sy = root ? json_object_get(root, "hq_clock_synced") : NULL;
	int rc = -1;
	if (json_is_integer(t) && json_integer_value(t) > 0 && json_is_boolean(sy)) {
		*ms = json_integer_value(t);
		*synced = json_is_true(sy);
		rc = 0;
	}
	json_decref(root);
	return rc;
}

/* --- errors and days -------------------------------------------------------- */

int protocol_encode_error(const char *message, char **out, size_t *outlen)
{
	return protocol_dump(json_pack("{s:s}", "error", message), out, outlen, NULL, 0);
}

int protocol_decode_error(const char *body, size_t len, char *msg, size_t msglen)
{
	json_t *root = protocol_load(body, len, NULL, 0);
	json_t *e = root ? json_object_get(root, "error") : NULL;
	int rc = json_is_string(e) ? 0 : -1;
	if (!rc)
		snprintf(msg, msglen, "%s", json_string_value(e));
	json_decref(root);
	return rc;
}

int protocol_parse_day(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int yy = atoi(s), mm = atoi(s + 5), dd = atoi(s + 8);
	if (yy < 1970 || mm < 1 || mm > 12 || dd < 1 || dd > mdays[mm - 1])
		return -1;
	int leap = (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0;
	if (mm == 2 && dd == 29 && !leap)
		return -1;
	*y = yy;
	*m = mm;
	*d = dd;
	return 0;
}
