/* SPDX-License-Identifier: Apache-2.0 */
/*
 * textfmt: numbers and dates in a language's own conventions, from its
 * texts ([text] decimal_separator, thousands_separator, weekdays, months,
 * date_format), never from the C library's locales: a Raspberry Pi may
 * have none installed, and then strftime and printf answer in English
 * without a word of warning.
 */
#ifndef TALLY_TEXTFMT_H
#define TALLY_TEXTFMT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "tzday.h"

/* value with `decimals` decimals and decimal separator sep ("76,6"); a dash when value < 0. */
void textfmt_decimal(double value, int decimals, const char *sep, const char *unit, char *out, size_t outlen);

/* n grouped in thousands with sep ("12,345", "12.345", "12 345"). */
void textfmt_count(int64_t n, const char *sep, char *out, size_t outlen);

/* The i-th (0-based) of a comma-separated list of names, trimmed, into out; "" past its end. */
void textfmt_name(const char *list, int i, char *out, size_t outlen);

/*
 * The date in cfg's date_format: %A weekday, %a its first three letters,
 * %e day, %d two-digit day, %B month, %b its first three letters, %m
 * two-digit month, %Y year, %% a percent sign. wday: 0 = Sunday.
 */
void textfmt_date(const struct config *cfg, struct tzdate date, int wday, char *out, size_t outlen);

#endif
