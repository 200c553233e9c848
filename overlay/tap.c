/* TAP devices through /dev/net/tun (IFF_TAP | IFF_NO_PI). */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/log.h"

#define TUN_PATH "/dev/net/tun"

_Static_assert(TAP_NAMSIZ == IFNAMSIZ, "interface name size");

int tap_open(struct tap *t, const char *name)
{
	struct ifreq ifr;
	int fd, err;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (name && strlen(name) >= TAP_NAMSIZ)
		return -ENAMETOOLONG;
	fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		log_err("tap: open %s: %s", TUN_PATH, strerror(errno));
		return err;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (name)
		memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		log_err("tap: create %s: %s", name && *name ? name : "(any)", strerror(errno));
		close(fd);
		return err;
	}
	memcpy(t->name, ifr.ifr_name, TAP_NAMSIZ);
	t->name[TAP_NAMSIZ - 1] = '\0';
	t->ifindex = (int)if_nametoindex(t->name);
	if (t->ifindex <= 0) {
		err = -errno;
		log_err("tap: %s has no index: %s", t->name, strerror(errno));
		close(fd);
		return err ? err : -ENODEV;
	}
	t->fd = fd;
	log_debug("tap: %s created (ifindex %d)", t->name, t->ifindex);
	return 0;
}

void tap_close(struct tap *t)
{
	if (t->fd >= 0) {
		close(t->fd);
		log_debug("tap: %s closed", t->name);
	}
	t->fd = -1;
	t->ifindex = 0;
}

int tap_set_mac(struct tap *t, const uint8_t mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, t->name, TAP_NAMSIZ);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (ioctl(t->fd, SIOCSIFHWADDR, &ifr) < 0)
		return -errno;
	return 0;
}

int tap_get_mac(struct tap *t, uint8_t mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, t->name, TAP_NAMSIZ);
	if (ioctl(t->fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

ssize_t tap_read(struct tap *t, void *buf, size_t cap)
{
	for (;;) {
		ssize_t n = read(t->fd, buf, cap);

		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t tap_write(struct tap *t, const void *frame, size_t len)
{
	for (;;) {
		ssize_t n = write(t->fd, frame, len);

		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

int tap_read_batch(struct tap *t, struct tap_frame *frames, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		ssize_t r = tap_read(t, frames[i].buf, frames[i].cap);

		if (r < 0) {
			if (r == -EAGAIN || i > 0)
				break;
			return (int)r;
		}
		frames[i].len = (size_t)r;
	}
	return (int)i;
}

int tap_write_batch(struct tap *t, const struct tap_frame *frames, unsigned n, int *err)
{
	unsigned i;

	if (err)
		*err = 0;
	for (i = 0; i < n; i++) {
		ssize_t r = tap_write(t, frames[i].buf, frames[i].len);

		if (r < 0) {
			if (err)
				*err = (int)r;
			break;
		}
	}
	return (int)i;
}
