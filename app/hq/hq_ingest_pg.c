/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_ingest_pg: a batch's new ratings into PostgreSQL with COPY.
 *
 * Why not the multi-row INSERT ... VALUES both engines take (hq_ingest.c):
 * an INSERT writes each row by itself (a heap insert and its WAL record
 * per row), while COPY fills a page at a time with one WAL record per page
 * (heap_multi_insert). Into head office's ratings table (three indexes),
 * measured by bench_hq_ingest as server CPU per row: COPY about 13 us, a
 * plain INSERT about 25, INSERT ... ON CONFLICT DO NOTHING RETURNING about
 * 33. And a batch is one round trip instead of one per 64 ratings.
 *
 * Only new ratings come here (COPY has no ON CONFLICT: hq_ingest.c's
 * batch_all_new checked, under the kiosk's lock). COPY is PostgreSQL's,
 * hence a file of its own: storage code elsewhere keeps to the SQL both
 * engines accept (hq_db.h).
 */
#include "hq_ingest_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq_store_impl.h"

static const char copy_sql[] =
	"COPY ratings (kiosk_id, seq, value, scale, source, wall_ms, boot_ms, boot_id, clock_synced, corrected_ms,"
	" flags, best_ms, time_known, received_ms, install, corrected_by, corrected_err_ms) FROM STDIN";

struct buf {
	char *p;
	size_t len, cap;
};

static int put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *more = realloc(b->p, cap);
		if (!more)
			return -1;
		b->p = more;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* A text field of COPY's text format: backslash, tab, newline and carriage return escaped. */
static int put_text(struct buf *b, const char *s)
{
	for (const char *c = s; *c; c++) {
		const char *e = *c == '\\' ? "\\\\" : *c == '\t' ? "\\t" : *c == '\n' ? "\\n" : *c == '\r' ? "\\r" : NULL;
		if (e ? put(b, e, 2) : put(b, c, 1))
			return -1;
	}
	return 0;
}

int hq_ingest_pg_insert(struct hq_store *s, const char *kiosk_id, int64_t install_ref, int64_t now,
			const struct protocol_rating *p, const int64_t *best, const unsigned char *known, size_t n)
{
	struct buf b = { 0 };
	int fail = 0;
	for (size_t i = 0; i < n && !fail; i++) {
		const struct rating *r = &p[i].r;
		char nums[256], corrected[24] = "\\N";
		if (p[i].has_corrected)
			snprintf(corrected, sizeof(corrected), "%lld", (long long)p[i].corrected_ms);
		fail |= put_text(&b, kiosk_id);
		int m = snprintf(nums, sizeof(nums), "\t%lld\t%d\t%d\t", (long long)r->seq, r->value, r->scale);
		fail |= put(&b, nums, (size_t)m) | put_text(&b, rating_source_name(r->source));
		m = snprintf(nums, sizeof(nums), "\t%lld\t%lld\t", (long long)r->wall_ms, (long long)r->boot_ms);
		fail |= put(&b, nums, (size_t)m) | put_text(&b, r->boot_id);
		m = snprintf(nums, sizeof(nums), "\t%d\t%s\t%d\t%lld\t%d\t%lld\t%lld\t%d\t%lld\n", r->clock_synced,
			     corrected, r->flags, (long long)best[i], known[i], (long long)now, (long long)install_ref,
			     p[i].has_corrected ? p[i].corrected_by : 0,
			     (long long)(p[i].has_corrected ? p[i].corrected_err_ms : 0));
		fail |= put(&b, nums, (size_t)m);
	}
	int64_t rows = 0;
	char why[256];
	int rc = !fail && hq_db_copy_in(s->sql, copy_sql, b.p ? b.p : "", b.len, &rows, why, sizeof(why)) == HQ_DB_DONE &&
			 rows == (int64_t)n ? 0 : -1;
	free(b.p);
	return rc;
}
