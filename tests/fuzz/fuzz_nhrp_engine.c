/* libFuzzer target: arbitrary packets into a hub and a spoke engine (mock
 * ops), with the clock moving so timers, retransmissions and expiry run.
 * Input: a sequence of records [1 byte: target/flags][1 byte: time step]
 * [2 bytes: length][bytes]. */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"
#include "overlay/peer.h"
#include "tests/unit/nhrp_mock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mock_net net;
	static bool init;
	if (!init) {
		log_init("fuzz", LOG_DEST_NONE, LOG_LVL_ERROR);
		init = true;
	}
	mock_net_init(&net);
	net.check = false;
	struct mock_node *hub = mock_node_add(&net, "hub", AF_INET, "198.18.0.1", "10.0.0.1/24");
	struct mock_node *sp = mock_node_add(&net, "sp1", AF_INET, "198.18.1.1", "10.0.0.11/24");
	struct mock_node *s6 = mock_node_add(&net, "sp6", AF_INET6, "198.18.1.2", "fd00::12/64");
	mock_node_add_nhs(sp, "10.0.0.1", "198.18.0.1", 1);
	mock_node_add_nhs(s6, NULL, "198.18.0.1", 1);
	hub->cfg.nhrp4.redirect = true;
	sp->cfg.nhrp4.shortcut = true;
	s6->cfg.nhrp6.shortcut = true;
	if (size && (data[0] & 0x80)) {
		hub->cfg.nhrp_auth = sp->cfg.nhrp_auth = (char *)"secret";
	}
	mock_node_add_route(hub, "10.1.0.0/16", true, "10.0.0.11");
	mock_node_add_route(sp, "10.1.1.0/24", false, NULL);
	mock_node_start(hub);
	mock_node_start(sp);
	mock_node_start(s6);
	mock_advance(&net, net.now + 1);
	struct mock_node *nodes[3] = { hub, sp, s6 };
	size_t off = 0;
	while (off + 4 <= size) {
		uint8_t sel = data[off];
		double step = data[off + 1] * 2.0;
		size_t len = (size_t)data[off + 2] << 8 | data[off + 3];
		off += 4;
		if (len > size - off)
			len = size - off;
		struct mock_node *n = nodes[sel % 3];
		const char *src = (sel & 4) ? "198.18.1.1" : (sel & 8) ? "198.18.9.9" : "198.18.0.1";
		if (n->nif)
			mock_inject(n, src, data + off, len);
		if (sel & 0x10) {
			struct peer *in = peer_find((struct ovl_if *)&hub->ovl, &sp->nbma);
			if (in && hub->nif)
				nhrp_relay_seen(hub->nif, in, in, data + off, len, net.now);
		}
		if (sel & 0x20 && sp->nif && len >= 4) {
			struct ipaddr a;
			ipaddr_from_bytes(&a, data + off, 4);
			nhrp_neigh_lookup(sp->nif, &a, net.now);
		}
		if (sel & 0x40 && sp->nif)
			nhrp_cache_clear(sp->nif, net.now);
		off += len;
		mock_advance(&net, net.now + step);
	}
	mock_node_stop(sp, true);
	mock_node_stop(s6, true);
	mock_pump(&net);
	mock_net_free(&net);
	return 0;
}
