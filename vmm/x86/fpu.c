/* x87 and SSE state: the control instructions an OS uses to set up and switch it
 * (FNINIT, FLDCW, FNSTCW, FNSTSW, FNCLEX, FWAIT, LDMXCSR, STMXCSR, FXSAVE, FXRSTOR) and
 * the CR0.EM/TS/MP and CR4.OSFXSR checks they make. The rest of the x87 unit, FWAIT
 * among it, is x87.c. */
#include <string.h>
#include "decode.h"
#include "exec.h"
#include "fpu.h"

#define CR0_MP 0x2ull
#define CR0_EM 0x4ull
#define CR0_TS 0x8ull
#define CR4_OSFXSR 0x200ull

#define FSW_EXCEPTIONS 0x80ffu /* B, ES, SF and the six exception flags */

void fpu_check_x87(struct x86_cpu *c)
{
	if (c->cr0 & (CR0_EM | CR0_TS))
		x86_raise(c, EXC_NM, NO_ERROR_CODE);
}

void fpu_check_sse(struct x86_cpu *c)
{
	if ((c->cr0 & CR0_EM) || !(c->cr4 & CR4_OSFXSR))
		x86_raise(c, EXC_UD, NO_ERROR_CODE);
	if (c->cr0 & CR0_TS)
		x86_raise(c, EXC_NM, NO_ERROR_CODE);
}

void op_fninit(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	fpu_check_x87(c);
	struct fpu *f = &c->fpu;
	f->fcw = FPU_FCW_INIT;
	f->fsw = 0;
	f->ftw = 0;
	f->fop = 0;
	f->fip = f->fdp = 0;
}

void op_fnclex(struct x86_cpu *c, const struct x86_insn *i)
{
	(void)i;
	fpu_check_x87(c);
	c->fpu.fsw &= (uint16_t)~FSW_EXCEPTIONS;
}

void op_fldcw(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_x87(c);
	c->fpu.fcw = (uint16_t)(mem_read(c, opnd_addr(c, i, &i->op[0]), 2) | 0x40); /* bit 6 reads as 1 */
}

void op_fnstcw(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_x87(c);
	mem_write(c, opnd_addr(c, i, &i->op[0]), c->fpu.fcw, 2);
}

void op_fnstsw(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_x87(c);
	if (i->op[0].kind == OPK_REG)
		reg_write(c, R_AX, 2, false, c->fpu.fsw);
	else
		mem_write(c, opnd_addr(c, i, &i->op[0]), c->fpu.fsw, 2);
}

static void set_mxcsr(struct x86_cpu *c, uint32_t v)
{
	if (v & ~(uint32_t)MXCSR_MASK)
		x86_raise(c, EXC_GP, 0);
	c->fpu.mxcsr = v;
}

void op_ldmxcsr(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	set_mxcsr(c, (uint32_t)mem_read(c, opnd_addr(c, i, &i->op[0]), 4));
}

void op_stmxcsr(struct x86_cpu *c, const struct x86_insn *i)
{
	fpu_check_sse(c);
	mem_write(c, opnd_addr(c, i, &i->op[0]), c->fpu.mxcsr, 4);
}

/* The 512-byte FXSAVE image (SDM vol. 1, 10.5.1): the 64-bit form (REX.W) stores
 * 64-bit FIP/FDP, the other form FIP, FCS, FDP, FDS as 32/16-bit fields; XMM8-15 only in
 * 64-bit mode. */
#define FX_SIZE 512

static void fx_image(const struct x86_cpu *c, uint8_t *img, bool wide)
{
	const struct fpu *f = &c->fpu;
	memset(img, 0, FX_SIZE);
	memcpy(img + 0, &f->fcw, 2);
	memcpy(img + 2, &f->fsw, 2);
	img[4] = f->ftw;
	memcpy(img + 6, &f->fop, 2);
	if (wide) {
		memcpy(img + 8, &f->fip, 8);
		memcpy(img + 16, &f->fdp, 8);
	} else {
		memcpy(img + 8, &f->fip, 4);
		memcpy(img + 16, &f->fdp, 4);
	}
	uint32_t mask = MXCSR_MASK;
	memcpy(img + 24, &f->mxcsr, 4);
	memcpy(img + 28, &mask, 4);
	for (unsigned k = 0; k < 8; k++) /* in stack order: ST(k) is physical register TOP + k */
		memcpy(img + 32 + 16 * k, f->st[(fpu_top(f) + k) & 7], 10);
	memcpy(img + 160, f->xmm, (long_mode64(c) ? 16 : 8) * sizeof(f->xmm[0]));
}

static uint64_t fx_address(struct x86_cpu *c, const struct x86_insn *i)
{
	if (c->cr0 & (CR0_EM | CR0_TS))
		x86_raise(c, EXC_NM, NO_ERROR_CODE);
	uint64_t a = opnd_addr(c, i, &i->op[0]);
	if (a & 15)
		x86_raise(c, EXC_GP, 0);
	return a;
}

static void fxsave(struct x86_cpu *c, const struct x86_insn *i, bool wide)
{
	uint64_t a = fx_address(c, i);
	uint8_t img[FX_SIZE];
	fx_image(c, img, wide);
	/* the XMM registers the mode has, no further: the reserved bytes and 464-511 (left to
	 * software) are not written */
	mem_write_block(c, a, img, 160 + (long_mode64(c) ? 16 : 8) * 16);
}

static void fxrstor(struct x86_cpu *c, const struct x86_insn *i, bool wide)
{
	uint64_t a = fx_address(c, i);
	uint8_t img[FX_SIZE];
	mem_read_block(c, a, img, FX_SIZE);
	uint32_t mxcsr;
	memcpy(&mxcsr, img + 24, 4);
	if (mxcsr & ~(uint32_t)MXCSR_MASK)
		x86_raise(c, EXC_GP, 0);
	struct fpu *f = &c->fpu;
	memcpy(&f->fcw, img + 0, 2);
	memcpy(&f->fsw, img + 2, 2);
	f->ftw = img[4];
	memcpy(&f->fop, img + 6, 2);
	f->fip = f->fdp = 0;
	memcpy(&f->fip, img + 8, wide ? 8 : 4);
	memcpy(&f->fdp, img + 16, wide ? 8 : 4);
	f->mxcsr = mxcsr;
	for (unsigned k = 0; k < 8; k++)
		memcpy(f->st[(fpu_top(f) + k) & 7], img + 32 + 16 * k, 10);
	memcpy(f->xmm, img + 160, (long_mode64(c) ? 16 : 8) * sizeof(f->xmm[0]));
}

void op_fxsave(struct x86_cpu *c, const struct x86_insn *i) { fxsave(c, i, false); }
void op_fxsave64(struct x86_cpu *c, const struct x86_insn *i) { fxsave(c, i, true); }
void op_fxrstor(struct x86_cpu *c, const struct x86_insn *i) { fxrstor(c, i, false); }
void op_fxrstor64(struct x86_cpu *c, const struct x86_insn *i) { fxrstor(c, i, true); }
