/* Rebuilt on every make so the recorded revision is the tree's, not the last full build's. */
#include "cli.h"

const char pvbench_rev[] = PVBENCH_REV;
