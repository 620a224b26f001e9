/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watchdog: sd_notify from libsystemd. sd_notify finds the socket through
 * $NOTIFY_SOCKET, so tests can stand in for systemd with a datagram socket.
 *
 * The ping is rate-limited to half the interval, as sd_watchdog_enabled(3)
 * recommends: one missed turn of the loop (a slow SQLite commit, a long
 * redraw) must not cost a restart, but two must.
 */
#include "watchdog.h"

#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "loop.h"

int watchdog_init(struct watchdog *w, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	uint64_t usec = 0;
	/* 0 (keep the variables): a child we spawn is not our watchdog's business,
	 * and WATCHDOG_PID already tells it so. */
	int r = sd_watchdog_enabled(0, &usec);
	if (r < 0) {
		snprintf(err, errlen, "watchdog: bad WATCHDOG_USEC/WATCHDOG_PID in the environment: %s", strerror(-r));
		return -1;
	}
	if (r > 0)
		w->interval_ms = (int64_t)(usec / 1000) > 0 ? (int64_t)(usec / 1000) : 1;
	return 0;
}

int64_t watchdog_interval_ms(const struct watchdog *w)
{
	if (w->interval_ms <= 0)
		return 0;
	return w->interval_ms / 2 > 0 ? w->interval_ms / 2 : 1;
}

void watchdog_ready(struct watchdog *w)
{
	if (w->ready_sent)
		return;
	w->ready_sent = 1;
	/* Without NOTIFY_SOCKET this returns 0 and sends nothing. */
	sd_notify(0, "READY=1");
}

void watchdog_ping(struct watchdog *w, int64_t now_ms)
{
	if (w->interval_ms <= 0)
		return;
	if (w->last_ping_ms && now_ms - w->last_ping_ms < watchdog_interval_ms(w))
		return;
	w->last_ping_ms = now_ms;
	sd_notify(0, "WATCHDOG=1");
}

static void on_timer(void *arg)
{
	struct watchdog *w = arg;
	int64_t now = loop_now_ms();
	w->timer = 0;
	watchdog_ping(w, now);
	int id = loop_add_timer(w->loop, now + watchdog_interval_ms(w), on_timer, w);
	w->timer = id > 0 ? id : 0;
}

int watchdog_attach(struct watchdog *w, struct loop *l)
{
	if (w->interval_ms <= 0)
		return 0;
	w->loop = l;
	/* First ping on the first turn: systemd's clock started at exec. */
	int id = loop_add_timer(l, loop_now_ms(), on_timer, w);
	if (id <= 0)
		return -1;
	w->timer = id;
	return 0;
}

void watchdog_detach(struct watchdog *w)
{
	if (w->loop && w->timer)
		loop_del_timer(w->loop, w->timer);
	w->timer = 0;
	w->loop = NULL;
}

void watchdog_stopping(struct watchdog *w)
{
	(void)w;
	sd_notify(0, "STOPPING=1");
}
