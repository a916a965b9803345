/* Child processes and temporary trees: the peers' VMMs, gnuplot, the report's files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "proc.h"

bool have_program(const char *prog, char *why, size_t n)
{
	const char *path = getenv("PATH");
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (char *save = NULL, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char f[4200];
		snprintf(f, sizeof(f), "%s/%s", d, prog);
		if (!access(f, X_OK))
			return true;
	}
	snprintf(why, n, "%s is not installed", prog);
	return false;
}

void exec_program(const char *const argv[], int out_fd)
{
	exec_program_fds(argv, out_fd, -1);
}

void exec_program_fds(const char *const argv[], int out_fd, int err_fd)
{
	int null = open("/dev/null", O_RDWR);
	dup2(null, STDIN_FILENO);
	dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
	dup2(err_fd >= 0 ? err_fd : null, STDERR_FILENO);
	setpgid(0, 0);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

int run_program(const char *const argv[]) { return run_program_stderr(argv, false); }

int run_program_stderr(const char *const argv[], bool keep_stderr)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		exec_program_fds(argv, -1, keep_stderr ? STDERR_FILENO : -1);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Everything under dir, then dir. */
void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[4352];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (!lstat(p, &st) && S_ISDIR(st.st_mode))
			remove_tree(p);
		else
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}
