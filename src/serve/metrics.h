/* serve/metrics.h: what `iceupd serve` counts, and its Prometheus text
 * format. */
#ifndef ICEUPD_METRICS_H
#define ICEUPD_METRICS_H

#include <time.h>

#include "../engine.h"
#include "../util.h"

/* The label of a request that no route serves. */
#define METRICS_ROUTE_OTHER	"other"
/* How many different route labels are counted; later ones are not. */
#define METRICS_ROUTES_MAX	32

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
	unsigned long	 credentials;	/* of which to the route asked */
	unsigned long	 cache_hits;	/* answered from the list in memory */
	unsigned long	 on_demand;	/* ?provider= fetches on the request */
	unsigned long	 failovers;	/* a preferred provider failed */
	unsigned long	 refreshes;	/* lists installed by the refresher */
	unsigned long	 refresh_failures;
	unsigned long	 turn_minted;	/* per-caller TURN credentials */
};

/* Every function is safe to call from any thread. */
/* Counts an answer of status to a request of route (its path, or
 * METRICS_ROUTE_OTHER), the label of iceupd_http_requests_total; route is
 * kept, and lives as long as the process. */
void	 metrics_http(const char *route, unsigned status);
/* Counts every provider r asked (fetches, durations, last outcome);
 * returns 1 when a provider preferred to the one that answered failed. */
int	 metrics_engine(const struct engine_result *r, int policy);
void	 metrics_refresh(int ok);
void	 metrics_cache_hit(void);
void	 metrics_on_demand(void);
void	 metrics_failover(void);
void	 metrics_turn_minted(void);
/* The counts, credentials those of the requests to route credentials. */
void	 metrics_stats(struct metrics_stats *, const char *credentials);
/* 0 with *out filled when provider i of provider_table was asked. */
int	 metrics_last(size_t i, struct provider_last *out);
/* Appends the Prometheus text exposition (format 0.0.4); expires is when
 * the list being served expires (0: unknown or none), has_list whether
 * there is one. */
void	 metrics_render(struct strbuf *, int has_list, time_t expires,
	    time_t now);

#endif
