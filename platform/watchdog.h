/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watchdog: systemd's service watchdog and readiness for a program that
 * runs one event loop (tally-kiosk, tally-sync).
 *
 * With WatchdogSec= in the unit, systemd sets WATCHDOG_USEC and restarts
 * the service when no "WATCHDOG=1" arrives within that interval. The pings
 * must come from the main loop and nowhere else (not a thread, not a
 * signal handler): then a loop that hangs stops pinging and gets the
 * program restarted, which is the whole point. Without systemd (no
 * NOTIFY_SOCKET) every call here is a cheap no-op.
 */
#ifndef TALLY_WATCHDOG_H
#define TALLY_WATCHDOG_H

#include <stdint.h>
#include <stddef.h>

struct loop;

struct watchdog {
	int64_t interval_ms;  /* WATCHDOG_USEC in ms; 0: no watchdog */
	int64_t last_ping_ms; /* monotonic ms of the last WATCHDOG=1, 0: none yet */
	int ready_sent;
	struct loop *loop;    /* set by watchdog_attach */
	int timer;            /* its loop timer id, 0: none */
};

/*
 * Reads WATCHDOG_USEC (and WATCHDOG_PID) from the environment. 0 with the
 * watchdog off or on; -1 with err filled when the variables are malformed
 * (the watchdog stays off: better no pings than a program that refuses to
 * start).
 */
int watchdog_init(struct watchdog *w, char *err, size_t errlen);

/*
 * How often the loop must turn for the pings to keep up: half the
 * watchdog interval, in ms; 0 when there is no watchdog. A program whose
 * loop can sleep longer than this needs a timer at this period (or
 * watchdog_attach, which adds one).
 */
int64_t watchdog_interval_ms(const struct watchdog *w);

/* Sends READY=1 once (later calls do nothing). Call once the service is usable:
 * for the kiosk, once the first frame is presented. */
void watchdog_ready(struct watchdog *w);

/* Sends WATCHDOG=1 if half an interval has passed since the last one. Call
 * from the main loop; now_ms is loop_now_ms(). */
void watchdog_ping(struct watchdog *w, int64_t now_ms);

/*
 * Adds a self-renewing loop timer at watchdog_interval_ms() that calls
 * watchdog_ping, so an idle loop still pings and a hung one does not.
 * Does nothing without a watchdog. 0, or -1 when the loop has no free timer.
 */
int watchdog_attach(struct watchdog *w, struct loop *l);

/* Removes the timer watchdog_attach added. */
void watchdog_detach(struct watchdog *w);

/* Sends STOPPING=1, so systemd knows a slow shutdown is not a hang. */
void watchdog_stopping(struct watchdog *w);

#endif
