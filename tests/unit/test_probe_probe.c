/* test_probe_probe.c: the parts of the probe that need no server. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/ice.h"
#include "../../src/probe/probe.h"
#include "../../src/util.h"
#include "unit.h"

START_TEST(probe_refuses_bad_urls)
{
	struct probe_options opt = { 0 };
	struct probe_result r;

	opt.deadline = util_monotonic_ms() + 1000;
	ck_assert_int_eq(probe_url("http://example.org", NULL, NULL, &opt, &r),
	    -1);
	ck_assert_int_eq(r.status, PROBE_ERROR);
	ck_assert_ptr_nonnull(strstr(r.error, "scheme"));
	ck_assert_int_eq(probe_url("turns:127.0.0.1:5349?transport=udp", "u",
	    "p", &opt, &r), -1);
	ck_assert_int_eq(r.status, PROBE_ERROR);
	ck_assert_str_eq(r.error, "TURN over DTLS is not supported");
	ck_assert_str_eq(r.url, "turns:127.0.0.1:5349?transport=udp");
	ck_assert_str_eq(probe_status_names[PROBE_BAD_CREDENTIALS],
	    "bad-credentials");
}
END_TEST

/* A UDP port on 127.0.0.1: bound and silent (*fd open), or free (fd -1). */
static int
loopback_udp(int keep, int *fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int	 s;

	ck_assert_int_ne(s = socket(AF_INET, SOCK_DGRAM, 0), -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	if (keep)
		*fd = s;
	else {
		close(s);
		*fd = -1;
	}
	return ntohs(sin.sin_port);
}

START_TEST(probe_closed_port)
{
	struct probe_options opt = { 0 };
	struct probe_result r;
	char	 url[64];
	int	 fd;

	snprintf(url, sizeof(url), "stun:127.0.0.1:%d", loopback_udp(0, &fd));
	opt.deadline = util_monotonic_ms() + 3000;
	ck_assert_int_eq(probe_url(url, NULL, NULL, &opt, &r), -1);
	ck_assert_int_eq(r.status, PROBE_UNREACHABLE);
	ck_assert_int_eq(r.rtt_ms, -1);
	ck_assert_str_eq(r.mapped, "");
}
END_TEST

START_TEST(probe_deadline_passed)
{
	struct probe_options opt = { 0 };
	struct probe_result r;
	char	 url[64];
	long long t0;
	int	 fd;

	snprintf(url, sizeof(url), "stun:127.0.0.1:%d", loopback_udp(1, &fd));
	t0 = util_monotonic_ms();
	opt.deadline = t0 - 1;
	ck_assert_int_eq(probe_url(url, NULL, NULL, &opt, &r), -1);
	ck_assert_int_eq(r.status, PROBE_TIMEOUT);
	ck_assert_int_lt(util_monotonic_ms() - t0, unit_time_bound(500));
	/* A silent server: the answer never comes, the deadline holds. */
	opt.deadline = util_monotonic_ms() + 700;
	ck_assert_int_eq(probe_url(url, NULL, NULL, &opt, &r), -1);
	ck_assert_int_eq(r.status, PROBE_TIMEOUT);
	ck_assert_str_eq(r.error, "no answer within the deadline "
	    "(2 requests sent)");
	ck_assert_int_lt(util_monotonic_ms() - t0, unit_time_bound(1200));
	close(fd);
}
END_TEST

START_TEST(probe_filter_keeps_ok)
{
	struct ice_list	 l = { 0 };
	struct probe_result r[4];
	char	 err[128];

	ck_assert_int_eq(ice_list_add(&l, "turn:a.example:3478?transport=udp",
	    "u", "secret-1", 100, err, sizeof(err)), 0);
	ck_assert_int_eq(ice_list_add(&l, "turns:a.example:5349", "u",
	    "secret-1", 100, err, sizeof(err)), 0);
	ck_assert_int_eq(ice_list_add(&l, "turn:b.example:3478", "v",
	    "secret-2", 0, err, sizeof(err)), 0);
	ck_assert_int_eq(ice_list_add(&l, "stun:c.example:3478", NULL, NULL, 0,
	    err, sizeof(err)), 0);
	snprintf(l.provider, sizeof(l.provider), "coturn");
	memset(r, 0, sizeof(r));
	r[1].status = PROBE_TIMEOUT;
	r[2].status = PROBE_BAD_CREDENTIALS;
	ck_assert_int_eq(probe_filter(&l, r, 3), -1);	/* wrong count */
	ck_assert_uint_eq(ice_list_nurls(&l), 4);
	ck_assert_int_eq(probe_filter(&l, r, 4), 2);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.provider, "coturn");
	ck_assert_uint_eq(l.servers[0].nurls, 1);
	ck_assert_str_eq(l.servers[0].urls[0],
	    "turn:a.example:3478?transport=udp");
	ck_assert_str_eq(l.servers[0].credential, "secret-1");
	ck_assert_int_eq(l.servers[0].expires, 100);
	ck_assert_str_eq(l.servers[1].urls[0], "stun:c.example:3478");
	ice_list_free(&l);
}
END_TEST

START_TEST(probe_list_empty)
{
	struct ice_list	 l = { 0 };
	struct probe_options opt = { 0 };
	size_t	 n = 99;

	opt.deadline = util_monotonic_ms() + 100;
	ck_assert_ptr_null(probe_list(&l, &opt, &n));
	ck_assert_uint_eq(n, 0);
}
END_TEST

UNIT_SUITE(probe_probe)
{
	return unit_suite("probe_probe", "probe", TESTS(probe_refuses_bad_urls,
	    probe_closed_port, probe_deadline_passed, probe_filter_keeps_ok,
	    probe_list_empty));
}
