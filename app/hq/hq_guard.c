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
 * The same pass caps slow connections per client address: those that
 * have been in their header phase for over a second. Beyond the cap they
 * are shut down; a new connection is never refused for it. So kiosks
 * behind one store's NAT, whose requests arrive whole in milliseconds,
 * still get in when something else behind that NAT hoards connections:
 * the limit only ever hits the connections that caused it.
 *
 * The body budget is one atomic counter: bodies are accepted while their
 * bytes fit, and refused with 503 when they would not, so a flood of
 * large uploads costs at most the budget, never the machine's memory.
 */
#include "hq_guard.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"

struct hq_guard_conn {
	int fd;
	unsigned char addr[17];      /* family, then the IPv4 or IPv6 address */
	int64_t since_ms;            /* header phase began */
	int in_headers;
	struct hq_guard_conn *prev, *next;
};

struct hq_guard {
	int64_t header_ms;           /* 0: no deadline */
	int slow_per_address;        /* 0: no cap */
	size_t nconns;
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

/* Counts of slow connections per address, for one pass: open addressing, sized 2x the connections. */
struct addr_count {
	const unsigned char *addr;
	int n;
};

static struct addr_count *slot(struct addr_count *t, size_t size, const unsigned char *addr)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (int i = 0; i < 17; i++)
		h = (h ^ addr[i]) * 16777619u;
	for (size_t i = h & (size - 1);; i = (i + 1) & (size - 1))
		if (!t[i].addr || !memcmp(t[i].addr, addr, 17)) {
			t[i].addr = addr;
			return &t[i];
		}
}

/* One look at every connection, under g->lock. Returns how many were shut down for each reason. */
static void sweep(struct hq_guard *g, int *late, int *hoarded)
{
	int64_t now = mono_ms();
	struct addr_count *t = NULL;
	size_t size = 16;
	while (size < g->nconns * 2)
		size *= 2;
	if (g->slow_per_address > 0)
		t = calloc(size, sizeof(*t)); /* out of memory: only the deadline this time */
	for (struct hq_guard_conn *c = g->conns; c; c = c->next) {
		if (!c->in_headers || c->fd < 0)
			continue;
		if (g->header_ms && now - c->since_ms > g->header_ms) {
			shutdown(c->fd, SHUT_RDWR);
			c->fd = -1; /* once */
			(*late)++;
		} else if (t && now - c->since_ms > HQ_GUARD_SLOW_MS) {
			slot(t, size, c->addr)->n++;
		}
	}
	if (!t)
		return;
	for (struct hq_guard_conn *c = g->conns; c; c = c->next) {
		if (!c->in_headers || c->fd < 0 || now - c->since_ms <= HQ_GUARD_SLOW_MS)
			continue;
		struct addr_count *a = slot(t, size, c->addr);
		if (a->n > g->slow_per_address) {
			shutdown(c->fd, SHUT_RDWR);
			c->fd = -1;
			a->n--;
			(*hoarded)++;
		}
	}
	free(t);
}

static void *deadline_main(void *arg)
{
	struct hq_guard *g = arg;
	/* A tenth of the deadline, within 0.1-0.5 s: cut at most 10 % late. */
	int64_t tick = g->header_ms / 10 < 100 ? 100 : g->header_ms / 10 > 500 ? 500 : g->header_ms / 10;
	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)(tick % 1000) * 1000000;
		until.tv_sec += tick / 1000 + until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&g->wake, &g->lock, &until);
		int late = 0, hoarded = 0;
		sweep(g, &late, &hoarded);
		if (late)
			log_msg(LOG_WARNING, "closed %d connection%s that sent no complete request headers within %.1f s",
				late, late == 1 ? "" : "s", (double)g->header_ms / 1000);
		if (hoarded)
			log_msg(LOG_WARNING, "closed %d slow connection%s over %d per client address", hoarded,
				hoarded == 1 ? "" : "s", g->slow_per_address);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int hq_guard_start(struct hq_guard **out, double header_timeout_s, int slow_per_address, size_t body_limit,
		   char *err, size_t errlen)
{
	*out = NULL;
	struct hq_guard *g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	g->header_ms = header_timeout_s > 0 ? (int64_t)(header_timeout_s * 1000) : 0;
	g->slow_per_address = slow_per_address;
	g->body_limit = body_limit;
	atomic_init(&g->body_bytes, 0);
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (g->header_ms || g->slow_per_address > 0) {
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

struct hq_guard_conn *hq_guard_conn_open(struct hq_guard *g, int fd, const struct sockaddr *addr)
{
	struct hq_guard_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	if (addr && addr->sa_family == AF_INET) {
		c->addr[0] = 4;
		memcpy(c->addr + 1, &((const struct sockaddr_in *)(const void *)addr)->sin_addr, 4);
	} else if (addr && addr->sa_family == AF_INET6) {
		c->addr[0] = 6;
		memcpy(c->addr + 1, &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr, 16);
	}
	c->since_ms = mono_ms();
	c->in_headers = 1;
	pthread_mutex_lock(&g->lock);
	c->next = g->conns;
	if (g->conns)
		g->conns->prev = c;
	g->conns = c;
	g->nconns++;
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
	g->nconns--;
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
