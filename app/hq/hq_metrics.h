/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_metrics: what tally-hq tells a Prometheus server (GET /metrics, text
 * exposition format 0.0.4).
 *
 * Request counts and the request latency histogram live here, in process
 * memory, as relaxed atomics: observing a request is a handful of
 * fetch-adds, no lock, on the HTTP threads' hot path. The rating, batch,
 * duplicate and conflict counters and each kiosk's last-seen age come
 * from the registry (hq_registry_fleet), which ingest keeps in its own
 * transaction: they survive restarts and count exactly what is stored.
 */
#ifndef HQ_METRICS_H
#define HQ_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hq_registry.h"

/* A monotonic clock in microseconds, to time a request with. */
int64_t hq_metrics_clock(void);

/* Counts one answered request: its HTTP status and its time since started_us (hq_metrics_clock). */
void hq_metrics_observe(int status, int64_t started_us);

/* Writes every metric in Prometheus text format to f: the process's, then the fleet's. */
void hq_metrics_write(FILE *f, const struct hq_fleet_kiosk *fleet, size_t n, int64_t now_ms);

#endif
