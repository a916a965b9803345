/* A run out of pvbench, in the shapes other tools read, and a JSON export back in (a
 * baseline file is one). */
#ifndef COLLECT_EXPORT_H
#define COLLECT_EXPORT_H
#include <stdio.h>
#include "host.h"
#include "results.h"
#include "store.h"

enum export_format {
	EXPORT_JSON,      /* everything: run, host, per-cell statistics, raw samples, values */
	EXPORT_CSV,       /* one row per benchmark x mode */
	EXPORT_MARKDOWN,  /* the benchmark x mode table */
	EXPORT_GAB,       /* github-action-benchmark, customSmallerIsBetter */
	EXPORT_BMF,       /* Bencher Metric Format */
};

#define EXPORT_JSON_FORMAT "pvbench-run-1"

/* -1 for an unknown name. */
int export_format_parse(const char *name, enum export_format *f);
int export_run(FILE *out, enum export_format f, const struct run_meta *meta, const struct host_info *h,
	       const struct result_set *r, char *err, size_t n);
/* A JSON export read back into r (which it initializes): ok cells become their samples,
 * others one row with the reason. */
int import_run(const char *path, struct run_meta *meta, struct host_info *h, struct result_set *r, char *err,
	       size_t n);

#endif
