/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk: the rating terminal's state and main loop. A press lights its face
 * in the next presented frame, is committed to the store, and only then is
 * the customer thanked.
 *
 * main.c sees kiosk_options and kiosk_run. The rest of this header is the
 * state the kiosk's parts share, one file per job, in the order a press
 * travels:
 *
 *   kiosk_input.c      SDL events (touch, mouse, keys) and the buttons'
 *                      events: where each press goes
 *   staff_access.c     the staff view: opened by the chord, a corner long
 *                      press (and the PIN pad), the schedule; closed by time
 *                      or any press, with the guard after it
 *   rating_flow.c      a press becomes a rating: light the face, commit,
 *                      thank, or show "out of order"
 *   followup_flow.c    the follow-up question between a rating and its
 *                      thank-you; its answer stored with the rating
 *   wall_display.c     [kiosk] mode = display: figures re-read, pages turned
 *   shift_screen.c     a shift's result when it ends, between customers
 *   kiosk_lang.c       the customers' languages: buttons, rotation, return
 *   kiosk_signals.c    SIGHUP reloads the config, SIGTERM/SIGINT stop
 *   kiosk.c            this state, the loop, start and shutdown
 *   kiosk_screenshot.c one screen drawn headless into a PNG (no loop)
 */
#ifndef TALLY_KIOSK_H
#define TALLY_KIOSK_H

#include <sqlite3.h>
#include <stdint.h>

#include "buttons_input.h"
#include "config.h"
#include "display.h"
#include "filter.h"
#include "latency.h"
#include "loop.h"
#include "opening.h"
#include "screen.h"
#include "script.h"
#include "shift_end.h"
#include "shift_stats.h"
#include "staff_view.h"
#include "store.h"
#include "text.h"
#include "watchdog.h"

struct kiosk_options {
	const char *config_path;   /* reloaded on SIGHUP; NULL: built-in defaults */
	int fullscreen;
	int width, height;         /* window size when not fullscreen */
	const char *script;        /* scripted input file, or NULL */
	const char *stats_out;     /* write timing figures here at exit, or NULL */
	int64_t started_ns;        /* CLOCK_MONOTONIC at process start */
	int64_t clock_offset_ms;   /* added to the wall clock for the staff screens (--now, tests) */
};

/* Runs until SIGTERM/SIGINT, the window closes, or a script quits. Exit status. */
int kiosk_run(const struct config *cfg, const struct kiosk_options *opt);

/* --- for the kiosk's parts ---------------------------------------------------- */

struct kiosk {
	const struct config *cfg;  /* == &own, replaced whole by a reload */
	struct config own;
	const struct kiosk_options *opt;
	struct loop *loop;
	struct display *disp;
	struct text *text;
	struct screen *screen;
	struct store *store;
	struct filter filter;
	struct script *script;
	struct buttons_input *buttons;
	int lit_led;               /* button whose LED is on through the thank-you, or -1 */
	struct screen_state state;
	char detail[512];
	char notice[CONFIG_TEXT_MAX + 64]; /* state.notice's text while it shows */
	int notice_timer;          /* ends the notice */
	int dirty;
	int running;
	int exit_code;
	int thanks_timer;
	int retry_timer;
	int burst_timer;
	int signal_fd;
	int64_t pushed_ns;         /* when the script pushed the event being handled */
	int first_frame_done;
	double first_frame_ms;
	int64_t first_frame_ns;    /* CLOCK_MONOTONIC when the first frame was presented */
	struct latency press_to_present;
	struct latency commit;
	int64_t ratings;
	/* staff view, PIN pad and wall display */
	struct staff_view *staff;
	struct staff_data *data;   /* as shown; heap, it holds a whole summary */
	struct staff_data *fresh;  /* wall display: the last read, compared with data */
	sqlite3 *ro_db;            /* wall display: read-only connection */
	int ro_failed;             /* logged that the database cannot be read */
	int staff_timer;           /* closes the staff view or the PIN pad */
	int schedule_timer;
	int64_t schedule_due;      /* wall ms of the next scheduled opening */
	int corner_timer;
	int64_t corner_pointer;    /* finger (or the mouse) held in a corner */
	char pin[16];
	int pin_len, pin_wrong, pin_tries;
	int64_t guard_until;       /* loop ms: presses before this are ignored */
	int64_t guard_edge_ns;     /* closed by a button: its guard on the edge time base, else 0 */
	unsigned swallow;          /* bit per button: its release is not a rating */
	int refresh_timer, page_timer, page, pages;
	struct opening *opening;
	struct watchdog wd;
	unsigned noisy;            /* bit per button whose line stormed, until a clean press */
	int wake[DISPLAY_MAX_WAKE_FDS]; /* the display's descriptors registered with the loop */
	int nwake;
	/* the end-of-shift screen (shift_screen.c) */
	struct shift_end shift_end;   /* which shift ends were shown */
	int shift_timer;              /* wakes at the next shift end */
	int shift_close_timer;        /* ends the screen after [staff] shift_end_s */
	int shift_pending;            /* shift_ended ended: shown at the next idle moment */
	struct shift_occ shift_ended;
	struct shift_result *shift_shown; /* heap: the figures on the screen */
	/* the follow-up question (followup_flow.c) */
	int64_t asked_seq;            /* the rating last stored, asked about after its highlight; 0: none */
	int asked_value, asked_scale;
	int question_timer;           /* no answer by then: the rating stands alone */
	unsigned question_down;       /* bit per button that went down while the question showed */
	/* the customers' languages (kiosk_lang.c) */
	struct config *lang[CONFIG_MAX_LANGS]; /* heap: each language's config; [0] unused (k->cfg) */
	int nlang, lang_cur;
	int lang_rotate_timer, lang_return_timer;
	int need_fallback;                     /* some text has characters the main font lacks */
};

/* The wall clock as the staff screens see it (--now moves it for tests). */
int64_t kiosk_wall_now_ms(const struct kiosk *k);
/* Paints the current screen and presents it now (the first frame also tells systemd READY). */
void kiosk_present(struct kiosk *k);
/* Switches to a screen; it is presented when the loop comes round. */
void kiosk_show(struct kiosk *k, enum screen_name name);
/* Writes what tallyctl status shows of the kiosk; called when that changes. */
void kiosk_update_status(struct kiosk *k);
/* Cancels the loop timer *id if one is set, and clears *id. */
void kiosk_stop_timer(struct kiosk *k, int *id);
/* Why ratings cannot be stored now (for the admin: log, status, staff view), or NULL. */
const char *kiosk_problem(const struct kiosk *k);
/* Opens [screen] fallback_font when a text of some language needs it (start, reload); a missing one is logged. */
void kiosk_open_fallback_font(struct kiosk *k);
/* Lays the screens out anew for the canvas (first start, resize, reload). */
void kiosk_rebuild_screen(struct kiosk *k);
/* Starts (stops) what follows the config in rating mode: buttons, schedule, opening hours. */
void kiosk_start_rating_parts(struct kiosk *k);
void kiosk_stop_rating_parts(struct kiosk *k);

#endif
