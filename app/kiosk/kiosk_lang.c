/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_lang: which language the customer sees, and when it changes
 * (kiosk_lang.h). A change re-renders the three customer texts (a few
 * milliseconds), never the faces. The timers exist only while there is
 * more than one language, so a one-language kiosk wakes no more than
 * before.
 */
#include "kiosk_lang.h"

#include <stdlib.h>

#include "log.h"
#include "screen.h"

const struct config *kiosk_texts(const struct kiosk *k)
{
	return k->lang_cur > 0 && k->lang[k->lang_cur] ? k->lang[k->lang_cur] : k->cfg;
}

void kiosk_lang_free(struct kiosk *k)
{
	for (int i = 0; i < CONFIG_MAX_LANGS; i++) {
		free(k->lang[i]);
		k->lang[i] = NULL;
	}
	k->nlang = 0;
	k->lang_cur = 0;
}

static void names_to_screen(struct kiosk *k)
{
	const char *names[CONFIG_MAX_LANGS];
	for (int i = 0; i < k->nlang; i++)
		names[i] = i == 0 || !k->lang[i] ? k->cfg->t_language_name : k->lang[i]->t_language_name;
	if (k->screen)
		screen_set_language_names(k->screen, names, k->nlang);
}

void kiosk_lang_load(struct kiosk *k)
{
	kiosk_lang_free(k);
	k->nlang = k->cfg->nlanguages;
	static char errs[8192];
	for (int i = 1; i < k->nlang; i++) {
		struct config *c = malloc(sizeof(*c));
		if (!c || config_load_language(c, k->opt->config_path, i, errs, sizeof(errs)) != 0) {
			errs[strcspn(errs, "\n")] = '\0';
			log_msg(LOG_ERR, "language %s left out: %s", k->cfg->languages[i], c ? errs : "out of memory");
			free(c);
			continue;
		}
		k->lang[i] = c;
	}
	for (int i = 0; i < k->nlang; i++)
		if (i == 0 || k->lang[i])
			log_msg(LOG_DEBUG, "language %d: %s", i + 1, k->cfg->languages[i]);
	names_to_screen(k);
}

void kiosk_lang_set(struct kiosk *k, int i, const char *why)
{
	if (i < 0 || i >= k->nlang || (i > 0 && !k->lang[i]))
		return;
	int changed = i != k->lang_cur;
	k->lang_cur = i;
	if (k->screen && changed) {
		screen_set_language(k->screen, kiosk_texts(k), i);
		names_to_screen(k);
	}
	if (changed) {
		log_msg(LOG_INFO, "language: %s (%s)", k->cfg->languages[i], why);
		k->dirty = 1;
	}
}

/* The customer's screen is waiting for a customer: no face lit, no notice, nothing else up. */
static int idle(const struct kiosk *k)
{
	return k->state.name == SCREEN_RATING && k->state.highlight < 0 && !k->state.notice && k->thanks_timer <= 0;
}

static void arm_rotation(struct kiosk *k);

static void return_due(void *arg)
{
	struct kiosk *k = arg;
	k->lang_return_timer = 0;
	if (!idle(k)) { /* a customer is still at it: ask again later */
		kiosk_lang_after_rating(k);
		return;
	}
	kiosk_lang_set(k, 0, "return");
	arm_rotation(k);
}

static int rotating(const struct kiosk *k)
{
	return k->nlang > 1 && k->cfg->language_rotate_s > 0 && k->cfg->mode == MODE_RATING &&
	       !screen_has_language_buttons(k->cfg);
}

static void rotate_due(void *arg)
{
	struct kiosk *k = arg;
	k->lang_rotate_timer = 0;
	if (idle(k) && k->lang_return_timer <= 0) {
		int next = k->lang_cur;
		do
			next = (next + 1) % k->nlang;
		while (next != 0 && !k->lang[next]);
		kiosk_lang_set(k, next, "rotation");
	}
	arm_rotation(k);
}

static void arm_rotation(struct kiosk *k)
{
	kiosk_stop_timer(k, &k->lang_rotate_timer);
	if (rotating(k))
		k->lang_rotate_timer =
			loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->language_rotate_s * 1000), rotate_due, k);
}

void kiosk_lang_choose(struct kiosk *k, int i)
{
	kiosk_lang_set(k, i, "touch");
	kiosk_stop_timer(k, &k->lang_return_timer);
	if (k->lang_cur != 0)
		k->lang_return_timer =
			loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->language_return_s * 1000), return_due, k);
}

void kiosk_lang_after_rating(struct kiosk *k)
{
	kiosk_stop_timer(k, &k->lang_return_timer);
	if (k->lang_cur != 0)
		k->lang_return_timer =
			loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->language_return_s * 1000), return_due, k);
	else
		arm_rotation(k);
}

void kiosk_lang_start(struct kiosk *k)
{
	arm_rotation(k);
}

void kiosk_lang_stop(struct kiosk *k)
{
	kiosk_stop_timer(k, &k->lang_rotate_timer);
	kiosk_stop_timer(k, &k->lang_return_timer);
}
