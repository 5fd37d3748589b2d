//! Prometheus metrics: request counts and latency by route and status.
//!
//! A few counters do not justify a metrics framework, so this writes the text format itself.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Collected request metrics.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        let Ok(mut map) = self.series.lock() else { return };
        let s = map.entry((method.to_owned(), route.to_owned(), status)).or_default();
        s.count += 1;
        s.sum += secs;
        for (b, n) in BUCKETS.iter().zip(s.buckets.iter_mut()) {
            if secs <= *b {
                *n += 1;
            }
        }
    }

    /// The Prometheus text exposition, plus `up`-style gauges passed in.
    pub fn render(&self, db_up: bool) -> String {
        let mut out = String::new();
        out.push_str("# HELP jiujinan_http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE jiujinan_http_requests_total counter\n");
        let Ok(map) = self.series.lock() else { return out };
        for ((m, r, st), s) in map.iter() {
            out.push_str(&format!(
                "jiujinan_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{st}\"}} {}\n",
                s.count
            ));
        }
        out.push_str("# HELP jiujinan_http_request_duration_seconds Request latency.\n");
        out.push_str("# TYPE jiujinan_http_request_duration_seconds histogram\n");
        let mut per_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((m, r, _), s) in map.iter() {
            let agg = per_route.entry((m.as_str(), r.as_str())).or_default();
            agg.count += s.count;
            agg.sum += s.sum;
            for (total, n) in agg.buckets.iter_mut().zip(s.buckets) {
                *total += n;
            }
        }
        for ((m, r), s) in per_route {
            for (b, n) in BUCKETS.iter().zip(s.buckets) {
                out.push_str(&format!(
                    "jiujinan_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"{b}\"}} {n}\n"
                ));
            }
            out.push_str(&format!(
                "jiujinan_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"+Inf\"}} {}\n",
                s.count
            ));
            out.push_str(&format!(
                "jiujinan_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{r}\"}} {}\n",
                s.sum
            ));
            out.push_str(&format!(
                "jiujinan_http_request_duration_seconds_count{{method=\"{m}\",route=\"{r}\"}} {}\n",
                s.count
            ));
        }
        out.push_str("# HELP jiujinan_database_up Whether the database answered the last check.\n");
        out.push_str("# TYPE jiujinan_database_up gauge\n");
        out.push_str(&format!("jiujinan_database_up {}\n", u8::from(db_up)));
        out
    }
}

/// Middleware recording each request.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    state.metrics.observe(&method, &route, res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_counts_and_buckets() {
        let m = super::Metrics::default();
        m.observe("GET", "/healthz", 200, 0.003);
        m.observe("GET", "/healthz", 200, 0.2);
        let text = m.render(true);
        assert!(text.contains("jiujinan_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("jiujinan_database_up 1"));
    }
}
