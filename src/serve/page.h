/* serve/page.h: GET /, the page of `iceupd serve` (src/serve/page.html). */
#ifndef ICEUPD_SERVE_PAGE_H
#define ICEUPD_SERVE_PAGE_H

/* The Content-Security-Policy of the page: nothing but its own inline
 * script and style (by their SHA-256) and requests to its origin. */
const char *serve_page_csp(void);

#endif
