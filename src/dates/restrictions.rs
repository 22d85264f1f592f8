//! Whether a way is closed to walkers at some time of a day ([`way_closed`]), from
//! `foot:conditional=*`, `access:conditional=*` (`value @ (condition); ...`) and
//! `seasonal=*`.

use chrono::{Duration, NaiveDateTime};
use trailloop_osm::WayConditions;

use super::hours::{
    intersect, open_intervals, parse_hours, split_outside_parens, strip_parens, Open, MAX_VALUE_LEN,
};
use super::seasons::season_on;

/// At most this many rules of one conditional value are read.
const MAX_RULES: usize = 32;

/// At most this many dates of a way's window are checked against its season.
const MAX_SEASON_DAYS: i64 = 400;

/// Whether `c` closes the way to walkers at some time in `from..to` (local times of the
/// way); unknown conditions do not close it.
///
/// The rules of `foot:conditional` decide at the times one of them holds, else those of
/// `access:conditional`; at a time, the last rule that holds decides (the OSM wiki,
/// "Conditional restrictions", section "Evaluation of conflicting restrictions": the
/// later one takes precedence), and it closes the way when its value is `no` or
/// `private`. A rule holds when each part of its condition (joined by ` AND `) is an
/// opening-hours expression open at that time; a part that is not (`wet`, `snow`,
/// `weight>3`, `stay<2 hours`) is unknown, and its rule is never taken as holding.
/// Then the way's `seasonal`: a date of the window outside its season (as for places,
/// [`place_open`]) closes it. An empty window (`to <= from`) closes nothing.
pub fn way_closed(c: &WayConditions, from: NaiveDateTime, to: NaiveDateTime, lat: f64) -> bool {
    if to <= from {
        return false;
    }
    let foot = rules_over(c.foot_conditional.as_deref(), from, to);
    let access = rules_over(c.access_conditional.as_deref(), from, to);
    if restricted_sometime(&foot, &access, from, to) {
        return true;
    }
    let Some(season) = c.seasonal.as_deref() else {
        return false;
    };
    let first = from.date();
    let last = (to - Duration::nanoseconds(1)).date();
    let mut day = first;
    for _ in 0..MAX_SEASON_DAYS {
        if season_on(season, day, lat) == Open::No {
            return true;
        }
        match day.succ_opt() {
            Some(next) if next <= last => day = next,
            _ => break,
        }
    }
    false
}

/// One rule of a conditional restriction over a window: its value and the times of the
/// window at which its condition holds (empty when it never does, or is unknown).
struct Rule {
    /// Whether its value (`no`, `private`) closes the way.
    closes: bool,
    /// Disjoint, sorted intervals of the window.
    holds: Vec<(NaiveDateTime, NaiveDateTime)>,
}

/// The rules of a conditional value, in their order, over `from..to`.
fn rules_over(value: Option<&str>, from: NaiveDateTime, to: NaiveDateTime) -> Vec<Rule> {
    let Some(value) = value.filter(|v| v.len() <= MAX_VALUE_LEN) else {
        return Vec::new();
    };
    split_outside_parens(value, ";")
        .into_iter()
        .take(MAX_RULES)
        .filter_map(|rule| {
            let (value, condition) = rule.split_once('@')?;
            let closes = matches!(value.trim(), "no" | "private");
            let mut holds = vec![(from, to)];
            for part in split_outside_parens(strip_parens(condition), " AND ") {
                let part_holds = parse_hours(strip_parens(part))
                    .map(|hours| open_intervals(&hours, from, to))
                    .unwrap_or_default();
                holds = intersect(&holds, &part_holds);
            }
            Some(Rule { closes, holds })
        })
        .collect()
}

/// Whether, at some time of `from..to`, the rule that decides closes the way: the last
/// holding rule of `foot`, else of `access` when no rule of `foot` holds then.
fn restricted_sometime(
    foot: &[Rule],
    access: &[Rule],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> bool {
    // The state changes only where some rule starts or stops holding: look at the
    // start of every piece between those times.
    let mut cuts: Vec<NaiveDateTime> = vec![from];
    for rule in foot.iter().chain(access) {
        for &(start, end) in &rule.holds {
            cuts.push(start);
            cuts.push(end);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let decider = |rules: &[Rule], at: NaiveDateTime| {
        rules
            .iter()
            .rev()
            .find(|r| r.holds.iter().any(|&(s, e)| s <= at && at < e))
            .map(|r| r.closes)
    };
    cuts.into_iter()
        .filter(|&at| at < to)
        .any(|at| decider(foot, at).or_else(|| decider(access, at)) == Some(true))
}
