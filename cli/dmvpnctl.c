/* dmvpnctl: sends one request to dmvpnd's control socket and prints the
 * reply (its data as JSON with --json, tables otherwise); `decode` runs locally.
 * Exit: 0 success, 1 command failed, 2 usage error, 3 daemon not reachable.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/ctl_proto.h"
#include "cli/decode.h"
#include "cli/show.h"

#ifndef DMVPN_VERSION
#define DMVPN_VERSION "0.0.0"
#endif

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

#define REPLY_MAX       (64u << 20) /* refuse replies larger than this */
#define REPLY_TIMEOUT_S 30

struct opts {
	const char *name;
	const char *socket;
	bool json;
	const char *words[CTL_MAX_WORDS + 1];
	int n_words;
};

static void usage(FILE *out)
{
	size_t n;
	const struct ctl_cmd_def *t = ctl_cmd_table(&n);

	fprintf(out, "usage: dmvpnctl [-N NAME | -s SOCKET] COMMAND... [--json]\n"
	             "  -N, --name NAME      talk to the instance started with -N NAME\n"
	             "  -s, --socket PATH    control socket (default " CTL_RUNDIR
	             "/[NAME/]" CTL_SOCK_NAME ")\n"
	             "  -j, --json           print the reply as JSON (the document SPEC.md describes)\n"
	             "commands:\n");
	for (size_t i = 0; i < n; i++) {
		const char *arg = t[i].opt == CTL_OPT_DETAIL ? " [detail]"
		                  : t[i].opt == CTL_OPT_PEER ? " [PEER]"
		                                             : "";
		char buf[64];
		snprintf(buf, sizeof(buf), "%s%s", t[i].words, arg);
		fprintf(out, "  %-22s %s\n", buf, t[i].help);
	}
	fprintf(out, "  %-22s %s\n", "decode FILE",
	        "decode a pcap/pcapng capture (no daemon needed)");
	fprintf(out,
	        "exit status: 0 ok, 1 command failed, 2 usage error, 3 daemon not reachable\n");
}

/* Returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
			o->json = true;
		} else if (!strcmp(a, "-N") || !strcmp(a, "--name") || !strcmp(a, "-s") ||
		           !strcmp(a, "--socket")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "dmvpnctl: %s needs an argument\n", a);
				return EXIT_USAGE;
			}
			if (!strcmp(a, "-N") || !strcmp(a, "--name"))
				o->name = argv[++i];
			else
				o->socket = argv[++i];
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("dmvpnctl %s\n", DMVPN_VERSION);
			return EXIT_OK;
		} else if (a[0] == '-' && a[1] != '\0' && o->n_words == 0) {
			fprintf(stderr, "dmvpnctl: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		} else {
			if (o->n_words == CTL_MAX_WORDS) {
				fprintf(stderr, "dmvpnctl: too many words\n");
				return EXIT_USAGE;
			}
			o->words[o->n_words++] = a;
		}
	}
	if (o->name && o->socket) {
		fprintf(stderr, "dmvpnctl: -N and -s exclude each other\n");
		return EXIT_USAGE;
	}
	if (o->name && ctl_name_valid(o->name) != CTL_OK) {
		fprintf(stderr, "dmvpnctl: invalid name '%s'\n", o->name);
		return EXIT_USAGE;
	}
	if (o->n_words == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

static int run_decode(const struct opts *o)
{
	if (o->n_words != 2) {
		fprintf(stderr, "dmvpnctl: usage: decode FILE [--json]\n");
		return EXIT_USAGE;
	}
	return decode_file(o->words[1], o->json, stdout, stderr) == 0 ? EXIT_OK : EXIT_FAILED;
}

static int ctl_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads until EOF; NULL on error or timeout (errno set). */
static char *recv_all(int fd, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap + 1), *nb;

	while (buf) {
		ssize_t r = recv(fd, buf + n, cap - n, 0);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		n += (size_t)r;
		if (n == cap) {
			if (cap >= REPLY_MAX) {
				errno = EFBIG;
				goto fail;
			}
			cap *= 2;
			if (!(nb = realloc(buf, cap + 1)))
				goto fail;
			buf = nb;
		}
	}
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	return NULL;
}

static void print_errors(json_object *data)
{
	json_object *a;

	if (!json_object_object_get_ex(data, "errors", &a) ||
	    !json_object_is_type(a, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(a); i++)
		fprintf(stderr, "  %s\n", json_object_get_string(json_object_array_get_idx(a, i)));
}

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig)
{
	interrupted = 1;
}

static int run_monitor(int fd, const char *path, bool json)
{
	FILE *in = fdopen(fd, "r");
	struct sigaction sa = {.sa_handler = on_sigint}; /* no SA_RESTART: reads see EINTR */
	struct ctl_reply r;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = EXIT_OK;

	if (!in)
		return EXIT_FAILED;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	n = getline(&line, &cap, in);
	if (n <= 0 || ctl_reply_parse(line, (size_t)n, &r) != CTL_OK) {
		if (!interrupted) {
			fprintf(stderr, "dmvpnctl: no valid reply from %s\n", path);
			rc = EXIT_FAILED;
		}
		goto out;
	}
	if (r.status != 0) {
		fprintf(stderr, "dmvpnctl: %s\n", r.error);
		ctl_reply_free(&r);
		rc = EXIT_FAILED;
		goto out;
	}
	ctl_reply_free(&r);
	while (!interrupted && (n = getline(&line, &cap, in)) > 0) {
		json_object *ev;
		if (json) {
			fputs(line, stdout);
			continue;
		}
		ev = json_tokener_parse(line);
		if (ev)
			show_event(ev, stdout);
		json_object_put(ev);
	}
	if (!interrupted) {
		fprintf(stderr, "dmvpnctl: dmvpnd closed the connection\n");
		rc = EXIT_FAILED;
	}
out:
	free(line);
	fclose(in);
	return rc;
}

static int run_request(const struct opts *o, const struct ctl_request *req, const char *line)
{
	char path[CTL_PATH_MAX], *reply, *msg;
	struct timeval tv = {.tv_sec = REPLY_TIMEOUT_S};
	struct ctl_reply r;
	size_t len;
	int fd, rc;

	if (o->socket)
		snprintf(path, sizeof(path), "%s", o->socket);
	else if (ctl_runfile(CTL_RUNDIR, o->name, CTL_SOCK_NAME, path, sizeof(path)) != CTL_OK) {
		fprintf(stderr, "dmvpnctl: invalid name '%s'\n", o->name);
		return EXIT_USAGE;
	}
	fd = ctl_connect(path);
	if (fd < 0) {
		fprintf(stderr, "dmvpnctl: cannot reach dmvpnd at %s: %s\n", path, strerror(errno));
		return EXIT_UNREACHABLE;
	}
	if (asprintf(&msg, "%s\n", line) < 0 || send_all(fd, msg, strlen(msg)) < 0) {
		fprintf(stderr, "dmvpnctl: cannot send to %s: %s\n", path, strerror(errno));
		close(fd);
		return EXIT_UNREACHABLE;
	}
	free(msg);
	if (req->cmd == CTL_CMD_MONITOR)
		return run_monitor(fd, path, o->json);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	reply = recv_all(fd, &len);
	close(fd);
	if (!reply) {
		fprintf(stderr, "dmvpnctl: no reply from dmvpnd at %s: %s\n", path,
		        errno == EAGAIN ? "timed out" : strerror(errno));
		return EXIT_UNREACHABLE;
	}
	rc = ctl_reply_parse(reply, len, &r);
	if (rc != CTL_OK) {
		fprintf(stderr, "dmvpnctl: bad reply from %s: %s\n", path, ctl_strerror(rc));
		free(reply);
		return EXIT_FAILED;
	}
	if (o->json) {
		/* The document SPEC promises: the reply's data, not the control
		 * protocol's envelope (status travels in the exit code). */
		puts(json_object_to_json_string_ext(r.data, JSON_C_TO_STRING_PLAIN));
	} else if (r.status == 0) {
		show_render(req, r.data, stdout);
	}
	if (r.status != 0) {
		fprintf(stderr, "dmvpnctl: %s\n", r.error[0] ? r.error : "command failed");
		if (!o->json)
			print_errors(r.data);
	}
	rc = r.status == 0 ? EXIT_OK : EXIT_FAILED;
	ctl_reply_free(&r);
	free(reply);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct ctl_request req;
	char line[CTL_LINE_MAX + 1];
	size_t off = 0;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (!strcmp(o.words[0], "decode"))
		return run_decode(&o);
	for (int i = 0; i < o.n_words; i++) {
		int n = snprintf(line + off, sizeof(line) - off, "%s%s", i ? " " : "", o.words[i]);
		if (n < 0 || (size_t)n >= sizeof(line) - off) {
			fprintf(stderr, "dmvpnctl: command too long\n");
			return EXIT_USAGE;
		}
		off += (size_t)n;
	}
	rc = ctl_request_parse(line, off, &req);
	if (rc != CTL_OK) {
		fprintf(stderr, "dmvpnctl: %s: '%s' (see dmvpnctl --help)\n", ctl_strerror(rc),
		        line);
		return EXIT_USAGE;
	}
	ctl_request_format(&req, line, sizeof(line));
	return run_request(&o, &req, line);
}
