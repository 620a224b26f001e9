/* SPDX-License-Identifier: Apache-2.0 */
/* kiosk_status: the kiosk's line in `tallyctl status`, through statusfile. */
#include "kiosk_status.h"

#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "statusfile.h"

void kiosk_status_write(const struct config *cfg, const char *screen, const char *out_of_order, const char *display,
			struct buttons_input *bi, unsigned noisy)
{
	static struct statusfile st;
	char path[CONFIG_PATH_MAX + 32], err[512];
	st.n = 0;
	statusfile_set(&st, "pid", "%ld", (long)getpid());
	statusfile_set(&st, "screen", "%s", screen);
	if (out_of_order)
		statusfile_set(&st, "out_of_order", "%s", out_of_order);
	statusfile_set(&st, "display", "%s", display);
	for (int i = 0; bi && i < buttons_input_count(bi); i++) {
		struct button_status b;
		const char *chip;
		int line;
		char key[32];
		buttons_input_status(bi, i, &b);
		buttons_input_line(bi, i, &chip, &line);
		snprintf(key, sizeof(key), "button.%d", i + 1);
		int noise = b.storm || (noisy >> i & 1);
		statusfile_set(&st, key, "%.150s line %d%s%s (noise edges so far: %llu)", chip, line, b.stuck ? " STUCK" : "",
			       noise ? " NOISE" : b.stuck ? "" : " ok", (unsigned long long)b.noise_edges);
	}
	statusfile_path(cfg, "kiosk", path, sizeof(path));
	if (statusfile_write(&st, path, err, sizeof(err)) != 0)
		log_msg(LOG_WARNING, "%s", err);
}
