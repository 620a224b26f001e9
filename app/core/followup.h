/* SPDX-License-Identifier: Apache-2.0 */
/*
 * followup: the rules of the follow-up question ("What was the main
 * reason?") that every program shares: the answer lists' syntax, which
 * list a rating is asked, and what a stored or sent reason may hold.
 *
 * A reason is stored and sent as the text of the answer as configured
 * (1..64 bytes of UTF-8 without control characters), not as an index: an
 * index means nothing once the list is edited, the text keeps meaning what
 * the customer chose.
 */
#ifndef TALLY_FOLLOWUP_H
#define TALLY_FOLLOWUP_H

#include <stddef.h>

#include "config.h"

#define FOLLOWUP_REASON_MAX 64   /* bytes of one reason's text */

/*
 * Parses a comma-separated answer list ("Friendly staff, Waiting time").
 * Spaces around each answer are dropped; "" is an empty list. 0, or -1
 * with why filled (too many, empty answer, too long, not UTF-8).
 */
int followup_parse_answers(const char *value, struct config_answers *out, char *why, size_t whylen);

/* Whether s is a valid reason: 1..FOLLOWUP_REASON_MAX bytes, UTF-8, no control characters. */
int followup_reason_ok(const char *s);

/*
 * The list a rating of value on scale is asked after: the positive list
 * for a positive rating (score_is_positive), the negative one otherwise
 * (a neutral middle face is not positive). NULL when that list is empty:
 * no question.
 */
const struct config_answers *followup_answers_for(const struct config *cfg, int value, int scale);

#endif
