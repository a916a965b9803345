/* IDT, TSS and system-call MSRs, and the C side of every trap. */
#include "kernel.h"
#include "cpu.h"
#include "pvops.h"

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));

struct tss {
	uint32_t res0;
	uint64_t rsp[3];
	uint64_t res1;
	uint64_t ist[7];
	uint64_t res2;
	uint16_t res3, iomap;
} __attribute__((packed));

extern uint64_t gdt[];
extern const uint64_t trap_stubs[32], trap_stub_timer, trap_stub_spurious;
void int80_entry(void);
void syscall_entry(void);

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
static uint8_t kstack[STACK_SIZE] __attribute__((aligned(16)));
static uint8_t ist_stack[STACK_SIZE] __attribute__((aligned(16)));

static void set_gate(int vec, uint64_t fn, int dpl, int ist)
{
	idt[vec] = (struct idt_gate){
		.off0 = (uint16_t)fn, .sel = SEL_KCODE, .ist = (uint8_t)ist,
		.type = (uint8_t)(0x8e | (dpl << 5)), /* present, 64-bit interrupt gate */
		.off1 = (uint16_t)(fn >> 16), .off2 = (uint32_t)(fn >> 32),
	};
}

void trap_init(void)
{
	pic_mask_all();
	for (int v = 0; v < 32; v++)
		set_gate(v, trap_stubs[v], 0, (v == 2 || v == 8) ? 1 : 0);
	set_gate(VEC_TIMER, trap_stub_timer, 0, 0);
	set_gate(VEC_SPURIOUS, trap_stub_spurious, 0, 0);
	set_gate(VEC_SYSCALL, (uint64_t)int80_entry, 3, 0);

	tss.rsp[0] = (uint64_t)(kstack + sizeof(kstack));
	tss.ist[0] = (uint64_t)(ist_stack + sizeof(ist_stack));
	tss.iomap = sizeof(tss);
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[SEL_TSS / 8 + 1] = base >> 32;

	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" :: "m"(idtr));
	__asm__ volatile("ltr %w0" :: "r"(SEL_TSS));
}

void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* sysret: CS = base + 16, SS = base + 8, with base = SEL_UCODE32 | 3 */
	wrmsr(MSR_STAR, ((uint64_t)(SEL_UCODE32 | 3) << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, 0x47700); /* TF, DF, IF, IOPL, NT, AC cleared on entry */
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f) { trap_handle(f, f->vector, f->error, f->rip, f->cs); }
