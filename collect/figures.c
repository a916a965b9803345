#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "figures.h"

int figures_derive(const struct mode_stats pass[FIGURE_PASSES], const uint64_t ops[FIGURE_PASSES], const char *mode,
		   const char *bench, struct result_set *rs)
{
	if (!ops[0] || ops[1] != 2 * ops[0] || ops[2] != ops[0] || ops[3] != ops[1])
		return -1;
	const struct mode_stats *names = &pass[FIGURE_PASSES - 1];
	for (int i = 0; i < names->n; i++) {
		const char *name = names->s[i].name;
		if (names->s[i].host)
			continue;
		uint64_t d[FIGURE_PASSES];
		bool moved = false;
		for (int p = 0; p < FIGURE_PASSES; p++) {
			d[p] = mode_stat_value(&pass[p], name);
			moved |= d[p] != 0;
		}
		/* fewer in the longer pass is no cost per operation: what the bracket costs changed
		 * between the passes (bt adapting an instruction during the first) */
		bool exact = d[0] == d[2] && d[1] == d[3] && d[1] >= d[0];
		/* none per operation: absent, which compare reads as an exact 0 */
		if (!moved || (exact && d[1] == d[0]))
			continue;
		struct figure_rec *f = results_add_figure(rs);
		if (!f)
			return -1;
		snprintf(f->mode, sizeof(f->mode), "%s", mode);
		snprintf(f->bench, sizeof(f->bench), "%s", bench);
		snprintf(f->name, sizeof(f->name), "%s", name);
		f->count = (int64_t)(d[1] - d[0]);
		f->ops = ops[1] - ops[0];
		f->exact = exact;
	}
	return 0;
}

double figure_per_op(const struct figure_rec *f) { return (double)f->count / (double)f->ops; }

const struct figure_rec *figure_find(const struct result_set *r, const char *mode, const char *bench, const char *name)
{
	for (size_t i = 0; i < r->nf; i++)
		if (!strcmp(r->f[i].mode, mode) && !strcmp(r->f[i].bench, bench) && !strcmp(r->f[i].name, name))
			return &r->f[i];
	return NULL;
}

static bool has_figures(const struct result_set *r, const char *mode, const char *bench)
{
	for (size_t i = 0; i < r->nf; i++)
		if (!strcmp(r->f[i].mode, mode) && !strcmp(r->f[i].bench, bench))
			return true;
	return false;
}

/* a's figure against b's, exactly: -1, 0, 1 */
static int cmp_exact(const struct figure_rec *a, const struct figure_rec *b)
{
	__int128 x = (__int128)a->count * (__int128)b->ops, y = (__int128)b->count * (__int128)a->ops;
	return (x > y) - (x < y);
}

static int add_row(struct figure_row **rows, size_t *n, size_t *cap, const struct figure_rec *a,
		   const struct figure_rec *b)
{
	int c = cmp_exact(a, b);
	if (!c && a->exact == b->exact)
		return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct figure_row *g = realloc(*rows, nc * sizeof(**rows));
		if (!g)
			return -1;
		*rows = g;
		*cap = nc;
	}
	struct figure_row *r = &(*rows)[(*n)++];
	memset(r, 0, sizeof(*r));
	snprintf(r->mode, sizeof(r->mode), "%s", a->mode);
	snprintf(r->bench, sizeof(r->bench), "%s", a->bench);
	snprintf(r->name, sizeof(r->name), "%s", a->name);
	r->a = *a;
	r->b = *b;
	bool exact = a->exact && b->exact;
	r->verdict = !exact ? (a->exact ? "no longer deterministic" : "now deterministic") : c < 0 ? "more" : "fewer";
	r->regression = exact && c < 0;
	return 0;
}

/* f, or an exact 0 per operation when the run counted this benchmark without it */
static const struct figure_rec *or_zero(const struct figure_rec *f, const struct figure_rec *other,
					 const struct result_set *r, struct figure_rec *zero)
{
	if (f || !has_figures(r, other->mode, other->bench))
		return f;
	*zero = *other;
	zero->count = 0;
	zero->ops = 1;
	zero->exact = true;
	return zero;
}

int figures_compare(const struct result_set *a, const struct result_set *b, struct figure_row **rows, size_t *nrows,
		    size_t *nsame)
{
	size_t cap = 0;
	*rows = NULL;
	*nrows = *nsame = 0;
	for (int side = 0; side < 2; side++) {
		const struct result_set *from = side ? b : a, *to = side ? a : b;
		for (size_t i = 0; i < from->nf; i++) {
			const struct figure_rec *f = &from->f[i], *g = figure_find(to, f->mode, f->bench, f->name);
			if (side && g)
				continue; /* compared from A's side */
			struct figure_rec zero;
			if (!(g = or_zero(g, f, to, &zero)) || (!f->exact && !g->exact))
				continue; /* the other run did not count this benchmark, or nothing is exact */
			size_t before = *nrows;
			if (add_row(rows, nrows, &cap, side ? g : f, side ? f : g)) {
				free(*rows);
				*rows = NULL;
				*nrows = 0;
				return -1;
			}
			*nsame += *nrows == before;
		}
	}
	return 0;
}
