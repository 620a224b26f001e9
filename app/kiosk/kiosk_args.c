/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_args: tally-kiosk's options. --version names the libraries that
 * draw and read buttons, so `tallyctl bundle` can report them without
 * linking them itself.
 */
#include "kiosk_args.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <getopt.h>
#include <string.h>
#ifdef TALLY_HAVE_GPIOD
#include <gpiod.h>
#endif

#include "latency.h"

#ifndef TALLY_VERSION
#define TALLY_VERSION "unknown"
#endif

void kiosk_args_usage(FILE *f)
{
	fprintf(f,
		"usage: tally-kiosk [--config FILE] [--windowed WxH | --fullscreen] [--verbose]\n"
		"       tally-kiosk [--config FILE] --screenshot FILE.png --screen NAME [--size WxH] [--now TIME]\n"
		"                   [--language CODE]\n"
		"       tally-kiosk [--config FILE] --check-config\n"
		"       tally-kiosk [--config FILE] --test-buttons\n"
		"       tally-kiosk --help | --version\n"
		"\n"
		"  -c, --config FILE     settings (INI); without it, built-in defaults\n"
		"      --windowed WxH    a window of that size (desktops); default: fullscreen\n"
		"      --fullscreen      fullscreen (the default)\n"
		"      --screenshot FILE render one screen headless into a PNG and exit\n"
		"      --screen NAME     rating, thanks, out-of-order, staff, pin, display, shift-end or question\n"
		"      --size WxH        panel size for --screenshot (default 800x480)\n"
		"      --language CODE   --screenshot in that language of [kiosk] languages\n"
		"      --check-config    the config's problems, then a warning for each text with a\n"
		"                        character no configured font has (it would draw as a box)\n"
		"      --test-buttons    show each button's level, state, presses and LED live\n"
		"      --script FILE     replay scripted input (tests, benchmarks)\n"
		"      --stats-out FILE  write timing figures as JSON at exit\n"
		"      --now TIME        'YYYY-MM-DD HH:MM[:SS]': the store's local time the staff\n"
		"                        screens and their schedule take as now (tests, screenshots)\n"
		"  -v, --verbose         log debug lines (each press)\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version and the libraries it runs with\n"
		"\n"
		"exit status: 0 stopped normally, 1 could not run, 2 bad command line or config\n");
}

static void version(void)
{
	SDL_version sdl;
	SDL_GetVersion(&sdl);
	const SDL_version *ttf = TTF_Linked_Version();
	printf("tally-kiosk %s\n", TALLY_VERSION);
	printf("SDL %d.%d.%d, SDL_ttf %d.%d.%d, ", sdl.major, sdl.minor, sdl.patch, ttf->major, ttf->minor,
	       ttf->patch);
#ifdef TALLY_HAVE_GPIOD
	printf("libgpiod %s\n", gpiod_version_string());
#else
	printf("libgpiod: not built in (simulated GPIO only)\n");
#endif
}

static int parse_size(const char *s, int *w, int *h)
{
	char extra;
	return sscanf(s, "%dx%d%c", w, h, &extra) == 2 && *w >= 64 && *h >= 64 && *w <= 16384 && *h <= 16384
		       ? 0 : -1;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "tally-kiosk: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(tally-kiosk --help lists the options)\n");
	return 2;
}

int kiosk_args_parse(struct kiosk_args *a, int argc, char **argv)
{
	enum { O_WINDOWED = 256, O_FULLSCREEN, O_SCREENSHOT, O_SCREEN, O_SIZE, O_SCRIPT, O_STATS_OUT, O_NOW,
	       O_TEST_BUTTONS, O_LANGUAGE, O_CHECK_CONFIG };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "windowed", required_argument, NULL, O_WINDOWED },
		{ "fullscreen", no_argument, NULL, O_FULLSCREEN },
		{ "screenshot", required_argument, NULL, O_SCREENSHOT },
		{ "screen", required_argument, NULL, O_SCREEN },
		{ "size", required_argument, NULL, O_SIZE },
		{ "script", required_argument, NULL, O_SCRIPT },
		{ "stats-out", required_argument, NULL, O_STATS_OUT },
		{ "now", required_argument, NULL, O_NOW },
		{ "test-buttons", no_argument, NULL, O_TEST_BUTTONS },
		{ "language", required_argument, NULL, O_LANGUAGE },
		{ "check-config", no_argument, NULL, O_CHECK_CONFIG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0, 0, 0, 0 },
	};
	memset(a, 0, sizeof(*a));
	a->run = (struct kiosk_options){ .fullscreen = 1, .width = 800, .height = 480, .started_ns = latency_now_ns() };
	a->shot_w = 800;
	a->shot_h = 480;
	opterr = 0; /* our own one-line messages */
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config_path = a->run.config_path = optarg; break;
		case O_WINDOWED:
			if (parse_size(optarg, &a->run.width, &a->run.height))
				return usage_error("--windowed wants WxH, like 800x480, not \"%s\"", optarg);
			a->run.fullscreen = 0;
			break;
		case O_FULLSCREEN: a->run.fullscreen = 1; break;
		case O_SCREENSHOT: a->screenshot = optarg; break;
		case O_SCREEN: a->screen = optarg; break;
		case O_SIZE:
			if (parse_size(optarg, &a->shot_w, &a->shot_h))
				return usage_error("--size wants WxH, like 800x480, not \"%s\"", optarg);
			break;
		case O_SCRIPT: a->run.script = optarg; break;
		case O_STATS_OUT: a->run.stats_out = optarg; break;
		case O_NOW: a->now = optarg; break;
		case O_TEST_BUTTONS: a->test_buttons = 1; break;
		case O_LANGUAGE: a->language = optarg; break;
		case O_CHECK_CONFIG: a->check_config = 1; break;
		case 'v': a->verbose = 1; break;
		case 'h': kiosk_args_usage(stdout); return 0;
		case 'V': version(); return 0;
		case ':': return usage_error("%s needs a value", argv[optind - 1]);
		default: return usage_error("unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (!a->screenshot != !a->screen)
		return usage_error("%s", "--screenshot and --screen go together");
	return -1;
}
