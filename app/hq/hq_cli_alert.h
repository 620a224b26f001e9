/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_cli_alert: tally-hq's commands for alerts, reports, the poster and
 * kiosks' opening hours:
 *
 *   alerts list                          the rules
 *   alerts add KIND --store S|--region R [--threshold X] [--window MIN] [--min N] [--at HH:MM]
 *              [--webhook URL] [--secret-stdin] [--mail-to LIST]
 *   alerts del ID
 *   alerts check [--now TIME]            one check of every rule, then send what is due
 *   report [--now TIME]                  queue the reports due at TIME, then send them
 *   poster --store S --week YYYY-Www --out FILE.pdf
 *   kiosk hours ID [DAY=HOURS]...        DAY sun..sat or daily; HOURS 08:00-20:00, closed, or empty (all day)
 *
 * TIME is UTC, YYYY-MM-DDTHH:MM[:SS]Z, or milliseconds since the epoch: how
 * tests and people rehearse a report morning without waiting for it.
 */
#ifndef HQ_CLI_ALERT_H
#define HQ_CLI_ALERT_H

#include "config.h"

/* Whether argv[0..argc) is one of these commands. */
int hq_cli_alert_wants(int argc, char **argv);

/* Runs it on db_path with cfg's [alerts]. Returns the process exit status. */
int hq_cli_alert_run(const struct config *cfg, const char *db_path, int argc, char **argv);

/* The alerter's options from cfg ([alerts]) for db_path. */
struct hq_alerter_options;
void hq_cli_alert_options(const struct config *cfg, const char *db_path, struct hq_alerter_options *o);

#endif
