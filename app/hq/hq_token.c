/* SPDX-License-Identifier: Apache-2.0 */
/* hq_token: random tokens and their SHA-256, via getrandom(2) and GnuTLS. */
#include "hq_token.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

int hq_token_new(char out[HQ_TOKEN_LEN + 1], char *err, size_t errlen)
{
	unsigned char raw[HQ_TOKEN_LEN / 2];
	size_t got = 0;
	while (got < sizeof(raw)) {
		/* Blocks only until the kernel's pool is initialised, which is what we want for a secret. */
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "getrandom: %s", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

int hq_token_hash(const char *token, size_t len, uint8_t out[32])
{
	return gnutls_hash_fast(GNUTLS_DIG_SHA256, token, len, out) == 0 ? 0 : -1;
}

const char *hq_token_from_header(const char *header, size_t *len)
{
	if (!header || strncasecmp(header, "Bearer ", 7) != 0)
		return NULL;
	const char *t = header + 7;
	while (*t == ' ')
		t++;
	size_t n = strlen(t);
	while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	if (n == 0 || n > 256)
		return NULL;
	*len = n;
	return t;
}
