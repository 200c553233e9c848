#include "util.h"

#include <ctype.h>
#include <string.h>

uint32_t inet_csum_add(uint32_t acc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 1) {
		acc += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)p[0] << 8;
	return acc;
}

uint16_t inet_csum_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

uint16_t inet_csum(const void *buf, size_t len)
{
	return inet_csum_fold(inet_csum_add(0, buf, len));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	while (hex[0] && hex[0] != '\n' && hex[0] != '\r') {
		if (hex[0] == ':' || hex[0] == ' ') {
			hex++;
			continue;
		}
		int hi = hexval((unsigned char)hex[0]);
		int lo = hex[1] ? hexval((unsigned char)hex[1]) : -1;
		if (hi < 0 || lo < 0 || n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		hex += 2;
	}
	return (long)n;
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int ct_memcmp(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	for (size_t i = 0; i < len; i++)
		d |= x[i] ^ y[i];
	return d;
}

void secure_zero(void *p, size_t len)
{
	volatile uint8_t *v = p;
	while (len--)
		*v++ = 0;
}
