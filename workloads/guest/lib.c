/* The few C library pieces a freestanding kernel needs (gcc may emit memset/memcpy calls). */
#include <stdarg.h>
#include "kernel.h"

void *memset(void *d, int c, size_t n)
{
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *r = d;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
	return r;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

void strlcpy_(char *d, const char *s, size_t n)
{
	size_t i = 0;
	for (; n && i + 1 < n && s[i]; i++)
		d[i] = s[i];
	if (n)
		d[i] = 0;
}

struct out { char *p; size_t left; int n; };

static void put(struct out *o, char c)
{
	if (o->left > 1) {
		*o->p++ = c;
		o->left--;
	}
	o->n++;
}

static void put_u64(struct out *o, uint64_t v, unsigned base)
{
	char tmp[24];
	int i = 0;
	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		put(o, tmp[--i]);
}

int vfmt(char *buf, size_t n, const char *f, va_list ap)
{
	struct out o = { buf, n, 0 };
	for (; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		int longs = 0;
		while (*++f == 'l')
			longs++;
		uint64_t u;
		switch (*f) {
		case 's':
			for (const char *s = va_arg(ap, const char *); *s; s++)
				put(&o, *s);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			if (v < 0) {
				put(&o, '-');
				u = -(uint64_t)v;
			} else {
				u = (uint64_t)v;
			}
			put_u64(&o, u, 10);
			break;
		}
		case 'u':
		case 'x':
			u = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			put_u64(&o, u, *f == 'u' ? 10 : 16);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '?');
			if (!*f)
				f--;
		}
	}
	if (o.left)
		*o.p = 0;
	return o.n;
}

int fmt(char *buf, size_t n, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int r = vfmt(buf, n, f, ap);
	va_end(ap);
	return r;
}
