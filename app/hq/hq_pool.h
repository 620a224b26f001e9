/*
 * hq_pool: a few threads that run queued work items in arrival order. The
 * HTTP event-loop threads hand every request that needs the database to a
 * pool, so they only ever do network I/O and stay free for the next client.
 */
#ifndef HQ_POOL_H
#define HQ_POOL_H

/* Embed in your own struct; the pool links items through it. */
struct hq_pool_item {
	struct hq_pool_item *next;
};

struct hq_pool;

/* n threads calling run(item, arg) for each pushed item. 0, or -1. */
int hq_pool_start(struct hq_pool **out, int n, void (*run)(struct hq_pool_item *item, void *arg), void *arg);

/* Queues item. 0, or -1 when the pool is stopping (item not taken). */
int hq_pool_push(struct hq_pool *p, struct hq_pool_item *item);

/* Refuses new items from now on, runs every queued one and joins the threads. */
void hq_pool_stop(struct hq_pool *p);
/* Frees a stopped pool (once no one can push any more). */
void hq_pool_free(struct hq_pool *p);

#endif
