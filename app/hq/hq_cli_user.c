/* SPDX-License-Identifier: Apache-2.0 */
/* hq_cli_user: the user and store commands of tally-hq (see hq_cli_user.h). */
#include "hq_cli_user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hq_scope.h"
#include "hq_users.h"

static int usage(void)
{
	fprintf(stderr, "usage: tally-hq user add NAME --role chain|region|store [--region R]... [--store S] [--password-stdin]\n"
			"       tally-hq user passwd NAME [--password-stdin]\n"
			"       tally-hq user del NAME | user list\n"
			"       tally-hq store set-region STORE REGION | store list\n");
	return 2;
}

/* One line from f into out without its line end. 0, or -1 (nothing, or longer than the limit). */
static int read_line(FILE *f, char *out, size_t outlen)
{
	if (!fgets(out, (int)outlen, f))
		return -1;
	size_t n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = '\0';
	else if (!feof(f))
		return -1; /* longer than the buffer */
	if (n && out[n - 1] == '\r')
		out[--n] = '\0';
	return 0;
}

/* Asks on the terminal with echo off. 0 or -1. */
static int ask(FILE *tty, const char *prompt, char *out, size_t outlen)
{
	struct termios old, quiet;
	int fd = fileno(tty);
	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(fd, &old))
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	int rc = read_line(tty, out, outlen);
	tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* The new password: stdin's first line with from_stdin, else asked twice on the terminal. 0 or -1 (said). */
static int get_password(int from_stdin, char *pw, size_t len)
{
	if (from_stdin) {
		if (read_line(stdin, pw, len)) {
			fprintf(stderr, "tally-hq: --password-stdin: no password line on standard input (or over %d bytes)\n",
				HQ_USERS_PW_MAX);
			return -1;
		}
		return 0;
	}
	FILE *tty = isatty(STDIN_FILENO) ? fopen("/dev/tty", "r+") : NULL;
	if (!tty) {
		fprintf(stderr, "tally-hq: no terminal to ask the password on: use --password-stdin\n");
		return -1;
	}
	char again[HQ_USERS_PW_MAX + 2];
	int rc = ask(tty, "New password: ", pw, len) || ask(tty, "Again: ", again, sizeof(again)) ? -1 : 0;
	fclose(tty);
	if (rc)
		fprintf(stderr, "tally-hq: no password read\n");
	else if (strcmp(pw, again)) {
		fprintf(stderr, "tally-hq: the two passwords differ\n");
		rc = -1;
	}
	memset(again, 0, sizeof(again));
	return rc;
}

static int user_add(struct hq_store *db, int argc, char **argv)
{
	static struct hq_user u;
	memset(&u, 0, sizeof(u));
	const char *role = NULL;
	int from_stdin = 0;
	if (argc < 1 || argv[0][0] == '-')
		return usage();
	snprintf(u.name, sizeof(u.name), "%s", argv[0]);
	if (!hq_users_name_ok(argv[0])) {
		fprintf(stderr, "tally-hq: a user name has 1 to %d letters, digits, '-', '_', '.' or '@'\n", HQ_USERS_NAME_MAX - 1);
		return 2;
	}
	int regions = 0, stores = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--password-stdin")) {
			from_stdin = 1;
		} else if (!strcmp(argv[i], "--role") && i + 1 < argc) {
			role = argv[++i];
		} else if ((!strcmp(argv[i], "--region") || !strcmp(argv[i], "--store")) && i + 1 < argc) {
			int is_region = argv[i][2] == 'r';
			regions += is_region;
			stores += !is_region;
			const char *v = argv[++i];
			if (u.nscopes == HQ_USERS_SCOPES_MAX || !*v || !hq_scope_region_ok(v)) {
				fprintf(stderr, "tally-hq: %s \"%s\": 1 to %d bytes, at most %d of them\n", argv[i - 1], v,
					HQ_NAME_MAX - 1, HQ_USERS_SCOPES_MAX);
				return 2;
			}
			snprintf(u.scopes[u.nscopes++], HQ_NAME_MAX, "%s", v);
		} else {
			return usage();
		}
	}
	if (!role || hq_role_parse(role, &u.role)) {
		fprintf(stderr, "tally-hq: user add needs --role chain, region or store\n");
		return 2;
	}
	if ((u.role == HQ_ROLE_CHAIN && u.nscopes) || (u.role == HQ_ROLE_REGION && (!regions || stores)) ||
	    (u.role == HQ_ROLE_STORE && (stores != 1 || regions))) {
		fprintf(stderr, "tally-hq: role chain takes no --region or --store; region one or more --region; "
				"store exactly one --store\n");
		return 2;
	}
	/* Say so when a scope names nothing yet: a typo would otherwise show the user an empty chain. */
	for (size_t i = 0; i < u.nscopes; i++) {
		int known = u.role == HQ_ROLE_REGION ? hq_scope_region_stores(db, u.scopes[i]) > 0
						     : hq_scope_may_see(db, NULL, u.scopes[i]) == 1;
		if (!known)
			fprintf(stderr, "tally-hq: warning: no store is %s \"%s\" yet\n",
				u.role == HQ_ROLE_REGION ? "in region" : "called", u.scopes[i]);
	}
	char pw[HQ_USERS_PW_MAX + 2], err[512];
	if (get_password(from_stdin, pw, sizeof(pw)))
		return 1;
	int rc = hq_users_add(db, &u, pw, err, sizeof(err));
	memset(pw, 0, sizeof(pw));
	if (rc == 1)
		fprintf(stderr, "tally-hq: user %s already exists\n", u.name);
	else if (rc)
		fprintf(stderr, "tally-hq: %s\n", err);
	else
		printf("added user %s (%s)\n", u.name, hq_role_name(u.role));
	return rc ? 1 : 0;
}

static int user_passwd(struct hq_store *db, int argc, char **argv)
{
	if (argc < 1 || argc > 2 || (argc == 2 && strcmp(argv[1], "--password-stdin")))
		return usage();
	struct hq_user u;
	char pw[HQ_USERS_PW_MAX + 2], err[512];
	int rc = hq_users_get(db, argv[0], &u, err, sizeof(err));
	if (rc <= 0) {
		fprintf(stderr, rc ? "tally-hq: %s\n" : "tally-hq: no user %s\n", rc ? err : argv[0]);
		return 1;
	}
	if (get_password(argc == 2, pw, sizeof(pw)))
		return 1;
	rc = hq_users_passwd(db, argv[0], pw, err, sizeof(err));
	memset(pw, 0, sizeof(pw));
	if (rc == 1)
		fprintf(stderr, "tally-hq: no user %s\n", argv[0]);
	else if (rc)
		fprintf(stderr, "tally-hq: %s\n", err);
	else
		printf("password of %s changed; their sessions are ended\n", argv[0]);
	return rc ? 1 : 0;
}

static int user_list(struct hq_store *db)
{
	struct hq_user *u;
	size_t n;
	char err[512];
	if (hq_users_list(db, &u, &n, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	printf("%-24s %-8s %s\n", "USER", "ROLE", "SEES");
	for (size_t i = 0; i < n; i++) {
		printf("%-24s %-8s ", u[i].name, hq_role_name(u[i].role));
		if (u[i].role == HQ_ROLE_CHAIN)
			fputs("every store", stdout);
		for (size_t j = 0; j < u[i].nscopes; j++)
			printf("%s%s", j ? ", " : u[i].role == HQ_ROLE_REGION ? "regions " : "store ", u[i].scopes[j]);
		putchar('\n');
	}
	free(u);
	return 0;
}

static int store_list(struct hq_store *db)
{
	struct hq_scope_store *s;
	size_t n;
	char err[512];
	if (hq_scope_stores(db, NULL, &s, &n, err, sizeof(err))) {
		fprintf(stderr, "tally-hq: %s\n", err);
		return 1;
	}
	printf("%-24s %-20s %s\n", "STORE", "REGION", "KIOSKS");
	for (size_t i = 0; i < n; i++)
		printf("%-24s %-20s %d\n", s[i].name, s[i].region[0] ? s[i].region : "-", s[i].kiosks);
	free(s);
	return 0;
}

int hq_cli_user_run(struct hq_store *db, int argc, char **argv)
{
	char err[512];
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	if (!strcmp(argv[0], "store")) {
		if (!strcmp(cmd, "list") && argc == 2)
			return store_list(db);
		if (strcmp(cmd, "set-region") || argc != 4)
			return usage();
		int rc = hq_scope_set_region(db, argv[2], argv[3], err, sizeof(err));
		if (rc == 1)
			fprintf(stderr, "tally-hq: no store %s (stores come from kiosk add --store)\n", argv[2]);
		else if (rc)
			fprintf(stderr, "tally-hq: %s\n", err);
		else if (argv[3][0])
			printf("store %s is in region %s\n", argv[2], argv[3]);
		else
			printf("store %s is in no region\n", argv[2]);
		return rc ? 1 : 0;
	}
	if (!strcmp(cmd, "add"))
		return user_add(db, argc - 2, argv + 2);
	if (!strcmp(cmd, "passwd"))
		return user_passwd(db, argc - 2, argv + 2);
	if (!strcmp(cmd, "list") && argc == 2)
		return user_list(db);
	if (!strcmp(cmd, "del") && argc == 3) {
		int rc = hq_users_del(db, argv[2], err, sizeof(err));
		if (rc == 1)
			fprintf(stderr, "tally-hq: no user %s\n", argv[2]);
		else if (rc)
			fprintf(stderr, "tally-hq: %s\n", err);
		else
			printf("deleted user %s and ended their sessions\n", argv[2]);
		return rc ? 1 : 0;
	}
	return usage();
}
