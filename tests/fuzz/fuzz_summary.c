/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_summary: the day's figures tally-sync pulls from head office
 * (GET /api/v1/summary) and the staff screens read back from the kiosk
 * store, through protocol_decode_summary, the one decoder both use
 * (app/sync/summary_pull.c, app/kiosk/staff_view.c).
 *
 * A summary the decoder accepts must encode again and decode to the same
 * figures: integers exactly, the two scores to the encoder's six
 * significant digits (a negative score is "no ratings" and comes back -1).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "protocol.h"

static int same_score(double a, double b)
{
	if (a < 0)
		return b == -1;
	return fabs(a - b) <= 1e-5 * fabs(a) + 1e-300;
}

static int same_figures(const struct protocol_figures *a, const struct protocol_figures *b)
{
	return a->scale == b->scale && !memcmp(a->counts, b->counts, sizeof(a->counts)) && a->total == b->total &&
	       a->misuse == b->misuse && a->closed == b->closed && !memcmp(a->hourly, b->hourly, sizeof(a->hourly)) &&
	       same_score(a->positive_pct, b->positive_pct) && same_score(a->happy_index, b->happy_index);
}

static void round_trip(const struct protocol_summary *s, struct protocol_summary *again)
{
	char *text, err[256];
	size_t len;
	if (protocol_encode_summary(s, &text, &len, err, sizeof(err)))
		fuzz_die("a summary the decoder accepted does not encode");
	if (protocol_decode_summary(text, len, again, err, sizeof(err)) != PROTOCOL_OK)
		fuzz_die("an encoded summary does not decode");
	free(text);
	if (strcmp(s->day, again->day) || s->as_of_ms != again->as_of_ms || strcmp(s->store_name, again->store_name) ||
	    s->nareas != again->nareas || !same_figures(&s->kiosk, &again->kiosk) ||
	    !same_figures(&s->store_total, &again->store_total) || !same_figures(&s->chain, &again->chain))
		fuzz_die("round trip changed the summary");
	for (size_t i = 0; i < s->nareas; i++)
		if (strcmp(s->areas[i].area, again->areas[i].area) ||
		    !same_figures(&s->areas[i].figures, &again->areas[i].figures))
			fuzz_die("round trip changed an area");
}

/*
 * The two summaries (26 KiB each: PROTOCOL_MAX_AREAS areas) are
 * allocated once: allocating, poisoning and freeing them under ASan for
 * every input took more time than decoding it. The decoder clears its
 * output first, so nothing of one input is left for the next to read.
 */
static struct protocol_summary *s, *again;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	s = malloc(sizeof(*s));
	again = malloc(sizeof(*again));
	if (!s || !again)
		fuzz_die("out of memory");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: reading past the end is a finding. */
	char *body = malloc(size ? size : 1);
	if (!body)
		fuzz_die("out of memory");
	memcpy(body, data, size);
	char err[256];
	if (protocol_decode_summary(body, size, s, err, sizeof(err)) == PROTOCOL_OK) {
		if (s->nareas > PROTOCOL_MAX_AREAS)
			fuzz_die("more areas than the summary holds");
		round_trip(s, again);
	} else if (!memchr(err, '\0', sizeof(err)) || !err[0]) {
		fuzz_die("a refused summary has no error message");
	}
	free(body);
	return 0;
}
