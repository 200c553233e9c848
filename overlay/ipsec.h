/* Tunnel protection (`tunnel protection ikev2 profile NAME`): the IKEv2
 * engine (ike/sa.h) and the userspace ESP data path (overlay/esp.h) wired to
 * the mGRE interfaces (overlay/iface.h).
 *
 * One struct ipsec per daemon, made when any interface is protected. Per
 * local NBMA address it owns UDP sockets on 500 and 4500 and a raw
 * IPPROTO_ESP socket, demultiplexed with overlay/demux.h; one libev timer
 * runs the engine (ike_next_deadline), NAT-T keepalives (every 20 s when a
 * NAT is in front of us), SA lifetimes and the queues below.
 *
 * Out: every GRE packet of a protected interface (data, NHRP, keepalives)
 * goes through the hook struct ovl_protect: the peer's outbound SA (SAD by
 * NBMA) -> esp_encap -> raw 50, or UDP 4500 when the CHILD SA has UDP
 * encapsulation. Without an SA the packet waits in a bounded per-peer queue
 * (IPSEC_QUEUE_MAX packets) and IKE starts on demand, once per peer.
 * In: ESP -> SAD by SPI -> esp_decap -> ovl_fwd_gre_input() with the SA's
 * remote NBMA as source. Cleartext GRE on a protected interface is dropped
 * (overlay.IF.drop_cleartext_gre).
 *
 * Registration rule (hub): when the profile has `authorize` lines, an NHRP
 * Registration Request is accepted only when the IKE identity of the SA it
 * arrived on is authorized for the registered address
 * (cfg_profile_authorizes); else NHRP refuses it with code 4.
 *
 * DPD or retransmission give-up on an established SA: its SAs are removed,
 * the peer's NHRP entries and routes withdrawn (nhrp_peer_dead), the peer
 * marked down and an "ike" event emitted.
 *
 * Counters: group "ipsec", one per drop reason (drop_esp_<esp_err_name>...).
 */
#ifndef DMVPN_OVERLAY_IPSEC_H
#define DMVPN_OVERLAY_IPSEC_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "lib/addr.h"

struct config;
struct ike_engine;
struct ovl_if;
struct sad;
struct ipsec;

#define IPSEC_QUEUE_MAX 32 /* packets held per peer while IKE comes up */

/* Takes ownership of cfg (profiles must outlive the SAs: a reload does not
 * replace it, see ipsec_config_add). NULL on error (logged); cfg is freed then. */
struct ipsec *ipsec_new(struct ev_loop *loop, struct config *cfg);
/* A reload that creates protected interfaces hands over a copy of the new
 * configuration (ownership taken, also on error): later ipsec_attach()
 * calls look interfaces and profiles up in the newest copy that has them;
 * the older copies stay, as SAs of running interfaces point into them.
 * 0, or -1 (ENOMEM, logged). */
int ipsec_config_add(struct ipsec *ips, struct config *cfg);
/* Protects oif when its interface (by name) has `tunnel protection` in the
 * ipsec's configuration: opens the sockets of its NBMA addresses and sets
 * oif->protect. 1 attached, 0 not protected, -1 error (logged). */
int ipsec_attach(struct ipsec *ips, struct ovl_if *oif);
/* Closes every SA (interfaces must have been detached: ovl_if_shutdown
 * does it), sockets, counters. NULL is fine. */
void ipsec_free(struct ipsec *ips);

/* `clear ikev2 sa [PEER]`: deletes the IKE SAs (of peer, NULL: all);
 * returns how many. */
unsigned ipsec_clear(struct ipsec *ips, const struct ipaddr *peer);

/* Inspection for show commands. */
struct ike_engine *ipsec_engine(const struct ipsec *ips);
struct sad *ipsec_sad(const struct ipsec *ips);

#endif
