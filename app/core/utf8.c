/* SPDX-License-Identifier: Apache-2.0 */
/*
 * utf8: well-formedness per RFC 3629 (the table in its section 4), and
 * the \xNN escaping of everything a person should see but a terminal,
 * a log reader or a JSON parser must not act on.
 */
#include "utf8.h"

#include <stdio.h>
#include <string.h>

size_t utf8_char_len(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	if (len == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

int utf8_valid(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = utf8_char_len(s + i, len - i);
		if (n == 0 || s[i] == '\0')
			return 0;
		i += n;
	}
	return 1;
}

/* A C0 or C1 control character, or DEL, at s (n bytes long). */
static int is_control(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

int utf8_name_ok(const char *s)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_char_len(s + i, len - i);
		if (n == 0 || is_control((const unsigned char *)s + i, n))
			return 0;
		i += n;
	}
	return 1;
}

size_t utf8_escape(const char *s, char *out, size_t outlen)
{
	size_t len = strlen(s), o = 0;
	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_char_len(s + i, len - i);
		const unsigned char *c = (const unsigned char *)s + i;
		if (n == 0 || is_control(c, n)) {
			/* Each byte of a bad sequence or control character on its own. */
			size_t bytes = n ? n : 1;
			if (o + 4 * bytes >= outlen)
				break;
			for (size_t b = 0; b < bytes; b++)
				o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c[b]);
			i += bytes;
			continue;
		}
		if (o + n >= outlen)
			break;
		memcpy(out + o, c, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return o;
}
