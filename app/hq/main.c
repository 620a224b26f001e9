/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tally-hq: head office. With no command it serves the HTTP(S) API until
 * SIGTERM or SIGINT, with the alert thread beside it (hq_alerter); with a
 * command it manages the kiosk registry (hq_cli), or alerts, reports and
 * the poster (hq_cli_alert).
 *
 *   tally-hq [--config FILE] [--db PATH] [--listen ADDR:PORT] [--verbose]
 *   tally-hq [--config FILE] [--db PATH] kiosk add|list|revoke ... | admin-token | user ... | store ...
 *   tally-hq [--config FILE] [--db PATH] alerts ... | report ... | poster ... | kiosk hours ...
 */
#include <errno.h>
#include <grp.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "hq_alerter.h"
#include "hq_cli.h"
#include "hq_cli_alert.h"
#include "hq_db.h"
#include "hq_http.h"
#include "hq_store.h"
#include "hq_writer.h"
#include "journal_log.h"
#include "log.h"
#include "sharedir.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: tally-hq [--config FILE] [--db PATH] [--listen ADDR:PORT] [--verbose]\n"
		   "       tally-hq [--config FILE] [--db PATH] kiosk add --store S --area A [--region R] [--tz ZONE] [--id ID]\n"
		   "       tally-hq [--config FILE] [--db PATH] kiosk list | kiosk revoke ID | admin-token\n"
		   "       tally-hq [--config FILE] [--db PATH] store set-region STORE REGION | store list\n"
		   "       tally-hq [--config FILE] [--db PATH] user add NAME --role chain|region|store [--region R]...\n"
		   "                [--store S] [--password-stdin] | user passwd NAME [--password-stdin] | user del NAME | user list\n"
		   "       tally-hq [--config FILE] [--db PATH] migrate\n"
		   "       tally-hq [--config FILE] [--db PATH] demo [--days N]\n"
		   "       tally-hq [--config FILE] [--db PATH] alerts list | alerts add KIND ... | alerts del ID | alerts check [--now TIME]\n"
		   "       tally-hq [--config FILE] [--db PATH] report [--now TIME] | kiosk hours ID [DAY=HOURS]...\n"
		   "       tally-hq [--config FILE] [--db PATH] poster --store S --week YYYY-Www --out FILE.pdf\n"
		   "       tally-hq copy --from SQLITE_PATH --to URI [--replace]\n"
		   "       tally-hq --help | --version\n"
		   "\n"
		   "  -c, --config FILE        settings (INI); without it, built-in defaults\n"
		   "      --db PATH            head office's database: a file, or a postgresql:// URI (default: [hq] database)\n"
		   "      --listen ADDR:PORT   where to serve (default: [hq] listen; port 0 picks one)\n"
		   "  -v, --verbose            log every request and batch\n"
		   "  -h, --help               this text\n"
		   "  -V, --version            the version, and the HTTP and TLS libraries\n"
		   "\n"
		   "exit status: 0 stopped normally, 1 could not serve or the command failed, 2 bad command line or config\n");
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "tally-hq: %s \"%s\"\n(tally-hq --help lists the options)\n", what, arg);
	return 2;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0, 0, 0, 0 },
	};
	const char *config = NULL, *db = NULL, *listen = NULL;
	int verbose = 0, opt;
	char libs[256];
	opterr = 0;
	/* "+": options end at the command (kiosk add --store ...), which parses its own. */
	while ((opt = getopt_long(argc, argv, "+:c:vhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'd': db = optarg; break;
		case 'l': listen = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V':
			hq_http_version(libs, sizeof(libs));
			printf("tally-hq %s\n%s\n", TALLY_VERSION, libs);
			return 0;
		case ':': return usage_error("a value is needed after", argv[optind - 1]);
		default: return usage_error("unknown option", argv[optind - 1]);
		}
	}
	hq_store_init_process();
	int i = optind;
	log_init("tally-hq");
	journal_log_setup(NULL); /* the journal when systemd runs us */
	if (verbose)
		log_set_level(LOG_DEBUG);
	config_defaults(&cfg);
	char errs[4096] = "";
	if ((config && config_load(&cfg, config, errs, sizeof(errs))) ||
	    (!config && config_validate(&cfg, "(defaults)", errs, sizeof(errs)))) {
		fputs(errs, stderr);
		return 2;
	}
	if (!db)
		db = cfg.hq_database;
	/* Head office's files (database, WAL, SHM) are private whatever umask we were started with. */
	umask(cfg.hq_file_group[0] ? 0027 : 0077);
	if (cfg.hq_file_group[0]) {
		struct group *g = getgrnam(cfg.hq_file_group);
		if (!g) {
			fprintf(stderr, "tally-hq: [hq] file_group: no group \"%s\" on this system\n", cfg.hq_file_group);
			return 2;
		}
		hq_store_set_file_group(g->gr_gid);
	}
	if (i < argc && hq_cli_alert_wants(argc - i, argv + i))
		return hq_cli_alert_run(&cfg, db, argc - i, argv + i);
	if (i < argc)
		return hq_cli_run(db, argc - i, argv + i);

	/* Block the stop signals before any thread exists, so only sigwait below sees them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct hq_http_options o = {
		.listen = listen ? listen : cfg.hq_listen,
		.db_path = db,
		.tls_cert = cfg.hq_tls_cert,
		.tls_key = cfg.hq_tls_key,
		.threads = cfg.hq_threads,
		.connection_timeout_s = cfg.hq_connection_timeout_s,
		.header_timeout_s = cfg.hq_header_timeout_s,
		.max_connections = cfg.hq_max_connections,
		.max_connections_per_address = cfg.hq_max_connections_per_address,
		.slow_connections_per_address = cfg.hq_slow_connections_per_address,
		.body_memory_limit = (size_t)cfg.hq_body_memory_limit_mb << 20,
		.tls_priorities = cfg.hq_tls_priorities,
		.api = { .max_batch = cfg.hq_max_batch, .metrics_open_on_loopback = cfg.hq_metrics_open_on_loopback,
			 .fleet_silent_minutes = cfg.hq_fleet_silent_minutes,
			 .session = { .hours = cfg.hq_session_hours, .idle_minutes = cfg.hq_session_idle_minutes,
				      .max_failures = cfg.hq_login_max_failures,
				      .max_failures_per_address = cfg.hq_login_max_failures_per_address,
				      .lockout_minutes = cfg.hq_login_lockout_minutes } },
	};
	/* The dashboard's pages: without them the API still serves, and the log says where they were looked for. */
	static char web[4096];
	if (sharedir_find("web", web, sizeof(web)) == 0)
		o.api.web_root = web;
	else
		log_msg(LOG_WARNING, "dashboard: no pages at %s (TALLY_DATADIR names another DATADIR); the API serves without them", web);
	/* Open (and migrate) once here, so a bad file stops the start, not the first request. */
	struct hq_store *check;
	char err[1024], bound[128];
	if (hq_store_open(&check, db, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	hq_store_close(check);
	/* The alert thread before the server: the writer wakes it after each group of ratings. */
	struct hq_alerter_options ao;
	struct hq_alerter *alerter;
	hq_cli_alert_options(&cfg, db, &ao);
	if (hq_alerter_start(&alerter, &ao, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	hq_writer_on_commit(hq_alerter_poke, alerter);
	struct hq_http *h;
	if (hq_http_start(&h, &o, bound, sizeof(bound), err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		hq_writer_on_commit(NULL, NULL);
		hq_alerter_stop(alerter);
		return 1;
	}
	printf("listening on %s\n", bound);
	fflush(stdout);
	char what[256];
	hq_db_describe(db, what, sizeof(what)); /* a URI may hold a password: never logged */
	log_msg(LOG_NOTICE, "serving %s on %s (%s)", what, bound, o.tls_cert[0] ? "https" : "http");
	int sig = 0;
	for (;;) {
		sigwait(&stop, &sig);
		if (sig != SIGHUP)
			break;
		/*
		 * SIGHUP: a config with any problem is refused and the server goes
		 * on; a good one takes effect by executing ourselves anew (every
		 * batch is one transaction, so a request cut short is simply sent
		 * again by its kiosk).
		 */
		static struct config next;
		char why[1024];
		if (!config) {
			log_msg(LOG_WARNING, "SIGHUP: running on built-in defaults, no --config file to reload");
		} else if (config_reload(&next, config, why, sizeof(why))) {
			log_msg(LOG_ERR, "config reload refused, old config kept: %s", why);
		} else {
			log_msg(LOG_NOTICE, "config reloaded from %s: restarting with it", config);
			hq_http_stop(h);
			hq_writer_on_commit(NULL, NULL);
			hq_alerter_stop(alerter);
			execv("/proc/self/exe", argv);
			log_msg(LOG_ERR, "cannot restart for the new config: %s", strerror(errno));
			return 1;
		}
	}
	log_msg(LOG_NOTICE, "stopping (signal %d)", sig);
	hq_http_stop(h);
	hq_writer_on_commit(NULL, NULL);
	hq_alerter_stop(alerter);
	return 0;
}
