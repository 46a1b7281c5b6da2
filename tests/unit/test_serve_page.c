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
	return unit_suite("serve_page", "csp", TESTS(page_csp_names_digests));
}
