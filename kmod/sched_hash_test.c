// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit helpers for the sh and mh suites (sched_sh_test.c,
 * sched_mh_test.c): a service with real servers, and the server each of
 * many clients gets through the real pick path, from a real packet.
 * Included at the end of sched_hash.c.
 */

#include <kunit/test.h>
#include <linux/udp.h>

struct vs_hash_fixture *vs_hash_fixture(struct kunit *test, const u32 *weights,
					unsigned int n, u32 sched_flags)
{
	struct vs_hash_fixture *f;
	unsigned int i;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->dests = kunit_kcalloc(test, n, sizeof(*f->dests), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->dests);
	f->skb = alloc_skb(sizeof(struct iphdr) + sizeof(struct udphdr),
			   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->skb);
	skb_reset_network_header(f->skb);
	skb_put_zero(f->skb, sizeof(struct iphdr) + sizeof(struct udphdr));
	ip_hdr(f->skb)->version = 4;
	ip_hdr(f->skb)->ihl = 5;
	ip_hdr(f->skb)->protocol = IPPROTO_UDP;
	mutex_init(&f->vn.lock);
	f->svc.vn = &f->vn;
	f->svc.sched_flags = sched_flags;
	INIT_LIST_HEAD(&f->svc.dests);
	f->n = n;
	for (i = 0; i < n; i++) {
		struct vs_dest *d = &f->dests[i];

		d->addr.ip = htonl(0xc6120200 + 10 + i);	/* 198.18.2.10+ */
		d->port = htons(8080);
		d->weight = weights[i];
		d->last_weight = weights[i];
		d->eff_weight = weights[i];
		d->health = VSCHED_HEALTH_UP;
		d->svc = &f->svc;
		list_add_tail(&d->list, &f->svc.dests);
		f->svc.num_dests++;
	}
	return f;
}

void vs_hash_rebuild(struct kunit *test, struct vs_hash_fixture *f,
		     const char *name)
{
	mutex_lock(&f->vn.lock);
	KUNIT_ASSERT_EQ(test, vs_sched_rebuild(&f->svc, vs_sched_find(name)),
			0);
	mutex_unlock(&f->vn.lock);
}

/* Deleted, as vs_dest_del() leaves it for the rebuild. */
void vs_hash_del(struct vs_hash_fixture *f, unsigned int i)
{
	set_bit(VS_DEST_F_DEAD, &f->dests[i].flags);
	list_del(&f->dests[i].list);
	f->svc.num_dests--;
}

/* Client k is 198.19.x.y = 198.19.0.0 + k, port @sport. */
void vs_hash_map(struct vs_hash_fixture *f, int *out, unsigned int nsrc,
		 u16 sport)
{
	struct iphdr *iph = ip_hdr(f->skb);
	struct udphdr *uh = (struct udphdr *)(iph + 1);
	unsigned int k;

	uh->source = htons(sport);
	rcu_read_lock();
	for (k = 0; k < nsrc; k++) {
		struct vs_dest *d;

		iph->saddr = htonl(0xc6130000 + k);
		d = vs_sched_pick(&f->svc, f->skb);
		out[k] = d ? (int)(d - f->dests) : -1;
	}
	rcu_read_unlock();
}

/*
 * Every client got a server, and server i got its weight's share of them
 * within @tol_pct percent of that share.
 */
void vs_hash_expect_shares(struct kunit *test, const int *got,
			   unsigned int nsrc, const u32 *weights,
			   unsigned int n, unsigned int tol_pct)
{
	unsigned int *count = kunit_kcalloc(test, n, sizeof(*count),
					    GFP_KERNEL);
	unsigned int i, k;
	u64 sum = 0;

	KUNIT_ASSERT_NOT_NULL(test, count);
	for (i = 0; i < n; i++)
		sum += weights[i];
	for (k = 0; k < nsrc; k++) {
		KUNIT_ASSERT_GE(test, got[k], 0);
		KUNIT_ASSERT_LT(test, got[k], (int)n);
		count[got[k]]++;
	}
	for (i = 0; i < n; i++) {
		u64 want = div64_u64((u64)nsrc * weights[i], sum);
		u64 dev = abs((s64)count[i] - (s64)want);

		KUNIT_EXPECT_LE_MSG(test, dev * 100, want * tol_pct,
				    "server %u (weight %u): %u clients, %llu expected",
				    i, weights[i], count[i], want);
	}
}

void vs_hash_done(struct vs_hash_fixture *f)
{
	mutex_lock(&f->vn.lock);
	vs_sched_release(&f->svc);
	mutex_unlock(&f->vn.lock);
	rcu_barrier();
	kfree_skb(f->skb);
}
