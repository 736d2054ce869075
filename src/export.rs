//! `frontdesk export`: every conversation as JSON lines (with its messages) or CSV (one row
//! each), for the owner's own records.

use std::io::Write;

use serde::Serialize;

use crate::core::Conversation;
use crate::store::{MessageRecord, Store, StoreError};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Jsonl,
    Csv,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}\n  fix: check the --out path and free disk space")]
    Output(#[from] std::io::Error),
}

#[derive(Serialize)]
struct Line<'a> {
    id: String,
    customer: String,
    customer_name: &'a str,
    place: &'a crate::model::Place,
    link: String,
    state: &'static str,
    topic: &'a str,
    opened_at: String,
    first_reply_at: Option<String>,
    first_reply_minutes: Option<i64>,
    resolved_at: Option<String>,
    customer_messages: u32,
    times_reopened: u32,
    /// The customer's "How did we do?" answer, 1–5.
    rating: Option<u8>,
    rating_asked_at: Option<String>,
    rated_at: Option<String>,
    /// Handled while the customer was blocked.
    blocked: bool,
    messages: &'a [MessageRecord],
}

/// Writes every conversation; returns how many.
pub fn export(store: &Store, format: Format, out: &mut dyn Write) -> Result<usize, ExportError> {
    if format == Format::Csv {
        writeln!(
            out,
            "id,customer,customer_name,place,link,state,topic,opened_at,first_reply_at,first_reply_minutes,resolved_at,customer_messages,times_reopened,rating,rating_asked_at,rated_at,blocked"
        )?;
    }
    let mut count = 0;
    for conv in store.conversations() {
        let conv = match conv {
            Ok(c) => c,
            Err(e) => {
                // One unreadable record must not cost the owner the rest of the export.
                tracing::error!(error = %e, "skipping an unreadable conversation");
                continue;
            }
        };
        match format {
            Format::Jsonl => {
                let messages = store.messages(&conv)?;
                let line = line(&conv, &messages);
                serde_json::to_writer(&mut *out, &line).map_err(std::io::Error::from)?;
                writeln!(out)?;
            }
            Format::Csv => {
                let l = line(&conv, &[]);
                let place = match conv.place {
                    crate::model::Place::Channel { .. } => "channel",
                    crate::model::Place::Forum { .. } => "forum",
                    crate::model::Place::Dm { .. } => "dm",
                };
                let fields = [
                    l.id,
                    l.customer,
                    l.customer_name.to_string(),
                    place.to_string(),
                    l.link,
                    l.state.to_string(),
                    l.topic.to_string(),
                    l.opened_at,
                    l.first_reply_at.unwrap_or_default(),
                    l.first_reply_minutes
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    l.resolved_at.unwrap_or_default(),
                    l.customer_messages.to_string(),
                    l.times_reopened.to_string(),
                    l.rating.map(|r| r.to_string()).unwrap_or_default(),
                    l.rating_asked_at.unwrap_or_default(),
                    l.rated_at.unwrap_or_default(),
                    l.blocked.to_string(),
                ];
                let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                writeln!(out, "{}", row.join(","))?;
            }
        }
        count += 1;
    }
    out.flush()?;
    Ok(count)
}

fn line<'a>(conv: &'a Conversation, messages: &'a [MessageRecord]) -> Line<'a> {
    Line {
        id: conv.id.to_string(),
        customer: conv.customer.to_string(),
        customer_name: &conv.customer_name,
        place: &conv.place,
        link: conv.place.jump_link(conv.id),
        state: conv.state.as_str(),
        topic: &conv.topic,
        opened_at: conv.opened_at.to_string(),
        first_reply_at: conv.first_reply_at.map(|t| t.to_string()),
        first_reply_minutes: conv
            .first_reply_at
            .map(|t| t.duration_since(conv.opened_at).as_secs() / 60),
        resolved_at: conv.resolved_at.map(|t| t.to_string()),
        customer_messages: conv.customer_messages,
        times_reopened: conv.times_reopened,
        rating: conv.rating.and_then(|r| r.score),
        rating_asked_at: conv.rating.map(|r| r.asked_at.to_string()),
        rated_at: conv
            .rating
            .and_then(|r| r.answered_at)
            .map(|t| t.to_string()),
        blocked: conv.blocked,
        messages,
    }
}

/// Quotes a CSV field when needed, and defuses text a spreadsheet would run as a formula.
fn csv_field(value: &str) -> String {
    let mut v = value.to_string();
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.insert(0, '\'');
    }
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("@Ana"), "'@Ana");
    }
}
