/*
 * Disk filesystems mounted on directories of the root ramfs (the mount
 * point's `mounted` points at the filesystem's root; the path walk steps
 * in).  /proc/mounts keeps its own list (procfs_mount_add), which the
 * mount and umount2 system calls update beside this one.
 */
#pragma once
#include <stdint.h>

struct inode;

#define MS_RDONLY 1

/* A filesystem type this layer mounts from a block device? */
int disk_fs_type(const char *type);
/* mount(2) of a disk filesystem: source and target are user paths. */
int disk_mount(uint64_t usource, uint64_t utarget, const char *type, unsigned long flags);
/* umount2 of the mount whose root is `root`: -EINVAL if it is no disk mount. */
int disk_umount(struct inode *root);
/* umount2(2): -EINVAL if the path is not the root of a disk mount. */
int disk_umount_user(uint64_t upath);
/* Mount a block device as the filesystem at path (kernel caller). */
int disk_mount_path(const char *devpath, const char *dir, const char *type, unsigned long flags);
/*
 * Boot, after the disks are probed: root=/dev/vdX [rootfstype=ext2] [ro]
 * puts that filesystem over the initramfs as "/", with the kernel's /dev
 * and /proc grafted onto it.  Without root=, nothing happens.
 */
void disk_mount_root(void);
/* sync(2) and power-off: every mounted disk filesystem, then every disk. */
int disk_sync_all(void);
/* st_dev of ip: its disk for a disk filesystem, else 1 (the ramfs and procfs). */
uint32_t disk_inode_dev(struct inode *ip);
/* syncfs/fsync on a file of ip's filesystem (ramfs: 0). */
int disk_sync_inode(struct inode *ip);
