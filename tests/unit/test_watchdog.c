/*
 * Watchdog: a real AF_UNIX datagram socket stands in for systemd's notify
 * socket ($NOTIFY_SOCKET, which sd_notify honours) and a real struct loop
 * turns. We count messages, never time them.
 */
#include "testutil.h"

#include <sys/socket.h>
#include <sys/un.h>

#include "loop.h"
#include "watchdog.h"

struct fake_systemd {
	char dir[96]; /* sun_path holds 108 bytes */
	int fd;
};

/* Binds the socket, points NOTIFY_SOCKET at it, sets WATCHDOG_USEC. */
static void fake_systemd_start(struct fake_systemd *s, const char *watchdog_usec)
{
	tu_mkdtemp(s->dir, sizeof(s->dir));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", s->dir);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	unsetenv("WATCHDOG_PID");
	if (watchdog_usec)
		setenv("WATCHDOG_USEC", watchdog_usec, 1);
	else
		unsetenv("WATCHDOG_USEC");
}

static void fake_systemd_stop(struct fake_systemd *s)
{
	close(s->fd);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	tu_rmdir(s->dir);
}

/* Drains the socket; returns how many datagrams contained `what`. */
static int count_messages(struct fake_systemd *s, const char *what)
{
	char buf[512];
	int n = 0;
	ssize_t len;
	while ((len = recv(s->fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		buf[len] = '\0';
		if (strstr(buf, what))
			n++;
	}
	return n;
}

/*
 * Turns the loop until `want` datagrams containing `what` arrived, or a
 * generous deadline passed (a busy machine may not schedule us for a
 * while). Returns how many arrived.
 */
static int turn_loop_until(struct loop *l, struct fake_systemd *s, const char *what, int want)
{
	int64_t end = loop_now_ms() + 30000;
	int n = 0;
	while (n < want && loop_now_ms() < end) {
		loop_run_once(l, 100);
		n += count_messages(s, what);
	}
	return n;
}

static void test_a_turning_loop_pings_and_a_hung_one_stops(void **state)
{
	(void)state;
	struct fake_systemd s;
	fake_systemd_start(&s, "100000"); /* 100 ms: a ping every 50 ms */
	struct watchdog w;
	char err[256];
	assert_int_equal(watchdog_init(&w, err, sizeof(err)), 0);
	assert_int_equal(watchdog_interval_ms(&w), 50);
	struct loop *l = loop_new();
	assert_non_null(l);
	assert_int_equal(watchdog_attach(&w, l), 0);

	/* An idle loop (no descriptors) still turns, on the watchdog's own timer. */
	assert_true(turn_loop_until(l, &s, "WATCHDOG=1", 2) >= 2);

	/* The loop hangs: nobody calls loop_run_once, so nothing is sent. */
	usleep(400 * 1000);
	assert_int_equal(count_messages(&s, "WATCHDOG=1"), 0);

	/* It recovers: the pings come back. */
	assert_true(turn_loop_until(l, &s, "WATCHDOG=1", 1) >= 1);

	watchdog_detach(&w);
	loop_free(l);
	fake_systemd_stop(&s);
}

static void test_pings_are_limited_to_one_per_half_interval(void **state)
{
	(void)state;
	struct fake_systemd s;
	fake_systemd_start(&s, "2000000"); /* 2 s: at most one ping per 1000 ms */
	struct watchdog w;
	char err[256];
	assert_int_equal(watchdog_init(&w, err, sizeof(err)), 0);
	for (int i = 0; i < 1000; i++)
		watchdog_ping(&w, 5000 + i); /* a busy loop: many turns within 1 s */
	assert_int_equal(count_messages(&s, "WATCHDOG=1"), 1);
	watchdog_ping(&w, 6000);
	watchdog_ping(&w, 7000);
	assert_int_equal(count_messages(&s, "WATCHDOG=1"), 2);
	fake_systemd_stop(&s);
}

static void test_ready_is_sent_once(void **state)
{
	(void)state;
	struct fake_systemd s;
	fake_systemd_start(&s, NULL);
	struct watchdog w;
	char err[256];
	assert_int_equal(watchdog_init(&w, err, sizeof(err)), 0);
	watchdog_ready(&w);
	watchdog_ready(&w); /* a second frame presented: not a second READY */
	assert_int_equal(count_messages(&s, "READY=1"), 1);
	fake_systemd_stop(&s);
}

static void test_without_watchdog_nothing_is_sent_and_no_timer_added(void **state)
{
	(void)state;
	struct fake_systemd s;
	fake_systemd_start(&s, NULL);
	struct watchdog w;
	char err[256];
	assert_int_equal(watchdog_init(&w, err, sizeof(err)), 0);
	assert_int_equal(watchdog_interval_ms(&w), 0);
	struct loop *l = loop_new();
	assert_int_equal(watchdog_attach(&w, l), 0);
	/* No timer: an idle loop with nothing to wait for returns at once. */
	assert_int_equal(loop_run_once(l, 0), 0);
	watchdog_ping(&w, 1000);
	assert_int_equal(count_messages(&s, "WATCHDOG=1"), 0);
	loop_free(l);
	fake_systemd_stop(&s);
}

static void test_watchdog_for_another_process_is_not_ours(void **state)
{
	(void)state;
	struct fake_systemd s;
	fake_systemd_start(&s, "100000");
	char pid[32];
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	struct watchdog w;
	char err[256];
	assert_int_equal(watchdog_init(&w, err, sizeof(err)), 0);
	assert_int_equal(watchdog_interval_ms(&w), 0);
	unsetenv("WATCHDOG_PID");
	fake_systemd_stop(&s);
}

static void test_malformed_watchdog_usec_is_reported(void **state)
{
	(void)state;
	struct fake_systemd s;
	fake_systemd_start(&s, "soon");
	struct watchdog w;
	char err[256];
	assert_int_equal(watchdog_init(&w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "WATCHDOG_USEC"));
	assert_int_equal(watchdog_interval_ms(&w), 0);
	fake_systemd_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_turning_loop_pings_and_a_hung_one_stops),
		cmocka_unit_test(test_pings_are_limited_to_one_per_half_interval),
		cmocka_unit_test(test_ready_is_sent_once),
		cmocka_unit_test(test_without_watchdog_nothing_is_sent_and_no_timer_added),
		cmocka_unit_test(test_watchdog_for_another_process_is_not_ours),
		cmocka_unit_test(test_malformed_watchdog_usec_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
