/* serve/page.c: the Content-Security-Policy of the built-in page, from
 * the digests of its inline <script> and <style>, so that an edit of the
 * page cannot leave the policy behind. */
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "assets.h"
#include "page.h"

static pthread_once_t	 once = PTHREAD_ONCE_INIT;
static char		 csp[512];

/* 'sha256-...' of what is between open and close in the page, or "'none'"
 * when the page has no such element. */
static void
digest_of(const char *open, const char *close, char *out, size_t len)
{
	unsigned char	 md[SHA256_DIGEST_LENGTH], b64[48];
	const char	*p, *e;

	if ((p = strstr(serve_page_html, open)) == NULL ||
	    (e = strstr(p += strlen(open), close)) == NULL) {
		snprintf(out, len, "'none'");
		return;
	}
	SHA256((const unsigned char *)p, (size_t)(e - p), md);
	EVP_EncodeBlock(b64, md, sizeof(md));
	snprintf(out, len, "'sha256-%s'", b64);
}

static void
build(void)
{
	char	 script[64], style[64];

	digest_of("<script>", "</script>", script, sizeof(script));
	digest_of("<style>", "</style>", style, sizeof(style));
	snprintf(csp, sizeof(csp), "default-src 'none'; script-src %s; "
	    "style-src %s; connect-src 'self'; img-src data:; base-uri 'none'; "
	    "form-action 'none'; frame-ancestors 'none'", script, style);
}

const char *
serve_page_csp(void)
{
	pthread_once(&once, build);
	return csp;
}
