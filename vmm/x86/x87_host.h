/* The host's x87 unit as the reference for the guest's (x87_host.c): each operation runs
 * the host's own instruction on 80-bit images under the guest's precision and rounding
 * control with every exception masked, and reports the status word it left. */
#ifndef X86_X87_HOST_H
#define X86_X87_HOST_H
#include <stdint.h>

enum host_op {
	H_NONE,
	H_ADD, H_SUB, H_MUL, H_DIV,                     /* r0 = a op b */
	H_SUBR, H_DIVR,                                 /* r0 = m op a (memory forms only) */
	H_COM, H_UCOM, H_TST, H_XAM,                    /* condition codes of a (against b) */
	H_CHS, H_ABS, H_SQRT, H_RNDINT, H_2XM1, H_SIN, H_COS, /* r0 = f(a) */
	H_PTAN, H_SINCOS, H_XTRACT,                     /* r0 (below) and r1 (pushed) from a */
	H_SCALE, H_PREM, H_PREM1,                       /* r0 = f(st0 = a, st1 = b) */
	H_YL2X, H_YL2XP1, H_PATAN,                      /* r0 = f(st1 = b, st0 = a) */
	H_LD1, H_LDZ, H_LDPI, H_LDL2E, H_LDL2T, H_LDLG2, H_LDLN2, /* r0 = the constant */
	H_LD_F32, H_LD_F64, H_LD_I16, H_LD_I32, H_LD_I64, /* r0 = m converted */
	H_ST_F32, H_ST_F64, H_ST_I16, H_ST_I32, H_ST_I64, /* m = a converted */
};

struct x87_host {
	uint8_t a[16], b[16], r0[16], r1[16]; /* 80-bit values in the first 10 bytes */
	uint8_t m[8];                         /* a memory operand, little-endian */
	uint16_t cw;                          /* the guest's control word */
	uint16_t hcw;                         /* the host's, put back afterwards */
	uint16_t sw;                          /* the status word the operation left */
};

/* the formats of a memory source operand */
enum x87_mem { XM_F32, XM_F64, XM_I16, XM_I32 };

void x87_host_run(enum host_op op, struct x87_host *h);
/* An arithmetic operation (H_ADD..H_DIVR) or comparison (H_COM) with a memory source m,
 * as one host instruction, so that exceptions come in the hardware's priority. */
void x87_host_run_mem(enum host_op op, enum x87_mem fmt, struct x87_host *h);

#endif
