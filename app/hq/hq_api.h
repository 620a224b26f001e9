/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api: head office's HTTP API v1 as plain functions: a request in (method,
 * path, bearer token, query, body already decompressed), a response out
 * (status, content type, body). No sockets here, so the unit tests drive
 * the API directly against a real SQLite file.
 *
 *   GET  /healthz                 -> {"ok":true}
 *   POST /api/v1/ratings          kiosk token; protocol.h's batch -> ack
 *   GET  /api/v1/summary?day=     kiosk token -> protocol.h's summary
 *   GET  /api/v1/ratings?store=&from=&to=&format=json|csv&after=&limit=
 *                                 admin token (everything) or a user's session
 *                                 (only the stores of their role); paged by an opaque cursor
 *   GET  /api/v1/kiosks           admin token -> the fleet, silent ones first
 *   GET  /metrics                 admin token (or none from loopback, if
 *                                 configured) -> Prometheus text
 *   POST /login, POST /logout, GET /api/v1/session, GET /api/v1/stores
 *                                 people's sessions (hq_api_user.h)
 *   GET  /, /store, /fleet, /alerts, /login, /static/...
 *                                 the dashboard's pages and files (hq_static.h)
 *   GET  /api/v1/overview, /api/v1/store, /api/v1/fleet
 *                                 the dashboard's data (hq_api_dash.h)
 *   GET|POST /api/v1/alert-rules, GET /api/v1/alerts, GET /api/v1/poster
 *                                 alerts, reports and the poster (hq_api_alert.h)
 *
 * 409: a batch whose (kiosk, install, seq) is held with other content.
 * Every JSON answer carries "hq_time_ms" and "hq_clock_synced" (protocol.h).
 * Every error is a 4xx (5xx only when head office itself fails: the
 * database) with {"error":"one line"}, and one log line.
 */
#ifndef HQ_API_H
#define HQ_API_H

#include <stddef.h>

#include "hq_session.h"
#include "hq_store.h"

#define HQ_EXPORT_LIMIT_DEFAULT 1000
#define HQ_EXPORT_LIMIT_MAX 10000

struct hq_request {
	const char *method;
	const char *path;
	const char *authorization;          /* header value, or NULL */
	const char *(*query)(void *ctx, const char *name); /* query argument or NULL */
	void *query_ctx;
	const char *body;                   /* POST body (decompressed) */
	size_t body_len;
	const char *peer;                   /* client address, for log lines and login limits */
	const char *cookie;                 /* Cookie header, or NULL */
	const char *content_type;           /* Content-Type header, or NULL */
	const char *csrf_token;             /* X-CSRF-Token header, or NULL */
	const char *origin;                 /* Origin header, or NULL */
	const char *fetch_site;             /* Sec-Fetch-Site header, or NULL */
	const char *host;                   /* Host header, or NULL */
	const char *if_none_match;          /* If-None-Match header, or NULL (hq_static) */
	const char *accept;                 /* Accept header, or NULL (hq_static: a person's 404 page) */
};

struct hq_response {
	int status;
	const char *content_type;
	char *body;                         /* malloc'd, body_len bytes */
	size_t body_len;
	char link[1536];                    /* Link header for the next page, or "" */
	char next_cursor[32];               /* X-Next-Cursor header, or "" */
	char set_cookie[256];               /* Set-Cookie header, or "" */
	int retry_after;                    /* Retry-After header in seconds, or 0 */
	char etag[48];                      /* ETag header, or "" */
	const char *cache_control;          /* Cache-Control header; NULL: no-store */
	char location[600];                 /* Location header (a redirect), or "" */
	const char *csp;                    /* Content-Security-Policy header (pages), or NULL */
	char disposition[256];              /* Content-Disposition header (a CSV download), or "" */
};

struct hq_api_options {
	int max_batch;                      /* ratings per POST */
	int tls;                            /* served over HTTPS: cookies are Secure */
	struct hq_session_options session;
	int metrics_open_on_loopback;       /* GET /metrics from 127.0.0.0/8 or ::1 needs no token */
	/* Stores a batch (hq_store_ingest's contract); NULL: hq_store_ingest on db itself. */
	int (*ingest)(void *ctx, const struct hq_kiosk *k, const struct protocol_batch *b, int64_t now_ms,
		      struct protocol_ack *ack, char *err, size_t errlen);
	void *ingest_ctx;
	/* /healthz: the engine's name ("sqlite" when NULL) and whether the database answers (NULL: it does). */
	const char *db_engine;
	int (*db_ok)(void *ctx, char *why, size_t len);
	void *db_ok_ctx;
	const char *web_root;               /* the dashboard's files (hq_static.h); NULL: none installed */
	int fleet_silent_minutes;           /* the fleet's "silent" (hq_api_fleet.h); 0: HQ_FLEET_SILENT_MIN */
};

/* Answers req; res is always filled (free with hq_api_response_free). */
void hq_api_handle(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		   struct hq_response *res);

/* Fills res with status and {"error":"..."}, and logs the line. For the HTTP layer's own errors too. */
void hq_api_error(struct hq_response *res, const struct hq_request *req, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Fills res with 409 and the conflict (protocol.h): a batch whose (kiosk,
 * install, seq) head office holds with other content; line is the one-line
 * "error". For whoever runs hq_store_ingest and gets 1 back.
 */
void hq_api_conflict(struct hq_response *res, const struct hq_request *req, const struct protocol_conflict *c,
		     const char *line);

void hq_api_response_free(struct hq_response *res);

/*
 * Checks req's bearer token is a live admin token: 1, or 0 with the error
 * answer made (401 none/unknown/expired, 403 a kiosk's token).
 */
int hq_api_auth_admin(struct hq_store *db, const struct hq_request *req, struct hq_response *res);

/* Fills res with 200 and a JSON body it takes over (malloc'd). */
void hq_api_json(struct hq_response *res, char *body, size_t len);
/* The same for a body of another type (a PDF). */
void hq_api_send(struct hq_response *res, const char *type, char *body, size_t len);
/*
 * For a refused token: 1 with msg filled ("the token of kiosk K expired at
 * ...") when hash is a token that was good but expired, else 0. Whoever
 * answers 401 for a token (also before the body is read) says this instead
 * of "unknown or revoked".
 */
int hq_api_expired_message(struct hq_store *db, const uint8_t hash[HQ_HASH_LEN], char *msg, size_t len);

#endif
