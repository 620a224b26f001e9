/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_signals: stop and reload.
 *
 * The signals are blocked and read from a signalfd in the loop, so a
 * handler never runs in the middle of a commit. SIGHUP reloads the config:
 * a file with any problem is refused whole and the old settings stay, so a
 * typo made over SSH never stops a kiosk. The rotation and the mode need
 * the window made anew: restart for those.
 */
#include "kiosk_signals.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "kiosk_lang.h"
#include "log.h"
#include "rating_flow.h"
#include "shift_screen.h"

static void reload(struct kiosk *k)
{
	static struct config next;
	char why[1024];
	if (!k->opt->config_path) {
		log_msg(LOG_WARNING, "SIGHUP: running on built-in defaults, no --config file to reload");
		return;
	}
	if (config_reload(&next, k->opt->config_path, why, sizeof(why))) {
		log_msg(LOG_ERR, "config reload refused, old config kept: %s", why);
		return;
	}
	if (next.rotate != k->own.rotate || next.mode != k->own.mode) {
		log_msg(LOG_WARNING, "config reload: rotate and mode change only with a restart; the rest applies now");
		next.rotate = k->own.rotate;
		next.mode = k->own.mode;
	}
	int new_db = strcmp(next.database, k->own.database) != 0;
	int new_font = strcmp(next.font, k->own.font) != 0 || strcmp(next.fallback_font, k->own.fallback_font) != 0;
	shift_screen_stop(k);
	if (k->cfg->mode == MODE_RATING)
		kiosk_stop_rating_parts(k);
	rating_flow_cancel_thanks(k);
	k->own = next;
	if (new_db && k->store) {
		store_checkpoint(k->store);
		store_close(k->store);
		k->store = NULL;
	}
	if (new_font) {
		char err[512];
		text_close(k->text);
		k->text = NULL;
		if (text_open(&k->text, k->cfg->font, err, sizeof(err)) != 0)
			log_msg(LOG_ERR, "%s (showing faces without text)", err);
	}
	kiosk_lang_load(k);
	kiosk_open_fallback_font(k); /* the new texts may need it, or no longer */
	k->filter.interval_ms = (int64_t)(k->cfg->response_interval_s * 1000.0 + 0.5);
	if (k->state.name == SCREEN_THANKS)
		kiosk_show(k, SCREEN_RATING);
	kiosk_rebuild_screen(k);
	if (k->cfg->mode == MODE_RATING) {
		if (!k->store)
			rating_flow_try_store(k);
		kiosk_start_rating_parts(k);
	}
	shift_screen_start(k);
	log_msg(LOG_NOTICE, "config reloaded from %s", k->opt->config_path);
	kiosk_update_status(k);
}

static void on_signal(int fd, short revents, void *arg)
{
	(void)revents;
	struct kiosk *k = arg;
	struct signalfd_siginfo si;
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		reload(k);
		return;
	}
	log_msg(LOG_INFO, "signal %d: stopping", (int)si.ssi_signo);
	k->running = 0;
}

int kiosk_signals_open(struct kiosk *k)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	k->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (k->signal_fd < 0)
		return -1;
	loop_add_fd(k->loop, k->signal_fd, POLLIN, on_signal, k);
	return 0;
}
