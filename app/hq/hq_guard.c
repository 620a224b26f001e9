/*
 * hq_guard: header deadlines, body budget, descriptor limit.
 *
 * libmicrohttpd's own timeout is an idle timeout: every byte restarts it,
 * so a client sending one header byte every 5 s would hold its connection
 * (and, by the thousand, every free slot) for ever. Here each connection
 * sits in a list while it is in its header phase; a thread looks at the
 * list a few times a second and shuts down (shutdown(2), which libmicrohttpd
 * then sees as the client going away) every socket past its deadline.
 * The list is under one mutex that the close notification also takes, and
 * libmicrohttpd notifies before it closes the descriptor, so a descriptor
 * is never shut down after it was closed and reused.
 *
 * The body budget is one atomic counter: bodies are accepted while their
 * bytes fit, and refused with 503 when they would not, so a flood of
 * large uploads costs at most the budget, never the machine's memory.
 */
#include "hq_guard.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"

struct hq_guard_conn {
	int fd;
	int64_t since_ms;            /* header phase began */
	int in_headers;
	struct hq_guard_conn *prev, *next;
};

struct hq_guard {
	int64_t header_ms;           /* 0: no deadline */
	size_t body_limit;
	atomic_size_t body_bytes;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct hq_guard_conn *conns; /* every open connection */
	int stopping;
	int has_thread;
	pthread_t thread;
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *deadline_main(void *arg)
{
	struct hq_guard *g = arg;
	/* A tenth of the deadline, within 0.1-1 s: cut at most 10 % late. */
	int64_t tick = g->header_ms / 10 < 100 ? 100 : g->header_ms / 10 > 1000 ? 1000 : g->header_ms / 10;
	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)(tick % 1000) * 1000000;
		until.tv_sec += tick / 1000 + until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&g->wake, &g->lock, &until);
		int64_t now = mono_ms();
		int cut = 0;
		for (struct hq_guard_conn *c = g->conns; c; c = c->next)
			if (c->in_headers && c->fd >= 0 && now - c->since_ms > g->header_ms) {
				shutdown(c->fd, SHUT_RDWR);
				c->fd = -1; /* once */
				cut++;
			}
		if (cut)
			log_msg(LOG_WARNING, "closed %d connection%s that sent no complete request headers within %.1f s",
				cut, cut == 1 ? "" : "s", (double)g->header_ms / 1000);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int hq_guard_start(struct hq_guard **out, double header_timeout_s, size_t body_limit, char *err, size_t errlen)
{
	*out = NULL;
	struct hq_guard *g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	g->header_ms = header_timeout_s > 0 ? (int64_t)(header_timeout_s * 1000) : 0;
	g->body_limit = body_limit;
	atomic_init(&g->body_bytes, 0);
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (g->header_ms) {
		if (pthread_create(&g->thread, NULL, deadline_main, g)) {
			snprintf(err, errlen, "cannot start the header deadline thread");
			hq_guard_stop(g);
			return -1;
		}
		g->has_thread = 1;
	}
	*out = g;
	return 0;
}

void hq_guard_stop(struct hq_guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	if (g->has_thread)
		pthread_join(g->thread, NULL);
	while (g->conns) {
		struct hq_guard_conn *c = g->conns;
		g->conns = c->next;
		free(c);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

struct hq_guard_conn *hq_guard_conn_open(struct hq_guard *g, int fd)
{
	struct hq_guard_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	c->since_ms = mono_ms();
	c->in_headers = 1;
	pthread_mutex_lock(&g->lock);
	c->next = g->conns;
	if (g->conns)
		g->conns->prev = c;
	g->conns = c;
	pthread_mutex_unlock(&g->lock);
	return c;
}

void hq_guard_conn_headers_done(struct hq_guard *g, struct hq_guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	c->in_headers = 0;
	pthread_mutex_unlock(&g->lock);
}

void hq_guard_conn_request_done(struct hq_guard *g, struct hq_guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	c->in_headers = 1;
	c->since_ms = mono_ms();
	pthread_mutex_unlock(&g->lock);
}

void hq_guard_conn_close(struct hq_guard *g, struct hq_guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		g->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&g->lock);
	free(c);
}

int hq_guard_body_reserve(struct hq_guard *g, size_t n)
{
	if (!g->body_limit) {
		atomic_fetch_add(&g->body_bytes, n);
		return 0;
	}
	size_t cur = atomic_load(&g->body_bytes);
	do {
		if (cur + n > g->body_limit || cur + n < cur)
			return -1;
	} while (!atomic_compare_exchange_weak(&g->body_bytes, &cur, cur + n));
	return 0;
}

void hq_guard_body_release(struct hq_guard *g, size_t n)
{
	atomic_fetch_sub(&g->body_bytes, n);
}

long hq_guard_raise_fd_limit(long want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < want) {
		rlim_t to = (rl.rlim_max == RLIM_INFINITY || (long)rl.rlim_max >= want) ? (rlim_t)want : rl.rlim_max;
		struct rlimit raised = { .rlim_cur = to, .rlim_max = rl.rlim_max };
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl.rlim_cur = to;
	}
	return rl.rlim_cur == RLIM_INFINITY ? want : (long)rl.rlim_cur;
}
