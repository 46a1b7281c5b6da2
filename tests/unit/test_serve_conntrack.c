/* test_serve_conntrack.c: serve's connections without a request: the budget,
 * oldest dropped first, and the header deadline. */
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/serve/conntrack.h"
#include "unit.h"

/* 1 when the server side of pair was shut down (the client reads EOF). */
static int
was_shut(const int pair[2])
{
	char	 c;

	return recv(pair[1], &c, 1, MSG_DONTWAIT) == 0;
}

START_TEST(test_conntrack_budget_and_deadline)
{
	struct conntrack *ct = conntrack_new(0, 2);
	int	 a[2], b[2], c[2], i;
	void	*ka, *kb, *kc;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, c), 0);
	conntrack_open(ct, a[0], &ka);
	conntrack_open(ct, b[0], &kb);
	conntrack_busy(ct, kb);		/* its request is in: not counted */
	conntrack_open(ct, c[0], &kc);
	ck_assert(!was_shut(a) && !was_shut(b) && !was_shut(c));
	conntrack_idle(ct, kb);		/* answered; a, the oldest, goes */
	ck_assert(was_shut(a));
	ck_assert(!was_shut(b) && !was_shut(c));
	conntrack_busy(ct, kc);
	ck_assert_uint_eq(conntrack_sweep(ct), 1);	/* b, past 0 ms */
	ck_assert(was_shut(b) && !was_shut(c));
	conntrack_close(ct, &ka);
	conntrack_close(ct, &kb);
	conntrack_close(ct, &kc);
	ck_assert_ptr_null(ka);
	ck_assert_uint_eq(conntrack_sweep(ct), 0);
	conntrack_free(ct);
	for (i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
		close(c[i]);
	}
}
END_TEST

UNIT_SUITE(serve_conntrack)
{
	return unit_suite("serve_conntrack", "budget",
	    TESTS(test_conntrack_budget_and_deadline));
}
