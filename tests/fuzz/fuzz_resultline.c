/* libFuzzer target: the parser of the guest's COM1 result lines, which reads whatever a
 * guest under QEMU or Bochs prints. It must accept or refuse, never overrun. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../collect/resultline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	struct pvb_msg m;
	resultline_parse(line, &m);
	free(line);
	return 0;
}
