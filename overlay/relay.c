/* Hub-side relay detection: a small hash of recently received inbound IP
 * packets (source, destination, protocol, identification) -> the peer they
 * came from. When the kernel routes such a packet back out of the TAP to
 * another peer, the hub relayed spoke-to-spoke traffic (phase 3: the NHRP
 * engine may send a Traffic Indication). No allocation: a fixed table,
 * newer entries overwrite older ones in the same slot. */
#include <string.h>

#include "overlay/iface.h"

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x9e3779b1u;
	return h ^ (h >> 15);
}

uint32_t ovl_relay_key(const uint8_t *ip, size_t len)
{
	uint32_t h = 0x811c9dc5u;

	if (len < 1)
		return 0;
	if ((ip[0] >> 4) == 4 && len >= 20) {
		for (size_t i = 12; i < 20; i += 4)
			h = mix(h, (uint32_t)ip[i] << 24 | (uint32_t)ip[i + 1] << 16 |
			               (uint32_t)ip[i + 2] << 8 | ip[i + 3]);
		h = mix(h, (uint32_t)ip[9] << 16 | (uint32_t)ip[4] << 8 | ip[5]);
		/* ICMP echo: the sequence number tells packets apart too */
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
		if (ip[9] == 1 && len >= ihl + 8)
			h = mix(h, (uint32_t)ip[ihl + 6] << 8 | ip[ihl + 7]);
	} else if ((ip[0] >> 4) == 6 && len >= 40) {
		for (size_t i = 8; i < 40; i += 4)
			h = mix(h, (uint32_t)ip[i] << 24 | (uint32_t)ip[i + 1] << 16 |
			               (uint32_t)ip[i + 2] << 8 | ip[i + 3]);
		h = mix(h, (uint32_t)ip[6] << 24 | (uint32_t)ip[4] << 8 | ip[5]);
		/* payload's first 8 bytes (ports / ICMPv6 id+seq) */
		for (size_t i = 40; i + 4 <= len && i < 48; i += 4)
			h = mix(h, (uint32_t)ip[i] << 24 | (uint32_t)ip[i + 1] << 16 |
			               (uint32_t)ip[i + 2] << 8 | ip[i + 3]);
	} else {
		return 0;
	}
	return h ? h : 1;
}

void ovl_relay_note(struct ovl_relay *r, uint32_t key, uint32_t peer_idx, double now)
{
	struct ovl_relay_slot *s;

	if (!key || !peer_idx)
		return;
	s = &r->slot[key % OVL_RELAY_SLOTS];
	s->hash = key;
	s->peer_idx = peer_idx;
	s->when = now;
}

uint32_t ovl_relay_take(struct ovl_relay *r, uint32_t key, double now, double max_age)
{
	struct ovl_relay_slot *s;
	uint32_t idx;

	if (!key)
		return 0;
	s = &r->slot[key % OVL_RELAY_SLOTS];
	if (s->hash != key || now - s->when > max_age || now < s->when)
		return 0;
	idx = s->peer_idx;
	memset(s, 0, sizeof(*s));
	return idx;
}
