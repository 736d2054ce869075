//! `RecordedRequest`: what the simulator remembers about every REST request it answered.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

/// One REST request and the answer it got. Control (`/_sim/...`) requests are not recorded.
#[derive(Clone, Debug, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    /// The path as received, e.g. `/api/v10/channels/1/messages`.
    pub raw_path: String,
    /// The path without the `/api/v10` prefix, e.g. `/channels/1/messages`.
    pub path: String,
    pub query: BTreeMap<String, String>,
    /// The body as text (empty when there was none).
    pub body_text: String,
    /// The body parsed as JSON, when it was JSON.
    pub body: Option<Value>,
    pub status: u16,
    pub response: Option<Value>,
    /// The files of a `multipart/form-data` request (whose `body` is its `payload_json`).
    pub files: Vec<crate::attachment::Upload>,
    #[serde(skip)]
    pub received_at: Instant,
}

impl RecordedRequest {
    /// Convenience for predicates: `r.is("POST", "/channels/")`.
    pub fn is(&self, method: &str, path_contains: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && self.path.contains(path_contains)
    }
}
