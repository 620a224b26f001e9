/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wall_display: the figures re-read every [display] refresh_s and redrawn
 * only when they changed (an idle wall display costs no CPU), pages turned
 * every [display] page_s. A database that cannot be read yet (the kiosk
 * that writes it may start later) is logged once, and tried again at the
 * next refresh; while there is none at all, the display shows today empty.
 */
#include "wall_display.h"

#include <string.h>

#include "log.h"

/* Re-reads the figures; redraws only when they changed. */
static void wall_display_reload(struct kiosk *k)
{
	char err[CONFIG_PATH_MAX + 512];
	if (!k->ro_db) {
		/* Read-only: the wall display cannot write a rating, even by mistake. */
		if (staff_data_open(&k->ro_db, k->cfg->database, err, sizeof(err)) != 0) {
			if (!k->ro_failed)
				log_msg(LOG_WARNING, "display: cannot read the database yet: %s", err);
			k->ro_failed = 1;
			return;
		}
		if (k->ro_db) {
			sqlite3_busy_timeout(k->ro_db, 2000);
		} else { /* the kiosk that writes it has not started: today, empty, not a blank page */
			if (!k->ro_failed)
				log_msg(LOG_WARNING, "display: no database at %s yet: showing an empty day",
					k->cfg->database);
			k->ro_failed = 1;
		}
	}
	if (staff_data_load(k->fresh, k->ro_db, k->cfg, kiosk_wall_now_ms(k), err, sizeof(err))) {
		if (!k->ro_failed)
			log_msg(LOG_WARNING, "display: %s", err);
		k->ro_failed = 1;
		return;
	}
	if (k->ro_db && k->ro_failed) {
		log_msg(LOG_INFO, "display: reading %s", k->cfg->database);
		k->ro_failed = 0;
	}
	if (memcmp(k->fresh, k->data, sizeof(*k->data)) == 0)
		return;
	struct staff_data *t = k->data;
	k->data = k->fresh;
	k->fresh = t;
	k->pages = k->staff ? staff_view_display_pages(k->staff, k->data) : 1;
	if (k->page >= k->pages)
		k->page = 0;
	log_msg(LOG_DEBUG, "display: figures changed (%lld ratings here today, %s)",
		(long long)k->data->view.today.total, k->data->have_summary ? "head office's figures" : "no summary");
	k->dirty = 1;
}

static void refresh_tick(void *arg)
{
	struct kiosk *k = arg;
	k->refresh_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->display_refresh_s * 1000),
					  refresh_tick, k);
	wall_display_reload(k);
}

static void page_tick(void *arg)
{
	struct kiosk *k = arg;
	k->page_timer = loop_add_timer(k->loop, loop_now_ms() + (int64_t)(k->cfg->display_page_s * 1000),
				       page_tick, k);
	if (k->pages > 1) {
		k->page = (k->page + 1) % k->pages;
		k->dirty = 1;
	}
}

void wall_display_start(struct kiosk *k)
{
	refresh_tick(k);
	page_tick(k);
}
