/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_cli_opts: the "--NAME VALUE" options of tally-hq's commands, read one
 * way for all of them (hq_cli.c's kiosk and admin-token commands,
 * hq_cli_alert.c's alerts, report and poster), so each command says only
 * which options it takes.
 */
#ifndef HQ_CLI_OPTS_H
#define HQ_CLI_OPTS_H

/*
 * Reads argv[0..argc) as options: slots[k] gets the value following
 * names[k] (names NULL-terminated; slots as many, NULL when absent; the
 * last of a repeated option counts). A name whose bit k is set in flags
 * takes no value: its slot gets the name itself. 0, or -1 for an unknown
 * option or a missing value (the caller prints its usage).
 */
int hq_cli_options(int argc, char **argv, const char *const *names, unsigned flags, const char **slots);

#endif
