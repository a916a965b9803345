/* CPUID: exactly what the model implements, under a vendor whose behaviour it follows
 * (Intel's: sysenter in long mode, syscall only in 64-bit mode), with the hypervisor bit
 * and leaves 0x40000000 (pvbench's signature) and 0x40000010 (TSC and LAPIC bus kHz, as
 * VMware and KVM publish them). */
#include <string.h>
#include "cpuid.h"
#include "decode.h"
#include "exec.h"
#include "../lapic.h"

#define BIT(n) (1u << (n))

/* leaf 1 ECX: CX16 POPCNT TSC-deadline hypervisor */
#define L1_ECX (BIT(13) | BIT(23) | BIT(24) | BIT(31))
/* leaf 7 EBX: TSC_ADJUST, ERMS (rep movsb/stosb are single instructions here), FCS and
 * FDS deprecated (stored as zero); EDX: FSRM, and ARCH_CAPABILITIES, whose MSR says what an
 * emulated CPU is not exposed to */
#define L7_EBX (BIT(1) | BIT(9) | BIT(13))
#define L7_EDX (BIT(4) | BIT(29))
/* 0x80000001 ECX: LAHF in long mode, LZCNT; EDX: SYSCALL NX RDTSCP LM */
#define X1_ECX (BIT(0) | BIT(5))
#define X1_EDX (BIT(11) | BIT(20) | BIT(27) | BIT(29))
/* leaf 6 EAX: ARAT, the LAPIC timer runs in every idle state */
#define L6_EAX BIT(2)
/* 0x80000007 EDX: invariant TSC (the host's, offset) */
#define X7_EDX BIT(8)

static void regs4(uint32_t out[4], const char s[16])
{
	memcpy(out, s, 16);
}

void x86_cpuid(const struct x86_cpu *c, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	uint32_t a = 0, b = 0, cc = 0, d = 0; /* leaf 7's sub-leaves past 0 read as zero */
	switch (leaf) {
	case 0:
		a = 7;
		memcpy(&b, "Genu", 4);
		memcpy(&d, "ineI", 4);
		memcpy(&cc, "ntel", 4);
		break;
	case 1:
		a = X86_CPUID_SIGNATURE;
		b = (8u << 8) | (1u << 16) | (c->apic_id << 24); /* clflush 64 bytes, 1 thread */
		cc = L1_ECX;
		d = X86_CPUID_L1_EDX;
		break;
	case 6: a = L6_EAX; break;
	case 7:
		if (sub == 0) {
			b = L7_EBX;
			d = L7_EDX;
		}
		break;
	case 0x40000000:
		a = 0x40000010;
		memcpy(&b, "PVbe", 4);
		memcpy(&cc, "nchE", 4);
		memcpy(&d, "mu64", 4);
		break;
	case 0x40000010:
		a = (uint32_t)(c->tsc_hz / 1000);
		b = (uint32_t)(LAPIC_TIMER_HZ / 1000);
		break;
	case 0x80000000: a = 0x80000008; break;
	case 0x80000001: cc = X1_ECX; d = X1_EDX; break;
	case 0x80000002: regs4(out, "pvbench emulated"); return;
	case 0x80000003: regs4(out, " x86-64 CPU\0\0\0\0\0"); return;
	case 0x80000004: regs4(out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"); return;
	case 0x80000007: d = X7_EDX; break;
	case 0x80000008: a = 0x3024; break; /* 36 physical, 48 linear bits */
	default: break;
	}
	out[0] = a;
	out[1] = b;
	out[2] = cc;
	out[3] = d;
}

void op_cpuid(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	uint32_t r[4];
	x86_cpuid(c, (uint32_t)c->r[R_AX], (uint32_t)c->r[R_CX], r);
	reg_write(c, R_AX, 4, false, r[0]);
	reg_write(c, R_BX, 4, false, r[1]);
	reg_write(c, R_CX, 4, false, r[2]);
	reg_write(c, R_DX, 4, false, r[3]);
}
