/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gpio: picks the backend from the chip names and forwards calls to it.
 * Which real-chip backend exists is decided by the Makefile (pkg-config
 * finds libgpiod 1.x -> gpio_gpiod.c and TALLY_HAVE_GPIOD).
 */
#include "gpio.h"

#include <stdio.h>
#include <string.h>

#include "gpio_backend.h"

int gpio_is_sim(const char *chip)
{
	return chip && strncmp(chip, GPIO_SIM_PREFIX, strlen(GPIO_SIM_PREFIX)) == 0;
}

int gpio_open(struct gpio **out, const struct gpio_input *in, int nin,
	      const struct gpio_output *outs, int nout, char *err, size_t errlen)
{
	*out = NULL;
	if (nin < 0 || nin > GPIO_MAX_INPUTS || nout < 0 || nout > GPIO_MAX_OUTPUTS) {
		snprintf(err, errlen, "gpio: too many lines");
		return -1;
	}
	int sims = 0;
	for (int i = 0; i < nin; i++)
		sims += gpio_is_sim(in[i].chip);
	for (int i = 0; i < nout; i++)
		sims += gpio_is_sim(outs[i].chip);
	if (sims && sims != nin + nout) {
		snprintf(err, errlen, "gpio: simulated (sim:) and real chips cannot be mixed");
		return -1;
	}
	if (sims)
		return gpio_sim_open(out, in, nin, outs, nout, err, errlen);
#ifdef TALLY_HAVE_GPIOD
	return gpio_gpiod_open(out, in, nin, outs, nout, err, errlen);
#else
	snprintf(err, errlen, "gpio: chip \"%s\": this build has no libgpiod (install libgpiod-dev and rebuild), "
		 "only simulated chips (sim:PATH)", nin ? in[0].chip : outs[0].chip);
	return -1;
#endif
}

void gpio_close(struct gpio *g)
{
	if (g)
		g->ops->close(g);
}

int gpio_fds(const struct gpio *g, int *fds, int max)
{
	return g->ops->fds(g, fds, max);
}

int gpio_read(struct gpio *g, int fd, struct gpio_edge *edges, int max, char *err, size_t errlen)
{
	if (max > GPIO_READ_MAX)
		max = GPIO_READ_MAX;
	return g->ops->read(g, fd, edges, max, err, errlen);
}

int gpio_get(struct gpio *g, int input)
{
	return g->ops->get(g, input);
}

int gpio_set(struct gpio *g, int output, int on)
{
	return g->ops->set(g, output, on);
}

int gpio_own_clock(const struct gpio *g)
{
	return g->own_clock;
}

int gpio_ended(const struct gpio *g)
{
	return g->ended;
}
