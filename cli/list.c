/* pvbench list: what can run here, and why not where not. */
#include <string.h>
#include "cli.h"
#include "../modes/mode.h"

/* The same as JSON: each mode with its availability, backend and the benchmarks it cannot
 * run here and why; each benchmark with its guest and what one operation is. */
static int list_json(void)
{
	fputs("{\"modes\":[", stdout);
	for (int i = 0; mode_list[i]; i++) {
		const struct mode *mode = mode_list[i];
		const struct engine_ops *m = mode->engine;
		char why[256] = "", backend[64] = "";
		bool ok = m->probe(why, sizeof(why)) == 0;
		if (ok)
			mode_backend(mode, backend, sizeof(backend));
		printf("%s{\"name\":", i ? ",\n " : "");
		cli_json_str(stdout, mode->name);
		printf(",\"available\":%s,\"why\":", ok ? "true" : "false");
		cli_json_str(stdout, ok ? "" : why);
		fputs(",\"backend\":", stdout);
		cli_json_str(stdout, backend);
		fputs(",\"unsupported\":{", stdout);
		for (int b = 0, k = 0; ok && b < bench_count; b++) {
			const char *no = m->bench_unsupported(bench_table[b].name, bench_table[b].needs);
			if (!no)
				continue;
			printf("%s", k++ ? "," : "");
			cli_json_str(stdout, bench_table[b].name);
			fputc(':', stdout);
			cli_json_str(stdout, no);
		}
		fputs("}}", stdout);
	}
	fputs("],\n\"benchmarks\":[", stdout);
	for (int b = 0; b < bench_count; b++) {
		printf("%s{\"name\":", b ? ",\n " : "");
		cli_json_str(stdout, bench_table[b].name);
		printf(",\"guest\":\"%s\",\"operation\":", guest_name(bench_table[b].guest));
		cli_json_str(stdout, bench_table[b].desc);
		fputc('}', stdout);
	}
	fputs("]}\n", stdout);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: pvbench list [--json]\n  modes with their availability on this host, then benchmarks");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--json") && argc == 2)
		return list_json();
	if (argc > 1)
		return cli_error("unexpected argument '%s' (see 'pvbench list --help')", argv[1]);
	puts("modes:");
	for (int i = 0; mode_list[i]; i++) {
		const struct mode *mode = mode_list[i];
		const struct engine_ops *m = mode->engine;
		char why[256], backend[64];
		bool ok = m->probe(why, sizeof(why)) == 0;
		printf("  %-14s %-11s ", mode->name, ok ? "available" : "unavailable");
		for (const char *p = mode->summary; *p; p++) /* continuation lines under the first */
			if (*p == '\n')
				printf("\n%29s", "");
			else
				putchar(*p);
		putchar('\n');
		if (!ok) {
			printf("                 why: %s\n", why);
			continue;
		}
		mode_backend(mode, backend, sizeof(backend));
		printf("                 runs on: %s\n", backend);
		bool in_process = m->kind == ENGINE_HOST;
		if (in_process)
			fputs("                 runs only:", stdout);
		for (int b = 0; b < bench_count; b++) {
			const char *no = m->bench_unsupported(bench_table[b].name, bench_table[b].needs);
			if (in_process && !no) {
				printf(" %s", bench_table[b].name);
			} else if (!in_process && no) { /* benchmarks that follow for the same reason, on one line */
				printf("                 %s", bench_table[b].name);
				while (b + 1 < bench_count) {
					const char *next = m->bench_unsupported(bench_table[b + 1].name, bench_table[b + 1].needs);
					if (!next || strcmp(next, no))
						break;
					printf(", %s", bench_table[++b].name);
				}
				printf(": %s\n", no);
			}
		}
		if (in_process)
			puts(" (the others need a guest kernel)");
	}
	puts("\nbenchmarks of the benchmark guest (one operation is):");
	for (int b = 0; b < bench_count; b++) {
		if (b && bench_table[b].guest != bench_table[b - 1].guest)
			puts("\nbenchmarks of the Linux guest, --guest linux or linux32 (one operation is):");
		printf("  %-16s %s\n", bench_table[b].name, bench_table[b].desc);
	}
	return 0;
}
