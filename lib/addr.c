#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int ipaddr_parse(struct ipaddr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->family = AF_INET;
		a->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->family = AF_INET6;
		a->len = 16;
		return 0;
	}
	memset(a, 0, sizeof(*a));
	return -1;
}

int ipaddr_from_bytes(struct ipaddr *a, const void *p, size_t len)
{
	memset(a, 0, sizeof(*a));
	if (len != 4 && len != 16)
		return -1;
	a->family = len == 4 ? AF_INET : AF_INET6;
	a->len = (uint8_t)len;
	memcpy(a->b, p, len);
	return 0;
}

const char *ipaddr_fmt(const struct ipaddr *a, char *buf, size_t len)
{
	if (!a->len) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (!inet_ntop(a->family, a->b, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

bool ipaddr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->b, b->b, a->len);
}

int prefix_parse(struct prefix *p, const char *s)
{
	char tmp[PREFIX_STRLEN];
	char *slash, *end;
	long plen;

	memset(p, 0, sizeof(*p));
	if (strlen(s) >= sizeof(tmp))
		return -1;
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash)
		*slash = '\0';
	if (ipaddr_parse(&p->addr, tmp) < 0)
		return -1;
	if (!slash) {
		p->plen = p->addr.len * 8;
		return 0;
	}
	plen = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || plen < 0 || plen > p->addr.len * 8)
		return -1;
	p->plen = (uint8_t)plen;
	return 0;
}

const char *prefix_fmt(const struct prefix *p, char *buf, size_t len)
{
	char a[ADDR_STRLEN];
	snprintf(buf, len, "%s/%u", ipaddr_fmt(&p->addr, a, sizeof(a)), p->plen);
	return buf;
}

void prefix_normalize(struct prefix *p)
{
	for (unsigned i = 0; i < p->addr.len; i++) {
		int bits = (int)p->plen - (int)i * 8;
		if (bits >= 8)
			continue;
		p->addr.b[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

bool prefix_contains(const struct prefix *p, const struct ipaddr *a)
{
	struct prefix q;

	if (a->len != p->addr.len)
		return false;
	q.addr = *a;
	q.plen = p->plen;
	prefix_normalize(&q);
	struct prefix n = *p;
	prefix_normalize(&n);
	return ipaddr_eq(&q.addr, &n.addr);
}
