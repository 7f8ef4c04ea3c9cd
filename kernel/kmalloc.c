#include "kernel/kmalloc.h"
#include "kernel/param.h"
#include <string.h>

#define SLAB_MAGIC 0x51ab51abU

struct slab {
	uint32_t magic;
	uint16_t cls;		/* object size = 16 << cls */
	uint16_t inuse;
	void *freelist;
	struct slab *next, *prev;	/* on the class's partial list */
};

static size_t class_size(unsigned cls) { return 16UL << cls; }

static int size_class(size_t size)
{
	unsigned cls = 0;
	if (size == 0 || size > KMALLOC_MAX)
		return -1;
	while (class_size(cls) < size)
		cls++;
	return (int)cls;
}

/* First object offset: the header rounded up to the object size (max 64). */
static size_t first_obj(unsigned cls)
{
	size_t a = class_size(cls) < 64 ? class_size(cls) : 64;
	return (sizeof(struct slab) + a - 1) & ~(a - 1);
}

static unsigned objs_per_slab(unsigned cls)
{
	return (unsigned)((PGSIZE - first_obj(cls)) / class_size(cls));
}

void kmem_init(struct kmem *k, struct page_pool *pool)
{
	memset(k, 0, sizeof *k);
	k->pool = pool;
	spin_init(&k->lock, "kmem");
}

static void list_add(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static void list_del(struct slab **head, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static struct slab *slab_new(struct kmem *k, unsigned cls)
{
	struct slab *s = pool_alloc(k->pool, 1);
	if (!s)
		return NULL;
	s->magic = SLAB_MAGIC;
	s->cls = (uint16_t)cls;
	s->inuse = 0;
	s->freelist = NULL;
	char *base = (char *)s + first_obj(cls);
	for (int i = (int)objs_per_slab(cls) - 1; i >= 0; i--) {
		void **obj = (void **)(base + (size_t)i * class_size(cls));
		*obj = s->freelist;
		s->freelist = obj;
	}
	return s;
}

void *kmem_alloc(struct kmem *k, size_t size)
{
	int cls = size_class(size);
	if (cls < 0)
		return NULL;
	spin_lock(&k->lock);
	struct slab *s = k->partial[cls];
	if (!s) {
		s = slab_new(k, (unsigned)cls);
		if (!s) {
			spin_unlock(&k->lock);
			return NULL;
		}
		list_add(&k->partial[cls], s);
	}
	void **obj = s->freelist;
	s->freelist = *obj;
	s->inuse++;
	if (!s->freelist)
		list_del(&k->partial[cls], s);	/* full: off the partial list */
	spin_unlock(&k->lock);
	return obj;
}

void kmem_free(struct kmem *k, void *obj)
{
	if (!obj)
		return;
	struct slab *s = (struct slab *)((uintptr_t)obj & ~(PGSIZE - 1));
	if (s->magic != SLAB_MAGIC)
		return;		/* not ours: refuse rather than corrupt */
	spin_lock(&k->lock);
	int was_full = s->freelist == NULL;
	*(void **)obj = s->freelist;
	s->freelist = obj;
	s->inuse--;
	if (was_full)
		list_add(&k->partial[s->cls], s);
	if (s->inuse == 0 && (s->prev || s->next)) {
		/* empty and not the only partial slab of its class: give it back */
		list_del(&k->partial[s->cls], s);
		s->magic = 0;
		pool_free(k->pool, s, 1);
	}
	spin_unlock(&k->lock);
}
