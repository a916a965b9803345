/* One run's results in memory, as they arrive; the store writes them in one transaction. */
#ifndef COLLECT_RESULTS_H
#define COLLECT_RESULTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mstatus { MS_OK, MS_UNSUPPORTED, MS_FAILED };

struct measurement {
	char mode[16], bench[32], backend[24];
	int rep;
	uint64_t iters;
	int64_t ticks;
	uint64_t tsc_hz;
	double ns_per_op;
	enum mstatus status;
	char reason[256];
};

struct counter_rec {
	char mode[16], bench[32], name[48], source[64];
	int64_t value;   /* over the whole benchmark: sizing, warm-up and repetitions;
			    meaningless when source starts with "unavailable" */
};

struct stat_rec {
	char mode[16], name[48];
	uint64_t value;
};

struct value_rec {
	char mode[16], bench[32];
	uint64_t value;
};

/* One hook of a per-hook profile (collect/profile.h) over one benchmark. kind "total"
 * is the benchmark's own wall time, what the hooks' shares are shares of. */
struct prof_rec {
	char mode[16], bench[32], kind[8], hook[32];
	uint64_t calls;
	double host_ns;
	char events[128];   /* JSON object: event name -> count */
	char source[96];    /* where the events came from */
};

/* A deterministic figure (collect/figures.h): count events over ops operations. */
struct figure_rec {
	char mode[16], bench[32], name[48];
	int64_t count;
	uint64_t ops;
	bool exact;      /* the same in both passes of each size: comparable exactly */
};

/* How long one benchmark x mode took, from the outcome before it (the mode's first one
 * from its start: the boot is in it), for later runs' ETA. */
struct duration_rec {
	char mode[16], bench[32];
	double ms;
};

struct result_set {
	struct measurement *m;
	size_t nm, capm;
	struct counter_rec *c;
	size_t nc, capc;
	struct stat_rec *s;
	size_t ns, caps;
	struct value_rec *v;
	size_t nv, capv;
	struct prof_rec *p;
	size_t np, capp;
	struct figure_rec *f;
	size_t nf, capf;
	struct duration_rec *d;
	size_t nd, capd;
};

/* Appends return a zeroed slot, or NULL when memory runs out. */
struct measurement *results_add_measurement(struct result_set *r);
struct counter_rec *results_add_counter(struct result_set *r);
struct stat_rec *results_add_stat(struct result_set *r);
struct value_rec *results_add_value(struct result_set *r);
struct prof_rec *results_add_prof(struct result_set *r);
struct figure_rec *results_add_figure(struct result_set *r);
struct duration_rec *results_add_duration(struct result_set *r);
void results_free(struct result_set *r);
const char *mstatus_name(enum mstatus s);
enum mstatus mstatus_parse(const char *s); /* anything unknown is "failed" */

#endif
