/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_fixture: head office's request handler without sockets, for the unit
 * tests of its API (test_hq_api.c, test_hq_ops.c): a real store in a
 * scratch directory with the admin token "admin-token", kiosks registered
 * with their tokens, and hq_api_handle called as the HTTP layer calls it.
 * Failures are cmocka assertions, so a test needs no error handling of its own.
 */
#ifndef TALLY_HQ_FIXTURE_H
#define TALLY_HQ_FIXTURE_H

#include <stddef.h>

#include "hq_api.h"
#include "hq_store.h"

#define HQ_FIXTURE_ADMIN "Bearer admin-token"

struct hq_fixture {
	char dir[512];          /* the scratch directory, removed by hq_fixture_close */
	char path[600];         /* the store's database: dir/hq.db, or a fresh PostgreSQL database (hqtest.h) */
	struct hq_store *db;
};

/* A fresh store at f->path with the admin token; f is filled. */
void hq_fixture_open(struct hq_fixture *f);
/* Closes the store and removes the directory with everything in it. */
void hq_fixture_close(struct hq_fixture *f);

/*
 * Registers kiosk id of store/area in time zone tz with the token in
 * bearer ("Bearer TOKEN", as the kiosk sends it). hq_store_kiosk_add's
 * status; its message in err.
 */
int hq_fixture_add_kiosk(struct hq_fixture *f, const char *id, const char *store, const char *area, const char *tz,
			 const char *bearer, char *err, size_t errlen);

/*
 * Answers one request: method and path, the Authorization header (or
 * NULL), a NUL-terminated body (or NULL) and the query's arguments as
 * "name=value" strings, NULL-terminated (or NULL for none). Returns the
 * status; res is filled (free with hq_api_response_free).
 */
int hq_fixture_call(struct hq_fixture *f, const struct hq_api_options *opt, const char *method, const char *path,
		    const char *auth, const char *body, const char **args, struct hq_response *res);

#endif
