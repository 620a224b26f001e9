/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_signals: the signals the kiosk obeys, read through a signalfd in
 * its loop: SIGTERM and SIGINT stop it cleanly, SIGHUP reloads the config.
 */
#ifndef TALLY_KIOSK_SIGNALS_H
#define TALLY_KIOSK_SIGNALS_H

#include "kiosk.h"

/* Blocks SIGTERM, SIGINT and SIGHUP and listens for them in k's loop (k->signal_fd). 0, or -1. */
int kiosk_signals_open(struct kiosk *k);

#endif
