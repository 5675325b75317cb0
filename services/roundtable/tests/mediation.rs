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
    let early = mutate(
        &liu,
        "recordMediationSession",
        "RecordSessionInput",
        json!({"dispute": id, "session": 1, "attendance": [liu_id], "record": "x"}),
    );
    assert_eq!(early.code(), "CONFLICT");
    advance(base, 24);
    ok(
        mutate(
            &liu,
            "recordMediationSession",
            "RecordSessionInput",
            json!({"dispute": id, "session": 1, "attendance": [zhou.me(), neighbour_id, liu_id],
                   "record": "双方到场，同意修防水并赔偿 600 元"}),
        ),
        "recordMediationSession",
    );
    ok(
        mutate(
            &liu,
            "draftAgreement",
            "DraftAgreementInput",
            json!({"dispute": id, "terms": "一、十日内修好防水层；二、赔偿 600 元。"}),
        ),
        "draftAgreement",
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
    let size = zhou.log_size();
    let session = mutate(
        &liu,
        "scheduleMediationSession",
        "ScheduleSessionInput",
        json!({"dispute": declined, "at": shift(&now, 24 * 10), "venue": "调解室"}),
    );
    assert_eq!(session.code(), "CONFLICT");
    assert_eq!(zhou.log_size(), size);

    // The public figures, and the auditor's recount from the exported log.
    let stats = Client::anonymous(base)
        .query(
            "{ mediationStats { all { cases agreed consented consentSettled } committees { committee { name } figures { cases agreed agreementRate } } } }",
            json!({}),
        )
        .data()["mediationStats"]
        .clone();
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
