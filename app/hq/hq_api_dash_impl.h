/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_dash_impl: what the dashboard's route files share (hq_api_dash.c
 * the overview and store pages, hq_api_fleet.c the fleet): one way to
 * answer JSON or CSV, so every table downloads with the columns its JSON
 * has. Nothing outside these files includes it.
 */
#ifndef HQ_API_DASH_IMPL_H
#define HQ_API_DASH_IMPL_H

#include <jansson.h>
#include <stdint.h>

#include "hq_api.h"

/* The error a list gets instead of a row that could not be built. */
extern const char *const hq_api_dash_bad_names;

/* Appends o to arr; *bad = 1 when o is NULL or cannot be added (the answer becomes an error, never short). */
void hq_api_dash_push(json_t *arr, int *bad, json_t *o);

/* Sets doc's "as_of_ms" and "as_of" (UTC text) to ms. */
void hq_api_dash_as_of(json_t *doc, int64_t ms);

/*
 * Answers with doc as JSON, or (format=csv) with one of route's tables
 * (table=, else the route's first) as CSV named
 * "tally-<route>-<table>-<label>.csv". Takes doc over.
 */
void hq_api_dash_answer(const struct hq_request *req, struct hq_response *res, json_t *doc, const char *route,
			const char *label);

#endif
