/* SPDX-License-Identifier: Apache-2.0 */
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

#include "hours.h"
#include "shifts.h"

#define CONFIG_MAX_BUTTONS 5
#define CONFIG_TEXT_MAX 512
#define CONFIG_NAME_MAX 128
#define CONFIG_PATH_MAX 1024
#define CONFIG_MAX_LANGS 8
#define CONFIG_LANG_MAX 16          /* a language code: "de", "zh", "pt-BR" */

enum bias { BIAS_AS_IS, BIAS_PULL_UP, BIAS_PULL_DOWN, BIAS_DISABLE };

/* [screen] face_order: which end of the scale sits on the left (or top). */
enum face_order { FACE_ORDER_BEST_FIRST, FACE_ORDER_WORST_FIRST };

/* [kiosk] mode: the rating terminal, or a wall display that never rates. */
enum kiosk_mode { MODE_RATING, MODE_DISPLAY };

#define CONFIG_MAX_TIMES 8
/* A list of local clock times of day, "12:00, 17:30". */
struct config_times {
	int n;
	int minute[CONFIG_MAX_TIMES];   /* minutes after local midnight */
};

#define CONFIG_MAX_ANSWERS 6
/* A follow-up answer list ([text] followup_positive / followup_negative); followup.h parses it. */
struct config_answers {
	int n;
	char text[CONFIG_MAX_ANSWERS][65]; /* FOLLOWUP_REASON_MAX bytes + NUL */
};

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
	char run_dir[CONFIG_PATH_MAX];   /* status files; empty: the database's directory */
	enum kiosk_mode mode;
	char languages[CONFIG_MAX_LANGS][CONFIG_LANG_MAX]; /* the customers' languages, the first the default */
	int nlanguages;
	int language;                   /* which of them [text] below is in (config_load_language) */
	/* [staff] the staff view, and the wall display's timing */
	char staff_pin[16];             /* digits; empty: a corner long press opens at once */
	struct config_times staff_view_at; /* opens by itself at these local times */
	double staff_view_s;            /* open this long, then back to the faces */
	double staff_corner_hold_s;     /* touch held in a corner this long opens it */
	int staff_hours[2];             /* hourly chart shows [first, end) local hours */
	double staff_summary_max_age_s; /* head office figures older than this are left out */
	double display_refresh_s;       /* wall display: re-read the database this often */
	double display_page_s;          /* wall display: next page after this long */
	/* [screen] */
	int faces;                      /* 3, 4 or 5 */
	enum face_order face_order;     /* one order on every screen and list */
	int rotate;                     /* 0, 90, 180, 270 degrees clockwise */
	double thanks_s;
	double highlight_s;             /* the lit face shows this long before the thank-you */
	double closed_wake_s;           /* a press while closed shows "Closed — open again" this long */
	double choose_again_s;          /* "Please choose again" after a press closed the staff view */
	double followup_s;              /* the follow-up question waits this long for an answer */
	char font[CONFIG_PATH_MAX];     /* empty: the shipped DejaVu Sans */
	char fallback_font[CONFIG_PATH_MAX]; /* glyphs the font lacks (CJK); empty: none */
	double language_rotate_s;       /* buttons-only kiosk: next language after this long idle; 0: never */
	double language_return_s;       /* back to the first language this long after a rating or a choice */
	char logo[CONFIG_PATH_MAX];     /* a PNG over the question; empty: none */
	unsigned background;            /* the customer's screens, 0xRRGGBB */
	unsigned text_colour;           /* their text, 0xRRGGBB */
	/*
	 * [text], in config->language: built-in English, then the language's
	 * file (assets/lang/CODE.ini), then the config's [text] (the first
	 * language only) and [text.CODE]. Every key of [text] is per language.
	 */
	char t_language_name[CONFIG_NAME_MAX]; /* the language named in its own script: "Deutsch" */
	char t_decimal_separator[16];        /* "76.6" / "76,6" */
	char t_months[CONFIG_TEXT_MAX];      /* twelve names, January first, comma separated */
	char question[CONFIG_TEXT_MAX];
	char thanks[CONFIG_TEXT_MAX];
	char out_of_order[CONFIG_TEXT_MAX];  /* a plain sentence: the detail goes to the log and staff */
	char t_closed[CONFIG_TEXT_MAX];      /* {time}: the next opening, HH:MM */
	char t_closed_day[CONFIG_TEXT_MAX];  /* the same when it is not today: {day} {time} */
	char t_choose_again[CONFIG_TEXT_MAX];
	/* [text] the follow-up question after a rating; no answers for a kind: not asked after it */
	char t_followup[CONFIG_TEXT_MAX];
	struct config_answers followup_positive;
	struct config_answers followup_negative;
	char t_top_reasons[CONFIG_NAME_MAX];  /* the staff screens' block of the day's answers */
	/* [text] staff view and wall display; {names} are filled in (README.md, staff view) */
	char t_staff_title[CONFIG_TEXT_MAX];
	char t_display_title[CONFIG_TEXT_MAX];
	char t_date_format[CONFIG_NAME_MAX]; /* %A weekday, %e/%d day, %B month, %m, %Y (config_format_date) */
	char t_ratings[CONFIG_NAME_MAX];
	char t_positive[CONFIG_NAME_MAX];
	char t_happy_index[CONFIG_NAME_MAX];
	char t_per_hour[CONFIG_NAME_MAX];
	char t_today[CONFIG_NAME_MAX];
	char t_yesterday[CONFIG_NAME_MAX];
	char t_last_weekday[CONFIG_NAME_MAX];
	char t_store[CONFIG_NAME_MAX];
	char t_chain[CONFIG_NAME_MAX];
	char t_as_of[CONFIG_TEXT_MAX];
	char t_no_figures[CONFIG_TEXT_MAX];
	char t_close_hint[CONFIG_TEXT_MAX];
	char t_pin_prompt[CONFIG_NAME_MAX];
	char t_pin_wrong[CONFIG_NAME_MAX];
	char t_page[CONFIG_NAME_MAX];
	char t_thousands_separator[16];      /* "1,234": the project's own, not the OS locale's */
	char t_time_unknown[CONFIG_TEXT_MAX]; /* {count}: ratings in no hour of the chart */
	char t_weekdays[CONFIG_TEXT_MAX];    /* seven names, Sunday first, comma separated */
	char t_summary_no_ratings[CONFIG_TEXT_MAX];
	char t_summary_alone[CONFIG_TEXT_MAX];
	char t_summary_above[CONFIG_TEXT_MAX];
	char t_summary_below[CONFIG_TEXT_MAX];
	char t_summary_same[CONFIG_TEXT_MAX];
	char t_summary_today[CONFIG_NAME_MAX];
	char t_summary_yesterday[CONFIG_NAME_MAX];
	char t_summary_last_weekday[CONFIG_NAME_MAX];
	char t_summary_point[CONFIG_NAME_MAX];
	char t_summary_points[CONFIG_NAME_MAX];
	/* [hours] opening hours, indexed by weekday, 0 = Sunday */
	struct day_hours hours[7];
	struct hours_dated hours_dated[HOURS_MAX_DATED]; /* "2026-12-24 = 08:00-14:00" lines */
	int hours_ndated;
	/* [shifts] named shifts (shifts.h); none by default */
	struct shifts shifts;
	/* [staff] the end-of-shift screen */
	int shift_end;                  /* show a shift's result when it ends */
	double shift_end_s;             /* for this long */
	double shift_end_grace_s;       /* still shown this long after the end (waiting customer, restart) */
	int shift_weeks;                /* "best Tuesday in N weeks": weeks looked back */
	int shift_min_ratings;          /* fewer ratings than this: figures only, no comparison */
	/* [text] shifts */
	char t_shift_so_far[CONFIG_NAME_MAX];
	char t_shift_title[CONFIG_NAME_MAX];
	char t_shift_figures[CONFIG_TEXT_MAX];
	char t_shift_no_ratings[CONFIG_TEXT_MAX];
	char t_shift_best[CONFIG_TEXT_MAX];
	char t_shift_worst[CONFIG_TEXT_MAX];
	char t_shift_above[CONFIG_TEXT_MAX];
	char t_shift_below[CONFIG_TEXT_MAX];
	char t_shift_same[CONFIG_TEXT_MAX];
	char t_shift_last_week[CONFIG_NAME_MAX];
	char t_shift_average[CONFIG_NAME_MAX];
	char t_no_shift[CONFIG_NAME_MAX];
	char t_shift_time_unknown[CONFIG_TEXT_MAX];
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
	int hq_session_hours;             /* a user's session lasts at most this */
	int hq_session_idle_minutes;      /* ... and ends after this long unused */
	int hq_login_max_failures;        /* wrong passwords per account before 429 */
	int hq_login_max_failures_per_address; /* ... per client address */
	int hq_login_lockout_minutes;     /* the window failures are counted in */
	int hq_metrics_open_on_loopback;  /* GET /metrics from loopback without a token */
	int hq_fleet_silent_minutes;      /* the fleet calls a kiosk silent after this long of its opening hours */
	double hq_header_timeout_s;       /* request headers complete within this; 0: no limit */
	int hq_max_connections;           /* open connections in total */
	int hq_max_connections_per_address; /* per client address; 0: no limit */
	int hq_slow_connections_per_address; /* slow header senders kept per address; 0: no cap */
	int hq_body_memory_limit_mb;      /* request bodies held at once, MiB */
	char hq_tls_priorities[CONFIG_PATH_MAX]; /* GnuTLS priority string; empty: TLS 1.2+, forward-secret */
	char hq_file_group[CONFIG_NAME_MAX]; /* group that may read the database (files 0640); empty: 0600 */
	/* [alerts] tally-hq: alert and report delivery (hq_alerter.c, hq_deliver.c) */
	char alerts_public_url[CONFIG_PATH_MAX];  /* the dashboard's address as people reach it, for links */
	char alerts_webhook_url[CONFIG_PATH_MAX]; /* rules without their own webhook post here; empty: none */
	char alerts_webhook_secret[CONFIG_NAME_MAX]; /* HMAC-SHA256 key of rules without their own */
	char alerts_smtp_url[CONFIG_PATH_MAX];    /* smtp://host:port (STARTTLS) or smtps://; empty: no mail */
	char alerts_smtp_user[CONFIG_NAME_MAX];   /* AUTH user; empty: no AUTH */
	char alerts_smtp_password[CONFIG_NAME_MAX];
	char alerts_smtp_from[CONFIG_NAME_MAX];
	int alerts_smtp_starttls;                 /* smtp://: refuse to send without STARTTLS */
	char alerts_smtp_ca_file[CONFIG_PATH_MAX]; /* empty: the system's CA store */
	char alerts_mail_to[CONFIG_PATH_MAX];     /* rules and reports without their own recipients */
	double alerts_check_s;                    /* the evaluator runs at least this often */
	double alerts_timeout_s;                  /* one webhook call or one mail, connect included */
	double alerts_retry_s;                    /* first wait after a failed delivery (doubling) */
	int alerts_max_attempts;                  /* deliveries given up after this many */
	char alerts_report_time[CONFIG_NAME_MAX]; /* HH:MM local: reports go out then (weekly on Mondays) */
};

/* Fills cfg with the built-in defaults. */
void config_defaults(struct config *cfg);

/*
 * Reads path (NULL: no file) with its [text] in language number lang of
 * [kiosk] languages (0 is the default language config_load gives):
 * defaults, that language's file, then the config's texts for it. Same
 * contract as config_load; lang past the list is a problem.
 */
int config_load_language(struct config *cfg, const char *path, int lang, char *errs, size_t errlen);

/*
 * Where a language's texts are shipped: assets/lang/CODE.ini found as the
 * fonts are (sharedir.h: TALLY_DATADIR, next to the program, the install's data dir).
 * 0 with the path, or -1 when no such file exists (path: where it was sought).
 */
int config_language_file(const char *code, char *path, size_t pathlen);

/*
 * Reads path over the defaults already in cfg. Returns the number of
 * problems found (0 = success); each one is written to errs as a line
 * "path:line: message\n", truncated to errlen. cfg is only meaningful when
 * 0 is returned.
 */
int config_load(struct config *cfg, const char *path, char *errs, size_t errlen);

/*
 * Reads path afresh into next (built-in defaults first), as a SIGHUP
 * reload does. 0, or the number of problems, with the first one as a
 * single line in why (and a pointer to tallyctl check-config for the rest).
 */
int config_reload(struct config *next, const char *path, char *why, size_t whylen);

/*
 * The stored value (0 = most negative) of the face at position pos, counted
 * from the left (or top) in the configured order. It is its own inverse:
 * the position of a value is config_face_value(cfg, value).
 */
int config_face_value(const struct config *cfg, int pos);
/* The same for a scale of any size (figures from head office, old ratings). */
int config_face_value_of(enum face_order order, int scale, int pos);

/* Calls fn with each [text] key's name and value in cfg (check-config's glyph warnings). */
void config_each_text(const struct config *cfg, void (*fn)(const char *name, const char *value, void *arg), void *arg);

/* Checks rules across keys (e.g. button count vs faces). Same contract. */
int config_validate(const struct config *cfg, const char *path, char *errs, size_t errlen);

#endif
