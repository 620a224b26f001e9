/*
 * hq_listen: the listening address and the TLS material of tally-hq.
 */
#ifndef HQ_LISTEN_H
#define HQ_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

/* "1.2.3.4:80", "[::1]:80", ":80" (every IPv4 address) into ss. 0, or -1 when malformed. */
int hq_listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len, int *v6);

/* "ADDR:PORT" (or "[v6]:PORT") that socket fd is bound to; "?:0" when it cannot tell. */
void hq_listen_bound(int fd, char *out, size_t outlen);

/* A PEM file's text (at most 1 MiB), malloc'd; NULL with err filled. */
char *hq_listen_read_pem(const char *path, char *err, size_t errlen);

/* 0 when path is not readable by other users; -1 with err saying how to fix it. */
int hq_listen_key_private(const char *path, char *err, size_t errlen);

#endif
