/* pvbench-linux: the OS-level benchmarks, run by /init in the Linux guest's initramfs.
 * Each times the three things the lab exists for -- system calls, page-table updates,
 * timer events -- plus a context switch and compute, through a stock kernel, and reports
 * them as the benchmark guest does: "PVB ..." lines on the console (README), with ticks
 * in nanoseconds of CLOCK_MONOTONIC (tsc_hz=1000000000). The exit status goes to QEMU's
 * isa-debug-exit port, which ends the run in every engine.
 *
 * usage: pvbench-linux [bench=a,b,...] [reps=N] [warmup=N] [rep_us=N] [iters=N] */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../compute.h"
#include "../../abi/proto.h"

#define NS_HZ 1000000000ull
#define PAGE 4096
#define FAULT_PAGES 64

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_HZ + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	printf("PVB panic %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(3);
}

/* Each benchmark does n operations and returns how many it did (page faults come in
 * whole mappings). */
static uint64_t b_getppid(uint64_t n)
{
	for (uint64_t k = 0; k < n; k++)
		syscall(SYS_getppid);
	return n;
}

static uint64_t b_vdso_gettime(uint64_t n)
{
	struct timespec ts;
	for (uint64_t k = 0; k < n; k++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return n;
}

/* one operation: the first touch of a page of a fresh anonymous mapping */
static uint64_t b_anon_fault(uint64_t n)
{
	uint64_t done = 0;
	while (done < n) {
		volatile char *p = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		for (int k = 0; k < FAULT_PAGES; k++)
			p[k * PAGE] = 1;
		munmap((void *)p, FAULT_PAGES * PAGE);
		done += FAULT_PAGES;
	}
	return done;
}

static uint64_t b_mmap_munmap(uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		munmap(p, PAGE);
	}
	return n;
}

/* one operation: mprotect of 16 touched pages, read-only then back */
static char *prot_area;
static uint64_t b_mprotect(uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		mprotect(prot_area, 16 * PAGE, (k & 1) ? PROT_READ | PROT_WRITE : PROT_READ);
	}
	mprotect(prot_area, 16 * PAGE, PROT_READ | PROT_WRITE);
	return n;
}

/* Adams & Agesen's forkwait: fork, the child exits, the parent waits */
static uint64_t b_forkwait(uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		pid_t p = fork();
		if (p < 0)
			die("fork");
		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	}
	return n;
}

/* one operation: a 1 us sleep, its latency included */
static uint64_t b_nanosleep(uint64_t n)
{
	struct timespec d = { 0, 1000 };
	for (uint64_t k = 0; k < n; k++)
		nanosleep(&d, NULL);
	return n;
}

/* one operation: a timerfd armed 1 us ahead, read when it fires */
static int tfd = -1;
static uint64_t b_timerfd(uint64_t n)
{
	struct itimerspec it = { { 0, 0 }, { 0, 1000 } };
	uint64_t ticks;
	for (uint64_t k = 0; k < n; k++) {
		timerfd_settime(tfd, 0, &it, NULL);
		if (read(tfd, &ticks, sizeof(ticks)) != sizeof(ticks))
			die("timerfd read");
	}
	return n;
}

/* one operation: a byte to the child through one pipe and back through another */
static int ping[2], pong[2];
static pid_t echo_child = -1;
static uint64_t b_pipe_pingpong(uint64_t n)
{
	char c = 0;
	for (uint64_t k = 0; k < n; k++) {
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			die("pipe");
	}
	return n;
}

static void echo_loop(void)
{
	char c;
	close(ping[1]);
	close(pong[0]);
	while (read(ping[0], &c, 1) == 1)
		if (write(pong[1], &c, 1) != 1)
			break;
	_exit(0);
}

/* The time a periodic 1 kHz timer (SIGALRM through the kernel's timer interrupt and
 * signal delivery) steals from a running loop, per tick: the same work with and without
 * it, the difference over the ticks delivered. Reported as its own ticks and count. */
static volatile uint64_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static uint64_t spin(uint64_t n)
{
	uint64_t t0 = now_ns();
	for (volatile uint64_t k = 0; k < n; k++)
		;
	return now_ns() - t0;
}

static int64_t tick_cost(uint64_t n, uint64_t *ticks)
{
	uint64_t quiet = spin(n);
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	uint64_t busy = spin(n);
	setitimer(ITIMER_REAL, &off, NULL);
	*ticks = alarms;
	return (int64_t)busy - (int64_t)quiet;
}

static struct compute_state cs;
static uint64_t b_compute(uint64_t n)
{
	compute_restart(&cs, 2);
	for (uint64_t k = 0; k < n; k++)
		compute_pass(&cs);
	return n;
}

struct bench {
	const char *name;
	uint64_t (*run)(uint64_t n);
};

static const struct bench benches[] = {
	{ "getppid", b_getppid },       { "vdso_gettime", b_vdso_gettime }, { "anon_fault", b_anon_fault },
	{ "mmap_munmap", b_mmap_munmap }, { "mprotect", b_mprotect },         { "forkwait", b_forkwait },
	{ "nanosleep", b_nanosleep },   { "timerfd", b_timerfd },           { "pipe_pingpong", b_pipe_pingpong },
	{ "user_compute", b_compute },
};

struct config {
	char bench[512];
	unsigned reps, warmup;
	uint64_t rep_us, iters;
};

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, ",");
		if ((l == n && !strncmp(p, name, n)) || (l == 3 && !strncmp(p, "all", 3)))
			return true;
		p += l + (p[l] == ',');
	}
	return false;
}

/* Iterations for one repetition of about rep_us (a probe of 1, 2, 4... operations),
 * unless fixed by iters=. */
static uint64_t size_iters(const struct bench *b, const struct config *c)
{
	if (c->iters)
		return c->iters;
	uint64_t n = 1;
	for (;;) {
		uint64_t t0 = now_ns(), done = b->run(n), t = now_ns() - t0;
		if (t * 2 >= c->rep_us * 1000 || n >= (1ull << 30))
			return done ? done * (c->rep_us * 1000) / (t ? t : 1) + 1 : 1;
		n *= 2;
	}
}

static void report(const char *name, unsigned rep, uint64_t done, int64_t ns)
{
	printf("PVB result bench=%s rep=%u iters=%llu ticks=%lld tsc_hz=%llu tsc=%llu\n", name, rep, (unsigned long long)done,
	       (long long)ns, NS_HZ, (unsigned long long)now_ns());
	fflush(stdout);
}

/* tick_cost: a loop of about rep_us (and at least 10 ticks) per repetition */
static void run_tick_cost(const struct config *c)
{
	printf("PVB begin bench=tick_cost\n");
	uint64_t n = 1;
	while (spin(n) < (c->rep_us > 10000 ? c->rep_us : 10000) * 1000 && n < (1ull << 40))
		n *= 2;
	for (unsigned r = 0; r < c->warmup + c->reps; r++) {
		uint64_t ticks;
		int64_t ns = tick_cost(n, &ticks);
		if (r >= c->warmup)
			report("tick_cost", r - c->warmup, ticks, ns);
	}
	printf("PVB end bench=tick_cost\n");
}

static void run_one(const struct bench *b, const struct config *c)
{
	printf("PVB begin bench=%s\n", b->name);
	uint64_t n = size_iters(b, c);
	for (unsigned w = 0; w < c->warmup; w++)
		b->run(n);
	for (unsigned r = 0; r < c->reps; r++) {
		uint64_t t0 = now_ns(), done = b->run(n), t = now_ns() - t0;
		report(b->name, r, done, (int64_t)t);
	}
	if (b->run == b_compute) {
		static struct compute_state check;
		printf("PVB value bench=%s value=0x%llx\n", b->name, (unsigned long long)compute_checksum(&check));
	}
	printf("PVB end bench=%s\n", b->name);
	fflush(stdout);
}

static void parse_word(struct config *c, const char *a)
{
	if (!strncmp(a, "bench=", 6))
		snprintf(c->bench, sizeof(c->bench), "%s", a + 6);
	else if (!strncmp(a, "reps=", 5))
		c->reps = (unsigned)strtoul(a + 5, NULL, 0);
	else if (!strncmp(a, "warmup=", 7))
		c->warmup = (unsigned)strtoul(a + 7, NULL, 0);
	else if (!strncmp(a, "rep_us=", 7))
		c->rep_us = strtoull(a + 7, NULL, 0);
	else if (!strncmp(a, "iters=", 6))
		c->iters = strtoull(a + 6, NULL, 0);
}

/* The plan from the kernel command line (the way pvbench passes it), then argv. */
static void parse(struct config *c, int argc, char **argv)
{
	snprintf(c->bench, sizeof(c->bench), "all");
	c->reps = 11;
	c->warmup = 1;
	c->rep_us = 10000;
	c->iters = 0; /* sized by rep_us */
	char line[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	if (f && fgets(line, sizeof(line), f))
		for (char *save = NULL, *w = strtok_r(line, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
			parse_word(c, w);
	if (f)
		fclose(f);
	for (int i = 1; i < argc; i++)
		parse_word(c, argv[i]);
}

/* QEMU's isa-debug-exit: the run's status is (v << 1) | 1 */
static void debug_exit(int status)
{
	fflush(stdout);
	if (ioperm(PVB_DEBUG_EXIT_PORT, 1, 1) == 0)
		outb((unsigned char)status, PVB_DEBUG_EXIT_PORT);
}

int main(int argc, char **argv)
{
	struct config c;
	parse(&c, argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	prot_area = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	signal(SIGALRM, on_alarm);
	compute_init(&cs, 2);
	if (prot_area == MAP_FAILED || tfd < 0 || pipe(ping) || pipe(pong))
		die("setup");
	if ((echo_child = fork()) == 0)
		echo_loop();
	printf("PVB hello tsc_hz=%llu iface=linux\n", NS_HZ);
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (listed(c.bench, benches[i].name))
			run_one(&benches[i], &c);
	if (listed(c.bench, "tick_cost"))
		run_tick_cost(&c);
	printf("PVB done\n");
	close(ping[1]); /* the echo child reads end of file and exits */
	waitpid(echo_child, NULL, 0);
	debug_exit(0);
	return 0;
}
