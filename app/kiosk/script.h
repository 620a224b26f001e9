/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script: scripted input for tests and benchmarks. Each line of the file
 * becomes a real SDL event pushed into SDL's queue, so it travels the same
 * path as a customer's key, touch or click:
 *
 *   key N               press number key N (1 = leftmost face; 0-9 on the PIN pad)
 *   touch X Y           finger down at X, Y in 0..1 of the panel
 *   touch-down X Y      the same (reads better before a touch-up)
 *   touch-up X Y        finger lifted (ends a corner long press)
 *   click X Y           left mouse button at panel pixel X, Y
 *   touch-click X Y     a click SDL synthesised from a touch (ignored)
 *   wait MS             pause the script
 *   screenshot FILE     save the canvas as last presented, as PNG
 *   quit                stop the kiosk
 *
 * Blank lines and lines starting with # are skipped. One line runs per
 * loop turn, so the kiosk handles each event (and presents) before the
 * next line runs.
 */
#ifndef TALLY_SCRIPT_H
#define TALLY_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"

struct script;

struct script_hooks {
	void (*screenshot)(const char *path, void *arg);
	void (*quit)(void *arg);
	void (*pushed)(int64_t ns, void *arg);  /* an input event was just pushed */
	void *arg;
};

/* Loads path and starts running it on loop. 0, or -1 with err. */
int script_start(struct script **out, const char *path, struct loop *loop, const struct script_hooks *hooks,
		 char *err, size_t errlen);
void script_free(struct script *s);

#endif
