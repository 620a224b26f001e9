/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_user: the API's answers for people (hq_users.h) and who is asking.
 *
 *   POST /login          {"user","password"} as JSON or a form -> session
 *                        cookie and {"user","role","scopes","csrf_token"};
 *                        401 wrong name or password, 429 + Retry-After
 *                        after too many failures (hq_session.h)
 *   POST /logout         session + X-CSRF-Token -> the cookie cleared
 *   GET  /api/v1/session who the cookie belongs to, and its csrf_token
 *   GET  /api/v1/stores  the stores (with region and active kiosks) and
 *                        the regions the asker may see
 */
#ifndef HQ_API_USER_H
#define HQ_API_USER_H

#include "hq_api.h"
#include "hq_users.h"

/* Who asks: an admin token (sees everything) or a signed-in user. */
struct hq_who {
	int admin;
	struct hq_user user;     /* when !admin */
};

/*
 * Authenticates req for a read (write 0) or a state change (write 1: a
 * session must pass the CSRF check). An Authorization: Bearer header is
 * taken as an admin token, else the session cookie. 1 with who filled, or
 * 0 with the error answer made (401 nobody, 403 a kiosk token or a failed
 * CSRF check).
 */
int hq_api_who(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
	       struct hq_response *res, int write, struct hq_who *who);

/*
 * POST /login: a JSON or form body {user, password}. A script gets JSON
 * (200 with the cookie, 401, 429); the login page's form posted without
 * JavaScript (its hidden reply=page) gets 303 to the page's ?next= (a path
 * of this server, else /) with the cookie, or back to /login#wrong or
 * #limited. Both pass the same origin check and rate limits.
 */
void hq_api_login(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		  struct hq_response *res);
void hq_api_logout(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		   struct hq_response *res);
void hq_api_session(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		    struct hq_response *res);
void hq_api_stores(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		   struct hq_response *res);

#endif
