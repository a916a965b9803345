/* The guest <-> pvbench ABI: ports, addresses and the control message.
 * Included by the freestanding guest and by the host, so only <stdint.h> types. */
#ifndef PVB_PROTO_H
#define PVB_PROTO_H
#include <stdint.h>

#define PVB_CTL_PORT        0x7a0      /* 32-bit: read -> PVB_CTL_ID, write -> message GPA */
#define PVB_NULL_PORT       0x7a4      /* 32-bit read with no side effect: io_in's target */
#define PVB_CTL_PORT_LEN    8
#define PVB_CTL_ID          0x4e425650 /* "PVBN" */
#define PVB_MMIO_BASE       0xfeb00000 /* one page; reads return PVB_MMIO_VALUE */
#define PVB_MMIO_LEN        0x1000
#define PVB_MMIO_VALUE      0x50564d4d
#define PVB_DEBUG_EXIT_PORT 0xf4       /* QEMU isa-debug-exit: status = (v << 1) | 1 */
#define PVB_COM1_PORT       0x3f8

/* ELF64 entry (pvbench's direct long-mode boot): rdi = magic, rsi = Multiboot info. */
#define PVB_MULTIBOOT_MAGIC 0x2badb002

enum pvb_msg_type {
	PVB_MSG_HELLO = 1,   /* text: interface; tsc_hz: calibrated TSC */
	PVB_MSG_BEGIN,       /* bench starts */
	PVB_MSG_RESULT,      /* one timed repetition */
	PVB_MSG_VALUE,       /* a checked value (compute checksum) */
	PVB_MSG_UNSUPPORTED, /* bench cannot run here; text: why */
	PVB_MSG_FAILED,      /* bench ran and failed; text: why */
	PVB_MSG_END,         /* bench finished */
	PVB_MSG_DONE,        /* every requested bench finished */
	/* A counting pass (harness.c): MARK just before the benchmark runs, COUNT just after
	 * with rep = pass and iters = operations done. The VMM reads its engine's counters at
	 * both; nothing is printed on COM1, so peers without the control port never see them. */
	PVB_MSG_MARK,
	PVB_MSG_COUNT,
};

#define PVB_MSG_MAGIC 0x4d425650 /* "PVBM" */
#define PVB_NAME_LEN  32
#define PVB_TEXT_LEN  128

struct pvb_msg {
	uint32_t magic;
	uint32_t type;
	char bench[PVB_NAME_LEN];
	uint32_t rep;
	uint32_t reserved;
	uint64_t iters;
	int64_t ticks;   /* TSC ticks for iters operations; may be < 0 for overhead deltas */
	uint64_t tsc_hz;
	uint64_t value;
	uint64_t tsc;    /* the guest's TSC when it began this report: a peer whose clock is
			    virtual (Bochs) scales its wall-clock gaps between reports by it */
	char text[PVB_TEXT_LEN];
};

/* What a benchmark needs from the machine (benches.def's third column). */
#define PVB_NEED_NONE   0x0 /* plain computation: also runs as the native mode */
#define PVB_NEED_KERNEL 0x1 /* privileged guest-kernel code */
#define PVB_NEED_RING3  0x3 /* kernel plus user/kernel round trips */
#define PVB_NEED_LINUX  0x7 /* a stock Linux kernel (the Linux guest), ring 3 included */
#define PVB_NEED_PAGING32 0x8 /* added to every benchmark of a guest paging with 32-bit or PAE tables */

#endif
