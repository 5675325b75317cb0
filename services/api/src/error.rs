//! Where an application error becomes a GraphQL error with its stable code
//! (docs/ARCHITECTURE.md, "Errors"). This is the only place that happens; an
//! INTERNAL error is logged here (it is the server's fault), never the caller's.

use async_graphql::ErrorExtensions;
use roundtable_app::AppError;
use roundtable_domain::DomainError;

/// The GraphQL form of an application error: its message (a server fault's
/// details stay in the log) with `code`, `reason` and `params` (what the app
/// translates), and `field` or `retryAfter` when known.
pub fn extend(error: &AppError) -> async_graphql::Error {
    let message = match error {
        AppError::Internal(detail) => {
            tracing::error!(error = %detail, "internal error");
            "internal error".to_owned()
        }
        other => other.to_string(),
    };
    let (reason, params) = refusal(error);
    async_graphql::Error::new(message).extend_with(|_, ext| {
        ext.set("code", error.code());
        ext.set("reason", reason);
        ext.set("params", params);
        match error {
            AppError::Domain(DomainError::Validation { field, .. }) => ext.set("field", *field),
            AppError::RateLimited(wait) => ext.set("retryAfter", wait.as_secs().max(1)),
            _ => {}
        }
    })
}

/// The refusal's key and its values as a JSON object of strings, for both
/// transports (GraphQL extensions, the JSON of the plain routes).
pub fn refusal(error: &AppError) -> (&'static str, async_graphql::Value) {
    let (refusal, params) = error.refusal();
    let params = params
        .into_iter()
        .map(|(name, value)| {
            (
                async_graphql::Name::new(name),
                async_graphql::Value::String(value),
            )
        })
        .collect();
    (refusal.key(), async_graphql::Value::Object(params))
}

/// `?` for resolvers: converts through [`ErrorExtensions`] so the code survives.
pub trait OrGql<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T, E: Into<AppError>> OrGql<T> for Result<T, E> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| extend(&e.into()))
    }
}

/// Every resolver error carries a code ([`extend`]); one without is the
/// engine's: a syntax error, an unknown field, or an argument that does not fit
/// its type (`upTo: -1`), all the caller's doing. This extension gives those
/// `VALIDATION`, on both transports.
pub struct CodedErrors;

impl async_graphql::extensions::ExtensionFactory for CodedErrors {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(CodedErrors)
    }
}

fn with_codes(mut response: async_graphql::Response) -> async_graphql::Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !has_code {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", "VALIDATION");
        }
    }
    response
}

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for CodedErrors {
    async fn request(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextRequest<'_>,
    ) -> async_graphql::Response {
        with_codes(next.run(ctx).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        stream: futures_util::stream::BoxStream<'s, async_graphql::Response>,
        next: async_graphql::extensions::NextSubscribe<'_>,
    ) -> futures_util::stream::BoxStream<'s, async_graphql::Response> {
        use futures_util::StreamExt;
        next.run(ctx, stream).map(with_codes).boxed()
    }
}
