/*
 * Where hardware entropy goes.  The generator (a ChaCha20 pool, issue 9)
 * defines random_add_entropy; until it is merged, drivers/entropy_weak.c
 * gives a weak no-op so the drivers that feed it build and run.
 */
#pragma once
#include <stddef.h>

void random_add_entropy(const void *buf, size_t len);
