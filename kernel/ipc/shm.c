/*
 * System V shared memory: shmget, shmat, shmdt, shmctl (shmop(2)).
 *
 * A segment is an array of user pages made at shmget, one reference on
 * each held by the segment.  shmat maps them into the caller exactly as
 * MAP_SHARED anonymous memory is mapped: each page's reference count goes
 * up and the PTE carries PTE_SHARED, so fork shares the pages instead of
 * making them copy-on-write, and munmap, exec and exit drop them through
 * the ordinary page-table teardown.  Hence:
 *   - shm_nattch is the first page's reference count less the segment's
 *     own: every attachment in every process holds one;
 *   - IPC_RMID takes the id out of the table and drops the segment's
 *     references; the pages are freed when the last attachment goes.
 *     (Linux keeps a removed but attached segment visible as SHM_DEST;
 *     here its id is gone at once.)
 * Each mm keeps a list of its attachments (address, size, first page) so
 * that shmdt knows how much to unmap; fork copies it, a freed mm drops it.
 */
#include "kernel/ipc/ipc.h"
#include "kernel/proc.h"
#include "kernel/kmalloc.h"
#include "kernel/errno.h"
#include "kernel/param.h"
#include "syscall/sys.h"

#define SHM_RDONLY 010000
#define SHM_RND    020000
#define SHM_REMAP  040000
#define SHM_EXEC   0100000
#define SHM_HUGETLB 04000
#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_INFO 14
#define SHMLBA PGSIZE
#define SHMMAX (1UL << 32)	/* one segment; the pool is the real limit */

struct shm_seg {
	struct ipc_obj o;
	uint64_t size;
	uint64_t npages, nalloc;	/* pages made; room for nalloc */
	int cpid, lpid;
	int64_t atime, dtime, ctime;
	void *pages[];
};

struct shm_attach {
	struct shm_attach *next;
	uint64_t va, npages;
	void *page0;		/* still mapped at va: the attachment is live */
};

struct shmid64_ds_u {
	struct ipc64_perm_u perm;
	uint64_t segsz;
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
	uint64_t nattch, unused4, unused5;
};
_Static_assert(sizeof(struct shmid64_ds_u) == 112, "riscv64 shmid64_ds");

struct shminfo64_u { uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4]; };
struct shm_info_u { int32_t used_ids; uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes; };

static struct ipc_ids shm_ids;
static uint64_t shm_pages_total;	/* pages held by live segments */

static uint64_t shm_pages_max(void) { return mem_total_bytes() / PGSIZE / 4; }

static void seg_free(struct shm_seg *s)
{
	for (uint64_t i = 0; i < s->npages; i++)
		upage_put(s->pages[i]);
	shm_pages_total -= s->npages;
	ipc_free(s, sizeof *s + s->nalloc * sizeof(void *));
}

static struct ipc_obj *shm_make(void *arg, long *err)
{
	uint64_t size = *(uint64_t *)arg, n = (size + PGSIZE - 1) / PGSIZE;
	if (size < 1 || size > SHMMAX) {
		*err = -EINVAL;
		return NULL;
	}
	if (shm_pages_total + n > shm_pages_max()) {
		*err = -ENOSPC;		/* Linux: SHMALL reached */
		return NULL;
	}
	struct shm_seg *s = ipc_alloc(sizeof *s + n * sizeof(void *));
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	s->nalloc = n;
	shm_pages_total += n;
	for (; s->npages < n; s->npages++)
		if (!(s->pages[s->npages] = upage_alloc())) {	/* zeroed */
			seg_free(s);
			shm_pages_total -= n - s->npages;	/* seg_free took off only those made */
			*err = -ENOMEM;
			return NULL;
		}
	s->size = size;
	s->cpid = curproc()->pid;
	s->ctime = ipc_now();
	return &s->o;
}

static int shm_check(struct ipc_obj *o, void *arg)
{
	return *(uint64_t *)arg > ((struct shm_seg *)o)->size ? -EINVAL : 0;
}

SYSCALL(shmget)
{
	uint64_t size = a[1];
	int flg = (int)a[2] & ~SHM_HUGETLB;	/* huge pages: ordinary ones here */
	return ipc_get(&shm_ids, (int32_t)a[0], flg, shm_make, shm_check, &size);
}

static struct shm_seg *seg_of(int id) { return (struct shm_seg *)ipc_lookup(&shm_ids, id); }

/* The live segment whose first page is pg, or NULL (removed). */
static struct shm_seg *seg_by_page(void *pg)
{
	for (int i = 0; i < IPC_SLOTS; i++) {
		struct shm_seg *s = (struct shm_seg *)shm_ids.slot[i];
		if (s && s->pages[0] == pg)
			return s;
	}
	return NULL;
}

static uint64_t nattch(struct shm_seg *s) { return upage_refs(s->pages[0]) - 1; }

/* Where shmat maps: the caller's address (rounded with SHM_RND), or the mmap area's next. */
static long shm_place(struct mm *mm, uint64_t addr, int flg, uint64_t len)
{
	if (!addr) {
		if (mm->mmap_next - len < USER_MMAP_BOTTOM)
			return -ENOMEM;
		mm->mmap_next -= len;
		return (long)mm->mmap_next;
	}
	if (addr & (SHMLBA - 1)) {
		if (!(flg & SHM_RND))
			return -EINVAL;
		addr &= ~(uint64_t)(SHMLBA - 1);
	}
	if (!addr || addr + len < addr || addr + len > USER_MMAP_TOP)
		return -EINVAL;
	if (uvm_range_mapped(mm, addr, len)) {
		if (!(flg & SHM_REMAP))
			return -EINVAL;
		uvm_unmap(mm, addr, len);
	}
	return (long)addr;
}

static long shm_attach_add(struct mm *mm, uint64_t va, uint64_t n, void *page0)
{
	struct shm_attach *at = kzalloc(sizeof *at);
	if (!at)
		return -ENOMEM;
	*at = (struct shm_attach){ .next = mm->shm_attached, .va = va, .npages = n, .page0 = page0 };
	mm->shm_attached = at;
	return 0;
}

SYSCALL(shmat)
{
	int flg = (int)a[2];
	struct shm_seg *s = seg_of((int)a[0]);
	struct mm *mm = curmm();
	if (!s)
		return -EINVAL;
	int want = IPC_MAY_READ | ((flg & SHM_RDONLY) ? 0 : IPC_MAY_WRITE);
	long err = ipc_perm_check(&s->o.perm, want);
	if (err)
		return err;
	if ((flg & SHM_REMAP) && !a[1])
		return -EINVAL;
	uint64_t len = s->npages * PGSIZE;
	long va = shm_place(mm, a[1], flg, len);
	if (va < 0)
		return va;
	uint64_t perm = PTE_R | ((flg & SHM_RDONLY) ? 0 : PTE_W) | ((flg & SHM_EXEC) ? PTE_X : 0) | PTE_SHARED;
	for (uint64_t i = 0; i < s->npages && !err; i++)
		err = uvm_map_page(mm, (uint64_t)va + i * PGSIZE, s->pages[i], perm);
	if (!err)
		err = shm_attach_add(mm, (uint64_t)va, s->npages, s->pages[0]);
	if (err) {
		uvm_unmap(mm, (uint64_t)va, len);
		return err;
	}
	s->lpid = curproc()->pid;
	s->atime = ipc_now();
	return va;
}

SYSCALL(shmdt)
{
	struct mm *mm = curmm();
	uint64_t addr = a[0];
	long r = -EINVAL;
	if (addr & (PGSIZE - 1))
		return r;
	/* every record at addr goes; a munmap or MAP_FIXED over it may have ended one already */
	for (struct shm_attach **pp = &mm->shm_attached, *at; (at = *pp) != NULL; ) {
		if (at->va != addr) {
			pp = &at->next;
			continue;
		}
		*pp = at->next;
		uint64_t pa;
		int shared;
		if (r && uvm_page_lookup(mm, addr, &pa, &shared) == 0 && PA2VA(pa) == at->page0) {
			uvm_unmap(mm, addr, at->npages * PGSIZE);
			struct shm_seg *s = seg_by_page(at->page0);
			if (s) {
				s->lpid = curproc()->pid;
				s->dtime = ipc_now();
			}
			r = 0;
		}
		kfree(at);
	}
	return r;
}

int shm_attach_clone(struct mm *dst, struct mm *src)
{
	for (struct shm_attach *at = src->shm_attached; at; at = at->next)
		if (shm_attach_add(dst, at->va, at->npages, at->page0))
			return -ENOMEM;
	return 0;
}

void shm_attach_release(struct mm *mm)
{
	for (struct shm_attach *at = mm->shm_attached, *n; at; at = n) {
		n = at->next;
		kfree(at);
	}
	mm->shm_attached = NULL;
}

static long shm_stat(struct shm_seg *s, uint64_t ubuf)
{
	long err = ipc_perm_check(&s->o.perm, IPC_MAY_READ);
	if (err)
		return err;
	struct shmid64_ds_u ds = { .segsz = s->size, .atime = s->atime, .dtime = s->dtime,
				   .ctime = s->ctime, .cpid = s->cpid, .lpid = s->lpid,
				   .nattch = nattch(s) };
	ipc_perm_to_user(&s->o.perm, &ds.perm);
	return copy_to_user(curmm(), ubuf, &ds, sizeof ds) ? -EFAULT : 0;
}

static long shm_set(struct shm_seg *s, uint64_t ubuf)
{
	struct shmid64_ds_u ds;
	if (copy_from_user(curmm(), &ds, ubuf, sizeof ds))
		return -EFAULT;
	long err = ipc_owner_check(&s->o.perm);
	if (err)
		return err;
	ipc_perm_set(&s->o.perm, &ds.perm);
	s->ctime = ipc_now();
	return 0;
}

static long shm_info(int cmd, uint64_t ubuf)
{
	long err;
	if (cmd == IPC_INFO) {
		struct shminfo64_u si = { .shmmax = SHMMAX, .shmmin = 1, .shmmni = IPC_SLOTS,
					  .shmseg = IPC_SLOTS, .shmall = shm_pages_max() };
		err = copy_to_user(curmm(), ubuf, &si, sizeof si);
	} else {
		struct shm_info_u si = { .used_ids = shm_ids.in_use, .shm_tot = shm_pages_total,
					 .shm_rss = shm_pages_total };
		err = copy_to_user(curmm(), ubuf, &si, sizeof si);
	}
	if (err)
		return -EFAULT;
	return ipc_max_slot(&shm_ids) < 0 ? 0 : ipc_max_slot(&shm_ids);
}

SYSCALL(shmctl)
{
	int cmd = (int)a[1] & ~IPC_64;
	if (cmd == IPC_INFO || cmd == SHM_INFO)
		return shm_info(cmd, a[2]);
	struct shm_seg *s = seg_of((int)a[0]);
	if (!s)
		return -EINVAL;
	long err;
	switch (cmd) {
	case IPC_STAT:
		return shm_stat(s, a[2]);
	case IPC_SET:
		return shm_set(s, a[2]);
	case IPC_RMID:
		if ((err = ipc_owner_check(&s->o.perm)) != 0)
			return err;
		ipc_remove(&shm_ids, &s->o);
		seg_free(s);		/* attached pages stay until their last mapping goes */
		return 0;
	case SHM_LOCK: case SHM_UNLOCK:
		return ipc_owner_check(&s->o.perm);	/* nothing is ever swapped */
	default:
		return -EINVAL;
	}
}
