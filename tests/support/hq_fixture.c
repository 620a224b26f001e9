/* SPDX-License-Identifier: Apache-2.0 */
/* hq_fixture: head office's API without sockets for the unit tests (see hq_fixture.h). */
#include "hq_fixture.h"

#include <stdint.h>
#include <string.h>

#include "../unit/hqtest.h"
#include "hq_token.h"

void hq_fixture_open(struct hq_fixture *f)
{
	char err[512];
	memset(f, 0, sizeof(*f));
	tu_mkdtemp(f->dir, sizeof(f->dir));
	hqtest_target(f->path, sizeof(f->path), f->dir);
	if (hq_store_open(&f->db, f->path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	uint8_t hash[HQ_HASH_LEN];
	assert_int_equal(hq_token_hash("admin-token", 11, hash), 0);
	if (hq_store_admin_add(f->db, hash, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

void hq_fixture_close(struct hq_fixture *f)
{
	hq_store_close(f->db);
	f->db = NULL;
	tu_rmdir(f->dir);
}

int hq_fixture_add_kiosk(struct hq_fixture *f, const char *id, const char *store, const char *area, const char *tz,
			 const char *bearer, char *err, size_t errlen)
{
	struct hq_kiosk k;
	memset(&k, 0, sizeof(k));
	snprintf(k.id, sizeof(k.id), "%s", id);
	snprintf(k.store, sizeof(k.store), "%s", store);
	snprintf(k.area, sizeof(k.area), "%s", area);
	snprintf(k.tz, sizeof(k.tz), "%s", tz);
	const char *token = bearer + strlen("Bearer ");
	uint8_t hash[HQ_HASH_LEN];
	assert_int_equal(hq_token_hash(token, strlen(token), hash), 0);
	return hq_store_kiosk_add(f->db, &k, hash, err, errlen);
}

/* The query's arguments: ctx is a NULL-terminated array of "name=value". */
static const char *query(void *ctx, const char *name)
{
	size_t n = strlen(name);
	for (const char **a = ctx; *a; a++)
		if (!strncmp(*a, name, n) && (*a)[n] == '=')
			return *a + n + 1;
	return NULL;
}

int hq_fixture_call(struct hq_fixture *f, const struct hq_api_options *opt, const char *method, const char *path,
		    const char *auth, const char *body, const char **args, struct hq_response *res)
{
	static const char *none[] = { NULL };
	struct hq_request req = { .method = method, .path = path, .authorization = auth, .body = body,
				  .body_len = body ? strlen(body) : 0, .query = query,
				  .query_ctx = (void *)(args ? args : none), .peer = "test" };
	hq_api_handle(f->db, opt, &req, res);
	return res->status;
}
