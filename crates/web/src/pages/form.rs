//! Typed form bodies, the flash a redirect after a form post (PRG) carries to the page it
//! lands on, and the forms several pages share.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Redirect};
use jiujinan_app::AppError;
use jiujinan_app::i18n::Lang;
use jiujinan_domain::ValidationError;
use serde::de::value::{Error as DeError, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer};

use crate::errors::{PageError, PageResult};

/// A url-encoded form body as a typed struct (the `csrf` and `submission` fields the
/// middleware reads are ignored). Unlike `axum::Form`, a field may repeat: a `Vec<String>`
/// field gets every value (checkbox groups), any other field the first; a `bool` field is
/// true when sent non-empty (a ticked checkbox). A body that does not fit the struct is an
/// error page in the user's language.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        let body = Bytes::from_request(req, state).await.map_err(|_| bad_form())?;
        parse(&body).map(Form)
    }
}

fn bad_form() -> PageError {
    AppError::Validation(ValidationError::new("BAD_REQUEST", "form")).into()
}

/// Reads a form body into `T`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, PageError> {
    let mut fields: BTreeMap<String, Values> = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(body) {
        fields.entry(k.into_owned()).or_default().0.push(v.into_owned());
    }
    T::deserialize(MapDeserializer::<_, DeError>::new(fields.into_iter())).map_err(|e| {
        tracing::debug!(error = %e, "form body does not fit");
        bad_form()
    })
}

/// The values one field was sent with, in order.
#[derive(Default)]
struct Values(Vec<String>);

impl Values {
    fn first(self) -> String {
        self.0.into_iter().next().unwrap_or_default()
    }
}

impl IntoDeserializer<'_, DeError> for Values {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Values {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_string(self.first())
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_seq(SeqDeserializer::<_, DeError>::new(self.0.into_iter()))
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_some(self)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_bool(!self.first().is_empty())
    }

    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        let s = self.first();
        match s.trim().parse() {
            Ok(n) => v.visit_i64(n),
            Err(_) => Err(de::Error::invalid_value(de::Unexpected::Str(&s), &"a whole number")),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        newtype_struct tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// Where to go after a write: the page named by the form's `back` field (a local path only),
/// else `fallback`.
pub fn back(back: &str, fallback: &str) -> String {
    // A path on this site only: not `//host` nor `/\host`, which browsers treat as another site.
    let local =
        back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') && !back.chars().any(char::is_control);
    if local { back.to_owned() } else { fallback.to_owned() }
}

/// Back to `to` with `saved=1`, or with `error=CODE` for an expected refusal (shown in the
/// user's language there); other errors become the error page.
pub fn redirect_after<T>(to: &str, r: Result<T, AppError>) -> PageResult {
    let flag = match r {
        Ok(_) => "saved=1".to_owned(),
        Err(e) if matches!(e.status(), 403 | 409 | 422) => match e.field() {
            // The field goes along so the page can mark it (`data-field`, `aria-invalid`).
            Some(f) if is_field_name(f) => format!("error={}&field={f}", e.code()),
            _ => format!("error={}", e.code()),
        },
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&header_safe(&with_query(to, &flag))).into_response())
}

/// A location a `Location` header can carry: bytes a URI may not hold raw (controls, spaces,
/// non-ASCII, e.g. from an id in the path) are percent-encoded, so no redirect can fail.
fn header_safe(location: &str) -> String {
    let mut out = String::with_capacity(location.len());
    for b in location.bytes() {
        if b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a redirect's `field` parameter looks like a form field's name (`programme`,
/// `subject.id_number`): anything else is dropped.
pub fn is_field_name(f: &str) -> bool {
    !f.is_empty() && f.len() <= 40 && f.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.')
}

/// `to` with `pair` added to its query string, before any `#fragment` (a browser
/// reads what follows `#` as the fragment, so a flag after it would never reach the server).
fn with_query(to: &str, pair: &str) -> String {
    let (path, fragment) = match to.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (to, None),
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    match fragment {
        Some(f) => format!("{path}{sep}{pair}#{f}"),
        None => format!("{path}{sep}{pair}"),
    }
}

/// What a redirect after a form post carries: an error code or the success flag.
#[derive(Deserialize)]
pub struct Flash {
    #[serde(default)]
    error: String,
    #[serde(default)]
    saved: String,
}

impl Flash {
    /// The error code carried over, in the user's language, if any.
    pub fn error(&self, lang: Lang) -> Option<String> {
        flash_error(&self.error, lang)
    }

    /// True after a successful write.
    pub fn saved(&self) -> bool {
        !self.saved.is_empty()
    }
}

/// Shows an error code from a redirect in the user's language.
pub fn flash_error(code: &str, lang: Lang) -> Option<String> {
    (!code.is_empty()).then(|| jiujinan_app::error::catalogue(code, lang).to_owned())
}

/// A step on a versioned record that needs nothing else.
#[derive(Deserialize)]
pub struct VersionForm {
    pub version: i64,
    /// The page to return to (see [`back`]).
    #[serde(default)]
    pub back: String,
}

/// A step on a versioned record with a reason (return, cancel, refuse, reopen …).
#[derive(Deserialize)]
pub struct ReasonForm {
    pub version: i64,
    #[serde(default)]
    pub reason: String,
    /// The page to return to (see [`back`]).
    #[serde(default)]
    pub back: String,
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[test]
    fn a_redirect_never_carries_raw_controls_or_non_ascii() {
        let r = super::redirect_after::<()>("/supervision?all=1#sup-a\nb 督", Ok(())).unwrap();
        let location = r.headers().get("location").unwrap().to_str().unwrap().to_owned();
        assert_eq!(location, "/supervision?all=1&saved=1#sup-a%0Ab%20%E7%9D%A3");
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Sample {
        version: i64,
        #[serde(default)]
        routes: Vec<String>,
        #[serde(default)]
        special: bool,
        #[serde(default)]
        note: String,
        tier: Option<String>,
    }

    fn parse(body: &str) -> Option<Sample> {
        super::parse(body.as_bytes()).ok()
    }

    #[test]
    fn typed_fields_repeated_fields_and_checkboxes() {
        let s = parse("csrf=x&version=3&routes=refer&routes=charity&special=on&note=a+b%26c").unwrap();
        assert_eq!(
            s,
            Sample {
                version: 3,
                routes: vec!["refer".into(), "charity".into()],
                special: true,
                note: "a b&c".into(),
                tier: None
            }
        );
        let s = parse("version=1&routes=refer&note=x&note=y&tier=").unwrap();
        assert_eq!(
            (s.routes, s.special, s.note, s.tier),
            (vec!["refer".to_owned()], false, "x".into(), Some("".into()))
        );
        assert!(parse("version=&note=x").is_none(), "a version must be a number");
        assert!(parse("note=x").is_none(), "and must be sent");
    }

    #[test]
    fn back_stays_on_this_site() {
        assert_eq!(super::back("/cases/1", "/x"), "/cases/1");
        for bad in ["//evil.example", "/\\evil.example", "https://evil.example", "/a\nb", ""] {
            assert_eq!(super::back(bad, "/x"), "/x", "{bad:?}");
        }
    }

    #[test]
    fn the_flag_goes_into_the_query_before_the_fragment() {
        use super::with_query;
        assert_eq!(with_query("/a", "saved=1"), "/a?saved=1");
        assert_eq!(with_query("/a?all=1", "saved=1"), "/a?all=1&saved=1");
        assert_eq!(with_query("/a?all=1#sup-1", "error=X"), "/a?all=1&error=X#sup-1");
        assert_eq!(with_query("/a#b", "saved=1"), "/a?saved=1#b");
        assert!(super::is_field_name("subject.id_number") && super::is_field_name("programme"));
        assert!(!super::is_field_name("x\"><script>") && !super::is_field_name(""));
    }
}
