//! Attachments as data: the files of an upload (each `files[n]` part of a multipart body),
//! the attachments a message keeps, and which ones a message body asks for. No HTTP here:
//! `rest::multipart` reads the uploads, `cdn` serves the bytes back.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use crate::snowflake::{as_id, id_str};

/// Discord's upload limit per file for bots without a boosted server.
pub const FILE_LIMIT: usize = 10 * 1024 * 1024;

/// One `files[n]` part of a request.
#[derive(Clone, Debug, Serialize)]
pub struct Upload {
    /// The `n` of `files[n]`: what the body's `attachments[].id` refers to.
    pub index: u64,
    pub filename: String,
    pub content_type: Option<String>,
    pub size: usize,
    #[serde(skip)]
    pub data: Arc<[u8]>,
}

/// A file attached to a message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimAttachment {
    pub id: u64,
    pub filename: String,
    pub description: Option<String>,
    pub content_type: Option<String>,
    /// Where the simulator serves the bytes (absolute, as Discord's CDN links are).
    pub url: String,
    /// Width and height, for a PNG.
    pub dimensions: Option<(u32, u32)>,
    #[serde(skip)]
    pub data: Arc<[u8]>,
}

impl SimAttachment {
    pub fn json(&self) -> Value {
        let mut v = json!({
            "id": id_str(self.id),
            "filename": self.filename,
            "size": self.data.len(),
            "url": self.url,
            "proxy_url": self.url,
        });
        if let Some(o) = v.as_object_mut() {
            if let Some(d) = &self.description {
                o.insert("description".into(), json!(d));
            }
            if let Some(t) = &self.content_type {
                o.insert("content_type".into(), json!(t));
            }
            if let Some((w, h)) = self.dimensions {
                o.insert("width".into(), json!(w));
                o.insert("height".into(), json!(h));
            }
        }
        v
    }
}

/// Why a body's `attachments` list was refused: Discord's form error for one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path, e.g. `attachments.0.id`.
    pub field: String,
    pub code: &'static str,
    pub message: &'static str,
}

impl FieldError {
    fn new(field: String, code: &'static str, message: &'static str) -> FieldError {
        FieldError {
            field,
            code,
            message,
        }
    }
}

/// The attachments a message body asks for, or `None` to leave them as they are. As on
/// Discord: with an `attachments` list, the message keeps exactly the listed ones (existing
/// attachments by their id, uploads by their `files[n]` index, with the list's filename and
/// description); without one, uploads are added to what the message has.
pub fn requested(
    body: Option<&Value>,
    files: &[Upload],
    existing: &[SimAttachment],
    mut new_id: impl FnMut() -> u64,
    url: impl Fn(u64, &str) -> String,
) -> Result<Option<Vec<SimAttachment>>, FieldError> {
    let listed = body
        .and_then(|b| b.get("attachments"))
        .and_then(Value::as_array);
    let upload = |f: &Upload, filename: Option<&str>, description: Option<&str>, id: u64| {
        let filename = filename.unwrap_or(&f.filename).to_string();
        SimAttachment {
            id,
            url: url(id, &filename),
            dimensions: png_size(&f.data),
            filename,
            description: description.map(str::to_string),
            content_type: f.content_type.clone(),
            data: f.data.clone(),
        }
    };
    let Some(listed) = listed else {
        if files.is_empty() {
            return Ok(None);
        }
        let mut out = existing.to_vec();
        for f in files {
            out.push(upload(f, None, None, new_id()));
        }
        return Ok(Some(out));
    };
    let mut out = Vec::new();
    for (i, a) in listed.iter().enumerate() {
        let Some(id) = a.get("id").and_then(as_id) else {
            return Err(FieldError::new(
                format!("attachments.{i}.id"),
                "BASE_TYPE_REQUIRED",
                "This field is required",
            ));
        };
        let filename = a.get("filename").and_then(Value::as_str);
        let description = a.get("description").and_then(Value::as_str);
        if let Some(f) = files.iter().find(|f| f.index == id) {
            out.push(upload(f, filename, description, new_id()));
        } else if let Some(kept) = existing.iter().find(|e| e.id == id) {
            out.push(kept.clone());
        } else {
            return Err(FieldError::new(
                format!("attachments.{i}.id"),
                "ATTACHMENT_NOT_FOUND",
                "Unknown attachment or file upload.",
            ));
        }
    }
    Ok(Some(out))
}

/// A PNG's width and height, from its header.
fn png_size(data: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if data.len() < 24 || !data.starts_with(SIGNATURE) || &data[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(data[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(data[20..24].try_into().ok()?);
    Some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(index: u64, name: &str) -> Upload {
        Upload {
            index,
            filename: name.into(),
            content_type: Some("image/png".into()),
            size: 3,
            data: Arc::from(vec![1u8, 2, 3]),
        }
    }

    #[test]
    fn listed_attachments_name_uploads_and_kept_ones() {
        let mut next = 100;
        let url = |id: u64, name: &str| format!("http://x/attachments/1/{id}/{name}");
        let body =
            json!({"attachments": [{"id": 0, "filename": "chart.png", "description": "A chart"}]});
        let got = requested(
            Some(&body),
            &[upload(0, "a.png")],
            &[],
            || {
                next += 1;
                next
            },
            url,
        );
        let got = got.ok().flatten().expect("attachments");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].filename, "chart.png");
        assert_eq!(got[0].description.as_deref(), Some("A chart"));
        assert_eq!(got[0].url, "http://x/attachments/1/101/chart.png");
        // An id that is neither an upload nor an existing attachment is refused.
        let wrong = json!({"attachments": [{"id": 5}]});
        assert!(requested(Some(&wrong), &[upload(0, "a.png")], &[], || 1, url).is_err());
        // No list and no files: unchanged.
        let unchanged = requested(Some(&json!({})), &[], &[], || 1, url);
        assert!(matches!(unchanged, Ok(None)));
    }

    #[test]
    fn a_png_header_gives_its_size() {
        let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        data.extend_from_slice(&720u32.to_be_bytes());
        data.extend_from_slice(&360u32.to_be_bytes());
        assert_eq!(png_size(&data), Some((720, 360)));
        assert_eq!(png_size(b"GIF89a"), None);
    }
}
