/* SPDX-License-Identifier: Apache-2.0 */
/*
 * score: the market's definitions, so stores can compare with other
 * systems. The Happy Index is the mean of responses mapped evenly onto
 * 0..100 (4 faces: 0, 33.3, 66.7, 100; 5 faces: 0, 25, 50, 75, 100).
 * Positive responses are the faces above the middle (the neutral face of
 * an odd scale is not positive).
 */
#ifndef TALLY_SCORE_H
#define TALLY_SCORE_H

#include <stdint.h>

/* counts[v] = number of ratings with value v (0 = most negative). */
int64_t score_total(const int64_t *counts, int scale);
/* Happy Index 0..100, or -1 when there are no ratings. */
double score_happy_index(const int64_t *counts, int scale);
/* Percentage of positive ratings 0..100, or -1 when there are none. */
double score_positive_pct(const int64_t *counts, int scale);
/* Whether value v is positive on this scale. */
int score_is_positive(int value, int scale);
/*
 * The face's name for exports and lists, beside its number: "very
 * negative", "negative", "neutral" (odd scales), "positive", "very
 * positive"; 3 faces have no "very". "" for a value outside the scale.
 */
const char *score_face_label(int value, int scale);

#endif
