//! Multipart request bodies: Discord's way to attach files (the JSON body in the
//! `payload_json` part, each file in a `files[n]` part), read into the body's text and its
//! [`Upload`]s.

use std::sync::Arc;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

use super::Reply;
use crate::attachment::{Upload, FILE_LIMIT};

/// Whether a request's body is `multipart/form-data`.
pub fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Splits a multipart body into its `payload_json` text and its `files[n]` parts.
pub async fn read_multipart(request: Request) -> Result<(String, Vec<Upload>), Reply> {
    let bad = |why: String| Reply::error(400, 50109, &format!("Invalid multipart body: {why}"));
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| bad(e.body_text()))?;
    let mut payload = String::new();
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| bad(e.body_text()))? {
        let name = field.name().unwrap_or("").to_string();
        if name == "payload_json" {
            payload = field.text().await.map_err(|e| bad(e.body_text()))?;
            continue;
        }
        let Some(index) = name
            .strip_prefix("files[")
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            // Discord also reads JSON fields sent as form fields; frontdesk never does that.
            continue;
        };
        let filename = field.file_name().unwrap_or("").to_string();
        let content_type = field.content_type().map(str::to_string);
        let data = field.bytes().await.map_err(|e| bad(e.body_text()))?;
        if data.len() > FILE_LIMIT {
            return Err(Reply::error(413, 40005, "Request entity too large"));
        }
        if filename.is_empty() {
            return Err(Reply::invalid_form(
                &format!("files[{index}]"),
                "BASE_TYPE_REQUIRED",
                "A file needs a filename.",
            ));
        }
        files.push(Upload {
            index,
            filename,
            content_type,
            size: data.len(),
            data: Arc::from(data.to_vec()),
        });
    }
    Ok((payload, files))
}
