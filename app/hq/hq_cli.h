/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_cli: tally-hq's registry commands, run against the database file
 * while the server may be running (SQLite's busy timeout covers that):
 *
 *   kiosk add --store S --area A [--region R] [--tz ZONE] [--id ID] [--expires DAYS|DATE]
 *   kiosk list                      the fleet, silent ones first
 *   kiosk revoke ID
 *   kiosk rotate-token ID [--expires DAYS|DATE]
 *   admin-token [--label TEXT] [--expires DAYS|DATE]
 *   admin-token list | revoke ID|PREFIX | rotate ID|PREFIX [--expires DAYS|DATE]
 *   user ..., store ...             (hq_cli_user.h)
 *
 * Tokens are printed once and only their hash is kept.
 */
#ifndef HQ_CLI_H
#define HQ_CLI_H

/* Runs the command in argv[0..argc) on db_path. Returns the process exit status. */
int hq_cli_run(const char *db_path, int argc, char **argv);

#endif
