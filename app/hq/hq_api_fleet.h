/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_fleet: GET /api/v1/fleet?format= (docs/http-api.md), every kiosk
 * of the stores the asker may see with its last batch, backlog, version,
 * clock and conflicts, the ones needing attention first.
 *
 * "silent" means no batch for silent_min minutes (the config's
 * fleet_silent_minutes, HQ_FLEET_SILENT_MIN by default) of the kiosk's
 * opening hours (`tally-hq kiosk hours`; open all day without them), the
 * measure of the silent alert rule: a kiosk closed for the night is not
 * needing attention, and says so ("open_now": false).
 */
#ifndef HQ_API_FLEET_H
#define HQ_API_FLEET_H

#include "hq_api.h"
#include "hq_api_user.h"

/* Minutes of opening hours without a batch after which a kiosk is "silent", unless configured. */
#define HQ_FLEET_SILENT_MIN 60

/*
 * Answers GET /api/v1/fleet for who (a user's session: their stores; an
 * admin token: every kiosk); silent_min as above (0: HQ_FLEET_SILENT_MIN).
 */
void hq_api_fleet(struct hq_store *db, const struct hq_who *who, int silent_min, const struct hq_request *req,
		  struct hq_response *res);

#endif
