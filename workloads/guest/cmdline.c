/* The kernel command line selects and sizes the benchmarks:
 *   bench=LIST|all reps=R warmup=W rep_us=US iters=N [inject=BENCH:hang|crash|slow[=PCT]] [selftest=pvops] */
#include "kernel.h"

static uint64_t parse_u64(const char *s, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return v;
}

void config_parse(struct config *c, const char *cmdline)
{
	strlcpy_(c->bench, "all", sizeof(c->bench));
	c->reps = 11;
	c->warmup = 1;
	c->rep_us = 10000;
	c->iters = 0;
	c->inject[0] = 0;
	c->selftest = 0;
	c->pae = 0;
	for (const char *p = cmdline; p && *p;) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		const char *eq = p;
		while (eq < end && *eq != '=')
			eq++;
		size_t klen = (size_t)(eq - p), vlen = eq < end ? (size_t)(end - eq - 1) : 0;
		const char *v = eq + 1;
		if (klen == 5 && !strncmp(p, "bench", 5) && vlen < sizeof(c->bench)) {
			memcpy(c->bench, v, vlen);
			c->bench[vlen] = 0;
		} else if (klen == 4 && !strncmp(p, "reps", 4)) {
			c->reps = (uint32_t)parse_u64(v, vlen);
		} else if (klen == 6 && !strncmp(p, "warmup", 6)) {
			c->warmup = (uint32_t)parse_u64(v, vlen);
		} else if (klen == 6 && !strncmp(p, "rep_us", 6)) {
			c->rep_us = parse_u64(v, vlen);
		} else if (klen == 5 && !strncmp(p, "iters", 5)) {
			c->iters = parse_u64(v, vlen);
		} else if (klen == 6 && !strncmp(p, "paging", 6)) {
			c->pae = vlen == 3 && !strncmp(v, "pae", 3);
		} else if (klen == 8 && !strncmp(p, "selftest", 8)) {
			c->selftest = vlen == 5 && !strncmp(v, "pvops", 5);
		} else if (klen == 6 && !strncmp(p, "inject", 6) && vlen < sizeof(c->inject)) {
			memcpy(c->inject, v, vlen);
			c->inject[vlen] = 0;
		}
		p = end;
	}
	if (!c->reps)
		c->reps = 1;
	if (!c->rep_us)
		c->rep_us = 1;
}

int list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	if (!strncmp(list, "all", 4))
		return 1;
	for (const char *p = list; *p;) {
		const char *e = p;
		while (*e && *e != ',')
			e++;
		if ((size_t)(e - p) == n && !strncmp(p, name, n))
			return 1;
		p = *e ? e + 1 : e;
	}
	return 0;
}
