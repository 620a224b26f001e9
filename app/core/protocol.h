/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol: the JSON wire format between tally-sync and tally-hq (API v1).
 *
 * Pure encode/decode with jansson: no sockets, no curl, no microhttpd, so
 * both ends and their tests share exactly one definition of the format.
 *
 * POST /api/v1/ratings body (one batch of one kiosk store):
 *   {"kiosk":"demo-kiosk","install":"<32 hex digits>","version":"1.2.0","boots":["<boot id 0>",...],
 *    "ratings":[[seq,value,scale,"source",wall_ms,boot_ms,boot_index,
 *                synced,corrected_ms|null,flags(,corrected_by,corrected_err_ms)], ...]}
 * Ratings are arrays, not objects, and boot ids are listed once per batch:
 * that keeps a full batch near 24 bytes per rating once gzipped.
 * "version" (the sending tally-sync's) is optional: head office shows it
 * in its fleet view and accepts batches without it.
 * A decoder accepts extra trailing array elements and extra object members
 * (later versions may add fields, never rename or remove them).
 *
 * Optional, added for shifts (an older head office ignores it, an older
 * kiosk leaves it out): "shifts":[[from_ms,"Early = Mon-Fri 06:00-14:00\n..."],...],
 * the kiosk's shift schedules (shifts_format's text), each with the moment
 * it came into force, oldest first.
 *
 * Optional, added for the follow-up question (followup.h; an older head
 * office ignores it, an older kiosk leaves it out, absent = no answers):
 * "reasons":[[seq,"answer text"],...], the answers of ratings of this
 * batch's (kiosk, install), each 1..64 bytes of UTF-8. A reason travels
 * here whether its rating is in the same batch or was sent in an earlier
 * one (the answer came after the rating was synced): one path, keyed by
 * (kiosk, install, seq), idempotent at head office. A kiosk lists only
 * reasons of ratings head office holds or that this batch carries.
 *
 * "install" is the kiosk store's own random id, made when its database was
 * created: a rating's identity is (kiosk, install, seq), so a re-imaged kiosk
 * (same id and token, a new store whose seq starts at 1 again) is told apart
 * from the store it replaced. A batch without "install" (a kiosk from before
 * install ids) is read as install "" (the legacy identity), so old kiosks
 * keep working.
 * The two trailing rating elements are only sent for a time corrected from
 * head office's clock (corrected_by 1) and its error bound in ms; absent,
 * corrected_by is 0 (the kiosk's own synced clock).
 *
 * 200 answer ("ack"):
 *   {"kiosk":"demo-kiosk","install":"...","accepted":N,"duplicates":D,
 *    "acked_through":S,"gaps":[[from,to],...]}
 * acked_through and gaps are those of the batch's (kiosk, install).
 * 409 answer (the batch's identity is held with different content; nothing
 * of the batch is stored):
 *   {"error":"one line","conflict":{"kiosk":"...","install":"...","count":C,
 *    "ratings":[{"seq":S,"fields":["value","wall_ms",...]},...]}}
 * Any other error answer: {"error":"one line"}.
 * Every answer of tally-hq that is a JSON object also carries
 *   "hq_time_ms":T,"hq_clock_synced":true|false
 * head office's wall clock when the answer was made, and whether that clock
 * is NTP-synced (a kiosk uses T as a time source only when it is).
 */
#ifndef TALLY_PROTOCOL_H
#define TALLY_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "rating.h"

#define PROTOCOL_MAX_BODY (1024 * 1024) /* bytes, after gzip decompression too */
#define PROTOCOL_MAX_BATCH 5000         /* ratings per POST, hard limit */
#define PROTOCOL_MAX_GAPS 100           /* gap ranges listed in an ack */
#define PROTOCOL_MAX_AREAS 64           /* areas listed in a summary's store */
#define PROTOCOL_DAY_MAX 11             /* "YYYY-MM-DD" + NUL */
#define PROTOCOL_INSTALL_MAX 65         /* install id: 1..64 of [0-9A-Za-z_-], + NUL */
#define PROTOCOL_MAX_CONFLICTS 20       /* conflicting ratings listed in a 409 */
/*
 * The largest count a summary may carry: far beyond any chain's ratings,
 * and small enough that what the screens compute from counts (sums of five,
 * pixels times a count) stays inside int64. A head office sending
 * INT64_MAX made the wall display's sum overflow.
 */
#define PROTOCOL_MAX_COUNT 1000000000000000LL

/* Decoder results other than 0. */
enum protocol_status {
	PROTOCOL_OK = 0,
	PROTOCOL_MALFORMED = -1, /* not JSON, wrong types, values out of range */
	PROTOCOL_TOO_MANY = -2,  /* more ratings than the caller's limit */
	PROTOCOL_NOMEM = -3,
};

/* Where a corrected time came from. */
enum protocol_corrected_by {
	PROTOCOL_CORRECTED_KIOSK = 0, /* the kiosk's own clock once NTP-synced */
	PROTOCOL_CORRECTED_HQ = 1,    /* head office's clock, read over the round trip */
};

/* One rating on the wire: the stored rating plus its corrected time. */
struct protocol_rating {
	struct rating r;          /* kiosk_id is the batch's; boot_id filled in */
	int has_corrected;        /* corrected_ms is not null */
	int64_t corrected_ms;     /* wall time corrected from a later synced reading */
	int corrected_by;         /* enum protocol_corrected_by */
	int64_t corrected_err_ms; /* error bound of a head-office correction, else 0 */
};

#define PROTOCOL_MAX_SCHEDULES 16       /* shift schedules in one batch */
#define PROTOCOL_SCHEDULE_MAX 4096      /* bytes of one schedule's text */

/* One shift schedule version carried with a batch. */
struct protocol_schedule {
	int64_t from_ms;
	char *definition;                /* malloc'd, NUL-terminated */
};

/* One follow-up answer carried with a batch: the rating (kiosk, install, seq) it belongs to. */
struct protocol_reason {
	int64_t seq;
	char text[65];           /* FOLLOWUP_REASON_MAX bytes + NUL */
};

struct protocol_batch {
	char kiosk_id[RATING_ID_MAX];
	char version[32];         /* the sender's version, "" when it sent none */
	char install_id[PROTOCOL_INSTALL_MAX]; /* "": a kiosk from before install ids */
	size_t n;
	struct protocol_rating *ratings; /* n of them, malloc'd; protocol_batch_free */
	size_t nschedules;               /* optional "shifts" member */
	struct protocol_schedule *schedules; /* malloc'd; protocol_batch_free */
	size_t nreasons;                 /* optional "reasons" member, at most PROTOCOL_MAX_BATCH */
	struct protocol_reason *reasons; /* malloc'd by the decoder; protocol_batch_free */
};

struct protocol_gap {
	int64_t from, to;         /* inclusive range of missing sequence numbers */
};

/* One rating of a refused batch whose (kiosk, install, seq) is held with other content. */
struct protocol_conflict_item {
	int64_t seq;
	char fields[160];         /* names of the fields that differ, comma-separated */
};

struct protocol_conflict {
	char kiosk_id[RATING_ID_MAX];
	char install_id[PROTOCOL_INSTALL_MAX];
	int64_t count;            /* conflicting ratings in the batch */
	size_t n;                 /* listed in items, at most PROTOCOL_MAX_CONFLICTS */
	struct protocol_conflict_item items[PROTOCOL_MAX_CONFLICTS];
};

struct protocol_ack {
	char kiosk_id[RATING_ID_MAX];
	char install_id[PROTOCOL_INSTALL_MAX];
	int64_t accepted;         /* new ratings stored by this batch */
	int64_t duplicates;       /* ratings head office already held */
	int64_t acked_through;    /* every seq 1..acked_through is at head office */
	size_t ngaps;
	struct protocol_gap gaps[PROTOCOL_MAX_GAPS];
	/* Filled by head office's ingest when it refuses the batch (never encoded in an ack). */
	struct protocol_conflict conflict;
};

/* Figures for one kiosk, store, area or the chain on one day. */
struct protocol_figures {
	int scale;                /* the scale counts[] are on */
	int64_t counts[5];        /* worst .. best, counts[0..scale-1] */
	int64_t total;            /* non-misuse ratings of every scale */
	int64_t misuse;           /* left out of counts, counted apart */
	int64_t closed;           /* outside opening hours: left out, counted apart */
	double positive_pct;      /* 0..100, or -1 for null (no ratings) */
	double happy_index;       /* 0..100, or -1 for null */
	int64_t hourly[24];       /* non-misuse ratings per local hour, time known */
};

struct protocol_area {
	char area[RATING_ID_MAX * 2];
	struct protocol_figures figures;
};

struct protocol_summary {
	char day[PROTOCOL_DAY_MAX];
	int64_t as_of_ms;
	struct protocol_figures kiosk;
	char store_name[RATING_ID_MAX * 2];
	struct protocol_figures store_total;
	size_t nareas;
	struct protocol_area areas[PROTOCOL_MAX_AREAS];
	struct protocol_figures chain;
};

/*
 * Encodes n ratings of kiosk_id as a POST body. *out is malloc'd,
 * NUL-terminated, *outlen bytes without the NUL; the caller frees it.
 * Boot ids are collected into "boots" in order of first use. 0 or -1 with
 * err filled (a rating that would not decode, e.g. value out of range).
 */
int protocol_encode_batch(const char *kiosk_id, const struct protocol_rating *r, size_t n,
			  char **out, size_t *outlen, char *err, size_t errlen);
/*
 * The same from a whole batch: b's kiosk, install id (omitted when "") and
 * ratings, and its shift schedules ("shifts", omitted when none). Members
 * later added to struct protocol_batch are encoded here.
 */
int protocol_encode_batch_of(const struct protocol_batch *b, char **out, size_t *outlen, char *err, size_t errlen);

/* Whether s is a valid install id (1..64 of [0-9A-Za-z_-]). */
int protocol_install_id_valid(const char *s);

/*
 * Decodes and validates a POST body of len bytes (need not be
 * NUL-terminated). Refuses more than max_ratings ratings with
 * PROTOCOL_TOO_MANY. Returns an enum protocol_status; on 0 the caller owns
 * out and frees it with protocol_batch_free; otherwise err says what is
 * wrong in one line (with the index of the offending rating) and out is empty.
 */
int protocol_decode_batch(const char *body, size_t len, size_t max_ratings,
			  struct protocol_batch *out, char *err, size_t errlen);
/* The same through jansson's tree alone (protocol_decode_batch tries batch_scan.h first); for tests. */
int protocol_decode_batch_tree(const char *body, size_t len, size_t max_ratings,
			       struct protocol_batch *out, char *err, size_t errlen);
void protocol_batch_free(struct protocol_batch *b);

/* The ack, both ways. Same conventions as the batch functions. */
int protocol_encode_ack(const struct protocol_ack *a, char **out, size_t *outlen, char *err, size_t errlen);
int protocol_decode_ack(const char *body, size_t len, struct protocol_ack *out, char *err, size_t errlen);

/* The GET /api/v1/summary answer, both ways. */
int protocol_encode_summary(const struct protocol_summary *s, char **out, size_t *outlen, char *err, size_t errlen);
int protocol_decode_summary(const char *body, size_t len, struct protocol_summary *out, char *err, size_t errlen);

/*
 * The 409 answer, both ways: message is the "error" line. Decoding fills c
 * from a body with a "conflict" member: 0, or -1 (not a conflict answer).
 */
int protocol_encode_conflict(const char *message, const struct protocol_conflict *c, char **out, size_t *outlen);
int protocol_decode_conflict(const char *body, size_t len, struct protocol_conflict *c);

/*
 * Head office's clock in an answer. stamp adds "hq_time_ms" and
 * "hq_clock_synced" to the JSON object text *body (malloc'd; reallocated,
 * *len updated): 0, or -1 (not an object, out of memory; body unchanged).
 * decode reads them from any answer: 0 with *ms and *synced set, or -1.
 */
int protocol_stamp_hq_time(char **body, size_t *len, int64_t ms, int synced);
int protocol_decode_hq_time(const char *body, size_t len, int64_t *ms, int *synced);

/* {"error":"..."}: encode one (malloc'd), or pull the message out of one. */
int protocol_encode_error(const char *message, char **out, size_t *outlen);
int protocol_decode_error(const char *body, size_t len, char *msg, size_t msglen);

/* Whether s is a calendar day written YYYY-MM-DD; fills y, m, d if so. */
int protocol_parse_day(const char *s, int *y, int *m, int *d);

#endif
