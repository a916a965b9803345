/* The plots of one run, shared by pvbench plot and pvbench report. */
#ifndef CLI_PLOT_H
#define CLI_PLOT_H
#include "../collect/results.h"

#define PLOT_MAX 8

struct plot_entry {
	const char *name;     /* files name.png and name.svg */
	const char *caption;  /* NULL when not drawn */
	const char *skipped;  /* why not */
};

struct plot_list {
	struct plot_entry p[PLOT_MAX];
	int n;
};

void plot_list_add(struct plot_list *l, const char *name, const char *caption);
void plot_list_skip(struct plot_list *l, const char *name, const char *why);
/* Draws r into dir (made if missing); db, if not NULL, supplies the history. */
/* reference: the mode slowdowns are against where native did not run (NULL: emulate). */
int plot_run(const struct result_set *r, const char *db, const char *dir, const char *reference, struct plot_list *made,
	     char *err, size_t n);

#endif
