/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_token: bearer tokens for kiosks and admins. A token is 32 random
 * bytes from getrandom(2), written as 64 hex digits; head office keeps
 * only its SHA-256 (GnuTLS), so a copy of the database gives no one the
 * right to post as a kiosk.
 */
#ifndef HQ_TOKEN_H
#define HQ_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define HQ_TOKEN_LEN 64 /* hex digits, without the NUL */

/* Writes a fresh token (HQ_TOKEN_LEN + 1 bytes with the NUL). 0, or -1 with err. */
int hq_token_new(char out[HQ_TOKEN_LEN + 1], char *err, size_t errlen);

/* SHA-256 of the token's len bytes. 0 or -1. */
int hq_token_hash(const char *token, size_t len, uint8_t out[32]);

/*
 * The token in an "Authorization: Bearer <token>" header value, or NULL
 * when the header is missing or not a bearer token. *len is its length.
 */
const char *hq_token_from_header(const char *header, size_t *len);

#endif
