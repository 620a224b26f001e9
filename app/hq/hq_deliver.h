/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_deliver: sends alert and report messages with libcurl: webhooks as
 * signed JSON POSTs, mail through SMTP (STARTTLS, AUTH). All messages of
 * one call go out at once on one curl multi handle, each with its own
 * time limit, so an endpoint that hangs or fails delays no other.
 *
 * A webhook carries
 *   X-Tally-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 *   X-Tally-Event: alert | clear | report
 * The timestamp is signed with the body, so a receiver that refuses a t
 * more than a few minutes old cannot be fed a recorded call again (a
 * replay); it is taken at each attempt, so a retried message is fresh.
 * Without a secret the signature header is left out.
 *
 * Secrets (webhook keys, the SMTP password) are never logged nor written
 * into a returned error; neither is a webhook's URL (it may hold a token).
 */
#ifndef HQ_DELIVER_H
#define HQ_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "hq_alert_store.h"

struct hq_deliver_conf {
	const char *smtp_url;        /* "" no mail: mail messages fail */
	const char *smtp_user;       /* "" no AUTH */
	const char *smtp_password;
	const char *smtp_from;
	const char *smtp_ca_file;    /* "" the system's */
	int smtp_starttls;           /* smtp://: STARTTLS required */
	double timeout_s;            /* per message, connect included */
};

/* Once per process, before any thread sends (curl_global_init). */
int hq_deliver_init(void);

/*
 * The signature header's value for body at unix time t_s into out:
 * "t=<t_s>,v1=<64 hex digits>". 0, or -1 (no HMAC).
 */
int hq_deliver_sign(const char *secret, int64_t t_s, const char *body, char *out, size_t len);

/*
 * Sends msgs[0..n) at once; secrets[i] is the key for webhook i ("" none).
 * ok[i] 1 sent, or 0 with why[i] one line (no secret in it).
 */
void hq_deliver(const struct hq_deliver_conf *c, const struct hq_alert_msg *msgs, const char *const *secrets, size_t n,
		int64_t now_ms, int *ok, char (*why)[256]);

#endif
