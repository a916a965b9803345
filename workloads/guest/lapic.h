/* Direct xAPIC access for the native interface and for calibration. */
#ifndef GUEST_LAPIC_H
#define GUEST_LAPIC_H
#include <stdint.h>
#include "../../abi/lapic_regs.h"

static inline uint32_t lapic_read(uint32_t reg) { return *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg); }
static inline void lapic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg) = v; }

#endif
