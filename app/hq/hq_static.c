/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_static: files are read whole for each request (the largest, the chart
 * library, is about 50 KiB), so an upgrade that replaces them is served at
 * once without a restart, and no cache can disagree with the disk. The
 * ETag is a hash of what was read, not the file's mtime, so two head
 * offices behind one balancer give the same tag for the same file.
 */
#include "hq_static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hq_session.h"

#define MAX_FILE (4 << 20)
#define NOT_FOUND_PAGE "not-found.html" /* not a route: only ever a 404's body */
#define PAGE_CSP "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; " \
		 "form-action 'self'; frame-ancestors 'none'"

struct page {
	const char *path, *file;
	int signed_in;          /* only for a live session; others go to /login */
};

static const struct page pages[] = {
	{ "/", "index.html", 1 },
	{ "/store", "store.html", 1 },
	{ "/fleet", "fleet.html", 1 },
	{ "/alerts", "alerts.html", 1 },
	{ "/no-javascript", "no-javascript.html", 1 }, /* what works without it: each page's <noscript> links here */
	{ "/login", "login.html", 0 },
};

/* The query parameters a page keeps across the trip to /login and back. */
static const char *const page_args[] = { "store", "region", "period", "from", "to", "area", "kiosk", "episode" };

static const struct page *page_of(const char *path)
{
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (!strcmp(path, pages[i].path))
			return &pages[i];
	return NULL;
}

int hq_static_route(const char *path)
{
	return path && (page_of(path) || !strncmp(path, "/static/", 8));
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcmp(s + n - t, tail);
}

const char *hq_static_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".md", "text/plain; charset=utf-8" },
	};
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	if (!strchr(base, '.'))
		return "text/plain; charset=utf-8"; /* LICENSE, README */
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (ends_with(base, types[i].ext))
			return types[i].type;
	return NULL;
}

/* rel is segments of [A-Za-z0-9_.-]+, none empty or starting with '.': no "..", no hidden files. */
static int rel_ok(const char *rel)
{
	if (!*rel || strlen(rel) > 200)
		return 0;
	int start = 1;
	for (const char *c = rel; *c; c++) {
		if (*c == '/') {
			if (start)
				return 0;
			start = 1;
			continue;
		}
		if (start && *c == '.')
			return 0;
		start = 0;
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '.' || *c == '-'))
			return 0;
	}
	return !start;
}

/* FNV-1a, 64 bits: enough to tell two versions of one file apart. */
static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * Reads root/rel whole. 0 with *body (malloc'd) and *len, 404 (absent, not
 * a regular file, outside root), 503 (cannot read it, or out of memory).
 */
static int read_file(const char *root, const char *rel, char **body, size_t *len)
{
	char path[PATH_MAX], real[PATH_MAX], realroot[PATH_MAX];
	*body = NULL;
	*len = 0;
	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return 404;
	if (!realpath(root, realroot) || !realpath(path, real))
		return 404;
	/* A symlink inside the web directory may not lead out of it. */
	size_t rl = strlen(realroot);
	if (strncmp(real, realroot, rl) != 0 || real[rl] != '/')
		return 404;
	int fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 404 : 503;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
		close(fd);
		return 404;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!buf || got != (size_t)st.st_size) {
		free(buf);
		return 503;
	}
	*body = buf;
	*len = got;
	return 0;
}

static void add(char *out, size_t outlen, size_t *at, const char *s, size_t n)
{
	if (*at + n + 1 > outlen) {
		*at = outlen; /* too long: marked, and the caller drops the query */
		return;
	}
	memcpy(out + *at, s, n);
	*at += n;
	out[*at] = '\0';
}

/* Percent-encodes s (everything but unreserved characters) onto out. */
static void add_encoded(char *out, size_t outlen, size_t *at, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s && *at < outlen; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c)) {
			add(out, outlen, at, (const char *)&c, 1);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			add(out, outlen, at, e, 3);
		}
	}
}

/* Location: /login?next=PATH[?QUERY], the page's own parameters kept, all encoded once more. */
static void login_location(const struct hq_request *req, const char *path, char *out, size_t outlen)
{
	char back[400];
	size_t at = 0;
	back[0] = '\0';
	add(back, sizeof(back), &at, path, strlen(path));
	int first = 1;
	for (size_t i = 0; req->query && i < sizeof(page_args) / sizeof(page_args[0]); i++) {
		const char *v = req->query(req->query_ctx, page_args[i]);
		if (!v)
			continue;
		add(back, sizeof(back), &at, first ? "?" : "&", 1);
		add(back, sizeof(back), &at, page_args[i], strlen(page_args[i]));
		add(back, sizeof(back), &at, "=", 1);
		add_encoded(back, sizeof(back), &at, v);
		first = 0;
	}
	if (at >= sizeof(back)) /* too long to carry: back to the page itself */
		snprintf(back, sizeof(back), "%s", path);
	size_t o = 0;
	out[0] = '\0';
	add(out, outlen, &o, "/login?next=", 12);
	add_encoded(out, outlen, &o, back);
	if (o >= outlen)
		snprintf(out, outlen, "/login");
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 live session, 0 none, -1 the database failed. */
static int signed_in(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req)
{
	char id[HQ_SESSION_ID_LEN + 1];
	struct hq_session s;
	if (!req->cookie || hq_session_cookie(req->cookie, HQ_SESSION_COOKIE, id, sizeof(id)))
		return 0;
	return hq_session_lookup(db, &opt->session, id, now_ms(), &s);
}

/* Whether an If-None-Match header names etag (or is "*"). */
static int not_modified(const char *inm, const char *etag)
{
	if (!inm)
		return 0;
	if (!strcmp(inm, "*"))
		return 1;
	size_t n = strlen(etag);
	for (const char *p = strstr(inm, etag); p; p = strstr(p + 1, etag)) {
		char after = p[n];
		if (after == '\0' || after == ',' || after == ' ')
			return 1;
	}
	return 0;
}

void hq_static_handle(struct hq_store *db, const struct hq_api_options *opt, const struct hq_request *req,
		      struct hq_response *res)
{
	memset(res, 0, sizeof(*res));
	const char *path = req->path ? req->path : "";
	const struct page *pg = page_of(path);
	const char *rel = pg ? pg->file : path + 8; /* after "/static/" */
	if (!pg && (!rel_ok(rel) || ends_with(rel, ".html") || !hq_static_type(rel))) {
		hq_api_error(res, req, 404, "no such file: %s", path);
		return;
	}
	if (!opt->web_root || !*opt->web_root) {
		hq_api_error(res, req, 404, "the dashboard's files are not installed here (DATADIR/web; TALLY_DATADIR "
			     "names another DATADIR)");
		return;
	}
	if (pg && pg->signed_in) {
		int rc = db ? signed_in(db, opt, req) : -1;
		if (rc < 0) {
			hq_api_error(res, req, 503, "database unavailable");
			return;
		}
		if (rc == 0) {
			/* The HTML holds no figures; the redirect only spares the visitor a page that cannot load. */
			res->status = 303;
			res->content_type = "text/plain; charset=utf-8";
			login_location(req, path, res->location, sizeof(res->location));
			res->cache_control = "no-store";
			return;
		}
	}
	char *body;
	size_t len;
	int rc = read_file(opt->web_root, rel, &body, &len);
	if (rc) {
		if (rc == 404 && pg && !strcmp(pg->path, "/alerts"))
			hq_api_error(res, req, 404, "no alerts page in this version");
		else if (rc == 404)
			hq_api_error(res, req, 404, "no such file: %s", path);
		else
			hq_api_error(res, req, 503, "cannot read %s/%s", opt->web_root, rel);
		return;
	}
	snprintf(res->etag, sizeof(res->etag), "\"%zx-%016llx\"", len, (unsigned long long)fnv1a(body, len));
	res->cache_control = "no-cache";
	res->content_type = hq_static_type(rel);
	if (pg)
		res->csp = PAGE_CSP;
	if (not_modified(req->if_none_match, res->etag)) {
		free(body);
		res->status = 304;
		return;
	}
	res->status = 200;
	res->body = body;
	res->body_len = len;
}

/* Lower-case compare of n bytes of a with the whole of b. */
static int same_token(const char *a, size_t n, const char *b)
{
	if (strlen(b) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] - 'A' + 'a') : a[i];
		if (c != b[i])
			return 0;
	}
	return 1;
}

/* A q-value ("1", "0.8", "0.125") in thousandths; 1000 for anything it cannot read, as if there were none. */
static int qvalue(const char *p, const char *end)
{
	if (p >= end || (*p != '0' && *p != '1'))
		return 1000;
	int q = (*p++ - '0') * 1000;
	if (p < end && *p == '.') {
		p++;
		for (int scale = 100; p < end && *p >= '0' && *p <= '9' && scale; scale /= 10)
			q += (*p++ - '0') * scale;
	}
	return q > 1000 ? 1000 : q;
}

/*
 * The q (thousandths) that accept gives type/sub: that of the most
 * specific range matching it (type/sub 3, type/ * 2, * / * 1, stored in
 * *how); -1 and *how 0 when no range matches.
 */
static int accept_q(const char *accept, const char *type, const char *sub, int *how)
{
	int best = -1;
	*how = 0;
	for (const char *p = accept; *p;) {
		p += strspn(p, " \t");
		size_t n = strcspn(p, ",");
		const char *end = p + n;
		const char *slash = memchr(p, '/', n);
		const char *semi = memchr(p, ';', n);
		const char *rend = semi ? semi : end;
		while (rend > p && (rend[-1] == ' ' || rend[-1] == '\t'))
			rend--;
		int spec = 0;
		if (slash && slash < rend) {
			size_t tl = (size_t)(slash - p), sl = (size_t)(rend - slash - 1);
			if (same_token(p, tl, "*") && same_token(slash + 1, sl, "*"))
				spec = 1;
			else if (same_token(p, tl, type) && same_token(slash + 1, sl, "*"))
				spec = 2;
			else if (same_token(p, tl, type) && same_token(slash + 1, sl, sub))
				spec = 3;
		}
		if (spec > *how) {
			int q = 1000;
			for (const char *a = semi; a; a = strchr(a + 1, ';')) {
				if (a >= end)
					break; /* the next range's parameters */
				const char *v = a + 1 + strspn(a + 1, " \t");
				if (end - v >= 2 && (v[0] == 'q' || v[0] == 'Q') && v[1] == '=')
					q = qvalue(v + 2, end);
			}
			*how = spec;
			best = q;
		}
		p = *end ? end + 1 : end;
	}
	return best;
}

int hq_static_wants_html(const char *accept)
{
	if (!accept)
		return 0;
	int how_html, how_json;
	int html = accept_q(accept, "text", "html", &how_html);
	int json = accept_q(accept, "application", "json", &how_json);
	/* Named, wanted, and more than JSON: "* / *" alone (curl, fetch) is a script's, a tie goes to the API. */
	return how_html >= 2 && html > 0 && html > (json < 0 ? 0 : json);
}

void hq_static_not_found(const struct hq_api_options *opt, const struct hq_request *req, struct hq_response *res)
{
	const char *path = req->path ? req->path : "";
	if (res->status != 404 || !req->method || (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")))
		return;
	/* The API's paths answer as docs/http-api.md says, whoever asks. */
	if (!strcmp(path, "/api") || !strncmp(path, "/api/", 5) || !hq_static_wants_html(req->accept))
		return;
	if (!opt->web_root || !*opt->web_root)
		return;
	char *body;
	size_t len;
	if (read_file(opt->web_root, NOT_FOUND_PAGE, &body, &len))
		return; /* an older install without the page: the JSON says it as well */
	hq_api_response_free(res);
	res->body = body;
	res->body_len = len;
	res->content_type = hq_static_type(NOT_FOUND_PAGE);
	res->csp = PAGE_CSP;
	res->etag[0] = '\0';
	res->cache_control = NULL; /* no-store: the next release may have the page asked for */
}
