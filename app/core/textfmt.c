/* SPDX-License-Identifier: Apache-2.0 */
/* textfmt: numbers and dates from the project's own translations (textfmt.h). */
#include "textfmt.h"

#include <stdio.h>
#include <string.h>


void textfmt_decimal(double value, int decimals, const char *sep, const char *unit, char *out, size_t outlen)
{
	if (value < 0) {
		snprintf(out, outlen, "\u2013");
		return;
	}
	/* "%.1f" in the C locale always writes '.', whatever LANG says: the separator is ours to choose. */
	char num[64];
	snprintf(num, sizeof(num), "%.*f", decimals, value);
	char *dot = strchr(num, '.');
	if (dot) {
		*dot = '\0';
		snprintf(out, outlen, "%s%s%s%s", num, sep, dot + 1, unit);
	} else {
		snprintf(out, outlen, "%s%s", num, unit);
	}
}

void textfmt_count(int64_t n, const char *sep, char *out, size_t outlen)
{
	char digits[32];
	snprintf(digits, sizeof(digits), "%lld", (long long)(n < 0 ? -n : n));
	size_t len = strlen(digits), used = 0;
	if (outlen == 0)
		return;
	if (n < 0 && used + 1 < outlen)
		out[used++] = '-';
	for (size_t i = 0; i < len && used + 1 < outlen; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			for (const char *s = sep; *s && used + 1 < outlen; s++)
				out[used++] = *s;
		out[used++] = digits[i];
	}
	out[used] = '\0';
}

void textfmt_name(const char *list, int i, char *out, size_t outlen)
{
	const char *p = list;
	for (int k = 0; k < i && p; k++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p || outlen == 0) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, ",");
	while (n && p[n - 1] == ' ')
		n--;
	snprintf(out, outlen, "%.*s", (int)n, p);
}

/* The first three characters of name (not bytes: "Mär", "三月"). */
static void abbreviate(const char *name, char *out, size_t outlen)
{
	size_t at = 0;
	for (int k = 0; k < 3 && name[at]; k++) {
		size_t step = 1;
		while (name[at + step] && ((unsigned char)name[at + step] & 0xc0) == 0x80)
			step++;
		at += step;
	}
	snprintf(out, outlen, "%.*s", (int)at, name);
}

void textfmt_date(const struct config *cfg, struct tzdate date, int wday, char *out, size_t outlen)
{
	size_t used = 0;
	if (outlen == 0)
		return;
	out[0] = '\0';
	for (const char *p = cfg->t_date_format; *p && used + 1 < outlen; p++) {
		char piece[CONFIG_NAME_MAX];
		if (*p != '%' || !p[1]) {
			out[used++] = *p;
			out[used] = '\0';
			continue;
		}
		char name[CONFIG_NAME_MAX];
		switch (*++p) {
		case 'A': textfmt_name(cfg->t_weekdays, wday, piece, sizeof(piece)); break;
		case 'a': textfmt_name(cfg->t_weekdays, wday, name, sizeof(name)); abbreviate(name, piece, sizeof(piece)); break;
		case 'B': textfmt_name(cfg->t_months, date.month - 1, piece, sizeof(piece)); break;
		case 'b': textfmt_name(cfg->t_months, date.month - 1, name, sizeof(name)); abbreviate(name, piece, sizeof(piece)); break;
		case 'e': snprintf(piece, sizeof(piece), "%d", date.day); break;
		case 'd': snprintf(piece, sizeof(piece), "%02d", date.day); break;
		case 'm': snprintf(piece, sizeof(piece), "%02d", date.month); break;
		case 'Y': snprintf(piece, sizeof(piece), "%04d", date.year); break;
		case '%': snprintf(piece, sizeof(piece), "%%"); break;
		default: snprintf(piece, sizeof(piece), "%%%c", *p); break;
		}
		int k = snprintf(out + used, outlen - used, "%s", piece);
		used += k > 0 && (size_t)k < outlen - used ? (size_t)k : outlen - used - 1;
	}
	out[used] = '\0';
}
