#include <libcpuid/libcpuid.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <x86intrin.h>
#include "host.h"
#include "../util/clock.h"

static bool module_loaded(const char *name)
{
	char path[96];
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

static bool cpu_flags(bool *vmx, bool *svm, bool *hv)
{
	struct cpu_raw_data_t raw;
	struct cpu_id_t id;
	if (cpuid_get_raw_data(&raw) || cpu_identify(&raw, &id))
		return false;
	*vmx = id.flags[CPU_FEATURE_VMX];
	*svm = id.flags[CPU_FEATURE_SVM];
	*hv = id.flags[CPU_FEATURE_HYPERVISOR];
	return true;
}

/* The module that owns /dev/kvm decides how guests run; CPUID says whether the hardware
 * extensions are there at all. PVM is a software hypervisor: no VT-x/AMD-V needed. */
const char *host_kvm_backend(char *detail, size_t n)
{
	bool vmx = false, svm = false, hv = false;
	bool have_cpuid = cpu_flags(&vmx, &svm, &hv);
	bool dev = access("/dev/kvm", F_OK) == 0;
	const char *b;
	if (!dev)
		b = "none";
	else if (module_loaded("kvm_pvm"))
		b = "pvm";
	else if (module_loaded("kvm_intel") && vmx)
		b = "vmx";
	else if (module_loaded("kvm_amd") && svm)
		b = "svm";
	else
		b = "other";
	snprintf(detail, n, "/dev/kvm %s; modules:%s%s%s%s; cpuid:%s%s",
		 dev ? "present" : "absent", module_loaded("kvm") ? " kvm" : "",
		 module_loaded("kvm_intel") ? " kvm_intel" : "", module_loaded("kvm_amd") ? " kvm_amd" : "",
		 module_loaded("kvm_pvm") ? " kvm_pvm" : "",
		 !have_cpuid ? " unreadable" : vmx ? " vmx" : svm ? " svm" : " no-vmx/svm",
		 hv ? " hypervisor" : "");
	return b;
}

uint64_t host_tsc_hz(void)
{
	static uint64_t hz;
	if (hz)
		return hz;
	uint64_t best = 0;
	for (int i = 0; i < 3; i++) { /* shortest-interference of three 10 ms windows */
		uint64_t n0 = host_ns(), t0 = __rdtsc();
		usleep(10000);
		uint64_t n1 = host_ns(), t1 = __rdtsc();
		uint64_t r = (uint64_t)((unsigned __int128)(t1 - t0) * 1000000000ull / (n1 - n0));
		if (!best || r < best)
			best = r;
	}
	hz = best;
	return hz;
}

void host_collect(struct host_info *h)
{
	memset(h, 0, sizeof(*h));
	struct cpu_raw_data_t raw;
	struct cpu_id_t id;
	if (cpuid_get_raw_data(&raw) == 0 && cpu_identify(&raw, &id) == 0) {
		snprintf(h->vendor, sizeof(h->vendor), "%s", id.vendor_str);
		snprintf(h->brand, sizeof(h->brand), "%s", id.brand_str);
		h->family = id.family;
		h->model = id.model;
		h->stepping = id.stepping;
		h->vmx = id.flags[CPU_FEATURE_VMX];
		h->svm = id.flags[CPU_FEATURE_SVM];
		h->hypervisor = id.flags[CPU_FEATURE_HYPERVISOR];
	} else {
		snprintf(h->cpuid_error, sizeof(h->cpuid_error), "libcpuid: %s", cpuid_error());
	}
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(h->kernel, sizeof(h->kernel), "%s %s", u.sysname, u.release);
	snprintf(h->kvm_backend, sizeof(h->kvm_backend), "%s",
		 host_kvm_backend(h->kvm_detail, sizeof(h->kvm_detail)));
	h->tsc_hz = host_tsc_hz();
}
