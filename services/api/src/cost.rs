//! What a GraphQL document costs to answer, counted before the engine validates it.
//!
//! async-graphql's own complexity check expands every fragment spread where it
//! stands, so a chain of fragments that each spread the next one twice takes
//! exponential time before it is refused. Here each fragment is measured once
//! (memoised), so measuring is linear in the document's length, and two figures
//! come out:
//!
//! - **expanded size**: the number of fields once every spread is replaced by its
//!   fragment. Validation's work is proportional to it, so it is capped first.
//! - **cost**: every field costs 1, a field that reads the vault costs
//!   [`VAULT_READ`], and a list multiplies what is selected under it by its bound:
//!   the `first` argument (default 20, at most 100) or the declared estimate in
//!   [`LIST_BOUNDS`]. Every list field of the schema must have one (a test says so).
//!
//! The limit depends on who asks ([`roundtable_domain::CallerClass`]).

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{Name, Positioned, ServerError, Value, Variables};
use roundtable_domain::CallerClass;

/// What one vault decryption costs, in field units.
pub const VAULT_READ: u64 = 10;

/// The largest page any connection serves, and the page when none is asked for.
const MAX_PAGE: u64 = 100;
const DEFAULT_PAGE: u64 = 20;

/// Fields that decrypt a member's sealed record (once per member per request,
/// but a document can name many members), with how many records each reads.
const VAULT_FIELDS: &[(&str, u64)] = &[
    ("Member.displayName", 1),
    ("Member.phone", 1),
    ("Member.realName", 1),
    ("Member.address", 1),
    ("Member.idNumber", 1),
    ("Me.displayName", 1),
    ("MyData.personal", 1),
    ("TimelineEvent.actorName", 1),
    ("Issue.raisedFrom", 1),
    // Every seat holder and speaker of the meeting, whatever is selected.
    ("Meeting.minutes", 30),
    // A case's private texts: the terms and the names of up to 7 people.
    ("DisputeCase.agreementText", 8),
    ("DisputeCase.claims", 6),
    (
        "DisputeCase.sessions",
        roundtable_domain::MAX_SESSIONS as u64,
    ),
    (
        "DisputeCase.followUpNotes",
        roundtable_domain::MAX_FOLLOW_UPS as u64,
    ),
];

/// Lists whose resolver reads one record per element before anything under
/// them is selected (a roll call's names, speakers, movers).
const EAGER_VAULT_LISTS: &[&str] = &["Meeting.rollCall", "Meeting.statements", "Meeting.motions"];

/// Declared lengths of list fields without a `first` argument: what such a list
/// holds in a real community (a field with `first` is bounded by it instead).
/// Connections' `edges`/`nodes` are 1 because their parent's `first` multiplies.
pub const LIST_BOUNDS: &[(&str, u64)] = &[
    (
        "AgreementView.confirmedBy",
        roundtable_domain::MAX_RESPONDENTS as u64 + 1,
    ),
    (
        "DisputeCase.answers",
        roundtable_domain::MAX_RESPONDENTS as u64,
    ),
    (
        "DisputeCase.claims",
        roundtable_domain::MAX_RESPONDENTS as u64 + 1,
    ),
    (
        "DisputeCase.followUpNotes",
        roundtable_domain::MAX_FOLLOW_UPS as u64,
    ),
    (
        "DisputeCase.followUps",
        roundtable_domain::MAX_FOLLOW_UPS as u64,
    ),
    (
        "DisputeCase.history",
        roundtable_domain::MAX_CASE_HISTORY as u64,
    ),
    ("DisputeCase.receipts", 2),
    // A service's lists, and a request's: at most 20 lists of missing documents.
    ("Service.documents", roundtable_domain::MAX_DOCUMENTS as u64),
    ("Service.keywords", roundtable_domain::MAX_KEYWORDS as u64),
    ("ServicePayload.indexes", 1),
    ("ServiceRequestPayload.indexes", 1),
    ("ServiceRequest.history", 32),
    (
        "ServiceRequest.missing",
        roundtable_domain::MAX_MISSING_LISTS as u64,
    ),
    (
        "ServiceRequest.unlisted",
        (roundtable_domain::MAX_MISSING_LISTS * roundtable_domain::MAX_MISSING) as u64,
    ),
    ("ServiceStats.rows", 500),
    // Years 2000–2100, each with at most 60 days of either kind.
    ("Query.workingCalendars", 101),
    (
        "WorkingCalendar.holidays",
        roundtable_domain::MAX_CALENDAR_DAYS as u64,
    ),
    (
        "WorkingCalendar.workingWeekends",
        roundtable_domain::MAX_CALENDAR_DAYS as u64,
    ),
    // The parties the viewer may record an answer or a paper confirmation for.
    (
        "DisputeCan.recordAnswerFor",
        roundtable_domain::MAX_RESPONDENTS as u64,
    ),
    (
        "DisputeCan.recordConfirmationFor",
        roundtable_domain::MAX_RESPONDENTS as u64 + 1,
    ),
    (
        "DisputeCase.respondents",
        roundtable_domain::MAX_RESPONDENTS as u64,
    ),
    (
        "DisputeCase.sessions",
        roundtable_domain::MAX_SESSIONS as u64,
    ),
    ("DisputeCaseConnection.edges", 1),
    ("DisputeCaseConnection.nodes", 1),
    ("CalendarPayload.indexes", 1),
    ("DisputePayload.indexes", 5),
    (
        "MediationCommittee.mediators",
        roundtable_domain::MAX_MEDIATORS as u64,
    ),
    ("MediationCommitteePayload.indexes", 5),
    (
        "MediationSession.attendance",
        roundtable_domain::MAX_RESPONDENTS as u64 + 2,
    ),
    ("MediationStats.byKind", 7),
    ("MediationStats.byOutcome", 6),
    ("MediationStats.committees", 50),
    ("MediationStats.mediators", 100),
    ("Query.mediationCommittees", 50),
    ("BallotView.agenda", 20),
    ("Building.units", roundtable_domain::MAX_UNITS as u64),
    ("CheckpointView.agenda", 20),
    ("Council.rulesHistory", 10),
    ("Council.seats", 30),
    ("CouncilConnection.edges", 1),
    ("CouncilConnection.nodes", 1),
    ("CouncilPayload.indexes", 5),
    ("InviteStaffPayload.indexes", 5),
    ("Issue.mergedFrom", 5),
    ("Issue.photos", 5),
    ("Issue.ratings", 5),
    ("Issue.responses", 5),
    ("Issue.supportsPerVersion", 5),
    ("Issue.timeline", 50),
    ("Issue.versions", 5),
    ("IssueConnection.edges", 1),
    ("IssueConnection.nodes", 1),
    ("IssueEdge.status", 1),
    ("IssuePayload.indexes", 5),
    ("Jurisdiction.ancestors", 5),
    (
        "Jurisdiction.buildings",
        roundtable_domain::MAX_BUILDINGS as u64,
    ),
    ("Jurisdiction.children", 20),
    ("Jurisdiction.councils", 3),
    ("Jurisdiction.gridWorkers", 5),
    ("JurisdictionConnection.edges", 1),
    ("JurisdictionConnection.nodes", 1),
    ("JurisdictionPayload.indexes", 5),
    ("JurisdictionStats.children", 20),
    ("JurisdictionStats.councils", 3),
    ("Meeting.agenda", 20),
    ("Meeting.corrections", 5),
    ("Meeting.issues", 20),
    ("Meeting.motions", 20),
    ("Meeting.proxies", 10),
    ("Meeting.resolutions", 10),
    ("Meeting.rollCall", 30),
    ("Meeting.statements", 30),
    ("Meeting.votes", 20),
    ("MeetingConnection.edges", 1),
    ("MeetingConnection.nodes", 1),
    ("MeetingPayload.indexes", 5),
    ("MemberConnection.edges", 1),
    ("MemberConnection.nodes", 1),
    ("MemberPayload.indexes", 5),
    ("Member.roles", 3),
    ("Member.seats", 3),
    ("MotionView.votes", 3),
    ("Progress.photos", 5),
    ("Query.docket", 100),
    ("Query.jurisdictionTree", 100),
    ("Query.photos", 5),
    ("RaiseIssuePayload.indexes", 5),
    ("RaiseIssuePayload.similar", 5),
    ("Receipt.assignments", 10),
    ("Receipt.issues", 10),
    ("Rejection.photos", 5),
    ("Resolution.assignments", 10),
    ("Resolution.issues", 10),
    ("Resolution.progress", 10),
    ("ResolutionConnection.edges", 1),
    ("ResolutionConnection.nodes", 1),
    ("ResolutionPayload.indexes", 5),
    ("Vote.ballots", 30),
    ("Vote.eligible", 30),
    ("Vote.secretBallots", 30),
];

/// [`LIST_BOUNDS`] by field, built once (every request looks fields up in it).
static BOUNDS: std::sync::LazyLock<HashMap<&'static str, u64>> =
    std::sync::LazyLock::new(|| LIST_BOUNDS.iter().copied().collect());

/// Lists of the introspection schema: a client asks for them once per session.
const INTROSPECTION_LIST: u64 = 50;

/// The limits: expanded size for everyone, cost by caller class.
#[derive(Clone, Copy, Debug)]
pub struct CostLimits {
    pub max_expanded: u64,
    pub public: u64,
    pub resident: u64,
    pub staff: u64,
}

impl Default for CostLimits {
    fn default() -> CostLimits {
        CostLimits {
            max_expanded: 2_000,
            public: 8_000,
            resident: 15_000,
            staff: 50_000,
        }
    }
}

impl CostLimits {
    pub fn for_class(&self, class: CallerClass) -> u64 {
        match class {
            CallerClass::Public => self.public,
            CallerClass::Resident => self.resident,
            CallerClass::Staff => self.staff,
        }
    }
}

/// A document's size after expansion and its cost (the costliest operation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Measure {
    pub expanded: u64,
    pub cost: u64,
}

impl Measure {
    fn add(self, other: Measure) -> Measure {
        Measure {
            expanded: self.expanded.saturating_add(other.expanded),
            cost: self.cost.saturating_add(other.cost),
        }
    }
}

/// Why a document was refused before validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    TooLarge {
        expanded: u64,
        limit: u64,
    },
    TooCostly {
        cost: u64,
        limit: u64,
    },
    /// A fragment that spreads itself, directly or not: it never ends.
    FragmentCycle(String),
}

impl Refusal {
    pub fn into_server_error(self) -> ServerError {
        let (message, figure, limit) = match self {
            Refusal::FragmentCycle(name) => {
                let mut error = ServerError::new(format!("fragment {name} spreads itself"), None);
                let mut ext = async_graphql::ErrorExtensionValues::default();
                ext.set("code", "VALIDATION");
                error.extensions = Some(ext);
                return error;
            }
            Refusal::TooLarge { expanded, limit } => (
                format!(
                    "query too large: {expanded} fields once fragments are expanded, at most {limit}"
                ),
                expanded,
                limit,
            ),
            Refusal::TooCostly { cost, limit } => (
                format!("query too costly: cost {cost}, at most {limit} for this caller"),
                cost,
                limit,
            ),
        };
        let mut error = ServerError::new(message, None);
        let mut ext = async_graphql::ErrorExtensionValues::default();
        ext.set("code", "QUERY_TOO_COSTLY");
        ext.set("cost", figure);
        ext.set("limit", limit);
        error.extensions = Some(ext);
        error
    }
}

/// Measures `doc`: the cost of the operation that will run (`operation`, else the
/// costliest), and the expanded size of all of it (validation looks at every
/// operation).
pub fn measure(
    registry: &Registry,
    doc: &ExecutableDocument,
    variables: &Variables,
    operation: Option<&str>,
) -> Result<Measure, Refusal> {
    // A variable the request leaves out takes its declared default (the first
    // operation declaring it wins: fragments are measured once for the document).
    let mut effective = variables.clone();
    for (_, operation) in doc.operations.iter() {
        for definition in &operation.node.variable_definitions {
            let name = &definition.node.name.node;
            if !effective.contains_key(name)
                && let Some(default) = definition.node.default_value()
            {
                effective.insert(name.clone(), default.clone());
            }
        }
    }
    let mut walker = Walker {
        registry,
        variables: &effective,
        fragments: &doc.fragments,
        memo: HashMap::new(),
        cycle: None,
    };
    let mut expanded = 0u64;
    let mut cost = 0u64;
    for (name, definition) in doc.operations.iter() {
        let runs = operation.is_none_or(|wanted| name.is_some_and(|n| n.as_str() == wanted));
        let root = match definition.node.ty {
            OperationType::Query => Some(registry.query_type.as_str()),
            OperationType::Mutation => registry.mutation_type.as_deref(),
            OperationType::Subscription => registry.subscription_type.as_deref(),
        };
        let m = walker.set(root, &definition.node.selection_set.node);
        expanded = expanded.saturating_add(m.expanded);
        if runs {
            cost = cost.max(m.cost);
        }
    }
    match walker.cycle {
        Some(name) => Err(Refusal::FragmentCycle(name)),
        None => Ok(Measure { expanded, cost }),
    }
}

/// Refuses `doc` if it is too large for anyone or too costly for `class`.
pub fn check(
    registry: &Registry,
    doc: &ExecutableDocument,
    variables: &Variables,
    operation: Option<&str>,
    limits: &CostLimits,
    class: CallerClass,
) -> Result<Measure, Refusal> {
    let m = measure(registry, doc, variables, operation)?;
    if m.expanded > limits.max_expanded {
        return Err(Refusal::TooLarge {
            expanded: m.expanded,
            limit: limits.max_expanded,
        });
    }
    let limit = limits.for_class(class);
    if m.cost > limit {
        return Err(Refusal::TooCostly {
            cost: m.cost,
            limit,
        });
    }
    Ok(m)
}

struct Walker<'a> {
    registry: &'a Registry,
    variables: &'a Variables,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    /// `None` while a fragment is being measured: a cycle (validation refuses it).
    memo: HashMap<Name, Option<Measure>>,
    /// The first fragment found spreading itself.
    cycle: Option<String>,
}

impl Walker<'_> {
    fn set(&mut self, ty: Option<&str>, set: &SelectionSet) -> Measure {
        let mut total = Measure::default();
        for item in &set.items {
            let m = match &item.node {
                Selection::Field(field) => self.field(ty, &field.node),
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name.node),
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str())
                        .or(ty);
                    self.set(on, &inline.node.selection_set.node)
                }
            };
            total = total.add(m);
        }
        total
    }

    fn fragment(&mut self, name: &Name) -> Measure {
        if let Some(known) = self.memo.get(name) {
            if known.is_none() && self.cycle.is_none() {
                self.cycle = Some(name.to_string());
            }
            return known.unwrap_or_default();
        }
        let Some(fragment) = self.fragments.get(name) else {
            return Measure::default();
        };
        self.memo.insert(name.clone(), None);
        let on = fragment.node.type_condition.node.on.node.as_str();
        let m = self.set(Some(on), &fragment.node.selection_set.node);
        self.memo.insert(name.clone(), Some(m));
        m
    }

    fn field(&mut self, ty: Option<&str>, field: &async_graphql::parser::types::Field) -> Measure {
        let name = field.name.node.as_str();
        let meta = ty
            .and_then(|t| self.registry.types.get(t))
            .and_then(|t| t.field_by_name(name));
        let Some(meta) = meta else {
            // `__typename`, or a field validation will refuse: count it, nothing more.
            let children = self.set(None, &field.selection_set.node);
            return Measure {
                expanded: 1 + children.expanded,
                cost: 1 + children.cost,
            };
        };
        let child_type = named_type(&meta.ty);
        let key = format!("{}.{name}", ty.unwrap_or_default());
        let base = VAULT_FIELDS
            .iter()
            .find(|(field, _)| *field == key)
            .map_or(1, |(_, reads)| reads * VAULT_READ);
        let per_element = match EAGER_VAULT_LISTS.contains(&key.as_str()) {
            true => VAULT_READ,
            false => 0,
        };
        let times = if meta.args.contains_key("first") {
            self.first(
                field,
                meta.args
                    .get("first")
                    .and_then(|a| a.default_value.as_deref()),
            )
        } else if meta.ty.starts_with('[') {
            match BOUNDS.get(key.as_str()) {
                Some(&bound) => bound,
                None if ty.is_some_and(|t| t.starts_with("__")) => INTROSPECTION_LIST,
                None => MAX_PAGE,
            }
        } else {
            1
        };
        let children = if matches!(
            self.registry.types.get(child_type),
            Some(MetaType::Object { .. } | MetaType::Interface { .. } | MetaType::Union { .. })
        ) {
            self.set(Some(child_type), &field.selection_set.node)
        } else {
            Measure::default()
        };
        Measure {
            expanded: 1u64.saturating_add(children.expanded),
            cost: base
                .saturating_add(times.saturating_mul(children.cost.saturating_add(per_element))),
        }
    }

    /// The page a `first` argument asks for: a literal, a variable, or the default.
    fn first(&self, field: &async_graphql::parser::types::Field, default: Option<&str>) -> u64 {
        let value = field.get_argument("first").and_then(|v| {
            v.node
                .clone()
                .into_const_with(|var| {
                    Ok::<_, ()>(self.variables.get(&var).cloned().unwrap_or_default())
                })
                .ok()
        });
        let asked = match value {
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        };
        asked
            .or_else(|| default.and_then(|d| d.parse().ok()))
            .unwrap_or(DEFAULT_PAGE)
            .min(MAX_PAGE)
    }
}

/// `[Issue!]!` → `Issue`.
pub fn named_type(ty: &str) -> &str {
    ty.trim_matches(|c| c == '[' || c == ']' || c == '!')
}

/// Every list field of `registry`'s own types (not introspection), as `Type.field`.
pub fn list_fields(registry: &Registry) -> Vec<String> {
    let mut out = Vec::new();
    for (type_name, ty) in &registry.types {
        if type_name.starts_with("__") {
            continue;
        }
        if let Some(fields) = ty.fields() {
            for (name, field) in fields {
                if field.ty.starts_with('[') && !field.args.contains_key("first") {
                    out.push(format!("{type_name}.{name}"));
                }
            }
        }
    }
    out
}

/// The schema extension that refuses a document before the engine looks at it
/// (its recursion-depth check and its validation both expand fragment spreads
/// where they stand) when it is too large or too costly for its caller.
pub struct CostGuard(pub CostLimits);

impl async_graphql::extensions::ExtensionFactory for CostGuard {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(CostGuardExtension(self.0))
    }
}

struct CostGuardExtension(CostLimits);

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for CostGuardExtension {
    async fn prepare_request(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        mut request: async_graphql::Request,
        next: async_graphql::extensions::NextPrepareRequest<'_>,
    ) -> async_graphql::ServerResult<async_graphql::Request> {
        // The caller: in the request's data over HTTP, in the connection's over
        // the WebSocket.
        let auth = request
            .data
            .get(&std::any::TypeId::of::<crate::auth::RequestAuth>())
            .and_then(|d| d.downcast_ref::<crate::auth::RequestAuth>())
            .or_else(|| ctx.data_opt::<crate::auth::RequestAuth>());
        let class = match (auth, ctx.data_opt::<std::sync::Arc<crate::Api>>()) {
            (Some(auth), Some(api)) => auth.actor(&api.app).caller_class(),
            _ => CallerClass::Public,
        };
        let operation = request.operation_name.clone();
        let variables = request.variables.clone();
        // A syntax error is left to the engine, which words it.
        if let Ok(doc) = request.parsed_query() {
            check(
                &ctx.schema_env.registry,
                doc,
                &variables,
                operation.as_deref(),
                &self.0,
                class,
            )
            .map_err(Refusal::into_server_error)?;
        }
        next.run(ctx, request).await
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    use async_graphql::{Request, Schema};

    use super::*;
    use crate::graphql::{Mutation, Query, Subscription};

    /// The cost the guard reports for `query` (every limit 0, so it always refuses).
    async fn cost_of(query: &str, operation: Option<&str>, variables: serde_json::Value) -> u64 {
        let limits = CostLimits {
            max_expanded: u64::MAX,
            public: 0,
            resident: 0,
            staff: 0,
        };
        let schema = Schema::build(Query::default(), Mutation::default(), Subscription)
            .extension(CostGuard(limits))
            .finish();
        let mut request = Request::new(query).variables(Variables::from_json(variables));
        if let Some(op) = operation {
            request = request.operation_name(op);
        }
        let response = schema.execute(request).await;
        let error = response.errors.first().expect("refused");
        let ext = error.extensions.as_ref().expect("extensions");
        assert_eq!(ext.get("code"), Some(&Value::from("QUERY_TOO_COSTLY")));
        match ext.get("cost") {
            Some(Value::Number(n)) => n.as_u64().expect("a count"),
            other => panic!("no cost: {other:?}"),
        }
    }

    /// The first error of `query` under the default limits, and its extensions.
    async fn refusal(
        query: &str,
    ) -> (
        async_graphql::ServerError,
        async_graphql::ErrorExtensionValues,
    ) {
        let schema = Schema::build(Query::default(), Mutation::default(), Subscription)
            .extension(CostGuard(CostLimits::default()))
            .finish();
        let mut response = schema.execute(Request::new(query)).await;
        let error = response.errors.remove(0);
        let ext = error.extensions.clone().expect("extensions");
        (error, ext)
    }

    #[test]
    fn every_list_field_has_a_bound() {
        let sdl = crate::graphql::sdl();
        let doc = async_graphql::parser::parse_schema(&sdl).expect("our SDL parses");
        let declared: HashMap<&str, u64> = LIST_BOUNDS.iter().copied().collect();
        let mut missing = Vec::new();
        for definition in &doc.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let TypeKind::Object(object) = &ty.node.kind else {
                continue;
            };
            for field in &object.fields {
                let field = &field.node;
                let is_list = matches!(
                    field.ty.node.base,
                    async_graphql::parser::types::BaseType::List(_)
                );
                let paged = field.arguments.iter().any(|a| a.node.name.node == "first");
                let key = format!("{}.{}", ty.node.name.node, field.name.node);
                if is_list && !paged && !declared.contains_key(key.as_str()) {
                    missing.push(key);
                }
            }
        }
        assert!(
            missing.is_empty(),
            "list fields without a declared bound in LIST_BOUNDS: {missing:?}"
        );
    }

    #[tokio::test]
    async fn a_fragment_chain_is_measured_once_per_fragment_and_refused_for_its_expanded_size() {
        // f1 spreads f2 twice, … f26 selects one field: 2^25 fields once expanded.
        let mut query = String::from("query { ...f1 }\n");
        for level in 1..26 {
            let next = level + 1;
            query.push_str(&format!(
                "fragment f{level} on Query {{ ...f{next} ...f{next} }}\n"
            ));
        }
        query.push_str("fragment f26 on Query { jurisdictionTree { id } }\n");
        assert!(query.len() < 2_000);
        let (error, ext) = refusal(&query).await;
        assert_eq!(ext.get("code"), Some(&Value::from("QUERY_TOO_COSTLY")));
        assert_eq!(ext.get("cost"), Some(&Value::from(2u64.pow(25) * 2)));
        assert_eq!(ext.get("limit"), Some(&Value::from(2_000u64)));
        assert!(error.message.contains("expanded"), "{}", error.message);
    }

    #[tokio::test]
    async fn a_fragment_that_spreads_itself_is_refused_before_anything_expands_it() {
        let query = "query { ...a }\nfragment a on Query { ...b ...b }\nfragment b on Query { ...a ...a logSize }\n";
        let (error, ext) = refusal(query).await;
        assert_eq!(ext.get("code"), Some(&Value::from("VALIDATION")));
        assert!(
            error.message.contains("spreads itself"),
            "{}",
            error.message
        );
    }

    #[tokio::test]
    async fn lists_multiply_what_they_select_and_names_cost_a_vault_read() {
        // council → seats (30) → member → displayName (a vault read).
        let one = cost_of(
            r#"{ council(id: "c_x") { seats { member { displayName } } } }"#,
            None,
            serde_json::json!({}),
        )
        .await;
        assert_eq!(one, 1 + (1 + 30 * (1 + VAULT_READ)));
        // The same list nested through itself multiplies again.
        let nested = cost_of(
            r#"{ council(id: "c_x") { seats { council { seats { member { displayName } } } } } }"#,
            None,
            serde_json::json!({}),
        )
        .await;
        assert_eq!(nested, 1 + (1 + 30 * (1 + (1 + 30 * (1 + VAULT_READ)))));
        // `first` bounds a page, from a literal or a variable; at most 100.
        let paged = cost_of(
            "query($n: Int) { issues(first: $n) { nodes { id } } }",
            None,
            serde_json::json!({"n": 7}),
        )
        .await;
        assert_eq!(paged, 1 + 7 * (1 + 1));
        let huge = cost_of(
            "{ issues(first: 100000) { nodes { id } } }",
            None,
            serde_json::json!({}),
        )
        .await;
        assert_eq!(huge, 1 + 100 * 2);
        // 150 aliases of the nested list cost 150 times as much.
        let mut aliased = String::from("{");
        for n in 0..150 {
            aliased.push_str(&format!(
                r#" a{n}: council(id: "c_x") {{ seats {{ council {{ seats {{ member {{ displayName }} }} }} }} }}"#
            ));
        }
        aliased.push('}');
        assert_eq!(
            cost_of(&aliased, None, serde_json::json!({})).await,
            150 * nested
        );
    }

    /// The web app's own documents fit the limits of the callers who use them: the
    /// pages strangers see at the largest page they ask for (30), the rest at 50.
    #[tokio::test]
    async fn the_web_apps_operations_fit_their_callers_limits() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/operations");
        let mut all = String::new();
        for entry in std::fs::read_dir(dir).expect("schema/operations") {
            let path = entry.expect("entry").path();
            all.push_str(&std::fs::read_to_string(&path).expect("readable"));
            all.push('\n');
        }
        let doc = async_graphql::parser::parse_query(&all).expect("operations parse");
        let limits = CostLimits::default();
        let public = [
            "Issues",
            "Issue",
            "Meetings",
            "Meeting",
            "Resolutions",
            "Resolution",
        ];
        let mut report = Vec::new();
        for (name, _) in doc.operations.iter() {
            let name = name.expect("named operations").to_string();
            let (first, limit) = match public.contains(&name.as_str()) {
                true => (30, limits.public),
                false if name == "Councils" => (100, limits.staff),
                false => (50, limits.resident),
            };
            let cost = cost_of(&all, Some(&name), serde_json::json!({"first": first})).await;
            report.push((name, cost, limit));
        }
        for (name, cost, limit) in &report {
            eprintln!("{name}: {cost} (limit {limit})");
        }
        let over: Vec<_> = report
            .iter()
            .filter(|(_, cost, limit)| cost > limit)
            .collect();
        assert!(over.is_empty(), "over their callers' limit: {over:?}");
    }
}
