/* ike_peer's data mode: sequence-numbered GRE packets through the CHILD SA
 * with our userspace ESP (overlay/esp.h), for the strongSwan interop
 * scenarios (a reflector in charon's namespace echoes each GRE packet).
 *
 * Each packet is a GRE header with the sequence-number bit (RFC 2890),
 * protocol 0x0800, then a payload that starts with "ikpeer" and the same
 * sequence number. Every CHILD SA goes into a SAD (overlay/esp.h) at
 * child_up; packets go out on the SAD's outbound SA for the peer (its
 * make-before-break rule picks it), and every inbound SA decrypts until its
 * CHILD SA is deleted (child_down, or --linger seconds after). ESP leaves on UDP 4500 (RFC 3948)
 * when the CHILD SA is encapsulated, on a raw protocol-50 socket otherwise.
 */
#ifndef DMVPN_TESTS_IKE_PEER_DATA_H
#define DMVPN_TESTS_IKE_PEER_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ike_child_info;
struct ike_peer_data;

struct ike_peer_data_conf {
	double pps;       /* packets per second */
	double duration;  /* seconds of sending, from the first child_up */
	size_t size;      /* GRE payload bytes (>= 16) */
	double linger;    /* keep a deleted CHILD's inbound SA this long (s) */
	int fd4500, fd50; /* sockets to send ESP on (fd50 may be -1) */
};

struct ike_peer_data *ike_peer_data_new(const struct ike_peer_data_conf *conf);
void ike_peer_data_free(struct ike_peer_data *d);

/* CHILD SA events from the engine. */
void ike_peer_data_child_up(struct ike_peer_data *d, const struct ike_child_info *c, double now);
void ike_peer_data_child_down(struct ike_peer_data *d, const struct ike_child_info *c,
                              double now);
/* One ESP packet from the SPI on (UDP 4500 after demux, or raw 50 after the
 * IP header). */
void ike_peer_data_input(struct ike_peer_data *d, const uint8_t *esp, size_t len, double now);
/* Sends what is due; frees lingering SAs. */
void ike_peer_data_tick(struct ike_peer_data *d, double now);
/* Earliest time ike_peer_data_tick must run (INFINITY: nothing to send). */
double ike_peer_data_next(const struct ike_peer_data *d);
/* True once sending is over (duration passed) and `drain` seconds after. */
bool ike_peer_data_done(const struct ike_peer_data *d, double now, double drain);
/* Prints the DATA and DATA_SA lines. Returns the number of lost packets. */
unsigned ike_peer_data_report(const struct ike_peer_data *d, FILE *out);

#endif
