//! Route matching: which operation of the subset a request's method and path belong to.
//!
//! A path is accepted as sent, with or without `/api/v10`, with a query string and even as a
//! full URL. `{param}` segments of a template match any non-empty segment; when several
//! templates match, the one with more literal segments wins (`/applications/@me` over
//! `/applications/{application_id}`). Segments and query pairs are percent-decoded.

const API_PREFIX: &str = "/api/v10";

/// A path template of the spec, split into segments.
pub(super) struct Route {
    pub(super) template: String,
    segments: Vec<Segment>,
    /// How specific the template is: more literal segments win over parameters.
    pub(super) literal_count: usize,
}

enum Segment {
    Literal(String),
    Param(String),
}

/// A request path as sent, split into decoded segments and query pairs.
pub(super) struct ParsedPath {
    segments: Vec<String>,
    pub(super) query: Vec<(String, String)>,
}

impl Route {
    pub(super) fn new(template: &str) -> Route {
        let segments: Vec<Segment> = split_segments(template)
            .into_iter()
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_string()),
                    None => Segment::Literal(s),
                },
            )
            .collect();
        let literal_count = segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count();
        Route {
            template: template.to_string(),
            segments,
            literal_count,
        }
    }

    pub(super) fn matches(&self, path: &ParsedPath) -> bool {
        self.segments.len() == path.segments.len()
            && self
                .segments
                .iter()
                .zip(&path.segments)
                .all(|(t, s)| match t {
                    Segment::Literal(l) => l == s,
                    Segment::Param(_) => !s.is_empty(),
                })
    }

    /// `(name, value)` of each `{param}` segment, for a path this route matches.
    pub(super) fn params<'p>(
        &'p self,
        path: &'p ParsedPath,
    ) -> impl Iterator<Item = (&'p str, &'p str)> {
        self.segments
            .iter()
            .zip(&path.segments)
            .filter_map(|(t, s)| match t {
                Segment::Param(name) => Some((name.as_str(), s.as_str())),
                Segment::Literal(_) => None,
            })
    }
}

fn split_segments(path: &str) -> Vec<String> {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').map(percent_decode).collect()
    }
}

pub(super) fn parse_path(path: &str) -> ParsedPath {
    // A full URL: drop scheme and authority.
    let mut rest = path;
    if let Some(idx) = rest.find("://") {
        let after = rest.get(idx + 3..).unwrap_or("");
        rest = match after.find('/') {
            Some(slash) => after.get(slash..).unwrap_or(""),
            None => "",
        };
    }
    let rest = rest.split('#').next().unwrap_or("");
    let (path_part, query_part) = rest.split_once('?').unwrap_or((rest, ""));
    let path_part = match path_part.strip_prefix(API_PREFIX) {
        Some(after) if after.is_empty() || after.starts_with('/') => after,
        _ => path_part,
    };
    let query = query_part
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect();
    ParsedPath {
        segments: split_segments(path_part),
        query,
    }
}

pub(super) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}
