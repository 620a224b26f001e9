/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol: encode and decode the v1 wire format with jansson.
 *
 * Decoders trust nothing: every member is checked for type and range, and
 * the first problem is reported with where it is ("ratings[12]: value 7 out
 * of range 0..3"), because that one line is what head office logs and
 * returns in a 400, and what a kiosk installer reads.
 */
#include "protocol.h"

#include "batch_scan.h"
#include "followup.h"
#include "utf8.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define N_FIELDS 10 /* elements of one rating array in v1 */

static void say(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Dumps j compactly into a malloc'd string; frees j. */
static int dump(json_t *j, char **out, size_t *outlen, char *err, size_t errlen)
{
	if (!j) {
		say(err, errlen, "out of memory");
		return -1;
	}
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(j);
	if (!s) {
		say(err, errlen, "out of memory");
		return -1;
	}
	*out = s;
	if (outlen)
		*outlen = strlen(s);
	return 0;
}

static json_t *load(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	/* REJECT_DUPLICATES: two "ratings" members must not mean "the last one". */
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		say(err, errlen, "malformed JSON at line %d column %d: %s", je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		say(err, errlen, "the body must be a JSON object");
		json_decref(j);
		return NULL;
	}
	return j;
}

/* An integer member in lo..hi. */
static int get_int(json_t *v, const char *what, int64_t lo, int64_t hi, int64_t *out, char *err, size_t errlen)
{
	if (!json_is_integer(v)) {
		say(err, errlen, "%s must be an integer", what);
		return -1;
	}
	json_int_t x = json_integer_value(v);
	if (x < lo || x > hi) {
		say(err, errlen, "%s %lld out of range %lld..%lld", what, (long long)x, (long long)lo, (long long)hi);
		return -1;
	}
	*out = x;
	return 0;
}

static int get_string(json_t *v, const char *what, char *out, size_t outlen, char *err, size_t errlen)
{
	if (!json_is_string(v)) {
		say(err, errlen, "%s must be a string", what);
		return -1;
	}
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (n == 0 || n >= outlen || memchr(s, '\0', n)) {
		say(err, errlen, "%s must be 1 to %zu bytes without NUL", what, outlen - 1);
		return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

/* --- batch ------------------------------------------------------------------ */

/* Checks a rating the way the decoder will, so a kiosk never sends what head office refuses. */
static int rating_valid(const struct protocol_rating *p, size_t i, char *err, size_t errlen)
{
	const struct rating *r = &p->r;
	if (r->seq < 1)
		say(err, errlen, "ratings[%zu]: seq must be >= 1", i);
	else if (r->scale < 3 || r->scale > 5)
		say(err, errlen, "ratings[%zu]: scale %d out of range 3..5", i, r->scale);
	else if (r->value < 0 || r->value >= r->scale)
		say(err, errlen, "ratings[%zu]: value %d out of range 0..%d", i, r->value, r->scale - 1);
	else if ((unsigned)r->source > SOURCE_KEY)
		say(err, errlen, "ratings[%zu]: unknown source", i);
	else if (r->wall_ms < 0 || r->boot_ms < 0 || (p->has_corrected && p->corrected_ms < 0))
		say(err, errlen, "ratings[%zu]: negative time", i);
	else if (r->flags < 0 || r->flags > 0xffff)
		say(err, errlen, "ratings[%zu]: flags out of range", i);
	else if (!r->boot_id[0])
		say(err, errlen, "ratings[%zu]: empty boot id", i);
	else if (p->corrected_by != PROTOCOL_CORRECTED_KIOSK && p->corrected_by != PROTOCOL_CORRECTED_HQ)
		say(err, errlen, "ratings[%zu]: unknown corrected_by %d", i, p->corrected_by);
	else if (p->corrected_err_ms < 0)
		say(err, errlen, "ratings[%zu]: negative error bound", i);
	else
		return 0;
	return -1;
}

int protocol_install_id_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= PROTOCOL_INSTALL_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int protocol_encode_batch(const char *kiosk_id, const struct protocol_rating *r, size_t n,
			  char **out, size_t *outlen, char *err, size_t errlen)
{
	struct protocol_batch b = { .n = n, .ratings = (struct protocol_rating *)r };
	*out = NULL;
	if (!kiosk_id || !*kiosk_id || strlen(kiosk_id) >= RATING_ID_MAX) {
		say(err, errlen, "kiosk id must be 1 to %d bytes", RATING_ID_MAX - 1);
		return -1;
	}
	memcpy(b.kiosk_id, kiosk_id, strlen(kiosk_id) + 1);
	return protocol_encode_batch_of(&b, out, outlen, err, errlen);
}

/* One rating as its wire array; boot is its index in the batch's boots. */
static json_t *rating_json(const struct protocol_rating *p, size_t boot)
{
	json_t *a = json_pack("[I,i,i,s,I,I,I,i,o,i]",
			      (json_int_t)p->r.seq, p->r.value, p->r.scale, rating_source_name(p->r.source),
			      (json_int_t)p->r.wall_ms, (json_int_t)p->r.boot_ms,
			      (json_int_t)boot, p->r.clock_synced ? 1 : 0,
			      p->has_corrected ? json_integer(p->corrected_ms) : json_null(), p->r.flags);
	/* Only a head-office correction carries the two trailing elements: the
	 * common batch stays as small as before. */
	if (a && p->has_corrected && p->corrected_by == PROTOCOL_CORRECTED_HQ &&
	    (json_array_append_new(a, json_integer(PROTOCOL_CORRECTED_HQ)) ||
	     json_array_append_new(a, json_integer(p->corrected_err_ms)))) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* The optional "shifts" member: [[from_ms, "text"], ...]. */
static json_t *schedules_json(const struct protocol_schedule *sched, size_t nsched)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < nsched && i < PROTOCOL_MAX_SCHEDULES; i++)
		if (json_array_append_new(list, json_pack("[I,s]", (json_int_t)sched[i].from_ms, sched[i].definition))) {
			json_decref(list);
			return NULL;
		}
	return list;
}

static int decode_schedules(json_t *list, struct protocol_batch *out, char *err, size_t errlen)
{
	if (!list)
		return 0;
	size_t n = json_is_array(list) ? json_array_size(list) : 0;
	if (!json_is_array(list) || n > PROTOCOL_MAX_SCHEDULES) {
		say(err, errlen, "shifts must be an array of at most %d [from_ms,\"definition\"]", PROTOCOL_MAX_SCHEDULES);
		return -1;
	}
	if (n == 0)
		return 0;
	out->schedules = calloc(n, sizeof(*out->schedules));
	if (!out->schedules) {
		say(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(list, i), *text = json_array_get(a, 1);
		char what[64];
		snprintf(what, sizeof(what), "shifts[%zu]: from_ms", i);
		if (!json_is_array(a) || json_array_size(a) < 2 || !json_is_string(text) ||
		    json_string_length(text) >= PROTOCOL_SCHEDULE_MAX ||
		    memchr(json_string_value(text), '\0', json_string_length(text))) {
			say(err, errlen, "shifts[%zu] must be [from_ms, \"definition\"] under %d bytes", i, PROTOCOL_SCHEDULE_MAX);
			return -1;
		}
		if (get_int(json_array_get(a, 0), what, 0, INT64_MAX, &out->schedules[i].from_ms, err, errlen))
			return -1;
		out->schedules[i].definition = strdup(json_string_value(text));
		if (!out->schedules[i].definition) {
			say(err, errlen, "out of memory");
			return -1;
		}
		out->nschedules = i + 1;
	}
	return 0;
}

/* The optional "reasons" member: [[seq, "answer"], ...]. */
static json_t *reasons_json(const struct protocol_reason *r, size_t n, char *err, size_t errlen)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		if (r[i].seq < 1 || !followup_reason_ok(r[i].text)) {
			say(err, errlen, "reason of seq %lld must be 1 to %d bytes of printable UTF-8", (long long)r[i].seq,
			    FOLLOWUP_REASON_MAX);
			json_decref(list);
			return NULL;
		}
		if (json_array_append_new(list, json_pack("[I,s]", (json_int_t)r[i].seq, r[i].text))) {
			say(err, errlen, "out of memory");
			json_decref(list);
			return NULL;
		}
	}
	if (!list)
		say(err, errlen, "out of memory");
	return list;
}

static int decode_reasons(json_t *list, struct protocol_batch *out, char *err, size_t errlen)
{
	if (!list)
		return 0;
	size_t n = json_is_array(list) ? json_array_size(list) : 0;
	if (!json_is_array(list) || n > PROTOCOL_MAX_BATCH) {
		say(err, errlen, "reasons must be an array of at most %d [seq,\"answer\"]", PROTOCOL_MAX_BATCH);
		return -1;
	}
	if (n == 0)
		return 0;
	if (!(out->reasons = calloc(n, sizeof(*out->reasons)))) {
		say(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(list, i), *text = json_array_get(a, 1);
		char what[48];
		snprintf(what, sizeof(what), "reasons[%zu]: seq", i);
		if (!json_is_array(a) || json_array_size(a) < 2 || !json_is_string(text) ||
		    json_string_length(text) > FOLLOWUP_REASON_MAX ||
		    memchr(json_string_value(text), '\0', json_string_length(text)) ||
		    !followup_reason_ok(json_string_value(text))) {
			say(err, errlen, "reasons[%zu] must be [seq, \"answer\"], the answer 1 to %d bytes of printable UTF-8",
			    i, FOLLOWUP_REASON_MAX);
			return -1;
		}
		if (get_int(json_array_get(a, 0), what, 1, INT64_MAX, &out->reasons[i].seq, err, errlen))
			return -1;
		snprintf(out->reasons[i].text, sizeof(out->reasons[i].text), "%s", json_string_value(text));
		out->nreasons = i + 1;
	}
	return 0;
}

int protocol_encode_batch_of(const struct protocol_batch *in, char **out, size_t *outlen, char *err, size_t errlen)
{
	*out = NULL;
	const char *kiosk_id = in->kiosk_id;
	const struct protocol_rating *r = in->ratings;
	size_t n = in->n;
	if (!*kiosk_id || strlen(kiosk_id) >= RATING_ID_MAX) {
		say(err, errlen, "kiosk id must be 1 to %d bytes", RATING_ID_MAX - 1);
		return -1;
	}
	if (in->install_id[0] && !protocol_install_id_valid(in->install_id)) {
		say(err, errlen, "install id must be 1 to %d of 0-9 A-Z a-z - _", PROTOCOL_INSTALL_MAX - 1);
		return -1;
	}
	json_t *root = json_object(), *boots = json_array(), *list = json_array();
	if (!root || !boots || !list) {
		json_decref(root);
		json_decref(boots);
		json_decref(list);
		say(err, errlen, "out of memory");
		return -1;
	}
	json_object_set_new(root, "kiosk", json_string(kiosk_id));
#ifdef TALLY_VERSION
	/* The sender's version, for head office's fleet view; older decoders ignore it. */
	json_object_set_new(root, "version", json_string(TALLY_VERSION));
#endif
	if (in->install_id[0])
		json_object_set_new(root, "install", json_string(in->install_id));
	json_object_set_new(root, "boots", boots);
	json_object_set_new(root, "ratings", list);
	if (in->nschedules > 0) { /* shift schedules: optional, left out when there are none */
		json_t *shifts = schedules_json(in->schedules, in->nschedules);
		if (!shifts) {
			json_decref(root);
			say(err, errlen, "out of memory");
			return -1;
		}
		json_object_set_new(root, "shifts", shifts);
	}
	if (in->nreasons > 0) { /* follow-up answers: optional, left out when there are none */
		json_t *reasons = reasons_json(in->reasons, in->nreasons, err, errlen);
		if (!reasons) {
			json_decref(root);
			return -1;
		}
		json_object_set_new(root, "reasons", reasons);
	}
	/* A batch holds few boots (usually one), so a linear search is cheapest. */
	size_t last_boot = 0;
	for (size_t i = 0; i < n; i++) {
		if (rating_valid(&r[i], i, err, errlen)) {
			json_decref(root);
			return -1;
		}
		size_t b = json_array_size(boots);
		if (b > 0 && !strcmp(json_string_value(json_array_get(boots, last_boot)), r[i].r.boot_id)) {
			b = last_boot;
		} else {
			for (size_t k = 0; k < json_array_size(boots); k++)
				if (!strcmp(json_string_value(json_array_get(boots, k)), r[i].r.boot_id)) {
					b = k;
					break;
				}
			if (b == json_array_size(boots))
				json_array_append_new(boots, json_string(r[i].r.boot_id));
		}
		last_boot = b;
		json_t *a = rating_json(&r[i], b);
		if (!a || json_array_append_new(list, a)) {
			json_decref(root);
			say(err, errlen, "out of memory");
			return -1;
		}
	}
	return dump(root, out, outlen, err, errlen);
}

/*
 * get_int on element k of rating i. The error names the field; it is
 * written only when there is one (this runs for every field of every
 * rating head office receives, and formatting the name each time was a
 * third of decoding a batch).
 */
static int field_int(json_t *a, size_t k, size_t i, const char *name, int64_t lo, int64_t hi, int64_t *out,
		     char *err, size_t errlen)
{
	json_t *v = json_array_get(a, k);
	if (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi) {
		*out = json_integer_value(v);
		return 0;
	}
	char what[64];
	snprintf(what, sizeof(what), "ratings[%zu]: %s", i, name);
	return get_int(v, what, lo, hi, out, err, errlen);
}

/* Copies a string known to be NUL-free, cut to fit. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static int decode_rating(json_t *a, size_t i, json_t *boots, const char *kiosk_id,
			 struct protocol_rating *p, char *err, size_t errlen)
{
	int64_t v;
	memset(p, 0, sizeof(*p));
	if (!json_is_array(a) || json_array_size(a) < N_FIELDS) {
		say(err, errlen, "ratings[%zu] must be an array of %d elements", i, N_FIELDS);
		return -1;
	}
	if (field_int(a, 0, i, "seq", 1, INT64_MAX, &p->r.seq, err, errlen))
		return -1;
	if (field_int(a, 2, i, "scale", 3, 5, &v, err, errlen))
		return -1;
	p->r.scale = (int)v;
	if (field_int(a, 1, i, "value", 0, p->r.scale - 1, &v, err, errlen))
		return -1;
	p->r.value = (int)v;
	json_t *src = json_array_get(a, 3);
	if (!json_is_string(src) || rating_source_parse(json_string_value(src), &p->r.source)) {
		say(err, errlen, "ratings[%zu]: source must be \"button\", \"touch\" or \"key\"", i);
		return -1;
	}
	if (field_int(a, 4, i, "wall_ms", 0, INT64_MAX, &p->r.wall_ms, err, errlen))
		return -1;
	if (field_int(a, 5, i, "boot_ms", 0, INT64_MAX, &p->r.boot_ms, err, errlen))
		return -1;
	if (field_int(a, 6, i, "boot_index", 0, (int64_t)json_array_size(boots) - 1, &v, err, errlen))
		return -1;
	copy_str(p->r.boot_id, sizeof(p->r.boot_id), json_string_value(json_array_get(boots, (size_t)v)));
	json_t *synced = json_array_get(a, 7);
	if (json_is_boolean(synced)) {
		p->r.clock_synced = json_is_true(synced);
	} else {
		if (field_int(a, 7, i, "synced", 0, 1, &v, err, errlen))
			return -1;
		p->r.clock_synced = (int)v;
	}
	json_t *corr = json_array_get(a, 8);
	if (!json_is_null(corr)) {
		if (field_int(a, 8, i, "corrected_ms", 0, INT64_MAX, &p->corrected_ms, err, errlen))
			return -1;
		p->has_corrected = 1;
	}
	if (field_int(a, 9, i, "flags", 0, 0xffff, &v, err, errlen))
		return -1;
	p->r.flags = (int)v;
	if (json_array_size(a) > N_FIELDS) {
		if (field_int(a, 10, i, "corrected_by", 0, 1, &v, err, errlen))
			return -1;
		p->corrected_by = (int)v;
		if (p->corrected_by && !p->has_corrected) {
			say(err, errlen, "ratings[%zu]: corrected_by without corrected_ms", i);
			return -1;
		}
		if (json_array_size(a) > N_FIELDS + 1 &&
		    field_int(a, 11, i, "corrected_err_ms", 0, INT64_MAX, &p->corrected_err_ms, err, errlen))
			return -1;
		/* An error bound belongs to a head-office correction only; the encoder
		 * never writes one otherwise, so it would not survive a round trip
		 * (found by tests/fuzz/fuzz_protocol). */
		if (p->corrected_by == PROTOCOL_CORRECTED_KIOSK && p->corrected_err_ms != 0) {
			say(err, errlen, "ratings[%zu]: corrected_err_ms without corrected_by 1", i);
			return -1;
		}
	}
	copy_str(p->r.kiosk_id, sizeof(p->r.kiosk_id), kiosk_id);
	return 0;
}

/* Most batches are what the encoder writes: batch_scan.c reads those without a tree; it declines the rest. */
int protocol_decode_batch(const char *body, size_t len, size_t max_ratings,
			  struct protocol_batch *out, char *err, size_t errlen)
{
	if (batch_scan_decode(body, len, max_ratings, out) == 0)
		return PROTOCOL_OK;
	return protocol_decode_batch_tree(body, len, max_ratings, out, err, errlen);
}

int protocol_decode_batch_tree(const char *body, size_t len, size_t max_ratings,
			       struct protocol_batch *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	json_t *root = load(body, len, err, errlen);
	if (!root)
		return PROTOCOL_MALFORMED;
	int rc = PROTOCOL_MALFORMED;
	json_t *boots = json_object_get(root, "boots");
	json_t *list = json_object_get(root, "ratings");
	if (get_string(json_object_get(root, "kiosk"), "kiosk", out->kiosk_id, sizeof(out->kiosk_id), err, errlen))
		goto done;
	/* Optional and informative only: a missing or odd version never costs a batch. */
	const char *version = json_string_value(json_object_get(root, "version"));
	if (version && strlen(version) < sizeof(out->version) && utf8_name_ok(version))
		snprintf(out->version, sizeof(out->version), "%s", version);
	json_t *install = json_object_get(root, "install");
	if (install && (get_string(install, "install", out->install_id, sizeof(out->install_id), err, errlen) ||
			!protocol_install_id_valid(out->install_id))) {
		say(err, errlen, "install must be 1 to %d of 0-9 A-Z a-z - _", PROTOCOL_INSTALL_MAX - 1);
		goto done;
	}
	if (!json_is_array(boots)) {
		say(err, errlen, "boots must be an array of strings");
		goto done;
	}
	for (size_t k = 0; k < json_array_size(boots); k++) {
		char what[32], id[RATING_BOOT_ID_MAX];
		snprintf(what, sizeof(what), "boots[%zu]", k);
		if (get_string(json_array_get(boots, k), what, id, sizeof(id), err, errlen))
			goto done;
	}
	if (!json_is_array(list)) {
		say(err, errlen, "ratings must be an array");
		goto done;
	}
	size_t n = json_array_size(list);
	if (n > max_ratings) {
		say(err, errlen, "%zu ratings in one batch; at most %zu", n, max_ratings);
		rc = PROTOCOL_TOO_MANY;
		goto done;
	}
	if (n > 0) {
		out->ratings = calloc(n, sizeof(*out->ratings));
		if (!out->ratings) {
			say(err, errlen, "out of memory");
			rc = PROTOCOL_NOMEM;
			goto done;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (decode_rating(json_array_get(list, i), i, boots, out->kiosk_id, &out->ratings[i], err, errlen))
			goto done;
	out->n = n;
	if (decode_schedules(json_object_get(root, "shifts"), out, err, errlen) ||
	    decode_reasons(json_object_get(root, "reasons"), out, err, errlen))
		goto done;
	rc = PROTOCOL_OK;
done:
	json_decref(root);
	if (rc != PROTOCOL_OK)
		protocol_batch_free(out);
	return rc;
}

void protocol_batch_free(struct protocol_batch *b)
{
	free(b->ratings);
	b->ratings = NULL;
	b->n = 0;
	for (size_t i = 0; i < b->nschedules; i++)
		free(b->schedules[i].definition);
	free(b->schedules);
	b->schedules = NULL;
	b->nschedules = 0;
	free(b->reasons);
	b->reasons = NULL;
	b->nreasons = 0;
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
	return dump(j, out, outlen, err, errlen);
}

int protocol_decode_ack(const char *body, size_t len, struct protocol_ack *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	json_t *root = load(body, len, err, errlen);
	if (!root)
		return PROTOCOL_MALFORMED;
	int rc = PROTOCOL_MALFORMED;
	json_t *gaps = json_object_get(root, "gaps");
	if (get_string(json_object_get(root, "kiosk"), "kiosk", out->kiosk_id, sizeof(out->kiosk_id), err, errlen) ||
	    get_int(json_object_get(root, "accepted"), "accepted", 0, INT64_MAX, &out->accepted, err, errlen) ||
	    get_int(json_object_get(root, "duplicates"), "duplicates", 0, INT64_MAX, &out->duplicates, err, errlen) ||
	    get_int(json_object_get(root, "acked_through"), "acked_through", 0, INT64_MAX, &out->acked_through, err, errlen))
		goto done;
	json_t *install = json_object_get(root, "install");
	if (install && get_string(install, "install", out->install_id, sizeof(out->install_id), err, errlen))
		goto done;
	if (!json_is_array(gaps)) {
		say(err, errlen, "gaps must be an array");
		goto done;
	}
	for (size_t i = 0; i < json_array_size(gaps) && i < PROTOCOL_MAX_GAPS; i++) {
		json_t *g = json_array_get(gaps, i);
		if (!json_is_array(g) || json_array_size(g) != 2 ||
		    get_int(json_array_get(g, 0), "gap start", 1, INT64_MAX, &out->gaps[i].from, err, errlen) ||
		    get_int(json_array_get(g, 1), "gap end", out->gaps[i].from, INT64_MAX, &out->gaps[i].to, err, errlen)) {
			if (!json_is_array(g) || json_array_size(g) != 2)
				say(err, errlen, "gaps[%zu] must be [from,to]", i);
			goto done;
		}
		out->ngaps = i + 1;
	}
	rc = PROTOCOL_OK;
done:
	json_decref(root);
	return rc;
}

/* --- summary ---------------------------------------------------------------- */

static json_t *real_or_null(double x)
{
	return x < 0 ? json_null() : json_real(x);
}

static json_t *figures_json(const struct protocol_figures *f)
{
	int scale = f->scale >= 3 && f->scale <= 5 ? f->scale : 0;
	json_t *counts = json_array(), *hourly = json_array();
	for (int v = 0; counts && v < scale; v++)
		json_array_append_new(counts, json_integer(f->counts[v]));
	for (int h = 0; hourly && h < 24; h++)
		json_array_append_new(hourly, json_integer(f->hourly[h]));
	if (!counts || !hourly) {
		json_decref(counts);
		json_decref(hourly);
		return NULL;
	}
	return json_pack("{s:i,s:o,s:I,s:I,s:I,s:o,s:o,s:o}", "scale", f->scale, "counts", counts,
			 "total", (json_int_t)f->total, "misuse", (json_int_t)f->misuse,
			 "closed", (json_int_t)f->closed,
			 "positive_pct", real_or_null(f->positive_pct),
			 "happy_index", real_or_null(f->happy_index), "hourly", hourly);
}

int protocol_encode_summary(const struct protocol_summary *s, char **out, size_t *outlen, char *err, size_t errlen)
{
	*out = NULL;
	json_t *areas = json_array();
	for (size_t i = 0; areas && i < s->nareas && i < PROTOCOL_MAX_AREAS; i++)
		json_array_append_new(areas, json_pack("{s:s,s:o}", "area", s->areas[i].area,
						       "figures", figures_json(&s->areas[i].figures)));
	json_t *store = areas ? json_pack("{s:s,s:o,s:o}", "name", s->store_name,
					  "total", figures_json(&s->store_total), "areas", areas) : NULL;
	json_t *j = store ? json_pack("{s:s,s:I,s:o,s:o,s:o}", "day", s->day, "as_of_ms", (json_int_t)s->as_of_ms,
				      "kiosk", figures_json(&s->kiosk), "store", store,
				      "chain", figures_json(&s->chain)) : NULL;
	return dump(j, out, outlen, err, errlen);
}

static int real_member(json_t *o, const char *what, double *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, what);
	if (json_is_null(v)) {
		*out = -1;
		return 0;
	}
	if (!json_is_number(v)) {
		say(err, errlen, "%s must be a number or null", what);
		return -1;
	}
	*out = json_number_value(v);
	return 0;
}

static int figures_decode(json_t *o, const char *where, struct protocol_figures *f, char *err, size_t errlen)
{
	int64_t v;
	memset(f, 0, sizeof(*f));
	if (!json_is_object(o)) {
		say(err, errlen, "%s must be an object", where);
		return -1;
	}
	json_t *counts = json_object_get(o, "counts"), *hourly = json_object_get(o, "hourly");
	if (get_int(json_object_get(o, "scale"), "scale", 0, 5, &v, err, errlen))
		return -1;
	f->scale = (int)v;
	if (!json_is_array(counts) || json_array_size(counts) != (size_t)f->scale ||
	    !json_is_array(hourly) || json_array_size(hourly) != 24) {
		say(err, errlen, "%s: counts must have scale elements and hourly 24", where);
		return -1;
	}
	for (int i = 0; i < f->scale; i++)
		if (get_int(json_array_get(counts, (size_t)i), "count", 0, PROTOCOL_MAX_COUNT, &f->counts[i], err, errlen))
			return -1;
	for (int h = 0; h < 24; h++)
		if (get_int(json_array_get(hourly, (size_t)h), "hourly count", 0, PROTOCOL_MAX_COUNT, &f->hourly[h], err, errlen))
			return -1;
	if (get_int(json_object_get(o, "total"), "total", 0, PROTOCOL_MAX_COUNT, &f->total, err, errlen) ||
	    get_int(json_object_get(o, "misuse"), "misuse", 0, PROTOCOL_MAX_COUNT, &f->misuse, err, errlen) ||
	    (json_object_get(o, "closed") && /* added after v1's first draft: optional */
	     get_int(json_object_get(o, "closed"), "closed", 0, PROTOCOL_MAX_COUNT, &f->closed, err, errlen)) ||
	    real_member(o, "positive_pct", &f->positive_pct, err, errlen) ||
	    real_member(o, "happy_index", &f->happy_index, err, errlen))
		return -1;
	return 0;
}

int protocol_decode_summary(const char *body, size_t len, struct protocol_summary *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	json_t *root = load(body, len, err, errlen);
	if (!root)
		return PROTOCOL_MALFORMED;
	int rc = PROTOCOL_MALFORMED;
	json_t *store = json_object_get(root, "store");
	if (get_string(json_object_get(root, "day"), "day", out->day, sizeof(out->day), err, errlen) ||
	    get_int(json_object_get(root, "as_of_ms"), "as_of_ms", 0, INT64_MAX, &out->as_of_ms, err, errlen) ||
	    figures_decode(json_object_get(root, "kiosk"), "kiosk", &out->kiosk, err, errlen) ||
	    figures_decode(json_object_get(root, "chain"), "chain", &out->chain, err, errlen))
		goto done;
	if (!json_is_object(store) ||
	    get_string(json_object_get(store, "name"), "store name", out->store_name, sizeof(out->store_name), err, errlen) ||
	    figures_decode(json_object_get(store, "total"), "store total", &out->store_total, err, errlen)) {
		if (!json_is_object(store))
			say(err, errlen, "store must be an object");
		goto done;
	}
	json_t *areas = json_object_get(store, "areas");
	if (!json_is_array(areas)) {
		say(err, errlen, "store areas must be an array");
		goto done;
	}
	for (size_t i = 0; i < json_array_size(areas) && i < PROTOCOL_MAX_AREAS; i++) {
		json_t *a = json_array_get(areas, i);
		if (!json_is_object(a) ||
		    get_string(json_object_get(a, "area"), "area", out->areas[i].area, sizeof(out->areas[i].area), err, errlen) ||
		    figures_decode(json_object_get(a, "figures"), "area figures", &out->areas[i].figures, err, errlen)) {
			if (!json_is_object(a))
				say(err, errlen, "areas[%zu] must be an object", i);
			goto done;
		}
		out->nareas = i + 1;
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
	return dump(conflict ? json_pack("{s:s,s:o}", "error", message, "conflict", conflict) : NULL,
		    out, outlen, NULL, 0);
}

int protocol_decode_conflict(const char *body, size_t len, struct protocol_conflict *c)
{
	memset(c, 0, sizeof(*c));
	json_t *root = load(body, len, NULL, 0);
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
	json_t *root = body ? load(body, len, NULL, 0) : NULL;
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
	return dump(json_pack("{s:s}", "error", message), out, outlen, NULL, 0);
}

int protocol_decode_error(const char *body, size_t len, char *msg, size_t msglen)
{
	json_t *root = load(body, len, NULL, 0);
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
