/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csv: one text field of a CSV file, written the one way every Tally
 * export does it (tallyctl export on the kiosk, GET /api/v1/ratings at
 * head office):
 *
 * - RFC 4180: a field holding a comma, a double quote, CR or LF is put in
 *   double quotes, and a quote inside is written twice.
 * - Spreadsheet formula injection (OWASP "CSV Injection"): a text field
 *   that starts with =, +, -, @, a tab or a CR would be run as a formula
 *   by Excel, LibreOffice or Google Sheets; it is written with a ' in
 *   front, which spreadsheets show as plain text. Numbers are not text
 *   fields and are written by the callers as they are (a negative number
 *   stays a number).
 */
#ifndef TALLY_CSV_H
#define TALLY_CSV_H

#include <stddef.h>

/* Receives the bytes of the field, in pieces. */
typedef void (*csv_put_fn)(void *arg, const char *s, size_t n);

/* Whether text field s would be taken for a formula (and so gets the ' prefix). */
int csv_is_formula(const char *s);

/* Writes text field s through put (quoted and neutralised as above; no separator). */
void csv_text(const char *s, csv_put_fn put, void *arg);

#endif
