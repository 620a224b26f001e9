/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buttons: what the debounced button lines mean, as events for the kiosk.
 *
 * The face lights at the debounced down edge (BUTTON_DOWN), but the rating
 * is decided at the release (BUTTON_PRESS), so that a jammed button, a
 * noise storm or a member of staff holding the chord never becomes a
 * rating. Every DOWN is followed, at its release, by exactly one PRESS or
 * RELEASE, so the UI can light a face on DOWN and clear it on either.
 *
 *   stuck:  held stuck_after_s -> one BUTTON_STUCK; its release is no
 *           rating, and brings BUTTON_RECOVERED.
 *   chord:  the outer buttons (first and last) down together -> neither is
 *           a rating; held together staff_hold_s -> one BUTTON_STAFF.
 *   noise:  a burst of BUTTONS_NOISE_EDGES edges or more without a quiet
 *           period is a storm, not a press: whatever level it leaves is
 *           taken silently. Storms are reported as BUTTON_NOISE with an edge
 *           count, at most once a minute per line (when the storm ends, or a
 *           minute into one that does not).
 *   start:  a line already down when opened is taken as held, silently
 *           (no DOWN, no rating), and can become stuck.
 *
 * Pure and clock-free like debounce: time comes in as nanoseconds, so
 * recorded edge sequences replay exactly and tests feed time.
 */
#ifndef TALLY_BUTTONS_H
#define TALLY_BUTTONS_H

#include <stdint.h>

#include "debounce.h"

#define BUTTONS_MAX 5
/* Contact bounce is a handful of edges; a floating line makes thousands. */
#define BUTTONS_NOISE_EDGES 100
/* Noise reports per line are at least this far apart, so a storm cannot fill the log. */
#define BUTTONS_NOISE_REPORT_NS (60 * (int64_t)1000000000)

enum button_event_type {
	BUTTON_DOWN,      /* debounced press: light the face now */
	BUTTON_PRESS,     /* released: a rating for this button */
	BUTTON_RELEASE,   /* released, no rating (stuck, chord, noise) */
	BUTTON_STUCK,     /* held stuck_after_s: ignored until released */
	BUTTON_RECOVERED, /* a stuck button was released */
	BUTTON_STAFF,     /* outer buttons held together staff_hold_s */
	BUTTON_NOISE,     /* edge storm on a line */
};

struct button_event {
	enum button_event_type type;
	int button;       /* 0-based, from the left; for STAFF the first button */
	int64_t at_ns;    /* when it was decided, on the edge time base */
	int64_t held_ns;  /* PRESS, RELEASE, RECOVERED: how long the button was down */
	uint64_t count;   /* NOISE: edges since the line's previous report */
	int ongoing;      /* NOISE: the storm is still going */
};

typedef void (*buttons_event_fn)(const struct button_event *ev, void *arg);

/* For tallyctl status and the wiring check. */
struct button_status {
	int raw;              /* last raw level seen (1 = pressed) */
	int down;             /* debounced state */
	int stuck;
	int storm;            /* a noise storm is going on now */
	uint32_t presses;     /* PRESS events since start */
	uint64_t noise_edges; /* edges counted as noise since start */
	int led;              /* filled by whoever drives the LEDs; 0 here */
};

struct buttons_line {
	struct debounce db;
	int shown;             /* DOWN was emitted for this hold */
	int rateable;          /* this hold can still become a rating */
	int64_t down_ns;
	int64_t stuck_due_ns;  /* DEBOUNCE_NEVER when not armed */
	int stuck;
	uint32_t presses;
	int storm;
	uint64_t noise_edges;
	uint64_t noise_pending;
	int64_t noise_due_ns;
	int64_t noise_reported_ns;
	int noise_reported;
};

struct buttons {
	int n;
	int64_t stuck_ns;
	int64_t staff_ns;
	int64_t now_ns;
	int64_t chord_due_ns;
	buttons_event_fn fn;
	void *arg;
	struct buttons_line line[BUTTONS_MAX];
};

/*
 * n buttons (1..BUTTONS_MAX), each with its debounce time and its level
 * when opened; events go to fn. Returns 0, or -1 if n is out of range.
 */
int buttons_init(struct buttons *b, int n, const int *debounce_ms, const int *levels,
		 double stuck_after_s, double staff_hold_s, int64_t now_ns,
		 buttons_event_fn fn, void *arg);

/* One raw edge of button i. Deadlines before ts_ns are decided first. */
void buttons_edge(struct buttons *b, int i, int level, int64_t ts_ns);

/*
 * Advances time to now_ns. levels: each line's level re-read now (the
 * debounce decision), or NULL to take the last edge's level.
 */
void buttons_tick(struct buttons *b, int64_t now_ns, const int *levels);

/* When buttons_tick next has work, or DEBOUNCE_NEVER: sleep until then. */
int64_t buttons_deadline(const struct buttons *b);

/* Status of button i. */
void buttons_status(const struct buttons *b, int i, struct button_status *st);

/* Whether any button is stuck now (a reason for the status LED). */
int buttons_any_stuck(const struct buttons *b);

/* "down", "press", ... for logs and the wiring check. */
const char *buttons_event_name(enum button_event_type t);

#endif
