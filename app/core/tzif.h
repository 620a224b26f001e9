/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tzif: one IANA time zone ("Europe/Berlin") read from its TZif file
 * (RFC 8536) under $TZDIR or /usr/share/zoneinfo, as a value: conversions
 * between UTC and local time touch no process-wide state, so any number
 * of zones can be used at once, from any number of threads.
 *
 * A loaded zone is read-only: share it between threads freely, free it
 * once with tzif_free.
 */
#ifndef TALLY_TZIF_H
#define TALLY_TZIF_H

#include <stddef.h>
#include <stdint.h>

struct tzif;

/*
 * Loads zone name (an IANA name: no leading '/', no "..", no POSIX rule
 * string). "UTC" works even without tzdata installed. 0, or -1 with err
 * filled ("unknown time zone", or what is wrong with the file).
 */
int tzif_load(struct tzif **out, const char *name, char *err, size_t errlen);
void tzif_free(struct tzif *z);

/* The zone's name as loaded. */
const char *tzif_name(const struct tzif *z);

/* Offset of local time from UTC in seconds (east positive) at UTC second t. */
long tzif_offset(const struct tzif *z, int64_t t);

/* The first UTC second after t at which the offset may change, or INT64_MAX. */
int64_t tzif_next_change(const struct tzif *z, int64_t t);

/*
 * The UTC second whose local time is local_s (local wall time counted in
 * seconds from 1970-01-01 00:00 as if it were UTC). A local time that
 * exists twice (fall-back) gives the earlier instant. One that does not
 * exist (inside a spring-forward gap) returns 1, with *t as mktime would
 * place it (moved forward by the gap) and *gap_end the instant the gap
 * ends (the first second after it); otherwise 0.
 */
int tzif_to_utc(const struct tzif *z, int64_t local_s, int64_t *t, int64_t *gap_end);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t tzif_days_from_civil(int y, int m, int d);
void tzif_civil_from_days(int64_t days, int *y, int *m, int *d);

#endif
