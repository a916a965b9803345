#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "store.h"
#include "table.h"

void compare_opts_default(struct compare_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold_pct = COMPARE_DEFAULT_PCT;
}

int compare_opts_threshold(struct compare_opts *o, const char *arg, char *err, size_t n)
{
	const char *eq = strchr(arg, '='), *num = eq ? eq + 1 : arg;
	char *end;
	double pct = strtod(num, &end);
	if (!*num || *end || !(pct >= 0) || pct > 1000) {
		snprintf(err, n, "--threshold needs PCT or BENCH=PCT with PCT from 0 to 1000, not '%s'", arg);
		return -1;
	}
	if (!eq) {
		o->threshold_pct = pct;
		return 0;
	}
	if (eq == arg || (size_t)(eq - arg) >= sizeof(o->per[0].bench) || o->nper == COMPARE_MAX_THRESHOLDS) {
		snprintf(err, n, "--threshold '%s': bad benchmark name or too many thresholds", arg);
		return -1;
	}
	snprintf(o->per[o->nper].bench, sizeof(o->per[0].bench), "%.*s", (int)(eq - arg), arg);
	o->per[o->nper++].pct = pct;
	return 0;
}

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = { "same", "faster", "slower", "broken", "changed", "fixed", "missing", "new",
					     "not measured" };
	return names[v];
}

static double threshold_for(const struct compare_opts *o, const char *bench)
{
	for (int i = o->nper - 1; i >= 0; i--)
		if (!strcmp(o->per[i].bench, bench))
			return o->per[i].pct;
	return o->threshold_pct;
}

static void judge(struct compare_row *r, const struct cell *a, const struct cell *b, const struct compare_opts *o)
{
	r->threshold_pct = threshold_for(o, r->bench);
	if (!a || !b) {
		r->verdict = a ? V_MISSING : V_NEW;
		r->regression = a && a->status == MS_OK && o->missing_fails;
		snprintf(r->why, sizeof(r->why), "only in %s%s", a ? "A" : "B",
			 r->regression ? ": measured in the baseline, not in this run (--allow-missing to accept)" : "");
		return;
	}
	r->na = a->n;
	r->nb = b->n;
	if (a->status != MS_OK || b->status != MS_OK) {
		r->verdict = a->status == MS_OK ? V_BROKEN : b->status == MS_OK ? V_FIXED : V_NEITHER;
		r->regression = r->verdict == V_BROKEN;
		const struct cell *c = a->status == MS_OK ? b : a;
		snprintf(r->why, sizeof(r->why), "%s in %s: %s", mstatus_name(c->status), c == a ? "A" : "B", c->reason);
		return;
	}
	r->median_a = a->s.median;
	r->median_b = b->s.median;
	r->ratio = a->s.median ? b->s.median / a->s.median : NAN;
	r->change_pct = (r->ratio - 1) * 100;
	if (mann_whitney(b->v, b->n, a->v, a->n, &r->test)) {
		r->verdict = V_SAME;
		snprintf(r->why, sizeof(r->why), "no test: out of memory");
		return;
	}
	bool significant = r->test.p < COMPARE_ALPHA, beyond = fabs(r->change_pct) > r->threshold_pct;
	r->verdict = significant && beyond ? (r->change_pct > 0 ? V_SLOWER : V_FASTER) : V_SAME;
	r->regression = r->verdict == V_SLOWER;
	if (r->verdict != V_SAME)
		snprintf(r->why, sizeof(r->why), "p = %.2g < %.2g and %+.1f%% beyond ±%g%%", r->test.p, COMPARE_ALPHA,
			 r->change_pct, r->threshold_pct);
	else if (!significant && beyond)
		snprintf(r->why, sizeof(r->why), "%+.1f%% but p = %.2g: within the noise%s", r->change_pct, r->test.p,
			 a->n + b->n < 8 ? " (too few repetitions for p < 0.01)" : "");
	else if (significant)
		snprintf(r->why, sizeof(r->why), "p = %.2g but %+.1f%% is within ±%g%%", r->test.p, r->change_pct,
			 r->threshold_pct);
}

static const struct value_rec *find_value(const struct result_set *r, const char *mode, const char *bench)
{
	for (size_t i = 0; i < r->nv; i++)
		if (!strcmp(r->v[i].mode, mode) && !strcmp(r->v[i].bench, bench))
			return &r->v[i];
	return NULL;
}

/* A checked value that differs makes its row a regression, whatever the timing says. */
static void check_value(struct compare_row *r, const struct result_set *a, const struct result_set *b)
{
	const struct value_rec *va = find_value(a, r->mode, r->bench), *vb = find_value(b, r->mode, r->bench);
	if (!va || !vb || va->value == vb->value)
		return;
	r->verdict = V_CHANGED;
	r->regression = true;
	snprintf(r->why, sizeof(r->why), "checked value 0x%016llx became 0x%016llx", (unsigned long long)va->value,
		 (unsigned long long)vb->value);
}

int compare_runs(const struct result_set *a, const struct result_set *b, const struct compare_opts *o,
		 struct compare_row **rows, size_t *nrows)
{
	struct table ta, tb;
	*rows = NULL;
	*nrows = 0;
	if (table_build(a, &ta))
		return -1;
	if (table_build(b, &tb)) {
		table_free(&ta);
		return -1;
	}
	int rc = 0;
	*rows = calloc(ta.n + tb.n + 1, sizeof(**rows));
	if (!*rows)
		rc = -1;
	for (size_t pass = 0; pass < 2 && !rc; pass++) {
		const struct table *t = pass ? &tb : &ta;
		for (size_t i = 0; i < t->n; i++) {
			const struct cell *ca = table_cell(&ta, t->c[i].mode, t->c[i].bench);
			const struct cell *cb = table_cell(&tb, t->c[i].mode, t->c[i].bench);
			if (pass && ca)
				continue; /* already compared from A's side */
			struct compare_row *r = &(*rows)[(*nrows)++];
			snprintf(r->mode, sizeof(r->mode), "%s", t->c[i].mode);
			snprintf(r->bench, sizeof(r->bench), "%s", t->c[i].bench);
			judge(r, ca, cb, o);
			check_value(r, a, b);
		}
	}
	table_free(&ta);
	table_free(&tb);
	return rc;
}

int compare_history(const struct history_run *runs, size_t n, const struct compare_opts *o, struct compare_row *rows)
{
	const struct history_run *prev = NULL;
	for (size_t i = 0; i < n; i++) {
		struct compare_row *r = NULL;
		size_t nr = 0;
		memset(&rows[i], 0, sizeof(rows[i]));
		rows[i].verdict = V_NEW;
		if (prev && compare_runs(&prev->rs, &runs[i].rs, o, &r, &nr))
			return -1;
		if (nr)
			rows[i] = r[0];
		free(r);
		for (size_t j = 0; j < runs[i].rs.nm; j++)
			if (runs[i].rs.m[j].status == MS_OK) {
				prev = &runs[i];
				break;
			}
	}
	return 0;
}
