/* The CPUID the model answers (cpuid.c), for the instruction and for the run's record. */
#ifndef X86_CPUID_H
#define X86_CPUID_H
#include <stdint.h>
#include "cpu.h"

/* leaf 1: family 6 model 15 (Core 2), as KVM's kvm64; EDX: FPU DE PSE TSC MSR PAE CX8
 * APIC SEP PGE CMOV PAT CLFSH FXSR SSE SSE2 (also what the MP table says) */
#define X86_CPUID_SIGNATURE 0x000006fbu
#define X86_CPUID_L1_EDX 0x0709ab7du

void x86_cpuid(const struct x86_cpu *c, uint32_t leaf, uint32_t sub, uint32_t out[4]);

/* IA32_ARCH_CAPABILITIES: RDCL_NO, SKIP_L1DFL_VMENTRY, SSB_NO, MDS_NO, PSCHANGE_MC_NO,
 * TAA_NO, SBDR_SSDP_NO, FBSDP_NO, PSDP_NO, BHI_NO, PBRSB_NO, GDS_NO, RFDS_NO: an
 * interpreter has no speculative execution to leak through. */
#define X86_ARCH_CAPABILITIES ((1ull << 0) | (1ull << 3) | (1ull << 4) | (1ull << 5) | (1ull << 6) | (1ull << 8) | \
			       (1ull << 13) | (1ull << 14) | (1ull << 15) | (1ull << 20) | (1ull << 24) | \
			       (1ull << 26) | (1ull << 27))

#endif
