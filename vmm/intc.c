#include "intc.h"

/* The 8259A's INTR, where the LAPIC lets it through. */
static bool pic_wants(struct machine *m, uint64_t apic_base)
{
	return pic_intr(&m->pic) && lapic_extint(&m->lapic, apic_base);
}

/* IA32_APIC_BASE.EN clear: the LAPIC is off, only the 8259A's virtual wire delivers */
static bool lapic_on(uint64_t apic_base) { return apic_base & APIC_BASE_ENABLE; }

static bool pending(void *opaque, uint64_t apic_base)
{
	struct machine *m = opaque;
	return (lapic_on(apic_base) && (lapic_irr_pending(&m->lapic) || m->lapic.nmi)) || pic_wants(m, apic_base);
}

static bool take_nmi(void *opaque, uint64_t apic_base)
{
	struct machine *m = opaque;
	return lapic_on(apic_base) && lapic_take_nmi(&m->lapic);
}

/* ns from now on the LAPIC's clock as host TSC ticks from tsc */
static uint64_t tsc_at(const struct lapic *l, uint64_t tsc, uint64_t at_ns, uint64_t now_ns)
{
	return at_ns <= now_ns ? 0 : tsc + (uint64_t)((unsigned __int128)(at_ns - now_ns) * l->tsc_hz / 1000000000ull);
}

static int take(void *opaque, uint64_t apic_base, uint64_t tsc, uint64_t *next_tsc)
{
	struct machine *m = opaque;
	struct lapic *l = &m->lapic;
	int v = lapic_on(apic_base) ? lapic_take_interrupt(l) : -1; /* brings the LAPIC's timer up to date */
	*next_tsc = l->expiry_ns == LAPIC_NO_EVENT ? UINT64_MAX : tsc_at(l, tsc, l->expiry_ns, l->now_ns);
	uint64_t pit = pit_update(&m->pit); /* its edges reach the 8259A here, on its own clock */
	if (pit != PIT_NO_EVENT) {
		uint64_t at = tsc_at(l, tsc, pit, clock_now(m->pit.clock));
		if (at < *next_tsc)
			*next_tsc = at;
	}
	if (v < 0 && pic_wants(m, apic_base))
		v = pic_ack(&m->pic); /* ExtINT: the vector comes from the 8259A's INTA cycle */
	return v;
}

static uint32_t tpr(void *opaque) { return ((struct machine *)opaque)->lapic.tpr; }
static void set_tpr(void *opaque, uint32_t v) { ((struct machine *)opaque)->lapic.tpr = v; }
static uint64_t tsc_deadline(void *opaque) { return ((struct machine *)opaque)->lapic.tsc_deadline; }

static void set_tsc_deadline(void *opaque, uint64_t v, uint64_t guest_tsc)
{
	lapic_write_tsc_deadline(&((struct machine *)opaque)->lapic, v, guest_tsc);
}

struct x86_intc machine_intc(struct machine *m)
{
	return (struct x86_intc){ .pending = pending, .take = take, .take_nmi = take_nmi, .tpr = tpr, .set_tpr = set_tpr,
				  .tsc_deadline = tsc_deadline, .set_tsc_deadline = set_tsc_deadline, .opaque = m };
}
