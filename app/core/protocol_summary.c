/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol_summary: the summary document head office answers to a kiosk's
 * pull (its store's and the chain's figures, protocol.h), encoded and
 * decoded; a figure without ratings travels as null, never as 0.
 */
#include "protocol.h"
#include "protocol_impl.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	return protocol_dump(j, out, outlen, err, errlen);
}

static int real_member(json_t *o, const char *what, double *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, what);
	if (json_is_null(v)) {
		*out = -1;
		return 0;
	}
	if (!json_is_number(v)) {
		protocol_say(err, errlen, "%s must be a number or null", what);
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
		protocol_say(err, errlen, "%s must be an object", where);
		return -1;
	}
	json_t *counts = json_object_get(o, "counts"), *hourly = json_object_get(o, "hourly");
	if (protocol_get_int(json_object_get(o, "scale"), "scale", 0, 5, &v, err, errlen))
		return -1;
	f->scale = (int)v;
	if (!json_is_array(counts) || json_array_size(counts) != (size_t)f->scale ||
	    !json_is_array(hourly) || json_array_size(hourly) != 24) {
		protocol_say(err, errlen, "%s: counts must have scale elements and hourly 24", where);
		return -1;
	}
	for (int i = 0; i < f->scale; i++)
		if (protocol_get_int(json_array_get(counts, (size_t)i), "count", 0, PROTOCOL_MAX_COUNT, &f->counts[i], err, errlen))
			return -1;
	for (int h = 0; h < 24; h++)
		if (protocol_get_int(json_array_get(hourly, (size_t)h), "hourly count", 0, PROTOCOL_MAX_COUNT, &f->hourly[h], err, errlen))
			return -1;
	if (protocol_get_int(json_object_get(o, "total"), "total", 0, PROTOCOL_MAX_COUNT, &f->total, err, errlen) ||
	    protocol_get_int(json_object_get(o, "misuse"), "misuse", 0, PROTOCOL_MAX_COUNT, &f->misuse, err, errlen) ||
	    (json_object_get(o, "closed") && /* added after v1's first draft: optional */
	     protocol_get_int(json_object_get(o, "closed"), "closed", 0, PROTOCOL_MAX_COUNT, &f->closed, err, errlen)) ||
	    real_member(o, "positive_pct", &f->positive_pct, err, errlen) ||
	    real_member(o, "happy_index", &f->happy_index, err, errlen))
		return -1;
	return 0;
}

int protocol_decode_summary(const char *body, size_t len, struct protocol_summary *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	json_t *root = protocol_load(body, len, err, errlen);
	if (!root)
		return PROTOCOL_MALFORMED;
	int rc = PROTOCOL_MALFORMED;
	json_t *store = json_object_get(root, "store");
	if (protocol_get_string(json_object_get(root, "day"), "day", out->day, sizeof(out->day), err, errlen) ||
	    protocol_get_int(json_object_get(root, "as_of_ms"), "as_of_ms", 0, INT64_MAX, &out->as_of_ms, err, errlen) ||
	    figures_decode(json_object_get(root, "kiosk"), "kiosk", &out->kiosk, err, errlen) ||
	    figures_decode(json_object_get(root, "chain"), "chain", &out->chain, err, errlen))
		goto done;
	if (!json_is_object(store) ||
	    protocol_get_string(json_object_get(store, "name"), "store name", out->store_name, sizeof(out->store_name), err, errlen) ||
	    figures_decode(json_object_get(store, "total"), "store total", &out->store_total, err, errlen)) {
		if (!json_is_object(store))
			protocol_say(err, errlen, "store must be an object");
		goto done;
	}
	json_t *areas = json_object_get(store, "areas");
	if (!json_is_array(areas)) {
		protocol_say(err, errlen, "store areas must be an array");
		goto done;
	}
	for (size_t i = 0; i < json_array_size(areas) && i < PROTOCOL_MAX_AREAS; i++) {
		json_t *a = json_array_get(areas, i);
		if (!json_is_object(a) ||
		    protocol_get_string(json_object_get(a, "area"), "area", out->areas[i].area, sizeof(out->areas[i].area), err, errlen) ||
		    figures_decode(json_object_get(a, "figures"), "area figures", &out->areas[i].figures, err, errlen)) {
			if (!json_is_object(a))
				protocol_say(err, errlen, "areas[%zu] must be an object", i);
			goto done;
		}
		out->nareas = i + 1;
	}
	rc = PROTOCOL_OK;
done:
	json_decref(root);
	return rc;
}
