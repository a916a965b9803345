#include <stdlib.h>
#include <string.h>
#include "resultline.h"

static const char *const types[] = {
	[PVB_MSG_HELLO] = "hello", [PVB_MSG_BEGIN] = "begin", [PVB_MSG_RESULT] = "result",
	[PVB_MSG_VALUE] = "value", [PVB_MSG_UNSUPPORTED] = "unsupported", [PVB_MSG_FAILED] = "failed",
	[PVB_MSG_END] = "end", [PVB_MSG_DONE] = "done",
};

static int num(const char *v, size_t n, int is_signed, uint64_t *out)
{
	char buf[32], *end;
	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = 0;
	*out = is_signed ? (uint64_t)strtoll(buf, &end, 0) : strtoull(buf, &end, 0);
	return *end ? -1 : 0;
}

int resultline_parse(const char *line, struct pvb_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->magic = PVB_MSG_MAGIC;
	if (strncmp(line, "PVB ", 4))
		return -1;
	const char *p = line + 4;
	size_t tl = strcspn(p, " \r\n");
	for (uint32_t t = 1; t < sizeof(types) / sizeof(types[0]); t++)
		if (strlen(types[t]) == tl && !strncmp(p, types[t], tl))
			m->type = t;
	if (!m->type)
		return -1;
	p += tl;
	while (*p == ' ')
		p++;
	while (*p && *p != '\r' && *p != '\n') {
		const char *eq = strchr(p, '=');
		if (!eq)
			return -1;
		size_t kl = (size_t)(eq - p);
		const char *v = eq + 1;
		/* reason= and iface= run to the end of the line: they are free text */
		if ((kl == 6 && !strncmp(p, "reason", 6)) || (kl == 5 && !strncmp(p, "iface", 5))) {
			size_t vl = strcspn(v, "\r\n");
			memcpy(m->text, v, vl < PVB_TEXT_LEN - 1 ? vl : PVB_TEXT_LEN - 1);
			break;
		}
		size_t vl = strcspn(v, " \r\n");
		uint64_t x = 0;
		int bad = 0;
		if (kl == 5 && !strncmp(p, "bench", 5))
			memcpy(m->bench, v, vl < PVB_NAME_LEN - 1 ? vl : PVB_NAME_LEN - 1);
		else if (kl == 3 && !strncmp(p, "rep", 3))
			bad = num(v, vl, 0, &x), m->rep = (uint32_t)x;
		else if (kl == 5 && !strncmp(p, "iters", 5))
			bad = num(v, vl, 0, &m->iters);
		else if (kl == 5 && !strncmp(p, "ticks", 5))
			bad = num(v, vl, 1, &x), m->ticks = (int64_t)x;
		else if (kl == 6 && !strncmp(p, "tsc_hz", 6))
			bad = num(v, vl, 0, &m->tsc_hz);
		else if (kl == 3 && !strncmp(p, "tsc", 3))
			bad = num(v, vl, 0, &m->tsc);
		else if (kl == 5 && !strncmp(p, "value", 5))
			bad = num(v, vl, 0, &m->value);
		if (bad)
			return -1;
		p = v + vl;
		while (*p == ' ')
			p++;
	}
	return 0;
}
