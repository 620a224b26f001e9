/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clockstate: Linux time facts.
 *
 * "Synced" is systemd-timesyncd's flag file when it exists (it is created
 * once the first NTP exchange succeeded, and lives in /run, so it is gone
 * after a reboot, exactly when the clock becomes untrustworthy). Without
 * timesyncd (chrony, ntpd) the kernel's adjtimex state tells: a clock that
 * no daemon disciplines reports TIME_ERROR / STA_UNSYNC.
 */
#include "clockstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

static const char *root(void)
{
	const char *r = getenv("TALLY_CLOCK_ROOT");
	return r && *r ? r : NULL;
}

static void read_boot_id(char *out, size_t len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/random/boot_id", root() ? root() : "");
	snprintf(out, len, "unknown");
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\r\n")] = '\0';
	fclose(f);
}

int clockstate_synced(void)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/run/systemd/timesync/synchronized", root() ? root() : "");
	if (access(path, F_OK) == 0)
		return 1;
	if (root())
		return 0;
	struct timex tx = { 0 };
	int state = adjtimex(&tx);
	return state != -1 && state != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

static int64_t ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Tests only: under TALLY_CLOCK_ROOT, a file wall_offset_ms holding a
 * signed number of ms makes the wall clock that far off, as a Pi's is after
 * a power cut (faketime is not on every build machine, and this keeps the
 * rest of the process on the real clock). Never read without the root.
 */
static int64_t wall_offset_ms(void)
{
	if (!root())
		return 0;
	char path[1024], buf[32];
	snprintf(path, sizeof(path), "%s/wall_offset_ms", root());
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int64_t off = 0;
	if (fgets(buf, sizeof(buf), f))
		off = strtoll(buf, NULL, 10);
	fclose(f);
	return off;
}

int64_t clockstate_boot_ms(void)
{
	return ms(CLOCK_BOOTTIME);
}

static int64_t ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Floor division, so a time before the epoch of a clock still rounds one way. */
static int64_t ns_to_ms(int64_t v)
{
	return v >= 0 ? v / 1000000 : -((-v + 999999) / 1000000);
}

void clockstate_stamp(struct rating *r)
{
	/* The boot id cannot change while we run: read it once. */
	static char boot_id[RATING_BOOT_ID_MAX];
	if (!boot_id[0])
		read_boot_id(boot_id, sizeof(boot_id));
	r->wall_ms = ms(CLOCK_REALTIME) + wall_offset_ms();
	r->boot_ms = ms(CLOCK_BOOTTIME);
	snprintf(r->boot_id, sizeof(r->boot_id), "%s", boot_id);
	r->clock_synced = clockstate_synced();
}

void clockstate_stamp_at(struct rating *r, int64_t mono_ns)
{
	clockstate_stamp(r);
	/*
	 * The clocks' offsets are what matters, to a few microseconds. Read back
	 * to back they are, unless we are preempted between two reads: on a busy
	 * machine that skewed one stamp by milliseconds (wall 2 ms off boot). So
	 * read them between two monotonic reads and keep the tightest of a few tries.
	 */
	int64_t mono = 0, boot = 0, wall = 0, window = INT64_MAX;
	for (int k = 0; k < 8 && window > 100000; k++) {
		int64_t m0 = ns(CLOCK_MONOTONIC), b = ns(CLOCK_BOOTTIME), w = ns(CLOCK_REALTIME);
		int64_t m1 = ns(CLOCK_MONOTONIC);
		if (m1 - m0 < window) {
			window = m1 - m0;
			mono = m0;
			boot = b;
			wall = w;
		}
	}
	int64_t shift = mono_ns - mono;
	r->boot_ms = ns_to_ms(boot + shift);
	r->wall_ms = ns_to_ms(wall + shift);
}
