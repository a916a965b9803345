/* libFuzzer target: the translator against the interpreter on whatever bytes the fuzzer
 * makes, run as code (decoded, executed, faulting into the corpus guest's handler) in
 * lockstep: any difference in what the two retire, in registers or in memory, is a
 * finding (abort, with the checker's report), as is any crash in either engine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "../../lab/corpus.h"
#include "../../lab/lockstep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	uint8_t *img;
	size_t len;
	if (corpus_wrap(data[0], data + 1, size - 1, &img, &len))
		return 0;
	struct lockstep_config cfg = { .mode = mode_find("bt"), .ref = mode_find("emulate"), .image = img,
				       .image_len = len, .cmdline = "", .mem_bytes = 8 << 20, .max_insns = 20000,
				       .timeout_ms = 10000, .echo_fd = -1 };
	char err[300];
	struct lockstep *ls = lockstep_open(&cfg, err, sizeof(err));
	if (ls) {
		while (lockstep_step(ls))
			;
		if (ls->end == LS_DIVERGED) {
			fprintf(stderr, "%s\n", ls->report);
			abort();
		}
		lockstep_close(ls);
	}
	free(img);
	return 0;
}
