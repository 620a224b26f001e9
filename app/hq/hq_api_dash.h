/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_dash: the dashboard's data as API answers (docs/http-api.md,
 * "The dashboard's data"), JSON or CSV, for a user's session (only the
 * stores of their role) or an admin token (everything):
 *
 *   GET /api/v1/overview?period=|from=&to=&min_ratings=&format=&table=
 *   GET /api/v1/store?store=&period=|from=&to=&format=&table=
 *   GET /api/v1/fleet?format=
 *
 * The figures are hq_dash.h's; this file only turns them into JSON and
 * into CSV with the same columns.
 */
#ifndef HQ_API_DASH_H
#define HQ_API_DASH_H

#include "hq_api.h"

/* Answers GET /api/v1/overview, /api/v1/store and /api/v1/fleet (req->path says which). */
void hq_api_dash(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		 struct hq_response *res);

#endif
