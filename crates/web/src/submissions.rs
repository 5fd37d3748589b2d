//! A web form sent twice is carried out once (docs/adr/0013-form-submissions.md).
//!
//! Every form carries a token drawn when the page was rendered (`submission`, next to the
//! CSRF token). A signed-in user's form post with that field is claimed by its key (user,
//! path and whole body) before the handler runs. The first copy runs; where it led (its
//! redirect) is recorded, and every later copy is sent there too. A copy that arrives while
//! the first is still running waits for it (up to ten seconds). The first copy runs in a task
//! of its own, so it finishes and is recorded even when the browser abandons it. A first copy that does not
//! end in a redirect (a form shown again with its errors, an error page) gives the claim
//! back, so the form can be corrected and sent again.

use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use jiujinan_app::submissions::SubmissionClaim;
use jiujinan_app::{App, AppError};

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageError;

/// Largest form body read (the CSRF check has the same bound).
const MAX_FORM: usize = 256 * 1024;
/// How long a copy waits for the first one to finish.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

/// The middleware; runs after the CSRF check.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let user_id = req.extensions().get::<Ctx>().and_then(|c| c.session.as_ref()).map(|s| s.actor.user_id.clone());
    let Some(user_id) = user_id else { return next.run(req).await };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
        return page_error(AppError::Validation(jiujinan_domain::ValidationError::new("BODY_TOO_LARGE", "body")));
    };
    let has_token = form_urlencoded::parse(&bytes).any(|(k, v)| k == "submission" && !v.is_empty());
    if !has_token {
        return next.run(Request::from_parts(parts, Body::from(bytes))).await;
    }
    let key = App::submission_key(&user_id, parts.uri.path(), &bytes);
    // A claimed submission runs to its end in a task of its own, recorded or released, even
    // when the browser gives up on it (a double click aborts the first request) or the request
    // times out; otherwise its claim would be left running and the copy refused.
    let abandon_after_ms = 2 * i64::try_from(state.web.request_timeout.as_millis()).unwrap_or(i64::MAX / 4) + 60_000;
    let task = tokio::spawn(async move {
        let app = &state.app;
        let waited = tokio::time::Instant::now();
        let stamp = loop {
            match app.claim_submission(&key, abandon_after_ms).await {
                Err(e) => return page_error(e),
                Ok((SubmissionClaim::Done(location), _)) => return Redirect::to(&location).into_response(),
                Ok((SubmissionClaim::Running, _)) if waited.elapsed() < WAIT => tokio::time::sleep(POLL).await,
                Ok((SubmissionClaim::Running, _)) => return page_error(AppError::Conflict("SUBMISSION_RUNNING")),
                Ok((SubmissionClaim::Fresh, stamp)) => break stamp,
            }
        };
        let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
        let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let recorded = match location {
            Some(to) if res.status().is_redirection() => app.finish_submission(&key, stamp, &to).await,
            _ => app.release_submission(&key, stamp).await,
        };
        if let Err(e) = recorded {
            // The submission itself is done; a copy sent after the claim is abandoned may run
            // again, which is what happened before this guard existed.
            tracing::warn!(error = %e, "could not record a form submission");
        }
        res
    });
    match task.await {
        Ok(res) => res,
        Err(e) => {
            tracing::error!(error = %e, "a form submission's task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn page_error(e: AppError) -> Response {
    PageError::from(e).into_response()
}
