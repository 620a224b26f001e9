/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_alert: the API's answers for alerts, reports and the poster.
 *
 *   GET  /api/v1/alert-rules   the rules the asker may see (a store's, and
 *                              its region's), with "can_edit"; a webhook's
 *                              URL only for the chain, a secret never
 *   POST /api/v1/alert-rules   chain role or an admin token (a session
 *                              with X-CSRF-Token); a JSON rule: without
 *                              "id" a new one, with "id" a change of that
 *                              rule (fields left out stay), with
 *                              "delete":true its removal -> the rule
 *   GET  /api/v1/alerts?state=open|all&limit=N
 *                              the recent episodes of the stores the
 *                              asker may see, open ones first
 *   GET  /api/v1/poster?store=S&week=YYYY-Www
 *                              the store's staff-room poster (A4 PDF);
 *                              404 for a store the asker may not see
 */
#ifndef HQ_API_ALERT_H
#define HQ_API_ALERT_H

#include "hq_api.h"

void hq_api_alert_handle(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
			 struct hq_response *res);

#endif
