/*
 * config: Tally's settings, read from one INI file with inih.
 *
 * Every key has a built-in default that serves a development machine, so a
 * program run with no --config file works. A file may set any subset. An
 * unknown section or key, or a bad value, is refused with "file:line: what
 * is wrong"; config_load collects every such problem, not just the first.
 */
#ifndef TALLY_CONFIG_H
#define TALLY_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_BUTTONS 5
#define CONFIG_TEXT_MAX 512
#define CONFIG_NAME_MAX 128
#define CONFIG_PATH_MAX 1024

enum bias { BIAS_AS_IS, BIAS_PULL_UP, BIAS_PULL_DOWN, BIAS_DISABLE };

/* One physical button: a GPIO input line, and an optional LED output. */
struct button_config {
	int configured;                 /* section [button.N] present */
	char chip[CONFIG_NAME_MAX];     /* label ("pinctrl-bcm2835") or path */
	int line;                       /* line offset on that chip */
	int active_low;
	enum bias bias;
	int debounce_ms;
	char led_chip[CONFIG_NAME_MAX]; /* empty: same chip as the button */
	int led_line;                   /* -1: no LED */
};

struct config {
	/* [kiosk] */
	char kiosk_id[64];              /* as long as struct rating's */
	char store[CONFIG_NAME_MAX];
	char area[CONFIG_NAME_MAX];
	char timezone[CONFIG_NAME_MAX];
	char database[CONFIG_PATH_MAX];
	/* [screen] */
	int faces;                      /* 3, 4 or 5 */
	int rotate;                     /* 0, 90, 180, 270 degrees clockwise */
	double thanks_s;
	double highlight_s;             /* the lit face shows this long before the thank-you */
	char font[CONFIG_PATH_MAX];     /* empty: the shipped DejaVu Sans */
	/* [text] */
	char question[CONFIG_TEXT_MAX];
	char thanks[CONFIG_TEXT_MAX];
	char out_of_order[CONFIG_TEXT_MAX];
	/* [filter] */
	double response_interval_s;
	/* [buttons] */
	double stuck_after_s;
	double staff_hold_s;
	char status_led_chip[CONFIG_NAME_MAX];
	int status_led_line;            /* -1: no status LED */
	struct button_config button[CONFIG_MAX_BUTTONS];
	/* [sync] tally-sync: where head office is, and how to talk to it */
	char sync_url[CONFIG_PATH_MAX];   /* base URL, e.g. https://hq.example.com */
	char sync_token[CONFIG_NAME_MAX]; /* this kiosk's bearer token */
	int sync_batch_size;              /* ratings per POST, 1..5000 */
	int sync_retention_days;          /* acked rows older than this are pruned */
	char sync_ca_file[CONFIG_PATH_MAX]; /* empty: the system's CA store */
	double sync_connect_timeout_s;
	double sync_timeout_s;            /* whole request, connect included */
	double sync_summary_every_s;      /* summary pull interval; 0: never */
	/* [hq] tally-hq: the head-office receiver */
	char hq_listen[CONFIG_NAME_MAX];  /* ADDR:PORT; port 0 picks a free one */
	char hq_database[CONFIG_PATH_MAX];
	char hq_tls_cert[CONFIG_PATH_MAX]; /* PEM; with tls_key: serve HTTPS */
	char hq_tls_key[CONFIG_PATH_MAX];
	int hq_max_batch;                 /* ratings per POST, 1..5000 */
	int hq_threads;                   /* HTTP worker threads; 0: one per CPU */
	double hq_connection_timeout_s;   /* idle/slow client is cut off after this */
};

/* Fills cfg with the built-in defaults. */
void config_defaults(struct config *cfg);

/*
 * Reads path over the defaults already in cfg. Returns the number of
 * problems found (0 = success); each one is written to errs as a line
 * "path:line: message\n", truncated to errlen. cfg is only meaningful when
 * 0 is returned.
 */
int config_load(struct config *cfg, const char *path, char *errs, size_t errlen);

/* Checks rules across keys (e.g. button count vs faces). Same contract. */
int config_validate(const struct config *cfg, const char *path, char *errs, size_t errlen);

#endif
