/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop: a tiny event loop over file descriptors and timers, in the manner
 * of Redis's ae.c. A program sleeps in poll() until a descriptor is ready
 * or the nearest timer is due, so an idle kiosk or sync daemon costs no CPU.
 */
#ifndef TALLY_LOOP_H
#define TALLY_LOOP_H

#include <stdint.h>

struct loop;

typedef void (*loop_fd_fn)(int fd, short revents, void *arg);
typedef void (*loop_timer_fn)(void *arg);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t loop_now_ms(void);

/* Calls fn when fd has events (POLLIN etc.). 0, or -1 when full. */
int loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg);
void loop_del_fd(struct loop *l, int fd);

/* Calls fn once, at monotonic time at_ms. Returns an id > 0, or -1. */
int loop_add_timer(struct loop *l, int64_t at_ms, loop_timer_fn fn, void *arg);
void loop_del_timer(struct loop *l, int id);

/*
 * Waits for at most max_wait_ms (-1: no limit but the timers) and runs what
 * is ready. Returns the number of callbacks run.
 */
int loop_run_once(struct loop *l, int max_wait_ms);

#endif
