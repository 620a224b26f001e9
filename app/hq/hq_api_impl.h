/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_impl: what the files of API v1's core share (hq_api.c routing
 * and authentication, hq_api_answer.c the answers, hq_api_kiosk.c,
 * hq_api_export.c and hq_api_admin.c the routes). Nothing outside those
 * files includes it: the rest of head office uses hq_api.h.
 */
#ifndef HQ_API_IMPL_H
#define HQ_API_IMPL_H

#include <stdint.h>

#include "hq_api.h"

/* hq_api_answer.c */
/* Now, in milliseconds since the epoch (the wall clock). */
int64_t hq_api_now_ms(void);
/* Fills res with status, type and body (taken over); a JSON body gets head office's clock. */
void hq_api_set_body(struct hq_response *res, int status, const char *type, char *body, size_t len);
/* ms as RFC 3339 in UTC with milliseconds, the export's format (csv_export_time). */
void hq_api_utc_text(int64_t ms, char out[32]);

/* hq_api.c */
/* A query argument of req, or NULL. */
const char *hq_api_arg(const struct hq_request *req, const char *name);
/* 1 with k filled from req's kiosk token, or 0 with the error answer made (401, 503). */
int hq_api_auth_kiosk(struct hq_store *db, const struct hq_request *req, struct hq_response *res, struct hq_kiosk *k);

/* The routes: hq_api_kiosk.c */
void hq_api_post_ratings(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
			 struct hq_response *res);
void hq_api_get_summary(struct hq_store *db, const struct hq_request *req, struct hq_response *res);
/* hq_api_export.c */
void hq_api_get_ratings(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
			struct hq_response *res);
/* hq_api_admin.c */
void hq_api_get_kiosks(struct hq_store *db, const struct hq_request *req, struct hq_response *res);
void hq_api_get_metrics(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
			struct hq_response *res);

#endif
