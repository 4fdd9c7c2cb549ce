// SPDX-License-Identifier: GPL-2.0
/*
 * The table the hashing schedulers (sched_sh.c, sched_mh.c) share: which
 * servers it is laid out over, which of them are available, the fallback
 * and the lookup. Each scheduler only fills the table (tab) its own way.
 */

#include <linux/ip.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <net/ip.h>

#include "fault.h"
#include "sched.h"
#include "sched_hash.h"
#include "service.h"

/*
 * Fixed keys, as IPVS's mh uses: two vsched hosts with the same servers
 * (behind ECMP, or a host and its standby) send a client to the same
 * server. A client chooses its own source address anyway, so a secret
 * key would not stop one from picking its server.
 */
static const hsiphash_key_t vs_hash_key_client = {{ 0x9e3779b9, 0x7f4a7c15 }};
static const hsiphash_key_t vs_hash_key_fallback = {{ 0x85ebca6b, 0xc2b2ae35 }};
static const hsiphash_key_t vs_hash_key_dest = {{ 0x27d4eb2f, 0x165667b1 }};

/*
 * A server that is down leaves the table unless the fallback flag keeps it
 * (uapi/linux/vsched.h, "Scheduler flags"); the layout weight is the last
 * non-zero one, so that quiescing a server (weight 0) moves no one else.
 */
static bool vs_hash_member(const struct vs_dest *dest, u32 flags)
{
	if (test_bit(VS_DEST_F_DEAD, &dest->flags) ||
	    (dest->dflags & VSCHED_DEST_F_SORRY) || !dest->last_weight)
		return false;
	return (flags & VSCHED_SCHED_F_FALLBACK) ||
	       dest->health == VSCHED_HEALTH_UP;
}

/* The members of @svc into @t; on error the caller frees @t. */
int vs_hash_tab_init(struct vs_hash_tab *t, struct vs_service *svc)
{
	unsigned int max = svc->num_dests;
	struct vs_dest *dest;

	t->flags = svc->sched_flags;
	if (!max)
		return 0;
	t->dests = vs_fault() ? NULL :
		   kvmalloc_array(max, 2 * sizeof(*t->dests) +
				  sizeof(*t->weights), GFP_KERNEL_ACCOUNT);
	if (!t->dests)
		return -ENOMEM;
	t->avail = t->dests + max;
	t->weights = (u32 *)(t->avail + max);
	list_for_each_entry(dest, &svc->dests, list) {
		if (!vs_hash_member(dest, t->flags))
			continue;
		if (t->n == VS_HASH_MEMBERS_MAX)
			return -E2BIG;
		t->dests[t->n] = dest;
		t->weights[t->n] = dest->last_weight;
		t->avail[t->n] = vs_dest_usable(dest) ? dest : NULL;
		t->n++;
	}
	return 0;
}

int vs_hash_tab_alloc(struct vs_hash_tab *t, u32 size)
{
	t->tab = vs_fault() ? NULL :
		 kvmalloc_array(size, sizeof(*t->tab), GFP_KERNEL_ACCOUNT);
	if (!t->tab)
		return -ENOMEM;
	t->size = size;
	return 0;
}

/*
 * With the fallback flag and an unavailable member: next[i] is the first
 * available member at or after entry i, wrapping around, so a fallback is
 * one lookup whatever the number of unavailable entries (IPVS probes the
 * table, up to its size, per new connection).
 */
int vs_hash_tab_finish(struct vs_hash_tab *t)
{
	unsigned int i;
	u16 cur;

	if (!(t->flags & VSCHED_SCHED_F_FALLBACK) || !t->size)
		return 0;
	for (i = 0; i < t->n && t->avail[i]; i++)
		;
	if (i == t->n)
		return 0;	/* all available: no fallback needed */
	for (i = 0; i < t->size && !t->avail[t->tab[i]]; i++)
		;
	if (i == t->size)
		return 0;	/* none available: no fallback possible */
	t->next = vs_fault() ? NULL :
		  kvmalloc_array(t->size, sizeof(*t->next),
				 GFP_KERNEL_ACCOUNT);
	if (!t->next)
		return -ENOMEM;
	cur = t->tab[i];
	for (i = t->size; i-- > 0;) {
		if (t->avail[t->tab[i]])
			cur = t->tab[i];
		t->next[i] = cur;
	}
	return 0;
}

void vs_hash_tab_free(struct vs_hash_tab *t)
{
	kvfree(t->next);
	kvfree(t->tab);
	kvfree(t->dests);
}

/* Under rcu_read_lock(). */
struct vs_dest *vs_hash_tab_lookup(const struct vs_hash_tab *t, __be32 saddr,
				   __be16 sport)
{
	u32 a = (__force u32)saddr, p = (__force u16)sport;
	struct vs_dest *dest;

	if (!t->size)
		return NULL;
	dest = t->avail[t->tab[reciprocal_scale(hsiphash_2u32(a, p,
				&vs_hash_key_client), t->size)]];
	if (dest || !t->next)
		return dest;
	return t->avail[t->next[reciprocal_scale(hsiphash_2u32(a, p,
				&vs_hash_key_fallback), t->size)]];
}

/* The hooks checked that the packet holds its TCP or UDP ports. */
struct vs_dest *vs_hash_tab_pick(const struct vs_hash_tab *t,
				 const struct sk_buff *skb)
{
	__be16 _ports[2], sport = 0;
	const __be16 *ports;

	if (t->flags & VSCHED_SCHED_F_PORT) {
		ports = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_ports),
					   _ports);
		if (ports)
			sport = ports[0];
	}
	return vs_hash_tab_lookup(t, ip_hdr(skb)->saddr, sport);
}

void vs_hash_free(struct vs_sched_data *data)
{
	vs_hash_tab_free(&container_of(data, struct vs_hash_data, base)->t);
}

/* The members of @svc, a table laid out by @layout, the fallback. */
struct vs_sched_data *vs_hash_build(struct vs_service *svc,
				    int (*layout)(struct vs_hash_tab *t))
{
	struct vs_hash_data *d;
	int err;

	d = vs_fault() ? NULL : kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return ERR_PTR(-ENOMEM);
	err = vs_hash_tab_init(&d->t, svc);
	if (!err && d->t.n)
		err = layout(&d->t);
	if (!err)
		err = vs_hash_tab_finish(&d->t);
	if (err) {
		vs_hash_free(&d->base);
		kfree(d);
		return ERR_PTR(err);
	}
	return &d->base;
}

struct vs_dest *vs_hash_schedule(struct vs_sched_data *data,
				 const struct sk_buff *skb)
{
	return vs_hash_tab_pick(&container_of(data, struct vs_hash_data,
					      base)->t, skb);
}

/* A hash of a server's address and port, for mh's permutations. */
u32 vs_hash_dest(const struct vs_dest *dest, u32 seed)
{
	return hsiphash_3u32((__force u32)dest->addr.ip,
			     (__force u16)dest->port, seed, &vs_hash_key_dest);
}

int vs_sched_hash_init(void)
{
	int ret;

	ret = vs_sched_sh_init();
	if (ret)
		return ret;
	ret = vs_sched_mh_init();
	if (ret)
		vs_sched_sh_exit();
	return ret;
}

void vs_sched_hash_exit(void)
{
	vs_sched_mh_exit();
	vs_sched_sh_exit();
}

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "sched_hash_test.c"
#endif
