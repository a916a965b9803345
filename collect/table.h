/* A run as benchmark x mode cells: each cell's samples summarized, or why it has none.
 * What show, compare, export, plot and report all read. */
#ifndef COLLECT_TABLE_H
#define COLLECT_TABLE_H
#include "results.h"
#include "stats.h"

#define TABLE_MAX_MODES 16

struct cell {
	const char *mode, *bench, *backend;
	/* failed if any repetition failed (the reason of the first), else ok if any was
	 * measured, else unsupported */
	enum mstatus status;
	const char *reason;
	double *v;           /* the ok samples (ns per operation), sorted */
	size_t n;
	struct summary s;    /* of v, when n > 0 */
};

struct table {
	const char *modes[TABLE_MAX_MODES];
	int nmodes;
	struct cell *c;      /* in the order the measurements came */
	size_t n;
};

/* Points into r, which must outlive the table. -1 when memory runs out. */
int table_build(const struct result_set *r, struct table *t);
const struct cell *table_cell(const struct table *t, const char *mode, const char *bench);
/* Whether any mode has a cell for bench: a row to show. */
bool table_has_bench(const struct table *t, const char *bench);
void table_free(struct table *t);

#endif
