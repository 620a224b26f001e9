/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gpio_sim: a simulated GPIO chip, so tests and demos press buttons through
 * the same debounce path as hardware.
 *
 * Chip name "sim:PATH". PATH is a FIFO (created if missing) or a plain
 * file of text lines:
 *
 *     # comment
 *     <line> <level> <timestamp_us>
 *
 * line is the line offset as configured in [button.N] line; level is the
 * logical level, 1 = pressed (active_low does not apply: there is no
 * wiring to invert); timestamp_us is microseconds on any monotonic base of
 * the writer's choosing (the Unix epoch too), up to SIM_MAX_US. Times come
 * from the records, never from our clock, so a recording replays the same
 * however fast it is read. A plain file ends at its end; a FIFO never does (we hold a writer open ourselves,
 * so a writer closing does not leave poll() reporting hang-up forever).
 * Output lines (LEDs) are only remembered. A line's current level, for the
 * debounce re-read, is the level of its last record.
 */
#include "gpio_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/*
 * The latest timestamp a record may carry: half of int64 nanoseconds (146
 * years). Edge times get the debounce, stuck and chord delays and the
 * kiosk's clock offset added to them; a record near INT64_MAX made those
 * sums overflow (found by tests/fuzz/fuzz_gpio_sim). The other half of the
 * range is that headroom.
 */
#define SIM_MAX_US (INT64_MAX / 2 / 1000)

/* The shortest record, "0 1 5\n", bounds how many edges a read can hold. */
#define SIM_MIN_RECORD 6
#define SIM_BUF 4096

struct gpio_sim {
	struct gpio base;
	char path[CONFIG_PATH_MAX];
	int fd;
	int keepalive_fd;  /* our own writer on the FIFO, so it never reads EOF */
	int nin;
	int offsets[GPIO_MAX_INPUTS];
	int levels[GPIO_MAX_INPUTS];
	int outputs[GPIO_MAX_OUTPUTS];
	int nout;
	char buf[SIM_BUF];
	size_t used;
	size_t scanned;    /* buf[0..scanned) holds no newline: the next scan starts there */
	long lineno;
	long bad_lines;
};

static void sim_close(struct gpio *g)
{
	struct gpio_sim *s = (struct gpio_sim *)g;
	if (s->fd >= 0)
		close(s->fd);
	if (s->keepalive_fd >= 0)
		close(s->keepalive_fd);
	free(s);
}

static int sim_fds(const struct gpio *g, int *fds, int max)
{
	const struct gpio_sim *s = (const struct gpio_sim *)g;
	if (s->fd < 0 || max < 1)
		return 0;
	fds[0] = s->fd;
	return 1;
}

static void bad_line(struct gpio_sim *s, const char *why)
{
	/* A broken script should be visible once, not once per line. */
	if (s->bad_lines++ == 0)
		log_msg(LOG_WARNING, "%s:%ld: %s (expected \"<line> <level 0|1> <timestamp_us>\"); "
			"further bad lines are skipped silently", s->path, s->lineno, why);
}

/* Parses one record; returns 1 with e filled, 0 to skip the line. */
static int parse_record(struct gpio_sim *s, char *text, struct gpio_edge *e)
{
	s->lineno++;
	char *p = text;
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	char *end;
	errno = 0;
	long line = strtol(p, &end, 10);
	if (end == p || errno)
		return bad_line(s, "bad line number"), 0;
	p = end;
	long level = strtol(p, &end, 10);
	if (end == p || (level != 0 && level != 1))
		return bad_line(s, "level must be 0 or 1"), 0;
	p = end;
	long long us = strtoll(p, &end, 10);
	if (end == p || errno || us < 0 || us > SIM_MAX_US)
		return bad_line(s, "bad timestamp"), 0;
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	if (*end != '\0' && *end != '#')
		return bad_line(s, "trailing text"), 0;
	for (int i = 0; i < s->nin; i++)
		if (s->offsets[i] == line) {
			*e = (struct gpio_edge){ .input = i, .level = (int)level, .ts_ns = (int64_t)us * 1000 };
			s->levels[i] = (int)level;
			return 1;
		}
	return bad_line(s, "no configured button uses this line"), 0;
}

static int sim_read(struct gpio *g, int fd, struct gpio_edge *edges, int max, char *err, size_t errlen)
{
	struct gpio_sim *s = (struct gpio_sim *)g;
	if (fd != s->fd || s->base.ended)
		return 0;
	/*
	 * Read no more bytes than can hold max records, so nothing read is
	 * left unparsed (a FIFO would not poll readable again for it). With
	 * only part of a line held, its end is one byte and each further
	 * record at least SIM_MIN_RECORD: a long line is read in blocks, not
	 * a byte per call (found by tests/fuzz/fuzz_gpio_sim: a 4 KiB line
	 * took thousands of reads, each rescanning the line).
	 */
	size_t want = (size_t)max * SIM_MIN_RECORD;
	want = want > s->used ? want - s->used : 1;
	if (s->scanned == s->used && want < (size_t)(max - 1) * SIM_MIN_RECORD + 1)
		want = (size_t)(max - 1) * SIM_MIN_RECORD + 1;
	if (want > sizeof(s->buf) - s->used)
		want = sizeof(s->buf) - s->used;
	ssize_t r = read(s->fd, s->buf + s->used, want);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		snprintf(err, errlen, "%s: %s", s->path, strerror(errno));
		return -1;
	}
	s->used += (size_t)r;
	if (r == 0 && s->used < sizeof(s->buf)) {
		/* End of a plain file: its last line may lack a newline. */
		s->base.ended = 1;
		if (s->used)
			s->buf[s->used++] = '\n';
	}
	int n = 0;
	size_t start = 0, i = s->scanned;
	for (; i < s->used && n < max; i++) {
		if (s->buf[i] != '\n')
			continue;
		s->buf[i] = '\0';
		n += parse_record(s, s->buf + start, &edges[n]);
		start = i + 1;
	}
	memmove(s->buf, s->buf + start, s->used - start);
	s->used -= start;
	s->scanned = i - start;
	if (s->used == sizeof(s->buf) && s->scanned == s->used) {
		s->lineno++;
		bad_line(s, "line too long");
		s->used = s->scanned = 0;
	}
	return n;
}

static int sim_get(struct gpio *g, int input)
{
	struct gpio_sim *s = (struct gpio_sim *)g;
	return input >= 0 && input < s->nin ? s->levels[input] : -1;
}

static int sim_set(struct gpio *g, int output, int on)
{
	struct gpio_sim *s = (struct gpio_sim *)g;
	if (output < 0 || output >= s->nout)
		return -1;
	s->outputs[output] = !!on;
	return 0;
}

static const struct gpio_ops sim_ops = { sim_close, sim_fds, sim_read, sim_get, sim_set };

static int open_source(struct gpio_sim *s, char *err, size_t errlen)
{
	struct stat st;
	if (stat(s->path, &st) < 0 && errno == ENOENT && mkfifo(s->path, 0660) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "sim:%s: cannot create FIFO: %s", s->path, strerror(errno));
		return -1;
	}
	s->fd = open(s->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0 || fstat(s->fd, &st) < 0) {
		snprintf(err, errlen, "sim:%s: %s", s->path, strerror(errno));
		return -1;
	}
	if (S_ISFIFO(st.st_mode)) {
		s->keepalive_fd = open(s->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (s->keepalive_fd < 0) {
			snprintf(err, errlen, "sim:%s: %s", s->path, strerror(errno));
			return -1;
		}
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "sim:%s: neither a FIFO nor a plain file", s->path);
		return -1;
	}
	return 0;
}

int gpio_sim_open(struct gpio **out, const struct gpio_input *in, int nin,
		  const struct gpio_output *outs, int nout, char *err, size_t errlen)
{
	size_t plen = strlen(GPIO_SIM_PREFIX);
	struct gpio_sim *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "gpio sim: out of memory");
		return -1;
	}
	s->base = (struct gpio){ .ops = &sim_ops, .own_clock = 1 };
	s->fd = s->keepalive_fd = -1;
	s->nin = nin;
	s->nout = nout;
	(void)outs; /* a simulated LED is only a remembered value, whatever its line */
	for (int i = 0; i < nin; i++) {
		const char *path = in[i].chip + plen;
		if (i == 0) {
			snprintf(s->path, sizeof(s->path), "%s", path);
		} else if (strcmp(path, s->path) != 0) {
			snprintf(err, errlen, "gpio sim: all buttons must use one simulated chip (\"%s\" vs \"%s\")",
				 s->path, path);
			sim_close(&s->base);
			return -1;
		}
		for (int j = 0; j < i; j++)
			if (s->offsets[j] == in[i].line) {
				snprintf(err, errlen, "sim:%s: line %d is used by two buttons", s->path, in[i].line);
				sim_close(&s->base);
				return -1;
			}
		s->offsets[i] = in[i].line;
	}
	if (nin > 0 && (s->path[0] == '\0' || open_source(s, err, errlen) < 0)) {
		if (s->path[0] == '\0')
			snprintf(err, errlen, "gpio sim: \"sim:\" needs a path");
		sim_close(&s->base);
		return -1;
	}
	*out = &s->base;
	return 0;
}
