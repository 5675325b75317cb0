//! The one error a decider returns. The API maps each variant to a stable code
//! and passes on its [`Refusal`] key and parameters (docs/ARCHITECTURE.md,
//! "Errors"); the app says it in the user's language from the key. The English
//! message here is for logs, tests and API callers without translations.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The actor is not signed in and the command needs someone who is.
    #[error("sign in first")]
    Unauthenticated,
    /// The actor's roles do not allow this command here.
    #[error("forbidden: {0}")]
    Forbidden(Grounds),
    /// The command names something that does not exist (or no longer does).
    #[error("{0}")]
    NotFound(Grounds),
    /// One field of the command is unacceptable.
    #[error("{field}: {grounds}")]
    Validation {
        field: &'static str,
        grounds: Grounds,
    },
    /// The command is well-formed but the current state does not allow it.
    #[error("conflict: {0}")]
    Conflict(Grounds),
}

/// Why a command was refused: the stable key and the values its message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grounds {
    pub refusal: Refusal,
    pub params: Vec<(&'static str, String)>,
}

impl fmt::Display for Grounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.refusal.english().to_owned();
        for (name, value) in &self.params {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        f.write_str(&text)
    }
}

impl DomainError {
    pub fn validation(field: &'static str, refusal: Refusal) -> DomainError {
        DomainError::Validation {
            field,
            grounds: refusal.into(),
        }
    }

    pub fn forbidden(refusal: Refusal) -> DomainError {
        DomainError::Forbidden(refusal.into())
    }

    pub fn conflict(refusal: Refusal) -> DomainError {
        DomainError::Conflict(refusal.into())
    }

    pub fn not_found(refusal: Refusal) -> DomainError {
        DomainError::NotFound(refusal.into())
    }

    /// Adds a value the message names; `name` must be one of the refusal's
    /// [`Refusal::params`] (checked in debug builds, so by every test).
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> DomainError {
        if let Some(grounds) = self.grounds_mut() {
            debug_assert!(
                grounds.refusal.params().contains(&name),
                "{:?} has no parameter {name}",
                grounds.refusal
            );
            grounds.params.push((name, value.to_string()));
        }
        self
    }

    /// Adds a state (an issue's status, an item's) under its wire name
    /// (`IN_SESSION`), which the app translates like any other status.
    #[must_use]
    pub fn with_state(self, name: &'static str, state: impl fmt::Debug) -> DomainError {
        self.with(name, wire_name(&format!("{state:?}")))
    }

    fn grounds_mut(&mut self) -> Option<&mut Grounds> {
        match self {
            DomainError::Unauthenticated => None,
            DomainError::Forbidden(g) | DomainError::NotFound(g) | DomainError::Conflict(g) => {
                Some(g)
            }
            DomainError::Validation { grounds, .. } => Some(grounds),
        }
    }

    fn grounds(&self) -> Option<&Grounds> {
        match self {
            DomainError::Unauthenticated => None,
            DomainError::Forbidden(g) | DomainError::NotFound(g) | DomainError::Conflict(g) => {
                Some(g)
            }
            DomainError::Validation { grounds, .. } => Some(grounds),
        }
    }

    /// The refusal key (`SIGN_IN_FIRST` for an unauthenticated caller).
    pub fn refusal(&self) -> Refusal {
        self.grounds().map_or(Refusal::SIGN_IN_FIRST, |g| g.refusal)
    }

    /// The values the refusal's message names.
    pub fn params(&self) -> &[(&'static str, String)] {
        self.grounds().map_or(&[], |g| &g.params)
    }

    /// The stable code (docs/ARCHITECTURE.md, "Errors").
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Unauthenticated => "UNAUTHENTICATED",
            DomainError::Forbidden(_) => "FORBIDDEN",
            DomainError::NotFound(_) => "NOT_FOUND",
            DomainError::Validation { .. } => "VALIDATION",
            DomainError::Conflict(_) => "CONFLICT",
        }
    }
}

impl From<Refusal> for Grounds {
    fn from(refusal: Refusal) -> Grounds {
        Grounds {
            refusal,
            params: Vec::new(),
        }
    }
}

/// `InSession` → `IN_SESSION`: a Rust variant's name as the API spells it.
fn wire_name(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len() + 4);
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

macro_rules! refusals {
    ($( $(#[$doc:meta])* $name:ident $([$($param:ident),+])? => $english:literal, )*) => {
        /// Every reason the server gives for refusing a command: the stable keys
        /// the app translates (its completeness test reads [`Refusal::ALL`]).
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Refusal {
            $( $(#[$doc])* $name, )*
        }

        impl Refusal {
            pub const ALL: &'static [Refusal] = &[$(Refusal::$name),*];

            /// The key as the API and the app spell it.
            pub fn key(self) -> &'static str {
                match self { $(Refusal::$name => stringify!($name),)* }
            }

            /// The names of the values the message may show.
            pub fn params(self) -> &'static [&'static str] {
                match self { $(Refusal::$name => &[$($(stringify!($param)),+)?],)* }
            }

            /// The message in English, with `{param}` where a value goes.
            pub fn english(self) -> &'static str {
                match self { $(Refusal::$name => $english,)* }
            }
        }
    };
}

refusals! {
    // The application's own refusals (sign-in, limits, faults) are listed here
    // too, so that one list holds every key the app must translate.
    INTERNAL => "internal error",
    RATE_LIMITED [seconds] => "too many attempts; try again in {seconds} s",

    // Who may do it.
    SIGN_IN_FIRST => "sign in first",
    BAD_CREDENTIALS => "wrong phone number or password",
    SESSION_EXPIRED => "your session has expired or was ended; sign in again",
    CSRF_TOKEN => "missing or wrong X-CSRF-Token header for a cookie-authenticated change",
    VERIFY_FIRST [action] => "a grid worker verifies residents before they may {action}",
    ONLY_ADMINISTRATOR [action] => "only an administrator may {action}",
    ONLY_OFFICERS => "only the council's chair or secretary may do this",
    ONLY_CHAIR_OR_ADMINISTRATOR => "only the council's chair or an administrator may do this",
    ONLY_CHAIR_URGENT => "only the chair may call an urgent meeting",
    ONLY_SECRETARY_CORRECTS => "only the council's secretary may correct the minutes",
    ONLY_OFFICERS_OR_ASSIGNEE => "only the council's officers, or the member assigned, may report progress",
    ONLY_STAFF_OF_PLACE => "only a grid worker serving this place or a member of a council above it may do this",
    ONLY_RESIDENTS_RAISE => "issues are raised by residents (staff raise them on a resident's behalf)",
    ONLY_GRID_WORKER_RAISES_FOR => "only a grid worker serving the resident's grid may raise on their behalf",
    ONLY_RAISER_EDITS => "only the raiser may edit the issue",
    ONLY_RAISER_WITHDRAWS => "only the raiser may withdraw the issue",
    ONLY_RAISER_RATES => "only the raiser, or a grid worker with the raiser's one-time code, may rate",
    COSIGN_RESIDENTS_ONLY => "only residents co-sign issues",
    COSIGN_OUTSIDE_AREA => "only residents living within the issue's area may co-sign",
    ONLY_GRID_WORKER_VERIFIES => "only a grid worker of the resident's grid (or above) may verify them",
    ONLY_SELF_OR_ADMINISTRATOR_ERASES => "only the member themself or an administrator may erase a member",
    NO_SEAT [member] => "{member} has no seat on this council",
    NOT_VOTING_MEMBER [member] => "{member} is not a voting member of this council",
    NO_VOTE_TO_GIVE [member] => "{member} is not a voting member and has no vote to give",
    NOT_ELIGIBLE [member, vote] => "{member} is not eligible in vote {vote} (eligible: voting members checked in when it opened, and their proxies)",
    BALLOT_CAST_BY_OTHER [member, vote, castBy] => "the ballot of {member} in vote {vote} is cast by {castBy}",
    ONLY_MOVER_WITHDRAWS => "only the mover may withdraw a motion",
    CHECK_IN_NEEDS_CODE => "checking in needs the meeting code shown in the hall",
    ONLY_COMMITTEE_OFFICER => "only an officer of the mediation committee may assign a mediator",
    ONLY_COMMITTEE_OFFICER_OR_ADMINISTRATOR => "only an officer of the mediation committee or an administrator may do this",
    ONLY_MEDIATOR_OR_OFFICER => "only the case's mediator or an officer of its committee may do this",
    ONLY_ASSIGNED_MEDIATOR => "only the mediator assigned to the case may do this",
    ONLY_PARTY_OR_STAFF => "only a party, the mediator, the committee's officers or a grid worker of the place may do this",
    ONLY_APPLICANT_WITHDRAWS => "only the applicant (or the grid worker who took the case down) may withdraw it",
    CONFIRM_ON_PAPER => "only the mediator records a party's confirmation, from the paper they signed (channel PAPER)",
    NOT_A_PARTY [member] => "{member} is not a party to this case",
    NOT_A_MEDIATOR [member] => "{member} is not a mediator of this committee",
    ONLY_CATALOGUE_STAFF [jurisdiction] => "only an administrator or a grid worker serving {jurisdiction} may change its service catalogue",
    ONLY_SERVICE_POINT_STAFF => "only a grid worker serving the request's service point (or, once late, the node above) may do this",
    ONLY_APPLICANT_WITHDRAWS_REQUEST => "only the applicant may withdraw the request",
    ONLY_APPLICANT_RATES => "only the applicant, or a grid worker of their grid on a feedback visit, may rate the request",

    // What does not exist.
    ISSUE_NOT_FOUND [issue] => "issue {issue} not found",
    MEETING_NOT_FOUND [meeting] => "meeting {meeting} not found",
    MEMBER_NOT_FOUND [member] => "member {member} not found",
    MEMBER_ERASED [member] => "member {member} was erased",
    COUNCIL_NOT_FOUND [council] => "council {council} not found",
    JURISDICTION_NOT_FOUND [jurisdiction] => "jurisdiction {jurisdiction} not found",
    RESOLUTION_NOT_FOUND [resolution] => "resolution {resolution} not found",
    MOTION_NOT_FOUND [motion] => "motion {motion} not found",
    VOTE_NOT_FOUND [vote] => "vote {vote} not found",
    AGENDA_ITEM_NOT_FOUND [item] => "agenda item {item} not found",
    ASSIGNMENT_NOT_FOUND [assignment] => "assignment {assignment} not found",
    PROXY_NOT_FOUND [member] => "{member} has given no proxy",
    SEAT_NOT_FOUND [member] => "{member} has no seat",
    PHOTO_NOT_FOUND [photo] => "photo {photo} not found",
    COMMITTEE_NOT_FOUND [committee] => "mediation committee {committee} not found",
    DISPUTE_NOT_FOUND [dispute] => "case {dispute} not found",
    SESSION_NOT_FOUND [session] => "session {session} not found",
    SERVICE_NOT_FOUND [service] => "service {service} not found",
    REQUEST_NOT_FOUND => "no such request",

    // The state does not allow it.
    ALREADY_EXISTS [id] => "{id} exists",
    UNCHANGED => "nothing would change",
    CHANGED_MEANWHILE => "the record changed meanwhile; try again",
    KEPT_CHANGING [stream] => "{stream} kept changing; try again",
    PHONE_TAKEN => "this phone number is already registered",
    ADMINISTRATOR_EXISTS => "an administrator exists; ask them to invite you",
    ONLY_RESIDENTS_VERIFIED => "only residents are verified",
    ALREADY_VERIFIED => "already verified",
    ROLE_HELD => "the member already has this role",
    ROLE_NOT_HELD => "the member does not have this role",
    OWN_ADMINISTRATOR_ROLE => "an administrator cannot revoke their own administrator role",
    ALREADY_SEATED => "the member already has a seat",
    COUNCIL_HAS_CHAIR => "the council has a chair; unseat them first",
    JURISDICTION_ALREADY_THERE => "it is already there",
    JURISDICTION_IN_USE => "something refers to this jurisdiction; it can no longer move",
    ISSUE_FINAL [issue, status] => "issue {issue} is {status} and can no longer change",
    ISSUE_STATUS_FORBIDS [status, action] => "an issue that is {status} cannot be {action}",
    ALREADY_COSIGNED => "you already co-signed this issue",
    NOT_COSIGNED => "you have not co-signed this issue",
    NO_COUNCIL_FOR_PLACE => "no council is responsible for this place",
    MERGE_TARGET_CLOSED [issue, status] => "issue {issue} is {status}: merge into an open issue",
    NOTHING_DUE [due] => "nothing is due at {due}",
    NOT_YET_DUE [due] => "it is due at {due}, not yet",
    ALREADY_CHECKED_IN [member] => "{member} is already checked in",
    PROXY_ALREADY_GIVEN [member] => "{member} has already given a proxy; revoke it first",
    ALREADY_SECONDED [motion, by] => "motion {motion} is already seconded by {by}",
    RESOLUTION_PUBLISHED => "the resolution is already published",
    RESOLUTION_IMPLEMENTED => "the resolution is already implemented",
    RESULT_PUBLISHED => "the result is already published",

    // Services and requests.
    SERVICE_WITHDRAWN [service] => "service {service} is no longer offered",
    SERVICE_NOT_OFFERED [service] => "service {service} is not offered where the applicant lives",
    DOCUMENT_TWICE [document] => "{document} is listed twice",
    POINT_OUTSIDE_CATALOGUE [point, jurisdiction] => "the service point {point} is not within {jurisdiction}",
    AT_HOME_BY_GRID_WORKER => "documents are collected at home only by a grid worker taking the request down",
    REQUEST_STATUS_FORBIDS [status, action] => "a request that is {status} cannot be {action}",
    REQUEST_RATED => "the request is already rated",
    TOO_MANY_TRIPS [max] => "{max} lists of missing documents were given: refuse the request, saying why",

    // The working-day calendar.
    CALENDAR_NOT_PUBLISHED [year] => "no calendar of {year} is published; publish it first",
    CALENDAR_PUBLISHED [year] => "the calendar of {year} is published; correct it instead",
    CALENDAR_DAY_OUTSIDE_YEAR [day, year] => "{day} is not in {year}",
    CALENDAR_DAYS_UNORDERED [day] => "days must be listed once each, in order ({day})",
    CALENDAR_NOT_WEEKEND [day] => "{day} is not a Saturday or Sunday: only weekend days are worked in exchange",
    CALENDAR_DAY_BOTH [day] => "{day} cannot be both a day off and a working day",
    CALENDAR_ID_MISMATCH [calendar, year] => "calendar {calendar} is not the calendar of {year}",

    // Mediation.
    DISPUTE_STATUS_FORBIDS [status, action] => "a case that is {status} cannot be {action}",
    NO_COMMITTEE_FOR_PLACE => "no mediation committee serves this place",
    NO_COMMITTEE_ABOVE => "no mediation committee sits above this one",
    ALREADY_ANSWERED [member] => "{member} has already answered",
    APPLICANT_CONSENTS => "the applicant asked for mediation: only respondents answer",
    MEDIATOR_IS_PARTY => "a mediator cannot be a party to a case before their committee",
    MEDIATOR_OBJECTED_TO [member] => "a party objected to {member} in this case",
    NO_MEDIATOR => "no mediator is assigned to this case",
    OBJECTED_ONCE => "each party may object to a mediator only once",
    SESSION_HELD [session] => "session {session} is already recorded",
    SESSION_FIRST => "hold and record a session before drafting the agreement",
    NO_AGREEMENT_DRAFT => "no agreement has been drafted",
    AGREEMENT_CHANGED [version] => "the agreement changed since you read it (now version {version}); read it again",
    ALREADY_CONFIRMED => "you already confirmed this text",
    OUTCOME_NOT_CHOSEN [outcome] => "{outcome} is recorded by the procedure itself, not chosen",
    CONFIRMATION_APPLIED => "judicial confirmation has already been applied for",
    CONFIRMATION_NOT_APPLIED => "no application for judicial confirmation is recorded",
    CONFIRMATION_RULED => "the court's ruling is already recorded",
    CONFIRMATION_LATE [deadline] => "judicial confirmation must be applied for by {deadline} (30 days after the agreement)",
    BEFORE_AGREEMENT => "is before the agreement took effect",
    DATE_IN_FUTURE => "is in the future",
    NOT_PERFORMED_FIRST => "a follow-up visit must first find the agreement not performed",
    RECORDS_ERASED [action] => "the case's records were erased: cannot {action}",
    PARTY_TWICE [member] => "{member} is named twice (or is the applicant)",
    ISSUE_NOT_APPLICANTS => "only the issue's raiser can be the applicant of a case made from it",
    CHANNEL_ONLINE_FOR_SELF => "a party acting in the app uses channel ONLINE",
    ONLY_RAISER_OR_STAFF_MEDIATES => "only the raiser or a grid worker of the place may take an issue to mediation",
    DISPUTE_NOT_FOR_ISSUE [dispute, issue] => "case {dispute} was not made from issue {issue}",
    RECORD_PARTY_REACH => "the other side is recorded by a grid worker of their grid, or by a verified neighbour in the same grid",
    BAD_NONCE => "internal: a private text's nonce must be 32 hex digits",

    // The meeting's procedure.
    PROCEDURE_NOT_OPENED => "the meeting has not been opened yet",
    PROCEDURE_IN_SESSION => "the meeting is in session",
    PROCEDURE_ADJOURNED => "the meeting is adjourned",
    PROCEDURE_TOO_EARLY [start] => "the meeting was announced for {start}",
    PROCEDURE_NO_QUORUM [action, present, members, num, den] => "no quorum to {action}: {present} of {members} voting members present or by proxy, the rules require {num}/{den}",
    PROCEDURE_NOT_CHECKED_IN [member] => "{member} is not checked in",
    PROCEDURE_MEMBER_PRESENT [member] => "{member} is checked in; record a departure instead",
    PROCEDURE_PROXY_GIVEN [member, holder] => "{member} gave a proxy to {holder}; revoke it before checking in",
    PROCEDURE_PROXY_TO_SELF => "a member cannot give a proxy to themself",
    PROCEDURE_CANNOT_HOLD_PROXY [member] => "{member} is not a voting member and cannot hold a proxy",
    PROCEDURE_VOTES_IN_PERSON [member] => "{member} is checked in and votes in person; record a departure first",
    PROCEDURE_PROXY_CHAIN [member] => "{member} holds or has given a proxy; proxies cannot be chained",
    PROCEDURE_PROXY_LIMIT [allowed, member, held] => "the rules allow {allowed} proxy per member and {member} holds {held}",
    PROCEDURE_AGENDA_FROZEN => "the agenda cannot change once the meeting has opened",
    PROCEDURE_VOTE_OPEN [vote, action] => "vote {vote} is open: {action} must wait until it closes",
    PROCEDURE_ITEM_OPEN [item] => "item {item} is open; close or defer it first",
    PROCEDURE_ITEM_STATUS [item, status] => "item {item} is {status}",
    PROCEDURE_NO_ITEM_OPEN => "no agenda item is open",
    PROCEDURE_MOTION_PENDING [motion] => "motion {motion} is pending: vote on it, or have it withdrawn, or defer the item",
    PROCEDURE_ONE_MAIN_MOTION [motion] => "motion {motion} is pending on this item; only one main motion at a time",
    PROCEDURE_AMENDMENT_DEPTH => "an amendment to an amendment cannot be amended (at most two levels)",
    PROCEDURE_AMENDMENT_FIRST [amendment, motion] => "amendment {amendment} to motion {motion} must be voted first",
    PROCEDURE_BEING_VOTED [motion] => "motion {motion} is being voted on",
    PROCEDURE_OWN_SECOND => "the mover cannot second their own motion",
    PROCEDURE_PUT_TO_VOTE [motion] => "motion {motion} has been put to a vote",
    PROCEDURE_MOTION_STATUS [motion, status] => "motion {motion} is {status}",
    PROCEDURE_NEEDS_SECOND [motion] => "the rules require a second: motion {motion} has none",
    PROCEDURE_VOTE_CLOSED [vote] => "vote {vote} is closed",
    PROCEDURE_VOTE_REPLACED [vote] => "vote {vote} was replaced by a later vote",
    PROCEDURE_ALREADY_VOTED [member, vote] => "{member} has already voted in vote {vote}",
    PROCEDURE_MINUTES_FROZEN => "the minutes are approved and frozen",
    PROCEDURE_MINUTES_CHANGED [voted, now] => "the minutes changed after the approval vote opened (voted on {voted}, now {now}); open a new vote",

    // One field of the command.
    TEXT_EMPTY => "must not be empty",
    TEXT_TOO_LONG [max, got] => "must be at most {max} characters (got {got})",
    TEXT_CONTROL => "must not contain control characters",
    TEXT_BIDI => "must not contain characters that reverse the text's direction",
    TOO_MANY [max] => "at most {max}",
    PLACE_TWICE [place] => "{place} is listed twice",
    BAD_LOCATION => "must be a latitude from -90 to 90 and a longitude from -180 to 180",
    PLACES_ON_GRIDS_ONLY => "buildings and units belong to a grid",
    SPOT_NOT_IN_GRID [building] => "{building} is not a building (or unit) of this grid",
    OUT_OF_RANGE [min, max, got] => "must be between {min} and {max} (got {got})",
    BAD_ID [value, kind] => "{value} is not a {kind} id",
    BAD_KEY => "must be 1 to 100 printable characters",
    BAD_TIME => "must be an RFC 3339 UTC time like 2026-12-01T09:00:00.000Z",
    BAD_DATE [value] => "{value} must be a day written like 2026-10-01",
    BAD_HASH => "must be 64 lower-case hex digits (a SHA-256)",
    BAD_FRACTION => "must be a fraction num/den with 0 < num <= den <= 1000",
    BAD_PHONE => "must be 5 to 15 digits, optionally starting with +",
    BAD_ID_NUMBER => "must be letters and digits",
    BAD_PASSWORD => "must be 8 to 128 characters",
    WRONG_PASSWORD => "the current password is wrong",
    WRONG_FEEDBACK_CODE => "not the raiser's current code",
    WRONG_MEETING_CODE => "the meeting code is wrong",
    RECORD_TOO_LARGE [detail] => "too much for one record: {detail}",
    PHOTO_TOO_LARGE [mib] => "at most {mib} MiB",
    PHOTO_NOT_IMAGE => "not a JPEG, PNG or WebP image",
    PHOTO_UNREADABLE [detail] => "not a readable image: {detail}",
    PHOTO_NOT_UPLOADED [photo] => "photo {photo} was not uploaded (POST /photos first)",
    PAPER_NEEDS_PHOTO => "attach the photo of the paper form",
    CHANNEL_FOR_OTHERS => "an issue raised for someone came by visit, phone, WeChat or paper",
    OUTSIDE_RAISER_REACH => "outside the raiser's reach: choose their grid or a place above it",
    HOME_NOT_GRID => "the home must be a grid (the smallest unit)",
    GRID_WORKER_NEEDS_PLACE => "a grid worker needs a jurisdiction",
    ROOT_NOT_CITY => "only a city may be a root; give a parent",
    BAD_PLACEMENT [kind, parent] => "a {kind} cannot be placed under a {parent}",
    UNDER_ITSELF => "cannot move a node under itself",
    OBSERVER_CANNOT_VOTE => "an observer cannot vote",
    NO_COUNCIL_ABOVE => "no council sits at or above this place: name one",
    COUNCIL_NOT_ABOVE => "route the issue to a council at or above its place",
    MERGE_INTO_SELF => "an issue cannot be merged into itself",
    REFER_SAME_PLACE => "the issue is already there: refer it elsewhere",
    RESOLUTION_NOT_FOR_ISSUE [resolution, issue] => "resolution {resolution} does not answer issue {issue}",
    STARTS_IN_PAST => "is in the past",
    STARTS_TOO_FAR => "is more than a year ahead",
    NOTICE_TOO_SHORT [hours, earliest] => "the council's rules require {hours} hours' notice (start at {earliest} or later, or call an urgent meeting with a reason)",
    AGENDA_SIZE [max] => "must have 1 to {max} items",
    AGENDA_TOO_LONG [max, got] => "titles and texts together must be at most {max} characters (got {got})",
    AGENDA_NOT_ON_DOCKET [issue] => "issue {issue} is not on this council's docket",
    AGENDA_TWICE [issue] => "issue {issue} is on the agenda twice",
    AGENDA_TOPIC_NEEDS_TEXT => "a new topic needs a text",
    AGENDA_ITEM_NEEDS_SUBJECT => "an item needs an issue or a title",
    MOTION_NOT_ADOPTED [motion, meeting] => "motion {motion} of meeting {meeting} was not adopted",
    RESOLUTION_ISSUE_CLOSED [issue, status] => "issue {issue} is {status}",
    ASSIGNMENT_NEEDS_ONE_OWNER => "each assignment names a responsible member or a unit (one of them)",
    DUE_IN_PAST => "a due date must be in the future",
    PUBLISH_FIRST => "publish the resolution (disclosure one) first",
    IMPLEMENT_FIRST => "record the implementation before publishing its result",
    SEALED_PUBLIC => "this vote's ballots are public",
    SEALED_COUNT [sealed, cast] => "{sealed} sealed ballots for {cast} ballots cast",
    SEALED_MISMATCH => "the sealed ballots do not match the ballots cast",
    SEALED_SHAPE => "secret ballots carry a ballot hash and no member",
    SEALED_REPEAT => "a ballot hash repeats",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_names_exactly_its_parameters() {
        for refusal in Refusal::ALL {
            let english = refusal.english();
            let mut named: Vec<&str> = english
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
                .collect();
            named.sort_unstable();
            named.dedup();
            let mut declared = refusal.params().to_vec();
            declared.sort_unstable();
            assert_eq!(named, declared, "{refusal:?}");
        }
    }

    #[test]
    fn keys_are_unique_and_spelled_as_the_api_spells_them() {
        let mut keys: Vec<&str> = Refusal::ALL.iter().map(|r| r.key()).collect();
        assert!(
            keys.iter()
                .all(|k| k.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        );
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }

    #[test]
    fn the_message_fills_in_the_parameters() {
        let e = DomainError::validation("procedure", Refusal::PROCEDURE_MEMBER_PRESENT)
            .with("member", "m_1");
        assert_eq!(
            e.to_string(),
            "procedure: m_1 is checked in; record a departure instead"
        );
        assert_eq!(e.refusal().key(), "PROCEDURE_MEMBER_PRESENT");
        assert_eq!(e.params(), &[("member", "m_1".to_owned())]);
        assert_eq!(e.code(), "VALIDATION");
    }

    #[test]
    fn states_go_by_their_wire_names() {
        let e = DomainError::conflict(Refusal::ISSUE_STATUS_FORBIDS)
            .with_state("status", crate::IssueStatus::Responded)
            .with("action", "merged");
        assert_eq!(e.params()[0], ("status", "RESPONDED".to_owned()));
        assert_eq!(wire_name("InSession"), "IN_SESSION");
    }
}
