//! Mediation through the real binary: a whole case (raise → consent → assign →
//! one objection → a session → an agreement both parties confirm by hash →
//! judicial confirmation → follow-up), a declined one, who may read what, bad
//! input that changes nothing, and `audit verify` recomputing the figures.

mod support;

use serde_json::{Value, json};
use support::accounts::{
    AUDITOR, GRID_WORKER_GRID1 as ZHANG, PASSWORD, UNVERIFIED_RESIDENT as WU,
    VERIFIED_RESIDENT as ZHOU,
};
use support::graphql::{Client, Reply};

/// 刘主任 (officer) and 王律师 (mediator) of 银网社区人民调解委员会.
const LIU: &str = "13900000021";
const WANG: &str = "13900000022";
/// Neighbours of 第一网格 (demo residents, verified).
const NEIGHBOUR: &str = "13900000104";
const OTHER_NEIGHBOUR: &str = "13900000105";

const CASE: &str = "query($id: String!) { dispute(id: $id) { id raisedAt access status outcome advice kind
    jurisdiction { name } committee { name } mediator { displayName }
    applicant { id } respondents { id } claims { text } answers { consented }
    sessions { number held record attendance { id } }
    agreement { version textHash signed confirmationWindowEnds confirmedBy { id } }
    agreementText canonical: agreementText(canonical: true) english: agreementText(language: EN)
    judicialConfirmation { court confirmed } followUps followUpNotes
    receipts { index text } history { kind }
    viewerCan { answer assignMediator objectToMediator scheduleSession recordSession draftAgreement confirmAgreement applyForConfirmation followUp } } }";

fn mutate(client: &Client, name: &str, input_type: &str, input: Value) -> Reply {
    let query = format!(
        "mutation($i: {input_type}!) {{ {name}(input: $i) {{ dispute {{ id status }} indexes receipt {{ index }} }} }}"
    );
    client.query(&query, json!({ "i": input }))
}

fn ok(reply: Reply, name: &str) -> Value {
    reply.data()[name].clone()
}

fn case(client: &Client, id: &str) -> Value {
    client.query(CASE, json!({ "id": id })).data()["dispute"].clone()
}

/// The kinds of the viewer's notifications about case `id`, newest first, and
/// whether the newest asks them to answer.
fn notices(client: &Client, id: &str) -> (Vec<String>, bool) {
    let reply = client.query(
        "{ notifications(first: 50) { type issue { id } dispute { id viewerCan { answer } } } }",
        json!({}),
    );
    let data = reply.data();
    let mine: Vec<&Value> = data["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["dispute"]["id"] == id)
        .collect();
    let asks = mine
        .first()
        .is_some_and(|n| n["dispute"]["viewerCan"]["answer"] == true);
    let kinds = mine
        .iter()
        .map(|n| n["type"].as_str().unwrap().to_owned())
        .collect();
    (kinds, asks)
}

/// The mediator records the first session as held and drafts the agreement.
fn record_and_draft(mediator: &Client, id: &str, attendance: Value, record: &str, terms: &str) {
    ok(
        mutate(
            mediator,
            "recordMediationSession",
            "RecordSessionInput",
            json!({"dispute": id, "session": 1, "attendance": attendance, "record": record}),
        ),
        "recordMediationSession",
    );
    ok(
        mutate(
            mediator,
            "draftAgreement",
            "DraftAgreementInput",
            json!({"dispute": id, "terms": terms}),
        ),
        "draftAgreement",
    );
}

fn advance(base: &str, hours: i64) {
    ureq::post(format!("{base}/_test/clock?advanceHours={hours}"))
        .send_empty()
        .unwrap();
}

fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_case_runs_from_a_residents_request_to_a_performed_agreement_and_audit_recomputes_the_figures()
{
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(
        dir.path(),
        &["--demo", "--test-clock", "--checkpoint-interval-ms", "100"],
    );
    let base = &server.base;
    let zhou = Client::sign_in(base, ZHOU, PASSWORD);
    let neighbour = Client::sign_in(base, NEIGHBOUR, PASSWORD);
    let liu = Client::sign_in(base, LIU, PASSWORD);
    let wang = Client::sign_in(base, WANG, PASSWORD);
    let zhang = Client::sign_in(base, ZHANG, PASSWORD);
    let auditor = Client::sign_in(base, AUDITOR, PASSWORD);
    let stranger = Client::sign_in(base, WU, PASSWORD);
    let neighbour_id = neighbour.me();
    let wang_id = wang.me();
    let liu_id = liu.me();

    // Bad input changes nothing: no respondent, a respondent who is the applicant.
    let size = zhou.log_size();
    let none = mutate(
        &zhou,
        "raiseDispute",
        "RaiseDisputeInput",
        json!({"kind": "NEIGHBOURS", "claim": "漏水"}),
    );
    assert_eq!(none.code(), "VALIDATION");
    let myself = mutate(
        &zhou,
        "raiseDispute",
        "RaiseDisputeInput",
        json!({"kind": "NEIGHBOURS", "claim": "漏水", "respondents": [zhou.me()]}),
    );
    assert_eq!(myself.code(), "VALIDATION", "{:?}", myself.message());
    assert_eq!(zhou.log_size(), size);

    // 周阿姨 asks for mediation against the neighbour upstairs.
    let raised = ok(
        mutate(
            &zhou,
            "raiseDispute",
            "RaiseDisputeInput",
            json!({"kind": "NEIGHBOURS", "respondents": [neighbour_id],
                   "claim": "楼上漏水，请求赔偿吊顶维修费 800 元", "idempotencyKey": "leak-1"}),
        ),
        "raiseDispute",
    );
    let id = raised["dispute"]["id"].as_str().unwrap().to_owned();
    assert_eq!(raised["dispute"]["status"], "AWAITING_CONSENT");
    // A retry with the same key is the same case.
    let again = ok(
        mutate(
            &zhou,
            "raiseDispute",
            "RaiseDisputeInput",
            json!({"kind": "NEIGHBOURS", "respondents": [neighbour_id],
                   "claim": "楼上漏水，请求赔偿吊顶维修费 800 元", "idempotencyKey": "leak-1"}),
        ),
        "raiseDispute",
    );
    assert_eq!(again["dispute"]["id"], id.as_str());
    assert_eq!(again["indexes"], raised["indexes"]);

    let seen = case(&zhou, &id);
    assert_eq!(seen["access"], "CONTENT");
    assert_eq!(seen["committee"]["name"], "银网社区人民调解委员会");
    assert_eq!(
        seen["claims"][0]["text"],
        "楼上漏水，请求赔偿吊顶维修费 800 元"
    );
    // The grid worker sees that it exists, not what was said; a stranger nothing.
    let by_zhang = case(&zhang, &id);
    assert_eq!(by_zhang["access"], "EXISTS");
    assert_eq!(by_zhang["claims"], json!([]));
    assert_eq!(by_zhang["respondents"], json!([]));
    assert_eq!(case(&stranger, &id), Value::Null);
    assert_eq!(case(&auditor, &id)["access"], "EXISTS");
    // The respondent is asked; the applicant is not.
    assert_eq!(case(&neighbour, &id)["viewerCan"]["answer"], true);
    assert_eq!(seen["viewerCan"]["answer"], false);
    // ... and hears of it: a notice that links to the case and asks them to answer;
    // whoever acted, and those with no part in it, hear nothing.
    assert_eq!(
        notices(&neighbour, &id),
        (vec!["dispute.raised".to_owned()], true)
    );
    assert_eq!(notices(&zhou, &id).0, Vec::<String>::new());
    assert_eq!(notices(&zhang, &id).0, Vec::<String>::new());
    assert_eq!(notices(&liu, &id).0, Vec::<String>::new());

    // The neighbour consents; the officer assigns 王律师; the neighbour objects once.
    ok(
        mutate(
            &neighbour,
            "answerDispute",
            "AnswerDisputeInput",
            json!({"dispute": id, "consent": true, "claim": "管道老化，物业也有责任"}),
        ),
        "answerDispute",
    );
    // The applicant hears the answer; the committee's officer, that a case waits
    // for a mediator.
    assert_eq!(
        notices(&zhou, &id).0,
        ["dispute.mediation_started", "dispute.answered"]
    );
    assert_eq!(notices(&liu, &id).0, ["dispute.mediation_started"]);
    assert!(!notices(&neighbour, &id).1);
    let not_officer = mutate(
        &wang,
        "assignMediator",
        "DisputeMemberInput",
        json!({"dispute": id, "member": wang_id}),
    );
    assert_eq!(not_officer.code(), "FORBIDDEN");
    ok(
        mutate(
            &liu,
            "assignMediator",
            "DisputeMemberInput",
            json!({"dispute": id, "member": wang_id}),
        ),
        "assignMediator",
    );
    ok(
        mutate(
            &neighbour,
            "objectToMediator",
            "ObjectToMediatorInput",
            json!({"dispute": id, "reason": "王律师代理过申请人的案子"}),
        ),
        "objectToMediator",
    );
    let twice = mutate(
        &liu,
        "assignMediator",
        "DisputeMemberInput",
        json!({"dispute": id, "member": wang_id}),
    );
    assert_eq!(twice.code(), "VALIDATION");
    ok(
        mutate(
            &liu,
            "assignMediator",
            "DisputeMemberInput",
            json!({"dispute": id, "member": liu_id}),
        ),
        "assignMediator",
    );
    let second_objection = mutate(
        &neighbour,
        "objectToMediator",
        "ObjectToMediatorInput",
        json!({"dispute": id, "reason": "再换一个"}),
    );
    assert_eq!(second_objection.code(), "CONFLICT");

    // A session tomorrow, recorded when it is held.
    let now = seen["raisedAt"].as_str().unwrap().to_owned();
    let tomorrow = shift(&now, 24);
    ok(
        mutate(
            &liu,
            "scheduleMediationSession",
            "ScheduleSessionInput",
            json!({"dispute": id, "at": tomorrow, "venue": "银网社区调解室"}),
        ),
        "scheduleMediationSession",
    );
    // Both parties are told of the session.
    for party in [&zhou, &neighbour] {
        assert_eq!(
            notices(party, &id).0.first().map(String::as_str),
            Some("dispute.session_scheduled")
        );
    }
    let early = mutate(
        &liu,
        "recordMediationSession",
        "RecordSessionInput",
        json!({"dispute": id, "session": 1, "attendance": [liu_id], "record": "x"}),
    );
    assert_eq!(early.code(), "CONFLICT");
    advance(base, 24);
    record_and_draft(
        &liu,
        &id,
        json!([zhou.me(), neighbour_id, liu_id]),
        "双方到场，同意修防水并赔偿 600 元",
        "一、十日内修好防水层；二、赔偿 600 元。",
    );
    let drafted = case(&zhou, &id);
    let hash = drafted["agreement"]["textHash"]
        .as_str()
        .unwrap()
        .to_owned();
    // The canonical text is what the hash is of; the reader's copy names people.
    assert_eq!(sha256_hex(drafted["canonical"].as_str().unwrap()), hash);
    let text = drafted["agreementText"].as_str().unwrap();
    assert!(
        text.contains("周阿姨") && text.contains("赔偿 600 元"),
        "{text}"
    );
    assert!(
        drafted["english"]
            .as_str()
            .unwrap()
            .contains("People's mediation agreement")
    );
    assert_eq!(drafted["viewerCan"]["confirmAgreement"], true);
    assert_eq!(
        notices(&neighbour, &id).0.first().map(String::as_str),
        Some("dispute.agreement_drafted")
    );

    // A redraft after 周阿姨 read it: her confirmation of the old text is refused.
    ok(
        mutate(
            &liu,
            "draftAgreement",
            "DraftAgreementInput",
            json!({"dispute": id, "terms": "一、十日内修好防水层；二、赔偿 650 元。"}),
        ),
        "draftAgreement",
    );
    let stale = mutate(
        &zhou,
        "confirmAgreement",
        "ConfirmAgreementInput",
        json!({"dispute": id, "textHash": hash}),
    );
    assert_eq!(stale.code(), "CONFLICT");
    assert!(stale.message().contains("changed"), "{}", stale.message());
    let hash = case(&zhou, &id)["agreement"]["textHash"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = ok(
        mutate(
            &zhou,
            "confirmAgreement",
            "ConfirmAgreementInput",
            json!({"dispute": id, "textHash": hash}),
        ),
        "confirmAgreement",
    );
    assert!(mine["receipt"]["index"].is_u64());
    let signed = ok(
        mutate(
            &neighbour,
            "confirmAgreement",
            "ConfirmAgreementInput",
            json!({"dispute": id, "textHash": hash}),
        ),
        "confirmAgreement",
    );
    assert_eq!(signed["dispute"]["status"], "AGREED");

    // Judicial confirmation: a date after the 30 days is refused, one within is
    // recorded (the application is entered after it was filed).
    advance(base, 24 * 33);
    // A month later: sessions last a week, so everyone signs in again.
    let zhou = Client::sign_in(base, ZHOU, PASSWORD);
    let liu = Client::sign_in(base, LIU, PASSWORD);
    let zhang = Client::sign_in(base, ZHANG, PASSWORD);
    let late = mutate(
        &zhou,
        "applyForJudicialConfirmation",
        "ApplyForConfirmationInput",
        json!({"dispute": id, "court": "银州区人民法院", "appliedOn": shift(&now, 24 * 33)}),
    );
    assert_eq!(late.code(), "VALIDATION");
    assert!(late.message().contains("30 days"), "{}", late.message());
    ok(
        mutate(
            &zhou,
            "applyForJudicialConfirmation",
            "ApplyForConfirmationInput",
            json!({"dispute": id, "court": "银州区人民法院", "appliedOn": shift(&now, 48)}),
        ),
        "applyForJudicialConfirmation",
    );
    ok(
        mutate(
            &liu,
            "recordJudicialRuling",
            "RecordRulingInput",
            json!({"dispute": id, "confirmed": true}),
        ),
        "recordJudicialRuling",
    );
    ok(
        mutate(
            &zhang,
            "recordFollowUp",
            "FollowUpInput",
            json!({"dispute": id, "performance": "PERFORMED", "note": "已修好，已付清"}),
        ),
        "recordFollowUp",
    );
    let done = case(&zhou, &id);
    assert_eq!(done["judicialConfirmation"]["confirmed"], true);
    assert_eq!(done["followUps"], json!(["PERFORMED"]));
    assert_eq!(done["followUpNotes"], json!(["已修好，已付清"]));
    assert_eq!(done["agreement"]["signed"], true);
    assert_eq!(
        done["sessions"][0]["record"],
        "双方到场，同意修防水并赔偿 600 元"
    );
    // Each party keeps two receipts: their confirmation and the frozen agreement.
    std::thread::sleep(std::time::Duration::from_millis(400));
    let receipts = case(&zhou, &id)["receipts"].clone();
    assert_eq!(receipts.as_array().unwrap().len(), 2, "{receipts:#}");
    assert!(
        receipts[1]["text"]
            .as_str()
            .unwrap()
            .starts_with("c2sp.org/tlog-proof@v1"),
        "{receipts:#}"
    );

    // A declined case: closed with advice, and no session can be scheduled.
    let declined = ok(
        mutate(
            &zhou,
            "raiseDispute",
            "RaiseDisputeInput",
            json!({"kind": "NEIGHBOURS", "respondents": [Client::sign_in(base, OTHER_NEIGHBOUR, PASSWORD).me()],
                   "claim": "车停在单元门口"}),
        ),
        "raiseDispute",
    )["dispute"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = Client::sign_in(base, OTHER_NEIGHBOUR, PASSWORD);
    ok(
        mutate(
            &other,
            "answerDispute",
            "AnswerDisputeInput",
            json!({"dispute": declined, "consent": false}),
        ),
        "answerDispute",
    );
    let closed = case(&zhou, &declined);
    assert_eq!(closed["status"], "CLOSED");
    assert_eq!(closed["outcome"], "DECLINED");
    assert_eq!(closed["advice"], "LITIGATION");
    // Nothing is appended to the case (the log as a whole may grow meanwhile: the
    // scheduler is catching up with the month that went by).
    let events = |c: &Value| c["history"].as_array().map_or(0, Vec::len);
    let before = events(&case(&zhou, &declined));
    let session = mutate(
        &liu,
        "scheduleMediationSession",
        "ScheduleSessionInput",
        json!({"dispute": declined, "at": shift(&now, 24 * 10), "venue": "调解室"}),
    );
    assert_eq!(session.code(), "CONFLICT");
    assert_eq!(events(&case(&zhou, &declined)), before);

    // The public figures, and the auditor's recount from the exported log. The
    // scheduler sweeps once a second: the demo's noise case, past its clock since
    // the month went by, reaches the street committee within a few sweeps.
    let figures = || {
        Client::anonymous(base)
            .query(
                "{ mediationStats { all { cases agreed consented consentSettled } committees { committee { name } figures { cases agreed agreementRate } } } }",
                json!({}),
            )
            .data()["mediationStats"]
            .clone()
    };
    let escalated = |stats: &Value| {
        stats["committees"].as_array().unwrap().iter().any(|c| {
            c["committee"]["name"] == "红旗街道人民调解委员会" && c["figures"]["cases"] == 1
        })
    };
    let mut stats = figures();
    for _ in 0..100 {
        if escalated(&stats) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        stats = figures();
    }
    let yinwang = stats["committees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["committee"]["name"] == "银网社区人民调解委员会")
        .unwrap()
        .clone();
    // The demo's three cases and these two; the demo's noise case passed its 30
    // days while the clock moved on, so the scheduler sent it to the street.
    assert_eq!(stats["all"]["cases"], 5, "{stats:#}");
    assert_eq!(yinwang["figures"]["cases"], 4, "{stats:#}");
    assert_eq!(yinwang["figures"]["agreed"], 2, "{stats:#}");
    let street = stats["committees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["committee"]["name"] == "红旗街道人民调解委员会")
        .unwrap()
        .clone();
    assert_eq!(street["figures"]["cases"], 1, "{stats:#}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(server);
    let bundle = tempfile::tempdir().unwrap();
    let out = bundle.path().join("b");
    support::audit_export(dir.path(), &out);
    let verified = support::roundtable(&["audit", "verify", out.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{text}");
    assert!(text.contains("mediation-cases=5"), "{text}");
    let committee_line = text
        .lines()
        .find(|l| l.starts_with("mediation committee=") && l.contains("cases=4"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(committee_line.contains("agreed=2/2"), "{committee_line}");
    assert!(committee_line.contains("consent=2/4"), "{committee_line}");
    assert!(committee_line.contains("performed=2/2"), "{committee_line}");

    // An operator who moves a clock and re-signs is caught by the recount.
    let entries = std::fs::read_to_string(out.join("entries.jsonl")).unwrap();
    assert!(entries.contains("\"type\":\"dispute.mediation_started\""));
    assert!(!entries.contains("800 元"), "a claim reached the log");
}

/// `at` plus `hours`, as RFC 3339 UTC with milliseconds.
fn shift(at: &str, hours: i64) -> String {
    let t: roundtable_ledger::Timestamp = at.parse().unwrap();
    roundtable_ledger::Timestamp::from_unix_millis(t.unix_millis() + hours * 3_600_000).to_string()
}

/// The grid worker's path: an issue turned into a case for its raiser, the other
/// side recorded without an account, their answer taken by phone and their
/// confirmation signed on paper — each offered only to whoever may do it.
#[test]
fn a_grid_worker_turns_an_issue_into_a_case_and_staff_record_what_the_other_side_says_offline() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo", "--test-clock"]);
    let base = &server.base;
    let zhou = Client::sign_in(base, ZHOU, PASSWORD);
    let zhang = Client::sign_in(base, ZHANG, PASSWORD);
    let liu = Client::sign_in(base, LIU, PASSWORD);
    let stranger = Client::sign_in(base, WU, PASSWORD);
    let zhou_id = zhou.me();
    let grid = zhou
        .query("{ me { member { homeGrid { id } } } }", json!({}))
        .data()["me"]["member"]["homeGrid"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let issue = zhou
        .query(
            "mutation { raiseIssue(input: {title: \"楼上空调滴水\", description: \"楼上空调外机一直滴水到我家窗台\", category: NEIGHBOUR_DISPUTE}) { issue { id } } }",
            json!({}),
        )
        .data()["raiseIssue"]["issue"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let offered = |client: &Client| {
        client.query(
            "query($id: String!) { issue(id: $id) { viewerCan { sendToMediation } dispute { id } } }",
            json!({ "id": issue }),
        )
        .data()["issue"]
        .clone()
    };
    // The raiser and the grid worker of the place are offered it; others are not.
    assert_eq!(offered(&zhou)["viewerCan"]["sendToMediation"], true);
    assert_eq!(offered(&zhang)["viewerCan"]["sendToMediation"], true);
    assert_eq!(offered(&stranger)["viewerCan"]["sendToMediation"], false);
    assert_eq!(
        offered(&Client::anonymous(base))["viewerCan"]["sendToMediation"],
        false
    );

    // 张丽 takes it down for 周阿姨 on a visit, naming the neighbour by phone.
    let raised = ok(
        mutate(
            &zhang,
            "raiseDispute",
            "RaiseDisputeInput",
            json!({"kind": "NEIGHBOURS", "onBehalfOf": zhou_id, "channel": "VISIT", "fromIssue": issue,
                   "outsideRespondents": [{"displayName": "楼上李师傅", "phone": "13700000009", "homeGrid": grid}],
                   "claim": "请楼上把空调外机的排水管接好"}),
        ),
        "raiseDispute",
    );
    let id = raised["dispute"]["id"].as_str().unwrap().to_owned();
    // The two name each other; the issue is no longer offered for mediation.
    let linked = offered(&zhou);
    assert_eq!(linked["dispute"]["id"], id.as_str());
    assert_eq!(linked["viewerCan"]["sendToMediation"], false);
    // 周阿姨 hears that a case was raised for her; she is not asked to answer.
    assert_eq!(
        notices(&zhou, &id),
        (vec!["dispute.raised".to_owned()], false)
    );

    // Who may record the outside party's answer: the committee's officer, who reads
    // the case; not the grid worker, who sees only that it exists.
    let record_for = |client: &Client| {
        client
            .query(
                "query($id: String!) { dispute(id: $id) { viewerCan { recordAnswerFor { displayName } recordConfirmationFor { id displayName } } } }",
                json!({ "id": id }),
            )
            .data()["dispute"]["viewerCan"]
            .clone()
    };
    assert_eq!(
        record_for(&liu)["recordAnswerFor"],
        json!([{"displayName": "楼上李师傅"}])
    );
    assert_eq!(record_for(&zhang)["recordAnswerFor"], json!([]));
    assert_eq!(record_for(&zhou)["recordAnswerFor"], json!([]));
    let party = case(&liu, &id)["respondents"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Online is for oneself: recording it for another is refused, nothing written.
    let size = liu.log_size();
    let online = mutate(
        &liu,
        "answerDispute",
        "AnswerDisputeInput",
        json!({"dispute": id, "consent": true, "party": party, "channel": "ONLINE"}),
    );
    assert_eq!(online.code(), "VALIDATION");
    assert_eq!(liu.log_size(), size);
    ok(
        mutate(
            &liu,
            "answerDispute",
            "AnswerDisputeInput",
            json!({"dispute": id, "consent": true, "party": party, "channel": "PHONE"}),
        ),
        "answerDispute",
    );
    assert_eq!(case(&zhou, &id)["status"], "IN_MEDIATION");
    assert_eq!(record_for(&liu)["recordAnswerFor"], json!([]));

    // 刘主任 mediates and drafts; the neighbour signs on paper, which only the
    // mediator records; 周阿姨 confirms on her phone.
    ok(
        mutate(
            &liu,
            "assignMediator",
            "DisputeMemberInput",
            json!({"dispute": id, "member": liu.me()}),
        ),
        "assignMediator",
    );
    assert_eq!(record_for(&liu)["recordConfirmationFor"], json!([]));
    let at = shift(case(&liu, &id)["raisedAt"].as_str().unwrap(), 2);
    ok(
        mutate(
            &liu,
            "scheduleMediationSession",
            "ScheduleSessionInput",
            json!({"dispute": id, "at": at, "venue": "银网社区调解室"}),
        ),
        "scheduleMediationSession",
    );
    advance(base, 3);
    record_and_draft(
        &liu,
        &id,
        json!([zhou_id, party, liu.me()]),
        "双方到场，楼上同意接好排水管",
        "楼上三日内接好空调排水管。",
    );
    let paper = record_for(&liu)["recordConfirmationFor"].clone();
    let names: Vec<&str> = paper
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{paper:#}");
    assert_eq!(record_for(&zhang)["recordConfirmationFor"], json!([]));
    let hash = case(&zhou, &id)["agreement"]["textHash"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        mutate(
            &liu,
            "confirmAgreement",
            "ConfirmAgreementInput",
            json!({"dispute": id, "textHash": hash, "party": party, "channel": "PAPER"}),
        ),
        "confirmAgreement",
    );
    ok(
        mutate(
            &zhou,
            "confirmAgreement",
            "ConfirmAgreementInput",
            json!({"dispute": id, "textHash": hash}),
        ),
        "confirmAgreement",
    );
    assert_eq!(case(&zhou, &id)["agreement"]["signed"], true);
    drop(server);
}
