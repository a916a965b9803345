/* libFuzzer target: reading a JSON export back (`show FILE.json`, `check --baseline`,
 * `compare A B` with files), which takes whatever file a user names. It must read or
 * refuse, never overrun or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "../../collect/export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/pvbench-fuzz-import-%d.json", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct run_meta meta;
	struct host_info h;
	struct result_set rs;
	char err[256];
	if (!import_run(path, &meta, &h, &rs, err, sizeof(err)))
		results_free(&rs);
	unlink(path);
	return 0;
}
