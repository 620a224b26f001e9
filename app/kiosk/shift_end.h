/*
 * shift_end: when the end-of-shift screen is due. Pure (the kiosk's clock
 * comes in as wall ms, so --now and tests drive it), no SDL.
 *
 * The kiosk asks after each wake whether a shift has ended that it has not
 * shown yet; it shows it only between customers (never during a press, a
 * thank-you or a follow-up) and marks it shown. Each shift is shown once:
 * the last shown end is kept in memory only (nothing is written to the SD
 * card for it). After a restart, a shift that ended less than the grace
 * period ago is shown (again) once; older ones never. A shift whose end
 * passed the grace period while customers kept the kiosk busy is dropped,
 * not shown late.
 */
#ifndef TALLY_SHIFT_END_H
#define TALLY_SHIFT_END_H

#include <stddef.h>
#include <stdint.h>

#include "shift_history.h"

struct shift_end {
	int64_t shown_end_ms;   /* end of the last shift shown or dropped; 0: none yet */
};

/* Nothing shown yet (a kiosk just started). */
void shift_end_init(struct shift_end *e);

/*
 * The latest shift (by h, in zone tz) that ended at or before now_ms and
 * not more than grace_ms ago, and is not shown yet: 1 with *ended filled,
 * 0 none, -1 with err filled. Does not mark it; shift_end_done does.
 */
int shift_end_due(const struct shift_end *e, const struct shifts_history *h, const char *tz, int64_t now_ms,
		  int64_t grace_ms, struct shift_occ *ended, char *err, size_t errlen);

/* Marks the shift that ended at end_ms as shown (and every earlier one). */
void shift_end_done(struct shift_end *e, int64_t end_ms);

/*
 * Milliseconds from now_ms to the next shift end (within two days), for
 * the loop's timer; -1 when none, or on error.
 */
int64_t shift_end_next(const struct shifts_history *h, const char *tz, int64_t now_ms);

#endif
