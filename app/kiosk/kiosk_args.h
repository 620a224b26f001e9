/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_args: tally-kiosk's command line, in the convention all four Tally
 * programs share (getopt_long: "--opt value" and "--opt=value", -h/--help,
 * -V/--version, -v/--verbose, -c/--config FILE). The man page
 * tally-kiosk(1) lists the same options; tests/e2e/cli_convention.sh checks
 * they agree.
 */
#ifndef TALLY_KIOSK_ARGS_H
#define TALLY_KIOSK_ARGS_H

#include <stdio.h>

#include "kiosk.h"

struct kiosk_args {
	struct kiosk_options run;  /* for kiosk_run */
	const char *config_path;   /* NULL: built-in defaults */
	const char *screenshot;    /* --screenshot FILE */
	const char *screen;        /* --screen NAME */
	const char *now;           /* --now 'YYYY-MM-DD HH:MM[:SS]', checked once the zone is known */
	int shot_w, shot_h;        /* --size */
	int test_buttons;
	const char *language;      /* --language CODE for --screenshot */
	int check_config;          /* --check-config */
	int verbose;
};

/*
 * Parses argv into a (defaults first). Returns -1 to go on, or the exit
 * status to end with at once: 0 after --help or --version (printed on
 * stdout), 2 after a usage error (one line and the usage on stderr).
 */
int kiosk_args_parse(struct kiosk_args *a, int argc, char **argv);

/* The usage text, as --help prints it. */
void kiosk_args_usage(FILE *f);

#endif
