/* SPDX-License-Identifier: Apache-2.0 */
/*
 * summary_pull: fetches head office's figures for today (the store's local
 * day) and keeps the raw JSON in the kiosk store's summary table, with its
 * "as of" time, for the staff screens to draw without a network.
 */
#ifndef TALLY_SUMMARY_PULL_H
#define TALLY_SUMMARY_PULL_H

#include <stddef.h>

#include "config.h"
#include "http_client.h"
#include "store.h"

/*
 * GETs /api/v1/summary?day=<today in cfg->timezone> and stores it. 1 when
 * stored, 0 when head office sent what the store already held (nothing is
 * written: SD cards wear), -1 with err filled.
 */
int summary_pull(const struct config *cfg, struct store *store, struct http_client *http, char *day,
		 size_t daylen, char *err, size_t errlen);

#endif
