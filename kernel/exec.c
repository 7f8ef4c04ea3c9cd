/*
 * execve's loader: ELF executables (ET_EXEC) and PIE (ET_DYN, loaded at
 * PIE_BASE; a static one relocates itself), a dynamically linked one with
 * its PT_INTERP interpreter loaded at INTERP_BASE and started first, the
 * vDSO, and a fresh stack with argv, envp and the auxiliary vector
 * (docs/DYNAMIC.md).
 */
#include "kernel/proc.h"
#include "kernel/fs/vfs.h"
#include "kernel/errno.h"
#include "kernel/kmalloc.h"
#include "kernel/page_alloc.h"
#include "kernel/memlayout.h"
#include "kernel/timer.h"
#include "kernel/vdso.h"
#include "kernel/fs/filemap.h"
#include "kernel/fs/pagecache.h"
#include "kernel/random.h"
#include "kernel/perm.h"
#include <string.h>
#include <stdio.h>

#define PIE_BASE 0x10000000UL
/* above the program's heap (BRK_MAX 1 GiB), below USER_MMAP_BOTTOM */
#define INTERP_BASE 0x1000000000UL
#define INTERP_MAX 256

/* execcache=0 on the command line: copy every segment (the old loader, to measure against) */
int exec_cache = 1;

static int exec_load_depth(struct proc *p, const char *path, char *const argv[], int argc,
			   char *const envp[], int envc, uint64_t *entry, uint64_t *sp, int depth);
#define EM_RISCV 243
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define ET_EXEC 2
#define ET_DYN 3

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

enum { AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
       AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
       AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31,
       AT_SYSINFO_EHDR = 33 };

static uint64_t seg_perm(uint32_t flags)
{
	return ((flags & 4) ? PTE_R : 0) | ((flags & 2) ? PTE_W | PTE_R : 0) | ((flags & 1) ? PTE_X : 0);
}

/* Copy file bytes [off, off+n) to user va in mm (pages already mapped). */
static int load_bytes(struct mm *mm, struct inode *ip, uint64_t va, uint64_t off, uint64_t n)
{
	char *buf = page_alloc();
	if (!buf)
		return -ENOMEM;
	int err = 0;
	for (uint64_t done = 0; done < n && !err; ) {
		uint64_t c = n - done < PGSIZE ? n - done : PGSIZE;
		if (inode_read(ip, off + done, buf, c) != (long)c)
			err = -ENOEXEC;
		else if (copy_to_user(mm, va + done, buf, c))
			err = -EFAULT;
		done += c;
	}
	page_free(buf);
	return err;
}

/* PT_INTERP's path into interp (NUL-terminated), or -ENOEXEC. */
static int read_interp(struct inode *ip, struct elf64_phdr *ph, char *interp)
{
	if (!interp || ph->filesz < 2 || ph->filesz > INTERP_MAX)
		return -ENOEXEC;	/* an interpreter must not have one itself */
	if (inode_read(ip, ph->offset, interp, ph->filesz) != (long)ph->filesz ||
	    interp[ph->filesz - 1] != '\0')
		return -ENOEXEC;
	return 0;
}

/* A later segment's page replaces an earlier one's at the same address, as mmap's MAP_FIXED. */
static int map_one(struct mm *mm, uint64_t va, void *pg, uint64_t perm)
{
	int err = uvm_map_page(mm, va, pg, perm);
	if (err == -EEXIST) {
		uvm_unmap(mm, va, PGSIZE);
		err = uvm_map_page(mm, va, pg, perm);
	}
	return err;
}

/* A fresh page with the first n bytes of src (NULL: none), mapped at va. */
static int map_private(struct mm *mm, uint64_t va, const void *src, uint64_t n, uint64_t perm)
{
	void *pg = upage_alloc();
	if (!pg)
		return -ENOMEM;
	if (src)
		memcpy(pg, src, n);
	int err = map_one(mm, va, pg, perm);
	upage_put(pg);		/* the mapping holds its own reference */
	return err;
}

/*
 * A segment from the file's page cache (kernel/fs/pagecache.c): the pages of
 * file bytes are the cache's own, shared read-only (copy-on-write in a
 * writable segment); the page where the bytes end and the bss begins is a
 * private copy zeroed past the end; the rest of the bss demand-zero.
 */
static int map_segment_cached(struct mm *mm, struct inode *ip, const struct elf64_phdr *ph, uint64_t va)
{
	uint64_t start = va & ~(PGSIZE - 1), fend = va + ph->filesz, mend = va + ph->memsz;
	uint64_t off0 = ph->offset - (va - start);
	uint64_t perm = seg_perm(ph->flags);
	uint64_t shared = (perm & PTE_W) ? (perm & ~PTE_W) | PTE_COW : perm;
	int err = 0;
	for (uint64_t a = start; a < mend && !err; a += PGSIZE) {
		if (a >= ((fend + PGSIZE - 1) & ~(PGSIZE - 1)))
			return uvm_map_lazy(mm, a, mend - a, perm);	/* whole bss pages: demand-zero */
		void *pg = a < fend ? pcache_page(ip, (off0 + (a - start)) / PGSIZE) : NULL;
		if (a < fend && !pg)
			return -ENOMEM;
		if (a + PGSIZE <= fend || (a < fend && mend <= fend))
			err = map_one(mm, a, pg, shared);	/* no bss in this page */
		else
			err = map_private(mm, a, pg, a < fend ? fend - a : 0, perm);
	}
	return err;
}

/* The copying loader, for a segment whose address and file offset differ within a page. */
static int map_segment_copy(struct mm *mm, struct inode *ip, const struct elf64_phdr *ph, uint64_t va)
{
	/* writable while loading; the final permissions come after */
	int err = uvm_map_zero(mm, va, ph->memsz, PTE_R | PTE_W);
	if (!err)
		err = load_bytes(mm, ip, va, ph->offset, ph->filesz);
	if (!err)
		err = uvm_protect(mm, va & ~(PGSIZE - 1),
				  ((va + ph->memsz + PGSIZE - 1) & ~(PGSIZE - 1)) - (va & ~(PGSIZE - 1)),
				  seg_perm(ph->flags));
	return err;
}

/* Map and fill every PT_LOAD at bias; interp gets the PT_INTERP path if any. */
static int load_segments(struct mm *mm, struct inode *ip, struct elf64_ehdr *eh, uint64_t bias,
			 uint64_t *phdr_va, uint64_t *brk, char *interp)
{
	struct elf64_phdr ph;
	*phdr_va = 0;
	*brk = 0;
	for (int i = 0; i < eh->phnum; i++) {
		if (inode_read(ip, eh->phoff + (uint64_t)i * sizeof ph, &ph, sizeof ph) != sizeof ph)
			return -ENOEXEC;
		if (ph.type == PT_PHDR)
			*phdr_va = ph.vaddr + bias;
		if (ph.type == PT_INTERP && read_interp(ip, &ph, interp))
			return -ENOEXEC;
		if (ph.type != PT_LOAD)
			continue;
		if (ph.filesz > ph.memsz || ph.vaddr + ph.memsz < ph.vaddr ||
		    ph.vaddr + bias + ph.memsz > USER_MMAP_BOTTOM ||
		    ph.offset > ip->size || ph.filesz > ip->size - ph.offset)
			return -ENOEXEC;
		uint64_t va = ph.vaddr + bias;
		int err = (va - ph.offset) % PGSIZE == 0 && exec_cache ?
			  map_segment_cached(mm, ip, &ph, va) : map_segment_copy(mm, ip, &ph, va);
		if (err)
			return err;
		if (!*phdr_va && ph.offset == 0)
			*phdr_va = va + eh->phoff;
		if (va + ph.memsz > *brk)
			*brk = va + ph.memsz;
	}
	return 0;
}

static int read_ehdr(struct inode *ip, struct elf64_ehdr *eh)
{
	if (inode_read(ip, 0, eh, sizeof *eh) != sizeof *eh || memcmp(eh->ident, "\177ELF", 4) ||
	    eh->ident[4] != 2 || eh->machine != EM_RISCV ||
	    (eh->type != ET_EXEC && eh->type != ET_DYN) || eh->phentsize != sizeof(struct elf64_phdr))
		return -ENOEXEC;
	return 0;
}

/*
 * The program's interpreter (ld.so), a position-independent ET_DYN, at
 * INTERP_BASE; it starts first (*entry) and finds the program through
 * AT_PHDR and AT_ENTRY.
 */
static int load_interp(struct proc *p, struct mm *mm, const char *path, uint64_t *entry)
{
	struct inode *ip;
	int err = vfs_lookup(p->cwd, path, 1, &ip);
	if (err)
		return err == -ENOENT ? -ENOENT : -ENOEXEC;
	struct elf64_ehdr eh;
	uint64_t phdr, brk;
	err = !S_ISREG(ip->mode) ? -EACCES : inode_permission(ip, MAY_EXEC);
	if (!err)
		err = read_ehdr(ip, &eh);
	if (!err && eh.type != ET_DYN)
		err = -ENOEXEC;
	if (!err)
		err = load_segments(mm, ip, &eh, INTERP_BASE, &phdr, &brk, NULL);
	inode_put(ip);
	*entry = eh.entry + INTERP_BASE;
	return err;
}

/* Push bytes onto the new user stack; returns the new sp or 0 on fault. */
static uint64_t push(struct mm *mm, uint64_t sp, const void *p, size_t n)
{
	sp -= n;
	return copy_to_user(mm, sp, p, n) ? 0 : sp;
}

static int build_stack_with(struct mm *mm, uint64_t *ptrs, char *const argv[], int argc,
			    char *const envp[], int envc, const uint64_t *auxv, int auxn,
			    const char *execfn, uint64_t *sp_out);

/* argv and envp strings, then the pointer vectors and auxv, 16-byte aligned. */
static int build_stack(struct mm *mm, char *const argv[], int argc, char *const envp[], int envc,
		       const uint64_t *auxv, int auxn, const char *execfn, uint64_t *sp_out)
{
	size_t pages = (((size_t)argc + (size_t)envc + 2) * 8 + PGSIZE - 1) / PGSIZE;
	uint64_t *ptrs = page_alloc_n(pages);
	if (!ptrs)
		return -ENOMEM;
	int err = build_stack_with(mm, ptrs, argv, argc, envp, envc, auxv, auxn, execfn, sp_out);
	page_free_n(ptrs, pages);
	return err;
}

static int build_stack_with(struct mm *mm, uint64_t *ptrs, char *const argv[], int argc,
			    char *const envp[], int envc, const uint64_t *auxv, int auxn,
			    const char *execfn, uint64_t *sp_out)
{
	uint64_t sp = USER_STACK_TOP;
	uint64_t execfn_va = sp = push(mm, sp, execfn, strlen(execfn) + 1);
	uint8_t rnd[16];
	random_bytes(rnd, sizeof rnd);	/* AT_RANDOM: libc's stack canary and pointer guard */
	uint64_t rnd_va = sp = sp ? push(mm, sp, rnd, 16) : 0;
	int n = 0;
	for (int i = 0; i < argc && sp; i++)
		ptrs[n++] = sp = push(mm, sp, argv[i], strlen(argv[i]) + 1);
	ptrs[n++] = 0;
	for (int i = 0; i < envc && sp; i++)
		ptrs[n++] = sp = push(mm, sp, envp[i], strlen(envp[i]) + 1);
	ptrs[n++] = 0;
	if (!sp)
		return -EFAULT;
	uint64_t aux[64];
	int an = 0;
	for (int i = 0; i < auxn; i += 2) {
		aux[an++] = auxv[i];
		aux[an++] = auxv[i] == AT_RANDOM ? rnd_va : auxv[i] == AT_EXECFN ? execfn_va : auxv[i + 1];
	}
	uint64_t words = 1 + (uint64_t)n + (uint64_t)an;
	sp = (sp - words * 8) & ~15UL;
	uint64_t p = sp;
	uint64_t ac = (uint64_t)argc;
	if (copy_to_user(mm, p, &ac, 8) || copy_to_user(mm, p + 8, ptrs, (size_t)n * 8) ||
	    copy_to_user(mm, p + 8 + (uint64_t)n * 8, aux, (size_t)an * 8))
		return -EFAULT;
	*sp_out = sp;
	return 0;
}

/*
 * "#!interp [arg]" on the first line: run interp with [arg], the script's
 * path and the original arguments after argv[0].  One level only, as the
 * interpreter of an interpreter is refused with ENOEXEC... after 4 levels.
 */
static int exec_script(struct proc *p, struct inode *ip, const char *path, char *const argv[],
		       int argc, char *const envp[], int envc, uint64_t *entry, uint64_t *sp, int depth)
{
	char line[128];
	long n = inode_read(ip, 0, line, sizeof line - 1);
	inode_put(ip);
	if (n < 3 || depth > 4)
		return -ENOEXEC;
	line[n] = '\0';
	char *nl = strchr(line, '\n');
	if (!nl)
		return -ENOEXEC;
	*nl = '\0';
	char *interp = line + 2;
	while (*interp == ' ' || *interp == '\t')
		interp++;
	char *arg = interp;
	while (*arg && *arg != ' ' && *arg != '\t')
		arg++;
	if (*arg) {
		*arg++ = '\0';
		while (*arg == ' ' || *arg == '\t')
			arg++;
	}
	char *nargv[66];
	int nargc = 0;
	nargv[nargc++] = interp;
	if (*arg)
		nargv[nargc++] = arg;
	nargv[nargc++] = (char *)path;
	for (int i = 1; i < argc && nargc < 65; i++)
		nargv[nargc++] = argv[i];
	return exec_load_depth(p, interp, nargv, nargc, envp, envc, entry, sp, depth + 1);
}

/* What /proc/<pid>/cmdline and exe show: argv (cut to fit) and the path made absolute. */
static void record_cmdline(struct proc *p, const char *path, char *const argv[], int argc)
{
	size_t len = 0;
	for (int i = 0; i < argc && len < sizeof p->cmdline; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (n > sizeof p->cmdline - len)
			n = sizeof p->cmdline - len;
		memcpy(p->cmdline + len, argv[i], n);
		len += n;
	}
	p->cmdline_len = (int)len;
	int n = path[0] == '/' ? 0 : vfs_getcwd(p->cwd, p->exe, sizeof p->exe);
	if (n < 0)
		n = 0;
	snprintf(p->exe + n, sizeof p->exe - (size_t)n, "%s%s", n > 1 ? "/" : "", path);
}

/*
 * The credentials after exec of ip (execve(2)): a set-user-ID file gives
 * its owner as the effective uid, a set-group-ID (and group-executable) one
 * its group; the saved ids take the effective ones.  A script's own set-ID
 * bits are ignored, as on Linux: only the interpreter's count.
 */
static struct cred exec_cred(struct proc *p, struct inode *ip)
{
	struct cred c = p->cred;
	if (ip->mode & 04000)
		c.euid = ip->uid;
	if ((ip->mode & 02010) == 02010)
		c.egid = ip->gid;
	c.suid = c.fsuid = c.euid;
	c.sgid = c.fsgid = c.egid;
	return c;
}

int exec_load(struct proc *p, const char *path, char *const argv[], int argc,
	      char *const envp[], int envc, uint64_t *entry, uint64_t *sp)
{
	return exec_load_depth(p, path, argv, argc, envp, envc, entry, sp, 0);
}

static int exec_load_depth(struct proc *p, const char *path, char *const argv[], int argc,
			   char *const envp[], int envc, uint64_t *entry, uint64_t *sp, int depth)
{
	struct inode *ip;
	int err = vfs_lookup(p->cwd, path, 1, &ip);
	if (err)
		return err;
	err = S_ISREG(ip->mode) ? inode_permission(ip, MAY_EXEC) : -EACCES;
	if (err) {
		inode_put(ip);
		return err;
	}
	struct cred cred = exec_cred(p, ip);
	char magic[2];
	if (inode_read(ip, 0, magic, 2) == 2 && magic[0] == '#' && magic[1] == '!')
		return exec_script(p, ip, path, argv, argc, envp, envc, entry, sp, depth);
	struct elf64_ehdr eh;
	err = read_ehdr(ip, &eh);
	struct mm *mm = err ? NULL : mm_create();
	if (!err && !mm)
		err = -ENOMEM;
	uint64_t bias = eh.type == ET_DYN ? PIE_BASE : 0, phdr = 0, brk = 0, start = eh.entry + bias;
	char *interp = err ? NULL : kzalloc(INTERP_MAX);
	if (!err && !interp)
		err = -ENOMEM;
	if (!err)
		err = load_segments(mm, ip, &eh, bias, &phdr, &brk, interp);
	inode_put(ip);
	if (!err && interp[0])
		err = load_interp(p, mm, interp, &start);
	if (!err)
		err = vdso_map(mm);
	if (!err) {
		uint64_t auxv[] = { AT_PHDR, phdr, AT_PHENT, sizeof(struct elf64_phdr), AT_PHNUM, eh.phnum,
				    AT_PAGESZ, PGSIZE, AT_BASE, interp[0] ? INTERP_BASE : 0, AT_FLAGS, 0,
				    AT_ENTRY, eh.entry + bias,
				    AT_UID, cred.uid, AT_EUID, cred.euid, AT_GID, cred.gid, AT_EGID, cred.egid,
				    AT_HWCAP, 0x112d /* IMAFDC */, AT_CLKTCK, 100,
				    AT_SECURE, cred.euid != cred.uid || cred.egid != cred.gid,
				    AT_RANDOM, 0, AT_EXECFN, 0, AT_SYSINFO_EHDR, VDSO_BASE, AT_NULL, 0 };
		err = build_stack(mm, argv, argc, envp, envc, auxv, sizeof auxv / 8, path, sp);
	}
	kfree(interp);
	if (err) {
		if (mm)
			mm_put(mm);
		return err;
	}
	mm->brk_start = mm->brk = (brk + PGSIZE - 1) & ~(PGSIZE - 1);
	/*
	 * The client hart may still have the old table in satp (its kernel
	 * half included): it drops the old mm itself once it has switched.
	 */
	if (p->mm)
		filemap_release(p->mm);	/* MAP_SHARED pages back to their files */
	if (p->task)
		p->task->mm_stale = p->mm;
	else if (p->mm)
		mm_put(p->mm);
	p->mm = mm;
	p->cred = cred;
	*entry = start;
	const char *base = strrchr(path, '/');
	strncpy(p->comm, base ? base + 1 : path, sizeof p->comm - 1);
	record_cmdline(p, path, argv, argc);
	return 0;
}
