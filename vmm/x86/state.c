/* The architectural state of two CPUs compared field by field (the lockstep checker):
 * what the guest can observe, not the engines' caches. Flags are compared as the RFLAGS
 * image, since one engine may hold them lazily and the other materialized. */
#include <stddef.h>
#include <stdio.h>
#include "x86.h"

static const char *const gpr_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					   "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15" };
static const char *const seg_names[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

/* 64-bit fields, by offset */
#define U64(f) { #f, offsetof(struct x86_cpu, f) }
static const struct {
	const char *name;
	size_t off;
} u64_fields[] = {
	U64(rip), U64(cr0), U64(cr2), U64(cr3), U64(cr4), U64(cr8), U64(efer), U64(star), U64(lstar), U64(cstar),
	U64(fmask), U64(kernel_gs_base), U64(tsc_aux), U64(sysenter_cs), U64(sysenter_esp), U64(sysenter_eip),
	U64(apic_base), U64(tsc_offset), U64(tsc_adjust), U64(gdtr.base), U64(idtr.base),
};

struct diff_out {
	char *p;
	size_t left;
	int n;
};

/* name and suffix are formatted only for a difference: this runs after every block */
static void differ(struct diff_out *d, const char *name, const char *suffix, uint64_t a, uint64_t b)
{
	if (a == b)
		return;
	d->n++;
	char full[32];
	snprintf(full, sizeof(full), "%s%s", name, suffix);
	int w = snprintf(d->p, d->left, "  %-14s 0x%llx  vs  0x%llx\n", full, (unsigned long long)a, (unsigned long long)b);
	if (w > 0 && (size_t)w < d->left) {
		d->p += w;
		d->left -= (size_t)w;
	}
}

static uint64_t attributes(const struct segment *s)
{
	return (uint64_t)s->type | s->s << 4 | s->dpl << 5 | s->present << 7 | s->l << 8 | s->db << 9 | s->g << 10;
}

static void segment(struct diff_out *d, const char *name, const struct segment *a, const struct segment *b)
{
	differ(d, name, ".sel", a->sel, b->sel);
	differ(d, name, ".base", a->base, b->base);
	differ(d, name, ".limit", a->limit, b->limit);
	differ(d, name, ".attributes", attributes(a), attributes(b));
}

int x86_state_diff(const struct x86_cpu *a, const struct x86_cpu *b, char *out, size_t n)
{
	struct diff_out d = { out, n, 0 };
	if (n)
		out[0] = 0;
	for (int r = 0; r < 16; r++)
		differ(&d, gpr_names[r], "", a->r[r], b->r[r]);
	differ(&d, "rflags", "", x86_get_flags(a), x86_get_flags(b));
	for (size_t k = 0; k < sizeof(u64_fields) / sizeof(u64_fields[0]); k++)
		differ(&d, u64_fields[k].name, "", *(const uint64_t *)(const void *)((const char *)a + u64_fields[k].off),
		       *(const uint64_t *)(const void *)((const char *)b + u64_fields[k].off));
	for (int s = 0; s < 6; s++)
		segment(&d, seg_names[s], &a->seg[s], &b->seg[s]);
	segment(&d, "ldtr", &a->ldtr, &b->ldtr);
	segment(&d, "tr", &a->tr, &b->tr);
	differ(&d, "gdtr.limit", "", a->gdtr.limit, b->gdtr.limit);
	differ(&d, "idtr.limit", "", a->idtr.limit, b->idtr.limit);
	static const char *const dr[8] = { "0", "1", "2", "3", "4", "5", "6", "7" };
	for (int r = 0; r < 8; r++)
		differ(&d, "dr", dr[r], a->dr[r], b->dr[r]);
	differ(&d, "cpl", "", a->cpl, b->cpl);
	differ(&d, "interrupt_shadow", "", a->interrupt_shadow, b->interrupt_shadow);
	differ(&d, "run state", "", a->exit, b->exit);
	return d.n;
}
