/* SPDX-License-Identifier: Apache-2.0 */
/*
 * followup_flow: the follow-up question's turn in the press's journey
 * (followup_flow.h): rating stored -> face lit -> question -> answer
 * stored -> thank-you.
 */
#include "followup_flow.h"

#include <stdio.h>

#include "followup.h"
#include "log.h"
#include "rating_flow.h"
#include "score.h"

void followup_flow_rated(struct kiosk *k, const struct rating *r)
{
	k->asked_seq = r->seq;
	k->asked_value = r->value;
	k->asked_scale = r->scale;
}

static void question_timeout(void *arg)
{
	struct kiosk *k = arg;
	k->question_timer = 0;
	log_msg(LOG_INFO, "rating %lld: no answer within %g s; the rating stands alone", (long long)k->asked_seq,
		k->cfg->followup_s);
	k->asked_seq = 0;
	rating_flow_thank(k);
}

int followup_flow_ask(struct kiosk *k)
{
	int64_t seq = k->asked_seq;
	if (seq <= 0 || !k->screen || !followup_answers_for(k->cfg, k->asked_value, k->asked_scale))
		return 0;
	int positive = score_is_positive(k->asked_value, k->asked_scale);
	if (screen_question_layout(k->screen, positive)->n == 0)
		return 0;
	rating_flow_led(k, -1);
	kiosk_show(k, SCREEN_QUESTION);
	k->state.question_positive = positive;
	k->state.answer_lit = -1;
	k->question_down = 0;
	kiosk_stop_timer(k, &k->question_timer);
	k->question_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->followup_s * 1000),
					   question_timeout, k);
	log_msg(LOG_DEBUG, "rating %lld: follow-up question asked", (long long)seq);
	return 1;
}

static const struct config_answers *answers(const struct kiosk *k)
{
	return k->state.question_positive ? &k->cfg->followup_positive : &k->cfg->followup_negative;
}

static void choose(struct kiosk *k, int i, const char *by)
{
	const struct config_answers *a = answers(k);
	if (k->state.name != SCREEN_QUESTION || i < 0 || i >= a->n)
		return;
	kiosk_stop_timer(k, &k->question_timer);
	char err[512];
	int rc = k->store ? store_set_reason(k->store, k->asked_seq, a->text[i], err, sizeof(err)) : -1;
	if (!k->store)
		log_msg(LOG_ERR, "answer \"%s\" to rating %lld not stored: no working database", a->text[i],
			(long long)k->asked_seq);
	else if (rc != 0)
		log_msg(rc < 0 ? LOG_ERR : LOG_WARNING, "%s", err);
	else
		log_msg(LOG_INFO, "rating %lld: answer %d \"%s\" by %s", (long long)k->asked_seq, i + 1, a->text[i], by);
	/* The rating was stored at the press: the customer is thanked even if the answer could not be. */
	k->asked_seq = 0;
	rating_flow_thank(k);
}

void followup_flow_button_down(struct kiosk *k, int button)
{
	if (button < 0 || button >= 32)
		return;
	k->question_down |= 1u << button;
	int i = question_layout_for_button(screen_question_layout(k->screen, k->state.question_positive), button);
	if (i >= 0 && k->state.answer_lit < 0) {
		k->state.answer_lit = i;
		kiosk_present(k); /* the box turns amber at once, as a face lights */
	}
}

void followup_flow_button_press(struct kiosk *k, int button)
{
	unsigned bit = button >= 0 && button < 32 ? 1u << button : 0;
	if (!(k->question_down & bit)) {
		log_msg(LOG_INFO, "button %d: pressed before the question showed; neither a rating nor an answer",
			button + 1);
		return;
	}
	k->question_down &= ~bit;
	int i = question_layout_for_button(screen_question_layout(k->screen, k->state.question_positive), button);
	if (i < 0) {
		log_msg(LOG_INFO, "button %d: no answer above it; not a rating either", button + 1);
		return;
	}
	choose(k, i, "button");
}

void followup_flow_button_release(struct kiosk *k, int button)
{
	if (button >= 0 && button < 32)
		k->question_down &= ~(1u << button);
	int i = question_layout_for_button(screen_question_layout(k->screen, k->state.question_positive), button);
	if (i >= 0 && k->state.answer_lit == i) { /* no press (stuck, chord): the box goes out again */
		k->state.answer_lit = -1;
		k->dirty = 1;
	}
}

void followup_flow_touch(struct kiosk *k, double x, double y)
{
	int i = question_layout_hit(screen_question_layout(k->screen, k->state.question_positive), x, y);
	if (i < 0)
		return; /* beside the answers: nothing, and never a rating */
	k->state.answer_lit = i;
	kiosk_present(k);
	choose(k, i, "touch");
}

void followup_flow_key(struct kiosk *k, int n)
{
	const struct question_layout *q = screen_question_layout(k->screen, k->state.question_positive);
	int i = q->by_buttons ? question_layout_for_button(q, n) : n < q->n ? n : -1;
	if (i < 0)
		return;
	k->state.answer_lit = i;
	kiosk_present(k);
	choose(k, i, "key");
}
