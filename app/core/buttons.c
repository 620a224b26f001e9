/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buttons: press semantics over per-line debouncers. All timed work
 * (quiet periods, stuck, chord, noise reports) is a deadline; advance()
 * runs due deadlines one at a time in time order, so the outcome depends
 * only on the edge timestamps and the times passed in, never on how the
 * edges were batched when read.
 */
#include "buttons.h"

#include <string.h>

enum due_kind { DUE_NONE, DUE_DEBOUNCE, DUE_STUCK, DUE_NOISE, DUE_CHORD };

static void emit(struct buttons *b, enum button_event_type type, int i, int64_t at_ns,
		 int64_t held_ns, uint64_t count, int ongoing)
{
	struct button_event ev = { .type = type, .button = i, .at_ns = at_ns,
				   .held_ns = held_ns, .count = count, .ongoing = ongoing };
	b->fn(&ev, b->arg);
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int buttons_init(struct buttons *b, int n, const int *debounce_ms, const int *levels,
		 double stuck_after_s, double staff_hold_s, int64_t now_ns,
		 buttons_event_fn fn, void *arg)
{
	if (n < 1 || n > BUTTONS_MAX)
		return -1;
	memset(b, 0, sizeof(*b));
	b->n = n;
	b->stuck_ns = (int64_t)(stuck_after_s * 1e9);
	b->staff_ns = (int64_t)(staff_hold_s * 1e9);
	b->now_ns = now_ns;
	b->chord_due_ns = DEBOUNCE_NEVER;
	b->fn = fn;
	b->arg = arg;
	for (int i = 0; i < n; i++) {
		struct buttons_line *l = &b->line[i];
		debounce_init(&l->db, debounce_ms[i], levels[i], now_ns);
		l->noise_due_ns = DEBOUNCE_NEVER;
		l->stuck_due_ns = DEBOUNCE_NEVER;
		/* Down already at start: a jammed button or a finger from before.
		 * Not a press we saw begin, so never a rating; it may be stuck. */
		if (l->db.stable) {
			l->down_ns = now_ns;
			l->stuck_due_ns = now_ns + b->stuck_ns;
		}
	}
	return 0;
}

static int is_outer(const struct buttons *b, int i)
{
	return b->n >= 2 && (i == 0 || i == b->n - 1);
}

static void went_down(struct buttons *b, int i, int64_t at, int noisy)
{
	struct buttons_line *l = &b->line[i];
	l->down_ns = at;
	l->stuck_due_ns = at + b->stuck_ns;
	/* A level left behind by a storm is not a customer's press. */
	l->shown = !noisy;
	l->rateable = !noisy;
	if (l->shown)
		emit(b, BUTTON_DOWN, i, at, 0, 0, 0);
	if (is_outer(b, i)) {
		struct buttons_line *other = &b->line[i == 0 ? b->n - 1 : 0];
		if (other->db.stable) {
			/* Both outer buttons down: a staff gesture, not two ratings,
			 * whether or not it is held long enough to open the staff view. */
			l->rateable = 0;
			other->rateable = 0;
			b->chord_due_ns = at + b->staff_ns;
		}
	}
}

static void went_up(struct buttons *b, int i, int64_t at)
{
	struct buttons_line *l = &b->line[i];
	int64_t held = at - l->down_ns;
	if (l->shown) {
		if (l->rateable) {
			l->presses++;
			emit(b, BUTTON_PRESS, i, at, held, 0, 0);
		} else {
			emit(b, BUTTON_RELEASE, i, at, held, 0, 0);
		}
	}
	int was_stuck = l->stuck;
	l->shown = 0;
	l->rateable = 0;
	l->stuck = 0;
	l->stuck_due_ns = DEBOUNCE_NEVER;
	if (is_outer(b, i))
		b->chord_due_ns = DEBOUNCE_NEVER;
	/* Last, so whoever hears it already sees the button as working. */
	if (was_stuck)
		emit(b, BUTTON_RECOVERED, i, at, held, 0, 0);
}

/* Schedules the line's next noise report: now, or a minute after the last one. */
static void noise_schedule(struct buttons_line *l, int64_t earliest)
{
	int64_t due = l->noise_reported ? max64(earliest, l->noise_reported_ns + BUTTONS_NOISE_REPORT_NS) : earliest;
	l->noise_due_ns = min64(l->noise_due_ns, due);
}

static void debounce_result(struct buttons *b, int i, enum debounce_result r, int64_t at)
{
	struct buttons_line *l = &b->line[i];
	if (r == DEBOUNCE_NONE)
		return;
	int noisy = l->storm;
	if (noisy) {
		l->storm = 0;
		noise_schedule(l, at);
	}
	if (r != DEBOUNCE_CHANGED)
		return;
	if (l->db.stable)
		went_down(b, i, at, noisy);
	else
		went_up(b, i, at);
}

static void noise_report(struct buttons *b, int i, int64_t at)
{
	struct buttons_line *l = &b->line[i];
	l->noise_due_ns = DEBOUNCE_NEVER;
	if (l->noise_pending == 0)
		return;
	emit(b, BUTTON_NOISE, i, at, 0, l->noise_pending, l->storm);
	l->noise_pending = 0;
	l->noise_reported = 1;
	l->noise_reported_ns = at;
	/* A storm still going is reported again only once it ends. */
}

static enum due_kind next_due(const struct buttons *b, int64_t *at, int *line)
{
	enum due_kind kind = DUE_NONE;
	*at = DEBOUNCE_NEVER;
	*line = -1;
	if (b->chord_due_ns < *at) {
		*at = b->chord_due_ns;
		kind = DUE_CHORD;
	}
	for (int i = 0; i < b->n; i++) {
		const struct buttons_line *l = &b->line[i];
		int64_t d = debounce_deadline(&l->db);
		if (d < *at) {
			*at = d; *line = i; kind = DUE_DEBOUNCE;
		}
		if (l->stuck_due_ns < *at) {
			*at = l->stuck_due_ns; *line = i; kind = DUE_STUCK;
		}
		if (l->noise_due_ns < *at) {
			*at = l->noise_due_ns; *line = i; kind = DUE_NOISE;
		}
	}
	return kind;
}

static void advance(struct buttons *b, int64_t t, const int *levels)
{
	for (;;) {
		int64_t at;
		int i;
		enum due_kind kind = next_due(b, &at, &i);
		if (kind == DUE_NONE || at > t)
			break;
		b->now_ns = max64(b->now_ns, at);
		switch (kind) {
		case DUE_DEBOUNCE: {
			struct buttons_line *l = &b->line[i];
			int64_t when;
			enum debounce_result r = debounce_tick(&l->db, at, levels ? levels[i] : l->db.raw, &when);
			debounce_result(b, i, r, when);
			break;
		}
		case DUE_STUCK:
			b->line[i].stuck_due_ns = DEBOUNCE_NEVER;
			b->line[i].stuck = 1;
			b->line[i].rateable = 0;
			emit(b, BUTTON_STUCK, i, at, at - b->line[i].down_ns, 0, 0);
			break;
		case DUE_NOISE:
			noise_report(b, i, at);
			break;
		case DUE_CHORD:
			b->chord_due_ns = DEBOUNCE_NEVER;
			emit(b, BUTTON_STAFF, 0, at, b->staff_ns, 0, 0);
			break;
		case DUE_NONE:
			break;
		}
	}
	b->now_ns = max64(b->now_ns, t);
}

void buttons_edge(struct buttons *b, int i, int level, int64_t ts_ns)
{
	if (i < 0 || i >= b->n)
		return;
	/* Edges from different lines may be read slightly out of order. */
	if (ts_ns < b->now_ns)
		ts_ns = b->now_ns;
	advance(b, ts_ns, NULL);
	struct buttons_line *l = &b->line[i];
	int64_t when;
	enum debounce_result r = debounce_edge(&l->db, level, ts_ns, &when);
	debounce_result(b, i, r, when);
	if (l->storm) {
		l->noise_edges++;
		l->noise_pending++;
	} else if (l->db.burst_edges >= BUTTONS_NOISE_EDGES) {
		l->storm = 1;
		l->noise_edges += l->db.burst_edges;
		l->noise_pending += l->db.burst_edges;
		/* A press interrupted by a storm is no longer a trustworthy rating. */
		l->rateable = 0;
		noise_schedule(l, l->db.burst_start_ns + BUTTONS_NOISE_REPORT_NS);
	}
}

void buttons_tick(struct buttons *b, int64_t now_ns, const int *levels)
{
	advance(b, now_ns, levels);
}

int64_t buttons_deadline(const struct buttons *b)
{
	int64_t at;
	int i;
	next_due(b, &at, &i);
	return at;
}

void buttons_status(const struct buttons *b, int i, struct button_status *st)
{
	const struct buttons_line *l = &b->line[i];
	*st = (struct button_status){ .raw = l->db.raw, .down = l->db.stable, .stuck = l->stuck,
				      .storm = l->storm, .presses = l->presses,
				      .noise_edges = l->noise_edges };
}

int buttons_any_stuck(const struct buttons *b)
{
	for (int i = 0; i < b->n; i++)
		if (b->line[i].stuck)
			return 1;
	return 0;
}

const char *buttons_event_name(enum button_event_type t)
{
	switch (t) {
	case BUTTON_DOWN: return "down";
	case BUTTON_PRESS: return "press";
	case BUTTON_RELEASE: return "release";
	case BUTTON_STUCK: return "stuck";
	case BUTTON_RECOVERED: return "recovered";
	case BUTTON_STAFF: return "staff";
	case BUTTON_NOISE: return "noise";
	}
	return "?";
}
