/*
 * timefix: the arithmetic, and the newest-first scan that finds each
 * unsynced rating's nearest later synced reading in its own boot.
 */
#include "timefix.h"

#include <string.h>

int timefix_correct(const struct rating *r, const struct timefix_ref *ref, int64_t *out)
{
	if (r->clock_synced || !ref || !ref->boot_id[0] || strcmp(r->boot_id, ref->boot_id) != 0)
		return -1;
	/* "unknown" means clockstate could not read the boot id: two such
	 * ratings may be from different boots, so neither may correct the other. */
	if (!strcmp(ref->boot_id, "unknown"))
		return -1;
	if (ref->boot_ms < r->boot_ms && !(ref->by_hq && r->boot_ms - ref->boot_ms <= TIMEFIX_HQ_AHEAD_MS))
		return -1;
	*out = ref->wall_ms - (ref->boot_ms - r->boot_ms);
	return 0;
}

int64_t timefix_error_ms(const struct rating *r, const struct timefix_ref *ref)
{
	int64_t d = ref->boot_ms > r->boot_ms ? ref->boot_ms - r->boot_ms : r->boot_ms - ref->boot_ms;
	return ref->error_ms + (d * TIMEFIX_DRIFT_PPM + 999999) / 1000000;
}

static struct timefix_ref *find(struct timefix_scan *s, const char *boot_id)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->ref[i].boot_id, boot_id))
			return &s->ref[i];
	return NULL;
}

static void remember(struct timefix_scan *s, const struct timefix_ref *ref)
{
	struct timefix_ref *slot = find(s, ref->boot_id);
	if (!slot) {
		if (s->n < TIMEFIX_BOOTS) {
			slot = &s->ref[s->n++];
		} else {
			slot = &s->ref[s->next];
			s->next = (s->next + 1) % TIMEFIX_BOOTS;
		}
	}
	*slot = *ref;
}

void timefix_scan_init(struct timefix_scan *s, const struct timefix_ref *now)
{
	memset(s, 0, sizeof(*s));
	if (now && now->boot_id[0])
		remember(s, now);
}

int timefix_scan_feed(struct timefix_scan *s, const struct rating *r, int64_t *out)
{
	if (r->clock_synced) {
		/* Newest first, so this is the nearest later synced reading for
		 * every older unsynced rating of the same boot. */
		struct timefix_ref ref = { .wall_ms = r->wall_ms, .boot_ms = r->boot_ms };
		memcpy(ref.boot_id, r->boot_id, sizeof(ref.boot_id));
		remember(s, &ref);
		return 0;
	}
	const struct timefix_ref *ref = find(s, r->boot_id);
	if (timefix_correct(r, ref, out) != 0)
		return 0;
	s->used = *ref;
	return 1;
}
