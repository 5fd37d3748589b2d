//! Reading rows into records: the column lists and one function per record.

use jiujinan_domain::aid::{AidKind, AidStatus, AidType, FundKind, Level, PostingStatus};
use jiujinan_domain::audit::AuditEntry;
use jiujinan_domain::case::{CaseStatus, Route};
use jiujinan_domain::disposition::{ActionStatus, DecisionStatus, MeetingStatus};
use jiujinan_domain::lead::{Channel, LeadStatus, Urgency};

use crate::db::{DbRow, from_row};
use crate::{
    ActionEvent, ActionRecord, AgendaItem, AidApproval, AidItem, CalendarDay, CaseRecord, DeadlineRecord, DeadlineRule,
    Decision, Fund, Investigation, LeadRecord, LedgerEntry, Meeting, Posting, Programme, SupervisionRecord, Unit,
    UserRecord,
};

pub(crate) const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.unit_code, n.name AS unit_name, \
     n.kind AS unit_kind, u.division, u.role, u.password_hash, u.disabled, u.created_ms, u.version";

pub(crate) const UNIT_COLUMNS: &str = "code, name, kind, level, division, parent";

pub(crate) const AUDIT_COLUMNS: &str =
    "seq, at_ms, actor, unit, division, action, entity_type, entity_id, detail, digest, prev_hash, hash, mac";

pub(crate) const CASE_COLUMNS: &str = "id, number, lead_id, subject_name, subject_id_number, subject_phone, division, \
     responsible_unit, responsible_user, first_inquiry_unit, status, urgency, hardship_types, documents_pending, \
     household, \
     economy, population, review_opinion, recommended_routes, step_due_ms, created_ms, updated_ms, version";

pub(crate) const ACTION_COLUMNS: &str = "id, case_id, case_number, route, programme, division, from_unit, from_user, \
     to_unit, to_party, status, request, amount_fen, accepted_by, return_reason, outcome, outcome_detail, \
     redirected_from, \
     details, created_ms, updated_ms, version";

pub(crate) const DEADLINE_COLUMNS: &str = "id, subject_type, subject_id, case_id, case_number, division, step, rule, \
     responsible_unit, responsible_user, started_ms, due_ms, warn_ms, escalate_days, state, warned, level, next_ms, \
     paused_ms, pause_reason, closed_ms, version";

pub(crate) const SUPERVISION_COLUMNS: &str = "id, deadline_id, case_id, case_number, division, step, level, \
     responsible_unit, responsible_user, supervising_unit, due_ms, created_ms, resolved_ms, subject_type, subject_id, \
     instruction, instruction_by, instruction_ms, reply, reply_by, reply_ms";

pub(crate) const MEETING_COLUMNS: &str =
    "id, district, title, meeting_day, departments, status, minutes, created_by, created_ms, version";

pub(crate) const DECISION_COLUMNS: &str =
    "id, meeting_id, action_id, case_id, text, lead_unit, status, done_note, done_by, done_ms, created_ms";

pub(crate) const AID_COLUMNS: &str = "id, case_id, case_number, division, programme, kind, aid_type, cause, tier, \
                                      persons, \
     description, proposed_fen, amount_fen, calculation, change_reason, special, required_level, fund_id, status, \
     delivery_method, delivery_ref, paid_ms, refusal_reason, action_id, created_by, created_unit, created_ms, \
     updated_ms, version, placeholders";

pub(crate) const FUND_COLUMNS: &str =
    "id, unit, division, kind, name, available_fen, reserved_fen, paid_fen, created_ms, version";

pub(crate) const POSTING_COLUMNS: &str = "id, aid_id, case_id, division, programme, head_name, persons, amount_fen, \
                                          reason, start_ms, end_ms, status, created_ms";

pub(crate) fn user(r: &DbRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        unit_code: r.try_get("unit_code")?,
        unit_name: r.try_get("unit_name")?,
        unit_kind: r.try_get("unit_kind")?,
        division: r.try_get("division")?,
        role: r.try_get("role")?,
        password_hash: r.try_get("password_hash")?,
        disabled: r.try_get("disabled")?,
        created_ms: r.try_get("created_ms")?,
        version: r.try_get("version")?,
    })
}

pub(crate) fn unit(r: &DbRow) -> Result<Unit, sqlx::Error> {
    Ok(Unit {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        level: r.try_get("level")?,
        division: r.try_get("division")?,
        parent: r.try_get("parent")?,
    })
}

pub(crate) fn audit(r: &DbRow) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at_ms: r.try_get("at_ms")?,
        actor: r.try_get("actor")?,
        unit: r.try_get("unit")?,
        division: r.try_get("division")?,
        action: r.try_get("action")?,
        entity_type: r.try_get("entity_type")?,
        entity_id: r.try_get("entity_id")?,
        detail: r.try_get("detail")?,
        digest: r.try_get("digest")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
        mac: r.try_get("mac")?,
    })
}

pub(crate) fn lead(r: &DbRow) -> Result<LeadRecord, sqlx::Error> {
    Ok(LeadRecord {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        channel: r.code("channel", Channel::parse)?,
        reporter_name: r.try_get("reporter_name")?,
        reporter_phone: r.try_get("reporter_phone")?,
        reporter_relation: r.try_get("reporter_relation")?,
        subject_name: r.try_get("subject_name")?,
        subject_id_number: r.try_get("subject_id_number")?,
        subject_phone: r.try_get("subject_phone")?,
        hukou: r.try_get("hukou")?,
        location_code: r.try_get("location_code")?,
        address: r.try_get("address")?,
        division: r.try_get("division")?,
        responsible_unit: r.try_get("responsible_unit")?,
        first_inquiry_unit: r.try_get("first_inquiry_unit")?,
        first_inquiry_user: r.try_get("first_inquiry_user")?,
        description: r.try_get("description")?,
        hardship_types: r.try_get("hardship_types")?,
        urgency: r.code("urgency", Urgency::parse)?,
        needs: r.try_get("needs")?,
        status: r.code("status", LeadStatus::parse)?,
        duplicate_of: r.try_get("duplicate_of")?,
        verify_due_ms: r.try_get("verify_due_ms")?,
        created_ms: r.try_get("created_ms")?,
        version: r.try_get("version")?,
        outcome_note: r.try_get("outcome_note")?,
    })
}

pub(crate) fn case(r: &DbRow) -> Result<CaseRecord, sqlx::Error> {
    Ok(CaseRecord {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        lead_id: r.try_get("lead_id")?,
        subject_name: r.try_get("subject_name")?,
        subject_id_number: r.try_get("subject_id_number")?,
        subject_phone: r.try_get("subject_phone")?,
        division: r.try_get("division")?,
        responsible_unit: r.try_get("responsible_unit")?,
        responsible_user: r.try_get("responsible_user")?,
        first_inquiry_unit: r.try_get("first_inquiry_unit")?,
        status: r.code("status", CaseStatus::parse)?,
        urgency: r.code("urgency", Urgency::parse)?,
        hardship_types: r.try_get("hardship_types")?,
        documents_pending: r.try_get("documents_pending")?,
        household: r.try_get("household")?,
        economy: r.try_get("economy")?,
        population: r.try_get("population")?,
        review_opinion: r.try_get("review_opinion")?,
        recommended_routes: r.try_get("recommended_routes")?,
        step_due_ms: r.try_get("step_due_ms")?,
        created_ms: r.try_get("created_ms")?,
        updated_ms: r.try_get("updated_ms")?,
        version: r.try_get("version")?,
    })
}

pub(crate) fn investigation(r: &DbRow) -> Result<Investigation, sqlx::Error> {
    Ok(Investigation {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        method: r.try_get("method")?,
        investigator: r.try_get("investigator")?,
        unit: r.try_get("unit")?,
        done_ms: r.try_get("done_ms")?,
        findings: r.try_get("findings")?,
        created_ms: r.try_get("created_ms")?,
    })
}

pub(crate) fn action(r: &DbRow) -> Result<ActionRecord, sqlx::Error> {
    Ok(from_row!(
        r,
        ActionRecord {
            id,
            case_id,
            case_number,
            programme,
            division,
            from_unit,
            from_user,
            to_unit,
            to_party,
            request,
            amount_fen,
            accepted_by,
            return_reason,
            outcome,
            outcome_detail,
            redirected_from,
            details,
            created_ms,
            updated_ms,
            version
        } codes {
            route: Route,
            status: ActionStatus
        }
    ))
}

pub(crate) fn deadline(r: &DbRow) -> Result<DeadlineRecord, sqlx::Error> {
    Ok(from_row!(
        r,
        DeadlineRecord {
            id,
            subject_type,
            subject_id,
            case_id,
            case_number,
            division,
            step,
            rule,
            responsible_unit,
            responsible_user,
            started_ms,
            due_ms,
            warn_ms,
            escalate_days,
            state,
            warned,
            level,
            next_ms,
            paused_ms,
            pause_reason,
            closed_ms,
            version
        }
    ))
}

pub(crate) fn supervision(r: &DbRow) -> Result<SupervisionRecord, sqlx::Error> {
    Ok(from_row!(
        r,
        SupervisionRecord {
            id,
            deadline_id,
            case_id,
            case_number,
            division,
            step,
            level,
            responsible_unit,
            responsible_user,
            supervising_unit,
            due_ms,
            created_ms,
            resolved_ms,
            subject_type,
            subject_id,
            instruction,
            instruction_by,
            instruction_ms,
            reply,
            reply_by,
            reply_ms
        }
    ))
}

pub(crate) fn event(r: &DbRow) -> Result<ActionEvent, sqlx::Error> {
    Ok(from_row!(r, ActionEvent { id, action_id, kind, at_ms, actor, unit, detail, created_ms }))
}

pub(crate) fn programme(r: &DbRow) -> Result<Programme, sqlx::Error> {
    Ok(from_row!(
        r,
        Programme {
            code,
            name_zh,
            name_en,
            department,
            level,
            route,
            hardship_types,
            reason_zh,
            reason_en,
            effective_from,
            placeholder,
            source
        }
    ))
}

pub(crate) fn rule(r: &DbRow) -> Result<DeadlineRule, sqlx::Error> {
    Ok(from_row!(
        r,
        DeadlineRule {
            route,
            step,
            to_kind,
            unit,
            amount,
            warn_hours,
            escalate_after_days,
            effective_from,
            placeholder,
            source,
            created_by,
            created_ms
        }
    ))
}

pub(crate) fn day(r: &DbRow) -> Result<CalendarDay, sqlx::Error> {
    Ok(from_row!(r, CalendarDay { day, workday, name, placeholder, source }))
}

pub(crate) fn meeting(r: &DbRow) -> Result<Meeting, sqlx::Error> {
    Ok(from_row!(
        r,
        Meeting { id, district, title, meeting_day, departments, minutes, created_by, created_ms, version } codes {
            status: MeetingStatus
        }
    ))
}

pub(crate) fn agenda(r: &DbRow) -> Result<AgendaItem, sqlx::Error> {
    Ok(from_row!(r, AgendaItem { meeting_id, action_id, case_id, added_by, added_ms }))
}

pub(crate) fn decision(r: &DbRow) -> Result<Decision, sqlx::Error> {
    Ok(from_row!(
        r,
        Decision {
            id,
            meeting_id,
            action_id,
            case_id,
            text,
            lead_unit,
            done_note,
            done_by,
            done_ms,
            created_ms
        } codes {
            status: DecisionStatus
        }
    ))
}

pub(crate) fn aid(r: &DbRow) -> Result<AidItem, sqlx::Error> {
    Ok(from_row!(
        r,
        AidItem {
            id,
            case_id,
            case_number,
            division,
            programme,
            cause,
            tier,
            persons,
            description,
            proposed_fen,
            amount_fen,
            calculation,
            placeholders,
            change_reason,
            special,
            fund_id,
            delivery_method,
            delivery_ref,
            paid_ms,
            refusal_reason,
            action_id,
            created_by,
            created_unit,
            created_ms,
            updated_ms,
            version
        } codes {
            kind: AidKind,
            aid_type: AidType,
            required_level: Level,
            status: AidStatus
        }
    ))
}

pub(crate) fn fund(r: &DbRow) -> Result<Fund, sqlx::Error> {
    Ok(from_row!(
        r,
        Fund { id, unit, division, name, available_fen, reserved_fen, paid_fen, created_ms, version } codes {
            kind: FundKind
        }
    ))
}

pub(crate) fn entry(r: &DbRow) -> Result<LedgerEntry, sqlx::Error> {
    Ok(from_row!(r, LedgerEntry { seq, tx_id, fund_id, account, amount_fen, kind, aid_id, memo, actor, at_ms }))
}

pub(crate) fn posting(r: &DbRow) -> Result<Posting, sqlx::Error> {
    Ok(from_row!(
        r,
        Posting {
            id,
            aid_id,
            case_id,
            division,
            programme,
            head_name,
            persons,
            amount_fen,
            reason,
            start_ms,
            end_ms,
            created_ms
        } codes {
            status: PostingStatus
        }
    ))
}

pub(crate) fn approval(r: &DbRow) -> Result<AidApproval, sqlx::Error> {
    Ok(from_row!(r, AidApproval { id, aid_id, step, level, actor, unit, opinion, at_ms }))
}
