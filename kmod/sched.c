// SPDX-License-Identifier: GPL-2.0
/* Scheduler registry and the glue between services and schedulers. */

#include <linux/slab.h>
#include <linux/string.h>

#include "fault.h"
#include "sched.h"
#include "service.h"

static LIST_HEAD(vs_schedulers);
static DEFINE_MUTEX(vs_sched_lock);

int vs_sched_register(struct vs_sched_ops *ops)
{
	int ret = 0;

	mutex_lock(&vs_sched_lock);
	if (vs_sched_find(ops->name))
		ret = -EEXIST;
	else
		list_add_tail(&ops->list, &vs_schedulers);
	mutex_unlock(&vs_sched_lock);
	return ret;
}

void vs_sched_unregister(struct vs_sched_ops *ops)
{
	mutex_lock(&vs_sched_lock);
	list_del(&ops->list);
	mutex_unlock(&vs_sched_lock);
}

/*
 * Schedulers are registered at module init and unregistered at exit, after
 * every service is gone, so a found ops stays valid without a reference.
 */
const struct vs_sched_ops *vs_sched_find(const char *name)
{
	struct vs_sched_ops *ops;

	list_for_each_entry(ops, &vs_schedulers, list)
		if (!strcmp(ops->name, name))
			return ops;
	return NULL;
}

static bool vs_dest_live(const struct vs_dest *dest)
{
	return READ_ONCE(dest->eff_weight) > 0 &&
	       !test_bit(VS_DEST_F_DEAD, &dest->flags);
}

bool vs_dest_usable(const struct vs_dest *dest)
{
	return vs_dest_live(dest) && !(dest->dflags & VSCHED_DEST_F_SORRY);
}

unsigned int vs_sched_usable(struct vs_service *svc, struct vs_dest **dests)
{
	struct vs_dest *dest;
	unsigned int n = 0;

	list_for_each_entry(dest, &svc->dests, list)
		if (vs_dest_usable(dest))
			dests[n++] = dest;
	return n;
}

static void vs_sched_data_free(struct rcu_head *head)
{
	struct vs_sched_data *data = container_of(head, struct vs_sched_data,
						  rcu);

	if (data->ops->free)
		data->ops->free(data);
	kvfree(data);
}

static void vs_sched_replace(struct vs_service *svc, struct vs_sched_data *new)
{
	struct vs_sched_data *old;

	old = rcu_replace_pointer(svc->sched, new,
				  lockdep_is_held(&svc->vn->lock));
	if (old)
		call_rcu(&old->rcu, vs_sched_data_free);
}

static void vs_sorry_replace(struct vs_service *svc, struct vs_sorry *new)
{
	struct vs_sorry *old;

	old = rcu_replace_pointer(svc->sorry, new,
				  lockdep_is_held(&svc->vn->lock));
	if (old)
		kvfree_rcu(old, rcu);
}

/* NULL (no sorry server) or an ERR_PTR are valid results. */
static struct vs_sorry *vs_sorry_build(struct vs_service *svc)
{
	struct vs_sorry *s = NULL;
	struct vs_dest *dest;
	unsigned int n = 0;

	list_for_each_entry(dest, &svc->dests, list)
		if ((dest->dflags & VSCHED_DEST_F_SORRY) && vs_dest_live(dest))
			n++;
	if (!n)
		return NULL;
	s = vs_fault() ? NULL :
	    kvzalloc(struct_size(s, dests, n), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	list_for_each_entry(dest, &svc->dests, list)
		if ((dest->dflags & VSCHED_DEST_F_SORRY) && vs_dest_live(dest))
			s->dests[s->n++] = dest;
	return s;
}

/*
 * Build fresh state with @ops (or the service's current scheduler) and
 * publish it. On failure the old state and sorry list stay in place,
 * with the servers they point to: service.c keeps deleted ones allocated
 * until a rebuild succeeds (vs_svc_rebuild()).
 */
int vs_sched_rebuild(struct vs_service *svc, const struct vs_sched_ops *ops)
{
	struct vs_sched_data *data;
	struct vs_sorry *sorry;

	sorry = vs_sorry_build(svc);
	if (IS_ERR(sorry))
		return PTR_ERR(sorry);
	if (!ops) {
		data = rcu_dereference_protected(svc->sched,
						 lockdep_is_held(&svc->vn->lock));
		ops = data->ops;
	}
	data = ops->build(svc);
	if (IS_ERR(data)) {
		kvfree(sorry);
		return PTR_ERR(data);
	}
	data->ops = ops;
	vs_sched_replace(svc, data);
	vs_sorry_replace(svc, sorry);
	return 0;
}

void vs_sched_release(struct vs_service *svc)
{
	vs_sched_replace(svc, NULL);
	vs_sorry_replace(svc, NULL);
}

static struct vs_dest *vs_sorry_pick(struct vs_service *svc)
{
	struct vs_sorry *s = rcu_dereference(svc->sorry);

	if (!s)
		return NULL;
	return s->dests[((u32)atomic_inc_return(&s->pos) - 1) % s->n];
}

struct vs_dest *vs_sched_pick(struct vs_service *svc, const struct sk_buff *skb)
{
	struct vs_sched_data *data = rcu_dereference(svc->sched);
	struct vs_dest *dest;

	if (unlikely(!data))
		return NULL;
	dest = data->ops->schedule(data, skb);
	if (!dest)
		dest = vs_sorry_pick(svc);
	/*
	 * State left by a failed rebuild may still list a deleted server:
	 * kept allocated until a rebuild succeeds (service.c,
	 * vs_svc_rebuild()), but not to be given new connections.
	 */
	if (dest && unlikely(test_bit(VS_DEST_F_DEAD, &dest->flags)))
		return NULL;
	return dest;
}

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "sched_test.c"
#endif
