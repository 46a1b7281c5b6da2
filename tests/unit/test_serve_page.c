/* test_serve_page.c: the built-in page's Content-Security-Policy. */
#include <string.h>

#include "../../src/serve/page.h"
#include "unit.h"

START_TEST(page_csp_names_digests)
{
	const char *csp = serve_page_csp();

	ck_assert_ptr_eq(csp, serve_page_csp());
	ck_assert_ptr_nonnull(strstr(csp, "default-src 'none'; script-src "
	    "'sha256-"));
	ck_assert_ptr_nonnull(strstr(csp, "style-src 'sha256-"));
	ck_assert_ptr_null(strstr(csp, "unsafe"));
	ck_assert_ptr_nonnull(strstr(csp, "connect-src 'self'"));
}
END_TEST

UNIT_SUITE(serve_page)
{
	Suite	*s = suite_create("serve_page");
	TCase	*tc = tcase_create("csp");

	tcase_set_timeout(tc, UNIT_TIMEOUT);
	tcase_add_test(tc, page_csp_names_digests);
	suite_add_tcase(s, tc);
	return s;
}
