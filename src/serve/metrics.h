/* serve/metrics.h: what `iceupd serve` counts, and its Prometheus text
 * format. */
#ifndef ICEUPD_METRICS_H
#define ICEUPD_METRICS_H

#include <time.h>

#include "../engine.h"
#include "../util.h"

/* The routes of the HTTP API, as label values. */
enum route { ROUTE_CREDENTIALS, ROUTE_PROVIDERS, ROUTE_STATS, ROUTE_REFRESH,
	ROUTE_CACHE, ROUTE_TURN, ROUTE_HEALTHZ, ROUTE_READYZ, ROUTE_METRICS,
	ROUTE_HEALTH, ROUTE_HEALTH_PLAIN, ROUTE_EVENTS, ROUTE_OPENAPI,
	ROUTE_PAGE, ROUTE_OTHER, ROUTE__MAX };

extern const char *const route_paths[];	/* indexed by enum route */

/* What one provider did last in this process. */
struct provider_last {
	int	 asked;		/* 0: never asked yet */
	int	 ok;
	int	 not_waited;	/* another answered first; error: who */
	long	 latency_ms;
	double	 avg_latency_ms;	/* over every fetch */
	time_t	 at;
	char	 error[512];
};

struct metrics_stats {
	unsigned long	 requests;	/* HTTP requests answered */
	unsigned long	 credentials;	/* of which for credentials */
	unsigned long	 cache_hits;	/* answered from the list in memory */
	unsigned long	 on_demand;	/* ?provider= fetches on the request */
	unsigned long	 failovers;	/* a preferred provider failed */
	unsigned long	 refreshes;	/* lists installed by the refresher */
	unsigned long	 refresh_failures;
	unsigned long	 turn_minted;	/* per-caller TURN credentials */
};

/* Every function is safe to call from any thread. */
void	 metrics_http(enum route, unsigned status);
/* Counts every provider r asked (fetches, durations, last outcome);
 * returns 1 when a provider preferred to the one that answered failed. */
int	 metrics_engine(const struct engine_result *r, int policy);
void	 metrics_refresh(int ok);
void	 metrics_cache_hit(void);
void	 metrics_on_demand(void);
void	 metrics_failover(void);
void	 metrics_turn_minted(void);
void	 metrics_stats(struct metrics_stats *);
/* 0 with *out filled when provider i of provider_table was asked. */
int	 metrics_last(size_t i, struct provider_last *out);
/* Appends the Prometheus text exposition (format 0.0.4); expires is when
 * the list being served expires (0: unknown or none), has_list whether
 * there is one. */
void	 metrics_render(struct strbuf *, int has_list, time_t expires,
	    time_t now);

#endif
