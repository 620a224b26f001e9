/*
 * hq_listen: what tally-hq listens on and with: the "ADDR:PORT" of the
 * config, the address actually bound (port 0 picks one), and the TLS
 * certificate and key, read into memory at start (libmicrohttpd takes PEM
 * from memory) after checking the key is not readable by other users.
 */
#include "hq_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *hq_listen_read_pem(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(1024 * 1024 + 1);
	size_t n = buf ? fread(buf, 1, 1024 * 1024, f) : 0;
	int bad = ferror(f) || !buf || n == 0;
	fclose(f);
	if (bad) {
		free(buf);
		snprintf(err, errlen, "%s: cannot read (empty?)", path);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* "1.2.3.4:80", "[::1]:80", ":80" (every IPv4 address). 0 or -1. */
int hq_listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len, int *v6)
{
	memset(ss, 0, sizeof(*ss));
	const char *colon = strrchr(s, ':');
	if (!colon)
		return -1;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end || port < 0 || port > 65535)
		return -1;
	char host[INET6_ADDRSTRLEN + 2];
	size_t hl = (size_t)(colon - s);
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		*v6 = 1;
		return 0;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	if (hl == 0)
		a->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return -1;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	*len = sizeof(*a);
	*v6 = 0;
	return 0;
}

/* The key gives the server's identity away: refuse one that other users can read. */
int hq_listen_key_private(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) == 0 && (st.st_mode & 0007)) {
		snprintf(err, errlen, "%s: the TLS key is readable by other users (mode %04o): chmod 600 (or 640 with a group) it",
			 path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

void hq_listen_bound(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage got = { 0 };
	socklen_t gotlen = sizeof(got);
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&got, &gotlen) == 0) {
		if (got.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&got;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&got;
			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		}
	}
	snprintf(out, outlen, got.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, port);
}
