/* Per-hook profiles: for every VMI call, privileged instruction, exit reason and device
 * that an engine enters, how often, for how long (host TSC, inclusive of hooks nested in
 * it: an MMIO exit holds the VMI call behind it) and, where perf allows, event counts.
 * Engines record into a profile only when one is attached (`pvbench run --profile`):
 * reading the TSC and the event group around every hook perturbs what is measured. */
#ifndef COLLECT_PROFILE_H
#define COLLECT_PROFILE_H
#include <stdbool.h>
#include <stdint.h>
#include <x86intrin.h>

#define PROF_VMI   0      /* + VMI call number (< 128) */
#define PROF_EXIT  128    /* + KVM exit reason (< 64) */
#define PROF_DEV   192    /* + BUS_MAX_REGIONS * space + region index */
#define PROF_INSN  256    /* + Zydis mnemonic */
#define PROF_HOOKS (PROF_INSN + 2048)
#define PROF_EVENTS 2

/* What kind of hook an id is, by the ranges above. */
static inline const char *prof_kind(unsigned id)
{
	return id >= PROF_INSN ? "insn" : id >= PROF_DEV ? "device" : id >= PROF_EXIT ? "exit" : "vmi";
}

struct prof_hook {
	const char *name;  /* static string, set by the first record */
	uint64_t count, tsc;
	int64_t ev[PROF_EVENTS];
};

struct profile {
	struct prof_hook h[PROF_HOOKS];
	uint64_t tsc_hz;
	int group_fd, nev;               /* perf event group, -1 / 0 when none opened */
	uint64_t overhead;               /* TSC ticks spent reading events, taken out of enclosing hooks */
	const char *ev_name[PROF_EVENTS];
	char ev_source[PROF_EVENTS][64]; /* as counters.h: hardware:..., software:..., unavailable: why */
};

struct prof_mark {
	uint64_t tsc, overhead;
	int64_t ev[PROF_EVENTS];
};

/* Opens the event group: cycles and instructions from the PMU, else software events. */
void prof_open(struct profile *p, uint64_t tsc_hz);
void prof_close(struct profile *p);
void prof_reset(struct profile *p);
void prof_read_events(const struct profile *p, int64_t *ev);

/* A hook's time leaves out the reading of events, its own and its nested hooks'
 * (a system call each: far longer than most hooks). */
static inline void prof_begin(struct profile *p, struct prof_mark *m)
{
	if (p->nev) {
		uint64_t t = __rdtsc();
		prof_read_events(p, m->ev);
		p->overhead += __rdtsc() - t;
	}
	m->overhead = p->overhead;
	m->tsc = __rdtsc();
}

static inline void prof_end(struct profile *p, unsigned id, const char *name, const struct prof_mark *m)
{
	uint64_t t = __rdtsc();
	struct prof_hook *h = &p->h[id];
	h->name = name;
	h->count++;
	h->tsc += t - m->tsc - (p->overhead - m->overhead);
	if (p->nev) {
		int64_t ev[PROF_EVENTS];
		prof_read_events(p, ev);
		for (int i = 0; i < p->nev; i++)
			h->ev[i] += ev[i] - m->ev[i];
		p->overhead += __rdtsc() - t;
	}
}

#endif
