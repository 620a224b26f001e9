/* loop: timers due together fire in the order they were due. */
#include "testutil.h"

#include <time.h>

#include "loop.h"

static char order[8];
static int fired;

static void mark_a(void *arg) { (void)arg; order[fired++] = 'a'; }
static void mark_b(void *arg) { (void)arg; order[fired++] = 'b'; }
static void mark_c(void *arg) { (void)arg; order[fired++] = 'c'; }

/* A stall of the whole process: afterwards every timer below is due. */
static void stall_until(int64_t ms)
{
	while (loop_now_ms() <= ms) {
		struct timespec ts = { 0, 5 * 1000000 };
		nanosleep(&ts, NULL);
	}
}

static void test_due_timers_fire_earliest_first(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	assert_non_null(l);
	int64_t now = loop_now_ms();
	/* Added latest-due first: a script's long wait, then a short hold timer. */
	assert_true(loop_add_timer(l, now + 60, mark_c, NULL) > 0);
	assert_true(loop_add_timer(l, now + 40, mark_b, NULL) > 0);
	assert_true(loop_add_timer(l, now + 20, mark_a, NULL) > 0);
	stall_until(now + 60);
	assert_int_equal(loop_run_once(l, 0), 3);
	assert_string_equal(order, "abc");
	loop_free(l);
}

static void test_same_due_time_keeps_the_order_added(void **state)
{
	(void)state;
	memset(order, 0, sizeof(order));
	fired = 0;
	struct loop *l = loop_new();
	assert_non_null(l);
	int64_t at = loop_now_ms() + 10;
	loop_add_timer(l, at, mark_b, NULL);
	loop_add_timer(l, at, mark_a, NULL);
	loop_add_timer(l, at - 5, mark_c, NULL);
	stall_until(at);
	assert_int_equal(loop_run_once(l, 0), 3);
	assert_string_equal(order, "cba");
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_timers_fire_earliest_first),
		cmocka_unit_test(test_same_due_time_keeps_the_order_added),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
