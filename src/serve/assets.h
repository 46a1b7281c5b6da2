/* serve/assets.h: files of src/serve/ built into the binary by
 * scripts/embed.sh: the OpenAPI document and the page. */
#ifndef ICEUPD_SERVE_ASSETS_H
#define ICEUPD_SERVE_ASSETS_H

#include <stddef.h>

extern const char	 serve_openapi_json[];	/* src/serve/openapi.json */
extern const size_t	 serve_openapi_json_len;
extern const char	 serve_page_html[];	/* src/serve/page.html */
extern const size_t	 serve_page_html_len;

#endif
