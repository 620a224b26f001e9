/* SPDX-License-Identifier: Apache-2.0 */
/*
 * batch_scan: the common batch without a JSON tree (see batch_scan.h).
 *
 * A cursor walks the bytes once. Every check of protocol.c's decoder is
 * made here too (ranges, the value against its scale, the boot index, the
 * corrected_by rules); where the tree decoder would answer an error, or
 * where the input is merely unusual (escapes, reals, other members, a
 * member order the encoder never writes), this returns 1 and the tree
 * decoder runs on the same bytes. So this file can only make a valid batch
 * faster, never change what any body means.
 */
#include "batch_scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define MAX_BOOTS 64 /* more boots in one batch than this: declined (a kiosk rebooting 64 times between syncs) */

struct cur {
	const char *p, *end;
};

static void ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
		c->p++;
}

/* Skips whitespace, then takes ch. */
static int take(struct cur *c, char ch)
{
	ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 1;
	}
	return 0;
}

/* A string of printable ASCII without escapes: its bytes in *s, *n. */
static int str(struct cur *c, const char **s, size_t *n)
{
	if (!take(c, '"'))
		return 0;
	const char *start = c->p;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p;
		if (ch < 0x20 || ch > 0x7e || ch == '\\')
			return 0;
		c->p++;
	}
	if (c->p == c->end)
		return 0;
	*s = start;
	*n = (size_t)(c->p - start);
	c->p++;
	return 1;
}

/* A non-negative integer as JSON writes it (no sign, no leading zero, no fraction or exponent). */
static int num(struct cur *c, int64_t *out)
{
	ws(c);
	const char *p = c->p;
	if (p == c->end || *p < '0' || *p > '9')
		return 0;
	int64_t v = 0;
	int digits = 0;
	while (p < c->end && *p >= '0' && *p <= '9') {
		if (++digits > 18) /* below INT64_MAX whatever the digits; longer ones go to the tree decoder */
			return 0;
		v = v * 10 + (*p - '0');
		p++;
	}
	if ((digits > 1 && *c->p == '0') || (p < c->end && (*p == '.' || *p == 'e' || *p == 'E')))
		return 0;
	c->p = p;
	*out = v;
	return 1;
}

static int word(struct cur *c, const char *w)
{
	ws(c);
	size_t n = strlen(w);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n))
		return 0;
	c->p += n;
	return 1;
}

/* An integer in lo..hi (lo >= 0). */
static int num_in(struct cur *c, int64_t lo, int64_t hi, int64_t *out)
{
	return num(c, out) && *out >= lo && *out <= hi;
}

struct boots {
	const char *s[MAX_BOOTS];
	size_t n[MAX_BOOTS];
	size_t count;
};

/* One rating array, checked as protocol.c's decode_rating checks it. */
static int rating(struct cur *c, const struct boots *boots, struct protocol_rating *p)
{
	int64_t v, seq, scale;
	const char *s;
	size_t n;
	memset(p, 0, sizeof(*p));
	if (!take(c, '[') || !num_in(c, 1, INT64_MAX, &seq) || !take(c, ','))
		return 0;
	/* The value comes before the scale it is checked against. */
	if (!num(c, &v) || !take(c, ',') || !num_in(c, 3, 5, &scale) || !take(c, ','))
		return 0;
	if (v > scale - 1)
		return 0;
	p->r.seq = seq;
	p->r.scale = (int)scale;
	p->r.value = (int)v;
	char src[8];
	if (!str(c, &s, &n) || n >= sizeof(src) || !take(c, ','))
		return 0;
	memcpy(src, s, n);
	src[n] = '\0';
	if (rating_source_parse(src, &p->r.source))
		return 0;
	if (!num_in(c, 0, INT64_MAX, &p->r.wall_ms) || !take(c, ',') || !num_in(c, 0, INT64_MAX, &p->r.boot_ms) ||
	    !take(c, ',') || !num(c, &v) || v >= (int64_t)boots->count || !take(c, ','))
		return 0;
	memcpy(p->r.boot_id, boots->s[v], boots->n[v]);
	p->r.boot_id[boots->n[v]] = '\0';
	if (word(c, "true"))
		p->r.clock_synced = 1;
	else if (word(c, "false"))
		p->r.clock_synced = 0;
	else if (num_in(c, 0, 1, &v))
		p->r.clock_synced = (int)v;
	else
		return 0;
	if (!take(c, ','))
		return 0;
	if (!word(c, "null")) {
		if (!num_in(c, 0, INT64_MAX, &p->corrected_ms))
			return 0;
		p->has_corrected = 1;
	}
	if (!take(c, ',') || !num_in(c, 0, 0xffff, &v))
		return 0;
	p->r.flags = (int)v;
	if (take(c, ']'))
		return 1;
	/* The two trailing elements of a head-office correction. */
	if (!take(c, ',') || !num_in(c, 0, 1, &v))
		return 0;
	p->corrected_by = (int)v;
	if (p->corrected_by && !p->has_corrected)
		return 0;
	if (take(c, ']'))
		return 1;
	if (!take(c, ',') || !num_in(c, 0, INT64_MAX, &p->corrected_err_ms))
		return 0;
	if (p->corrected_by == PROTOCOL_CORRECTED_KIOSK && p->corrected_err_ms != 0)
		return 0;
	return take(c, ']'); /* more than 12 elements: declined (the tree decoder ignores them) */
}

static int ratings(struct cur *c, const struct boots *boots, size_t max, struct protocol_batch *out)
{
	if (!take(c, '['))
		return 0;
	if (take(c, ']'))
		return 1;
	size_t cap = 0;
	do {
		if (out->n == max)
			return 0;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			if (cap > max)
				cap = max;
			struct protocol_rating *more = realloc(out->ratings, cap * sizeof(*more));
			if (!more)
				return 0;
			out->ratings = more;
		}
		if (!rating(c, boots, &out->ratings[out->n]))
			return 0;
		out->n++;
	} while (take(c, ','));
	return take(c, ']');
}

static int member(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && !memcmp(name, want, n);
}

int batch_scan_decode(const char *body, size_t len, size_t max_ratings, struct protocol_batch *out)
{
	memset(out, 0, sizeof(*out));
	struct cur c = { body, body + len };
	struct boots *boots = calloc(1, sizeof(*boots));
	/* The members in the encoder's order, each at most once; kiosk, boots and ratings required. */
	enum { KIOSK, VERSION, INSTALL, BOOTS, RATINGS, END } next = KIOSK;
	int ok = boots && take(&c, '{');
	while (ok) {
		const char *name, *s;
		size_t n, sn;
		if (!str(&c, &name, &n) || !take(&c, ':')) {
			ok = 0;
			break;
		}
		if (member(name, n, "kiosk") && next == KIOSK) {
			ok = str(&c, &s, &sn) && sn >= 1 && sn < sizeof(out->kiosk_id);
			if (ok)
				memcpy(out->kiosk_id, s, sn);
			next = VERSION;
		} else if (member(name, n, "version") && next > KIOSK && next <= VERSION) {
			ok = str(&c, &s, &sn);
			if (ok && sn < sizeof(out->version)) {
				memcpy(out->version, s, sn);
				if (!utf8_name_ok(out->version)) /* as protocol.c: an odd version is dropped, not refused */
					memset(out->version, 0, sizeof(out->version));
			}
			next = INSTALL;
		} else if (member(name, n, "install") && next > KIOSK && next <= INSTALL) {
			ok = str(&c, &s, &sn) && sn >= 1 && sn < sizeof(out->install_id);
			if (ok) {
				memcpy(out->install_id, s, sn);
				ok = protocol_install_id_valid(out->install_id);
			}
			next = BOOTS;
		} else if (member(name, n, "boots") && next > KIOSK && next <= BOOTS) {
			ok = take(&c, '[');
			if (ok && !take(&c, ']')) {
				do {
					ok = boots->count < MAX_BOOTS && str(&c, &boots->s[boots->count], &boots->n[boots->count]) &&
					     boots->n[boots->count] >= 1 && boots->n[boots->count] < RATING_BOOT_ID_MAX;
					boots->count++;
				} while (ok && take(&c, ','));
				ok = ok && take(&c, ']');
			}
			next = RATINGS;
		} else if (member(name, n, "ratings") && next == RATINGS) {
			ok = ratings(&c, boots, max_ratings, out);
			next = END;
		} else {
			ok = 0; /* another member (shifts, ...), a repeat, or another order: the tree decoder's */
		}
		if (!ok || !take(&c, ','))
			break;
	}
	ok = ok && next == END && take(&c, '}');
	ws(&c);
	ok = ok && c.p == c.end;
	free(boots);
	if (!ok) {
		protocol_batch_free(out);
		memset(out, 0, sizeof(*out));
		return 1;
	}
	if (out->n == 0) {
		free(out->ratings);
		out->ratings = NULL;
	}
	for (size_t i = 0; i < out->n; i++)
		memcpy(out->ratings[i].r.kiosk_id, out->kiosk_id, sizeof(out->kiosk_id));
	return 0;
}
