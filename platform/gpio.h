/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gpio: the seam between Tally and a GPIO chip. Input lines deliver raw
 * edges (which line, the level it went to, a timestamp) through file
 * descriptors the caller polls; levels can be re-read; output lines drive
 * LEDs. Debouncing and meaning are the caller's (core debounce/buttons).
 *
 * Backends, chosen by the chip name:
 *   "sim:PATH"  the simulated chip (gpio_sim.c): raw edges as text lines
 *               "<line> <level> <timestamp_us>" from a FIFO or a file.
 *   otherwise   a real chip by label ("pinctrl-bcm2835", "pinctrl-rp1") or
 *               path ("/dev/gpiochip4"), through libgpiod (gpio_gpiod.c),
 *               when the build found it.
 * All lines of one gpio handle use one backend. Levels are logical:
 * 1 = active (pressed, LED on), active_low already applied.
 */
#ifndef TALLY_GPIO_H
#define TALLY_GPIO_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define GPIO_MAX_INPUTS CONFIG_MAX_BUTTONS
#define GPIO_MAX_OUTPUTS (CONFIG_MAX_BUTTONS + 1)
#define GPIO_MAX_FDS GPIO_MAX_INPUTS
/* Edges one gpio_read call may return; reads are bounded so a storm cannot starve the UI. */
#define GPIO_READ_MAX 256
#define GPIO_SIM_PREFIX "sim:"

struct gpio_input {
	const char *chip;
	int line;
	int active_low;
	enum bias bias;
};

struct gpio_output {
	const char *chip;
	int line;
};

struct gpio_edge {
	int input;     /* index into the inputs given to gpio_open */
	int level;
	int64_t ts_ns; /* the kernel's (or the record's) timestamp */
};

struct gpio;

/*
 * Requests the inputs (both edges, with bias and active-low) and the
 * outputs (driven low). Returns 0, or -1 with a message in err.
 */
int gpio_open(struct gpio **out, const struct gpio_input *in, int nin,
	      const struct gpio_output *outs, int nout, char *err, size_t errlen);

/* Releases every line; NULL is fine. */
void gpio_close(struct gpio *g);

/* The descriptors to poll for POLLIN; returns how many (at most max). */
int gpio_fds(const struct gpio *g, int *fds, int max);

/*
 * Reads the edges waiting on fd, without blocking: at most max (up to
 * GPIO_READ_MAX), in order. Returns the count, 0 if none, -1 with err set.
 */
int gpio_read(struct gpio *g, int fd, struct gpio_edge *edges, int max, char *err, size_t errlen);

/* The current level of input i (the debounce re-read), or -1. */
int gpio_get(struct gpio *g, int input);

/* Drives output i. Returns 0 or -1. */
int gpio_set(struct gpio *g, int output, int on);

/*
 * 1 if edge timestamps are on the backend's own time base (the simulated
 * chip), 0 if they are CLOCK_MONOTONIC (the kernel's, Linux >= 5.7).
 */
int gpio_own_clock(const struct gpio *g);

/* 1 once no edge can ever come again (a simulated chip read from a plain file, at its end). */
int gpio_ended(const struct gpio *g);

/* Whether a chip name selects the simulated chip. */
int gpio_is_sim(const char *chip);

#endif
