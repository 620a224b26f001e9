/*
 * clockstate: what the OS says about time right now: wall clock,
 * CLOCK_BOOTTIME, this boot's id, and whether the wall clock is synced.
 *
 * For tests, TALLY_CLOCK_ROOT names a directory that stands in for / when
 * reading proc/sys/kernel/random/boot_id and
 * run/systemd/timesync/synchronized (and adjtimex is not asked), and where
 * a file wall_offset_ms (signed ms) makes the wall clock in ratings' stamps
 * that far wrong, as a Pi's is after a power cut without NTP.
 */
#ifndef TALLY_CLOCKSTATE_H
#define TALLY_CLOCKSTATE_H

#include "rating.h"

/* Fills the time fields of r: wall_ms, boot_ms, boot_id, clock_synced. */
void clockstate_stamp(struct rating *r);

/*
 * The same for a moment given on CLOCK_MONOTONIC (a button event's time,
 * which for the simulated chip is a record's own time shifted onto our
 * clock): wall_ms and boot_ms are the clocks now, moved by how far that
 * moment is from now (past or future). boot_id and clock_synced are now's.
 */
void clockstate_stamp_at(struct rating *r, int64_t mono_ns);

/* CLOCK_BOOTTIME in ms: the time base ratings are compared on within a boot. */
int64_t clockstate_boot_ms(void);

/* Whether the wall clock is synced now. */
int clockstate_synced(void);

#endif
