//! The web app (`web/dist`, built by `npm run build`) served at `/`. Release builds
//! embed it in the binary; debug builds read it from disk, so a rebuilt app shows
//! without recompiling. Any path that is not a file gets `index.html`: the app
//! routes in the browser.

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

fn file(path: &str) -> Option<Response> {
    let asset = Dist::get(path)?;
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // Vite names assets by content hash: cache them for good; index.html never.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Some(
        Response::builder()
            .content_type(mime.as_ref())
            .header(header::CACHE_CONTROL, cache)
            .header("X-Content-Type-Options", "nosniff")
            .header("Content-Security-Policy", CSP)
            .header("Referrer-Policy", "same-origin")
            .body(asset.data.into_owned()),
    )
}

impl Endpoint for WebApp {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        // Only pages are here; a POST to a path no route has is simply not found.
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Ok(StatusCode::NOT_FOUND.into());
        }
        let path = req.uri().path().trim_start_matches('/');
        if let Some(found) = file(path) {
            return Ok(found);
        }
        // A missing hashed asset is a real 404 (a stale page after an upgrade),
        // not the app: answering HTML for a script would only confuse the browser.
        if path.starts_with("assets/") {
            return Ok(StatusCode::NOT_FOUND.into());
        }
        Ok(file("index.html").unwrap_or_else(|| {
            Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .content_type("text/plain; charset=utf-8")
                .body("The web app is not built: run `make web` (or `make run`), then restart.\n")
        }))
    }
}
