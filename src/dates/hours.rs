//! The opening-hours grammar as the dates read it: a value parsed with the
//! `opening-hours` crate (OSM's `opening_hours` syntax) when it says more than a comment,
//! what it says of a span of time, the times it is open, and the splitting of
//! conditional values into their rules (`value @ (condition); ...`).
//!
//! Public holidays (`PH`, `SH`) match no day: the crate needs the country's holidays,
//! and the country is not known here. A rule that names them is read as if the day were
//! no holiday. Values longer than [`MAX_VALUE_LEN`] bytes are not read, and the work on a
//! value is bounded.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use opening_hours::{OpeningHours, RuleKind, DATE_END};

/// Values longer than this (bytes) are not read: they say nothing.
pub(super) const MAX_VALUE_LEN: usize = 1000;

/// At most this many intervals of one expression are read over a window.
const MAX_INTERVALS: usize = 2000;

/// Whether a place is open, as a night's answer says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// Open that evening.
    Yes,
    /// Closed all that evening.
    No,
    /// Not known: nothing said, or nothing that could be read.
    Unknown,
}

impl Open {
    /// `"yes"`, `"no"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Open::Yes => "yes",
            Open::No => "no",
            Open::Unknown => "unknown",
        }
    }
}

/// `value` read as opening hours: `None` when the crate does not read it, when it is
/// empty or longer than [`MAX_VALUE_LEN`], or when it is comments only (`"on request"`:
/// the crate reads that as open all the time, with the comment).
pub(super) fn parse_hours(value: &str) -> Option<OpeningHours> {
    let value = value.trim();
    if value.is_empty() || value.len() > MAX_VALUE_LEN || comments_only(value) {
        return None;
    }
    let hours: OpeningHours = value.parse().ok()?;
    if hours.get_expression().rules.is_empty() {
        return None;
    }
    Some(hours)
}

/// Whether `value` has nothing but quoted comments and the separators between rules.
fn comments_only(value: &str) -> bool {
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            ';' | ',' | '|' => {}
            c if c.is_whitespace() => {}
            _ => return false,
        }
    }
    true
}

/// The start of `date` (local midnight).
pub(super) fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN)
}

/// What `hours` says of `from..to`: open at some time, closed all the time, or unknown
/// (some of it unknown, none open). `None` outside the years the crate evaluates
/// (1900-9999: closed there, which says nothing).
pub(super) fn state_over(
    hours: &OpeningHours,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Option<Open> {
    let first = midnight(NaiveDate::from_ymd_opt(1900, 1, 1)?);
    if from < first || to > DATE_END || to <= from {
        return None;
    }
    let mut unknown = false;
    for range in hours.iter_range(from, to).take(MAX_INTERVALS) {
        match range.kind {
            RuleKind::Open => return Some(Open::Yes),
            RuleKind::Unknown => unknown = true,
            RuleKind::Closed => {}
        }
    }
    Some(if unknown { Open::Unknown } else { Open::No })
}

/// The intervals of `from..to` at which `hours` is open, sorted and disjoint.
pub(super) fn open_intervals(
    hours: &OpeningHours,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let Some(first) = NaiveDate::from_ymd_opt(1900, 1, 1).map(midnight) else {
        return Vec::new();
    };
    if from < first || to > DATE_END {
        return Vec::new();
    }
    hours
        .iter_range(from, to)
        .take(MAX_INTERVALS)
        .filter(|r| r.kind == RuleKind::Open)
        .map(|r| (r.range.start, r.range.end))
        .filter(|(s, e)| s < e)
        .collect()
}

/// The times in both `a` and `b` (each sorted and disjoint).
pub(super) fn intersect(
    a: &[(NaiveDateTime, NaiveDateTime)],
    b: &[(NaiveDateTime, NaiveDateTime)],
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let start = a[i].0.max(b[j].0);
        let end = a[i].1.min(b[j].1);
        if start < end {
            out.push((start, end));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `s` split at each `sep` outside parentheses (an unbalanced `(` keeps the rest in one
/// piece; a stray `)` is ignored). Quoted comments are not looked into: a `;` in
/// `"..."` does not split.
pub(super) fn split_outside_parens<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let (mut pieces, mut depth, mut quoted, mut start) = (Vec::new(), 0usize, false, 0);
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth = depth.saturating_sub(1),
            _ if !quoted && depth == 0 && bytes[i..].starts_with(sep.as_bytes()) => {
                pieces.push(&s[start..i]);
                i += sep.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    pieces.push(&s[start..]);
    pieces
}

/// `s` trimmed, without one pair of parentheses around all of it.
pub(super) fn strip_parens(s: &str) -> &str {
    let s = s.trim();
    let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
        return s;
    };
    // `(a) AND (b)` starts and ends with parentheses that are not one pair.
    let mut depth = 0usize;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return s,
            ')' => depth -= 1,
            _ => {}
        }
    }
    inner.trim()
}
