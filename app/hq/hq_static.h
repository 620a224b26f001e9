/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_static: the dashboard's pages and files, served by tally-hq from its
 * installed web directory (sharedir.h: DATADIR/web).
 *
 *   GET /              the overview (index.html)       \
 *   GET /store         a store's page (store.html)      | a signed-in user;
 *   GET /fleet         the kiosks (fleet.html)          | others get 303 to
 *   GET /alerts        alert rules (alerts.html)       /  /login?next=...
 *   GET /login         the login form (login.html), for everyone
 *   GET /static/FILE   the pages' scripts, styles and the vendored chart
 *                      library: FILE under the web directory, any file
 *                      but *.html, no directory listing
 *
 * Every answer carries an ETag (a hash of the content) with
 * Cache-Control: no-cache, so a browser asks again each time and gets 304
 * when nothing changed: a new release is seen at once, an unchanged file
 * is not sent twice. Pages carry a Content-Security-Policy that allows
 * only head office's own scripts and styles.
 *
 * A 404 goes to a person or to a script: a GET of anything but /api/...
 * whose Accept ranks text/html above application/json (a browser opening
 * a guessed address such as /fleet.html) gets not-found.html, a page in
 * the dashboard's style with a link to the overview; everything else
 * (curl, fetch(), a kiosk, any /api/ path) keeps the JSON 404.
 *
 * What stops a path from leaving the web directory: every segment must be
 * [A-Za-z0-9_.-]+ and not start with '.', and the resolved path (symlinks
 * followed) must still lie inside it; anything else is 404 like a file
 * that does not exist.
 */
#ifndef HQ_STATIC_H
#define HQ_STATIC_H

#include "hq_api.h"

/* 1 when a GET of path is the dashboard's (the routes above), else 0. */
int hq_static_route(const char *path);

/* Answers a GET or HEAD of one of those routes from opt->web_root; res is always filled. */
void hq_static_handle(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		      struct hq_response *res);

/*
 * 1 when an Accept header prefers text/html to application/json (RFC 9110
 * ranges and q-values: the most specific range that matches each type
 * counts; text/html must be named, itself or as text with any subtype,
 * "any type" alone is a script's); NULL: 0.
 */
int hq_static_wants_html(const char *accept);

/*
 * Makes res, a 404 already filled for req, the dashboard's "page not
 * found" page when req is a GET or HEAD outside /api/ from a person
 * (hq_static_wants_html) and the page is installed; else leaves it as is.
 */
void hq_static_not_found(const struct hq_api_options *opt, const struct hq_request *req, struct hq_response *res);

/* The Content-Type for a file name by its extension; NULL for one head office does not serve. */
const char *hq_static_type(const char *name);

#endif
