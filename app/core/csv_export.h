/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csv_export: the one CSV schema every Tally export writes, the kiosk's
 * (`tallyctl export`) and head office's (GET /api/v1/ratings?format=csv),
 * so a spreadsheet or script made for one reads the other:
 *
 *   kiosk,install_id,store,area,seq,time,time_basis,value,label,scale,
 *   source,flags,wall_time,boot_ms,boot_id,clock_synced,corrected_time,
 *   corrected_by,corrected_err_ms,at_head_office,received_time,shift,reason
 *
 * RFC 4180: CRLF line ends, a field with a comma, quote or line break
 * quoted and its quotes doubled; a text field a spreadsheet would run as a
 * formula (=, +, -, @ first) gets a ' in front (csv.h). Times are RFC 3339 with milliseconds and
 * the offset they were written in ("2026-03-10T10:30:00.000+01:00"; head
 * office writes UTC, "Z"); empty when there is none. label is the face's
 * name beside its number (score_face_label). Columns a side does not have
 * are empty: received_time on the kiosk, shift at head office (the shift
 * schedule is the kiosk's, [shifts] in tally.conf(5)). reason is the
 * follow-up answer as the customer chose it (followup.h), "" when none;
 * it is the last column, so scripts that read the older columns by
 * position keep working.
 */
#ifndef TALLY_CSV_EXPORT_H
#define TALLY_CSV_EXPORT_H

#include <stddef.h>
#include <stdint.h>

/* One rating, its times already written with csv_export_time. */
struct csv_export_row {
	const char *kiosk;
	const char *install_id;      /* the kiosk store's install id; "" for a store from before schema 5 */
	const char *store, *area;
	int64_t seq;
	const char *time;            /* best time; "" when unknown */
	const char *time_basis;      /* stats_time_basis_name */
	int value, scale;
	const char *source;          /* rating_source_name */
	int flags;                   /* enum rating_flag, written as words: "misuse closed" */
	const char *wall_time;       /* the kiosk's clock at the press */
	int64_t boot_ms;
	const char *boot_id;
	int clock_synced;
	const char *corrected_time;  /* "" when not corrected */
	const char *corrected_by;    /* "kiosk" (its own synced clock), "hq" (head office's clock), or "" */
	int64_t corrected_err_ms;    /* the error bound of a correction from head office's clock; -1: none */
	int at_head_office;          /* 1 once head office acknowledged it */
	const char *received_time;   /* head office only: when it arrived; "" on the kiosk */
	const char *shift;           /* kiosk only: the shift the rating fell in; "" when none or unknown */
	const char *reason;          /* the follow-up answer; NULL or "": none */
};

/* The header line, CRLF included. */
const char *csv_export_header(void);

/* Writes r as one line (CRLF included) into out. Its length, or -1 when it does not fit. */
int csv_export_row(const struct csv_export_row *r, char *out, size_t outlen);

/* ms since the epoch as RFC 3339 with milliseconds at offset_s east of UTC (0: "Z"). Returns out. */
char *csv_export_time(int64_t ms, long offset_s, char *out, size_t outlen);

#endif
