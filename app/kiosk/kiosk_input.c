/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_input: presses in, decisions out.
 *
 * Physical buttons: the face lights at the debounced down edge and the
 * rating is decided at the release (buttons.c says which releases count).
 * Touch, the mouse and the number keys rate at the down. On the staff view
 * any press closes it; on the PIN pad a press is a digit; in a corner of
 * the rating screen a touch starts the long press that opens the staff
 * view. While the follow-up question shows, presses go to it, never to
 * the rating flow. Everything else goes to the rating flow.
 */
#include "kiosk_input.h"

#include <SDL.h>

#include "followup_flow.h"
#include "layout.h"
#include "kiosk_lang.h"
#include "log.h"
#include "rating_flow.h"
#include "shift_screen.h"
#include "staff_access.h"

/* Pointer id of the mouse in a corner long press (fingers have their own). */
#define POINTER_MOUSE (-1)

/*
 * A press closed a staff view left open: most likely a customer who meant
 * to rate. The faces come back saying so, so the next press is a rating
 * and the customer does not walk away thinking it counted.
 */
static void after_press_closed_staff_view(struct kiosk *k)
{
	if (k->state.name == SCREEN_RATING)
		rating_flow_notice(k, kiosk_texts(k)->t_choose_again, k->cfg->choose_again_s);
}

void kiosk_input_on_button(const struct button_event *ev, void *arg)
{
	struct kiosk *k = arg;
	unsigned bit = ev->button >= 0 && ev->button < 32 ? 1u << ev->button : 0;
	switch (ev->type) {
	case BUTTON_DOWN:
		if (k->state.name == SCREEN_SHIFT_END)
			shift_screen_close(k, "button"); /* a customer: the press is a rating, as ever */
		if (staff_access_showing(k)) {
			k->swallow |= bit; /* its release must not rate on the faces behind */
			staff_access_close_by_button(k, ev->at_ns);
			after_press_closed_staff_view(k);
		} else if (staff_access_guarded_button(k, ev)) {
			k->swallow |= bit;
		} else if (k->state.name == SCREEN_QUESTION) {
			followup_flow_button_down(k, ev->button);
		} else {
			rating_flow_face_down(k, ev->button);
		}
		break;
	case BUTTON_PRESS:
		if (k->swallow & bit) {
			k->swallow &= ~bit;
			log_msg(LOG_INFO, "button %d closed the staff view: not a rating", ev->button + 1);
		} else if (staff_access_showing(k)) {
			log_msg(LOG_INFO, "button %d released on the staff view: not a rating", ev->button + 1);
		} else if (k->state.name == SCREEN_QUESTION) {
			followup_flow_button_press(k, ev->button); /* an answer, never a rating */
		} else {
			rating_flow_rate(k, ev->button, SOURCE_BUTTON, ev->at_ns);
		}
		if (k->noisy & bit) { /* a clean press: the line works again */
			k->noisy &= ~bit;
			kiosk_update_status(k);
		}
		break;
	case BUTTON_RELEASE:
		k->swallow &= ~bit;
		if (k->state.name == SCREEN_QUESTION)
			followup_flow_button_release(k, ev->button);
		/* No rating (chord, stuck, noise): put the lit face out again. */
		if (k->state.name == SCREEN_RATING && k->state.highlight == ev->button && k->thanks_timer <= 0) {
			k->state.highlight = -1;
			k->dirty = 1;
		}
		break;
	case BUTTON_STAFF:
		log_msg(LOG_NOTICE, "staff chord: staff view requested");
		if (k->state.name != SCREEN_STAFF)
			staff_access_open(k, "staff chord");
		break;
	case BUTTON_NOISE:
		k->noisy |= bit;
		kiosk_update_status(k);
		break;
	case BUTTON_STUCK:
	case BUTTON_RECOVERED:
		kiosk_update_status(k); /* buttons_input logged it */
		break;
	}
}

/* A panel point in physical pixels, as the customer reads the screen. */
static void to_logical(struct kiosk *k, double px, double py, double *lx, double *ly)
{
	int pw, ph;
	display_physical_size(k->disp, &pw, &ph);
	layout_to_logical(k->cfg->rotate, pw, ph, px, py, lx, ly);
}

/*
 * A finger or the mouse went down at physical (px, py). On the faces it
 * rates at once; in a corner (never a face: corners are in the question box
 * or the margins) it starts the long press instead.
 */
static void pointer_down(struct kiosk *k, double px, double py, int64_t pointer)
{
	double lx, ly;
	to_logical(k, px, py, &lx, &ly);
	switch (k->state.name) {
	case SCREEN_STAFF:
		staff_access_close(k, "touch");
		after_press_closed_staff_view(k);
		return;
	case SCREEN_SHIFT_END:
		shift_screen_close(k, "touch"); /* the faces were not on screen to aim at: no rating */
		return;
	case SCREEN_PIN:
		staff_access_pin_key(k, staff_view_pin_hit(k->staff, lx, ly));
		return;
	case SCREEN_DISPLAY:
		return;
	default:
		break;
	}
	if (staff_access_guarded(k))
		return;
	if (k->state.name == SCREEN_QUESTION) {
		followup_flow_touch(k, lx, ly);
		return;
	}
	const struct layout *l = screen_layout(k->screen);
	int lang = k->state.name == SCREEN_RATING && k->state.highlight < 0 ? screen_language_hit(k->screen, lx, ly) : -1;
	if (lang >= 0) {
		kiosk_lang_choose(k, lang);
		return;
	}
	int face = layout_hit(l, lx, ly);
	if (face < 0 && k->state.name == SCREEN_RATING && staff_view_in_corner(l->w, l->h, lx, ly)) {
		staff_access_corner_down(k, pointer);
		return;
	}
	rating_flow_press(k, face, SOURCE_TOUCH);
}

static void key_down(struct kiosk *k, SDL_Keycode sym)
{
	int digit = -1;
	if (sym >= SDLK_0 && sym <= SDLK_9)
		digit = sym - SDLK_0;
	else if (sym >= SDLK_KP_1 && sym <= SDLK_KP_9)
		digit = sym - SDLK_KP_1 + 1;
	else if (sym == SDLK_KP_0)
		digit = 0;
	if (sym == SDLK_ESCAPE && !k->opt->fullscreen) {
		k->running = 0;
		return;
	}
	if (k->state.name == SCREEN_SHIFT_END)
		shift_screen_close(k, "key"); /* and the key rates as on the faces */
	switch (k->state.name) {
	case SCREEN_STAFF:
		staff_access_close(k, "key");
		after_press_closed_staff_view(k);
		return;
	case SCREEN_PIN:
		staff_access_pin_key(k, digit >= 0 ? digit
					: sym == SDLK_BACKSPACE || sym == SDLK_ESCAPE ? STAFF_PIN_CANCEL : -1);
		return;
	case SCREEN_DISPLAY:
		return;
	default:
		break;
	}
	if (digit >= 1 && !staff_access_guarded(k)) {
		if (k->state.name == SCREEN_QUESTION)
			followup_flow_key(k, digit - 1);
		else
			rating_flow_press(k, digit - 1, SOURCE_KEY);
	}
}

static void handle_event(struct kiosk *k, const SDL_Event *e)
{
	int pw, ph;
	switch (e->type) {
	case SDL_QUIT:
		k->running = 0;
		break;
	case SDL_KEYDOWN:
		if (!e->key.repeat)
			key_down(k, e->key.keysym.sym);
		break;
	case SDL_FINGERDOWN:
		display_physical_size(k->disp, &pw, &ph);
		pointer_down(k, e->tfinger.x * pw, e->tfinger.y * ph, (int64_t)e->tfinger.fingerId);
		break;
	case SDL_FINGERUP:
		staff_access_pointer_up(k, (int64_t)e->tfinger.fingerId);
		break;
	case SDL_MOUSEBUTTONDOWN:
		/* SDL also reports a touch as a mouse click: count the finger only. */
		if (e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
			break;
		pointer_down(k, e->button.x, e->button.y, POINTER_MOUSE);
		break;
	case SDL_MOUSEBUTTONUP:
		if (e->button.which != SDL_TOUCH_MOUSEID && e->button.button == SDL_BUTTON_LEFT)
			staff_access_pointer_up(k, POINTER_MOUSE);
		break;
	case SDL_WINDOWEVENT:
		if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
			if (display_refresh(k->disp) >= 0)
				kiosk_rebuild_screen(k);
		} else if (e->window.event == SDL_WINDOWEVENT_EXPOSED) {
			k->dirty = 1;
		}
		break;
	}
}

void kiosk_input_pump(struct kiosk *k)
{
	SDL_Event e;
	SDL_PumpEvents();
	while (SDL_PollEvent(&e)) {
		handle_event(k, &e);
		k->pushed_ns = 0;
	}
}
