//! What every page shares: the layout's data and small formatting helpers.

use askama::Template;
use axum::response::{Html, IntoResponse};
use jiujinan_app::i18n::Lang;
use jiujinan_domain::policy::Permission;

use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{Aid, Cases, Common, Dispositions, Leads, catalogue, role_text};

/// Version shown in the footer and used to bust caches of static files.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The signed-in user as the layout shows them.
pub struct UserChrome {
    pub username: String,
    pub display_name: String,
    pub role_name: &'static str,
    pub unit_name: String,
    pub can_manage_users: bool,
    pub can_read_audit: bool,
    /// The lead and case queues of a jurisdiction (civil-affairs units).
    pub can_work_queues: bool,
    /// Everyone else who records leads (departments, relief stations) gets the intake form.
    pub can_record_leads: bool,
    pub can_read_referrals: bool,
    /// Those who review, approve or pay aid (street caseworkers pay): the approvals inbox.
    pub handles_aid: bool,
    /// Those who read the funds' books.
    pub reads_funds: bool,
}

/// The layout's data: messages, language, nonce, CSRF token and user.
pub struct Chrome {
    pub m: &'static Common,
    pub leads: &'static Leads,
    pub cases: &'static Cases,
    pub d: &'static Dispositions,
    pub a: &'static Aid,
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub nonce: String,
    pub csrf: String,
    /// The token that tells a form sent twice from one sent again (`submissions.rs`).
    pub submission: String,
    pub user: Option<UserChrome>,
    pub version: &'static str,
}

impl Chrome {
    /// Builds the layout data from the request context.
    pub fn new(ctx: &Ctx) -> Self {
        let user = ctx.session.as_ref().map(|s| UserChrome {
            username: s.actor.username.clone(),
            display_name: s.actor.display_name.clone(),
            role_name: role_text(s.actor.role, ctx.lang).0,
            unit_name: s.actor.unit_name.clone(),
            can_manage_users: s.actor.may(Permission::ManageUsers),
            can_read_audit: s.actor.may(Permission::ReadAudit),
            can_record_leads: s.actor.may(Permission::RecordLead),
            can_work_queues: s.actor.may(Permission::WorkQueues),
            handles_aid: s.actor.may(Permission::ReviewAid) || s.actor.may(Permission::HandleAid),
            reads_funds: s.actor.may(Permission::ReadFunds),
            can_read_referrals: s.actor.may(Permission::ReadReferrals),
        });
        let cat = catalogue(ctx.lang);
        Self {
            m: &cat.common,
            leads: &cat.leads,
            cases: &cat.cases,
            d: &cat.dispositions,
            a: &cat.aid,
            lang: ctx.lang.tag(),
            other_lang: match ctx.lang {
                Lang::Zh => "en",
                Lang::En => "zh",
            },
            nonce: ctx.nonce.clone(),
            csrf: ctx.csrf_token(),
            submission: ctx.form_token.clone(),
            user,
            version: VERSION,
        }
    }
}

/// A code with its label, and whether it is selected in the form.
pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The choices of a code list, none selected.
pub fn choices<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: impl Fn(&str) -> &'static str) -> Vec<Choice> {
    all.iter().map(|x| Choice { code: code(*x), label: label(code(*x)), selected: false }).collect()
}

/// Renders a page template, turning a template failure into an error page.
pub fn render(t: &impl Template) -> PageResult {
    match t.render() {
        Ok(html) => Ok(Html(html).into_response()),
        Err(e) => Err(jiujinan_app::AppError::Internal(e.to_string()).into()),
    }
}

/// Formats an instant in Beijing time (UTC+8), e.g. `2026-11-29 10:33:05`.
pub fn beijing_time(ms: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => {
            let t = t.to_offset(offset);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
        Err(_) => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn beijing_time_is_utc_plus_eight() {
        assert_eq!(super::beijing_time(0), "1970-01-01 08:00:00");
        assert_eq!(super::beijing_time(1_795_000_000_000), "2026-11-18 19:06:40");
    }
}
