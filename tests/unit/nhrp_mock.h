/* A mock NBMA network for NHRP engine tests and the engine fuzz target:
 * several engines (hub and spokes) in one process, a mock clock, a packet
 * queue delivering by NBMA address with optional NAT rewrite of the source
 * and packet loss, a mock routing table and a record of what the engines
 * installed. Every packet sent is re-parsed with nhrp_parse and checked
 * for Cisco's extension set. */
#ifndef DMVPN_TESTS_NHRP_MOCK_H
#define DMVPN_TESTS_NHRP_MOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "lib/addr.h"
#include "nhrp/nhrp.h"

#define MOCK_NODES     4
#define MOCK_QUEUE     256
#define MOCK_PKT_MAX   4096
#define MOCK_ROUTES    16
#define MOCK_INSTALLED 32
#define MOCK_NEIGH     64

struct mock_route {
	struct prefix p;
	bool via_overlay;
	struct ipaddr gateway;
};
struct mock_installed {
	struct prefix p;
	struct ipaddr via;
	bool live;
};
struct mock_neigh {
	struct ipaddr proto;
	struct ipaddr nbma; /* unset: forgotten */
};

struct mock_net;
struct mock_node {
	struct mock_net *net;
	int id;
	char name[16];
	struct ipaddr nbma;   /* what the node uses and claims */
	struct ipaddr public; /* behind NAT: what others see */
	bool nat;
	char ovl; /* its address is the oif pointer */
	struct cfg_iface cfg;
	struct cfg_nhs nhs[4];
	char auth[16];
	int family;
	struct nhrp_if *nif;
	struct mock_route routes[MOCK_ROUTES];
	unsigned n_routes;
	struct mock_installed inst[MOCK_INSTALLED];
	unsigned n_inst;
	unsigned route_adds, route_dels;
	struct mock_neigh neigh[MOCK_NEIGH];
	unsigned n_neigh;
	unsigned neigh_updates;
	bool rx_down; /* drop everything sent to this node */
	/* optional nhrp_ops.reg_allowed (ctx: this node), set before start */
	bool (*reg_allowed)(void *ctx, const struct ipaddr *src, const struct prefix *proto);
};

struct mock_pkt {
	int from;
	struct ipaddr dst, src_seen;
	size_t len;
	uint8_t buf[MOCK_PKT_MAX];
};

struct mock_net {
	double now;
	struct mock_node node[MOCK_NODES];
	unsigned n_nodes;
	struct mock_pkt *q; /* MOCK_QUEUE */
	unsigned qh, qn;
	unsigned drop_next;   /* drop this many packets */
	unsigned sent[9];     /* per NHRP type */
	unsigned bad_parse;   /* packets the codec rejected */
	unsigned bad_ext;     /* packets without Cisco's extension set */
	unsigned delivered, dropped, undeliverable;
	bool check; /* strict checks (unit tests); the fuzzer sets false */
	/* last packet of each type sent, by whom */
	struct {
		int from;
		struct ipaddr dst;
		size_t len;
		uint8_t buf[MOCK_PKT_MAX];
	} last[9];
};

void mock_net_init(struct mock_net *net);
void mock_net_free(struct mock_net *net);
/* Adds a node; nhs_nbma/nhs_proto (may be NULL) make it a spoke of that NHS.
 * family: overlay family (AF_INET/AF_INET6). Does not start the engine. */
struct mock_node *mock_node_add(struct mock_net *net, const char *name, int family,
				const char *nbma, const char *proto_prefix);
void mock_node_add_nhs(struct mock_node *n, const char *proto, const char *nbma, unsigned prio);
void mock_node_add_route(struct mock_node *n, const char *prefix, bool via_overlay,
			 const char *gateway);
void mock_node_start(struct mock_node *n);
void mock_node_stop(struct mock_node *n, bool clean);
/* Delivers queued packets (and whatever they trigger). */
void mock_pump(struct mock_net *net);
/* Advances the clock to t, running every engine's deadlines on the way. */
void mock_advance(struct mock_net *net, double t);
/* Injects raw bytes into a node's engine as coming from src. */
void mock_inject(struct mock_node *n, const char *src, const uint8_t *buf, size_t len);
const struct mock_installed *mock_route_find(const struct mock_node *n, const char *prefix);
const struct mock_neigh *mock_neigh_find(const struct mock_node *n, const char *proto);
struct ipaddr mock_ip(const char *s);

#endif
