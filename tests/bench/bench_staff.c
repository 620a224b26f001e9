/*
 * bench_staff: how long opening the staff view takes, from a year of
 * ratings at 2,000 a day (730,000 rows in a real SQLite file, the same
 * file and rows as bench_stats) plus a stored head-office summary: read
 * the figures (staff_data_load: three days of stats and the summary),
 * render the view (staff_view_set_data: faces, texts, chart, table) and
 * paint it (a blit), at 800x480 and 1920x1080. The goal is 50 ms.
 * Then the same with two shifts ([shifts] Early 08:00-14:00, Late
 * 14:00-20:00): the shift layout, whose figures read four weeks the first
 * time a date is looked at and only today after that (the first opening
 * is reported apart).
 *
 * Usage: bench_staff [DB_PATH] (default $TMPDIR/tally-bench-stats.db,
 * reused when it holds the right rows).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <SDL.h>

#include "config.h"
#include "protocol.h"
#include "staff_view.h"
#include "stats.h"
#include "store.h"
#include "text.h"
#include "tzday.h"
#include "yeardata.h"

#define RUNS 50

/* A summary for the last day, as tally-sync would have stored it. */
static int put_summary(sqlite3 *db, struct tzdate day, int64_t as_of, char *err, size_t errlen)
{
	static struct protocol_summary s;
	static const char *areas[] = { "Counter", "Pickup desk", "Warehouse dispatch", "Returns" };
	snprintf(s.day, sizeof(s.day), "%04d-%02d-%02d", day.year, day.month, day.day);
	s.as_of_ms = as_of;
	struct protocol_figures f = { .scale = 4, .counts = { 100, 90, 400, 1100 }, .total = 1690,
				      .positive_pct = 88.4, .happy_index = 79.3 };
	s.kiosk = s.store_total = s.chain = f;
	snprintf(s.store_name, sizeof(s.store_name), "Bench Store");
	s.nareas = 4;
	for (int i = 0; i < 4; i++) {
		snprintf(s.areas[i].area, sizeof(s.areas[i].area), "%s", areas[i]);
		s.areas[i].figures = f;
	}
	char *json;
	size_t len;
	if (protocol_encode_summary(&s, &json, &len, err, errlen))
		return -1;
	sqlite3_stmt *st;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO summary VALUES (?, ?, ?, ?)", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, s.day, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, json, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, as_of);
		sqlite3_bind_int64(st, 4, as_of);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
	}
	if (rc)
		snprintf(err, errlen, "summary: %s", sqlite3_errmsg(db));
	free(json);
	return rc;
}

static void report(const char *what, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	printf("  %-44s median %6.2f ms  p90 %6.2f ms  max %6.2f ms\n", what, t[n / 2], t[n * 9 / 10], t[n - 1]);
}

int main(int argc, char **argv)
{
	char path[1024], err[1024];
	struct tzdate first = YEARDATA_FIRST;
	struct tzdate last = tzday_add_days(first, DAYS - 1);
	struct store *s = yeardata_open(argc, argv, "bench_staff", path, sizeof(path));
	if (!s)
		return 1;
	int64_t now;
	if (tzday_local_to_ms(TZ_NAME, last, 16, 40, 0, &now, err, sizeof(err)) ||
	    put_summary(store_db(s), last, now - 600000, err, sizeof(err))) {
		fprintf(stderr, "bench_staff: %s\n", err);
		store_close(s);
		return 1;
	}
	store_close(s);

	static struct config cfg;
	config_defaults(&cfg);
	snprintf(cfg.timezone, sizeof(cfg.timezone), TZ_NAME);
	cfg.staff_hours[0] = 8;
	cfg.staff_hours[1] = 20;
	struct text *text;
	if (text_open(&text, "", err, sizeof(err))) {
		fprintf(stderr, "bench_staff: %s\n", err);
		return 1;
	}
	static struct staff_data d;
	static const int sizes[][2] = { { 800, 480 }, { 1920, 1080 } };
	int status = 0;
	for (int z = 0; z < 4; z++) {
		int w = sizes[z % 2][0], h = sizes[z % 2][1];
		if (z == 2 && (shifts_add_line(&cfg.shifts, "Early", "Sun-Sat 08:00-14:00", 1, err, sizeof(err)) ||
			       shifts_add_line(&cfg.shifts, "Late", "Sun-Sat 14:00-20:00", 2, err, sizeof(err)))) {
			fprintf(stderr, "bench_staff: %s\n", err);
			return 1;
		}
		SDL_Surface *canvas = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
		struct staff_view *v = staff_view_new(&cfg, text, w, h);
		static double load[RUNS], draw[RUNS], total[RUNS];
		double first_total = 0;
		for (int r = 0; r < RUNS; r++) {
			/* A fresh connection each time, as a kiosk after a restart would have on the first. */
			if (store_open(&s, path, err, sizeof(err))) {
				fprintf(stderr, "bench_staff: %s\n", err);
				return 1;
			}
			double t0 = now_ms();
			if (staff_data_load(&d, store_db(s), &cfg, now, err, sizeof(err))) {
				fprintf(stderr, "bench_staff: %s\n", err);
				return 1;
			}
			double t1 = now_ms();
			staff_view_set_data(v, &d);
			staff_view_paint(v, canvas);
			double t2 = now_ms();
			store_close(s);
			load[r] = t1 - t0;
			draw[r] = t2 - t1;
			total[r] = t2 - t0;
			if (r == 0)
				first_total = total[r];
		}
		printf("staff view %dx%d%s (%lld ratings today, head office figures %s):\n", w, h,
		       z >= 2 ? " with two shifts" : "", (long long)d.view.today.total, d.have_summary ? "shown" : "MISSING");
		report(z >= 2 ? "read figures (3 days + summary + shifts)" : "read figures (3 days + summary)", load, RUNS);
		report("render and paint", draw, RUNS);
		report("open the staff view (both)", total, RUNS);
		printf("  first opening%s: %.2f ms; goal 50 ms (p90): %s\n",
		       z == 2 ? " of the day (four weeks of shifts read)" : z == 3 ? " (weeks before cached)" : " on a fresh process",
		       first_total,
		       total[RUNS * 9 / 10] <= 50 ? "met" : "NOT MET");
		if (total[RUNS * 9 / 10] > 50)
			status = 1;
		staff_view_free(v);
		SDL_FreeSurface(canvas);
	}
	text_close(text);
	return status;
}
