#include <string.h>
#include "debug.h"
#include "exec.h"
#include "mmu.h"

uint64_t reg_read(const struct x86_cpu *c, unsigned reg, unsigned size, bool high8)
{
	if (high8)
		return (c->r[reg] >> 8) & 0xff;
	return c->r[reg] & size_mask(size);
}

void reg_write(struct x86_cpu *c, unsigned reg, unsigned size, bool high8, uint64_t v)
{
	if (high8)
		c->r[reg] = (c->r[reg] & ~0xff00ull) | ((v & 0xff) << 8);
	else if (size == 4)
		c->r[reg] = v & 0xffffffffull; /* 32-bit writes zero the upper half */
	else if (size == 8)
		c->r[reg] = v;
	else
		c->r[reg] = (c->r[reg] & ~size_mask(size)) | (v & size_mask(size));
}

uint64_t seg_linear(struct x86_cpu *c, unsigned seg, uint64_t off, unsigned addrsize)
{
	off &= size_mask(addrsize);
	if (long_mode64(c)) {
		uint64_t lin = (seg == S_FS || seg == S_GS) ? off + c->seg[seg].base : off;
		if (seg == S_SS && !x86_canonical(lin))
			x86_raise(c, EXC_SS, 0); /* the rest raise #GP in mmu_translate */
		return lin;
	}
	return (off + c->seg[seg].base) & 0xffffffffull;
}

uint64_t opnd_addr(struct x86_cpu *c, const struct x86_insn *i, const struct x86_operand *o)
{
	return seg_linear(c, o->seg, opnd_offset(c, o), i->addrsize);
}

uint64_t mem_read_slow(struct x86_cpu *c, uint64_t lin, unsigned size)
{
	uint64_t phys;
	if (c->debugging)
		x86_debug_access(c, lin, size, false);
	if (((lin & 0xfff) + size) > 0x1000) { /* crosses a page: byte by byte */
		uint64_t v = 0;
		for (unsigned k = 0; k < size; k++)
			v |= mem_read(c, lin + k, 1) << (8 * k);
		return v;
	}
	uint8_t *p = mmu_translate(c, lin, ACC_READ, &phys);
	if (p)
		return load_sized(p, size);
	uint64_t v;
	bus_read(c->bus, BUS_MMIO, phys, size, &v);
	return v;
}

void mem_write_slow(struct x86_cpu *c, uint64_t lin, uint64_t v, unsigned size)
{
	uint64_t phys;
	if (c->debugging)
		x86_debug_access(c, lin, size, true);
	if (((lin & 0xfff) + size) > 0x1000) {
		/* translate both pages before writing either, so a fault writes nothing */
		uint64_t p2;
		mmu_translate(c, lin, ACC_WRITE, &phys);
		mmu_translate(c, (lin | 0xfff) + 1, ACC_WRITE, &p2);
		for (unsigned k = 0; k < size; k++)
			mem_write(c, lin + k, v >> (8 * k), 1);
		return;
	}
	uint8_t *p = mmu_translate(c, lin, ACC_WRITE, &phys);
	if (p) {
		store_sized(p, v, size);
		mmu_phys_stored(c, phys, size);
		return;
	}
	bus_write(c->bus, BUS_MMIO, phys, v, size);
}

void mem_read_block(struct x86_cpu *c, uint64_t lin, void *dst, unsigned n)
{
	uint8_t *d = dst;
	for (unsigned k = 0; k < n;) {
		unsigned step = n - k >= 8 ? 8 : 1;
		store_sized(d + k, mem_read(c, lin + k, step), step);
		k += step;
	}
}

void mem_write_block(struct x86_cpu *c, uint64_t lin, const void *src, unsigned n)
{
	/* every page first, so that a fault writes nothing */
	uint64_t phys;
	for (uint64_t page = lin & ~0xfffull; page <= ((lin + n - 1) & ~0xfffull); page += 0x1000)
		mmu_translate(c, page < lin ? lin : page, ACC_WRITE, &phys);
	const uint8_t *s = src;
	for (unsigned k = 0; k < n;) {
		unsigned step = n - k >= 8 ? 8 : 1;
		mem_write(c, lin + k, load_sized(s + k, step), step);
		k += step;
	}
}

const uint8_t *mem_fetch_page(struct x86_cpu *c, uint64_t lin)
{
	uint64_t phys;
	const uint8_t *p = mmu_translate(c, lin, ACC_EXEC, &phys);
	if (!p)
		x86_raise(c, EXC_GP, 0); /* executing from device memory is not modelled */
	return p;
}

unsigned mem_fetch(struct x86_cpu *c, uint64_t lin, uint8_t *buf, unsigned n)
{
	unsigned room = 0x1000 - (unsigned)(lin & 0xfff), k = room < n ? room : n;
	memcpy(buf, mem_fetch_page(c, lin), k);
	return k;
}

uint64_t opnd_read_slow(struct x86_cpu *c, const struct x86_insn *i, int n)
{
	const struct x86_operand *o = &i->op[n];
	switch (o->kind) {
	case OPK_REG: return reg_read(c, o->reg, o->size, o->high8);
	case OPK_MEM: return mem_read(c, opnd_addr(c, i, o), o->size);
	case OPK_IMM: return (uint64_t)o->val & size_mask(o->size);
	default: x86_raise(c, EXC_UD, NO_ERROR_CODE);
	}
}

void opnd_write_slow(struct x86_cpu *c, const struct x86_insn *i, int n, uint64_t v)
{
	const struct x86_operand *o = &i->op[n];
	if (o->kind == OPK_REG)
		reg_write(c, o->reg, o->size, o->high8, v);
	else if (o->kind == OPK_MEM)
		mem_write(c, opnd_addr(c, i, o), v, o->size);
	else
		x86_raise(c, EXC_UD, NO_ERROR_CODE);
}

unsigned stack_size(const struct x86_cpu *c, const struct x86_insn *i)
{
	if (long_mode64(c))
		return i && i->opsize == 2 ? 2 : 8;
	if (i && i->opsize)
		return i->opsize;
	return c->seg[S_SS].db ? 4 : 2;
}

static unsigned sp_size(const struct x86_cpu *c) { return long_mode64(c) ? 8 : c->seg[S_SS].db ? 4 : 2; }

void push(struct x86_cpu *c, uint64_t v, unsigned size)
{
	unsigned ss = sp_size(c);
	uint64_t sp = (c->r[R_SP] - size) & size_mask(ss);
	mem_write(c, seg_linear(c, S_SS, sp, ss), v, size);
	reg_write(c, R_SP, ss, false, sp);
}

uint64_t frame_slot(struct x86_cpu *c, unsigned k, unsigned size)
{
	unsigned ss = sp_size(c);
	uint64_t sp = (c->r[R_SP] + k * size) & size_mask(ss);
	return mem_read(c, seg_linear(c, S_SS, sp, ss), size);
}

void pop_slots(struct x86_cpu *c, unsigned n, unsigned size)
{
	unsigned ss = sp_size(c);
	reg_write(c, R_SP, ss, false, (c->r[R_SP] & size_mask(ss)) + n * size);
}

uint64_t pop(struct x86_cpu *c, unsigned size)
{
	uint64_t v = frame_slot(c, 0, size);
	pop_slots(c, 1, size);
	return v;
}

/* Condition codes in their encoding order: O NO B AE E NE BE A S NS P NP L GE LE G. */
bool cond_slow(const struct x86_cpu *c, unsigned cond)
{
	uint32_t f = x86_arith_flags(c);
	bool r;
	switch (cond >> 1) {
	case 0: r = f & F_OF; break;
	case 1: r = f & F_CF; break;
	case 2: r = f & F_ZF; break;
	case 3: r = f & (F_CF | F_ZF); break;
	case 4: r = f & F_SF; break;
	case 5: r = f & F_PF; break;
	case 6: r = !(f & F_SF) != !(f & F_OF); break;
	default: r = (f & F_ZF) || (!(f & F_SF) != !(f & F_OF)); break;
	}
	return (cond & 1) ? !r : r;
}
