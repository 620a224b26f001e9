/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging: the sink hook in log.c and the journal sink's choice and format,
 * without a journal: a fake sink records what it is given, and stderr is a
 * scratch file whose device and inode we can name in $JOURNAL_STREAM.
 */
#include "testutil.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "journal_log.h"
#include "log.h"

struct seen {
	int calls;
	int priority;
	char ident[64];
	char message[256];
	struct log_field fields[LOG_MAX_FIELDS];
	size_t nfields;
};

static void fake_sink(void *arg, int priority, const char *ident, const char *message,
		      const struct log_field *fields, size_t nfields)
{
	struct seen *s = arg;
	s->calls++;
	s->priority = priority;
	snprintf(s->ident, sizeof(s->ident), "%s", ident);
	snprintf(s->message, sizeof(s->message), "%s", message);
	memcpy(s->fields, fields, nfields * sizeof(*fields));
	s->nfields = nfields;
}

/* Points stderr at a scratch file; returns the saved stderr. */
static int stderr_to(const char *path)
{
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	return saved;
}

static void stderr_back(int saved)
{
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

static void read_file(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void reset_log(void)
{
	log_set_sink(NULL, NULL);
	log_set_field("TALLY_KIOSK", NULL);
	log_set_level(LOG_INFO);
	unsetenv("JOURNAL_STREAM");
}

static void test_sink_gets_message_priority_ident_and_fields(void **state)
{
	(void)state;
	struct seen s = { 0 };
	log_init("tally-kiosk");
	assert_int_equal(log_set_field("TALLY_KIOSK", "berlin-1"), 0);
	log_set_sink(fake_sink, &s);
	log_msg(LOG_WARNING, "press on face %d not stored", 2);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.priority, LOG_WARNING);
	assert_string_equal(s.ident, "tally-kiosk");
	assert_string_equal(s.message, "press on face 2 not stored");
	assert_int_equal(s.nfields, 1);
	assert_string_equal(s.fields[0].name, "TALLY_KIOSK");
	assert_string_equal(s.fields[0].value, "berlin-1");
	reset_log();
}

static void test_debug_lines_never_reach_the_sink_unless_enabled(void **state)
{
	(void)state;
	struct seen s = { 0 };
	log_set_sink(fake_sink, &s);
	log_msg(LOG_DEBUG, "rating 1: face 1 of 4");
	assert_int_equal(s.calls, 0);
	log_set_level(LOG_DEBUG);
	log_msg(LOG_DEBUG, "rating 2: face 1 of 4");
	assert_int_equal(s.calls, 1);
	reset_log();
}

static void test_field_names_follow_the_journal_rules(void **state)
{
	(void)state;
	assert_int_equal(log_set_field("tally_kiosk", "x"), -1);
	assert_int_equal(log_set_field("_PID", "x"), -1);
	assert_int_equal(log_set_field("", "x"), -1);
	assert_int_equal(log_set_field("TALLY_KIOSK", "a"), 0);
	assert_int_equal(log_set_field("TALLY_KIOSK", "b"), 0); /* replaces, not adds */
	struct seen s = { 0 };
	log_set_sink(fake_sink, &s);
	log_msg(LOG_ERR, "x");
	assert_int_equal(s.nfields, 1);
	assert_string_equal(s.fields[0].value, "b");
	reset_log();
}

static void test_entry_has_structured_fields(void **state)
{
	(void)state;
	struct log_field f = { "TALLY_KIOSK", "berlin-1" };
	struct journal_entry e;
	journal_log_format(&e, LOG_ERR, "tally-sync", "head office said 503", &f, 1);
	assert_int_equal(e.n, 4);
	assert_string_equal(e.item[0], "MESSAGE=head office said 503");
	assert_string_equal(e.item[1], "PRIORITY=3");
	assert_string_equal(e.item[2], "SYSLOG_IDENTIFIER=tally-sync");
	assert_string_equal(e.item[3], "TALLY_KIOSK=berlin-1");
	for (size_t i = 0; i < e.n; i++)
		assert_int_equal(e.iov[i].iov_len, strlen(e.item[i]));
}

static void test_journal_stream_must_name_stderr(void **state)
{
	(void)state;
	char dir[256], path[300], js[64];
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = stderr_to(path);
	struct stat sb;
	assert_int_equal(fstat(STDERR_FILENO, &sb), 0);
	snprintf(js, sizeof(js), "%ju:%ju", (uintmax_t)sb.st_dev, (uintmax_t)sb.st_ino);
	int same = journal_log_stream_is(js, STDERR_FILENO);
	snprintf(js, sizeof(js), "%ju:%ju", (uintmax_t)sb.st_dev, (uintmax_t)sb.st_ino + 1);
	int other = journal_log_stream_is(js, STDERR_FILENO);
	int garbage = journal_log_stream_is("8:12x", STDERR_FILENO);
	int empty = journal_log_stream_is("", STDERR_FILENO);
	stderr_back(saved);
	assert_int_equal(same, 1);
	assert_int_equal(other, 0);
	assert_int_equal(garbage, 0);
	assert_int_equal(empty, 0);
	tu_rmdir(dir);
}

/* A child of a unit inherits JOURNAL_STREAM but may have its own stderr: plain lines then. */
static void test_stderr_that_is_not_the_journal_gets_plain_lines(void **state)
{
	(void)state;
	char dir[256], path[300], out[512];
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/stderr", dir);
	setenv("JOURNAL_STREAM", "1:1", 1);
	int saved = stderr_to(path);
	log_init("tally-kiosk");
	int chosen = journal_log_setup("berlin-1");
	log_msg(LOG_NOTICE, "staff chord: staff view requested");
	stderr_back(saved);
	assert_int_equal(chosen, 0);
	read_file(path, out, sizeof(out));
	assert_string_equal(out, "tally-kiosk: notice: staff chord: staff view requested\n");
	reset_log();
	tu_rmdir(dir);
}

static void test_stderr_that_is_the_journal_selects_the_journal_sink(void **state)
{
	(void)state;
	char dir[256], path[300], js[64], out[512];
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = stderr_to(path);
	struct stat sb;
	assert_int_equal(fstat(STDERR_FILENO, &sb), 0);
	snprintf(js, sizeof(js), "%ju:%ju", (uintmax_t)sb.st_dev, (uintmax_t)sb.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	int chosen = journal_log_setup("berlin-1");
	/* Where no journald listens (a CI container), the line falls back to stderr. */
	int journald = access("/run/systemd/journal/socket", F_OK) == 0;
	if (!journald)
		log_msg(LOG_ERR, "store: disk full");
	stderr_back(saved);
	assert_int_equal(chosen, 1);
	if (!journald) {
		read_file(path, out, sizeof(out));
		assert_string_equal(out, "tally-kiosk: error: store: disk full\n");
	}
	reset_log();
	tu_rmdir(dir);
}

int main(void)
{
	log_init("tally-kiosk");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_gets_message_priority_ident_and_fields),
		cmocka_unit_test(test_debug_lines_never_reach_the_sink_unless_enabled),
		cmocka_unit_test(test_field_names_follow_the_journal_rules),
		cmocka_unit_test(test_entry_has_structured_fields),
		cmocka_unit_test(test_journal_stream_must_name_stderr),
		cmocka_unit_test(test_stderr_that_is_not_the_journal_gets_plain_lines),
		cmocka_unit_test(test_stderr_that_is_the_journal_selects_the_journal_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
