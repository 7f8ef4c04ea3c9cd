/*
 * duet's virtual address map (Sv39, 39-bit, sign-extended):
 *
 *   0x0000000000000000 .. 0x0000003fffffffff   user space (256 GiB)
 *   0xffffffc000000000 .. 0xfffffffeffffffff   direct map: va = pa + DIRECT_MAP_BASE
 *   0xffffffff00000000 .. 0xffffffff3fffffff   kernel stacks, each under a guard page
 *   0xffffffff80000000 .. 0xffffffffbfffffff   kernel image (linked at +0x200000)
 *
 * The kernel image gigapage maps the 1 GiB-aligned physical range the image
 * was loaded into, so the image must load at a physical address that is
 * 0x200000 modulo 1 GiB (OpenSBI and U-Boot booti both use RAM base + 2 MiB).
 * Everything above 0xffffffc000000000 is kernel-only and shared by every page
 * table (the top-level entries 256..511 are copied into each process's root).
 */
#pragma once

#define DIRECT_MAP_BASE   0xffffffc000000000UL
#define DIRECT_MAP_SIZE   (254UL << 30)
#define KSTACK_VA_BASE    0xffffffff00000000UL
#define KSTACK_VA_SIZE    (1UL << 30)
#define KERNEL_VA_BASE    0xffffffff80000000UL
#define KERNEL_TEXT_OFFSET 0x200000UL
#define USER_VA_END       0x0000004000000000UL

#ifndef __ASSEMBLER__
#include <stdint.h>
extern uint64_t kernel_pa_base;         /* physical address of KERNEL_VA_BASE */

#define PA2VA(pa)   ((void *)((uint64_t)(pa) + DIRECT_MAP_BASE))
#define VA2PA(va)   ((uint64_t)(va) >= KERNEL_VA_BASE \
                     ? (uint64_t)(va) - KERNEL_VA_BASE + kernel_pa_base \
                     : (uint64_t)(va) - DIRECT_MAP_BASE)
#endif
