/* libFuzzer target: the loader on any bytes, as every format it detects (ELF64,
 * Multiboot, Linux bzImage and vmlinux, PVH). It must load or refuse with a message,
 * never read or write outside the image or guest RAM. The first byte picks the format
 * (auto or one named), so that forced formats meet foreign images too. The image is
 * copied to a buffer of its own, aligned as the files pvbench reads are. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../vmm/loader.h"

static struct guest_mem mem;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!mem.host && mem_init(&mem, 64 << 20))
		return 0;
	if (size < 1)
		return 0;
	char err[256];
	struct boot_state bs;
	struct load_opts o = { .fmt = (enum image_format)(data[0] % (IMAGE_PVH + 1)), .cmdline = "console=ttyS0",
			       .initrd = data, .initrd_len = size > 64 ? 64 : size, .name = "fuzz" };
	uint8_t *img = malloc(size);
	if (!img)
		return 0;
	memcpy(img, data + 1, size - 1);
	loader_load(&mem, img, size - 1, &o, &bs, err, sizeof(err));
	free(img);
	return 0;
}
