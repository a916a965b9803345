/* Facts about the host that every result is recorded with. */
#ifndef COLLECT_HOST_H
#define COLLECT_HOST_H
#include <stdbool.h>
#include <stdint.h>

struct host_info {
	char vendor[24], brand[80];
	int family, model, stepping;
	bool vmx, svm, hypervisor;
	char kernel[160];
	char kvm_backend[16];  /* vmx | svm | pvm | other | none */
	char kvm_detail[160];  /* how that was decided */
	uint64_t tsc_hz;       /* measured against CLOCK_MONOTONIC */
	char cpuid_error[96];  /* libcpuid's complaint, if any */
};

/* Fills everything; libcpuid failures are recorded, not fatal. */
void host_collect(struct host_info *h);
/* The KVM backend on its own (cheap): vmx, svm, pvm, other or none. */
const char *host_kvm_backend(char *detail, size_t n);
uint64_t host_tsc_hz(void);

#endif
