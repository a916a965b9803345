/* Each guest x87 operation executed by the same instruction on the host's x87 unit, the
 * way sse.c uses the host's SSE unit: results, rounding, NaN propagation, exception flags
 * and condition codes are the host CPU's, bit for bit. The host stack is empty on entry
 * (the x86-64 ABI) and left empty; the guest's control word is loaded with every
 * exception masked, so nothing traps on the host: x87.c turns the flags the host
 * reports into the guest's exceptions. */
#include <stddef.h>
#include "x87_host.h"

#define A  "%c[oa](%[h])"
#define B  "%c[ob](%[h])"
#define R0 "%c[or0](%[h])"
#define R1 "%c[or1](%[h])"
#define M  "%c[om](%[h])"
#define SW "fnstsw %c[osw](%[h])\n\t"

#define RUN(body) \
	__asm__ volatile("fnstcw %c[ohcw](%[h])\n\tfldcw %c[ocw](%[h])\n\tfnclex\n\t" body \
			 "\n\tfldcw %c[ohcw](%[h])" \
			 : : [h] "r"(h), [oa] "i"(offsetof(struct x87_host, a)), \
			   [ob] "i"(offsetof(struct x87_host, b)), [or0] "i"(offsetof(struct x87_host, r0)), \
			   [or1] "i"(offsetof(struct x87_host, r1)), [om] "i"(offsetof(struct x87_host, m)), \
			   [ocw] "i"(offsetof(struct x87_host, cw)), [ohcw] "i"(offsetof(struct x87_host, hcw)), \
			   [osw] "i"(offsetof(struct x87_host, sw)) \
			 : "memory", "cc", "st", "st(1)", "st(2)")

/* st0 = a, st1 = b; the operation leaves its result in st0 and b below it */
#define BINARY(insn) RUN("fldt " B "\n\tfldt " A "\n\t" insn "\n\t" SW "fstpt " R0 "\n\tfstp %%st(0)")
/* st0 = a, st1 = b; the operation pops, leaving one result */
#define POPPING(insn) RUN("fldt " B "\n\tfldt " A "\n\t" insn "\n\t" SW "fstpt " R0)
#define UNARY(insn) RUN("fldt " A "\n\t" insn "\n\t" SW "fstpt " R0)
#define COMPARE(insn) RUN("fldt " B "\n\tfldt " A "\n\t" insn "\n\t" SW)
#define CONSTANT(insn) RUN(insn "\n\t" SW "fstpt " R0)
#define LOAD(insn) RUN(insn " " M "\n\t" SW "fstpt " R0)
#define STORE(insn) RUN("fldt " A "\n\t" insn " " M "\n\t" SW)

#define MEMOP(insn) RUN("fldt " A "\n\t" insn " " M "\n\t" SW "fstpt " R0)
#define MEMCOM(insn) RUN("fldt " A "\n\t" insn " " M "\n\t" SW "fstp %%st(0)")
/* one host op for each memory format: AT&T's s/l suffixes name m32/m64, and m16int/m32int
 * for the fi- forms */
#define FORMATS(how, f, fi) \
	switch (fmt) { \
	case XM_F32: how(f "s"); break; \
	case XM_F64: how(f "l"); break; \
	case XM_I16: how(fi "s"); break; \
	case XM_I32: how(fi "l"); break; \
	} \
	break

void x87_host_run_mem(enum host_op op, enum x87_mem fmt, struct x87_host *h)
{
	h->cw |= 0x3f;
	switch (op) {
	case H_ADD: FORMATS(MEMOP, "fadd", "fiadd");
	case H_SUB: FORMATS(MEMOP, "fsub", "fisub");
	case H_SUBR: FORMATS(MEMOP, "fsubr", "fisubr");
	case H_MUL: FORMATS(MEMOP, "fmul", "fimul");
	case H_DIV: FORMATS(MEMOP, "fdiv", "fidiv");
	case H_DIVR: FORMATS(MEMOP, "fdivr", "fidivr");
	case H_COM: FORMATS(MEMCOM, "fcom", "ficom");
	default: break;
	}
}

void x87_host_run(enum host_op op, struct x87_host *h)
{
	h->cw |= 0x3f;
	switch (op) {
	default: break;
	/* AT&T "fop %st(1), %st" is Intel's "fop st0, st1": st0 = st0 op st1 */
	case H_ADD: BINARY("fadd %%st(1), %%st"); break;
	case H_SUB: BINARY("fsub %%st(1), %%st"); break;
	case H_MUL: BINARY("fmul %%st(1), %%st"); break;
	case H_DIV: BINARY("fdiv %%st(1), %%st"); break;
	case H_COM: COMPARE("fcompp"); break;
	case H_UCOM: COMPARE("fucompp"); break;
	case H_TST: RUN("fldt " A "\n\tftst\n\t" SW "fstp %%st(0)"); break;
	case H_XAM: RUN("fldt " A "\n\tfxam\n\t" SW "fstp %%st(0)"); break;
	case H_CHS: UNARY("fchs"); break;
	case H_ABS: UNARY("fabs"); break;
	case H_SQRT: UNARY("fsqrt"); break;
	case H_RNDINT: UNARY("frndint"); break;
	case H_2XM1: UNARY("f2xm1"); break;
	case H_SIN: UNARY("fsin"); break;
	case H_COS: UNARY("fcos"); break;
	/* out of range (C2) they leave the operand in place and push nothing */
	case H_PTAN: RUN("fldt " A "\n\tfptan\n\t" SW "testw $0x400, %c[osw](%[h])\n\tjnz 1f\n\t"
			 "fstpt " R1 "\n1:\tfstpt " R0); break;
	case H_SINCOS: RUN("fldt " A "\n\tfsincos\n\t" SW "testw $0x400, %c[osw](%[h])\n\tjnz 1f\n\t"
			   "fstpt " R1 "\n1:\tfstpt " R0); break;
	case H_XTRACT: RUN("fldt " A "\n\tfxtract\n\t" SW "fstpt " R1 "\n\tfstpt " R0); break;
	case H_SCALE: BINARY("fscale"); break;
	case H_PREM: BINARY("fprem"); break;
	case H_PREM1: BINARY("fprem1"); break;
	case H_YL2X: POPPING("fyl2x"); break;
	case H_YL2XP1: POPPING("fyl2xp1"); break;
	case H_PATAN: POPPING("fpatan"); break;
	case H_LD1: CONSTANT("fld1"); break;
	case H_LDZ: CONSTANT("fldz"); break;
	case H_LDPI: CONSTANT("fldpi"); break;
	case H_LDL2E: CONSTANT("fldl2e"); break;
	case H_LDL2T: CONSTANT("fldl2t"); break;
	case H_LDLG2: CONSTANT("fldlg2"); break;
	case H_LDLN2: CONSTANT("fldln2"); break;
	case H_LD_F32: LOAD("flds"); break;
	case H_LD_F64: LOAD("fldl"); break;
	case H_LD_I16: LOAD("filds"); break;
	case H_LD_I32: LOAD("fildl"); break;
	case H_LD_I64: LOAD("fildll"); break;
	case H_ST_F32: STORE("fstps"); break;
	case H_ST_F64: STORE("fstpl"); break;
	case H_ST_I16: STORE("fistps"); break;
	case H_ST_I32: STORE("fistpl"); break;
	case H_ST_I64: STORE("fistpll"); break;
	}
}
