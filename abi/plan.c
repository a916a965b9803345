#include <stdio.h>
#include <string.h>
#include "plan.h"

const char *guest_name(enum guest_kind g) { return g == GUEST_LINUX ? "linux" : "pvbench"; }

void plan_defaults(struct bench_plan *p, enum guest_kind g)
{
	memset(p, 0, sizeof(*p));
	plan_set_guest(p, g);
	p->reps = PLAN_DEFAULT_REPS;
	p->warmup = 1;
	p->rep_us = PLAN_DEFAULT_REP_US;
}

void plan_set_guest(struct bench_plan *p, enum guest_kind g)
{
	p->guest = g;
	for (int i = 0; i < bench_count; i++)
		p->want[i] = bench_table[i].guest == g;
}

void plan_linux_cmdline(uint64_t tsc_khz, const char *append, char *buf, size_t n)
{
	snprintf(buf, n, "console=ttyS0 quiet mitigations=off tsc=reliable tsc_early_khz=%llu cryptomgr.notests panic=-1%s%s",
		 (unsigned long long)tsc_khz, append && *append ? " " : "", append ? append : "");
}

int plan_select(struct bench_plan *p, const char *list, char *err, size_t n)
{
	bool want[BENCH_MAX] = { false };
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			for (int i = 0; i < bench_count; i++)
				want[i] = bench_table[i].guest == p->guest;
			continue;
		}
		const struct bench_info *b = bench_find(tok);
		if (!b) {
			snprintf(err, n, "unknown benchmark '%s' (see 'pvbench list')", tok);
			return -1;
		}
		if (b->guest != p->guest) {
			snprintf(err, n, "benchmark '%s' runs in the %s guest, not the %s guest (--guest %s)", tok,
				 guest_name(b->guest), guest_name(p->guest), b->guest == GUEST_LINUX ? "linux" : "FILE");
			return -1;
		}
		want[b - bench_table] = true;
	}
	memcpy(p->want, want, sizeof(want));
	return 0;
}

void plan_cmdline(const struct bench_plan *p, int only, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "bench=");
	for (int i = 0, first = 1; i < bench_count && len < n; i++) {
		if (only >= 0 ? i != only : !p->want[i])
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%s", first ? "" : ",", bench_table[i].name);
		first = 0;
	}
	if (len < n)
		snprintf(buf + len, n - len, " reps=%u warmup=%u rep_us=%llu iters=%llu%s%s", p->reps, p->warmup,
			 (unsigned long long)p->rep_us, (unsigned long long)p->iters, p->extra[0] ? " " : "", p->extra);
}
