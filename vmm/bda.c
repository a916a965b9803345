#include <string.h>
#include "bda.h"
#include "mptable.h"
#include "../abi/proto.h"

#define BDA_COM1      0x400 /* I/O ports of COM1-COM4 */
#define BDA_EBDA_SEG  0x40e
#define BDA_BASE_KB   0x413

void bda_write(struct guest_mem *m)
{
	uint16_t com1 = PVB_COM1_PORT, ebda = MPTABLE_BASE >> 4, base_kb = MPTABLE_BASE >> 10;
	memcpy(mem_ptr(m, BDA_COM1, 2), &com1, 2);
	memcpy(mem_ptr(m, BDA_EBDA_SEG, 2), &ebda, 2);
	memcpy(mem_ptr(m, BDA_BASE_KB, 2), &base_kb, 2);
}
