#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "counters.h"
#include "profile.h"

/* Cycles and instructions where the PMU allows; otherwise the software events that a
 * hook can cause on the host and that reading them does not: page faults and context
 * switches (the task clock would count mostly its own reading). */
static const struct { const char *name, *event; int hardware; } sets[2][PROF_EVENTS] = {
	{ { "cycles", "cycles", 1 }, { "instructions", "instructions", 1 } },
	{ { "page_faults", "perf::PAGE-FAULTS", 0 }, { "context_switches", "perf::CONTEXT-SWITCHES", 0 } },
};

static int open_set(struct profile *p, int s, char *why, size_t n)
{
	p->group_fd = -1;
	p->nev = 0;
	for (int i = 0; i < PROF_EVENTS; i++) {
		int fd = counters_open_event(sets[s][i].event, p->group_fd, PERF_FORMAT_GROUP, why, n);
		if (fd < 0) {
			if (p->group_fd >= 0)
				close(p->group_fd);
			p->group_fd = -1;
			return -1;
		}
		if (p->group_fd < 0)
			p->group_fd = fd;
		p->ev_name[i] = sets[s][i].name;
		snprintf(p->ev_source[i], sizeof(p->ev_source[i]), "%s:%s", sets[s][i].hardware ? "hardware" : "software",
			 sets[s][i].event);
	}
	p->nev = PROF_EVENTS;
	ioctl(p->group_fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
	return 0;
}

void prof_open(struct profile *p, uint64_t tsc_hz)
{
	memset(p, 0, sizeof(*p));
	p->tsc_hz = tsc_hz;
	char hw_why[48], sw_why[48];
	if (!open_set(p, 0, hw_why, sizeof(hw_why)) || !open_set(p, 1, sw_why, sizeof(sw_why)))
		return;
	for (int i = 0; i < PROF_EVENTS; i++) {
		p->ev_name[i] = sets[1][i].name;
		snprintf(p->ev_source[i], sizeof(p->ev_source[i]), "unavailable: %s", sw_why);
	}
}

void prof_close(struct profile *p)
{
	if (p->group_fd >= 0)
		close(p->group_fd);
	p->group_fd = -1;
	p->nev = 0;
}

void prof_reset(struct profile *p) { memset(p->h, 0, sizeof(p->h)); }

void prof_read_events(const struct profile *p, int64_t *ev)
{
	uint64_t buf[1 + PROF_EVENTS];
	if (read(p->group_fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		memset(ev, 0, sizeof(*ev) * PROF_EVENTS);
		return;
	}
	for (int i = 0; i < PROF_EVENTS; i++)
		ev[i] = (int64_t)buf[1 + i];
}
