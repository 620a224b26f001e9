/* SPDX-License-Identifier: Apache-2.0 */
/* followup: the follow-up question's shared rules (followup.h). */
#include "followup.h"

#include <stdio.h>
#include <string.h>

#include "score.h"
#include "utf8.h"

int followup_reason_ok(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= FOLLOWUP_REASON_MAX && utf8_name_ok(s);
}

int followup_parse_answers(const char *value, struct config_answers *out, char *why, size_t whylen)
{
	struct config_answers a = { 0 };
	const char *p = value;
	while (*p == ' ' || *p == '\t')
		p++;
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *next = p[len] ? p + len + 1 : p + len;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (a.n == CONFIG_MAX_ANSWERS) {
			snprintf(why, whylen, "at most %d answers, separated by commas", CONFIG_MAX_ANSWERS);
			return -1;
		}
		if (len == 0) {
			snprintf(why, whylen, "answer %d is empty (two commas in a row, or one at the end?)", a.n + 1);
			return -1;
		}
		if (len > FOLLOWUP_REASON_MAX) {
			snprintf(why, whylen, "answer %d is %zu bytes long, at most %d", a.n + 1, len, FOLLOWUP_REASON_MAX);
			return -1;
		}
		memcpy(a.text[a.n], p, len);
		a.text[a.n][len] = '\0';
		if (!followup_reason_ok(a.text[a.n])) {
			snprintf(why, whylen, "answer %d is not printable UTF-8 text", a.n + 1);
			return -1;
		}
		for (int i = 0; i < a.n; i++)
			if (!strcmp(a.text[i], a.text[a.n])) {
				snprintf(why, whylen, "\"%s\" is listed twice", a.text[i]);
				return -1;
			}
		a.n++;
		p = next;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p && next[-1] == ',') {
			snprintf(why, whylen, "answer %d is empty (two commas in a row, or one at the end?)", a.n + 1);
			return -1;
		}
	}
	*out = a;
	return 0;
}

const struct config_answers *followup_answers_for(const struct config *cfg, int value, int scale)
{
	const struct config_answers *a = score_is_positive(value, scale) ? &cfg->followup_positive
									 : &cfg->followup_negative;
	return a->n > 0 ? a : NULL;
}
