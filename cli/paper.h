/* Adams & Agesen's nanobenchmark table (ASPLOS 2006), reproduced from one run: what
 * pvbench report prints beside its own results. */
#ifndef CLI_PAPER_H
#define CLI_PAPER_H
#include <stdio.h>
#include "../collect/results.h"
#include "../collect/table.h"

void paper_table(FILE *f, const struct table *t, const struct result_set *r);

#endif
