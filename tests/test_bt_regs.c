/* The translator's register maps (modes/bt/regs.c): chosen from each block's own use,
 * whatever registers a guest's compiler picked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../modes/bt/tr.h"

static struct x86_operand reg(unsigned r) { return (struct x86_operand){ .kind = OPK_REG, .size = 8, .reg = (uint8_t)r }; }

static struct x86_operand mem(unsigned base, unsigned index)
{
	return (struct x86_operand){ .kind = OPK_MEM, .size = 8, .base = (uint8_t)base, .index = (uint8_t)index,
				     .scale = 8, .seg = S_DS };
}

static struct x86_insn two(unsigned mnemonic, struct x86_operand a, struct x86_operand b)
{
	return (struct x86_insn){ .mnemonic = (uint16_t)mnemonic, .len = 3, .opsize = 8, .addrsize = 8, .nops = 2,
				  .op = { a, b } };
}

/* Each held register in a host register of its own, none of those translated code keeps
 * for itself (rax, rcx, rdx scratch; rbx the CPU; rsp the stack; r13 the count). */
static void assert_injective(const uint8_t map[16])
{
	bool used[16] = { false };
	for (unsigned r = 0; r < 16; r++) {
		if (map[r] == IN_CPU)
			continue;
		assert_true(map[r] < 16);
		assert_false(used[map[r]]);
		used[map[r]] = true;
		assert_true(map[r] != H_AX && map[r] != H_CX && map[r] != H_DX && map[r] != H_BX && map[r] != H_SP &&
			    map[r] != H_COUNT);
	}
}

static void holds_the_registers_the_block_uses(void **state)
{
	(void)state;
	/* rcx, rdx, r13 and r15: registers the benchmark guest's code hardly uses */
	struct x86_insn b[] = {
		two(ZYDIS_MNEMONIC_ADD, reg(R_CX), reg(R_DX)),
		two(ZYDIS_MNEMONIC_ADD, reg(R_R13), reg(R_CX)),
		two(ZYDIS_MNEMONIC_MOV, reg(R_R15), mem(R_DX, R_R13)),
	};
	uint8_t map[16];
	tr_choose_map(b, 3, map);
	assert_injective(map);
	for (unsigned r = 0; r < 16; r++)
		assert_int_equal(map[r] != IN_CPU, r == R_CX || r == R_DX || r == R_R13 || r == R_R15);
}

static void leaves_out_high_bytes_and_callout_only_registers(void **state)
{
	(void)state;
	struct x86_operand ah = reg(R_AX);
	ah.size = 1;
	ah.high8 = 1;
	struct x86_operand cl = reg(R_CX);
	cl.size = 1;
	struct x86_insn b[] = {
		two(ZYDIS_MNEMONIC_MOV, ah, cl),                 /* ah: a byte up in rax's slot */
		two(ZYDIS_MNEMONIC_ADD, reg(R_AX), reg(R_CX)),
		two(ZYDIS_MNEMONIC_CMPXCHG, reg(R_R8), reg(R_R9)), /* a callout: its handler reads the CPU */
	};
	uint8_t map[16];
	tr_choose_map(b, 3, map);
	assert_injective(map);
	assert_int_equal(map[R_AX], IN_CPU);
	assert_int_not_equal(map[R_CX], IN_CPU);
	assert_int_equal(map[R_R8], IN_CPU);
	assert_int_equal(map[R_R9], IN_CPU);
}

static void keeps_the_most_used_when_there_are_too_many(void **state)
{
	(void)state;
	struct x86_insn b[16];
	unsigned n = 0;
	for (unsigned r = 0; r < 16; r += 2) /* every register once */
		b[n++] = two(ZYDIS_MNEMONIC_ADD, reg(r), reg(r + 1));
	for (unsigned k = 0; k < 3; k++) /* r11 and r14 more */
		b[n++] = two(ZYDIS_MNEMONIC_ADD, reg(R_R11), reg(R_R14));
	uint8_t map[16];
	tr_choose_map(b, n, map);
	assert_injective(map);
	unsigned held = 0;
	for (unsigned r = 0; r < 16; r++)
		held += map[r] != IN_CPU;
	assert_int_equal(held, 10);
	assert_int_not_equal(map[R_R11], IN_CPU);
	assert_int_not_equal(map[R_R14], IN_CPU);
}

static void a_register_has_one_home_across_blocks(void **state)
{
	(void)state;
	/* so that linking two blocks that both hold it moves nothing */
	struct x86_insn a[] = { two(ZYDIS_MNEMONIC_ADD, reg(R_SI), reg(R_DI)) };
	struct x86_insn b[] = { two(ZYDIS_MNEMONIC_ADD, reg(R_SI), reg(R_R9)), two(ZYDIS_MNEMONIC_SUB, reg(R_R9), reg(R_R12)) };
	uint8_t ma[16], mb[16];
	tr_choose_map(a, 1, ma);
	tr_choose_map(b, 2, mb);
	assert_int_equal(ma[R_SI], mb[R_SI]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(holds_the_registers_the_block_uses),
		cmocka_unit_test(leaves_out_high_bytes_and_callout_only_registers),
		cmocka_unit_test(keeps_the_most_used_when_there_are_too_many),
		cmocka_unit_test(a_register_has_one_home_across_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
