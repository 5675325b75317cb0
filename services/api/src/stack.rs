//! What every connection and request goes through before a route sees it: a
//! deadline for a request's headers, a deadline for answering, and a code on
//! every error answer (docs/SECURITY.md).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use poem::http::{StatusCode, header};
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The limits of the stack.
#[derive(Clone, Copy, Debug)]
pub struct StackLimits {
    /// From accepting a connection to the end of its first request's headers.
    pub header_read: Duration,
    /// A connection with no traffic either way for this long is closed.
    pub idle: Duration,
    /// A request not answered within this is cancelled (`TIMEOUT`).
    pub request: Duration,
}

impl Default for StackLimits {
    fn default() -> StackLimits {
        StackLimits {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            request: Duration::from_secs(30),
        }
    }
}

/// The stable code of an HTTP error status.
pub fn status_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "BAD_REQUEST",
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
        StatusCode::FORBIDDEN => "FORBIDDEN",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
        StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
        StatusCode::TOO_MANY_REQUESTS => "RATE_LIMITED",
        StatusCode::SERVICE_UNAVAILABLE => "UNAVAILABLE",
        StatusCode::GATEWAY_TIMEOUT => "TIMEOUT",
        s if s.is_server_error() => "INTERNAL",
        _ => "BAD_REQUEST",
    }
}

/// Wraps every route: answers within `limits.request` or `TIMEOUT` (the
/// handler's future is dropped, which cancels it), and gives every error answer
/// that is not already JSON a JSON body `{"code", "message"}`.
pub fn guarded<E: Endpoint + 'static>(routes: E, limits: StackLimits) -> impl Endpoint {
    routes.around(move |ep, req: Request| async move {
        let response = match tokio::time::timeout(limits.request, ep.call(req)).await {
            Ok(Ok(response)) => response.into_response(),
            Ok(Err(e)) => e.into_response(),
            Err(_) => {
                return Ok(coded(
                    StatusCode::GATEWAY_TIMEOUT,
                    "TIMEOUT",
                    &format!(
                        "not answered within {} s; the request was cancelled",
                        limits.request.as_secs()
                    ),
                ));
            }
        };
        Ok::<Response, poem::Error>(with_code(response).await)
    })
}

fn coded(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "code": code,
        "message": message,
        "errors": [{"message": message, "extensions": {"code": code}}],
    });
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

async fn with_code(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.as_u16() < 400 || is_json {
        return response;
    }
    // Error bodies are short texts of our own (or poem's); at most 4 KiB is kept.
    let text = response
        .into_body()
        .into_bytes_limit(4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = match text.is_empty() {
        true => status.canonical_reason().unwrap_or("error").to_owned(),
        false => text,
    };
    coded(status, status_code(status), &message)
}

/// An acceptor whose connections must finish their first request's headers
/// within `limit` of being accepted (a client trickling a header a byte at a
/// time holds a connection for ever otherwise).
pub struct HeaderDeadline<A> {
    pub inner: A,
    pub limit: Duration,
}

impl<A: Acceptor> Acceptor for HeaderDeadline<A> {
    type Io = Deadlined<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(
        &mut self,
    ) -> std::io::Result<(Self::Io, LocalAddr, RemoteAddr, poem::http::uri::Scheme)> {
        let (io, local, remote, scheme) = self.inner.accept().await?;
        let io = Deadlined {
            inner: io,
            deadline: Some(Box::pin(tokio::time::sleep(self.limit))),
            tail: [0; 3],
        };
        Ok((io, local, remote, scheme))
    }
}

/// A connection that fails reads once its deadline passes, until the end of the
/// first header block (`\r\n\r\n`) has been read.
pub struct Deadlined<T> {
    inner: T,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The last three bytes read, to find `\r\n\r\n` across reads.
    tail: [u8; 3],
}

impl<T> Deadlined<T> {
    fn saw(&mut self, bytes: &[u8]) {
        let mut window: Vec<u8> = self.tail.to_vec();
        window.extend_from_slice(bytes);
        if window.windows(4).any(|w| w == b"\r\n\r\n") {
            self.deadline = None;
        }
        let n = window.len();
        self.tail.copy_from_slice(&window[n - 3..]);
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Deadlined<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if let Some(deadline) = self.deadline.as_mut()
            && deadline.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "request headers not received in time",
            )));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if self.deadline.is_some() && matches!(polled, Poll::Ready(Ok(()))) {
            let new = buf.filled()[before..].to_vec();
            self.saw(&new);
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Deadlined<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use poem::{Endpoint, Request, handler};

    use super::*;

    #[handler]
    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    }

    #[handler]
    fn refused() -> poem::Result<&'static str> {
        Err(poem::Error::from_string(
            "no such leaf",
            StatusCode::NOT_FOUND,
        ))
    }

    async fn answer(ep: impl Endpoint + 'static) -> (StatusCode, serde_json::Value) {
        let limits = StackLimits {
            request: Duration::from_millis(50),
            ..StackLimits::default()
        };
        let response = guarded(ep, limits)
            .call(Request::default())
            .await
            .map_or_else(|e| e.into_response(), |r| r.into_response());
        let status = response.status();
        let body = response.into_body().into_string().await.unwrap();
        (status, serde_json::from_str(&body).unwrap())
    }

    #[tokio::test]
    async fn a_request_not_answered_in_time_is_cancelled_with_a_code() {
        let (status, body) = answer(slow).await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(body["code"], "TIMEOUT");
        assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT");
    }

    #[tokio::test]
    async fn a_plain_error_answer_gets_a_code_and_keeps_its_words() {
        let (status, body) = answer(refused).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["code"], "NOT_FOUND");
        assert_eq!(body["message"], "no such leaf");
    }
}
