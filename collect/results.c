#include <stdlib.h>
#include <string.h>
#include "results.h"

static void *grow(void **arr, size_t *n, size_t *cap, size_t elem)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		void *p = realloc(*arr, c * elem);
		if (!p)
			return NULL;
		*arr = p;
		*cap = c;
	}
	void *slot = (char *)*arr + (*n)++ * elem;
	memset(slot, 0, elem);
	return slot;
}

struct measurement *results_add_measurement(struct result_set *r) { return grow((void **)&r->m, &r->nm, &r->capm, sizeof(*r->m)); }
struct counter_rec *results_add_counter(struct result_set *r) { return grow((void **)&r->c, &r->nc, &r->capc, sizeof(*r->c)); }
struct stat_rec *results_add_stat(struct result_set *r) { return grow((void **)&r->s, &r->ns, &r->caps, sizeof(*r->s)); }
struct value_rec *results_add_value(struct result_set *r) { return grow((void **)&r->v, &r->nv, &r->capv, sizeof(*r->v)); }
struct prof_rec *results_add_prof(struct result_set *r) { return grow((void **)&r->p, &r->np, &r->capp, sizeof(*r->p)); }
struct figure_rec *results_add_figure(struct result_set *r) { return grow((void **)&r->f, &r->nf, &r->capf, sizeof(*r->f)); }
struct duration_rec *results_add_duration(struct result_set *r) { return grow((void **)&r->d, &r->nd, &r->capd, sizeof(*r->d)); }

void results_free(struct result_set *r)
{
	free(r->m);
	free(r->c);
	free(r->s);
	free(r->v);
	free(r->p);
	free(r->f);
	free(r->d);
	memset(r, 0, sizeof(*r));
}

const char *mstatus_name(enum mstatus s)
{
	return s == MS_OK ? "ok" : s == MS_UNSUPPORTED ? "unsupported" : "failed";
}

enum mstatus mstatus_parse(const char *s)
{
	return !strcmp(s, "ok") ? MS_OK : !strcmp(s, "unsupported") ? MS_UNSUPPORTED : MS_FAILED;
}
