/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gpio_backend: what a GPIO backend provides to gpio.c. Private to
 * platform/gpio*.c; callers use gpio.h. A backend's handle starts with
 * struct gpio, so gpio.c can dispatch without knowing the backend.
 */
#ifndef TALLY_GPIO_BACKEND_H
#define TALLY_GPIO_BACKEND_H

#include "gpio.h"

struct gpio_ops {
	void (*close)(struct gpio *g);
	int (*fds)(const struct gpio *g, int *fds, int max);
	int (*read)(struct gpio *g, int fd, struct gpio_edge *edges, int max, char *err, size_t errlen);
	int (*get)(struct gpio *g, int input);
	int (*set)(struct gpio *g, int output, int on);
};

struct gpio {
	const struct gpio_ops *ops;
	int own_clock;
	int ended;
};

/* The simulated chip: every chip name must be "sim:PATH" with the same inputs' PATH. */
int gpio_sim_open(struct gpio **out, const struct gpio_input *in, int nin,
		  const struct gpio_output *outs, int nout, char *err, size_t errlen);

/* The libgpiod backend, when built (TALLY_HAVE_GPIOD). */
int gpio_gpiod_open(struct gpio **out, const struct gpio_input *in, int nin,
		    const struct gpio_output *outs, int nout, char *err, size_t errlen);

#endif
