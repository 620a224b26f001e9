/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_http: head office's HTTP layer end to end, in one process: the real
 * hq_http server (libmicrohttpd, one worker thread, the fixture store of
 * fuzz_hq_util.h) listens on 127.0.0.1 at a free port, started once; each
 * input is sent as raw bytes on a fresh connection, our side is then shut
 * for writing (the request is all there is; see exchange for when), and
 * the answer read to the end. Sanitizer reports from the server thread stop the process like any
 * other, with the input that caused them.
 *
 * Speed: the server is in this process, so the harness can see its end of
 * the connection (server_end) and shut ours the moment the server has read
 * every byte, rather than after a stretch of silence: that wait (20 ms per
 * input that leaves a request incomplete, most mutated ones) held the
 * target at about 100 executions a second, nearly all of it idle.
 *
 * Checked: the server answers or closes within 8 s (a hang is a finding),
 * an answer is HTTP/1.x with a status line, an API answer (application/json)
 * with status >= 400 is {"error":"..."}, answers to pipelined requests are
 * framed by their Content-Length, and the server is still there for the
 * next input.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_hq_util.h"
#include "hq_http.h"

#define ANSWER_MAX (4 * 1024 * 1024)
#define WAIT_MS 8000

static struct fuzz_hq fx;
static struct hq_http *server;
static struct sockaddr_in addr;
static char *answer;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	fuzz_hq_setup(&fx);
	struct hq_http_options o = { .listen = "127.0.0.1:0", .db_path = fx.path, .threads = 1,
				     .connection_timeout_s = 5, .api = { .max_batch = 100 } };
	char bound[64], err[512];
	if (hq_http_start(&server, &o, bound, sizeof(bound), err, sizeof(err)))
		fuzz_die(err);
	const char *colon = strrchr(bound, ':');
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(colon + 1));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	answer = malloc(ANSWER_MAX + 1);
	if (!answer)
		fuzz_die("out of memory");
	return 0;
}

/* Whether answer[0..len) ends exactly at the end of an answer with a Content-Length. */
static int answer_complete(size_t len)
{
	size_t at = 0;
	while (at < len) {
		answer[len] = '\0';
		const char *a = answer + at, *end = strstr(a, "\r\n\r\n");
		const char *cl = strcasestr(a, "\r\nContent-Length: ");
		if (!end || !cl || cl > end)
			return 0;
		at = (size_t)(end + 4 - answer) + strtoul(cl + 18, NULL, 10);
	}
	return at == len && len > 0;
}

/*
 * The server's descriptor for our connection fd: in this process, it is
 * the socket whose peer is our end. -1 until the server has accepted it.
 * Searched outwards from the last one found (or from ours), 128 either
 * way: descriptors are numbered lowest free first, and the numbers come
 * back as connections close.
 */
static int server_end(int fd)
{
	static int last = -1;
	struct sockaddr_in ours = { 0 }, peer = { 0 };
	socklen_t len = sizeof(ours);
	if (getsockname(fd, (struct sockaddr *)&ours, &len) < 0)
		return -1;
	int near = last >= 0 ? last : fd;
	for (int i = 0; i < 256; i++) {
		int cand = near + (i % 2 ? -(i + 1) / 2 : i / 2);
		if (cand < 0 || cand >= 1024 || cand == fd)
			continue;
		len = sizeof(peer);
		if (getpeername(cand, (struct sockaddr *)&peer, &len) == 0 && len == sizeof(peer) &&
		    peer.sin_family == AF_INET && peer.sin_port == ours.sin_port &&
		    peer.sin_addr.s_addr == ours.sin_addr.s_addr)
			return last = cand;
	}
	return -1;
}

/* Whether the server has read every byte we sent: none left in our send queue nor in its receive queue. */
static int server_drained(int fd, int *server)
{
	int unsent = 0, unread = 0;
	if (*server < 0)
		*server = server_end(fd);
	return *server >= 0 && ioctl(fd, SIOCOUTQ, &unsent) == 0 && unsent == 0 &&
	       ioctl(*server, FIONREAD, &unread) == 0 && unread == 0;
}

/*
 * Returns once the server has closed its end of our connection (for at
 * most a second). The server frees the connection's memory as it closes
 * it: returned earlier, the input would end with more allocations than
 * frees, and libFuzzer then runs it again and scans the whole heap for a
 * leak (a third of the target's time went there), until after a thousand
 * such inputs it stops looking for leaks at all.
 */
static void wait_server_closed(int server, const struct sockaddr_in *ours)
{
	int64_t until = mono_ms() + 1000;
	while (server >= 0 && mono_ms() < until) {
		struct sockaddr_in peer = { 0 };
		socklen_t len = sizeof(peer);
		if (getpeername(server, (struct sockaddr *)&peer, &len) < 0 || len != sizeof(peer) ||
		    peer.sin_port != ours->sin_port || peer.sin_addr.s_addr != ours->sin_addr.s_addr)
			return;
		poll(NULL, 0, 1);
	}
}

/*
 * Sends everything, reading the answer as it comes so neither side blocks
 * on a full buffer, then shuts our side for writing once an answer is
 * complete, or once the server has read all we sent and still not
 * answered (an incomplete request waits for more; 20 ms of silence if the
 * server's end cannot be seen, 200 ms if it stops reading). Not at once: libmicrohttpd 0.9.75 misses
 * an end of stream that arrives in one read together with a keep-alive
 * request, and holds the connection until its timeout; once the server has
 * read the request, our end of stream comes in a read of its own.
 */
static size_t exchange(int fd, const uint8_t *data, size_t size, int *server_fd)
{
	size_t sent = 0, got = 0;
	int shut = 0, server = -1;
	int64_t deadline = mono_ms() + WAIT_MS, silent_since = 0;
	for (;;) {
		if (sent == size && !shut && (answer_complete(got) || server_drained(fd, &server))) {
			shutdown(fd, SHUT_WR);
			shut = 1;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN | (sent < size ? POLLOUT : 0) };
		int64_t now = mono_ms(), left = deadline - now;
		if (left <= 0)
			fuzz_die("the server neither answered nor closed within 8 s");
		int quiet = sent == size && !shut;
		if (!quiet || !silent_since)
			silent_since = now;
		/* Waiting for the server to read: look again each millisecond. */
		int r = poll(&p, 1, quiet ? 1 : (int)left);
		if (r < 0 && errno != EINTR)
			fuzz_die("poll failed");
		/* Silence: 20 ms when the server's end is not to be seen; 200 if it holds bytes it does not read. */
		if (r == 0 && quiet && mono_ms() - silent_since >= (server < 0 ? 20 : 200)) {
			shutdown(fd, SHUT_WR);
			shut = 1;
			continue;
		}
		if (r > 0)
			silent_since = 0;
		if (p.revents & POLLOUT) {
			ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN && errno != EINTR)
				sent = size; /* the server closed on us: it has said all it will */
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = recv(fd, answer + got, ANSWER_MAX - got, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
				break;
			if (n > 0)
				got += (size_t)n;
			if (got == ANSWER_MAX)
				fuzz_die("an answer over 4 MiB");
		}
	}
	answer[got] = '\0';
	*server_fd = server;
	return got;
}

/* Dies with the answer shown (its first 2 KiB), for whoever reproduces the finding. */
static void bad_answer(const char *why, size_t len)
{
	fprintf(stderr, "answer (%zu bytes):\n", len);
	for (size_t i = 0; i < len && i < 2048; i++) {
		unsigned char c = (unsigned char)answer[i];
		if (c == '\n' || (c >= 0x20 && c < 0x7f))
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fputc('\n', stderr);
	fuzz_die(why);
}

/* Each answer on the connection (pipelined requests get several): a status line, and JSON errors. */
static void check_answers(size_t len, int head)
{
	size_t at = 0;
	while (at < len) {
		const char *a = answer + at;
		if (len - at < 12 || (strncmp(a, "HTTP/1.1 ", 9) && strncmp(a, "HTTP/1.0 ", 9)))
			bad_answer("an answer that does not start with a status line", len);
		int status = atoi(a + 9);
		if (status < 100 || status > 599)
			bad_answer("a status out of range", len);
		const char *end = strstr(a, "\r\n\r\n");
		if (!end)
			return; /* headers cut short by the server closing: nothing more to check */
		const char *cl = strcasestr(a, "\r\nContent-Length: ");
		if (!cl || cl > end)
			return; /* no length: the body runs to the close */
		size_t blen = strtoul(cl + 18, NULL, 10);
		const char *body = end + 4;
		/*
		 * The answer to a HEAD has the headers of a GET, its length
		 * too, and no body: the next answer starts where a body would.
		 */
		if (head && (size_t)(body - answer) + 9 <= len &&
		    (!strncmp(body, "HTTP/1.1 ", 9) || !strncmp(body, "HTTP/1.0 ", 9))) {
			at = (size_t)(body - answer);
			continue;
		}
		if (blen > len - (size_t)(body - answer))
			return;
		const char *ct = strcasestr(a, "\r\nContent-Type: application/json");
		/*
		 * No JSON: libmicrohttpd's own answer to a malformed request. Its
		 * framing is not ours to check (0.9.75 sends the header of its 400
		 * for a bad Content-Length after "Expect: 100-continue" twice).
		 */
		if (!ct || ct > end)
			return;
		if (status >= 400) {
			char msg[600];
			if (protocol_decode_error(body, blen, msg, sizeof(msg)))
				bad_answer("a JSON error answer that is not {\"error\":\"...\"}", len);
		}
		at = (size_t)(body - answer) + blen;
	}
}

/*
 * connect, carried on when a signal interrupts it (libFuzzer's timer
 * ticks every second; at hundreds of connections a second one was hit):
 * the connection goes on being made, so wait for it and take its result.
 */
static int connect_whole(int fd)
{
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		return 0;
	if (errno != EINTR)
		return -1;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int r;
	while ((r = poll(&p, 1, WAIT_MS)) < 0 && errno == EINTR)
		;
	int e = 0;
	socklen_t len = sizeof(e);
	if (r != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		return -1;
	errno = e;
	return e ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/*
	 * Each connection from its own address of 127.0.0.0/8: a long run makes
	 * tens of thousands of connections a minute, and from one address their
	 * TIME_WAIT entries used up the ephemeral ports (connect failed).
	 */
	static uint32_t next_src;
	struct sockaddr_in src = { .sin_family = AF_INET };
	src.sin_addr.s_addr = htonl(0x7f000000u | (1 + next_src++ % 0xfffffdu));
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 || connect_whole(fd) < 0) {
		fprintf(stderr, "fuzz harness: connect: %s\n", strerror(errno));
		fuzz_die("cannot connect: the server is gone");
	}
	int server_fd;
	struct sockaddr_in ours = { 0 };
	socklen_t len = sizeof(ours);
	if (getsockname(fd, (struct sockaddr *)&ours, &len) < 0)
		fuzz_die("getsockname failed");
	size_t got = exchange(fd, data, size, &server_fd);
	close(fd);
	wait_server_closed(server_fd, &ours);
	/* Any HEAD among the requests (found by fuzz_http: its answer was taken to have a body). */
	check_answers(got, memmem(data, size, "HEAD", 4) != NULL);
	/* Anything an input stored goes again, so the next input meets the fixture. */
	fuzz_hq_reset_if_changed(&fx);
	return 0;
}
