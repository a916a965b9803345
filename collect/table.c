#include <stdlib.h>
#include <string.h>
#include "table.h"

static struct cell *find(struct table *t, const char *mode, const char *bench)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->c[i].mode, mode) && !strcmp(t->c[i].bench, bench))
			return &t->c[i];
	return NULL;
}

const struct cell *table_cell(const struct table *t, const char *mode, const char *bench)
{
	return find((struct table *)t, mode, bench);
}

bool table_has_bench(const struct table *t, const char *bench)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->c[i].bench, bench))
			return true;
	return false;
}

int table_build(const struct result_set *r, struct table *t)
{
	memset(t, 0, sizeof(*t));
	t->c = calloc(r->nm ? r->nm : 1, sizeof(*t->c));
	if (!t->c)
		return -1;
	for (size_t i = 0; i < r->nm; i++) {
		const struct measurement *m = &r->m[i];
		struct cell *c = find(t, m->mode, m->bench);
		if (!c) {
			c = &t->c[t->n++];
			*c = (struct cell){ .mode = m->mode, .bench = m->bench, .backend = m->backend,
					    .status = MS_UNSUPPORTED, .reason = m->reason };
			int j = 0;
			while (j < t->nmodes && strcmp(t->modes[j], m->mode))
				j++;
			if (j == t->nmodes && j < TABLE_MAX_MODES)
				t->modes[t->nmodes++] = m->mode;
		}
		if (m->status == MS_FAILED && c->status != MS_FAILED) {
			c->status = MS_FAILED;
			c->reason = m->reason;
		} else if (m->status == MS_OK) {
			if (c->status == MS_UNSUPPORTED)
				c->status = MS_OK;
			double *v = realloc(c->v, (c->n + 1) * sizeof(*v));
			if (!v) {
				table_free(t);
				return -1;
			}
			c->v = v;
			c->v[c->n++] = m->ns_per_op;
		}
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->c[i].n)
			summarize(t->c[i].v, t->c[i].n, &t->c[i].s);
	return 0;
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->c[i].v);
	free(t->c);
	memset(t, 0, sizeof(*t));
}
