/*
 * shift_screen: the end-of-shift moment on the kiosk and the wall display.
 *
 * When a shift ends ([shifts], [staff] shift_end = true, the default), the
 * kiosk shows that shift's result (shift_view.h) for [staff] shift_end_s,
 * between customers: it waits while a face is lit, a thank-you runs, the
 * staff view or PIN pad is open, a corner long press is under way, or the
 * kiosk is out of order, and shows it at the first idle moment within
 * [staff] shift_end_grace_s of the end (later it is dropped, not shown
 * late). During it, a button or number key is a rating as usual: the
 * screen goes and the face lights at once; a touch only closes it (the
 * faces are not on screen to aim at). The wall display shows it between
 * its pages. Once per shift (shift_end.h: in memory, so after a restart
 * within the grace period it may show once more).
 */
#ifndef TALLY_SHIFT_SCREEN_H
#define TALLY_SHIFT_SCREEN_H

#include "kiosk.h"

/* Follows the shifts: records the schedule in the store (rating mode), arms the next end. */
void shift_screen_start(struct kiosk *k);
/* Stops following them; a screen showing is closed. */
void shift_screen_stop(struct kiosk *k);
/* Called every loop turn: shows a shift that ended, if the kiosk is between customers now. */
void shift_screen_idle(struct kiosk *k);
/* Closes the screen (a press, or time up) back to the faces, the dark screen or the wall display. */
void shift_screen_close(struct kiosk *k, const char *why);

#endif
