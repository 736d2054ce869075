//! The CDN-like `GET /attachments/{channel}/{id}/{filename}`: the bytes of an attachment a
//! message keeps, at the URL its JSON gives.

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::Inner;

/// `GET /attachments/{channel}/{id}/{filename}`: an attachment's bytes.
pub async fn serve(
    AxState(inner): AxState<Arc<Inner>>,
    Path((channel, id, filename)): Path<(u64, u64, String)>,
) -> Response {
    let found = inner.lock().attachments.get(&id).cloned();
    match found {
        Some((c, a)) if c == channel && a.filename == filename => {
            let kind = a
                .content_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into());
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, kind)],
                a.data.to_vec(),
            )
                .into_response()
        }
        _ => (StatusCode::NOT_FOUND, "404: Not Found").into_response(),
    }
}
