//! The web app (`web/dist`, built by `npm run build`) served at `/`. Release builds
//! embed it in the binary; debug builds read it from disk, so a rebuilt app shows
//! without recompiling. Any path that is not a file gets `index.html`: the app
//! routes in the browser. Text assets are stored compressed beside themselves
//! (`x.js.br`, `x.js.gz`, made by the Vite build), and a browser gets the smallest
//! one it accepts (`Accept-Encoding`), so nothing is compressed per request.

use poem::http::{Method, StatusCode, header};
use poem::{Endpoint, Request, Response, Result};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Dist;

/// Strict by default: the app loads only its own scripts and talks only to us.
/// Vant sets inline styles, hence `'unsafe-inline'` for styles only.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

pub struct WebApp;

impl WebApp {
    /// Whether the app was built (and, in release builds, embedded).
    pub fn present() -> bool {
        Dist::get("index.html").is_some()
    }
}

/// The codings we keep precompressed, best first: the file suffix and the
/// `Content-Encoding` name.
const CODINGS: [(&str, &str); 2] = [(".br", "br"), (".gz", "gzip")];

/// Whether an `Accept-Encoding` header accepts `coding` (named, or `*`, and not
/// with `q=0`).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (name.eq_ignore_ascii_case(coding) || name == "*") && !refused
    })
}

fn file(path: &str, accept_encoding: &str) -> Option<Response> {
    let original = Dist::get(path)?;
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // Vite names assets by content hash: cache them for good; index.html never.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let compressed = CODINGS.iter().find_map(|(suffix, coding)| {
        let asset = accepts(accept_encoding, coding)
            .then(|| Dist::get(&format!("{path}{suffix}")))
            .flatten()?;
        Some((asset, *coding))
    });
    // Every answer may differ by the browser's codings, so caches must key on them
    // (saying so always costs less than looking up the other variants to decide).
    let response = Response::builder()
        .content_type(mime.as_ref())
        .header(header::CACHE_CONTROL, cache)
        .header(header::VARY, "Accept-Encoding")
        .header("X-Content-Type-Options", "nosniff")
        .header("Content-Security-Policy", CSP)
        .header("Referrer-Policy", "same-origin");
    Some(match compressed {
        Some((asset, coding)) => response
            .header(header::CONTENT_ENCODING, coding)
            .body(asset.data.into_owned()),
        None => response.body(original.data.into_owned()),
    })
}

impl Endpoint for WebApp {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        // Only pages are here; a POST to a path no route has is simply not found.
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Ok(StatusCode::NOT_FOUND.into());
        }
        let path = req.uri().path().trim_start_matches('/');
        let accept_encoding = req
            .headers()
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if let Some(found) = file(path, accept_encoding) {
            return Ok(found);
        }
        // A missing hashed asset is a real 404 (a stale page after an upgrade),
        // not the app: answering HTML for a script would only confuse the browser.
        if path.starts_with("assets/") {
            return Ok(StatusCode::NOT_FOUND.into());
        }
        Ok(file("index.html", accept_encoding).unwrap_or_else(|| {
            Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .content_type("text/plain; charset=utf-8")
                .body("The web app is not built: run `make web` (or `make run`), then restart.\n")
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn accept_encoding_is_read_as_browsers_and_proxies_write_it() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip, deflate, br", "gzip"));
        assert!(accepts("BR;q=0.5", "br"));
        assert!(accepts("*", "gzip"));
        assert!(!accepts("", "br"));
        assert!(!accepts("gzip", "br"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(!accepts("br; q=0.0", "br"));
        assert!(!accepts("brotli", "br"));
    }
}
