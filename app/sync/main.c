/*
 * tally-sync: the kiosk's store-and-forward daemon. Wires the parts: the
 * kiosk store, the HTTP client, the sync rounds, the database watch, the
 * retry backoff and the summary pull, on one event loop that sleeps in
 * poll() until a rating arrives, a retry is due or a signal comes.
 *
 *   tally-sync [--config FILE] [--once] [--debug]
 *
 * --once sends everything unsent now, pulls the summary, prints one line
 * and exits 0 when nothing is left unsent, 1 otherwise.
 * Signals: TERM and INT stop (a request on the wire is abandoned; its
 * batch is simply sent again next time), USR1 means "try now".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "config.h"
#include "dbwatch.h"
#include "http_client.h"
#include "journal_log.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "store.h"
#include "summary_pull.h"
#include "sync.h"
#include "watchdog.h"

/* Coalesces the burst of WAL writes one commit makes into one round. */
#define SETTLE_MS 200
/*
 * While head office is unreachable (connection refused, no route), a new
 * rating brings the next attempt forward to at most this long after the
 * last one, so a head office that comes back is found within seconds on a
 * kiosk in use. Failures where head office did answer (5xx, timeouts) keep
 * the full backoff: an overloaded head office must not be hammered.
 */
#define ACTIVITY_RETRY_MS 5000
/* After ratings went out, the next summary may come this soon. */
#define SUMMARY_AFTER_SEND_MS 30000
#define PRUNE_EVERY_MS (3600 * 1000)
/*
 * A conflict (409) does not go away by itself: a person has to look. Until
 * then one retry a minute at most (the backoff may make it rarer), so head
 * office is not hammered and a fix is still noticed soon.
 */
#define CONFLICT_RETRY_MS 60000

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t now_flag;
static volatile sig_atomic_t reload_flag;
static const char *reload_path;   /* --config, checked on SIGHUP */
static int restart_flag;          /* SIGHUP with a good config: exec ourselves anew */
static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGUSR1)
		now_flag = 1;
	else if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
	if (write(sig_pipe[1], "x", 1) < 0) {
		/* full pipe: a wakeup is pending anyway */
	}
	errno = saved;
}

struct daemon {
	const struct config *cfg;
	struct loop *loop;
	struct store *store;
	struct http_client *http;
	struct sync *sync;
	struct dbwatch *watch;
	struct backoff backoff;
	int round_timer;        /* loop timer id, 0 when no round is scheduled */
	int64_t round_at;
	int failing;            /* the last round failed; round_at is a backoff retry */
	int unreachable;        /* ... because head office could not be reached at all */
	int again;              /* a change came while a round was already due: one more round after it */
	int64_t last_attempt;
	int summary_timer;
	int64_t last_summary;   /* monotonic ms, 0: never */
	int64_t last_prune;
	char summary_problem[768]; /* the last summary failure logged, "" if none */
};

static void run_round(void *arg);

/* Runs a round at `at` unless one is already due sooner. */
static void schedule(struct daemon *d, int64_t at)
{
	if (d->round_timer && d->round_at <= at)
		return;
	if (d->round_timer)
		loop_del_timer(d->loop, d->round_timer);
	d->round_timer = loop_add_timer(d->loop, at, run_round, d);
	d->round_at = at;
	if (d->round_timer < 0)
		d->round_timer = 0;
}

static void pull_summary(struct daemon *d)
{
	char day[16], err[768];
	d->last_summary = loop_now_ms();
	int rc = summary_pull(d->cfg, d->store, d->http, day, sizeof(day), err, sizeof(err));
	/* Like the send path: log when the problem changes, not every interval. */
	if (rc < 0 && strcmp(err, d->summary_problem) != 0) {
		log_msg(LOG_WARNING, "%s", err);
		snprintf(d->summary_problem, sizeof(d->summary_problem), "%s", err);
	} else if (rc >= 0 && d->summary_problem[0]) {
		log_msg(LOG_NOTICE, "summary for %s pulled again", day);
		d->summary_problem[0] = '\0';
	} else if (rc > 0) {
		log_msg(LOG_DEBUG, "summary for %s stored", day);
	}
}

static void prune(struct daemon *d)
{
	char err[512];
	d->last_prune = loop_now_ms();
	if (sync_prune(d->sync, err, sizeof(err)) < 0)
		log_msg(LOG_WARNING, "prune: %s", err);
}

static void run_round(void *arg)
{
	struct daemon *d = arg;
	d->round_timer = 0;
	int again = d->again;
	d->again = 0;
	struct sync_result r;
	d->last_attempt = loop_now_ms();
	sync_round(d->sync, &r);
	sync_log_result(d->sync, &r);
	if (r.outcome != SYNC_STOPPED)
		sync_write_status(d->sync, &r);
	int64_t now = loop_now_ms();
	switch (r.outcome) {
	case SYNC_DONE:
		backoff_reset(&d->backoff);
		d->failing = d->unreachable = 0;
		if (r.sent > 0 && (d->last_summary == 0 || now - d->last_summary >= SUMMARY_AFTER_SEND_MS) &&
		    d->cfg->sync_summary_every_s > 0)
			pull_summary(d);
		if (d->last_prune == 0 || now - d->last_prune >= PRUNE_EVERY_MS)
			prune(d);
		if (again)
			schedule(d, now + SETTLE_MS);
		break;
	case SYNC_STOPPED:
		break;
	default:
		d->failing = 1;
		d->unreachable = r.outcome == SYNC_NO_ANSWER && r.failure == HTTP_FAIL_CONNECT;
		int64_t delay = backoff_fail(&d->backoff);
		if (r.outcome == SYNC_CONFLICT && delay < CONFLICT_RETRY_MS)
			delay = CONFLICT_RETRY_MS;
		schedule(d, now + delay);
		break;
	}
	/* Give back what a large backlog made malloc hold. */
	malloc_trim(0);
}

static void on_db_change(int fd, short revents, void *arg)
{
	(void)fd; (void)revents;
	struct daemon *d = arg;
	if (!dbwatch_read(d->watch))
		return;
	int64_t now = loop_now_ms();
	/*
	 * The WAL is written before the commit is visible (the wal-index is
	 * updated after), so a round already due may run before this change
	 * can be read: then it gets one more round, or its rating would wait
	 * for the next press.
	 */
	if (!d->failing && d->round_timer && d->round_at < now + SETTLE_MS)
		d->again = 1;
	if (!d->failing)
		schedule(d, now + SETTLE_MS);
	else if (d->unreachable) {
		int64_t at = d->last_attempt + ACTIVITY_RETRY_MS;
		schedule(d, at > now + SETTLE_MS ? at : now + SETTLE_MS);
	}
	/* Otherwise the backoff retry already scheduled will carry it. */
}

/*
 * SIGHUP: a config with any problem is refused and the old one kept; a
 * good one takes effect by executing ourselves anew once the loop ends (no
 * round is in flight then), which applies every key the same way a start
 * does. Nothing is lost: the outbox is the kiosk's database.
 */
static void reload(struct daemon *d)
{
	static struct config next;
	char why[1024];
	(void)d;
	if (!reload_path) {
		log_msg(LOG_WARNING, "SIGHUP: running on built-in defaults, no --config file to reload");
		return;
	}
	if (config_reload(&next, reload_path, why, sizeof(why))) {
		log_msg(LOG_ERR, "config reload refused, old config kept: %s", why);
		return;
	}
	log_msg(LOG_NOTICE, "config reloaded from %s: restarting with it", reload_path);
	restart_flag = 1;
	stop_flag = 1;
}

static void on_signal_pipe(int fd, short revents, void *arg)
{
	(void)revents;
	struct daemon *d = arg;
	char buf[64];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (reload_flag && !stop_flag) {
		reload_flag = 0;
		reload(d);
	}
	if (now_flag && !stop_flag) {
		now_flag = 0;
		log_msg(LOG_INFO, "asked to sync now");
		schedule(d, loop_now_ms());
	}
}

static void on_summary_timer(void *arg)
{
	struct daemon *d = arg;
	/* While the link is failing the retries tell us when it is back. */
	if (!d->failing)
		pull_summary(d);
	d->summary_timer = loop_add_timer(d->loop, loop_now_ms() + (int64_t)(d->cfg->sync_summary_every_s * 1000),
					  on_summary_timer, d);
}

static int setup_signals(char *err, size_t errlen)
{
	if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int run_once(struct daemon *d)
{
	struct sync_result r;
	sync_round(d->sync, &r);
	if (r.outcome == SYNC_DONE) {
		prune(d);
		if (d->cfg->sync_summary_every_s > 0)
			pull_summary(d);
		printf("sent %lld ratings in %lld batches (%lld already at head office, %lld times corrected,"
		       " %lld bytes on the wire), 0 unsent\n", (long long)r.sent, (long long)r.batches,
		       (long long)r.duplicates, (long long)r.corrected, (long long)r.wire_bytes);
		return 0;
	}
	printf("failed after sending %lld ratings: %s; %lld unsent\n", (long long)r.sent, r.problem,
	       (long long)r.unsent);
	return 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tally-sync [--config FILE] [--once] [--debug]\n"
		   "  --config FILE  settings (INI); without it, built-in defaults\n"
		   "  --once         send everything unsent now, print one line, exit 0 if all went\n"
		   "  --debug        log every round\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0, 0, 0, 0 },
	};
	const char *config_path = NULL;
	int once = 0, c;
	char **args = argv; /* getopt may permute argv; keep it for a re-exec */
	char err0[256];
	log_init("tally-sync");
	/* First of all: SIGUSR1's default action would kill a daemon that is
	 * still starting when tallyctl asks it to "sync now". */
	if (setup_signals(err0, sizeof(err0))) {
		log_msg(LOG_ERR, "%s", err0);
		return 1;
	}
	while ((c = getopt_long(argc, argv, "c:odhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'o': once = 1; break;
		case 'd': log_set_level(LOG_DEBUG); break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("tally-sync %s\n", TALLY_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	reload_path = config_path;
	static struct config cfg;
	static char errs[4096];
	config_defaults(&cfg);
	if (config_path ? config_load(&cfg, config_path, errs, sizeof(errs))
			: config_validate(&cfg, "(built-in defaults)", errs, sizeof(errs))) {
		fputs(errs, stderr);
		return 2;
	}

	/* Under systemd, lines go to the journal with TALLY_KIOSK set. */
	journal_log_setup(cfg.kiosk_id);
	char err[1024];
	int status = 1;
	struct daemon d = { .cfg = &cfg };
	struct watchdog wd;
	if (watchdog_init(&wd, err, sizeof(err)))
		log_msg(LOG_WARNING, "%s", err);
	if (http_global_init(err, sizeof(err))) {
		log_msg(LOG_ERR, "%s", err);
		return 1;
	}
	struct http_options ho = {
		.ca_file = cfg.sync_ca_file,
		.connect_timeout_ms = (long)(cfg.sync_connect_timeout_s * 1000),
		.timeout_ms = (long)(cfg.sync_timeout_s * 1000),
		.user_agent = "tally-sync/" TALLY_VERSION,
	};
	if (store_open(&d.store, cfg.database, err, sizeof(err)) ||
	    http_client_new(&d.http, &ho, err, sizeof(err)) ||
	    sync_new(&d.sync, &cfg, d.store, d.http, &stop_flag, err, sizeof(err))) {
		log_msg(LOG_ERR, "%s", err);
		goto out;
	}
	/* A kiosk shares its small RAM with the UI: keep SQLite's cache small. */
	sqlite3_exec(store_db(d.store), "PRAGMA cache_size = -512", NULL, NULL, NULL);
	http_client_set_abort(d.http, &stop_flag);

	if (!cfg.sync_token[0])
		log_msg(LOG_WARNING, "no [sync] token set: head office will refuse every batch (tally-hq kiosk add prints one)");
	if (once) {
		status = run_once(&d);
		goto out;
	}

	if (!(d.loop = loop_new()) || dbwatch_open(&d.watch, cfg.database, err, sizeof(err))) {
		log_msg(LOG_ERR, "%s", d.loop ? err : "out of memory");
		goto out;
	}
	backoff_init(&d.backoff, 1000, 300000, (uint64_t)getpid() * 2654435761u ^ (uint64_t)time(NULL));
	loop_add_fd(d.loop, dbwatch_fd(d.watch), POLLIN, on_db_change, &d);
	loop_add_fd(d.loop, sig_pipe[0], POLLIN, on_signal_pipe, &d);
	log_msg(LOG_INFO, "sending %s to %s as kiosk %s, batches of %d", cfg.database, cfg.sync_url, cfg.kiosk_id,
		cfg.sync_batch_size);
	schedule(&d, loop_now_ms());
	if (cfg.sync_summary_every_s > 0)
		d.summary_timer = loop_add_timer(d.loop, loop_now_ms() + 2000, on_summary_timer, &d);
	/* Pings ride the loop's own timer: a round stuck past WatchdogSec gets us restarted. */
	if (watchdog_attach(&wd, d.loop))
		log_msg(LOG_WARNING, "watchdog: no free loop timer");
	watchdog_ready(&wd);
	while (!stop_flag)
		loop_run_once(d.loop, -1);
	log_msg(LOG_INFO, "stopping");
	watchdog_stopping(&wd);
	watchdog_detach(&wd);
	status = 0;
out:
	dbwatch_close(d.watch);
	loop_free(d.loop);
	sync_free(d.sync);
	http_client_free(d.http);
	store_close(d.store);
	http_global_cleanup();
	if (restart_flag) {
		execv("/proc/self/exe", args);
		log_msg(LOG_ERR, "cannot restart for the new config: %s", strerror(errno));
		return 1;
	}
	return status;
}
