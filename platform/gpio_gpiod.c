/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gpio_gpiod: real GPIO chips through libgpiod 1.x (the v1 API of Debian 12
 * and Raspberry Pi OS bookworm). A libgpiod 2 backend would be one more
 * file beside this one, chosen by the Makefile.
 *
 * Chips are found by label ("pinctrl-bcm2835" on a Pi 4 and earlier,
 * "pinctrl-rp1" on a Pi 5) or by path, never by number: the Pi 5 renumbered
 * them. Each input line has its own event descriptor in the v1 API; the
 * kernel queues only 16 events per line, so reads drain up to 16 at once.
 * Event levels are logical: with the active-low flag the kernel inverts
 * them, and for both-edge requests it reports the level it sampled.
 */
#include "gpio_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONSUMER "tally"
#define KERNEL_QUEUE 16
#define MAX_CHIPS (GPIO_MAX_INPUTS + GPIO_MAX_OUTPUTS)

struct gpio_gpiod {
	struct gpio base;
	struct gpiod_chip *chips[MAX_CHIPS];
	char chip_names[MAX_CHIPS][CONFIG_NAME_MAX];
	int nchips;
	struct gpiod_line *in[GPIO_MAX_INPUTS];
	int in_fd[GPIO_MAX_INPUTS];
	int nin;
	struct gpiod_line *out[GPIO_MAX_OUTPUTS];
	int nout;
};

static void gpiod_close_all(struct gpio *g)
{
	struct gpio_gpiod *d = (struct gpio_gpiod *)g;
	for (int i = 0; i < d->nin; i++)
		if (d->in[i])
			gpiod_line_release(d->in[i]);
	for (int i = 0; i < d->nout; i++)
		if (d->out[i]) {
			gpiod_line_set_value(d->out[i], 0);
			gpiod_line_release(d->out[i]);
		}
	for (int i = 0; i < d->nchips; i++)
		gpiod_chip_close(d->chips[i]);
	free(d);
}

static int gpiod_fds(const struct gpio *g, int *fds, int max)
{
	const struct gpio_gpiod *d = (const struct gpio_gpiod *)g;
	int n = 0;
	for (int i = 0; i < d->nin && n < max; i++)
		fds[n++] = d->in_fd[i];
	return n;
}

static int gpiod_read(struct gpio *g, int fd, struct gpio_edge *edges, int max, char *err, size_t errlen)
{
	struct gpio_gpiod *d = (struct gpio_gpiod *)g;
	int input = -1;
	for (int i = 0; i < d->nin; i++)
		if (d->in_fd[i] == fd)
			input = i;
	if (input < 0)
		return 0;
	struct gpiod_line_event ev[KERNEL_QUEUE];
	int want = max < KERNEL_QUEUE ? max : KERNEL_QUEUE;
	int n = gpiod_line_event_read_fd_multiple(fd, ev, (unsigned)want);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		snprintf(err, errlen, "gpio: reading events of line %u: %s",
			 gpiod_line_offset(d->in[input]), strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++)
		edges[i] = (struct gpio_edge){
			.input = input,
			.level = ev[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE,
			.ts_ns = (int64_t)ev[i].ts.tv_sec * 1000000000 + ev[i].ts.tv_nsec,
		};
	return n;
}

static int gpiod_get(struct gpio *g, int input)
{
	struct gpio_gpiod *d = (struct gpio_gpiod *)g;
	if (input < 0 || input >= d->nin)
		return -1;
	return gpiod_line_get_value(d->in[input]);
}

static int gpiod_set(struct gpio *g, int output, int on)
{
	struct gpio_gpiod *d = (struct gpio_gpiod *)g;
	if (output < 0 || output >= d->nout)
		return -1;
	return gpiod_line_set_value(d->out[output], !!on) < 0 ? -1 : 0;
}

static const struct gpio_ops gpiod_ops = { gpiod_close_all, gpiod_fds, gpiod_read, gpiod_get, gpiod_set };

/* Opens a chip once per handle: by path if it starts with '/', else by label. */
static struct gpiod_chip *find_chip(struct gpio_gpiod *d, const char *name, char *err, size_t errlen)
{
	for (int i = 0; i < d->nchips; i++)
		if (!strcmp(d->chip_names[i], name))
			return d->chips[i];
	errno = 0;
	struct gpiod_chip *chip = name[0] == '/' ? gpiod_chip_open(name) : gpiod_chip_open_by_label(name);
	if (!chip) {
		snprintf(err, errlen, "gpio: chip \"%s\" not found: %s (gpiodetect lists chips; the label is "
			 "pinctrl-bcm2835 up to the Pi 4, pinctrl-rp1 on the Pi 5)",
			 name, errno ? strerror(errno) : "no such label");
		return NULL;
	}
	d->chips[d->nchips] = chip;
	snprintf(d->chip_names[d->nchips], CONFIG_NAME_MAX, "%s", name);
	d->nchips++;
	return chip;
}

static int bias_flags(enum bias b)
{
	switch (b) {
	case BIAS_PULL_UP: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
	case BIAS_PULL_DOWN: return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
	case BIAS_DISABLE: return GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
	case BIAS_AS_IS: break;
	}
	return 0;
}

static struct gpiod_line *get_line(struct gpio_gpiod *d, const char *chip_name, int offset,
				   char *err, size_t errlen)
{
	struct gpiod_chip *chip = find_chip(d, chip_name, err, errlen);
	if (!chip)
		return NULL;
	struct gpiod_line *line = gpiod_chip_get_line(chip, (unsigned)offset);
	if (!line)
		snprintf(err, errlen, "gpio: chip \"%s\" has no line %d", chip_name, offset);
	return line;
}

int gpio_gpiod_open(struct gpio **out, const struct gpio_input *in, int nin,
		    const struct gpio_output *outs, int nout, char *err, size_t errlen)
{
	struct gpio_gpiod *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "gpio: out of memory");
		return -1;
	}
	d->base = (struct gpio){ .ops = &gpiod_ops, .own_clock = 0 };
	for (int i = 0; i < nin; i++) {
		struct gpiod_line *line = get_line(d, in[i].chip, in[i].line, err, errlen);
		if (!line)
			goto fail;
		int flags = bias_flags(in[i].bias) | (in[i].active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0);
		if (gpiod_line_request_both_edges_events_flags(line, CONSUMER, flags) < 0) {
			snprintf(err, errlen, "gpio: %s line %d: cannot request edge events: %s%s", in[i].chip,
				 in[i].line, strerror(errno), errno == EBUSY ? " (used by another program?)" : "");
			goto fail;
		}
		d->in[d->nin] = line;
		d->in_fd[d->nin] = gpiod_line_event_get_fd(line);
		d->nin++;
		/* Reads must never block the UI loop, even after a spurious wakeup. */
		int fl = fcntl(d->in_fd[i], F_GETFL);
		if (fl >= 0)
			fcntl(d->in_fd[i], F_SETFL, fl | O_NONBLOCK);
	}
	for (int i = 0; i < nout; i++) {
		struct gpiod_line *line = get_line(d, outs[i].chip, outs[i].line, err, errlen);
		if (!line)
			goto fail;
		if (gpiod_line_request_output_flags(line, CONSUMER, 0, 0) < 0) {
			snprintf(err, errlen, "gpio: %s line %d: cannot request as output: %s",
				 outs[i].chip, outs[i].line, strerror(errno));
			goto fail;
		}
		d->out[d->nout++] = line;
	}
	*out = &d->base;
	return 0;
fail:
	gpiod_close_all(&d->base);
	return -1;
}
