//! Disposition (257号 §三(二)): actions on a case along the six routes, their states, the
//! events recorded on them, and who supervises an overdue step.

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::org::{DivisionCode, DivisionLevel, UnitCode, UnitKind};

crate::code_enum!(
    /// Where an action stands. A referral is `sent` until the receiver accepts or returns
    /// it; `accepted` until the result is fed back (`completed`).
    ActionStatus, "UNKNOWN_ACTION_STATUS", "status" {
        Sent = "sent",
        Accepted = "accepted",
        Returned = "returned",
        Completed = "completed",
        Cancelled = "cancelled",
    }
);

crate::code_enum!(
    /// The result a receiver feeds back.
    Outcome, "UNKNOWN_OUTCOME", "outcome" {
        Granted = "granted",
        Refused = "refused",
        InProgress = "in_progress",
    }
);

crate::code_enum!(
    /// What may be recorded on an action besides its status changes.
    EventKind, "UNKNOWN_EVENT", "kind" {
        StayIn = "stay_in",
        StayOut = "stay_out",
        ItemsProvided = "items_provided",
        HomeContact = "home_contact",
        ReturnTrip = "return_trip",
        ArrivalConfirmed = "arrival_confirmed",
        ProactiveCheck = "proactive_check",
        Progress = "progress",
    }
);

impl EventKind {
    /// Whether the event belongs to an action of `route`: the relief station's steps (stay,
    /// contacting home, the trip back) to temporary shelter, items handed out to shelter,
    /// aid first and charity, a proactive check to shelter and disease emergency, progress
    /// notes to every route. A medical referral offers no 入站安置 or 返乡.
    pub fn fits(self, route: crate::case::Route) -> bool {
        use crate::case::Route as R;
        match self {
            Self::StayIn | Self::StayOut | Self::HomeContact | Self::ReturnTrip | Self::ArrivalConfirmed => {
                route == R::Shelter
            }
            Self::ItemsProvided => matches!(route, R::Shelter | R::AidFirst | R::Charity),
            Self::ProactiveCheck => matches!(route, R::Shelter | R::DiseaseEmergency),
            Self::Progress => true,
        }
    }
}

#[cfg(test)]
mod event_tests {
    use super::*;
    use crate::case::Route;

    #[test]
    fn relief_station_steps_belong_to_shelter_only() {
        assert!(EventKind::StayIn.fits(Route::Shelter) && !EventKind::StayIn.fits(Route::Refer));
        assert!(!EventKind::ReturnTrip.fits(Route::DiseaseEmergency));
        assert!(EventKind::ProactiveCheck.fits(Route::DiseaseEmergency));
        assert!(Route::ALL.iter().all(|r| EventKind::Progress.fits(*r)));
    }
}

crate::code_enum!(
    /// Where a joint meeting (联席会议) stands: scheduled until its minutes are recorded.
    MeetingStatus, "UNKNOWN_MEETING_STATUS", "status" {
        Scheduled = "scheduled",
        Held = "held",
    }
);

crate::code_enum!(
    /// Where a joint meeting's decision stands: open until its lead department reports it
    /// carried out.
    DecisionStatus, "UNKNOWN_DECISION_STATUS", "status" {
        Open = "open",
        Done = "done",
    }
);

crate::code_enum!(
    /// How a time limit is counted.
    LimitUnit, "UNKNOWN_LIMIT_UNIT", "unit" {
        Hours = "hours",
        WorkingDays = "working_days",
    }
);

impl ActionStatus {
    /// True when nothing more is expected of the action.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Returned | Self::Completed | Self::Cancelled)
    }

    /// The moves an action may make.
    pub fn can_become(self, next: ActionStatus) -> bool {
        matches!(
            (self, next),
            (Self::Sent, Self::Accepted)
                | (Self::Sent, Self::Returned)
                | (Self::Sent, Self::Cancelled)
                | (Self::Accepted, Self::Completed)
                | (Self::Accepted, Self::Cancelled)
        )
    }
}

/// The unit that supervises `unit` when one of its steps is overdue, going up the four
/// levels community → street → district → city. A district department is supervised by the
/// district civil-affairs bureau, which coordinates the district joint meeting; the district
/// bureau by the city bureau; the city bureau by nobody.
pub fn supervisor_of(unit: &UnitCode) -> Option<UnitCode> {
    let division = unit.division();
    let civil = |d: &DivisionCode, level: DivisionLevel| {
        UnitCode::of(
            d,
            if level == DivisionLevel::Street { UnitKind::AssistanceOffice } else { UnitKind::CivilAffairs },
        )
    };
    let is_civil = unit.as_str().ends_with(":mz");
    match division.level() {
        DivisionLevel::Community => division.parent().map(|s| civil(&s, DivisionLevel::Street)),
        DivisionLevel::Street => division.parent().map(|d| civil(&d, DivisionLevel::District)),
        DivisionLevel::District if is_civil => Some(civil(&DivisionCode::city(), DivisionLevel::City)),
        DivisionLevel::District => Some(civil(&division, DivisionLevel::District)),
        DivisionLevel::City if is_civil => None,
        DivisionLevel::City => Some(civil(&division, DivisionLevel::City)),
    }
}

/// A required free text (a reason, an opinion, a note): the intake rule for texts.
pub use crate::lead::text as reason;

/// Details of an action that depend on its route, kept as JSON on the action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDetails {
    /// Disease emergency aid: the treating hospital (the applicant, DOMAIN §5.2).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hospital: String,
    /// Disease emergency aid: the person's identity is unknown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identity_unknown: bool,
    /// Shelter: the person's hukou is in another province.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub home_province: String,
    /// Aid first: what was given at once.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub given: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> UnitCode {
        UnitCode::parse(s).unwrap()
    }

    #[test]
    fn supervision_goes_up_the_four_levels() {
        assert_eq!(supervisor_of(&u("110105001024")), Some(u("110105001:mz")));
        assert_eq!(supervisor_of(&u("110105001:mz")), Some(u("110105:mz")));
        assert_eq!(supervisor_of(&u("110105:wj")), Some(u("110105:mz")));
        assert_eq!(supervisor_of(&u("110105:jzz")), Some(u("110105:mz")));
        assert_eq!(supervisor_of(&u("110105:mz")), Some(u("11:mz")));
        assert_eq!(supervisor_of(&u("11:wj")), Some(u("11:mz")));
        assert_eq!(supervisor_of(&u("11:mz")), None);
    }

    #[test]
    fn action_states_close_the_loop() {
        use ActionStatus::*;
        assert!(Sent.can_become(Accepted) && Sent.can_become(Returned));
        assert!(Accepted.can_become(Completed));
        assert!(!Accepted.can_become(Accepted), "accepting twice is not a move");
        assert!(!Returned.can_become(Accepted), "a returned referral cannot be accepted");
        assert!(!Completed.can_become(Cancelled));
        assert!(Returned.is_final() && Completed.is_final() && !Sent.is_final());
    }
}
