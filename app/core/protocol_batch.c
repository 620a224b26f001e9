/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol_batch: the batch a kiosk POSTs to /api/v1/ratings (protocol.h),
 * encoded and decoded side by side: the encoder checks every rating the
 * way the decoder will, so a kiosk never sends what head office refuses.
 */
#include "protocol.h"
#include "protocol_impl.h"

#include "batch_scan.h"
#include "followup.h"
#include "utf8.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_FIELDS 10 /* elements of one rating array in v1 */

/* Checks a rating the way the decoder will, so a kiosk never sends what head office refuses. */
static int rating_valid(const struct protocol_rating *p, size_t i, char *err, size_t errlen)
{
	const struct rating *r = &p->r;
	if (r->seq < 1)
		protocol_say(err, errlen, "ratings[%zu]: seq must be >= 1", i);
	else if (r->scale < 3 || r->scale > 5)
		protocol_say(err, errlen, "ratings[%zu]: scale %d out of range 3..5", i, r->scale);
	else if (r->value < 0 || r->value >= r->scale)
		protocol_say(err, errlen, "ratings[%zu]: value %d out of range 0..%d", i, r->value, r->scale - 1);
	else if ((unsigned)r->source > SOURCE_KEY)
		protocol_say(err, errlen, "ratings[%zu]: unknown source", i);
	else if (r->wall_ms < 0 || r->boot_ms < 0 || (p->has_corrected && p->corrected_ms < 0))
		protocol_say(err, errlen, "ratings[%zu]: negative time", i);
	else if (r->flags < 0 || r->flags > 0xffff)
		protocol_say(err, errlen, "ratings[%zu]: flags out of range", i);
	else if (!r->boot_id[0])
		protocol_say(err, errlen, "ratings[%zu]: empty boot id", i);
	else if (p->corrected_by != PROTOCOL_CORRECTED_KIOSK && p->corrected_by != PROTOCOL_CORRECTED_HQ)
		protocol_say(err, errlen, "ratings[%zu]: unknown corrected_by %d", i, p->corrected_by);
	else if (p->corrected_err_ms < 0)
		protocol_say(err, errlen, "ratings[%zu]: negative error bound", i);
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
		protocol_say(err, errlen, "kiosk id must be 1 to %d bytes", RATING_ID_MAX - 1);
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
		protocol_say(err, errlen, "shifts must be an array of at most %d [from_ms,\"definition\"]", PROTOCOL_MAX_SCHEDULES);
		return -1;
	}
	if (n == 0)
		return 0;
	out->schedules = calloc(n, sizeof(*out->schedules));
	if (!out->schedules) {
		protocol_say(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(list, i), *text = json_array_get(a, 1);
		char what[64];
		snprintf(what, sizeof(what), "shifts[%zu]: from_ms", i);
		if (!json_is_array(a) || json_array_size(a) < 2 || !json_is_string(text) ||
		    json_string_length(text) >= PROTOCOL_SCHEDULE_MAX ||
		    memchr(json_string_value(text), '\0', json_string_length(text))) {
			protocol_say(err, errlen, "shifts[%zu] must be [from_ms, \"definition\"] under %d bytes", i, PROTOCOL_SCHEDULE_MAX);
			return -1;
		}
		if (protocol_get_int(json_array_get(a, 0), what, 0, INT64_MAX, &out->schedules[i].from_ms, err, errlen))
			return -1;
		out->schedules[i].definition = strdup(json_string_value(text));
		if (!out->schedules[i].definition) {
			protocol_say(err, errlen, "out of memory");
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
			protocol_say(err, errlen, "reason of seq %lld must be 1 to %d bytes of printable UTF-8", (long long)r[i].seq,
			    FOLLOWUP_REASON_MAX);
			json_decref(list);
			return NULL;
		}
		if (json_array_append_new(list, json_pack("[I,s]", (json_int_t)r[i].seq, r[i].text))) {
			protocol_say(err, errlen, "out of memory");
			json_decref(list);
			return NULL;
		}
	}
	if (!list)
		protocol_say(err, errlen, "out of memory");
	return list;
}

static int decode_reasons(json_t *list, struct protocol_batch *out, char *err, size_t errlen)
{
	if (!list)
		return 0;
	size_t n = json_is_array(list) ? json_array_size(list) : 0;
	if (!json_is_array(list) || n > PROTOCOL_MAX_BATCH) {
		protocol_say(err, errlen, "reasons must be an array of at most %d [seq,\"answer\"]", PROTOCOL_MAX_BATCH);
		return -1;
	}
	if (n == 0)
		return 0;
	if (!(out->reasons = calloc(n, sizeof(*out->reasons)))) {
		protocol_say(err, errlen, "out of memory");
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
			protocol_say(err, errlen, "reasons[%zu] must be [seq, \"answer\"], the answer 1 to %d bytes of printable UTF-8",
			    i, FOLLOWUP_REASON_MAX);
			return -1;
		}
		if (protocol_get_int(json_array_get(a, 0), what, 1, INT64_MAX, &out->reasons[i].seq, err, errlen))
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
		protocol_say(err, errlen, "kiosk id must be 1 to %d bytes", RATING_ID_MAX - 1);
		return -1;
	}
	if (in->install_id[0] && !protocol_install_id_valid(in->install_id)) {
		protocol_say(err, errlen, "install id must be 1 to %d of 0-9 A-Z a-z - _", PROTOCOL_INSTALL_MAX - 1);
		return -1;
	}
	json_t *root = json_object(), *boots = json_array(), *list = json_array();
	if (!root || !boots || !list) {
		json_decref(root);
		json_decref(boots);
		json_decref(list);
		protocol_say(err, errlen, "out of memory");
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
			protocol_say(err, errlen, "out of memory");
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
			protocol_say(err, errlen, "out of memory");
			return -1;
		}
	}
	return protocol_dump(root, out, outlen, err, errlen);
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
	return protocol_get_int(v, what, lo, hi, out, err, errlen);
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
		protocol_say(err, errlen, "ratings[%zu] must be an array of %d elements", i, N_FIELDS);
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
		protocol_say(err, errlen, "ratings[%zu]: source must be \"button\", \"touch\" or \"key\"", i);
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
			protocol_say(err, errlen, "ratings[%zu]: corrected_by without corrected_ms", i);
			return -1;
		}
		if (json_array_size(a) > N_FIELDS + 1 &&
		    field_int(a, 11, i, "corrected_err_ms", 0, INT64_MAX, &p->corrected_err_ms, err, errlen))
			return -1;
		/* An error bound belongs to a head-office correction only; the encoder
		 * never writes one otherwise, so it would not survive a round trip
		 * (found by tests/fuzz/fuzz_protocol). */
		if (p->corrected_by == PROTOCOL_CORRECTED_KIOSK && p->corrected_err_ms != 0) {
			protocol_say(err, errlen, "ratings[%zu]: corrected_err_ms without corrected_by 1", i);
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
	json_t *root = protocol_load(body, len, err, errlen);
	if (!root)
		return PROTOCOL_MALFORMED;
	int rc = PROTOCOL_MALFORMED;
	json_t *boots = json_object_get(root, "boots");
	json_t *list = json_object_get(root, "ratings");
	if (protocol_get_string(json_object_get(root, "kiosk"), "kiosk", out->kiosk_id, sizeof(out->kiosk_id), err, errlen))
		goto done;
	/* Optional and informative only: a missing or odd version never costs a batch. */
	const char *version = json_string_value(json_object_get(root, "version"));
	if (version && strlen(version) < sizeof(out->version) && utf8_name_ok(version))
		snprintf(out->version, sizeof(out->version), "%s", version);
	json_t *install = json_object_get(root, "install");
	if (install && (protocol_get_string(install, "install", out->install_id, sizeof(out->install_id), err, errlen) ||
			!protocol_install_id_valid(out->install_id))) {
		protocol_say(err, errlen, "install must be 1 to %d of 0-9 A-Z a-z - _", PROTOCOL_INSTALL_MAX - 1);
		goto done;
	}
	if (!json_is_array(boots)) {
		protocol_say(err, errlen, "boots must be an array of strings");
		goto done;
	}
	for (size_t k = 0; k < json_array_size(boots); k++) {
		char what[32], id[RATING_BOOT_ID_MAX];
		snprintf(what, sizeof(what), "boots[%zu]", k);
		if (protocol_get_string(json_array_get(boots, k), what, id, sizeof(id), err, errlen))
			goto done;
	}
	if (!json_is_array(list)) {
		protocol_say(err, errlen, "ratings must be an array");
		goto done;
	}
	size_t n = json_array_size(list);
	if (n > max_ratings) {
		protocol_say(err, errlen, "%zu ratings in one batch; at most %zu", n, max_ratings);
		rc = PROTOCOL_TOO_MANY;
		goto done;
	}
	if (n > 0) {
		out->ratings = calloc(n, sizeof(*out->ratings));
		if (!out->ratings) {
			protocol_say(err, errlen, "out of memory");
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
