/* String instructions. A rep runs a bounded number of iterations per step and leaves rip
 * on itself, so interrupts are taken between iterations as on hardware; every iteration
 * commits rcx, rsi and rdi, so a fault mid-way restarts correctly. */
#include <string.h>
#include "decode.h"
#include "exec.h"
#include "mmu.h"
#include "system.h"

#define REP_CHUNK 4096
#define BULK_PER_WORK 64 /* elements a page-at-a-time copy moves for one element by element */

static int64_t step_of(const struct x86_cpu *c, unsigned sz) { return (c->flags & F_DF) ? -(int64_t)sz : (int64_t)sz; }

static void advance(struct x86_cpu *c, const struct x86_insn *i, unsigned reg, unsigned sz)
{
	reg_write(c, reg, i->addrsize, false, c->r[reg] + (uint64_t)step_of(c, sz));
}

/* One iteration; returns false when a repe/repne condition ends the loop. */
typedef bool string_iter(struct x86_cpu *c, const struct x86_insn *i, unsigned sz);

static uint64_t src_addr(struct x86_cpu *c, const struct x86_insn *i)
{
	/* a segment override applies to the source ([rsi]) only; the destination is ES */
	unsigned seg = S_DS;
	for (int k = 0; k < i->nops; k++)
		if (i->op[k].kind == OPK_MEM && i->op[k].base == R_SI)
			seg = i->op[k].seg;
	return seg_linear(c, seg, c->r[R_SI], i->addrsize);
}

static uint64_t dst_addr(struct x86_cpu *c, const struct x86_insn *i) { return seg_linear(c, S_ES, c->r[R_DI], i->addrsize); }

static bool movs_iter(struct x86_cpu *c, const struct x86_insn *i, unsigned sz)
{
	mem_write(c, dst_addr(c, i), mem_read(c, src_addr(c, i), sz), sz);
	advance(c, i, R_SI, sz);
	advance(c, i, R_DI, sz);
	return true;
}

static bool stos_iter(struct x86_cpu *c, const struct x86_insn *i, unsigned sz)
{
	mem_write(c, dst_addr(c, i), c->r[R_AX], sz);
	advance(c, i, R_DI, sz);
	return true;
}

static bool lods_iter(struct x86_cpu *c, const struct x86_insn *i, unsigned sz)
{
	reg_write(c, R_AX, sz, false, mem_read(c, src_addr(c, i), sz));
	advance(c, i, R_SI, sz);
	return true;
}

static bool compare(struct x86_cpu *c, const struct x86_insn *i, unsigned sz, uint64_t a, uint64_t b)
{
	set_cc(c, CC_SUB, sz, a, b, (a - b) & size_mask(sz));
	c->cc.carry_in = 0;
	bool zf = a == b;
	return (i->prefixes & PFX_REPNE) ? !zf : zf;
}

static bool cmps_iter(struct x86_cpu *c, const struct x86_insn *i, unsigned sz)
{
	uint64_t a = mem_read(c, src_addr(c, i), sz), b = mem_read(c, dst_addr(c, i), sz);
	advance(c, i, R_SI, sz);
	advance(c, i, R_DI, sz);
	return compare(c, i, sz, a, b);
}

static bool scas_iter(struct x86_cpu *c, const struct x86_insn *i, unsigned sz)
{
	uint64_t b = mem_read(c, dst_addr(c, i), sz);
	advance(c, i, R_DI, sz);
	return compare(c, i, sz, reg_read(c, R_AX, sz, false), b);
}

static bool ins_iter(struct x86_cpu *c, const struct x86_insn *i, unsigned sz)
{
	uint64_t addr = dst_addr(c, i);
	mem_write(c, addr, port_in(c, (uint16_t)c->r[R_DX], sz), sz);
	advance(c, i, R_DI, sz);
	return true;
}

static bool outs_iter(struct x86_cpu *c, const struct x86_insn *i, unsigned sz)
{
	port_out(c, (uint16_t)c->r[R_DX], mem_read(c, src_addr(c, i), sz), sz);
	advance(c, i, R_SI, sz);
	return true;
}

/* How many whole elements from lin (going up, or down with DF) stay in its page. */
static uint64_t room(const struct x86_cpu *c, uint64_t lin, unsigned sz)
{
	return ((c->flags & F_DF) ? (lin & 0xfff) + sz : 0x1000 - (lin & 0xfff)) / sz;
}

/* rep movs/stos over RAM a page at a time, on host pointers: what Linux's memcpy and
 * memset (rep movsb/stosb with ERMS) spend their time in. The same result as element by
 * element (overlapping moves replicate, as they do), rcx/rsi/rdi committed after each
 * run so that a fault stays precise; false, having done nothing, where an element
 * crosses a page or touches a device: then the caller goes element by element. */
static bool bulk(struct x86_cpu *c, const struct x86_insn *i, bool is_movs, uint64_t *budget)
{
	unsigned sz = i->opsize;
	uint64_t n = reg_read(c, R_CX, i->addrsize, false), dlin = dst_addr(c, i), slin = is_movs ? src_addr(c, i) : 0;
	uint64_t k = room(c, dlin, sz);
	if (is_movs && room(c, slin, sz) < k)
		k = room(c, slin, sz);
	if (n < k)
		k = n;
	if (*budget < k)
		k = *budget;
	if (!k || c->debugging) /* data breakpoints are checked element by element */
		return false;
	bool down = c->flags & F_DF;
	uint64_t span = (k - 1) * sz, phys;
	/* both translated before anything is written, at the first element's address (a
	 * fault reports that one); then from the lowest element up */
	uint8_t *s = is_movs ? mmu_translate(c, slin, ACC_READ, &phys) : NULL;
	if (is_movs && !s)
		return false;
	uint8_t *d = mmu_translate(c, dlin, ACC_WRITE, &phys);
	if (!d)
		return false;
	/* the whole run, for a page table's shadow mappings (the translation saw one element) */
	mmu_phys_written(c, down ? phys - span : phys, (unsigned)(span + sz));
	if (down) {
		d -= span;
		s = s ? s - span : NULL;
	}
	if (!is_movs) {
		if (sz == 1)
			memset(d, (int)(c->r[R_AX] & 0xff), k);
		else
			for (uint64_t e = 0; e < k; e++)
				store_sized(d + e * sz, c->r[R_AX], sz);
	} else if (d + k * sz <= s || s + k * sz <= d) {
		memcpy(d, s, k * sz);
	} else if (!down) { /* overlapping: in the order the iterations go */
		for (uint64_t e = 0; e < k; e++)
			store_sized(d + e * sz, load_sized(s + e * sz, sz), sz);
	} else {
		for (uint64_t e = k; e-- > 0;)
			store_sized(d + e * sz, load_sized(s + e * sz, sz), sz);
	}
	int64_t step = step_of(c, sz) * (int64_t)k;
	reg_write(c, R_CX, i->addrsize, false, n - k);
	reg_write(c, R_DI, i->addrsize, false, c->r[R_DI] + (uint64_t)step);
	if (is_movs)
		reg_write(c, R_SI, i->addrsize, false, c->r[R_SI] + (uint64_t)step);
	*budget -= k;
	c->work += k / BULK_PER_WORK;
	return true;
}

static void run_string(struct x86_cpu *c, const struct x86_insn *i, string_iter *it)
{
	unsigned sz = i->opsize;
	if (!(i->prefixes & (PFX_REP | PFX_REPNE))) {
		it(c, i, sz);
		return;
	}
	if (it == movs_iter || it == stos_iter) {
		uint64_t budget = REP_CHUNK;
		while (budget && reg_read(c, R_CX, i->addrsize, false)) {
			if (!bulk(c, i, it == movs_iter, &budget)) {
				c->work++;
				it(c, i, sz);
				reg_write(c, R_CX, i->addrsize, false, reg_read(c, R_CX, i->addrsize, false) - 1);
				budget--;
			}
		}
		if (reg_read(c, R_CX, i->addrsize, false))
			c->rip = c->insn_rip;
		return;
	}
	for (int k = 0; k < REP_CHUNK; k++) {
		uint64_t n = reg_read(c, R_CX, i->addrsize, false);
		if (!n)
			return;
		c->work++;
		bool go_on = it(c, i, sz);
		reg_write(c, R_CX, i->addrsize, false, n - 1);
		if (!go_on || n == 1)
			return;
	}
	c->rip = c->insn_rip; /* more to do: come back after interrupts have had a chance */
}

/* Zydis names SSE2's movsd and cmpsd as it names the string instructions: the XMM
 * operands tell them apart */
static bool is_sse(const struct x86_insn *i) { return i->nops >= 2 && (i->op[0].kind == OPK_XMM || i->op[1].kind == OPK_XMM); }

void op_movs(struct x86_cpu *c, const struct x86_insn *i)
{
	if (is_sse(i))
		op_sse_movs(c, i);
	else
		run_string(c, i, movs_iter);
}
void op_stos(struct x86_cpu *c, const struct x86_insn *i) { run_string(c, i, stos_iter); }
void op_lods(struct x86_cpu *c, const struct x86_insn *i) { run_string(c, i, lods_iter); }
void op_cmps(struct x86_cpu *c, const struct x86_insn *i)
{
	if (is_sse(i))
		op_sse_cmp(c, i);
	else
		run_string(c, i, cmps_iter);
}
void op_scas(struct x86_cpu *c, const struct x86_insn *i) { run_string(c, i, scas_iter); }
void op_ins(struct x86_cpu *c, const struct x86_insn *i) { io_permitted(c, (uint16_t)c->r[R_DX], i->opsize); run_string(c, i, ins_iter); }
void op_outs(struct x86_cpu *c, const struct x86_insn *i) { io_permitted(c, (uint16_t)c->r[R_DX], i->opsize); run_string(c, i, outs_iter); }
