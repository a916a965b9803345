#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "peer.h"
#include "../../collect/resultline.h"
#include "../../util/clock.h"
#include "../../util/proc.h"

/* What one run has seen. */
struct peer_state {
	const struct peer_cmd *pc;
	ctl_msg_fn *emit;
	void *opaque;
	char bench[PVB_NAME_LEN];   /* running, "" for none */
	bool done;
	char last[160];             /* the last line, for failure reasons */
	uint64_t prev_ns, prev_tsc; /* the previous result line of this benchmark */
	bool have_prev;
};

static void fail(struct peer_state *s, const char *fmt, const char *detail)
{
	struct pvb_msg m = { .magic = PVB_MSG_MAGIC, .type = PVB_MSG_FAILED };
	snprintf(m.bench, sizeof(m.bench), "%s", s->bench);
	snprintf(m.text, sizeof(m.text), fmt, detail, s->last);
	s->emit(s->opaque, &m);
}

static void on_line(struct peer_state *s, const char *line)
{
	uint64_t now = host_ns();
	struct pvb_msg m;
	if (s->pc->echo_fd >= 0) {
		ssize_t w = write(s->pc->echo_fd, line, strlen(line));
		(void)w; /* an echo that cannot be written is not the measurement's business */
	}
	if (strspn(line, " \r\n") != strlen(line))
		snprintf(s->last, sizeof(s->last), "%.*s", (int)strcspn(line, "\r\n"), line);
	if (resultline_parse(line, &m))
		return;
	if (m.type == PVB_MSG_BEGIN) {
		snprintf(s->bench, sizeof(s->bench), "%s", m.bench);
		s->have_prev = false;
	} else if (m.type == PVB_MSG_END) {
		s->bench[0] = 0;
	} else if (m.type == PVB_MSG_DONE) {
		s->done = true;
	}
	if (m.type == PVB_MSG_RESULT && s->pc->wall_clock) {
		/* the gap between two result lines is one loop plus one report; the loop's
		 * share of the guest's clock over the gap is its share of the host's */
		bool usable = s->have_prev && m.tsc > s->prev_tsc && m.ticks > 0;
		uint64_t gap_ns = now - s->prev_ns, gap_tsc = m.tsc - s->prev_tsc;
		s->prev_ns = now;
		s->prev_tsc = m.tsc;
		s->have_prev = true;
		if (!usable)
			return; /* the first repetition: nothing to measure its start from */
		m.ticks = (int64_t)((double)gap_ns * (double)m.ticks / (double)gap_tsc);
		m.tsc_hz = 1000000000;
	}
	s->emit(s->opaque, &m);
}

/* Splits what arrives into lines; true at end of file. */
static bool drain(int fd, char *buf, size_t cap, size_t *len, struct peer_state *s)
{
	ssize_t got = read(fd, buf + *len, cap - *len - 1);
	if (got <= 0)
		return got == 0 || (errno != EINTR && errno != EAGAIN);
	*len += (size_t)got;
	buf[*len] = 0;
	char *start = buf, *nl;
	while ((nl = strchr(start, '\n'))) {
		char c = nl[1];
		nl[1] = 0;
		on_line(s, start);
		nl[1] = c;
		start = nl + 1;
	}
	*len -= (size_t)(start - buf);
	memmove(buf, start, *len);
	if (*len == cap - 1) /* a line longer than the buffer is not a result line */
		*len = 0;
	return false;
}

static void stop(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

void peer_run(const struct peer_cmd *pc, ctl_msg_fn *emit, void *opaque)
{
	struct peer_state s = { .pc = pc, .emit = emit, .opaque = opaque };
	int out[2] = { -1, -1 }, term = -1, com1 = -1;
	pid_t pid;
	if (pc->pty) {
		pid = forkpty(&term, NULL, NULL, NULL);
		if (pid == 0) {
			setenv("TERM", "xterm", 1);
			execvp(pc->argv[0], (char *const *)pc->argv);
			_exit(127);
		}
	} else {
		if (pipe(out)) {
			fail(&s, "cannot start %s: no pipe (last output: %s)", pc->argv[0]);
			return;
		}
		pid = fork();
		if (pid == 0) {
			close(out[0]);
			exec_program(pc->argv, out[1]);
		}
		close(out[1]);
		com1 = out[0];
	}
	if (pid < 0) {
		fail(&s, "cannot start %s (last output: %s)", pc->argv[0]);
		if (out[0] >= 0)
			close(out[0]);
		return;
	}
	/* opening a FIFO's read end waits for the writer; O_NONBLOCK does not */
	if (pc->com1_fifo && (com1 = open(pc->com1_fifo, O_RDONLY | O_NONBLOCK)) < 0) {
		stop(pid);
		fail(&s, "cannot read COM1 from %s (last output: %s)", pc->com1_fifo);
		return;
	}
	uint64_t deadline = host_ns() + pc->timeout_ms * 1000000;
	char buf[4096], scratch[4096];
	size_t len = 0;
	bool writer_seen = false, eof = false;
	while (!s.done && !eof) {
		struct pollfd p[2] = { { com1, POLLIN, 0 }, { term, POLLIN, 0 } };
		int ready = poll(p, term >= 0 ? 2 : 1, 100);
		if (ready < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			writer_seen = true;
			eof = drain(com1, buf, sizeof(buf), &len, &s);
		} else if (p[0].revents & POLLHUP) {
			eof = !pc->com1_fifo || writer_seen; /* a FIFO hangs up until its writer opens */
		}
		if (term >= 0 && (p[1].revents & (POLLIN | POLLHUP)) && read(term, scratch, sizeof(scratch)) <= 0)
			eof = true; /* the terminal is only drained, so the child never blocks on it */
		if (host_ns() > deadline) {
			char t[32];
			snprintf(t, sizeof(t), "%llu", (unsigned long long)(pc->timeout_ms / 1000));
			stop(pid);
			fail(&s, "watchdog: still running after %s s (last output: %s)", t);
			pid = -1;
			break;
		}
	}
	if (pid > 0) {
		int st = 0;
		if (s.done)
			stop(pid); /* the guest halts after DONE; peers without isa-debug-exit keep running */
		else if (waitpid(pid, &st, WNOHANG) == 0)
			stop(pid);
		if (!s.done) {
			char what[64];
			snprintf(what, sizeof(what), WIFEXITED(st) ? "exited with status %d" : "was killed by signal %d",
				 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			fail(&s, "%s before the guest finished (last output: %s)", what);
		}
	}
	if (com1 >= 0)
		close(com1);
	if (term >= 0)
		close(term);
}
