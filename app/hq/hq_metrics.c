/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_metrics: relaxed atomic counters and the Prometheus text format.
 *
 * Relaxed ordering is enough: each counter is read on its own at scrape
 * time, and a scrape that sees a request in the histogram's count a moment
 * before its bucket is within what Prometheus expects of a live target.
 * Buckets are stored per bucket and summed when written (the format wants
 * cumulative ones), so observing touches one bucket, not all above it.
 */
#include "hq_metrics.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "utf8.h"

/* Upper bounds in microseconds: 1 ms to 10 s, Prometheus's usual spread shifted down for an API. */
static const int64_t bucket_us[] = { 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
				     1000000, 2500000, 5000000, 10000000 };
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

static _Atomic uint64_t buckets[NBUCKETS + 1]; /* the last: above every bound (+Inf) */
static _Atomic uint64_t sum_us, count;
static _Atomic uint64_t by_class[6];           /* [status / 100], 1xx..5xx; 0 for odd codes */

int64_t hq_metrics_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void hq_metrics_observe(int status, int64_t started_us)
{
	int64_t us = hq_metrics_clock() - started_us;
	if (us < 0)
		us = 0;
	size_t b = 0;
	while (b < NBUCKETS && us > bucket_us[b])
		b++;
	atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us, (uint64_t)us, memory_order_relaxed);
	atomic_fetch_add_explicit(&count, 1, memory_order_relaxed);
	int c = status >= 100 && status < 600 ? status / 100 : 0;
	atomic_fetch_add_explicit(&by_class[c], 1, memory_order_relaxed);
}

static uint64_t get(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

/*
 * A label value: valid UTF-8 with control characters as \xNN (a name
 * stored before names were checked), then backslash, double quote and
 * newline escaped, as the format says.
 */
static void label(FILE *f, const char *raw)
{
	char clean[512];
	utf8_escape(raw, clean, sizeof(clean));
	for (const char *s = clean; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

void hq_metrics_write(FILE *f, const struct hq_fleet_kiosk *fleet, size_t n, int64_t now_ms)
{
	help(f, "tally_hq_requests_total", "counter", "HTTP requests answered, by status class.");
	static const char *classes[] = { "other", "1xx", "2xx", "3xx", "4xx", "5xx" };
	for (size_t c = 0; c < 6; c++)
		fprintf(f, "tally_hq_requests_total{class=\"%s\"} %llu\n", classes[c], (unsigned long long)get(&by_class[c]));

	help(f, "tally_hq_request_duration_seconds", "histogram",
	     "Time from a complete request to its answer being queued.");
	uint64_t cum = 0;
	for (size_t b = 0; b < NBUCKETS; b++) {
		cum += get(&buckets[b]);
		fprintf(f, "tally_hq_request_duration_seconds_bucket{le=\"%g\"} %llu\n", (double)bucket_us[b] / 1e6,
			(unsigned long long)cum);
	}
	cum += get(&buckets[NBUCKETS]);
	fprintf(f, "tally_hq_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
	fprintf(f, "tally_hq_request_duration_seconds_sum %.6f\n", (double)get(&sum_us) / 1e6);
	fprintf(f, "tally_hq_request_duration_seconds_count %llu\n", (unsigned long long)get(&count));

	int64_t ratings = 0, batches = 0, duplicates = 0, conflicts = 0, active = 0, revoked = 0;
	for (size_t i = 0; i < n; i++) {
		ratings += fleet[i].accepted;
		batches += fleet[i].batches;
		duplicates += fleet[i].duplicates;
		conflicts += fleet[i].conflicts;
		if (fleet[i].k.revoked_ms)
			revoked++;
		else
			active++;
	}
	help(f, "tally_hq_ratings_total", "counter", "Ratings stored (new, not duplicates), all kiosks.");
	fprintf(f, "tally_hq_ratings_total %lld\n", (long long)ratings);
	help(f, "tally_hq_batches_total", "counter", "Batches stored, all kiosks.");
	fprintf(f, "tally_hq_batches_total %lld\n", (long long)batches);
	help(f, "tally_hq_duplicates_total", "counter", "Ratings received again and ignored (resent after a lost ack).");
	fprintf(f, "tally_hq_duplicates_total %lld\n", (long long)duplicates);
	help(f, "tally_hq_conflicts_total", "counter",
	     "Ratings refused as conflicting with stored ones (409), as ingest recorded them.");
	fprintf(f, "tally_hq_conflicts_total %lld\n", (long long)conflicts);
	help(f, "tally_hq_kiosks", "gauge", "Kiosks in the registry, by state.");
	fprintf(f, "tally_hq_kiosks{state=\"active\"} %lld\ntally_hq_kiosks{state=\"revoked\"} %lld\n", (long long)active,
		(long long)revoked);

	help(f, "tally_hq_kiosk_last_seen_age_seconds", "gauge",
	     "Seconds since each active kiosk's last batch (+Inf: never posted).");
	for (size_t i = 0; i < n; i++) {
		if (fleet[i].k.revoked_ms)
			continue;
		fputs("tally_hq_kiosk_last_seen_age_seconds{kiosk=\"", f);
		label(f, fleet[i].k.id);
		fputs("\",store=\"", f);
		label(f, fleet[i].k.store);
		if (fleet[i].last_batch_ms)
			fprintf(f, "\"} %.3f\n", (double)(now_ms - fleet[i].last_batch_ms) / 1000);
		else
			fputs("\"} +Inf\n", f);
	}
	help(f, "tally_hq_kiosk_conflicts_total", "counter", "Ratings refused as conflicting, per active kiosk.");
	for (size_t i = 0; i < n; i++) {
		if (fleet[i].k.revoked_ms)
			continue;
		fputs("tally_hq_kiosk_conflicts_total{kiosk=\"", f);
		label(f, fleet[i].k.id);
		fprintf(f, "\"} %lld\n", (long long)fleet[i].conflicts);
	}
}
