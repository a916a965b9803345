#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "runner.h"
#include "../collect/counters.h"
#include "../collect/figures.h"
#include "../collect/host.h"
#include "../collect/profile.h"
#include "../collect/table.h"
#include "session.h"
#include "../util/interrupt.h"
#include "../modes/native/native.h"

/* What one mode's messages have told us so far. */
struct collector {
	const struct mode *mode;
	char backend[24];
	struct result_set *rs;
	const struct run_opts *o;
	int current;               /* benchmark in progress, -1 none */
	bool done;                 /* the guest said DONE */
	bool finished[BENCH_MAX];  /* END seen or recorded otherwise */
	char panic[PVB_TEXT_LEN];  /* a FAILED message outside any benchmark */
	struct counters ctr;
	char wrong_interface[PVB_TEXT_LEN]; /* a vmi mode's guest that stayed native, and why */
	struct profile *prof;      /* --profile: hooks recorded per benchmark */
	uint64_t bench_start_ns;
	/* the current benchmark's counting passes */
	struct mode_stats pass[FIGURE_PASSES];
	uint64_t pass_ops[FIGURE_PASSES];
	unsigned passes_seen;      /* bit per pass */
	uint32_t results[BENCH_MAX]; /* RESULT messages taken, at most the plan's repetitions */
	bool ended[BENCH_MAX], valued[BENCH_MAX]; /* END and VALUE taken (once each) */
};

static void add_prof(struct collector *c, const char *bench, const char *kind, const char *hook, uint64_t calls,
		     double ns, const char *events)
{
	struct prof_rec *r = results_add_prof(c->rs);
	if (!r)
		return;
	snprintf(r->mode, sizeof(r->mode), "%s", c->mode->name);
	snprintf(r->bench, sizeof(r->bench), "%s", bench);
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	snprintf(r->hook, sizeof(r->hook), "%s", hook);
	r->calls = calls;
	r->host_ns = ns;
	snprintf(r->events, sizeof(r->events), "%s", events);
	int len = 0;
	for (int i = 0; i < PROF_EVENTS; i++)
		len += snprintf(r->source + len, sizeof(r->source) - (size_t)len, "%s%s", i ? "," : "", c->prof->ev_source[i]);
}

/* The hooks of the benchmark that just ended, and its wall time as the "total" row. */
static void save_profile(struct collector *c, const char *bench)
{
	const struct profile *p = c->prof;
	add_prof(c, bench, "total", "benchmark", 1, (double)(host_ns() - c->bench_start_ns), "{}");
	for (unsigned id = 0; id < PROF_HOOKS; id++) {
		const struct prof_hook *h = &p->h[id];
		if (!h->count)
			continue;
		char ev[128] = "{}";
		int len = 0;
		for (int i = 0; i < p->nev; i++)
			len += snprintf(ev + len, sizeof(ev) - (size_t)len, "%s\"%s\":%lld", i ? "," : "{", p->ev_name[i],
					(long long)h->ev[i]);
		if (p->nev)
			snprintf(ev + len, sizeof(ev) - (size_t)len, "}");
		add_prof(c, bench, prof_kind(id), h->name, h->count, p->tsc_hz ? (double)h->tsc * 1e9 / (double)p->tsc_hz : 0, ev);
	}
}

static struct measurement *add_status(struct collector *c, int bench, enum mstatus st, const char *reason)
{
	struct measurement *m = results_add_measurement(c->rs);
	if (!m)
		return NULL;
	snprintf(m->mode, sizeof(m->mode), "%s", c->mode->name);
	snprintf(m->bench, sizeof(m->bench), "%s", bench_table[bench].name);
	snprintf(m->backend, sizeof(m->backend), "%s", c->backend);
	m->status = st;
	snprintf(m->reason, sizeof(m->reason), "%s", reason);
	return m;
}

double runner_eta_s(const struct run_opts *o, const struct run_progress *p, double pace_s)
{
	double left = 0;
	for (int i = 0; i < o->nmodes; i++)
		for (int b = 0; b < bench_count; b++)
			if (o->plan.want[b] && !p->cell_done[i][b])
				left += p->expect_ms[i][b] >= 0 ? p->expect_ms[i][b] / 1e3 : pace_s;
	return left;
}

static int mode_index(const struct collector *c)
{
	for (int i = 0; i < c->o->nmodes; i++)
		if (c->o->modes[i] == c->mode)
			return i;
	return 0;
}

/* The TTY's one line: the last outcome, what runs now (benchmark b of this mode, -1 none
 * known), the ETA. */
static void tty_line(const struct collector *c, int b)
{
	const struct run_progress *p = c->o->progress;
	double elapsed = (double)(host_ns() - p->start_ns) / 1e9;
	double eta = runner_eta_s(c->o, p, p->done ? elapsed / p->done : 0);
	char now_running[64] = "";
	if (b >= 0)
		snprintf(now_running, sizeof(now_running), "now %s %s", c->mode->name, bench_table[b].name);
	fprintf(stderr, "\r\033[K  [%d/%d] %-52s %-28s ETA %d:%02d", p->done, p->total, p->last, now_running, (int)eta / 60,
		(int)eta % 60);
}

/* One outcome more, of benchmark b (-1: counted, not shown), its duration kept for later
 * runs' ETA: on a TTY one line rewritten in place, with what runs now and the ETA,
 * elsewhere a line per benchmark with the time elapsed. */
static void progress(const struct collector *c, int b)
{
	struct run_progress *p = c->o->progress;
	p->done++;
	uint64_t now = host_ns();
	int mi = mode_index(c);
	if (b >= 0 && !p->cell_done[mi][b]) {
		p->cell_done[mi][b] = true;
		struct duration_rec *d = results_add_duration(c->rs);
		if (d) {
			snprintf(d->mode, sizeof(d->mode), "%s", c->mode->name);
			snprintf(d->bench, sizeof(d->bench), "%s", bench_table[b].name);
			d->ms = (double)(now - p->last_ns) / 1e6;
		}
	}
	p->last_ns = now;
	if (c->o->quiet || b < 0)
		return;
	char what[64] = "no result";
	const char *name = bench_table[b].name;
	struct table t;
	if (!table_build(c->rs, &t)) {
		const struct cell *cl = table_cell(&t, c->mode->name, name);
		if (cl && cl->status == MS_OK)
			snprintf(what, sizeof(what), "%.1f ns/op (%zu reps)", cl->s.median, cl->n);
		else if (cl)
			snprintf(what, sizeof(what), "%s", mstatus_name(cl->status));
		table_free(&t);
	}
	double elapsed = (double)(now - p->start_ns) / 1e9;
	if (!p->tty) {
		fprintf(stderr, "  [%d/%d %d:%02d] %-8s %-16s %s\n", p->done, p->total, (int)elapsed / 60, (int)elapsed % 60,
			c->mode->name, name, what);
		return;
	}
	snprintf(p->last, sizeof(p->last), "%-8s %-16s %s", c->mode->name, name, what);
	tty_line(c, -1);
}

/* A line of its own, clear of the progress line a TTY shows. */
static void say(const struct collector *c, const char *fmt, const char *mode, const char *what)
{
	if (c->o->quiet)
		return;
	if (c->o->progress->tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, fmt, mode, what);
}

static void on_msg(void *opaque, const struct pvb_msg *m)
{
	struct collector *c = opaque;
	const struct bench_info *bi = bench_find(m->bench);
	int b = bi ? (int)(bi - bench_table) : -1;
	char why[300];
	/* A hostile or broken guest may send anything: each message is O(1), and what is kept
	 * is bounded (a finished benchmark takes nothing more, a benchmark no more results
	 * than the repetitions it was asked for, one checked value). */
	if (b >= 0 && ((c->finished[b] && m->type != PVB_MSG_END) || c->ended[b] ||
		       (m->type == PVB_MSG_VALUE && c->valued[b])))
		return;
	if (c->wrong_interface[0] && b >= 0 && m->type != PVB_MSG_BEGIN) {
		if (m->type == PVB_MSG_END) { /* nothing it measured is what this mode names */
			snprintf(why, sizeof(why), "the guest did not take the VMI interface: %s", c->wrong_interface);
			add_status(c, b, MS_FAILED, why);
			c->finished[b] = true;
			c->current = -1;
			progress(c, b);
		}
		return;
	}
	switch (m->type) {
	case PVB_MSG_HELLO:
		c->wrong_interface[0] = 0;
		if (c->mode->iface == IFACE_VMI && strncmp(m->text, "vmi", 3))
			snprintf(c->wrong_interface, sizeof(c->wrong_interface), "%s", m->text);
		return;
	case PVB_MSG_BEGIN:
		if (b < 0)
			return;
		c->current = b;
		c->passes_seen = 0;
		if (c->o->progress->tty && !c->o->quiet)
			tty_line(c, b);
		counters_start(&c->ctr);
		if (c->prof) {
			prof_reset(c->prof);
			c->bench_start_ns = host_ns();
		}
		return;
	case PVB_MSG_RESULT: {
		if (b < 0)
			return;
		if (!m->iters || !m->tsc_hz) {
			snprintf(why, sizeof(why), "repetition %u counted no operations", m->rep);
			add_status(c, b, MS_FAILED, why);
			return;
		}
		if (++c->results[b] > c->o->plan.reps) {
			snprintf(why, sizeof(why), "the guest reported more than the %u repetitions asked", c->o->plan.reps);
			add_status(c, b, MS_FAILED, why);
			c->finished[b] = true;
			return;
		}
		struct measurement *r = add_status(c, b, MS_OK, "");
		if (!r)
			return;
		r->rep = (int)m->rep;
		r->iters = m->iters;
		r->ticks = m->ticks;
		r->tsc_hz = m->tsc_hz;
		r->ns_per_op = (double)m->ticks * 1e9 / (double)m->tsc_hz / (double)m->iters;
		return;
	}
	case PVB_MSG_VALUE: {
		if (b < 0)
			return;
		c->valued[b] = true;
		struct value_rec *v = results_add_value(c->rs);
		if (v) {
			snprintf(v->mode, sizeof(v->mode), "%s", c->mode->name);
			snprintf(v->bench, sizeof(v->bench), "%s", m->bench);
			v->value = m->value;
		}
		uint64_t want;
		if (workload_checksum(m->bench, &want) && m->value != want) {
			snprintf(why, sizeof(why), "checksum 0x%016llx differs from native 0x%016llx: the engine computed wrongly",
				 (unsigned long long)m->value, (unsigned long long)want);
			add_status(c, b, MS_FAILED, why);
		}
		return;
	}
	case PVB_MSG_UNSUPPORTED:
	case PVB_MSG_FAILED:
		if (b < 0) {
			snprintf(c->panic, sizeof(c->panic), "%s", m->text);
			return;
		}
		snprintf(why, sizeof(why), "%s%s", m->type == PVB_MSG_UNSUPPORTED ? "guest: " : "guest failed: ", m->text);
		add_status(c, b, m->type == PVB_MSG_UNSUPPORTED ? MS_UNSUPPORTED : MS_FAILED, why);
		c->finished[b] = true;
		return;
	case PVB_MSG_END: {
		if (b < 0)
			return;
		c->ended[b] = true;
		int64_t vals[COUNTERS_MAX];
		counters_read(&c->ctr, vals);
		for (int i = 0; i < c->ctr.n; i++) {
			struct counter_rec *r = results_add_counter(c->rs);
			if (!r)
				break;
			snprintf(r->mode, sizeof(r->mode), "%s", c->mode->name);
			snprintf(r->bench, sizeof(r->bench), "%s", m->bench);
			snprintf(r->name, sizeof(r->name), "%s", c->ctr.c[i].name);
			snprintf(r->source, sizeof(r->source), "%s", c->ctr.c[i].source);
			r->value = vals[i];
		}
		if (c->prof)
			save_profile(c, m->bench);
		if (c->passes_seen == (1u << FIGURE_PASSES) - 1 &&
		    figures_derive(c->pass, c->pass_ops, c->mode->name, m->bench, c->rs))
			say(c, "  %-8s %s: the counting passes gave no figures\n", c->mode->name, m->bench);
		c->finished[b] = true;
		c->current = -1;
		progress(c, b);
		return;
	}
	case PVB_MSG_DONE:
		c->done = true;
		return;
	default:
		return;
	}
}

static void on_count(void *opaque, const struct pvb_msg *m, const struct mode_stats *delta)
{
	struct collector *c = opaque;
	const struct bench_info *bi = bench_find(m->bench);
	if (!bi || (int)(bi - bench_table) != c->current || m->rep >= FIGURE_PASSES)
		return;
	c->pass[m->rep] = *delta;
	c->pass_ops[m->rep] = m->iters;
	c->passes_seen |= 1u << m->rep;
}

static void add_stats(struct collector *c, const struct mode_stats *st)
{
	for (int i = 0; i < st->n; i++) {
		struct stat_rec *r = NULL;
		for (size_t j = 0; j < c->rs->ns && !r; j++)
			if (!strcmp(c->rs->s[j].mode, c->mode->name) && !strcmp(c->rs->s[j].name, st->s[i].name))
				r = &c->rs->s[j];
		if (!r && (r = results_add_stat(c->rs))) {
			snprintf(r->mode, sizeof(r->mode), "%s", c->mode->name);
			snprintf(r->name, sizeof(r->name), "%s", st->s[i].name);
		}
		if (r)
			r->value = st->s[i].fact ? st->s[i].value : r->value + st->s[i].value;
	}
}

static int pending_count(const struct collector *c, const bool *want)
{
	int n = 0;
	for (int b = 0; b < bench_count; b++)
		n += want[b] && !c->finished[b];
	return n;
}

#define INTERRUPTED "interrupted by the user (Ctrl-C): not measured"

/* Every wanted benchmark still without an outcome fails, for the same reason. */
static void fail_pending(struct collector *c, const bool *want, const char *why)
{
	for (int b = 0; b < bench_count; b++)
		if (want[b] && !c->finished[b]) {
			add_status(c, b, MS_FAILED, why);
			c->finished[b] = true;
			progress(c, b);
		}
}

/* --timeout, or generous for the benchmarks left: a hang is caught, a slow engine is not. */
static uint64_t watchdog_ms(const struct run_opts *o, int pending)
{
	uint64_t per_rep_ms = o->plan.iters ? 1000 : o->plan.rep_us / 1000 + 1;
	return o->timeout_s ? o->timeout_s * 1000 : 120000 + (uint64_t)pending * (o->plan.reps + o->plan.warmup + 6) * per_rep_ms * 4;
}

/* Boots until every wanted benchmark has an outcome. A benchmark that kills its guest
 * is recorded as failed and the rest run in a fresh boot. */
static void run_guest_mode(struct collector *c, const bool *want)
{
	const struct run_opts *o = c->o;
	for (int boots = 0; pending_count(c, want) && boots <= bench_count; boots++) {
		struct bench_plan p = o->plan;
		for (int b = 0; b < bench_count; b++)
			p.want[b] = want[b] && !c->finished[b];
		char cmdline[2048], plan[1024];
		plan_cmdline(&p, -1, plan, sizeof(plan));
		bool linux_guest = o->plan.guest == GUEST_LINUX;
		snprintf(cmdline, sizeof(cmdline), "%s%s%s", linux_guest ? o->append : "", linux_guest ? " " : "", plan);
		uint64_t timeout_ms = watchdog_ms(o, pending_count(c, want));
		struct session s = { .mode = c->mode, .kernel = o->guest, .initrd = linux_guest ? o->initrd : NULL,
				     .format = IMAGE_AUTO, .cmdline = cmdline,
				     .result_lines = linux_guest, .mem_bytes = o->mem_mb << 20,
				     .echo_fd = o->serial ? STDOUT_FILENO : -1, .timeout_ms = timeout_ms, .on_msg = on_msg, .strict = o->strict,
				     .on_count = on_count, .opaque = c, .prof = c->prof };
		struct session_result r;
		c->current = -1;
		c->done = false;
		c->panic[0] = 0;
		session_boot(&s, &r);
		add_stats(c, &r.stats);
		if (c->done)
			return;
		char why[512];
		if (r.setup_failed)
			snprintf(why, sizeof(why), "%s", r.error);
		else if (c->panic[0])
			snprintf(why, sizeof(why), "guest failed: %s", c->panic);
		else if (r.out.end == RUN_EXITED)
			snprintf(why, sizeof(why), "guest exited with status %d before finishing (last output: %s)",
				 r.out.exit_status, r.last_line);
		else
			snprintf(why, sizeof(why), "%s (last output: %s)", r.out.reason, r.last_line);
		if (c->current >= 0) {
			if (!c->finished[c->current])
				add_status(c, c->current, MS_FAILED, why);
			c->finished[c->current] = true;
			char what[600];
			snprintf(what, sizeof(what), "%s FAILED: %s", bench_table[c->current].name, why);
			say(c, "  %-8s %s\n", c->mode->name, what);
			progress(c, c->current);
		} else {
			/* no benchmark to blame: the boot itself failed, so the rest cannot run either */
			fail_pending(c, want, why);
			say(c, "  %-8s FAILED to boot: %s\n", c->mode->name, why);
		}
		if (user_interrupted) { /* the whole run stops: the rest of this mode too */
			fail_pending(c, want, INTERRUPTED);
			return;
		}
	}
}

static void run_mode(struct collector *c)
{
	char why[256];
	bool want[BENCH_MAX] = { false };
	const struct engine_ops *eng = c->mode->engine;
	if (eng->probe(why, sizeof(why))) {
		char reason[300];
		snprintf(reason, sizeof(reason), "unsupported on this host: %s", why);
		say(c, "  %-8s unavailable: %s\n", c->mode->name, why);
		for (int b = 0; b < bench_count; b++)
			if (c->o->plan.want[b]) {
				add_status(c, b, MS_UNSUPPORTED, reason);
				progress(c, b);
			}
		return;
	}
	say(c, "%s (%s):\n", c->mode->name, c->backend);
	for (int b = 0; b < bench_count; b++) {
		if (!c->o->plan.want[b])
			continue;
		unsigned needs = bench_table[b].needs | (c->o->paging32 ? PVB_NEED_PAGING32 : 0);
		const char *no = eng->bench_unsupported(bench_table[b].name, needs);
		if (no) {
			add_status(c, b, MS_UNSUPPORTED, no);
			c->finished[b] = true;
			progress(c, b);
		} else {
			want[b] = true;
		}
	}
	if (user_interrupted) { /* stopped before this mode ran: what it would have run says so */
		fail_pending(c, want, INTERRUPTED);
		return;
	}
	if (eng->kind != ENGINE_GUEST) {
		struct bench_plan p = c->o->plan;
		memcpy(p.want, want, sizeof(want));
		bool linux_guest = c->o->plan.guest == GUEST_LINUX;
		struct host_run hr = { .plan = &p, .guest = c->o->guest, .initrd = linux_guest ? c->o->initrd : NULL,
				       .append = linux_guest ? c->o->append : NULL, .mem_mb = c->o->mem_mb,
				       .timeout_ms = watchdog_ms(c->o, pending_count(c, want)),
				       .echo_fd = c->o->serial ? STDOUT_FILENO : -1 };
		eng->run_host(&hr, on_msg, c);
		/* a peer that died or hung leaves benchmarks without an outcome */
		fail_pending(c, want, user_interrupted ? INTERRUPTED : c->panic[0] ? c->panic : "the run ended before reporting it");
	} else {
		run_guest_mode(c, want);
	}
}

void runner_run_mode(const struct run_opts *o, const struct mode *m,
		     struct result_set *rs)
{
	struct collector c = { .mode = m, .rs = rs, .o = o, .current = -1 };
	mode_backend(m, c.backend, sizeof(c.backend));
	counters_open(&c.ctr);
	static struct profile prof; /* 100 KB: not on the stack */
	if (o->profile && m->engine->kind == ENGINE_GUEST) {
		prof_open(&prof, host_tsc_hz());
		c.prof = &prof;
	}
	run_mode(&c);
	if (c.prof)
		prof_close(c.prof);
	counters_close(&c.ctr);
}
