/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_batch_scan: head office's tree-less batch reader (batch_scan.h)
 * against jansson's tree decoder on arbitrary bytes. The scanner may
 * decline anything; whatever it accepts, the tree decoder must accept too
 * and decode to exactly the same batch, byte for byte. A difference would
 * mean a kiosk's batch is stored as something other than what it sent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_scan.h"
#include "fuzz_util.h"
#include "protocol.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, no NUL: neither reader may read past the length. */
	char *body = malloc(size ? size : 1);
	if (!body)
		fuzz_die("out of memory");
	memcpy(body, data, size);
	struct protocol_batch fast, tree;
	char err[256];
	int scanned = batch_scan_decode(body, size, PROTOCOL_MAX_BATCH, &fast);
	int rc = protocol_decode_batch_tree(body, size, PROTOCOL_MAX_BATCH, &tree, err, sizeof(err));
	if (scanned == 0) {
		if (rc != PROTOCOL_OK)
			fuzz_die("the scanner accepted a batch the tree decoder refuses");
		if (strcmp(fast.kiosk_id, tree.kiosk_id) || strcmp(fast.version, tree.version) ||
		    strcmp(fast.install_id, tree.install_id) || fast.n != tree.n || fast.nschedules != tree.nschedules ||
		    (fast.n && memcmp(fast.ratings, tree.ratings, fast.n * sizeof(*fast.ratings))))
			fuzz_die("the scanner and the tree decoder read the same batch differently");
		protocol_batch_free(&fast);
	} else if (fast.n != 0 || fast.ratings != NULL) {
		fuzz_die("a declined batch left ratings behind");
	}
	if (rc == PROTOCOL_OK)
		protocol_batch_free(&tree);
	free(body);
	return 0;
}
