/* SPDX-License-Identifier: Apache-2.0 */
/* rating: names of a rating's enumerations, shared by store, export and sync. */
#include "rating.h"

#include <string.h>

static const char *source_names[] = { "button", "touch", "key" };

const char *rating_source_name(enum rating_source s)
{
	if ((unsigned)s < sizeof(source_names) / sizeof(source_names[0]))
		return source_names[s];
	return "unknown";
}

int rating_source_parse(const char *name, enum rating_source *out)
{
	for (unsigned i = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++)
		if (!strcmp(name, source_names[i])) {
			*out = (enum rating_source)i;
			return 0;
		}
	return -1;
}
