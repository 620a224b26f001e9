/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_cli_demo: `tally-hq demo [--days N]`, a demo chain for a newcomer's
 * first look at the dashboard (make run makes one): six kiosks in five
 * stores, three regions and three time zones, N days (default 14) of
 * generated ratings up to now stored through the real ingest (misuse,
 * closed-hours presses and a few unknown times among them), and one user
 * per role with a fresh password, printed once:
 *
 *   user demo-chain chain PASSWORD
 *   user demo-north region PASSWORD
 *   user demo-berlin store PASSWORD
 *
 * Refused (exit 1) on a database that already holds the demo's kiosks.
 */
#ifndef HQ_CLI_DEMO_H
#define HQ_CLI_DEMO_H

#include "hq_store.h"

/* argv[0] is "demo". The exit status: 0, 1 failure, 2 usage. */
int hq_cli_demo_run(struct hq_store *db, int argc, char **argv);

#endif
