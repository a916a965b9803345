/* libFuzzer target: the VMM's side of the VMI calls, which takes whatever a guest passes
 * -- call numbers, page-table pointers and values, alarm times, APIC registers, 32-bit
 * stacks -- on a machine whose memory (page tables included) the input also fills. Every
 * call must answer or refuse, never touch memory outside the guest's. */
#include <stdint.h>
#include <string.h>
#include "../../vmm/machine.h"

#define RAM (2u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct machine m;
	static bool up;
	if (!up) {
		struct machine_config mc = { .mem_bytes = RAM, .serial_echo_fd = -1, .tsc_hz = 2000000000ull, .vmi = true };
		char err[256];
		if (machine_init(&m, &mc, err, sizeof(err)))
			return 0;
		up = true;
	}
	struct vmi_regs r;
	if (size < sizeof(r) + 2)
		return 0;
	memcpy(&r, data + 2, sizeof(r));
	r.paging %= 4; /* the modes the VMM knows: off, 2-level, PAE, 4-level */
	r.cr3 %= RAM;
	/* the rest of the input is the low memory the call's pointers and tables land in; the
	 * rest of RAM zero, as every input starts */
	size_t rest = size - sizeof(r) - 2;
	uint8_t *ram = mem_ptr(&m.mem, 0, RAM);
	memset(ram, 0, RAM);
	memcpy(ram, data + 2 + sizeof(r), rest < RAM ? rest : RAM);
	unsigned n = data[0];
	if (data[1] & 1)
		vmi_call32(&m.vmi, n, &r);
	else
		vmi_call(&m.vmi, n, &r);
	return 0;
}
