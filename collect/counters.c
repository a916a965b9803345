#include <errno.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>
#include "counters.h"

static const struct {
	const char *name, *event;
	int hardware;
} wanted[COUNTERS_MAX] = {
	{ "cycles", "cycles", 1 },
	{ "instructions", "instructions", 1 },
	{ "task_clock_ns", "perf::TASK-CLOCK", 0 },
	{ "context_switches", "perf::CONTEXT-SWITCHES", 0 },
	{ "page_faults", "perf::PAGE-FAULTS", 0 },
};

int counters_open_event(const char *event, int group_fd, uint64_t read_format, char *why, size_t n)
{
	static int pfm_state = -1;
	if (pfm_state < 0)
		pfm_state = pfm_initialize();
	if (pfm_state != PFM_SUCCESS) {
		snprintf(why, n, "libpfm4 did not initialise");
		return -1;
	}
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	int r = pfm_get_os_event_encoding(event, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
	if (r != PFM_SUCCESS) {
		snprintf(why, n, "libpfm4: %s", pfm_strerror(r));
		return -1;
	}
	attr.disabled = group_fd < 0;
	attr.read_format = read_format;
	int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		snprintf(why, n, "perf_event_open: %s", strerror(errno));
	return fd;
}

void counters_open(struct counters *cs)
{
	memset(cs, 0, sizeof(*cs));
	for (int i = 0; i < COUNTERS_MAX; i++) {
		struct counter *c = &cs->c[cs->n++];
		char why[48];
		c->name = wanted[i].name;
		c->fd = counters_open_event(wanted[i].event, -1, 0, why, sizeof(why));
		if (c->fd >= 0)
			snprintf(c->source, sizeof(c->source), "%s:%s", wanted[i].hardware ? "hardware" : "software", wanted[i].event);
		else if (!strcmp(c->name, "cycles")) {
			c->use_tsc = 1; /* reference cycles at the TSC rate, not core clocks */
			snprintf(c->source, sizeof(c->source), "tsc (no PMU: %s)", why);
		} else
			snprintf(c->source, sizeof(c->source), "unavailable: %s", why);
	}
}

void counters_start(struct counters *cs)
{
	for (int i = 0; i < cs->n; i++) {
		struct counter *c = &cs->c[i];
		if (c->fd >= 0) {
			ioctl(c->fd, PERF_EVENT_IOC_RESET, 0);
			ioctl(c->fd, PERF_EVENT_IOC_ENABLE, 0);
		}
		if (c->use_tsc)
			c->tsc_start = __rdtsc();
	}
}

void counters_read(struct counters *cs, int64_t *values)
{
	for (int i = 0; i < cs->n; i++) {
		struct counter *c = &cs->c[i];
		uint64_t v = 0;
		if (c->fd >= 0) {
			ioctl(c->fd, PERF_EVENT_IOC_DISABLE, 0);
			if (read(c->fd, &v, sizeof(v)) != sizeof(v))
				v = 0;
		} else if (c->use_tsc) {
			v = __rdtsc() - c->tsc_start;
		}
		values[i] = (int64_t)v;
	}
}

void counters_close(struct counters *cs)
{
	for (int i = 0; i < cs->n; i++)
		if (cs->c[i].fd >= 0)
			close(cs->c[i].fd);
	cs->n = 0;
}
