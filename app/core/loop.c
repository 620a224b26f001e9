/*
 * loop: fixed arrays, because a kiosk watches a handful of descriptors
 * (display input, GPIO, signals, scripts) and a few timers. A timer is
 * fired by id after poll returns, so a callback may add or remove others.
 */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#define LOOP_MAX_FDS 64
#define LOOP_MAX_TIMERS 32

struct fd_watch {
	loop_fd_fn fn;
	void *arg;
};

struct timer {
	int id;
	int64_t at_ms;
	loop_timer_fn fn;
	void *arg;
};

struct loop {
	struct pollfd pfd[LOOP_MAX_FDS];
	struct fd_watch watch[LOOP_MAX_FDS];
	int nfds;
	struct timer timers[LOOP_MAX_TIMERS];
	int ntimers;
	int next_id;
};

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));
	if (l)
		l->next_id = 1;
	return l;
}

void loop_free(struct loop *l)
{
	free(l);
}

int64_t loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg)
{
	if (l->nfds == LOOP_MAX_FDS)
		return -1;
	l->pfd[l->nfds] = (struct pollfd){ .fd = fd, .events = events };
	l->watch[l->nfds] = (struct fd_watch){ fn, arg };
	l->nfds++;
	return 0;
}

void loop_del_fd(struct loop *l, int fd)
{
	for (int i = 0; i < l->nfds; i++)
		if (l->pfd[i].fd == fd) {
			/* Mark now, compact later: we may be inside the dispatch loop. */
			l->pfd[i].fd = -1;
			l->pfd[i].revents = 0;
		}
}

static void compact_fds(struct loop *l)
{
	int j = 0;
	for (int i = 0; i < l->nfds; i++)
		if (l->pfd[i].fd >= 0) {
			l->pfd[j] = l->pfd[i];
			l->watch[j] = l->watch[i];
			j++;
		}
	l->nfds = j;
}

int loop_add_timer(struct loop *l, int64_t at_ms, loop_timer_fn fn, void *arg)
{
	if (l->ntimers == LOOP_MAX_TIMERS)
		return -1;
	int id = l->next_id++;
	if (l->next_id <= 0)
		l->next_id = 1;
	l->timers[l->ntimers++] = (struct timer){ id, at_ms, fn, arg };
	return id;
}

void loop_del_timer(struct loop *l, int id)
{
	for (int i = 0; i < l->ntimers; i++)
		if (l->timers[i].id == id) {
			l->timers[i] = l->timers[--l->ntimers];
			return;
		}
}

static int next_timeout(struct loop *l, int max_wait_ms)
{
	int64_t now = loop_now_ms();
	int timeout = max_wait_ms;
	for (int i = 0; i < l->ntimers; i++) {
		int64_t d = l->timers[i].at_ms - now;
		if (d < 0)
			d = 0;
		if (timeout < 0 || d < timeout)
			timeout = (int)d;
	}
	return timeout;
}

/*
 * Fires the timers due now, earliest first: after a stall (a busy machine,
 * a slow commit) several are due at once, and they must still run in the
 * order they were due in. A timer added by a callback here waits for the
 * next turn even when already due, so the program handles the events of
 * this turn in between (a script's next line sees the previous one done).
 */
static int run_due_timers(struct loop *l)
{
	int due[LOOP_MAX_TIMERS], ndue = 0, ran = 0;
	int64_t at[LOOP_MAX_TIMERS];
	int64_t now = loop_now_ms();
	for (int i = 0; i < l->ntimers; i++)
		if (l->timers[i].at_ms <= now) {
			/* insertion sort by due time, then by id (the order they were added) */
			int j = ndue++;
			while (j > 0 && (at[j - 1] > l->timers[i].at_ms ||
					 (at[j - 1] == l->timers[i].at_ms && due[j - 1] > l->timers[i].id))) {
				due[j] = due[j - 1];
				at[j] = at[j - 1];
				j--;
			}
			due[j] = l->timers[i].id;
			at[j] = l->timers[i].at_ms;
		}
	for (int d = 0; d < ndue; d++)
		for (int i = 0; i < l->ntimers; i++)
			if (l->timers[i].id == due[d]) {
				struct timer t = l->timers[i];
				l->timers[i] = l->timers[--l->ntimers];
				t.fn(t.arg);
				ran++;
				break;
			}
	return ran;
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
	compact_fds(l);
	int n = poll(l->pfd, (nfds_t)l->nfds, next_timeout(l, max_wait_ms));
	if (n < 0 && errno != EINTR)
		return -1;
	int ran = 0;
	int count = l->nfds; /* callbacks may add descriptors; run only these */
	for (int i = 0; n > 0 && i < count; i++) {
		short re = l->pfd[i].revents;
		if (re && l->pfd[i].fd >= 0) {
			l->pfd[i].revents = 0;
			l->watch[i].fn(l->pfd[i].fd, re, l->watch[i].arg);
			ran++;
		}
	}
	return ran + run_due_timers(l);
}
