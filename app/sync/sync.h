/*
 * sync: one round of store-and-forward. Corrects what times it can, then
 * sends unsent ratings in seq order, a batch per POST, marking each batch
 * acknowledged after head office's 200, until nothing is left, head office
 * fails, or a stop is requested. Also remembers the link's state across
 * rounds so that the log says when it changes, not on every retry.
 */
#ifndef TALLY_SYNC_H
#define TALLY_SYNC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "http_client.h"
#include "protocol.h"
#include "store.h"

struct sync;

enum sync_outcome {
	SYNC_DONE,        /* nothing unsent is left */
	SYNC_NO_ANSWER,   /* head office did not answer (down, timeout, cut mid-answer) */
	SYNC_REFUSED,     /* head office answered, but not 200 (or an ack we cannot read) */
	SYNC_STOPPED,     /* the stop flag was raised */
	SYNC_LOCAL_ERROR, /* the kiosk store failed */
	SYNC_CONFLICT,    /* head office holds other ratings under this store's identity (409): needs a person */
};

struct sync_result {
	enum sync_outcome outcome;
	int64_t sent;           /* ratings acknowledged this round */
	int64_t duplicates;     /* of those, ratings head office already had */
	int64_t batches;
	int64_t wire_bytes;     /* gzip'd request bodies */
	int64_t corrected;      /* times corrected this round */
	int64_t unsent;         /* left unsent at the end (-1: unknown) */
	long status;            /* HTTP status of the failing answer, 0 if none */
	enum http_failure failure;
	char problem[768];      /* one line when outcome is not SYNC_DONE */
	struct protocol_conflict conflict; /* SYNC_CONFLICT: what head office says differs */
};


/* cfg, store and http must outlive the sync. 0, or -1 with err filled. */
int sync_new(struct sync **out, const struct config *cfg, struct store *store, struct http_client *http,
	     volatile sig_atomic_t *stop, char *err, size_t errlen);
void sync_free(struct sync *s);

/* Runs one round; see the file comment. */
void sync_round(struct sync *s, struct sync_result *r);

/* Logs r if it changes the link's state (up, down, refused and why). */
/*
 * Writes sync.status for `tallyctl status`: last attempt, its result, last
 * success, consecutive failures, unsent count. Call after sync_log_result.
 */
void sync_write_status(struct sync *s, const struct sync_result *r);

void sync_log_result(struct sync *s, const struct sync_result *r);

/*
 * Deletes acknowledged ratings older than retention_days, and old cached
 * summaries, if the wall clock is synced. Returns rows deleted, or -1.
 */
int64_t sync_prune(struct sync *s, char *err, size_t errlen);

/* "<url>/api/v1/<path>" for this configuration's head office. */
void sync_url(const struct config *cfg, const char *path, char *out, size_t outlen);

#endif
