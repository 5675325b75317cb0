//! The web app as `roundtable serve` delivers it: `/` and every app route answer
//! the app (with a strict Content-Security-Policy), a missing asset is a 404, and
//! the app's live view authenticates by its session cookie, but only when the
//! WebSocket is opened by a page of this server.

mod support;

use serde_json::json;
use support::accounts::PASSWORD;
use support::graphql::{Client, agent};
use support::ws::{connect_as_browser, next, send};

fn header<B>(r: &ureq::http::Response<B>, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn get(url: &str) -> (u16, String, Option<String>, Option<String>) {
    let mut r = agent().get(url).call().unwrap();
    let (csp, cache) = (
        header(&r, "content-security-policy"),
        header(&r, "cache-control"),
    );
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap(), csp, cache)
}

/// One asset as a browser that accepts `accept_encoding` gets it: the
/// `Content-Encoding`, `Vary` and the bytes on the wire.
fn fetch_encoded(url: &str, accept_encoding: &str) -> (Option<String>, Option<String>, Vec<u8>) {
    let mut r = agent()
        .get(url)
        .header("accept-encoding", accept_encoding)
        .call()
        .unwrap();
    let (encoding, vary) = (header(&r, "content-encoding"), header(&r, "vary"));
    (encoding, vary, r.body_mut().read_to_vec().unwrap())
}

/// The app's text assets go out as the build compressed them (brotli for a
/// browser that takes it), and as they are for one that takes nothing.
fn precompressed_as_the_browser_accepts(base: &str, asset: &str) {
    let dist = support::repo_root().join("web/dist");
    let on_disk =
        |suffix: &str| std::fs::read(dist.join(format!("{}{suffix}", &asset[1..]))).unwrap();
    let (encoding, vary, body) =
        fetch_encoded(&format!("{base}{asset}"), "gzip, deflate, br, zstd");
    assert_eq!(encoding.as_deref(), Some("br"));
    assert_eq!(vary.as_deref(), Some("Accept-Encoding"));
    assert_eq!(body, on_disk(".br"));
    assert!(
        body.len() * 3 < on_disk("").len(),
        "brotli saves most of a script"
    );
    let (encoding, _, body) = fetch_encoded(&format!("{base}{asset}"), "identity");
    assert_eq!(encoding, None);
    assert_eq!(body, on_disk(""));
    // A coding refused with q=0 is not sent (the page, for an app route, as is).
    let (encoding, _, body) = fetch_encoded(&format!("{base}/issues/i_x"), "br;q=0");
    assert_eq!(encoding, None);
    assert_eq!(body, std::fs::read(dist.join("index.html")).unwrap());
}

#[test]
fn the_app_is_served_at_every_app_route() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start(dir.path());
    let b = &server.base;
    let built = support::repo_root().join("web/dist/index.html").exists();
    let (status, body, csp, cache) = get(&format!("{b}/"));
    if built {
        assert_eq!(status, 200);
        assert!(body.contains("<div id=\"app\">"), "{body}");
        let csp = csp.expect("a Content-Security-Policy");
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(cache.as_deref(), Some("no-cache"));
        // The browser routes: a deep link gets the same page.
        for path in ["/issues/i_x", "/meetings/mt_x/console", "/verify"] {
            let (status, deep, ..) = get(&format!("{b}{path}"));
            assert_eq!((status, deep.as_str()), (200, body.as_str()), "{path}");
        }
        // The hashed assets it names are served and cached for good.
        let asset = body
            .split('"')
            .find(|s| s.starts_with("/assets/") && s.ends_with(".js"))
            .expect("a script");
        let (status, script, _, cache) = get(&format!("{b}{asset}"));
        assert_eq!(status, 200);
        assert!(!script.is_empty());
        assert_eq!(
            cache.as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        precompressed_as_the_browser_accepts(b, asset);
    } else {
        assert_eq!(status, 503);
        assert!(body.contains("make web"), "{body}");
    }
    assert_eq!(get(&format!("{b}/assets/missing-0000.js")).0, 404);
    // The API's own routes are not the app's.
    assert_eq!(get(&format!("{b}/healthz")).1.trim(), "ok");
    assert_eq!(get(&format!("{b}/log/entries/999999")).0, 404);
    let post = agent().post(format!("{b}/somewhere")).send("x").unwrap();
    assert_eq!(post.status().as_u16(), 404);
}

#[test]
fn the_live_view_knows_the_browser_by_its_cookie_only_from_our_own_pages() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let b = &server.base;
    let chair = Client::sign_in(b, "13900000006", PASSWORD);
    let meeting = chair.query(
        "{ meetings(filter: {phase: OPEN}) { nodes { id } } }",
        json!({}),
    );
    let id = meeting.data()["meetings"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cookie = format!("rt_session={}", chair.bearer.clone().unwrap());
    let host = b.trim_start_matches("http://");
    let code_seen = |cookie: &str, origin: &str| {
        let own = format!("http://{origin}");
        let mut socket = connect_as_browser(b, &[("cookie", cookie), ("origin", &own)], None);
        send(
            &mut socket,
            json!({"id": "1", "type": "subscribe", "payload": {
                "query": "subscription($id: String!) { meetingChanged(id: $id) { checkInCode } }",
                "variables": {"id": id}}}),
        );
        let first = next(&mut socket);
        assert_eq!(first["type"], "next", "{first}");
        first["payload"]["data"]["meetingChanged"]["checkInCode"].clone()
    };
    // From our own page: the chair, who sees the check-in code.
    assert!(
        code_seen(&cookie, host)
            .as_str()
            .is_some_and(|c| c.len() == 6)
    );
    // From another site riding the same cookie: an anonymous subscriber.
    assert!(code_seen(&cookie, "evil.example").is_null());
    // A cookie naming no live session: anonymous too, not an officer.
    assert!(code_seen("rt_session=forged", host).is_null());
}
