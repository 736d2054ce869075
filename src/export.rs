//! `frontdesk export`: every conversation as JSON lines (with its messages) or CSV (one row
//! each), for the owner's own records. The rows come from the desk (`desk::Records`); this
//! module only writes them.

use std::io::Write;

use crate::desk::{DeskError, Records};
use crate::model::Place;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Jsonl,
    Csv,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Records(#[from] DeskError),
    #[error("cannot write the export: {0}\n  fix: check the --out path and free disk space")]
    Output(#[from] std::io::Error),
}

/// Writes every conversation the records hold, as each is read; returns how many.
pub fn export(
    records: &Records,
    format: Format,
    out: &mut dyn Write,
) -> Result<usize, ExportError> {
    if format == Format::Csv {
        writeln!(
            out,
            "id,customer,customer_name,place,link,state,topic,opened_at,first_reply_at,first_reply_minutes,resolved_at,customer_messages,times_reopened,rating,rating_asked_at,rated_at,blocked,notes"
        )?;
    }
    let mut count = 0;
    for row in records.export_rows(format == Format::Jsonl) {
        let row = row?;
        match format {
            Format::Jsonl => {
                serde_json::to_writer(&mut *out, &row).map_err(std::io::Error::from)?;
                writeln!(out)?;
            }
            Format::Csv => {
                let place = match row.place {
                    Place::Channel { .. } => "channel",
                    Place::Forum { .. } => "forum",
                    Place::Dm { .. } => "dm",
                };
                let fields = [
                    row.id,
                    row.customer,
                    row.customer_name,
                    place.to_string(),
                    row.link,
                    row.state.to_string(),
                    row.topic,
                    row.opened_at,
                    row.first_reply_at.unwrap_or_default(),
                    row.first_reply_minutes
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    row.resolved_at.unwrap_or_default(),
                    row.customer_messages.to_string(),
                    row.times_reopened.to_string(),
                    row.rating.map(|r| r.to_string()).unwrap_or_default(),
                    row.rating_asked_at.unwrap_or_default(),
                    row.rated_at.unwrap_or_default(),
                    row.blocked.to_string(),
                    row.notes.to_string(),
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
