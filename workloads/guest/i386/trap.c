/* IDT, TSS and the sysenter MSRs of the 32-bit guest. */
#include "kernel.h"
#include "cpu.h"
#include "layout.h"
#include "pvops.h"

struct idt_gate {
	uint16_t off0, sel;
	uint8_t zero, type;
	uint16_t off1;
} __attribute__((packed));

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

extern uint64_t gdt[];
extern const uint32_t trap_stubs[32], trap_stub_timer, trap_stub_spurious;
void int80_entry(void);
void sysenter_entry(void);
extern char user_sysenter_return[];
extern uint32_t sysenter_return; /* entry.S: where sysexit goes, in the user mapping */

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
static uint8_t kstack[STACK_SIZE] __attribute__((aligned(16)));

static void set_gate(int vec, uint32_t fn, int dpl)
{
	idt[vec] = (struct idt_gate){ .off0 = (uint16_t)fn, .sel = SEL_KCODE,
				      .type = (uint8_t)(0x8e | (dpl << 5)), /* present, 32-bit interrupt gate */
				      .off1 = (uint16_t)(fn >> 16) };
}

void trap_init(void)
{
	pic_mask_all();
	for (int v = 0; v < 32; v++)
		set_gate(v, trap_stubs[v], 0);
	set_gate(VEC_TIMER, trap_stub_timer, 0);
	set_gate(VEC_SPURIOUS, trap_stub_spurious, 0);
	set_gate(VEC_SYSCALL, (uint32_t)int80_entry, 3);

	tss.esp0 = (uint32_t)(kstack + sizeof(kstack));
	tss.ss0 = SEL_KDATA;
	tss.iomap = sizeof(tss);
	uint32_t base = (uint32_t)&tss, limit = sizeof(tss) - 1;
	gdt[SEL_TSS / 8] = (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) | (0x89ull << 40) |
			   ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)(base >> 24) << 56);

	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint32_t)idt };
	__asm__ volatile("lidt %0" :: "m"(idtr));
	__asm__ volatile("ltr %w0" :: "r"(SEL_TSS));
}

void syscall_init(void)
{
	wrmsr(MSR_SYSENTER_CS, SEL_KCODE);
	wrmsr(MSR_SYSENTER_ESP, (uint32_t)(kstack + sizeof(kstack)));
	wrmsr(MSR_SYSENTER_EIP, (uint32_t)sysenter_entry);
	sysenter_return = mm_user_va(user_sysenter_return);
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f) { trap_handle(f, f->vector, f->error, f->eip, f->cs); }
