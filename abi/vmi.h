/* The VMI 3.0 interface: the ROM's layout and the constants the guest, the ROM code and
 * the VMM share. One ROM serves both kinds of guest: 32-bit code calls it as Linux's
 * i386 vmi.c did (regparm(3): arguments in eax, edx, ecx, then the stack; 64-bit results
 * in edx:eax; get_reloc's answer {u32 eip, u8 type} in edx:eax), 64-bit code as pvbench
 * adapts it to x86-64 (System V: rdi, rsi, rdx, rcx, r8, r9, result in rax). vmi_init and
 * get_reloc tell the two apart; every call has a slot of each kind. Only #defines, so
 * that assembly includes it too. */
#ifndef VMI_ABI_H
#define VMI_ABI_H

/* Where the VMM puts the ROM: inside the option-ROM window the guest scans, but not at
 * its start, so that the probe has to search. */
#define VMI_SCAN_START   0xc0000
#define VMI_SCAN_END     0xe0000
#define VMI_SCAN_STEP    0x800
#define VMI_ROM_BASE     0xc8000
#define VMI_ROM_SIZE     0x3000      /* the checksummed image: header, code, relocations */
#define VMI_ROM_UNITS    (VMI_ROM_SIZE / 512)

/* Header offsets (VMI 3.0). */
#define VMI_H_SIGNATURE  0x00        /* u16 0xAA55 */
#define VMI_H_LENGTH     0x02        /* u8, 512-byte units */
#define VMI_H_VMI_SIG    0x08        /* u32 "cVmi" */
#define VMI_H_API_MIN    0x0c
#define VMI_H_API_MAJ    0x0d
#define VMI_H_JUMP_SLOTS 0x0e
#define VMI_H_VIRT_TOP   0x10
#define VMI_H_LICENSE    0x16        /* u16 offset of a NUL-terminated string */
#define VMI_H_PCI        0x18        /* u16 offset of the PCI data structure */
#define VMI_H_PNP        0x1a
#define VMI_H_INIT       0x80        /* vmi_init(): 0 when the interface is ready */
#define VMI_H_GET_RELOC  0x88        /* get_reloc(callno): rax address, rdx type (64-bit);
				      * eax address, edx type (32-bit) */

#define VMI_SIGNATURE    0x696d5663  /* "cVmi" */
#define VMI_API_MAJOR    3
#define VMI_API_MINOR    0
#define VMI_PCI_VENDOR   0x15ad      /* VMware */
#define VMI_PCI_DEVICE   0x0801      /* VMware VMI */

/* Inside the image: the PCI structure and license, the call slots, the relocation table. */
#define VMI_PCI_OFF      0x40
#define VMI_LICENSE_OFF  0x60
#define VMI_CODE_OFF     0x100       /* slot n of the call table at VMI_CODE_OFF + n * VMI_SLOT */
#define VMI_SLOT         32
#define VMI_NCALLS       81
#define VMI_CODE32_OFF   0x1000      /* the 32-bit slots, likewise */
#define VMI_RELOC_OFF    0x2000      /* VMI_NCALLS entries of {u64 address, u64 type} */
#define VMI_RELOC32_OFF  0x2800      /* VMI_NCALLS entries of {u32 address, u32 type} */
#define VMI_SLOT_ADDR(n) (VMI_ROM_BASE + VMI_CODE_OFF + (n) * VMI_SLOT)
#define VMI_SLOT32_ADDR(n) (VMI_ROM_BASE + VMI_CODE32_OFF + (n) * VMI_SLOT)
#define VMI_RELOC_ADDR   (VMI_ROM_BASE + VMI_RELOC_OFF)
#define VMI_RELOC32_ADDR (VMI_ROM_BASE + VMI_RELOC32_OFF)

#define VMI_RELOC_NONE     0         /* keep the native code */
#define VMI_RELOC_CALL_REL 1
#define VMI_RELOC_JUMP_REL 2
#define VMI_RELOC_NOP      3

/* Shared state, writable RAM after the image: the lazy-mode flag and the queue of
 * page-table updates that the ROM code fills without entering the VMM. */
#define VMI_DATA         (VMI_ROM_BASE + VMI_ROM_SIZE)
#define VMI_D_LAZY       (VMI_DATA + 0x00)   /* u32: the SetLazyMode mode in force */
#define VMI_D_QCOUNT     (VMI_DATA + 0x04)   /* u32: queued updates */
#define VMI_D_SCRATCH    (VMI_DATA + 0x08)   /* u64: rax across SYSEXIT's doorbell (IF is off) */
#define VMI_D_RESULT     (VMI_DATA + 0x10)   /* u64: a 32-bit call's result (edx from here) */
#define VMI_D_QUEUE      (VMI_DATA + 0x40)   /* {u64 ptep, u64 value} entries */
#define VMI_PTEP_32      1                   /* in a queued ptep: a 4-byte (2-level) entry;
					      * an 8-byte one is 8-aligned */
#define VMI_QUEUE_MAX    512
#define VMI_DATA_END     (VMI_D_QUEUE + VMI_QUEUE_MAX * 16)

/* The doorbell: a 64-bit read of VMI_DOORBELL + 8 * callno enters the VMM (an MMIO exit
 * under KVM; the interpreter turns the read into a direct call). The result is the read
 * value, so no register but rax is touched. From 32-bit code the read is 32-bit, the
 * arguments where regparm(3) put them, and the whole result also in VMI_D_RESULT. */
#define VMI_DOORBELL     0xfeb01000
#define VMI_DOORBELL_LEN 0x1000
#define VMI_INIT_CALL    127         /* the doorbell slot of vmi_init */

/* Call numbers (API 3.0), and pvbench's null call for the bare hook cost. */
#define VMI_CALL_CPUID              0
#define VMI_CALL_WRMSR              1
#define VMI_CALL_RDMSR              2
#define VMI_CALL_SetCR0             15
#define VMI_CALL_SetCR2             16
#define VMI_CALL_SetCR3             17
#define VMI_CALL_SetCR4             18
#define VMI_CALL_GetCR0             19
#define VMI_CALL_GetCR2             20
#define VMI_CALL_GetCR3             21
#define VMI_CALL_GetCR4             22
#define VMI_CALL_WBINVD             23
#define VMI_CALL_RDTSC              27
#define VMI_CALL_CLTS               28
#define VMI_CALL_EnableInterrupts   29
#define VMI_CALL_DisableInterrupts  30
#define VMI_CALL_IRET               33
#define VMI_CALL_SYSEXIT            34
#define VMI_CALL_Halt               35
#define VMI_CALL_SetPxE             38
#define VMI_CALL_SetPxELong         39
#define VMI_CALL_UpdatePxE          40
#define VMI_CALL_UpdatePxELong      41
#define VMI_CALL_AllocatePage       44
#define VMI_CALL_ReleasePage        45
#define VMI_CALL_InvalPage          46
#define VMI_CALL_FlushTLB           47
#define VMI_CALL_SetLinearMapping   48
#define VMI_CALL_APICWrite          63
#define VMI_CALL_APICRead           64
#define VMI_CALL_GetCycleFrequency  66
#define VMI_CALL_GetCycleCounter    67
#define VMI_CALL_SetAlarm           68
#define VMI_CALL_CancelAlarm        69
#define VMI_CALL_GetWallclockTime   70
#define VMI_CALL_SetLazyMode        73
#define VMI_CALL_Null               80

/* The guest's paging, which says how the VMM finds the entry a pointer names. */
#define VMI_PAGING_4LEVEL 0
#define VMI_PAGING_PAE    1
#define VMI_PAGING_2LEVEL 2
#define VMI_PAGING_OFF    3   /* CR0.PG clear: a pointer is a physical address */

/* Page-table levels and update flags. */
#define VMI_PAGE_PT      0x01
#define VMI_PAGE_PD      0x02
#define VMI_PAGE_PDP     0x04
#define VMI_PAGE_PML4    0x08
#define VMI_PAGE_CURRENT_AS 0x10
#define VMI_PAGE_DEFER   0x20
/* AllocatePage's and ReleasePage's own flags beside the level (0x10 and 0x20 mean other
 * things to SetPxE): a PAE table, a copy of another table's entries, a zeroed frame */
#define VMI_PAGE_PAE     0x10
#define VMI_PAGE_CLONE   0x20
#define VMI_PAGE_ZEROED  0x40
#define VMI_LINEAR_SLOTS 4    /* SetLinearMapping's slots */
#define VMI_FLUSH_TLB    0x01
#define VMI_FLUSH_GLOBAL 0x02

#define VMI_LAZY_NONE    0
#define VMI_LAZY_MMU     1
#define VMI_LAZY_CPU     2

/* Timer. */
#define VMI_CYCLES_REAL      0
#define VMI_CYCLES_AVAILABLE 1
#define VMI_CYCLES_STOLEN    2
#define VMI_ALARM_ONESHOT    0x000
#define VMI_ALARM_PERIODIC   0x100
#define VMI_ALARM_WIRED_IRQ0 0x00000
#define VMI_ALARM_WIRED_LVTT 0x10000

#endif
