/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_protocol: head office's and tally-sync's decoders of the v1 wire
 * format (protocol.h) on arbitrary bytes: the POST body (a batch), the ack
 * that comes back, and an error answer.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks the promise
 * the encoder makes (protocol.c's rating_valid): whatever the batch decoder
 * accepts, the encoder writes back out, and that text decodes to exactly
 * the same ratings. Same round trip for the ack.
 *
 * Byte 0 picks the decoder by its two low bits ('0' or '3': batch, '1':
 * ack, '2': the other answers tally-sync reads: an error, a 409 conflict,
 * head office's clock), so each input costs few JSON parses; the rest is
 * the body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "protocol.h"

static int same_rating(const struct protocol_rating *a, const struct protocol_rating *b)
{
	return a->r.seq == b->r.seq && a->r.value == b->r.value && a->r.scale == b->r.scale &&
	       a->r.source == b->r.source && a->r.wall_ms == b->r.wall_ms && a->r.boot_ms == b->r.boot_ms &&
	       !strcmp(a->r.boot_id, b->r.boot_id) && !strcmp(a->r.kiosk_id, b->r.kiosk_id) &&
	       a->r.clock_synced == b->r.clock_synced && a->r.flags == b->r.flags &&
	       a->has_corrected == b->has_corrected && (!a->has_corrected || a->corrected_ms == b->corrected_ms) &&
	       a->corrected_by == b->corrected_by && a->corrected_err_ms == b->corrected_err_ms;
}

static void batch_round_trip(const struct protocol_batch *b)
{
	char *text, err[256];
	size_t len;
	if (protocol_encode_batch_of(b, &text, &len, err, sizeof(err)))
		fuzz_die("a batch the decoder accepted does not encode");
	struct protocol_batch again;
	if (protocol_decode_batch(text, len, b->n, &again, err, sizeof(err)) != PROTOCOL_OK)
		fuzz_die("an encoded batch does not decode");
	if (strcmp(again.kiosk_id, b->kiosk_id) || strcmp(again.install_id, b->install_id) || again.n != b->n)
		fuzz_die("round trip changed the batch's kiosk or size");
	for (size_t i = 0; i < b->n; i++)
		if (!same_rating(&b->ratings[i], &again.ratings[i]))
			fuzz_die("round trip changed a rating");
	protocol_batch_free(&again);
	free(text);
}

static void ack_round_trip(const struct protocol_ack *a)
{
	char *text, err[256];
	size_t len;
	if (protocol_encode_ack(a, &text, &len, err, sizeof(err)))
		fuzz_die("an ack the decoder accepted does not encode");
	struct protocol_ack again;
	if (protocol_decode_ack(text, len, &again, err, sizeof(err)) != PROTOCOL_OK)
		fuzz_die("an encoded ack does not decode");
	if (strcmp(again.kiosk_id, a->kiosk_id) || strcmp(again.install_id, a->install_id) || again.accepted != a->accepted || again.duplicates != a->duplicates ||
	    again.acked_through != a->acked_through || again.ngaps != a->ngaps ||
	    memcmp(again.gaps, a->gaps, a->ngaps * sizeof(a->gaps[0])))
		fuzz_die("round trip changed the ack");
	free(text);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int which = data[0] & 3;
	data++, size--;
	/* The decoders take a length and must not read past it: give them an exact-size copy, no NUL. */
	char *body = malloc(size ? size : 1);
	if (!body)
		fuzz_die("out of memory");
	memcpy(body, data, size);
	char err[256];
	if (which == 1) {
		struct protocol_ack a;
		if (protocol_decode_ack(body, size, &a, err, sizeof(err)) == PROTOCOL_OK)
			ack_round_trip(&a);
	} else if (which == 2) {
		char msg[200];
		if (protocol_decode_error(body, size, msg, sizeof(msg)) == 0 && !memchr(msg, '\0', sizeof(msg)))
			fuzz_die("error message not terminated");
		struct protocol_conflict c, again;
		if (protocol_decode_conflict(body, size, &c) == 0) {
			char *text;
			size_t len;
			if (protocol_encode_conflict("conflict", &c, &text, &len))
				fuzz_die("a conflict the decoder accepted does not encode");
			if (protocol_decode_conflict(text, len, &again) || strcmp(again.kiosk_id, c.kiosk_id) ||
			    strcmp(again.install_id, c.install_id) || again.count != c.count || again.n != c.n)
				fuzz_die("round trip changed the conflict");
			free(text);
		}
		int64_t ms;
		int synced;
		if (protocol_decode_hq_time(body, size, &ms, &synced) == 0 && synced != 0 && synced != 1)
			fuzz_die("hq_clock_synced neither true nor false");
	} else {
		struct protocol_batch b;
		int rc = protocol_decode_batch(body, size, PROTOCOL_MAX_BATCH, &b, err, sizeof(err));
		if (rc == PROTOCOL_OK) {
			batch_round_trip(&b);
			/* A smaller limit refuses the same body as too many, never as anything else. */
			if (b.n > 0) {
				struct protocol_batch small;
				if (protocol_decode_batch(body, size, b.n - 1, &small, err, sizeof(err)) != PROTOCOL_TOO_MANY)
					fuzz_die("a batch over the caller's limit was not refused as too many");
			}
			protocol_batch_free(&b);
		} else if (b.n != 0 || b.ratings != NULL) {
			fuzz_die("a refused batch left ratings behind");
		} else if (!memchr(err, '\0', sizeof(err)) || !err[0]) {
			fuzz_die("a refused batch has no error message");
		}
	}
	free(body);
	return 0;
}
