/* SPDX-License-Identifier: Apache-2.0 */
/*
 * batch_scan: reads the common rating batch straight from its bytes,
 * without building a JSON tree.
 *
 * Head office decodes every batch every kiosk sends; with jansson a batch
 * cost about 18,000 instructions per rating (a tree of ten nodes per
 * rating, then freed), as much as storing it. This scanner reads the batch
 * protocol_encode_batch writes (members kiosk, version, install, boots,
 * ratings in that order; strings of printable ASCII without escapes; plain
 * integers) in one pass. Anything else it declines, and protocol.c's tree
 * decoder, which has the error messages, decides: a batch this scanner
 * accepts decodes to exactly what the tree decoder would make of it
 * (tests/unit/test_batch_scan.c checks that on valid and mutated bodies).
 */
#ifndef TALLY_BATCH_SCAN_H
#define TALLY_BATCH_SCAN_H

#include <stddef.h>

#include "protocol.h"

/*
 * 0: body (len bytes, need not be NUL-terminated) is a valid batch of at
 * most max_ratings ratings and out holds it (protocol_batch_free). 1:
 * declined (anything unusual, invalid or too many), out is empty: decode
 * it with the tree decoder.
 */
int batch_scan_decode(const char *body, size_t len, size_t max_ratings, struct protocol_batch *out);

#endif
