//! The client address of a request, for login throttling (ADR 0020): the socket peer that
//! `serve` records on each connection, or the `X-Forwarded-For` address when the peer is one
//! of the configured trusted proxies. `None` when the request did not come through `serve`.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

use crate::AppState;

/// The client address of the request in `parts`.
pub fn client_address(state: &AppState, parts: &Parts) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    let forwarded: Vec<&str> =
        parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let forwarded = (!forwarded.is_empty()).then(|| forwarded.join(","));
    Some(state.web.trusted_proxies.client(peer, forwarded.as_deref()))
}

/// Extracts the client address (never fails; `None` without a connection).
pub struct ClientAddr(pub Option<IpAddr>);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(client_address(state, parts)))
    }
}
