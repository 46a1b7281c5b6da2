/* test_serve_metrics.c: request counts by the route label the caller
 * gives, as /metrics and /api/ice/stats show them. */
#include <stdio.h>
#include <string.h>

#include "../../src/serve/metrics.h"
#include "unit.h"

/* 1 when the metrics text holds line, whole. */
static int
has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t	 n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

START_TEST(metrics_counts_by_route_label)
{
	static char labels[METRICS_ROUTES_MAX + 4][16];
	static char same[] = "/t/a";
	struct metrics_stats st;
	struct strbuf b = { 0 };
	int	 i;

	metrics_http("/t/a", 200);
	metrics_http(same, 200);	/* the same label, another pointer */
	metrics_http("/t/b", 404);
	metrics_http("/t/a", 503);
	metrics_http("/t/a", 600);	/* no such status: not counted */
	metrics_render(&b, 0, 0, 0);
	ck_assert_msg(has_line(b.s,
	    "iceupd_http_requests_total{route=\"/t/a\",code=\"200\"} 2"),
	    "%s", b.s);
	ck_assert(has_line(b.s,
	    "iceupd_http_requests_total{route=\"/t/a\",code=\"503\"} 1"));
	ck_assert(has_line(b.s,
	    "iceupd_http_requests_total{route=\"/t/b\",code=\"404\"} 1"));
	sb_free(&b);
	metrics_stats(&st, "/t/a");
	ck_assert_uint_eq(st.requests, 4);
	ck_assert_uint_eq(st.credentials, 3);

	/* Labels past the last slot are not counted, and break nothing. */
	for (i = 0; i < METRICS_ROUTES_MAX + 4; i++) {
		snprintf(labels[i], sizeof(labels[i]), "/t/%d", i);
		metrics_http(labels[i], 200);
	}
	metrics_render(&b, 0, 0, 0);
	ck_assert(has_line(b.s,
	    "iceupd_http_requests_total{route=\"/t/0\",code=\"200\"} 1"));
	ck_assert_ptr_null(strstr(b.s, "route=\"/t/35\""));
	sb_free(&b);
}
END_TEST

UNIT_SUITE(serve_metrics)
{
	return unit_suite("serve_metrics", "routes",
	    TESTS(metrics_counts_by_route_label));
}
