/* xAPIC register offsets and LVT bits: the guest programs them, vmm/lapic.c models them. */
#ifndef PVB_LAPIC_REGS_H
#define PVB_LAPIC_REGS_H

#define LAPIC_BASE       0xfee00000ull
#define LAPIC_ID         0x020
#define LAPIC_VERSION    0x030
#define LAPIC_TPR        0x080
#define LAPIC_PPR        0x0a0
#define LAPIC_EOI        0x0b0
#define LAPIC_LDR        0x0d0
#define LAPIC_DFR        0x0e0
#define LAPIC_SVR        0x0f0
#define LAPIC_ISR0       0x100
#define LAPIC_IRR0       0x200
#define LAPIC_ESR        0x280
#define LAPIC_ICR_LO     0x300
#define LAPIC_ICR_HI     0x310
#define LAPIC_LVT_TIMER  0x320
#define LAPIC_LVT_LINT0  0x350
#define LAPIC_LVT_LINT1  0x360
#define LAPIC_LVT_ERROR  0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3e0

#define LVT_VECTOR             0xff
#define LVT_MASKED             0x10000
#define LVT_TIMER_MODE_MASK    0x60000
#define LVT_TIMER_ONESHOT      0x00000
#define LVT_TIMER_PERIODIC     0x20000
#define LVT_TIMER_TSC_DEADLINE 0x40000
#define TIMER_DIV_1            0xb
#define SVR_ENABLE             0x100

#endif
