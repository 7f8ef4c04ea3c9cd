/*
 * initramfs unpacking: cpio "newc" (070701) and "crc" (070702) archives into
 * a ramfs tree.  Regular file and symlink data is borrowed from the image
 * (zero-copy), so the image must stay mapped for the kernel's lifetime.
 */
#pragma once
#include <stddef.h>

struct inode;

/*
 * Unpack image[0, len) under root, stopping at "TRAILER!!!".  Missing parent
 * directories are created (0755); an existing directory gets the archive's
 * mode/uid/gid/mtime, any other existing entry is replaced.  Hard links (newc:
 * same ino, nlink > 1, data on the entry that carries it) become real links.
 * Returns the number of entries unpacked (created, linked, or an existing
 * directory updated), -EINVAL for a malformed, truncated
 * or (crc format) corrupt archive, or the first filesystem error (-ENOMEM..).
 */
int cpio_unpack(const void *image, size_t len, struct inode *root);
