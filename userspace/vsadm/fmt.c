// SPDX-License-Identifier: GPL-2.0
/* vsadm: how protocols, addresses, states and counters are written. */

#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "vsadm.h"

const char *vsadm_proto_name(uint8_t protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:	return "TCP";
	case IPPROTO_UDP:	return "UDP";
	default:		return "???";
	}
}

const char *vsadm_fwd_name(uint8_t fwd)
{
	return fwd == VSCHED_FWD_MASQ ? "Masq" : "???";
}

/* The names ipvsadm shows for IPVS states. */
const char *vsadm_state_name(uint8_t protocol, uint8_t state)
{
	switch (state) {
	case VSCHED_CS_NONE:
		return protocol == IPPROTO_UDP ? "UDP" : "NONE";
	case VSCHED_CS_SYN:		return "SYN_RECV";
	case VSCHED_CS_ESTABLISHED:	return "ESTABLISHED";
	case VSCHED_CS_FIN_WAIT:	return "FIN_WAIT";
	case VSCHED_CS_TIME_WAIT:	return "TIME_WAIT";
	case VSCHED_CS_CLOSE:		return "CLOSE";
	default:			return "UNKNOWN";
	}
}

const char *vsadm_sched_flag_name(const char *sched, unsigned int bit,
				  char *buf, size_t len)
{
	static const char *const names[] = { "fallback", "port" };

	if (bit < sizeof(names) / sizeof(names[0]) &&
	    (!strcmp(sched, "sh") || !strcmp(sched, "mh")))
		snprintf(buf, len, "%s-%s", sched, names[bit]);
	else
		snprintf(buf, len, "flag-%u", bit + 1);
	return buf;
}

void vsadm_sched_flags_str(const char *sched, uint32_t flags, char *buf,
			   size_t len)
{
	char name[32];
	size_t used = 0;
	unsigned int bit;

	if (len)
		buf[0] = '\0';
	for (bit = 0; bit < 32 && used < len; bit++) {
		if (!(flags & (1U << bit)))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? "," : "",
				 vsadm_sched_flag_name(sched, bit, name,
						       sizeof(name)));
	}
}

void vsadm_svc_str(const struct vs_svc *svc, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &svc->addr, a, sizeof(a));
	snprintf(buf, len, "%s %s:%u", vsadm_proto_name(svc->protocol), a,
		 svc->port);
}

void vsadm_addrport_str(struct in_addr addr, uint16_t port, uint8_t protocol,
			bool numeric, char *buf, size_t len)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr = addr,
		.sin_port = htons(port),
	};
	int flags = NI_NAMEREQD | (protocol == IPPROTO_UDP ? NI_DGRAM : 0);

	if (numeric || getnameinfo((struct sockaddr *)&sin, sizeof(sin), host,
				   sizeof(host), NULL, 0, flags))
		inet_ntop(AF_INET, &addr, host, sizeof(host));
	if (numeric || getnameinfo((struct sockaddr *)&sin, sizeof(sin), NULL,
				   0, serv, sizeof(serv),
				   protocol == IPPROTO_UDP ? NI_DGRAM : 0))
		snprintf(serv, sizeof(serv), "%u", port);
	snprintf(buf, len, "%s:%s", host, serv);
}

void vsadm_largenum(uint64_t v, bool exact, char *buf, size_t len)
{
	unsigned long long i = v;

	if (exact) {
		int n = snprintf(NULL, 0, "%llu", i);

		snprintf(buf, len, "%*llu", n <= 8 ? 9 : n + 1, i);
	} else if (i < 100000000ULL) {
		snprintf(buf, len, "%9llu", i);
	} else if (i < 1000000000ULL) {
		snprintf(buf, len, "%8lluK", i / 1000);
	} else if (i < 100000000000ULL) {
		snprintf(buf, len, "%8lluM", i / 1000000);
	} else if (i < 100000000000000ULL) {
		snprintf(buf, len, "%8lluG", i / 1000000000ULL);
	} else {
		snprintf(buf, len, "%8lluT", i / 1000000000000ULL);
	}
}

const char *vsadm_dest_state_name(uint8_t state)
{
	switch (state) {
	case VSCHED_DS_UP:		return "up";
	case VSCHED_DS_DOWN:		return "down";
	case VSCHED_DS_WARMING:		return "warming";
	case VSCHED_DS_DRAINING:	return "draining";
	default:			return "unknown";
	}
}

/* Two units at most, as people read an age: "45s", "5m12s", "3h07m". */
void vsadm_age_str(uint64_t ms, char *buf, size_t len)
{
	unsigned long long s = ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%llus", s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%llud%02lluh", s / 86400, s % 86400 / 3600);
}
