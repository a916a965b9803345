/* Differential tests of unprivileged instructions: each generated case (Zydis's encoder,
 * random operands plus edge values) runs natively on the host CPU and once in the CPU
 * model; every register, every defined flag and the data page must agree. Undefined
 * flags are counted, not asserted: the model follows this host where it can (README). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <Zydis/Zydis.h>
#include <unicorn/unicorn.h>
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include "../vmm/x86/decode.h"
#include "../vmm/x86/exec.h"
#include "../vmm/x86/fault.h"
#include "../vmm/x86/mmu.h"
#include "../vmm/x86/x86.h"
#include "../modes/bt/bt.h"

struct regs {
	uint64_t r[16];
	uint64_t flags;
};

/* Loads every register but rsp from *rdi, runs the slot, stores them back. */
#define SLOT_BYTES 48
#define STR_(x) #x
#define STR(x) STR_(x)
void diff_tramp(struct regs *s);
extern char diff_slot[], diff_tramp_end[];
__asm__(".text\n"
	"diff_tramp:\n"
	"push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15; push %rdi\n"
	"pushq 128(%rdi); popfq\n"
	"mov 0(%rdi),%rax; mov 8(%rdi),%rcx; mov 16(%rdi),%rdx; mov 24(%rdi),%rbx\n"
	"mov 40(%rdi),%rbp; mov 48(%rdi),%rsi; mov 64(%rdi),%r8; mov 72(%rdi),%r9\n"
	"mov 80(%rdi),%r10; mov 88(%rdi),%r11; mov 96(%rdi),%r12; mov 104(%rdi),%r13\n"
	"mov 112(%rdi),%r14; mov 120(%rdi),%r15; mov 56(%rdi),%rdi\n"
	"diff_slot: .fill " STR(SLOT_BYTES) ", 1, 0x90\n"
	"xchg %rdi,(%rsp)\n"
	"mov %rax,0(%rdi); mov %rcx,8(%rdi); mov %rdx,16(%rdi); mov %rbx,24(%rdi)\n"
	"mov %rbp,40(%rdi); mov %rsi,48(%rdi); mov %r8,64(%rdi); mov %r9,72(%rdi)\n"
	"mov %r10,80(%rdi); mov %r11,88(%rdi); mov %r12,96(%rdi); mov %r13,104(%rdi)\n"
	"mov %r14,112(%rdi); mov %r15,120(%rdi)\n"
	"pop %rax; mov %rax,56(%rdi)\n"
	"pushfq; pop %rax; mov %rax,128(%rdi)\n"
	"pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx; ret\n"
	"diff_tramp_end:\n");

#define CODE_VA   0x400000ull
#define CODE_PA   0x400000ull
#define DATA_PA   0x500000ull
#define TABLES_PA 0x100000ull
#define LIVE_FLAGS (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF | F_DF)

struct rig {
	void (*native)(struct regs *);
	uint8_t *slot;
	uint8_t *data;      /* host page, also mapped at the same linear address in the guest */
	struct guest_mem mem;
	struct bus bus;
	struct x86_cpu cpu;
	uint64_t next_table;
	uint64_t cases, undefined_diffs, divide_errors;
	uc_engine *uc;              /* the second oracle */
	uint64_t uc_cases, uc_agree;
	uint64_t undef_by_mnemonic[ZYDIS_MNEMONIC_MAX_VALUE + 1];
	uint32_t undef_bits[ZYDIS_MNEMONIC_MAX_VALUE + 1];
	uint64_t rng;
	bool use_bt;                /* the second pass: the same cases through the translator */
	struct bt bt;
};

static struct rig R;

static uint64_t rnd(void)
{
	R.rng ^= R.rng << 13;
	R.rng ^= R.rng >> 7;
	R.rng ^= R.rng << 17;
	return R.rng;
}

static uint64_t edge_or_random(unsigned size)
{
	static const uint64_t edges[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
					  0x80000000, 0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull };
	uint64_t v = rnd() % 3 ? rnd() : edges[rnd() % (sizeof(edges) / sizeof(edges[0]))];
	if (rnd() % 4 == 0) /* edge in the operand's own width */
		v = (rnd() & 1) ? (1ull << (size * 8 - 1)) - (rnd() % 2) : ~0ull - (rnd() % 2);
	return v;
}

static void map_page(uint64_t va, uint64_t pa)
{
	uint64_t table = TABLES_PA;
	for (int lvl = 4; lvl > 1; lvl--) {
		uint64_t *e = mem_ptr(&R.mem, table + ((va >> (12 + 9 * (lvl - 1))) & 511) * 8, 8);
		if (!(*e & 1)) {
			*e = R.next_table | 7;
			R.next_table += 0x1000;
		}
		table = *e & ~0xfffull;
	}
	*(uint64_t *)mem_ptr(&R.mem, table + ((va >> 12) & 511) * 8, 8) = pa | 7;
}

static int setup(void **state)
{
	(void)state;
	bool use_bt = R.use_bt;
	memset(&R, 0, sizeof(R));
	R.use_bt = use_bt;
	R.rng = 0x9e3779b97f4a7c15ull;
	size_t tl = (size_t)(diff_tramp_end - (char *)diff_tramp);
	uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	R.data = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(page != MAP_FAILED && R.data != MAP_FAILED);
	memcpy(page, (void *)diff_tramp, tl);
	R.native = (void (*)(struct regs *))(void *)page;
	R.slot = page + (diff_slot - (char *)diff_tramp);
	assert_int_equal(mem_init(&R.mem, 16 << 20), 0);
	assert_int_equal(x86_cpu_init(&R.cpu, &R.mem, &R.bus), 0);
	if (R.use_bt) {
		assert_int_equal(bt_init(&R.bt, 8u << 20), 0);
		R.cpu.jit = &R.bt.jit;
	}
	R.next_table = TABLES_PA + 0x1000;
	map_page(CODE_VA, CODE_PA);
	map_page((uint64_t)R.data, DATA_PA);
	struct boot_state bs = { .kind = BOOT_LONG64, .cs = 8, .ds = 16, .cr0 = 0x80050033, .cr3 = TABLES_PA,
				 .cr4 = 0x620, .efer = 0x500 }; /* PAE, OSFXSR, OSXMMEXCPT */
	x86_load_boot_state(&R.cpu, &bs);
	assert_int_equal(uc_open(UC_ARCH_X86, UC_MODE_64, &R.uc), UC_ERR_OK);
	assert_int_equal(uc_mem_map(R.uc, CODE_VA, 0x1000, UC_PROT_ALL), UC_ERR_OK);
	assert_int_equal(uc_mem_map(R.uc, (uint64_t)R.data, 0x1000, UC_PROT_ALL), UC_ERR_OK);
	return 0;
}

static const int uc_regs[16] = { UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX, UC_X86_REG_RSP,
				 UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_R8, UC_X86_REG_R9,
				 UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14,
				 UC_X86_REG_R15 };

/* unicorn (QEMU's TCG) on the same case; true when it agrees with the host on every
 * register, every defined flag and the data page. */
static bool unicorn_agrees(const uint8_t *code, unsigned len, const struct regs *in, const struct regs *host,
			   const uint8_t *before, const uint8_t *host_after, uint32_t undef)
{
	struct regs u = *in;
	uc_mem_write(R.uc, CODE_VA, code, len);
	uc_mem_write(R.uc, (uint64_t)R.data, before, 4096);
	for (int r = 0; r < 16; r++)
		uc_reg_write(R.uc, uc_regs[r], &u.r[r]);
	uc_reg_write(R.uc, UC_X86_REG_RFLAGS, &u.flags);
	if (uc_emu_start(R.uc, CODE_VA, CODE_VA + len, 0, 1) != UC_ERR_OK)
		return false;
	uint8_t after[4096];
	for (int r = 0; r < 16; r++)
		uc_reg_read(R.uc, uc_regs[r], &u.r[r]);
	uc_reg_read(R.uc, UC_X86_REG_RFLAGS, &u.flags);
	uc_mem_read(R.uc, (uint64_t)R.data, after, 4096);
	for (int r = 0; r < 16; r++)
		if (r != R_SP && u.r[r] != host->r[r])
			return false;
	return !(((u.flags ^ host->flags) & F_ARITH) & ~undef) && !memcmp(after, host_after, 4096);
}

static int teardown(void **state)
{
	(void)state;
	print_message("%llu cases (%llu of them #DE); %llu differ from this host only in flags the SDM leaves undefined\n",
		      (unsigned long long)R.cases, (unsigned long long)R.divide_errors, (unsigned long long)R.undefined_diffs);
	for (int m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; m++)
		if (R.undef_by_mnemonic[m])
			print_message("  %-8s %5llu (flags 0x%03x)\n", ZydisMnemonicGetString((ZydisMnemonic)m),
				      (unsigned long long)R.undef_by_mnemonic[m], R.undef_bits[m]);
	print_message("unicorn (second oracle) agrees with the host in %llu of %llu cases\n",
		      (unsigned long long)R.uc_agree, (unsigned long long)R.uc_cases);
	/* the oracle ran, and its known disagreements (TCG's own undefined-flag choices) stay
	 * a small share: a broken unicorn setup would agree on nothing */
	assert_true(R.uc_cases > 1000 && R.uc_agree * 100 >= R.uc_cases * 95);
	if (R.use_bt)
		print_message("translator: %llu blocks, %llu instructions native, %llu callouts\n",
			      (unsigned long long)R.bt.blocks, (unsigned long long)R.bt.native_insns,
			      (unsigned long long)R.bt.callout_insns);
	uc_close(R.uc);
	x86_cpu_free(&R.cpu);
	if (R.use_bt)
		bt_free(&R.bt);
	mem_free(&R.mem);
	return 0;
}

/* The code in the trampoline's slot, run on the host CPU. */
static void native_run(const uint8_t *code, unsigned len, struct regs *r)
{
	memcpy(R.slot, code, len);
	memset(R.slot + len, 0x90, SLOT_BYTES - len);
	R.native(r);
}

/* The same code and registers in the model, for `steps` instructions; first_vector says
 * whether anything faulted. Under the translator a jmp to the next instruction closes the
 * block, so that the whole case is one translated block, and is taken back out of rip. */
static struct x86_cpu *model_run(const uint8_t *code, unsigned len, const struct regs *in, uint64_t steps)
{
	struct x86_cpu *c = &R.cpu;
	memcpy(mem_ptr(&R.mem, CODE_PA, SLOT_BYTES), code, len);
	if (R.use_bt) {
		memcpy(mem_ptr(&R.mem, CODE_PA + len, 2), "\xeb\x00", 2);
		steps++;
	}
	x86_forget_code_page(c, CODE_PA);
	c->code.watch[CODE_PA >> 12] = 0;
	memcpy(c->r, in->r, sizeof(in->r));
	c->r[R_SP] = 0x7000;
	x86_set_flags(c, in->flags);
	c->rip = CODE_VA;
	c->exit = X86_RUNNING;
	c->first_vector = -1;
	bool stop = false;
	x86_run(c, steps, &stop);
	if (R.use_bt && c->rip == CODE_VA + len + 2)
		c->rip -= 2;
	R.cases++;
	return c;
}

/* Registers as a case starts: rsi points at the data page, DF clear, IF set. */
static void case_regs(struct regs *s)
{
	s->r[R_SI] = (uint64_t)R.data;
	s->flags = (s->flags & LIVE_FLAGS & ~(uint64_t)F_DF) | 0x202;
}

/* Flags the SDM leaves undefined after this instruction with these operands. */
static uint32_t undefined_flags(ZydisMnemonic m, unsigned size, uint64_t count)
{
	unsigned bits = size * 8;
	switch (m) {
	case ZYDIS_MNEMONIC_MUL: case ZYDIS_MNEMONIC_IMUL: return F_SF | F_ZF | F_AF | F_PF;
	case ZYDIS_MNEMONIC_DIV: case ZYDIS_MNEMONIC_IDIV: return F_ARITH;
	case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_OR: case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_TEST: return F_AF;
	case ZYDIS_MNEMONIC_SHL: case ZYDIS_MNEMONIC_SHR: case ZYDIS_MNEMONIC_SAR: {
		unsigned n = (unsigned)count & (size == 8 ? 63 : 31);
		if (!n)
			return 0;
		return F_AF | (n != 1 ? F_OF : 0) | (n >= bits ? F_CF : 0);
	}
	case ZYDIS_MNEMONIC_ROL: case ZYDIS_MNEMONIC_ROR: case ZYDIS_MNEMONIC_RCL: case ZYDIS_MNEMONIC_RCR:
		return ((count & (size == 8 ? 63 : 31)) != 1) ? F_OF : 0;
	case ZYDIS_MNEMONIC_SHLD: case ZYDIS_MNEMONIC_SHRD: {
		unsigned n = (unsigned)count & (size == 8 ? 63 : 31);
		if (!n)
			return 0;
		return F_AF | (n != 1 ? F_OF : 0) | (n > bits ? F_ARITH : 0);
	}
	case ZYDIS_MNEMONIC_BT: case ZYDIS_MNEMONIC_BTS: case ZYDIS_MNEMONIC_BTR: case ZYDIS_MNEMONIC_BTC:
		return F_OF | F_SF | F_AF | F_PF;
	case ZYDIS_MNEMONIC_BSF: case ZYDIS_MNEMONIC_BSR: return F_CF | F_OF | F_SF | F_AF | F_PF;
	case ZYDIS_MNEMONIC_LZCNT: return F_OF | F_SF | F_AF | F_PF;
	default: return 0;
	}
}

static const char *reg_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
				     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

/* Runs one instruction both ways; fails the test on a defined difference. */
static void run_case(const uint8_t *code, unsigned len, struct regs in, ZydisMnemonic m, unsigned size,
		     uint64_t count, bool dest_undefined_if_zero_src)
{
	uint8_t before[4096], host_after[4096];
	for (int k = 0; k < 4096; k++)
		before[k] = (uint8_t)rnd();
	case_regs(&in);
	memcpy(R.data, before, 4096);
	struct regs host = in;
	native_run(code, len, &host);
	memcpy(host_after, R.data, 4096);

	memcpy(mem_ptr(&R.mem, DATA_PA, 4096), before, 4096);
	struct x86_cpu *c = model_run(code, len, &in, 1);

	char dis[96];
	x86_disasm(code, len, 64, CODE_VA, dis, sizeof(dis));
	if (c->first_vector >= 0 || c->rip != CODE_VA + len)
		fail_msg("%s: the model did not execute it (rip 0x%llx)", dis, (unsigned long long)c->rip);
	for (int r = 0; r < 16; r++) {
		if (r == R_SP)
			continue;
		if (c->r[r] != host.r[r] && !(dest_undefined_if_zero_src))
			fail_msg("%s: %s = 0x%llx, host 0x%llx (in: rax 0x%llx rcx 0x%llx rdx 0x%llx rbx 0x%llx r8 0x%llx flags 0x%llx)",
				 dis, reg_names[r], (unsigned long long)c->r[r], (unsigned long long)host.r[r],
				 (unsigned long long)in.r[0], (unsigned long long)in.r[1], (unsigned long long)in.r[2],
				 (unsigned long long)in.r[3], (unsigned long long)in.r[8], (unsigned long long)in.flags);
	}
	if (memcmp(mem_ptr(&R.mem, DATA_PA, 4096), host_after, 4096))
		fail_msg("%s: memory differs from the host's", dis);
	uint32_t undef = undefined_flags(m, size, count);
	uint32_t mine = (uint32_t)x86_get_flags(c) & F_ARITH, theirs = (uint32_t)host.flags & F_ARITH;
	if ((mine ^ theirs) & ~undef)
		fail_msg("%s: flags 0x%x, host 0x%x (defined mask 0x%x; in: rax 0x%llx rcx 0x%llx rdx 0x%llx rbx 0x%llx flags 0x%llx)",
			 dis, mine, theirs, F_ARITH & ~undef, (unsigned long long)in.r[0], (unsigned long long)in.r[1],
			 (unsigned long long)in.r[2], (unsigned long long)in.r[3], (unsigned long long)in.flags);
	R.uc_cases++;
	R.uc_agree += unicorn_agrees(code, len, &in, &host, before, host_after, undef);
	if ((mine ^ theirs) & undef) {
		R.undefined_diffs++;
		R.undef_by_mnemonic[m]++;
		R.undef_bits[m] |= (mine ^ theirs) & undef;
	}
}

/* The registers a generated case may use: never rsp (the stack), rsi (the data base) or
 * rdi (the trampoline's). */
static const ZydisRegister gpr64[] = { ZYDIS_REGISTER_RAX, ZYDIS_REGISTER_RCX, ZYDIS_REGISTER_RDX, ZYDIS_REGISTER_RBX,
				       ZYDIS_REGISTER_R8, ZYDIS_REGISTER_R9, ZYDIS_REGISTER_R10, ZYDIS_REGISTER_R11 };

static ZydisRegister sized(ZydisRegister r64, unsigned size, bool high8)
{
	int idx = r64 - ZYDIS_REGISTER_RAX;
	switch (size) {
	case 1:
		if (high8 && idx < 4)
			return ZYDIS_REGISTER_AH + idx;
		return idx < 4 ? ZYDIS_REGISTER_AL + idx : ZYDIS_REGISTER_R8B + (idx - 8);
	case 2: return ZYDIS_REGISTER_AX + idx;
	case 4: return ZYDIS_REGISTER_EAX + idx;
	default: return r64;
	}
}

enum form { F_R, F_M, F_RR, F_RM, F_MR, F_RI, F_MI, F_RCL, F_RI8, F_RRI, F_RRCL, F_RMX };

static bool encode(ZydisMnemonic m, enum form f, unsigned size, unsigned src_size, ZydisRegister *r1, ZydisRegister *r2,
		   int64_t imm, uint8_t *out, unsigned *len)
{
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
	q.mnemonic = m;
	bool high = rnd() % 4 == 0;
	*r1 = sized(gpr64[rnd() % 8], size, high);
	*r2 = sized(gpr64[rnd() % 8], src_size, high);
	ZydisEncoderOperand *o = q.operands;
	ZydisEncoderOperand mem = { .type = ZYDIS_OPERAND_TYPE_MEMORY };
	mem.mem.base = ZYDIS_REGISTER_RSI;
	mem.mem.displacement = (int64_t)(rnd() % 4000);
	mem.mem.size = (ZyanU16)size;
	switch (f) {
	case F_R: o[0] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = *r1 }; q.operand_count = 1; break;
	case F_M: o[0] = mem; q.operand_count = 1; break;
	case F_RR: case F_RMX:
		o[0] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = *r1 };
		o[1] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = *r2 };
		q.operand_count = 2;
		if (f == F_RMX) {
			o[1] = mem;
			o[1].mem.size = (ZyanU16)src_size;
		}
		break;
	case F_RM:
		o[0] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = *r1 };
		o[1] = mem;
		q.operand_count = 2;
		break;
	case F_MR:
		o[0] = mem;
		o[1] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = sized(gpr64[rnd() % 8], size, high) };
		q.operand_count = 2;
		break;
	case F_RI: case F_RI8: case F_MI:
		o[0] = f == F_MI ? mem : (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = *r1 };
		o[1] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_IMMEDIATE, .imm.s = imm };
		q.operand_count = 2;
		break;
	case F_RCL:
		o[0] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = *r1 };
		o[1] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = ZYDIS_REGISTER_CL };
		q.operand_count = 2;
		break;
	case F_RRI: case F_RRCL:
		o[0] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = *r1 };
		o[1] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = *r2 };
		o[2] = f == F_RRI ? (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_IMMEDIATE, .imm.s = imm }
				  : (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = ZYDIS_REGISTER_CL };
		q.operand_count = 3;
		break;
	}
	ZyanUSize n = 16;
	if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(&q, out, &n)))
		return false;
	*len = (unsigned)n;
	return true;
}

static struct regs random_regs(unsigned size)
{
	struct regs s;
	for (int r = 0; r < 16; r++)
		s.r[r] = edge_or_random(size);
	s.flags = rnd();
	return s;
}

/* n cases of mnemonic m in form f at each size in sizes (bytes). */
static void sweep(ZydisMnemonic m, enum form f, const unsigned *sizes, int nsizes, int n)
{
	for (int k = 0; k < n; k++) {
		unsigned size = sizes[k % nsizes];
		uint8_t code[16];
		unsigned len;
		ZydisRegister r1, r2;
		int64_t imm = (int64_t)edge_or_random(size);
		unsigned src_size = size;
		if (f == F_RMX) /* movzx/movsx: a narrower source */
			src_size = size == 2 ? 1 : (rnd() & 1) ? 1 : 2;
		if (f == F_RI8 || f == F_RRI)
			imm = (int64_t)(int8_t)(rnd() % 5 == 0 ? size * 8 + rnd() % 3 - 1 : rnd() % 70);
		if (f == F_RI || f == F_MI)
			imm = size == 8 ? (int64_t)(int32_t)imm : (int64_t)(imm & (int64_t)((1ull << (size * 8 - (size == 4))) - 1));
		if (!encode(m, f, size, src_size, &r1, &r2, imm, code, &len))
			continue;
		struct regs s = random_regs(size);
		uint64_t count = (f == F_RCL || f == F_RRCL) ? s.r[R_CX] & 0xff : (uint64_t)imm;
		if (f == F_RCL || f == F_RRCL) { /* shift counts: 0, 1, width-1, width, width+1, random */
			static const int picks[] = { 0, 1, -1, 0, 1, 2 };
			int p = picks[rnd() % 6];
			count = p == 0 ? 0 : p == 1 ? 1 : p == -1 ? size * 8 - 1 : p == 2 ? size * 8 + 1 : size * 8;
			if (rnd() % 3 == 0)
				count = rnd() & 0xff;
			s.r[R_CX] = (s.r[R_CX] & ~0xffull) | count;
		}
		bool scan = (m == ZYDIS_MNEMONIC_BSF || m == ZYDIS_MNEMONIC_BSR);
		bool zero_src = (m == ZYDIS_MNEMONIC_SHLD || m == ZYDIS_MNEMONIC_SHRD) && size == 2 && (count & 31) > 16;
		if (scan) { /* a zero source leaves the destination architecturally undefined */
			uint64_t src = f == F_RR ? s.r[r2 - sized(ZYDIS_REGISTER_RAX, size, false)] : 1;
			zero_src = (src & (size == 8 ? ~0ull : (1ull << (size * 8)) - 1)) == 0;
		}
		run_case(code, len, s, m, size, count, zero_src);
	}
}

static sigjmp_buf fpe_jmp;
static void on_fpe(int sig) { (void)sig; siglongjmp(fpe_jmp, 1); }

/* Division, including the cases that raise #DE: the host's SIGFPE says which those are,
 * and the model must raise #DE on exactly them. */
static void divide_case(ZydisMnemonic m, unsigned size)
{
	uint8_t code[16];
	unsigned len;
	ZydisRegister r1, r2;
	if (!encode(m, F_R, size, size, &r1, &r2, 0, code, &len))
		return;
	struct regs s = random_regs(size);
	int idx = (int)(ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r1) - ZYDIS_REGISTER_RAX);
	if (rnd() % 3) { /* mostly quotients that fit: a small high half */
		s.r[R_DX] = (m == ZYDIS_MNEMONIC_IDIV && (int64_t)s.r[R_AX] < 0) ? ~0ull : 0;
		if (size == 1)
			s.r[R_AX] = (s.r[R_AX] & ~0xff00ull) | ((m == ZYDIS_MNEMONIC_IDIV && (s.r[R_AX] & 0x80)) ? 0xff00 : 0);
	}
	if (rnd() % 8 == 0 && !(ZydisRegisterGetClass(r1) == ZYDIS_REGCLASS_GPR8 && r1 >= ZYDIS_REGISTER_AH && r1 <= ZYDIS_REGISTER_BH))
		s.r[idx] &= ~size_mask(size); /* divide by zero */
	case_regs(&s);
	struct regs host = s;
	struct sigaction sa = { .sa_handler = on_fpe }, old;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGFPE, &sa, &old);
	volatile bool faulted = false;
	if (sigsetjmp(fpe_jmp, 1))
		faulted = true;
	else
		native_run(code, len, &host);
	sigaction(SIGFPE, &old, NULL);

	struct x86_cpu *c = model_run(code, len, &s, 1);
	char dis[96];
	x86_disasm(code, len, 64, CODE_VA, dis, sizeof(dis));
	if (faulted) {
		R.divide_errors++;
		if (c->first_vector != EXC_DE)
			fail_msg("%s: the host raised #DE, the model %s (rdx 0x%llx rax 0x%llx)", dis,
				 c->first_vector < 0 ? "did not" : "raised another fault",
				 (unsigned long long)s.r[R_DX], (unsigned long long)s.r[R_AX]);
		return;
	}
	if (c->first_vector >= 0)
		fail_msg("%s: the model raised vector %d, the host none", dis, c->first_vector);
	for (int r = 0; r < 16; r++)
		if (r != R_SP && c->r[r] != host.r[r])
			fail_msg("%s: %s = 0x%llx, host 0x%llx", dis, reg_names[r], (unsigned long long)c->r[r],
				 (unsigned long long)host.r[r]);
}

static void division(void **state)
{
	(void)state;
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	for (int k = 0; k < 1600; k++)
		divide_case(k & 1 ? ZYDIS_MNEMONIC_IDIV : ZYDIS_MNEMONIC_DIV, sizes[(k >> 1) % 4]);
}

static const unsigned all_sizes[] = { 1, 2, 4, 8 };
static const unsigned wide_sizes[] = { 2, 4, 8 };

static void arithmetic_and_logic(void **state)
{
	(void)state;
	static const ZydisMnemonic ms[] = { ZYDIS_MNEMONIC_ADD, ZYDIS_MNEMONIC_ADC, ZYDIS_MNEMONIC_SUB, ZYDIS_MNEMONIC_SBB,
					    ZYDIS_MNEMONIC_CMP, ZYDIS_MNEMONIC_AND, ZYDIS_MNEMONIC_OR, ZYDIS_MNEMONIC_XOR,
					    ZYDIS_MNEMONIC_TEST };
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		sweep(ms[i], F_RR, all_sizes, 4, 120);
		sweep(ms[i], F_RI, all_sizes, 4, 80);
		sweep(ms[i], F_MR, all_sizes, 4, 40);
		if (ms[i] != ZYDIS_MNEMONIC_TEST)
			sweep(ms[i], F_RM, all_sizes, 4, 40);
		sweep(ms[i], F_MI, all_sizes, 4, 20);
	}
	static const ZydisMnemonic un[] = { ZYDIS_MNEMONIC_INC, ZYDIS_MNEMONIC_DEC, ZYDIS_MNEMONIC_NEG, ZYDIS_MNEMONIC_NOT };
	for (size_t i = 0; i < sizeof(un) / sizeof(un[0]); i++) {
		sweep(un[i], F_R, all_sizes, 4, 120);
		sweep(un[i], F_M, all_sizes, 4, 30);
	}
}

static void shifts_and_rotates(void **state)
{
	(void)state;
	static const ZydisMnemonic ms[] = { ZYDIS_MNEMONIC_SHL, ZYDIS_MNEMONIC_SHR, ZYDIS_MNEMONIC_SAR, ZYDIS_MNEMONIC_ROL,
					    ZYDIS_MNEMONIC_ROR, ZYDIS_MNEMONIC_RCL, ZYDIS_MNEMONIC_RCR };
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		sweep(ms[i], F_RCL, all_sizes, 4, 200);
		sweep(ms[i], F_RI8, all_sizes, 4, 120);
	}
	sweep(ZYDIS_MNEMONIC_SHLD, F_RRCL, wide_sizes, 3, 150);
	sweep(ZYDIS_MNEMONIC_SHRD, F_RRCL, wide_sizes, 3, 150);
	sweep(ZYDIS_MNEMONIC_SHLD, F_RRI, wide_sizes, 3, 100);
	sweep(ZYDIS_MNEMONIC_SHRD, F_RRI, wide_sizes, 3, 100);
}

static void multiply_and_bits(void **state)
{
	(void)state;
	sweep(ZYDIS_MNEMONIC_MUL, F_R, all_sizes, 4, 200);
	sweep(ZYDIS_MNEMONIC_IMUL, F_R, all_sizes, 4, 200);
	sweep(ZYDIS_MNEMONIC_IMUL, F_RR, wide_sizes, 3, 200);
	sweep(ZYDIS_MNEMONIC_IMUL, F_RRI, wide_sizes, 3, 150);
	static const ZydisMnemonic bt[] = { ZYDIS_MNEMONIC_BT, ZYDIS_MNEMONIC_BTS, ZYDIS_MNEMONIC_BTR, ZYDIS_MNEMONIC_BTC };
	for (size_t i = 0; i < 4; i++) {
		sweep(bt[i], F_RR, wide_sizes, 3, 100);
		sweep(bt[i], F_RI8, wide_sizes, 3, 100);
	}
	sweep(ZYDIS_MNEMONIC_BSF, F_RR, wide_sizes, 3, 150);
	sweep(ZYDIS_MNEMONIC_BSR, F_RR, wide_sizes, 3, 150);
	sweep(ZYDIS_MNEMONIC_POPCNT, F_RR, wide_sizes, 3, 100);
	unsigned eax, ebx, ecx, edx;
	if (__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 5)))
		sweep(ZYDIS_MNEMONIC_LZCNT, F_RR, wide_sizes, 3, 100);
	/* no TZCNT sweep: the model advertises no BMI1, so F3 0F BC is BSF there
	 * (test_sse_diff checks that) while this host's may be TZCNT */
}

static void moves_and_exchanges(void **state)
{
	(void)state;
	static const unsigned to_wide[] = { 2, 4, 8 };
	sweep(ZYDIS_MNEMONIC_MOVZX, F_RMX, to_wide, 3, 100);
	sweep(ZYDIS_MNEMONIC_MOVSX, F_RMX, to_wide, 3, 100);
	sweep(ZYDIS_MNEMONIC_MOV, F_RR, all_sizes, 4, 100);
	sweep(ZYDIS_MNEMONIC_MOV, F_RM, all_sizes, 4, 60);
	sweep(ZYDIS_MNEMONIC_MOV, F_MR, all_sizes, 4, 60);
	sweep(ZYDIS_MNEMONIC_XCHG, F_RR, all_sizes, 4, 100);
	sweep(ZYDIS_MNEMONIC_XCHG, F_MR, all_sizes, 4, 60);
	sweep(ZYDIS_MNEMONIC_XADD, F_RR, all_sizes, 4, 100);
	sweep(ZYDIS_MNEMONIC_XADD, F_MR, all_sizes, 4, 60);
	sweep(ZYDIS_MNEMONIC_CMPXCHG, F_RR, all_sizes, 4, 150);
	sweep(ZYDIS_MNEMONIC_CMPXCHG, F_MR, all_sizes, 4, 60);
	static const ZydisMnemonic cc[] = { ZYDIS_MNEMONIC_CMOVB, ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_CMOVL,
					    ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVP,
					    ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNLE };
	for (size_t i = 0; i < sizeof(cc) / sizeof(cc[0]); i++)
		sweep(cc[i], F_RR, wide_sizes, 3, 60);
	static const ZydisMnemonic set[] = { ZYDIS_MNEMONIC_SETB, ZYDIS_MNEMONIC_SETBE, ZYDIS_MNEMONIC_SETL,
					     ZYDIS_MNEMONIC_SETLE, ZYDIS_MNEMONIC_SETNO, ZYDIS_MNEMONIC_SETNP,
					     ZYDIS_MNEMONIC_SETNS, ZYDIS_MNEMONIC_SETNZ, ZYDIS_MNEMONIC_SETNBE };
	static const unsigned byte[] = { 1 };
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		sweep(set[i], F_R, byte, 1, 60);
	sweep(ZYDIS_MNEMONIC_BSWAP, F_R, (const unsigned[]){ 4, 8 }, 2, 60);
}

/* A compare followed by every jcc: the lazy-flag fast paths against materialized flags. */
static void conditions_after_compare(void **state)
{
	(void)state;
	for (int k = 0; k < 600; k++) {
		unsigned size = all_sizes[k % 4];
		uint8_t code[16], jcc[2];
		unsigned len;
		ZydisRegister r1, r2;
		ZydisMnemonic first = (k & 1) ? ZYDIS_MNEMONIC_CMP : ZYDIS_MNEMONIC_TEST;
		if (!encode(first, F_RR, size, size, &r1, &r2, 0, code, &len))
			continue;
		/* setcc al after the compare: both instructions in one case */
		static const uint8_t set_ops[] = { 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
						   0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f };
		uint8_t op = set_ops[rnd() % 16];
		jcc[0] = 0x0f;
		jcc[1] = op;
		uint8_t both[16];
		memcpy(both, code, len);
		memcpy(both + len, jcc, 2);
		both[len + 2] = 0xc0; /* setcc al */
		struct regs s = random_regs(size);
		case_regs(&s);
		struct regs host = s;
		native_run(both, len + 3, &host);
		struct x86_cpu *c = model_run(both, len + 3, &s, 2); /* the pair: two steps */
		if ((c->r[R_AX] & 0xff) != (host.r[R_AX] & 0xff)) {
			char dis[96];
			x86_disasm(both, len, 64, CODE_VA, dis, sizeof(dis));
			fail_msg("%s; set%x al: model %llu, host %llu", dis, op & 0xf, (unsigned long long)(c->r[R_AX] & 0xff),
				 (unsigned long long)(host.r[R_AX] & 0xff));
		}
	}
}

/* A sequence of instructions on the data page, natively and in the model (n steps):
 * registers, arithmetic flags and the page must agree, but for the bytes in skip
 * (fields whose value the architecture leaves to the implementation), which the host's
 * run decides. */
static void run_seq(const uint8_t *code, unsigned len, unsigned n, const uint8_t *page, const char *what,
		    const unsigned skip[][2], unsigned nskip)
{
	struct regs in = { 0 };
	case_regs(&in);
	memcpy(R.data, page, 4096);
	struct regs host = in;
	native_run(code, len, &host);
	uint8_t *model_page = mem_ptr(&R.mem, DATA_PA, 4096);
	memcpy(model_page, page, 4096);
	struct x86_cpu *c = model_run(code, len, &in, n);
	if (c->first_vector >= 0 || c->rip != CODE_VA + len)
		fail_msg("%s: the model did not run it through (vector %d, rip 0x%llx)", what, c->first_vector,
			 (unsigned long long)c->rip);
	for (unsigned k = 0; k < nskip; k++)
		memcpy(model_page + skip[k][0], R.data + skip[k][0], skip[k][1]);
	for (int k = 0; k < 4096; k++)
		if (model_page[k] != R.data[k])
			fail_msg("%s: data byte %d = 0x%02x, host 0x%02x", what, k, model_page[k], R.data[k]);
	for (int r = 0; r < 16; r++)
		if (r != R_SP && c->r[r] != host.r[r])
			fail_msg("%s: %s = 0x%llx, host 0x%llx", what, reg_names[r], (unsigned long long)c->r[r],
				 (unsigned long long)host.r[r]);
	if ((x86_get_flags(c) ^ host.flags) & F_ARITH)
		fail_msg("%s: flags 0x%llx, host 0x%llx", what, (unsigned long long)(x86_get_flags(c) & F_ARITH),
			 (unsigned long long)(host.flags & F_ARITH));
}

/* An 80-bit operand: ordinary values of every magnitude, integers, and the edges --
 * zeros, infinities, quiet and signalling NaNs, denormals, unnormals, values near
 * multiples of pi/4 for the trigonometric instructions. */
static void value80(uint8_t out[10])
{
	long double v;
	uint64_t r = rnd();
	switch (rnd() % 10) {
	case 0: v = (long double)(int64_t)r / (long double)(1 + rnd() % 1000); break;
	case 1: v = (long double)(int32_t)r; break;
	case 2: { /* raw bits: any exponent, any class */
		memcpy(out, &r, 8);
		uint16_t e = (uint16_t)rnd();
		memcpy(out + 8, &e, 2);
		return;
	}
	case 3: {
		static const long double edge[] = { 0.0L, -0.0L, 1.0L, -1.0L, 0.5L, 2.0L, 1e4000L, -1e4000L,
						    3.14159265358979323846L, 0.78539816339744830962L, 1e-4940L,
						    -1e-4945L, 1.0000000000000000001L, 1e19L, -9.2233720368547758e18L };
		v = edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
		if (rnd() % 8 == 0)
			v = __builtin_nanl("");
		break;
	}
	case 4: { /* a signalling NaN or an unnormal */
		uint64_t m = (r & 0x3fffffffffffffffull) | 1 | (rnd() % 2 ? 1ull << 63 : 0);
		uint16_t e = rnd() % 2 ? 0x7fff : (uint16_t)(1 + rnd() % 0x7ffe);
		memcpy(out, &m, 8);
		memcpy(out + 8, &e, 2);
		return;
	}
	default: {
		double d;
		memcpy(&d, &r, 8);
		v = d == d ? (long double)d : (long double)(r >> 11) * 1e-6L;
		if (rnd() % 3 == 0)
			v = v / (long double)(1 + (int64_t)(rnd() % 7)) + 0.25L;
		break;
	}
	}
	memcpy(out, &v, 10);
}

/* the x87 sequence's data page: b at 0, a at 16, results at 32, 80 and 96, status words
 * at 48 and 112, the control word at 64, a memory operand at 72 */
static void x87_page(uint8_t *page)
{
	for (int k = 0; k < 4096; k++)
		page[k] = (uint8_t)rnd();
	value80(page);
	value80(page + 16);
	static const uint16_t pc[] = { 0x000, 0x200, 0x300 };
	uint16_t cw = (uint16_t)(0x7f | pc[rnd() % 3] | (rnd() % 4) << 10); /* every exception masked */
	memcpy(page + 64, &cw, 2);
	uint64_t m = rnd();
	switch (rnd() % 4) {
	case 0: { float f = (float)(int32_t)m / 7.0f; memcpy(page + 72, &f, 4); break; }
	case 1: { double d = (double)(int64_t)m / 3.0; memcpy(page + 72, &d, 8); break; }
	case 2: m &= 0x800000000000ffffull; memcpy(page + 72, &m, 8); break; /* small integers and signs */
	default: memcpy(page + 72, &m, 8); break;
	}
}

/* fninit; fldcw 64; fld b; fld a; OP; fnstsw 48; fstp 32, 80, 96 (popping whatever the
 * operation left, an empty register as a masked stack underflow); fnstsw 112 */
static void x87_case(const uint8_t *op, unsigned oplen)
{
	static const uint8_t head[] = { 0xdb, 0xe3, 0xd9, 0x6e, 0x40, 0xdb, 0x2e, 0xdb, 0x6e, 0x10 };
	static const uint8_t tail[] = { 0xdd, 0x7e, 0x30, 0xdb, 0x7e, 0x20, 0xdb, 0x7e, 0x50, 0xdb, 0x7e, 0x60,
					0xdd, 0x7e, 0x70 };
	uint8_t code[SLOT_BYTES], page[4096];
	memcpy(code, head, sizeof(head));
	memcpy(code + sizeof(head), op, oplen);
	memcpy(code + sizeof(head) + oplen, tail, sizeof(tail));
	x87_page(page);
	char what[160];
	int w = x86_disasm(op, oplen, 64, 0, what, sizeof(what)) ? (int)strlen(what) : 0;
	snprintf(what + w, sizeof(what) - (size_t)w, " (a %02x%02x.%016llx b %02x%02x.%016llx cw %04x)", page[25],
		 page[24], (unsigned long long)*(uint64_t *)(page + 16), page[9], page[8],
		 (unsigned long long)*(uint64_t *)page, *(uint16_t *)(page + 64));
	run_seq(code, sizeof(head) + oplen + sizeof(tail), 10, page, what, NULL, 0);
}

/* Every x87 instruction past the control ones, register and memory forms, against the
 * host's x87 unit: results, status word (condition codes, C1, stack faults, exception
 * flags, TOP) and EFLAGS for fcomi, under every rounding and precision control. */
static void x87_arithmetic(void **state)
{
	(void)state;
	static const uint8_t ops[][3] = {
		{ 0xd8, 0xc1 }, { 0xd8, 0xe1 }, { 0xd8, 0xe9 }, { 0xd8, 0xc9 }, { 0xd8, 0xf1 }, { 0xd8, 0xf9 },
		{ 0xdc, 0xc1 }, { 0xdc, 0xe9 }, { 0xdc, 0xf9 }, { 0xde, 0xc1 }, { 0xde, 0xe9 }, { 0xde, 0xe1 },
		{ 0xde, 0xc9 }, { 0xde, 0xf9 }, { 0xde, 0xf1 }, { 0xd8, 0xd1 }, { 0xd8, 0xd9 }, { 0xde, 0xd9 },
		{ 0xdd, 0xe1 }, { 0xdd, 0xe9 }, { 0xda, 0xe9 }, { 0xdb, 0xf1 }, { 0xdf, 0xf1 }, { 0xdb, 0xe9 },
		{ 0xdf, 0xe9 }, { 0xd9, 0xe4 }, { 0xd9, 0xe5 }, { 0xd9, 0xe0 }, { 0xd9, 0xe1 }, { 0xd9, 0xfa },
		{ 0xd9, 0xfc }, { 0xd9, 0xf0 }, { 0xd9, 0xfe }, { 0xd9, 0xff }, { 0xd9, 0xf2 }, { 0xd9, 0xfb },
		{ 0xd9, 0xf4 }, { 0xd9, 0xfd }, { 0xd9, 0xf8 }, { 0xd9, 0xf5 }, { 0xd9, 0xf1 }, { 0xd9, 0xf9 },
		{ 0xd9, 0xf3 }, { 0xd9, 0xc9 }, { 0xd9, 0xc1 }, { 0xdd, 0xd1 }, { 0xdd, 0xd9 }, { 0xda, 0xc1 },
		{ 0xda, 0xc9 }, { 0xda, 0xd1 }, { 0xda, 0xd9 }, { 0xdb, 0xc1 }, { 0xdb, 0xc9 }, { 0xdb, 0xd1 },
		{ 0xdb, 0xd9 }, { 0xdd, 0xc1 }, { 0xd9, 0xf7 }, { 0xd9, 0xf6 }, { 0xd9, 0xe8 }, { 0xd9, 0xee },
		{ 0xd9, 0xeb }, { 0xd9, 0xea }, { 0xd9, 0xe9 }, { 0xd9, 0xec }, { 0xd9, 0xed }, { 0xd9, 0xd0 },
		{ 0xdf, 0xc1 },
	};
	for (unsigned k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		for (int n = 0; n < 60; n++)
			x87_case(ops[k], 2);
	/* memory forms on [rsi + 72]: d8/dc/da/de /0-/7 (m32, m64, m32int, m16int), loads
	 * and stores of every format */
	static const uint8_t mem_ops[] = { 0xd8, 0xdc, 0xda, 0xde };
	for (unsigned k = 0; k < 4; k++)
		for (unsigned digit = 0; digit < 8; digit++)
			for (int n = 0; n < 40; n++)
				x87_case((const uint8_t[]){ mem_ops[k], (uint8_t)(0x46 | digit << 3), 72 }, 3);
	static const uint8_t ldst[][2] = { { 0xd9, 0 }, { 0xdd, 0 }, { 0xdf, 0 }, { 0xdb, 0 }, { 0xdf, 5 },
					   { 0xd9, 2 }, { 0xd9, 3 }, { 0xdd, 2 }, { 0xdd, 3 }, { 0xdf, 2 },
					   { 0xdf, 3 }, { 0xdb, 2 }, { 0xdb, 3 }, { 0xdf, 7 } };
	for (unsigned k = 0; k < sizeof(ldst) / sizeof(ldst[0]); k++)
		for (int n = 0; n < 60; n++)
			x87_case((const uint8_t[]){ ldst[k][0], (uint8_t)(0x46 | ldst[k][1] << 3), 72 }, 3);
}

/* FXSAVE after x87 work and FXRSTOR of what it stored: the layout (ST(i) in stack order,
 * the abridged tag word, TOP) against the host's. FIP, FDP and FOP (where the code ran
 * and which opcode: implementation-specific), MXCSR and its mask, the empty ST(2)-ST(6)
 * (whatever they last held) and the XMM registers (the host's hold the test's own values)
 * are the host's. */
static void fxsave_layout(void **state)
{
	(void)state;
	/* fninit; fld b; fld a; fld1; fincstp; fxsave 512(%rsi); fxrstor 512(%rsi); fstp 32 */
	static const uint8_t code[] = { 0xdb, 0xe3, 0xdb, 0x2e, 0xdb, 0x6e, 0x10, 0xd9, 0xe8, 0xd9, 0xf7,
					0x0f, 0xae, 0x86, 0x00, 0x02, 0x00, 0x00, 0x0f, 0xae, 0x8e, 0x00, 0x02,
					0x00, 0x00, 0xdb, 0x7e, 0x20 };
	static const unsigned skip[][2] = { { 512 + 6, 26 }, { 512 + 64, 80 }, { 512 + 160, 256 } };
	for (int n = 0; n < 50; n++) {
		uint8_t page[4096];
		x87_page(page);
		run_seq(code, sizeof(code), 8, page, "fxsave/fxrstor", skip, 3);
	}
}

/* SSE and SSE2 on memory: movdqu 0(%rsi) -> xmm0, movdqu 16(%rsi) -> xmm1, ldmxcsr 64,
 * OP xmm0, xmm1 and OP xmm0, [rsi + 16], movdqu xmm0 -> 32(%rsi), stmxcsr 48: the result
 * and the exception flags under every rounding mode, against the host's SSE unit. */
static void sse_case(ZydisMnemonic m, bool from_memory, int imm)
{
	ZydisEncoderRequest q;
	memset(&q, 0, sizeof(q));
	q.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
	q.mnemonic = m;
	q.operand_count = imm >= 0 ? 3 : 2;
	q.operands[0] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = ZYDIS_REGISTER_XMM0 };
	if (from_memory) {
		q.operands[1] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_MEMORY };
		q.operands[1].mem.base = ZYDIS_REGISTER_RSI;
		q.operands[1].mem.displacement = 16;
		q.operands[1].mem.size = 16;
	} else {
		q.operands[1] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_REGISTER, .reg.value = ZYDIS_REGISTER_XMM1 };
	}
	q.operands[2] = (ZydisEncoderOperand){ .type = ZYDIS_OPERAND_TYPE_IMMEDIATE, .imm.u = (ZyanU64)imm };
	uint8_t op[16];
	ZyanUSize oplen = sizeof(op);
	if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(&q, op, &oplen))) {
		if (from_memory) { /* a scalar form: an 8- or 4-byte memory operand */
			for (ZyanU16 sz = 8; sz >= 4; sz /= 2) {
				q.operands[1].mem.size = sz;
				oplen = sizeof(op);
				if (ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(&q, op, &oplen)))
					goto encoded;
			}
		}
		fail_msg("%s: Zydis cannot encode it", ZydisMnemonicGetString(m));
	}
encoded:;
	static const uint8_t head[] = { 0xf3, 0x0f, 0x6f, 0x06, 0xf3, 0x0f, 0x6f, 0x4e, 0x10, 0x0f, 0xae, 0x56, 0x40 };
	static const uint8_t tail[] = { 0xf3, 0x0f, 0x7f, 0x46, 0x20, 0x0f, 0xae, 0x5e, 0x30 };
	uint8_t code[SLOT_BYTES], page[4096];
	memcpy(code, head, sizeof(head));
	memcpy(code + sizeof(head), op, oplen);
	memcpy(code + sizeof(head) + oplen, tail, sizeof(tail));
	for (int k = 0; k < 4096; k++)
		page[k] = (uint8_t)rnd();
	for (int k = 0; k < 32; k += 8) { /* doubles, floats, integers and the edges in a and b */
		uint64_t v = rnd();
		switch (rnd() % 4) {
		case 0: { double d = (double)(int64_t)v / (double)(1 + rnd() % 100); memcpy(&v, &d, 8); break; }
		case 1: { float f[2] = { (float)(int32_t)v / 3.0f, (float)(rnd() % 1000) - 500.0f }; memcpy(&v, f, 8); break; }
		case 2: v = (rnd() % 2 ? 0x7ff0000000000000ull : 0x7fc000007f800001ull) ^ (rnd() % 4 ? 0 : 1ull << 63); break;
		default: break;
		}
		memcpy(page + k, &v, 8);
	}
	uint32_t mxcsr = 0x1f80 | (uint32_t)(rnd() % 4) << 13;
	memcpy(page + 64, &mxcsr, 4);
	char what[96];
	x86_disasm(op, (unsigned)oplen, 64, 0, what, sizeof(what));
	run_seq(code, sizeof(head) + (unsigned)oplen + sizeof(tail), 6, page, what, NULL, 0);
}

static void sse2_arithmetic(void **state)
{
	(void)state;
	static const ZydisMnemonic binary[] = {
#define BIN(m, bytes, fp, expr) ZYDIS_MNEMONIC_##m,
#include "../vmm/x86/sse.def"
#undef BIN
	};
	for (unsigned k = 0; k < sizeof(binary) / sizeof(binary[0]); k++)
		for (int n = 0; n < 30; n++)
			sse_case(binary[k], n % 2, -1);
	static const ZydisMnemonic with_imm[] = { ZYDIS_MNEMONIC_CMPPD, ZYDIS_MNEMONIC_CMPPS, ZYDIS_MNEMONIC_CMPSD,
						  ZYDIS_MNEMONIC_CMPSS, ZYDIS_MNEMONIC_PSHUFD, ZYDIS_MNEMONIC_SHUFPD,
						  ZYDIS_MNEMONIC_SHUFPS };
	for (unsigned k = 0; k < sizeof(with_imm) / sizeof(with_imm[0]); k++)
		for (int n = 0; n < 40; n++)
			sse_case(with_imm[k], n % 2, (int)(rnd() % (k < 4 ? 8 : 256)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arithmetic_and_logic),
		cmocka_unit_test(shifts_and_rotates),
		cmocka_unit_test(multiply_and_bits),
		cmocka_unit_test(moves_and_exchanges),
		cmocka_unit_test(conditions_after_compare),
		cmocka_unit_test(division),
		cmocka_unit_test(x87_arithmetic),
		cmocka_unit_test(fxsave_layout),
		cmocka_unit_test(sse2_arithmetic),
	};
	int failed = cmocka_run_group_tests_name("x86 differential (host CPU as oracle)", tests, setup, teardown);
	R.use_bt = true;
	return failed + cmocka_run_group_tests_name("x86 differential under the translator (bt)", tests, setup, teardown);
}
