/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_db_pg: the PostgreSQL engine behind hq_db.h. SCAFFOLDING while the
 * libpq engine is being written on its own branch: until then a
 * postgresql:// setting is refused with this one line.
 */
#include "hq_db_impl.h"

#include <stdio.h>

int hq_db_pg_open(struct hq_db **out, const char *uri, char *err, size_t errlen)
{
	(void)uri;
	*out = NULL;
	snprintf(err, errlen, "this tally-hq was built without PostgreSQL support");
	return -1;
}

void hq_db_pg_describe(const char *uri, char *out, size_t len)
{
	(void)uri;
	snprintf(out, len, "a PostgreSQL database");
}
