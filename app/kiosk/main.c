/*
 * tally-kiosk: the rating screen. main only reads the command line and the
 * config, then hands over to the kiosk (kiosk.c), the screenshot renderer
 * (kiosk_screenshot.c) or the button wiring check (buttontest.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buttontest.h"
#include "config.h"
#include "journal_log.h"
#include "kiosk.h"
#include "kiosk_screenshot.h"
#include "latency.h"
#include "log.h"
#include "tzday.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tally-kiosk [--config FILE] [--windowed WxH | --fullscreen] [-v]\n"
		"       tally-kiosk [--config FILE] --screenshot FILE.png --screen NAME [--size WxH] [--now TIME]\n"
		"       tally-kiosk [--config FILE] --test-buttons\n"
		"       tally-kiosk --version\n"
		"\n"
		"  --config FILE       settings (INI); without it, built-in defaults\n"
		"  --windowed WxH      a window of that size (desktops); default: fullscreen\n"
		"  --screenshot FILE   render one screen headless into a PNG and exit\n"
		"  --screen NAME       rating, thanks, out-of-order, staff, pin, display or shift-end\n"
		"  --size WxH          panel size for --screenshot (default 800x480)\n"
		"  --test-buttons      show each button's level, state, presses and LED live\n"
		"  --script FILE       replay scripted input (tests, benchmarks)\n"
		"  --stats-out FILE    write timing figures as JSON at exit\n"
		"  --now 'YYYY-MM-DD HH:MM[:SS]'  the store's local time the staff screens and\n"
		"                      their schedule take as now (tests, screenshots)\n"
		"  -v                  log debug lines (each press)\n");
}

static int parse_size(const char *s, int *w, int *h)
{
	return sscanf(s, "%dx%d", w, h) == 2 && *w >= 64 && *h >= 64 && *w <= 16384 && *h <= 16384 ? 0 : -1;
}

/* --now: how far the given local time is from the wall clock, in ms. */
static int parse_now(const struct config *cfg, const char *s, int64_t *offset_ms)
{
	char date[16], err[256];
	int h, m, sec = 0;
	struct tzdate d;
	struct timespec ts;
	int64_t ms;
	if (sscanf(s, "%10[0-9-]%*1[ T]%d:%d:%d", date, &h, &m, &sec) < 3 || tzday_parse_date(date, &d) ||
	    h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59 ||
	    tzday_local_to_ms(cfg->timezone, d, h, m, sec, &ms, err, sizeof(err)))
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	*offset_ms = ms - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	return 0;
}

int main(int argc, char **argv)
{
	struct kiosk_options opt = { .fullscreen = 1, .width = 800, .height = 480, .started_ns = latency_now_ns() };
	const char *config_path = NULL, *screenshot = NULL, *screen = NULL, *now = NULL;
	int test_buttons = 0;
	int shot_w = 800, shot_h = 480;
	log_init("tally-kiosk");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--config") && next) {
			config_path = opt.config_path = argv[++i];
		} else if (!strcmp(a, "--windowed") && next) {
			if (parse_size(argv[++i], &opt.width, &opt.height)) {
				fprintf(stderr, "tally-kiosk: --windowed wants WxH, like 800x480\n");
				return 2;
			}
			opt.fullscreen = 0;
		} else if (!strcmp(a, "--fullscreen")) {
			opt.fullscreen = 1;
		} else if (!strcmp(a, "--screenshot") && next) {
			screenshot = argv[++i];
		} else if (!strcmp(a, "--screen") && next) {
			screen = argv[++i];
		} else if (!strcmp(a, "--size") && next) {
			if (parse_size(argv[++i], &shot_w, &shot_h)) {
				fprintf(stderr, "tally-kiosk: --size wants WxH, like 800x480\n");
				return 2;
			}
		} else if (!strcmp(a, "--script") && next) {
			opt.script = argv[++i];
		} else if (!strcmp(a, "--stats-out") && next) {
			opt.stats_out = argv[++i];
		} else if (!strcmp(a, "--now") && next) {
			now = argv[++i];
		} else if (!strcmp(a, "--test-buttons")) {
			test_buttons = 1;
		} else if (!strcmp(a, "-v")) {
			log_set_level(LOG_DEBUG);
		} else if (!strcmp(a, "--version")) {
			printf("tally-kiosk %s\n", TALLY_VERSION);
			return 0;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "tally-kiosk: unknown or incomplete option \"%s\"\n", a);
			usage(stderr);
			return 2;
		}
	}

	static struct config cfg;
	config_defaults(&cfg);
	if (config_path) {
		static char errs[8192];
		if (config_load(&cfg, config_path, errs, sizeof(errs)) != 0) {
			fputs(errs, stderr);
			return 2;
		}
	}
	journal_log_setup(cfg.kiosk_id); /* the journal when systemd runs us, else stderr */
	if (now && parse_now(&cfg, now, &opt.clock_offset_ms) != 0) {
		fprintf(stderr, "tally-kiosk: --now wants the store's local time 'YYYY-MM-DD HH:MM[:SS]', not \"%s\"\n", now);
		return 2;
	}
	if (test_buttons)
		return buttontest_run(&cfg);
	if (screenshot || screen) {
		if (!screenshot || !screen) {
			fprintf(stderr, "tally-kiosk: --screenshot and --screen go together\n");
			return 2;
		}
		return kiosk_screenshot(&cfg, screen, shot_w, shot_h, screenshot, opt.clock_offset_ms);
	}
	return kiosk_run(&cfg, &opt);
}
