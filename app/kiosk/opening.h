/* SPDX-License-Identifier: Apache-2.0 */
/*
 * opening: the store's opening hours on the kiosk. Knows whether the store
 * is open now, wakes the loop exactly when that changes, and dims the
 * panel's backlight while closed (where the panel has one; the kiosk
 * paints a dark screen either way).
 */
#ifndef TALLY_OPENING_H
#define TALLY_OPENING_H

#include <stdint.h>

#include "config.h"
#include "loop.h"

struct opening;

typedef int64_t (*opening_clock_fn)(void *arg);        /* wall ms now */
typedef void (*opening_changed_fn)(int open, void *arg);

/*
 * Starts following cfg's [hours] in cfg's time zone. changed is called on
 * each change (not at start). NULL when out of memory.
 */
struct opening *opening_start(const struct config *cfg, struct loop *loop, opening_clock_fn clock,
			      opening_changed_fn changed, void *arg);
/* Stops; the backlight is restored. NULL is fine. */
void opening_free(struct opening *o);

/* Keeps the backlight up while closed (lit), e.g. for a shift's result at closing time; 0 dims it again. */
void opening_keep_lit(struct opening *o, int lit);

/* Whether the store is open now. */
int opening_is_open(const struct opening *o);

/* While closed: lights the dimmed panel (lit 1) for a press, or dims it again (0). */
void opening_light(struct opening *o, int lit);

/*
 * The customer's sentence for a press while closed: [text] closed with
 * {time} (the next opening), or closed_day with {day} too when that is not
 * today. Without a next opening (closed every day) the sentence up to
 * " {" / the first placeholder is kept, e.g. "Closed". Never fails.
 */
void opening_closed_text(const struct opening *o, const struct config *texts, char *buf, size_t len);

#endif
