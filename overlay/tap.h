/* TAP devices: the overlay interface as the kernel sees it.
 *
 * tap_open creates (or attaches to) a TAP interface through /dev/net/tun
 * with IFF_TAP | IFF_NO_PI: every read returns one whole Ethernet frame and
 * every write injects one. The descriptor is non-blocking and close-on-exec.
 * The interface is not persistent: closing the descriptor (or the process
 * dying) removes it together with its addresses, routes and neighbours.
 *
 * All functions return 0 (or a length/count) on success and -errno on
 * failure; -EAGAIN from a read means no frame is waiting.
 */
#ifndef DMVPN_OVERLAY_TAP_H
#define DMVPN_OVERLAY_TAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Largest frame worth a buffer: Ethernet header + 64 KiB IP packet. A read
 * into a smaller buffer returns the frame truncated (the rest is lost). */
#define TAP_FRAME_MAX (14 + 65535)
/* IFNAMSIZ, without <net/if.h> (which clashes with <linux/if.h>). */
#define TAP_NAMSIZ 16

struct tap {
	int fd; /* -1 when closed */
	int ifindex;
	char name[TAP_NAMSIZ]; /* the name the kernel gave (templates like "dmvpn%d" expand) */
};

/* Creates the TAP interface `name` (at most TAP_NAMSIZ-1 bytes; NULL or ""
 * lets the kernel choose "tapN"). The interface is left down, without
 * addresses, with a random MAC (set one with tap_set_mac: arp_self_mac).
 * Fails with -EBUSY when a TAP of that name is already held by another
 * descriptor, -EINVAL when `name` is some other kind of interface,
 * -ENAMETOOLONG, or -ENOENT/-EPERM from /dev/net/tun. */
int tap_open(struct tap *t, const char *name);
/* Closes the descriptor; the interface disappears. Safe on a closed tap. */
void tap_close(struct tap *t);

/* MAC address of the interface (ioctl on the TAP descriptor itself). */
int tap_set_mac(struct tap *t, const uint8_t mac[6]);
int tap_get_mac(struct tap *t, uint8_t mac[6]);

/* One frame. tap_read returns its length, -EAGAIN when none is queued. */
ssize_t tap_read(struct tap *t, void *buf, size_t cap);
/* Writes one frame; returns its length. A frame the kernel cannot queue is
 * an error (-EIO/-EINVAL for a malformed frame, -ENOBUFS under pressure). */
ssize_t tap_write(struct tap *t, const void *frame, size_t len);

/* Batches: a TAP descriptor has no recvmmsg, so these loop over single
 * reads/writes, stopping at the first -EAGAIN. */
struct tap_frame {
	uint8_t *buf;
	size_t cap; /* capacity of buf (reads) */
	size_t len; /* frame length (set by reads, read by writes) */
};
/* Reads up to n frames. Returns the number read (0 when none is queued), or
 * -errno when the first read failed with something other than EAGAIN. */
int tap_read_batch(struct tap *t, struct tap_frame *frames, unsigned n);
/* Writes frames in order. Returns how many were written (stopping at the
 * first failure, whose -errno is stored in *err when err is not NULL). */
int tap_write_batch(struct tap *t, const struct tap_frame *frames, unsigned n, int *err);

#endif
