/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_api_answer: the answers every route of API v1 makes (hq_api.h): a
 * body with its status and type, head office's clock stamped into every
 * JSON one, an error or a conflict as one line for the client and one for
 * the log. Apart from the routes so that every answer is made one way,
 * whichever file's route makes it.
 */
#include "hq_api.h"
#include "hq_api_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clockstate.h"
#include "csv_export.h"
#include "log.h"
#include "protocol.h"
#include "utf8.h"

int64_t hq_api_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hq_api_response_free(struct hq_response *res)
{
	free(res->body);
	res->body = NULL;
	res->body_len = 0;
}

/*
 * Every JSON answer carries head office's clock ("hq_time_ms") and whether
 * it is NTP-synced: a kiosk in a store network that blocks NTP reads it over
 * the round trip as its time source. Taken here, when the answer is made
 * (after the commit of a batch), so it is as close to the send as it can be.
 */
static void stamp_time(struct hq_response *res)
{
	if (!res->body || !res->content_type || strcmp(res->content_type, "application/json") != 0)
		return;
	protocol_stamp_hq_time(&res->body, &res->body_len, hq_api_now_ms(), clockstate_synced());
}

void hq_api_set_body(struct hq_response *res, int status, const char *type, char *body, size_t len)
{
	hq_api_response_free(res);
	res->status = status;
	res->content_type = type;
	res->body = body;
	res->body_len = len;
	stamp_time(res);
}

void hq_api_error(struct hq_response *res, const struct hq_request *req, int status, const char *fmt, ...)
{
	char raw[1024], msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/*
	 * A client's text (a path like /%ff or /%0a) is in many messages: every
	 * control character and byte that is not UTF-8 becomes \xNN and the
	 * message is cut on a character boundary, so the body is always valid
	 * JSON and the log line one line (log_msg escapes the rest of it).
	 */
	utf8_escape(raw, msg, sizeof(msg));
	log_msg(status >= 500 ? LOG_ERR : LOG_WARNING, "%s %s %s: %d %s", req->peer ? req->peer : "-",
		req->method ? req->method : "-", req->path ? req->path : "-", status, msg);
	char *body = NULL;
	size_t len = 0;
	if (protocol_encode_error(msg, &body, &len)) {
		/* Only out of memory gets here (msg is valid UTF-8): still a JSON body if at all possible. */
		body = strdup("{\"error\":\"out of memory\"}");
		len = body ? strlen(body) : 0;
	}
	hq_api_set_body(res, status, "application/json", body, len);
	res->link[0] = res->next_cursor[0] = '\0';
}

void hq_api_conflict(struct hq_response *res, const struct hq_request *req, const struct protocol_conflict *c,
		     const char *line)
{
	log_msg(LOG_ERR, "%s %s %s: 409 %s", req->peer ? req->peer : "-", req->method ? req->method : "-",
		req->path ? req->path : "-", line);
	char *body = NULL;
	size_t len = 0;
	if (protocol_encode_conflict(line, c, &body, &len)) {
		hq_api_error(res, req, 503, "out of memory");
		return;
	}
	hq_api_set_body(res, 409, "application/json", body, len);
	res->link[0] = res->next_cursor[0] = '\0';
}

void hq_api_json(struct hq_response *res, char *body, size_t len)
{
	hq_api_set_body(res, 200, "application/json", body, len);
}

void hq_api_send(struct hq_response *res, const char *type, char *body, size_t len)
{
	hq_api_set_body(res, 200, type, body, len);
}

/* ms as RFC 3339 in UTC with milliseconds, the export's format (csv_export_time). */
void hq_api_utc_text(int64_t ms, char out[32])
{
	csv_export_time(ms, 0, out, 32);
}
