/* SPDX-License-Identifier: Apache-2.0 */
/* score: Happy Index and % positive from counts per face. */
#include "score.h"

int64_t score_total(const int64_t *counts, int scale)
{
	int64_t n = 0;
	for (int v = 0; v < scale; v++)
		n += counts[v];
	return n;
}

double score_happy_index(const int64_t *counts, int scale)
{
	int64_t n = score_total(counts, scale);
	if (n == 0 || scale < 2)
		return -1;
	double sum = 0;
	for (int v = 0; v < scale; v++)
		sum += (double)counts[v] * (100.0 * v / (scale - 1));
	return sum / (double)n;
}

int score_is_positive(int value, int scale)
{
	return 2 * value > scale - 1;
}

double score_positive_pct(const int64_t *counts, int scale)
{
	int64_t n = score_total(counts, scale), pos = 0;
	if (n == 0)
		return -1;
	for (int v = 0; v < scale; v++)
		if (score_is_positive(v, scale))
			pos += counts[v];
	return 100.0 * (double)pos / (double)n;
}

const char *score_face_label(int value, int scale)
{
	static const char *const three[] = { "negative", "neutral", "positive" };
	static const char *const four[] = { "very negative", "negative", "positive", "very positive" };
	static const char *const five[] = { "very negative", "negative", "neutral", "positive", "very positive" };
	if (value < 0 || value >= scale)
		return "";
	return scale == 3 ? three[value] : scale == 4 ? four[value] : scale == 5 ? five[value] : "";
}
