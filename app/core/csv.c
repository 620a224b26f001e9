/* SPDX-License-Identifier: Apache-2.0 */
/* csv: a text field, quoted per RFC 4180 and neutralised against formula injection. */
#include "csv.h"

#include <string.h>

int csv_is_formula(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

void csv_text(const char *s, csv_put_fn put, void *arg)
{
	int guard = csv_is_formula(s);
	if (!strpbrk(s, ",\"\r\n")) {
		if (guard)
			put(arg, "'", 1);
		put(arg, s, strlen(s));
		return;
	}
	put(arg, "\"", 1);
	if (guard)
		put(arg, "'", 1);
	for (const char *run = s;;) {
		const char *q = strchr(run, '"');
		if (!q) {
			put(arg, run, strlen(run));
			break;
		}
		put(arg, run, (size_t)(q - run) + 1);
		put(arg, "\"", 1); /* a quote is written twice */
		run = q + 1;
	}
	put(arg, "\"", 1);
}
