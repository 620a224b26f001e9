/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rating: one press of a face, as the store keeps it and head office gets it.
 *
 * Times: the Pi has no battery-backed clock, so wall time alone cannot be
 * trusted after a power cut. Each rating also carries CLOCK_BOOTTIME and
 * the boot id, so a later synced reading in the same boot can correct it,
 * and whether the wall clock was synced when the press happened.
 */
#ifndef TALLY_RATING_H
#define TALLY_RATING_H

#include <stdint.h>

#define RATING_ID_MAX 64
#define RATING_BOOT_ID_MAX 40

enum rating_source { SOURCE_BUTTON, SOURCE_TOUCH, SOURCE_KEY };

/* Flags kept with a rating; scores leave flagged ratings out unless asked. */
enum rating_flag {
	RATING_MISUSE = 1 << 0, /* inside the response interval of the previous press */
	RATING_CLOSED = 1 << 1, /* outside opening hours */
};

struct rating {
	int64_t seq;                   /* set by the store; never reused */
	char kiosk_id[RATING_ID_MAX];
	int value;                     /* 0 = most negative .. scale-1 */
	int scale;                     /* number of faces: 3, 4 or 5 */
	enum rating_source source;
	int64_t wall_ms;               /* CLOCK_REALTIME, ms since the epoch */
	int64_t boot_ms;               /* CLOCK_BOOTTIME, ms */
	char boot_id[RATING_BOOT_ID_MAX];
	int clock_synced;              /* wall clock was NTP-synced at the press */
	int flags;                     /* enum rating_flag */
};

/* "button", "touch" or "key". */
const char *rating_source_name(enum rating_source s);
/* Parses a name from rating_source_name; returns -1 if unknown. */
int rating_source_parse(const char *name, enum rating_source *out);

#endif
