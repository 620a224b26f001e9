/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_cli_user: tally-hq's commands for people and regions.
 *
 *   user add NAME --role chain|region|store [--region R]... [--store S] [--password-stdin]
 *   user passwd NAME [--password-stdin]
 *   user del NAME
 *   user list
 *   store set-region STORE REGION      ("" takes the store out of any region)
 *   store list
 *
 * A password is never an argument (argv is visible to every local user in
 * ps): it is asked twice on the terminal with echo off, or read as one
 * line from standard input with --password-stdin (for scripts).
 */
#ifndef HQ_CLI_USER_H
#define HQ_CLI_USER_H

#include "hq_store.h"

/* argv[0] is "user" or "store". The exit status: 0, 1 failure, 2 usage. */
int hq_cli_user_run(struct hq_store *db, int argc, char **argv);

#endif
