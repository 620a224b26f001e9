/*
 * faultvfs: a test-only SQLite VFS that cuts the power.
 *
 * It wraps the default VFS (unix) and keeps every write and truncate a
 * file receives in a per-file overlay, in order, until that file's xSync:
 * only then do they reach the real file. Reads and sizes see the overlay,
 * so SQLite works as usual. What the real files hold is what an fsync'd
 * disk holds.
 *
 * At the power cut, chosen by the test as the n-th write, truncate or sync
 * from arming, every open file's unsynced operations are thrown away except
 * a random choice of them (per file one of: none; a prefix, its last write
 * possibly torn; a random subset in any order, each write possibly torn),
 * where a torn write reaches the disk only in some of its 512-byte sectors.
 * From then on every operation fails with SQLITE_IOERR, as on a machine
 * without power, until the test closes every connection and calls
 * faultvfs_power_on.
 *
 * Not simulated: the device's own volatile cache lying about fsync (a card
 * that acknowledges a flush it has not done), directory entries (creating
 * and deleting a file are durable at once), and bit rot. Memory-mapped I/O
 * is not offered (the VFS is version 2, without xFetch), so every page goes
 * through xWrite. Single-threaded: one test thread at a time.
 */
#ifndef TALLY_FAULTVFS_H
#define TALLY_FAULTVFS_H

#include <stdint.h>

struct faultvfs_stats {
	uint64_t ops;         /* writes, truncates and syncs since install */
	uint64_t syncs;
	uint64_t cuts;
	uint64_t torn;        /* writes that reached the disk only in part, at cuts */
	uint64_t dropped;     /* unsynced operations thrown away at cuts */
	uint64_t kept;        /* unsynced operations that reached the disk at cuts */
};

/* Registers "faultvfs" as the default VFS, wrapping the one that was. 0 or -1. */
int faultvfs_install(void);
/* Makes the previous default the default again. */
void faultvfs_uninstall(void);

/* The power is cut at the n-th write, truncate or sync from now (n >= 1); 0 disarms. seed drives the choices. */
void faultvfs_arm(uint64_t n, uint32_t seed);
/* 1 once the power was cut (and until faultvfs_power_on). */
int faultvfs_cut(void);
/* Power back on. Every connection must have been closed since the cut. */
void faultvfs_power_on(void);

void faultvfs_get_stats(struct faultvfs_stats *out);

#endif
