#pragma once
#include <stdint.h>
#include <stddef.h>
struct trapframe;
int uaccess_fixup(struct trapframe *tf);
