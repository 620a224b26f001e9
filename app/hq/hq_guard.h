/*
 * hq_guard: the limits that keep one client from exhausting head office:
 * a deadline for a request's headers (a client trickling a byte now and
 * then must not hold a connection for ever), a cap on such slow
 * connections per client address that closes the slow ones instead of
 * refusing newcomers, a budget for request-body memory held at once, and
 * enough file descriptors for the connection limit.
 */
#ifndef HQ_GUARD_H
#define HQ_GUARD_H

#include <stddef.h>
#include <sys/socket.h>

struct hq_guard;
struct hq_guard_conn;

/*
 * header_timeout_s: a connection whose request headers are not complete
 * this long after it opened (or after its previous request ended) is shut
 * down; 0: never. slow_per_address: connections of one client address
 * that have been in that header phase for over HQ_GUARD_SLOW_MS; beyond
 * it, such connections are shut down (0: no cap). body_limit: bytes of
 * bodies in flight; 0: unlimited. 0, or -1 with err.
 */
#define HQ_GUARD_SLOW_MS 1000
int hq_guard_start(struct hq_guard **out, double header_timeout_s, int slow_per_address, size_t body_limit,
		   char *err, size_t errlen);
/* Stops the deadline thread; every connection must have been closed. */
void hq_guard_stop(struct hq_guard *g);

/* A connection from addr opened on socket fd: its header deadline starts now. NULL when out of memory (no deadline). */
struct hq_guard_conn *hq_guard_conn_open(struct hq_guard *g, int fd, const struct sockaddr *addr);
/* Its request headers are complete: no deadline while the request is served. */
void hq_guard_conn_headers_done(struct hq_guard *g, struct hq_guard_conn *c);
/* Its request ended: the next request's header deadline starts now. */
void hq_guard_conn_request_done(struct hq_guard *g, struct hq_guard_conn *c);
/* Before its socket is closed. */
void hq_guard_conn_close(struct hq_guard *g, struct hq_guard_conn *c);

/* Counts n more body bytes against the budget: 0, or -1 (over it; nothing counted). */
int hq_guard_body_reserve(struct hq_guard *g, size_t n);
void hq_guard_body_release(struct hq_guard *g, size_t n);

/* Raises this process's descriptor limit to at least want (up to the hard limit). Returns the limit now. */
long hq_guard_raise_fd_limit(long want);

#endif
