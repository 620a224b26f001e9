/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_lang: the customers' languages on the rating kiosk. Each language
 * is a whole config read with its texts ([kiosk] languages, the first the
 * default, which the staff screens always use). On a touch kiosk the
 * rating screen has a button per language; on a kiosk with buttons the
 * languages take turns while it is idle ([screen] language_rotate_s).
 * After a rating (once the thank-you is over), or a language chosen and
 * no rating, the default comes back after [screen] language_return_s.
 */
#ifndef TALLY_KIOSK_LANG_H
#define TALLY_KIOSK_LANG_H

#include "kiosk.h"

/* Reads every language's texts (start and reload); a language that cannot be read is logged and left out. */
void kiosk_lang_load(struct kiosk *k);
void kiosk_lang_free(struct kiosk *k);

/* The texts the customer sees now (the default language's config when it is the default). */
const struct config *kiosk_texts(const struct kiosk *k);

/* Shows language i on the customer's screens (why: "touch", "rotation", "return" for the log). */
void kiosk_lang_set(struct kiosk *k, int i, const char *why);

/* A language button was touched: its language, until the return timeout. */
void kiosk_lang_choose(struct kiosk *k, int i);

/* The thank-you is over: the default language returns after the timeout; rotation goes on from there. */
void kiosk_lang_after_rating(struct kiosk *k);

/* Starts (stops) the idle rotation on a kiosk with buttons and more than one language. */
void kiosk_lang_start(struct kiosk *k);
void kiosk_lang_stop(struct kiosk *k);

#endif
