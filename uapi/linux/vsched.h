/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vsched: in-kernel L4 virtual-server load balancer, generic netlink ABI.
 *
 * This header is the specification of the "vsched" generic netlink family
 * and the only header shared by the kernel module and userspace.
 *
 * Family name VSCHED_GENL_NAME, version VSCHED_GENL_VERSION. Multicast
 * group VSCHED_GENL_MCGRP_EVENTS carries a copy of every service and real
 * server change made by a command (same layout as the reply to the
 * matching GET; FLUSH sends one SVC_DEL per service). All commands need
 * CAP_NET_ADMIN in the initial user namespace, unless the host loaded the
 * module with allow_userns=1, in which case CAP_NET_ADMIN over the
 * caller's network namespace suffices. Joining the event group needs
 * CAP_NET_ADMIN over the namespace on kernels that can enforce it
 * (GENL_MCAST_CAP_NET_ADMIN); events carry no client addresses.
 *
 * Every object lives in the network namespace of the netlink socket.
 * Unknown attributes, out-of-range values and unknown flag bits are
 * rejected with -EINVAL and an extack message.
 *
 * A service is keyed by (address family, protocol, address, port):
 *   VSCHED_SVC_A_AF        u16  AF_INET (AF_INET6 reserved)
 *   VSCHED_SVC_A_PROTOCOL  u8   IPPROTO_TCP or IPPROTO_UDP
 *   VSCHED_SVC_A_ADDR4     4 bytes, network order (for AF_INET)
 *   VSCHED_SVC_A_ADDR6     16 bytes, network order (for AF_INET6)
 *   VSCHED_SVC_A_PORT      u16  host order, 1..65535
 * A real server ("dest") is keyed by its service plus (address, port).
 *
 * VSCHED_CMD_SVC_NEW     in:  VSCHED_A_SVC { key, SCHED_NAME?, FLAGS?,
 *                        WARMUP?, SCHED_FLAGS? }. NLM_F_EXCL semantics
 *                        always: -EEXIST if present. SCHED_NAME defaults
 *                        to "rr", SCHED_FLAGS to 0.
 * VSCHED_CMD_SVC_SET     in:  VSCHED_A_SVC { key, SCHED_NAME?, FLAGS?,
 *                        WARMUP?, SCHED_FLAGS? }. -ENOENT if the service
 *                        does not exist.
 * VSCHED_CMD_SVC_DEL     in:  VSCHED_A_SVC { key }. Established flows of
 *                        its real servers follow the service's
 *                        EXPIRE_ON_DELETE flag.
 * VSCHED_CMD_SVC_GET     doit: VSCHED_A_SVC { key } -> one service.
 *                        dump: every service, resumable, consistent
 *                        (NLM_F_DUMP_INTR on concurrent change).
 *                        out: VSCHED_A_SVC { key, SCHED_NAME, FLAGS,
 *                        WARMUP, SCHED_FLAGS, NUM_DESTS, STATS }
 * VSCHED_CMD_DEST_NEW    in:  VSCHED_A_SVC { key }, VSCHED_A_DEST { ADDR4,
 *                        PORT, WEIGHT?, FWD_METHOD?, FLAGS?, health? }.
 *                        PORT defaults to the service port, WEIGHT to 1,
 *                        FWD_METHOD to VSCHED_FWD_MASQ, HEALTH to UP.
 * VSCHED_CMD_DEST_SET    same as NEW plus DRAIN, -ENOENT if the dest does
 *                        not exist; only attributes present are changed.
 * VSCHED_CMD_DEST_DEL    in:  VSCHED_A_SVC { key }, VSCHED_A_DEST { ADDR4,
 *                        PORT }. No new connection is scheduled to the
 *                        dest once the command returns.
 * VSCHED_CMD_DEST_GET    dump only, in: VSCHED_A_SVC { key }?,
 *                        VSCHED_A_DUMP_FLAGS?: the servers of that
 *                        service, or without it of every service (in
 *                        service order, each message naming its service;
 *                        NLM_F_DUMP_INTR on concurrent change).
 *                        out: VSCHED_A_SVC { key }, VSCHED_A_DEST { ADDR4,
 *                        PORT, WEIGHT, FWD_METHOD, FLAGS, health,
 *                        STATE, STATE_AGE, EFF_WEIGHT, DRAIN_LEFT?,
 *                        ACTIVE_CONNS, INACT_CONNS, STATS? }; STATS is
 *                        left out with VSCHED_DUMP_F_NO_STATS.
 * VSCHED_CMD_FLUSH       no input: deletes every service.
 * VSCHED_CMD_CONN_GET    dump only, no input. Best-effort walk of the
 *                        connection table (never interrupted: entries
 *                        come and go under load). out: VSCHED_A_CONN.
 * VSCHED_CMD_INFO_GET    doit, no input. out: VSCHED_A_INFO.
 * VSCHED_CMD_CONFIG_GET  doit, no input. out: VSCHED_A_CONFIG.
 * VSCHED_CMD_CONFIG_SET  in:  VSCHED_A_CONFIG with any subset of its
 *                        attributes; values are applied all or nothing.
 * VSCHED_CMD_ZERO        in:  VSCHED_A_SVC { key }? Zeroes the counters of
 *                        that service and its dests, or of everything.
 *
 * Weights and health. A real server has two inputs that never overwrite
 * each other:
 *  - WEIGHT, the operator's (admin) weight: set by vsadm, saved by -S;
 *  - health, set by the health checker (vshealthd): HEALTH (up or down),
 *    HEALTH_REASON (free text for people), HEALTH_PCT (percent of the
 *    admin weight to use while up, default 100) and HEALTH_CAP (an upper
 *    bound on the weight while up, default VSCHED_HEALTH_CAP_NONE).
 * The kernel derives the weight the scheduler uses (EFF_WEIGHT, out):
 *    0            if down, draining, or WEIGHT, HEALTH_PCT or HEALTH_CAP is 0
 *    min(WEIGHT, HEALTH_CAP) * HEALTH_PCT / 100, at least 1, otherwise,
 * scaled by the warm-up ramp: for the service's WARMUP seconds after the
 * server came back up (HEALTH down -> up) the weight grows linearly from
 * 1 to that value (STATE reads WARMING meanwhile). Schedulers that ignore
 * weights (rr) see only zero or not zero. A server that goes down keeps
 * its established connections (quiesce), unless its service has
 * VSCHED_SVC_F_DOWN_RESET: then its TCP connections are reset at once,
 * both ends, and its UDP entries dropped.
 *
 * Sorry servers (FLAGS VSCHED_DEST_F_SORRY) get new connections only
 * while no other server of the service is usable (EFF_WEIGHT > 0), and
 * from clients that sh or mh without the fallback flag cannot place.
 *
 * Scheduler flags (SCHED_FLAGS, enum vsched_sched_flags) tune the hashing
 * schedulers, as ipvsadm's -b does IPVS's; other schedulers keep but
 * ignore them. sh (source hashing) and mh (Maglev hashing) map a client
 * address, plus its source port with VSCHED_SCHED_F_PORT, to a server
 * through a table laid out over the service's servers that are not sorry
 * servers, weighted by the last non-zero WEIGHT each was given. A server
 * in the table that can take no new connection (EFF_WEIGHT 0: WEIGHT 0,
 * draining, HEALTH_PCT or HEALTH_CAP 0) is unavailable: its clients get
 * no server (a sorry server if there is one, else a refusal), or with
 * VSCHED_SCHED_F_FALLBACK another server, the same one for a given
 * client while the servers stay as they are. Without the fallback flag a
 * server that is HEALTH down leaves the table, as keepalived removes a
 * failed server from IPVS: its clients are redistributed (with mh only
 * they move); with the flag it stays in the table, unavailable, so that
 * no other client moves when it fails or comes back.
 *
 * Draining: DEST_SET with DRAIN = N seconds schedules nothing new to the
 * server; the kernel deletes it (a DEST_DEL event) once its last
 * connection has ended, or after N seconds, resetting what remains.
 * DRAIN = 0 cancels a drain in progress.
 *
 * VSCHED_A_DUMP_FLAGS (enum vsched_dump_flags) is taken by DEST_GET
 * only: every other command rejects it. A module older than it rejects
 * the attribute as unknown (-EINVAL); send it again without.
 *
 * Counters (VSCHED_A_STATS) are u64, summed over CPUs at read time:
 * connections scheduled, packets and bytes in (client to server) and out
 * (server to client).
 */
#ifndef _UAPI_LINUX_VSCHED_H
#define _UAPI_LINUX_VSCHED_H

#include <linux/types.h>

#define VSCHED_GENL_NAME		"vsched"
#define VSCHED_GENL_VERSION		1
#define VSCHED_GENL_MCGRP_EVENTS	"events"

#define VSCHED_SCHED_NAME_MAX		16	/* including the NUL */
#define VSCHED_WEIGHT_MAX		65535

enum vsched_cmd {
	VSCHED_CMD_UNSPEC,
	VSCHED_CMD_SVC_NEW,
	VSCHED_CMD_SVC_SET,
	VSCHED_CMD_SVC_DEL,
	VSCHED_CMD_SVC_GET,
	VSCHED_CMD_DEST_NEW,
	VSCHED_CMD_DEST_SET,
	VSCHED_CMD_DEST_DEL,
	VSCHED_CMD_DEST_GET,
	VSCHED_CMD_FLUSH,
	VSCHED_CMD_CONN_GET,
	VSCHED_CMD_INFO_GET,
	VSCHED_CMD_CONFIG_GET,
	VSCHED_CMD_CONFIG_SET,
	VSCHED_CMD_ZERO,
	__VSCHED_CMD_MAX
};

#define VSCHED_CMD_MAX (__VSCHED_CMD_MAX - 1)

/* Top-level attributes. */
enum vsched_attr {
	VSCHED_A_UNSPEC,
	VSCHED_A_SVC,		/* nest, enum vsched_svc_attr */
	VSCHED_A_DEST,		/* nest, enum vsched_dest_attr */
	VSCHED_A_CONN,		/* nest, enum vsched_conn_attr (out) */
	VSCHED_A_INFO,		/* nest, enum vsched_info_attr (out) */
	VSCHED_A_CONFIG,	/* nest, enum vsched_config_attr */
	VSCHED_A_DUMP_FLAGS,	/* u32, enum vsched_dump_flags (in) */
	__VSCHED_A_MAX
};

#define VSCHED_A_MAX (__VSCHED_A_MAX - 1)

/* What a DEST_GET dump leaves out (VSCHED_A_DUMP_FLAGS). */
enum vsched_dump_flags {
	/* No VSCHED_DEST_A_STATS: a listing without counters spares the
	 * kernel the sum over CPUs and the reader a nest per server.
	 */
	VSCHED_DUMP_F_NO_STATS	= 1U << 0,
	__VSCHED_DUMP_F_ALL	= VSCHED_DUMP_F_NO_STATS,
};

/* Service flags (VSCHED_SVC_A_FLAGS). */
enum vsched_svc_flags {
	/* Established flows to a deleted real server (or of a deleted
	 * service) end at their next packet, a TCP one with a reset,
	 * instead of continuing until they close.
	 */
	VSCHED_SVC_F_EXPIRE_ON_DELETE	= 1U << 0,
	/* A real server that goes down (HEALTH) has its connections reset
	 * at once instead of finishing (quiesce).
	 */
	VSCHED_SVC_F_DOWN_RESET		= 1U << 1,
	__VSCHED_SVC_F_ALL		= VSCHED_SVC_F_EXPIRE_ON_DELETE |
					  VSCHED_SVC_F_DOWN_RESET,
};

/*
 * Scheduler flags (VSCHED_SVC_A_SCHED_FLAGS): IPVS's IP_VS_SVC_F_SCHED1
 * and 2, named sh-fallback/mh-fallback and sh-port/mh-port by ipvsadm.
 */
enum vsched_sched_flags {
	/* sh, mh: a client whose server is unavailable gets another one. */
	VSCHED_SCHED_F_FALLBACK		= 1U << 0,
	/* sh, mh: hash the client's source port too, not only its address. */
	VSCHED_SCHED_F_PORT		= 1U << 1,
	__VSCHED_SCHED_F_ALL		= VSCHED_SCHED_F_FALLBACK |
					  VSCHED_SCHED_F_PORT,
};

#define VSCHED_WARMUP_MAX		3600	/* seconds */
#define VSCHED_DRAIN_MAX		86400	/* seconds */

enum vsched_svc_attr {
	VSCHED_SVC_A_UNSPEC,
	VSCHED_SVC_A_AF,		/* u16 */
	VSCHED_SVC_A_PROTOCOL,		/* u8 */
	VSCHED_SVC_A_ADDR4,		/* 4 bytes, network order */
	VSCHED_SVC_A_ADDR6,		/* 16 bytes, network order */
	VSCHED_SVC_A_PORT,		/* u16, host order */
	VSCHED_SVC_A_SCHED_NAME,	/* NUL-terminated string */
	VSCHED_SVC_A_FLAGS,		/* u32, enum vsched_svc_flags */
	VSCHED_SVC_A_NUM_DESTS,		/* u32 (out) */
	VSCHED_SVC_A_STATS,		/* nest, enum vsched_stats_attr (out) */
	VSCHED_SVC_A_PAD,
	VSCHED_SVC_A_WARMUP,		/* u32, seconds, 0..VSCHED_WARMUP_MAX */
	VSCHED_SVC_A_SCHED_FLAGS,	/* u32, enum vsched_sched_flags */
	__VSCHED_SVC_A_MAX
};

#define VSCHED_SVC_A_MAX (__VSCHED_SVC_A_MAX - 1)

/* Forwarding methods (VSCHED_DEST_A_FWD_METHOD). */
enum vsched_fwd_method {
	VSCHED_FWD_MASQ,		/* NAT: destination rewritten */
	__VSCHED_FWD_MAX
};

#define VSCHED_FWD_MAX (__VSCHED_FWD_MAX - 1)

/* Real server flags (VSCHED_DEST_A_FLAGS). */
enum vsched_dest_flags {
	VSCHED_DEST_F_SORRY	= 1U << 0,	/* used only when no other is */
	__VSCHED_DEST_F_ALL	= VSCHED_DEST_F_SORRY,
};

/* What the health checker says (VSCHED_DEST_A_HEALTH). */
enum vsched_health {
	VSCHED_HEALTH_UP,
	VSCHED_HEALTH_DOWN,
	__VSCHED_HEALTH_MAX
};

#define VSCHED_HEALTH_MAX	(__VSCHED_HEALTH_MAX - 1)
#define VSCHED_HEALTH_CAP_NONE	0xffffffffU
#define VSCHED_REASON_MAX	64	/* including the NUL */

/* Derived state of a real server (VSCHED_DEST_A_STATE, out). */
enum vsched_dest_state {
	VSCHED_DS_UP,
	VSCHED_DS_DOWN,
	VSCHED_DS_WARMING,	/* up, weight still ramping */
	VSCHED_DS_DRAINING,
	__VSCHED_DS_MAX
};

#define VSCHED_DS_MAX	(__VSCHED_DS_MAX - 1)

enum vsched_dest_attr {
	VSCHED_DEST_A_UNSPEC,
	VSCHED_DEST_A_ADDR4,		/* 4 bytes, network order */
	VSCHED_DEST_A_ADDR6,		/* 16 bytes, network order */
	VSCHED_DEST_A_PORT,		/* u16, host order */
	VSCHED_DEST_A_WEIGHT,		/* u32, 0..VSCHED_WEIGHT_MAX */
	VSCHED_DEST_A_FWD_METHOD,	/* u8, enum vsched_fwd_method */
	VSCHED_DEST_A_ACTIVE_CONNS,	/* u32 (out) */
	VSCHED_DEST_A_INACT_CONNS,	/* u32 (out) */
	VSCHED_DEST_A_STATS,		/* nest, enum vsched_stats_attr (out) */
	VSCHED_DEST_A_PAD,
	VSCHED_DEST_A_FLAGS,		/* u32, enum vsched_dest_flags */
	VSCHED_DEST_A_HEALTH,		/* u8, enum vsched_health */
	VSCHED_DEST_A_HEALTH_REASON,	/* string, < VSCHED_REASON_MAX */
	VSCHED_DEST_A_HEALTH_PCT,	/* u32, 0..100 */
	VSCHED_DEST_A_HEALTH_CAP,	/* u32, 0..VSCHED_WEIGHT_MAX or
					 * VSCHED_HEALTH_CAP_NONE
					 */
	VSCHED_DEST_A_DRAIN,		/* u32, seconds, 0..VSCHED_DRAIN_MAX
					 * (in, DEST_SET only)
					 */
	VSCHED_DEST_A_STATE,		/* u8, enum vsched_dest_state (out) */
	VSCHED_DEST_A_STATE_AGE,	/* u64, ms since HEALTH or the drain
					 * last changed (out)
					 */
	VSCHED_DEST_A_EFF_WEIGHT,	/* u32 (out) */
	VSCHED_DEST_A_DRAIN_LEFT,	/* u32, ms to the drain deadline
					 * (out, while draining)
					 */
	__VSCHED_DEST_A_MAX
};

#define VSCHED_DEST_A_MAX (__VSCHED_DEST_A_MAX - 1)

enum vsched_stats_attr {
	VSCHED_STATS_A_UNSPEC,
	VSCHED_STATS_A_CONNS,		/* u64 */
	VSCHED_STATS_A_INPKTS,		/* u64 */
	VSCHED_STATS_A_OUTPKTS,		/* u64 */
	VSCHED_STATS_A_INBYTES,		/* u64 */
	VSCHED_STATS_A_OUTBYTES,	/* u64 */
	VSCHED_STATS_A_PAD,
	__VSCHED_STATS_A_MAX
};

#define VSCHED_STATS_A_MAX (__VSCHED_STATS_A_MAX - 1)

/* Connection states (VSCHED_CONN_A_STATE). */
enum vsched_conn_state {
	VSCHED_CS_NONE,			/* UDP: no state */
	VSCHED_CS_SYN,			/* TCP: SYN seen, not yet established */
	VSCHED_CS_ESTABLISHED,
	VSCHED_CS_FIN_WAIT,		/* one side sent FIN */
	VSCHED_CS_TIME_WAIT,		/* both sides sent FIN */
	VSCHED_CS_CLOSE,		/* RST seen */
	__VSCHED_CS_MAX
};

#define VSCHED_CS_MAX (__VSCHED_CS_MAX - 1)

enum vsched_conn_attr {
	VSCHED_CONN_A_UNSPEC,
	VSCHED_CONN_A_AF,		/* u16 */
	VSCHED_CONN_A_PROTOCOL,		/* u8 */
	VSCHED_CONN_A_CADDR4,		/* client */
	VSCHED_CONN_A_CPORT,		/* u16 */
	VSCHED_CONN_A_VADDR4,		/* virtual (service) */
	VSCHED_CONN_A_VPORT,		/* u16 */
	VSCHED_CONN_A_DADDR4,		/* real server */
	VSCHED_CONN_A_DPORT,		/* u16 */
	VSCHED_CONN_A_STATE,		/* u8, enum vsched_conn_state */
	VSCHED_CONN_A_EXPIRES,		/* u32, milliseconds left */
	VSCHED_CONN_A_FWD_METHOD,	/* u8 */
	__VSCHED_CONN_A_MAX
};

#define VSCHED_CONN_A_MAX (__VSCHED_CONN_A_MAX - 1)

enum vsched_info_attr {
	VSCHED_INFO_A_UNSPEC,
	VSCHED_INFO_A_VERSION,		/* string */
	VSCHED_INFO_A_CONN_COUNT,	/* u32 */
	VSCHED_INFO_A_CONN_MAX,		/* u32 */
	VSCHED_INFO_A_SVC_COUNT,	/* u32 */
	VSCHED_INFO_A_TABLE_BUCKETS,	/* u32, current hash table size */
	VSCHED_INFO_A_DROP_NO_DEST,	/* u64, new flows with no server */
	VSCHED_INFO_A_DROP_NO_CONN,	/* u64, TCP non-SYN with no entry */
	VSCHED_INFO_A_DROP_CONN_LIMIT,	/* u64, new flows over CONN_MAX or
					 * with no memory for an entry
					 */
	VSCHED_INFO_A_PAD,
	VSCHED_INFO_A_CONN_RACES,	/* u64, new flows whose first packets
					 * met on two CPUs: the later one
					 * followed the entry the earlier
					 * made (no drop, one entry)
					 */
	__VSCHED_INFO_A_MAX
};

#define VSCHED_INFO_A_MAX (__VSCHED_INFO_A_MAX - 1)

/* Timeouts are in seconds, 1..2^31/HZ; CONN_MAX 1..host ceiling. */
enum vsched_config_attr {
	VSCHED_CONFIG_A_UNSPEC,
	VSCHED_CONFIG_A_TCP_SYN,	/* u32, default 60 */
	VSCHED_CONFIG_A_TCP_EST,	/* u32, default 900 */
	VSCHED_CONFIG_A_TCP_FIN,	/* u32, default 120 */
	VSCHED_CONFIG_A_TCP_TIME_WAIT,	/* u32, default 120 */
	VSCHED_CONFIG_A_TCP_CLOSE,	/* u32, default 10 */
	VSCHED_CONFIG_A_UDP,		/* u32, default 300 */
	VSCHED_CONFIG_A_CONN_MAX,	/* u32, default 1048576 */
	__VSCHED_CONFIG_A_MAX
};

#define VSCHED_CONFIG_A_MAX (__VSCHED_CONFIG_A_MAX - 1)

#endif /* _UAPI_LINUX_VSCHED_H */
