/*
 * FAT32 (what `mkfs.vfat -F 32` makes) and FAT16, with VFAT long names, on a block
 * device through the block cache.  Mounted inodes carry fat's inode_ops,
 * like ext2 (kernel/fs/ext2.h).
 */
#pragma once
#include "drivers/blkdev.h"
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"

#ifndef EUCLEAN
#define EUCLEAN 117
#endif

/* vfat, fat32, fat, msdos: the names mount -t takes for this driver. */
int fat_fs_type(const char *type);
/*
 * opts: mount data, "uid=N,gid=N,umask=O,dmask=O,fmask=O" (octal masks; others
 * ignored).  -EINVAL: no FAT boot sector or a bad option; -EUCLEAN: an
 * inconsistent boot sector.
 */
int fat_mount(struct blkdev *d, int readonly, const char *opts, struct inode **root);
int fat_umount(struct inode *root);
int fat_sync(struct inode *any);
int fat_is_fat(struct inode *ip);
struct blkdev *fat_dev(struct inode *ip);
struct fat_statfs { uint64_t bsize, blocks, bfree; };
void fat_statfs(struct inode *ip, struct fat_statfs *st);
