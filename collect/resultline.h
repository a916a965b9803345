/* The guest's COM1 result lines ("PVB <type> key=value ..."), documented in README.md,
 * parsed back into control messages: how a run under QEMU or Bochs is read. */
#ifndef COLLECT_RESULTLINE_H
#define COLLECT_RESULTLINE_H
#include "../abi/proto.h"

/* 0 and m filled for a PVB line, -1 for anything else (other output, a torn line). */
int resultline_parse(const char *line, struct pvb_msg *m);

#endif
