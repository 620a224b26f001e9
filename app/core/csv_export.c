/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csv_export: one row of the shared export schema (csv_export.h). Rows
 * are formatted into the caller's buffer so the kiosk can stream them to
 * stdout and head office can append them to a response body.
 */
#include "csv_export.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "rating.h"
#include "score.h"

static const char header[] = "kiosk,install_id,store,area,seq,time,time_basis,value,label,scale,source,flags,"
			     "wall_time,boot_ms,boot_id,clock_synced,corrected_time,corrected_by,corrected_err_ms,"
			     "at_head_office,received_time,shift,reason\r\n";

const char *csv_export_header(void)
{
	return header;
}

struct out {
	char *p;
	size_t len, cap;
	int full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->len + n >= o->cap) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void put_out(void *arg, const char *s, size_t n)
{
	put(arg, s, n);
}

/* A text field: RFC 4180 quoting and the spreadsheet formula guard (csv.h). */
static void field(struct out *o, const char *s, int last)
{
	csv_text(s ? s : "", put_out, o);
	put(o, last ? "\r\n" : ",", last ? 2 : 1);
}

/* Numbers are written as they are: a negative number stays a number, not a guarded text. */
static void number_field(struct out *o, const char *n)
{
	put(o, n, strlen(n));
	put(o, ",", 1);
}

static void number(struct out *o, int64_t v)
{
	char n[24];
	snprintf(n, sizeof(n), "%lld", (long long)v);
	number_field(o, n);
}

int csv_export_row(const struct csv_export_row *r, char *buf, size_t buflen)
{
	struct out o = { buf, 0, buflen, buflen == 0 };
	if (buflen)
		buf[0] = '\0';
	char flags[32] = "";
	if (r->flags & RATING_MISUSE)
		strcat(flags, "misuse");
	if (r->flags & RATING_CLOSED)
		strcat(flags, flags[0] ? " closed" : "closed");
	field(&o, r->kiosk, 0);
	field(&o, r->install_id, 0);
	field(&o, r->store, 0);
	field(&o, r->area, 0);
	number(&o, r->seq);
	field(&o, r->time, 0);
	field(&o, r->time_basis, 0);
	number(&o, r->value);
	field(&o, score_face_label(r->value, r->scale), 0);
	number(&o, r->scale);
	field(&o, r->source, 0);
	field(&o, flags, 0);
	field(&o, r->wall_time, 0);
	number(&o, r->boot_ms);
	field(&o, r->boot_id, 0);
	number(&o, r->clock_synced);
	field(&o, r->corrected_time, 0);
	field(&o, r->corrected_by, 0);
	if (r->corrected_err_ms >= 0)
		number(&o, r->corrected_err_ms);
	else
		field(&o, "", 0);
	number(&o, r->at_head_office);
	field(&o, r->received_time, 0);
	field(&o, r->shift, 0);
	field(&o, r->reason ? r->reason : "", 1);
	return o.full ? -1 : (int)o.len;
}

char *csv_export_time(int64_t ms, long offset_s, char *out, size_t outlen)
{
	int64_t local = ms + (int64_t)offset_s * 1000;
	int64_t secs = local / 1000 - (local % 1000 < 0);
	int millis = (int)(local - secs * 1000);
	time_t t = (time_t)secs;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, outlen, "%lld", (long long)ms);
		return out;
	}
	char zone[16] = "Z";
	if (offset_s) {
		long a = offset_s < 0 ? -offset_s : offset_s;
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld", offset_s < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60);
	}
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, millis, zone);
	return out;
}
