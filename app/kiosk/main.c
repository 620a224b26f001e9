/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tally-kiosk: the rating screen. main only reads the command line
 * (kiosk_args.c) and the config, then hands over to the kiosk (kiosk.c),
 * the screenshot renderer (kiosk_screenshot.c) or the button wiring check
 * (buttontest.c).
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
#include "kiosk_args.h"
#include "kiosk_check.h"
#include "kiosk_screenshot.h"
#include "log.h"
#include "tzday.h"

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
	static struct kiosk_args a;
	log_init("tally-kiosk");
	int done = kiosk_args_parse(&a, argc, argv);
	if (done >= 0)
		return done;
	if (a.verbose)
		log_set_level(LOG_DEBUG);

	static struct config cfg;
	config_defaults(&cfg);
	if (a.config_path) {
		static char errs[8192];
		if (config_load(&cfg, a.config_path, errs, sizeof(errs)) != 0) {
			fputs(errs, stderr);
			return 2;
		}
	}
	journal_log_setup(cfg.kiosk_id); /* the journal when systemd runs us, else stderr */
	if (a.now && parse_now(&cfg, a.now, &a.run.clock_offset_ms) != 0) {
		fprintf(stderr, "tally-kiosk: --now wants the store's local time 'YYYY-MM-DD HH:MM[:SS]', not \"%s\"\n", a.now);
		return 2;
	}
	if (a.check_config)
		return kiosk_check_config(&cfg, a.config_path);
	if (a.test_buttons)
		return buttontest_run(&cfg);
	if (a.screenshot)
		return kiosk_screenshot(&cfg, a.config_path, a.language, a.screen, a.shot_w, a.shot_h, a.screenshot, a.run.clock_offset_ms);
	return kiosk_run(&cfg, &a.run);
}
