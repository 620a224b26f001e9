/* SPDX-License-Identifier: Apache-2.0 */
/*
 * followup_flow: the follow-up question between a rating and its
 * thank-you. The rating is already committed when the question shows (an
 * acknowledged press is never lost, whatever happens to the question);
 * the answer is then stored with it (store_set_reason), durably, before
 * the thank-you. No answer within [screen] followup_s: the rating stands
 * alone, and the customer is thanked all the same.
 *
 * While the question shows, no press is a rating: a button, a touch or a
 * key either chooses an answer or is ignored (logged). A button counts
 * only when it went down after the question showed, so the release of a
 * press that began on the faces never answers a question its customer had
 * not seen.
 */
#ifndef TALLY_FOLLOWUP_FLOW_H
#define TALLY_FOLLOWUP_FLOW_H

#include "kiosk.h"

/* The rating just stored (seq, value, scale): asked about when its highlight ends. */
void followup_flow_rated(struct kiosk *k, const struct rating *r);
/* Shows the question for the rating last stored, if its kind has answers: 1 shown, 0 not asked. */
int followup_flow_ask(struct kiosk *k);

/* Presses while the question shows (kiosk_input.c routes them here). */
void followup_flow_button_down(struct kiosk *k, int button);
void followup_flow_button_press(struct kiosk *k, int button);
void followup_flow_button_release(struct kiosk *k, int button);
/* A touch at logical (x, y). */
void followup_flow_touch(struct kiosk *k, double x, double y);
/* Key n (0-based: key 1 is 0): the button n on a kiosk with buttons, else the n-th answer. */
void followup_flow_key(struct kiosk *k, int n);

#endif
