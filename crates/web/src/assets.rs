//! Static files embedded in the binary: our CSS and JS and the vendored libraries.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// Path, content type and bytes of each embedded file.
const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../static/app.css")),
    ("print.css", "text/css; charset=utf-8", include_bytes!("../static/print.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../static/app.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../static/favicon.svg")),
    ("vendor/htmx/htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../static/vendor/htmx/htmx.min.js")),
    (
        "vendor/alpine-csp/alpine-csp.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/alpine-csp/alpine-csp.min.js"),
    ),
    (
        "vendor/echarts/echarts.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/echarts/echarts.min.js"),
    ),
    // Licence texts travel with the binary that ships the libraries.
    ("vendor/README.md", TEXT, include_bytes!("../static/vendor/README.md")),
    ("vendor/htmx/LICENSE", TEXT, include_bytes!("../static/vendor/htmx/LICENSE")),
    ("vendor/alpine-csp/LICENSE", TEXT, include_bytes!("../static/vendor/alpine-csp/LICENSE")),
    (
        "vendor/alpine-csp/LICENSE.vue-reactivity",
        TEXT,
        include_bytes!("../static/vendor/alpine-csp/LICENSE.vue-reactivity"),
    ),
    ("vendor/echarts/LICENSE", TEXT, include_bytes!("../static/vendor/echarts/LICENSE")),
    ("vendor/echarts/NOTICE", TEXT, include_bytes!("../static/vendor/echarts/NOTICE")),
    ("vendor/echarts/LICENSE-d3", TEXT, include_bytes!("../static/vendor/echarts/LICENSE-d3")),
    ("vendor/echarts/LICENSE-zrender", TEXT, include_bytes!("../static/vendor/echarts/LICENSE-zrender")),
];

const TEXT: &str = "text/plain; charset=utf-8";

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{*path}", get(serve)).route("/favicon.ico", get(favicon))
}

async fn serve(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, ctype, bytes)) => {
            ([(header::CONTENT_TYPE, *ctype), (header::CACHE_CONTROL, "public, max-age=86400")], *bytes).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn favicon() -> Response {
    serve(Path("favicon.svg".to_owned())).await
}
