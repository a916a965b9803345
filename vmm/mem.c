#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include "mem.h"

/* RAM is a memfd, so that one guest frame can be mapped at other host addresses too (the
 * translator's shadow windows, modes/bt/shadow.c); pages come on first touch, as with
 * anonymous memory. */
int mem_init(struct guest_mem *m, uint64_t size)
{
	m->host = NULL;
	m->fd = memfd_create("pvbench-guest-ram", MFD_CLOEXEC);
	if (m->fd < 0)
		return -1;
	void *p = MAP_FAILED;
	if (!ftruncate(m->fd, (off_t)size))
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, m->fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;
		close(m->fd);
		m->fd = -1;
		errno = err;
		return -1;
	}
	m->host = p;
	m->size = size;
	return 0;
}

void mem_free(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	if (m->host && m->fd >= 0)
		close(m->fd);
	m->host = NULL;
	m->size = 0;
	m->fd = -1;
}

void *mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->host + gpa;
}
