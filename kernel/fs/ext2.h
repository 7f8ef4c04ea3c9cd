/*
 * ext2 (what `mke2fs -t ext2` makes, 1 KiB to 4 KiB blocks) on a block
 * device, through the block cache.  Mounted inodes carry ext2's inode_ops;
 * the VFS calls (kernel/fs/vfs.h) reach them through those hooks.
 */
#pragma once
#include "drivers/blkdev.h"
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"

#ifndef EUCLEAN
#define EUCLEAN 117	/* structure needs cleaning: a corrupted filesystem */
#endif

/*
 * Mount the ext2 filesystem on d; *root gets its root directory with one
 * reference that the mount holds.  Thread context (reads the disk).
 * -EINVAL: not ext2 (bad magic), -EUCLEAN: an inconsistent superblock or
 * group table, -EOPNOTSUPP: features this driver cannot honour.
 */
int ext2_mount(struct blkdev *d, int readonly, struct inode **root);
/* Write everything back and drop the filesystem; -EBUSY while files are in use. */
int ext2_umount(struct inode *root);
/* Write back every in-memory inode, the superblock and the disk's cache. */
int ext2_sync(struct inode *any);
int ext2_is_ext2(struct inode *ip);
struct blkdev *ext2_dev(struct inode *ip);
struct ext2_statfs { uint64_t bsize, blocks, bfree, bavail, files, ffree; };
void ext2_statfs(struct inode *ip, struct ext2_statfs *st);
