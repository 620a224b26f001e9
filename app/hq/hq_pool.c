/*
 * hq_pool: a mutex, a condition and a FIFO. Items are the callers' own
 * memory (nothing is allocated per item), and stop drains the queue so
 * that every request handed over is answered.
 */
#include "hq_pool.h"

#include <pthread.h>
#include <stdlib.h>

struct hq_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct hq_pool_item *head, *tail;
	int stopping;
	void (*run)(struct hq_pool_item *item, void *arg);
	void *arg;
	int n;
	pthread_t threads[];
};

static void *worker(void *arg)
{
	struct hq_pool *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->cond, &p->lock);
		struct hq_pool_item *it = p->head;
		if (!it)
			break;
		p->head = it->next;
		if (!p->head)
			p->tail = NULL;
		pthread_mutex_unlock(&p->lock);
		it->next = NULL;
		p->run(it, p->arg);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int hq_pool_start(struct hq_pool **out, int n, void (*run)(struct hq_pool_item *item, void *arg), void *arg)
{
	*out = NULL;
	if (n < 1)
		n = 1;
	struct hq_pool *p = calloc(1, sizeof(*p) + (size_t)n * sizeof(pthread_t));
	if (!p)
		return -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->run = run;
	p->arg = arg;
	for (; p->n < n; p->n++)
		if (pthread_create(&p->threads[p->n], NULL, worker, p))
			break;
	if (p->n == 0) {
		hq_pool_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int hq_pool_push(struct hq_pool *p, struct hq_pool_item *item)
{
	pthread_mutex_lock(&p->lock);
	if (p->stopping) {
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	item->next = NULL;
	if (p->tail)
		p->tail->next = item;
	else
		p->head = item;
	p->tail = item;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void hq_pool_stop(struct hq_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->n; i++)
		pthread_join(p->threads[i], NULL);
	p->n = 0;
}

void hq_pool_free(struct hq_pool *p)
{
	if (!p)
		return;
	hq_pool_stop(p);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
