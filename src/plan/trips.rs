//! Trips of several days: where nights may be spent, whether a planned walk is a plan
//! one can follow (a night at an allowed place after each day but the last, days of
//! similar walking time, every limit kept), base-camp plans, and what to offer instead
//! when no walk of the asked days and length is such a plan.

use trailloop_places::PoiKind;
use trailloop_solver::{
    balanced, base_camp_score, day_ratio, walking, DayLimits, DirectedEdge, Loop, NightPlace,
    Score, MAX_DAYS, MAX_DAY_RATIO,
};

use super::dated::Daylight;
use super::Hike;
use crate::domain::{PoiRecord, TripDates};
use crate::network::PlanningNetwork;

/// The longest nearby request is this much of the asked length (see [`nearby`]).
pub const NEARBY_LONGEST: f64 = 1.25;

/// Plans of the asked request this far off its length or nearer are offered among the
/// nearby ones (as far as the shorter nearby length is).
pub const NEARBY_MISS: f64 = 0.2;

/// Slack on the length check, for the rounding of lengths.
const SLACK: f64 = 1e-6;

/// The places a trip's nights may be spent at, as the solver's query takes them, and
/// the records they stand for (same order).
pub(crate) struct NightPlaces<'a> {
    pub query: Vec<NightPlace>,
    pub records: Vec<&'a PoiRecord>,
}

impl<'a> NightPlaces<'a> {
    /// The places of the allowed kinds in `network` that OSM does not mark private nor
    /// closed on a night of the trip's dates, one per node (the one cheapest to sleep at
    /// by the solver's [`NightPlace::cost`], counting the walk from its node to it); none
    /// for a day hike.
    pub(crate) fn of(network: &'a PlanningNetwork, params: &Hike) -> NightPlaces<'a> {
        let records: Vec<&PoiRecord> = if params.days > 1 {
            network
                .pois()
                .filter(|p| {
                    params.overnight.contains(&p.kind)
                        && !p.details.is_private()
                        && super::dated::open_every_night(params, p)
                })
                .collect()
        } else {
            Vec::new()
        };
        NightPlaces::one_per_node(records, params.target_m)
    }

    /// Of `records`, the one cheapest to sleep at on each node, on a walk of target
    /// length `target_m` (the lower OSM id on a tie), by node.
    fn one_per_node(mut records: Vec<&'a PoiRecord>, target_m: f64) -> NightPlaces<'a> {
        let cost = |p: &PoiRecord| night_place(p).cost(target_m);
        records.sort_by(|a, b| {
            a.node_id
                .cmp(&b.node_id)
                .then(cost(a).total_cmp(&cost(b)))
                .then(a.osm_id.cmp(&b.osm_id))
        });
        records.dedup_by_key(|p| p.node_id);
        NightPlaces {
            query: records.iter().copied().map(night_place).collect(),
            records,
        }
    }
}

/// A place to sleep as the solver's query takes it.
fn night_place(p: &PoiRecord) -> NightPlace {
    NightPlace {
        node: p.node_id as u64,
        kind: p.kind,
        snap_m: p.snap_distance_m,
    }
}

/// The water sources of `network`, and the places that give water.
pub(crate) fn waters(network: &PlanningNetwork) -> Vec<&PoiRecord> {
    network
        .pois()
        .filter(|p| p.details.has_water(p.kind))
        .collect()
}

/// One day of a walk, as the checks need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DayWalk {
    /// Metres walked, off-trail walking to and from the nights included.
    pub distance_m: f64,
    /// Metres climbed.
    pub ascent_m: f64,
}

impl DayWalk {
    pub(crate) fn hours(&self) -> f64 {
        walking::hours(self.distance_m, self.ascent_m)
    }

    /// Whether the day keeps every limit given.
    fn keeps(&self, limits: &DayLimits) -> bool {
        limits.keeps(self.distance_m, self.ascent_m)
    }
}

/// What walking `edges` takes.
fn measure(network: &PlanningNetwork, edges: &[DirectedEdge]) -> DayWalk {
    let mut day = DayWalk {
        distance_m: 0.0,
        ascent_m: 0.0,
    };
    for d in edges {
        if let Some(meta) = network.edge(d.id) {
            day.distance_m += meta.length_m;
            day.ascent_m += if d.forward {
                meta.ascent_m
            } else {
                meta.descent_m
            };
        }
    }
    day
}

/// The days of a solver walk, cut where its nights are (the approach excluded; the
/// walk to each night's place and back counted in the days either side).
pub(crate) fn days_of(network: &PlanningNetwork, l: &Loop, places: &[&PoiRecord]) -> Vec<DayWalk> {
    let a = l.approach_edges;
    let hike_end = l.edges.len() - a;
    let mut from = a;
    let mut days = Vec::with_capacity(l.nights.len() + 1);
    let ends: Vec<usize> = l
        .nights
        .iter()
        .map(|n| n.after_edges.clamp(a, hike_end))
        .chain(std::iter::once(hike_end))
        .collect();
    for end in ends {
        let end = end.max(from);
        days.push(measure(network, &l.edges[from..end]));
        from = end;
    }
    for (k, n) in l.nights.iter().enumerate() {
        let off = n.off_m + places.get(n.place).map_or(0.0, |p| p.snap_distance_m);
        days[k].distance_m += off;
        days[k + 1].distance_m += off;
    }
    days
}

/// Why a walk is not a plan of the asked days, from the most to the least of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Shortfall {
    /// Fewer nights than days less one: no place where a day could end.
    Nights,
    /// The days differ too much in walking time.
    Balance,
    /// A day is over a limit.
    Limits,
    /// A plan of the asked days, but not of the asked length.
    Length,
}

/// What keeps a walk of `days` from being a plan for `params`, if anything.
pub(crate) fn shortfall(l: &Loop, days: &[DayWalk], params: &Hike) -> Option<Shortfall> {
    if days.len() != params.days as usize {
        return Some(Shortfall::Nights);
    }
    if !balanced(day_ratio(days.iter().map(DayWalk::hours))) {
        return Some(Shortfall::Balance);
    }
    if !days.iter().all(|d| d.keeps(&params.day_limits)) {
        return Some(Shortfall::Limits);
    }
    if !l.score.within_tolerance() {
        return Some(Shortfall::Length);
    }
    None
}

/// The day loops of a base-camp plan from one trailhead, and its rank: the first
/// `days` of `loops` (mutually different, best first), if they make one plan within
/// the limits and the balance.
pub(crate) fn base_camp(
    network: &PlanningNetwork,
    loops: &[Loop],
    params: &Hike,
) -> Option<(Vec<Loop>, Score)> {
    let n = params.days as usize;
    let chosen: Vec<Loop> = loops
        .iter()
        .filter(|l| l.score.within_tolerance())
        .take(n)
        .cloned()
        .collect();
    if chosen.len() < n {
        return None;
    }
    // Each day walks its access path out and back too.
    let days: Vec<DayWalk> = chosen.iter().map(|l| measure(network, &l.edges)).collect();
    let total: f64 = chosen.iter().map(|l| l.length_m).sum();
    let error = (total - params.target_m).abs() / params.target_m;
    if !balanced(day_ratio(days.iter().map(DayWalk::hours)))
        || !days.iter().all(|d| d.keeps(&params.day_limits))
        || error > params.tolerance + SLACK
    {
        return None;
    }
    let scores: Vec<Score> = chosen.iter().map(|l| l.score).collect();
    Some((chosen, base_camp_score(&scores)))
}

/// Requests near `params` that may have plans when it has none, nearest first, each
/// with how far it is from the asked one: a day less, other lengths, a day more.
pub(crate) fn nearby(params: &Hike) -> Vec<(Hike, f64)> {
    let mut out = Vec::new();
    let with = |days: u32, factor: f64| Hike {
        days,
        target_m: params.target_m * factor,
        ..params.clone()
    };
    let days = f64::from(params.days);
    for factor in [0.8, NEARBY_LONGEST] {
        out.push((with(params.days, factor), (1.0 - factor).abs()));
    }
    if params.days > 1 {
        out.push((with(params.days - 1, 1.0), 1.0 / days));
    }
    if params.days < MAX_DAYS {
        out.push((with(params.days + 1, 1.0), 1.0 / days));
    }
    // A limit no day of the request can keep rules its request out.
    out.retain(|(p, _)| p.day_limits.feasible(p.target_m, p.days));
    out.sort_by(|a, b| a.1.total_cmp(&b.1));
    out
}

/// What the kinds in `overnight` are called, for messages.
pub(crate) fn kinds_named(overnight: &[PoiKind]) -> String {
    let names: Vec<&str> = overnight.iter().map(|k| k.plural()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A plan as the message names it: "3 days of 48 km", "a 12 km hike".
pub(crate) fn plan_named(l: &super::PlannedLoop) -> String {
    let km = (l.distance_m / 1000.0).round();
    match (l.days, l.base_camp) {
        (1, _) => format!("a {km} km hike"),
        (d, false) => format!("{d} days of {km} km"),
        (d, true) => format!("{d} days of {km} km from a base camp"),
    }
}

/// The limits given, as the request names them, and the daylight of a dated request
/// where it is the shorter limit.
fn limits_named(l: &DayLimits, daylight: Option<(&Daylight, &TripDates)>) -> String {
    let mut limits = Vec::new();
    if let Some(m) = l.max_m {
        limits.push(format!("max_day_km {}", m / 1000.0));
    }
    match (l.max_hours, daylight) {
        (Some(h), Some((d, _))) if h <= d.hours => limits.push(format!("max_day_hours {h}")),
        (_, Some((d, dates))) => limits.push(super::dated::daylight_named(d, dates)),
        (Some(h), None) => limits.push(format!("max_day_hours {h}")),
        (None, None) => {}
    }
    if let Some(a) = l.max_ascent_m {
        limits.push(format!("max_day_ascent_m {a}"));
    }
    limits.join(", ")
}

/// Why no plan of `params` was found, for the answer's message; `places` is how many
/// places of the allowed kinds the network planned on holds, `daylight` the longest
/// day a dated request's daylight allows.
pub(crate) fn explain(
    why: Option<Shortfall>,
    params: &Hike,
    places: usize,
    daylight: Option<&Daylight>,
) -> String {
    let km = params.target_m / 1000.0;
    let days = params.days;
    let kinds = kinds_named(&params.overnight);
    let tolerance = params.tolerance * 100.0;
    let limits = limits_named(&params.day_limits, daylight.zip(params.dates.as_ref()));
    if days == 1 {
        return match why {
            Some(Shortfall::Length) => {
                format!("no loop within {tolerance:.0} % of {km} km keeps within {limits}")
            }
            _ => format!("no loop of {km} km from the trailheads in range keeps within {limits}"),
        };
    }
    match why {
        // The solver finds no walk at all when no place can end a day.
        None | Some(Shortfall::Nights) => format!(
            "no {km} km loop from the trailheads in range passes {kinds} where each of \
             its {days} days could end ({places} such place(s) in the area{})",
            if params.dates.is_some() {
                ", not closed on the trip's nights"
            } else {
                ""
            }
        ),
        Some(Shortfall::Balance) => format!(
            "the {kinds} in range cannot split a {km} km loop into {days} days of \
             similar walking time (within a factor {MAX_DAY_RATIO} of each other)"
        ),
        Some(Shortfall::Limits) => format!(
            "no split of a {km} km loop into {days} days at {kinds} keeps every day \
             within {limits}"
        ),
        Some(Shortfall::Length) => {
            format!("no {days}-day loop within {tolerance:.0} % of {km} km can be split at {kinds}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(days: u32) -> Hike {
        Hike {
            target_m: 60_000.0,
            tolerance: 0.05,
            max_results: 3,
            days,
            day_limits: DayLimits::default(),
            overnight: vec![PoiKind::Hut, PoiKind::CampSite],
            base_camp: false,
            preferences: Default::default(),
            seed: 0,
            target_hours: None,
            dates: None,
        }
    }

    #[test]
    fn nearby_requests_come_nearest_first_and_keep_the_limits() {
        let near = nearby(&params(3));
        let shape: Vec<(u32, f64)> = near
            .iter()
            .map(|(p, _)| (p.days, p.target_m / 1000.0))
            .collect();
        assert_eq!(shape, [(3, 48.0), (3, 75.0), (2, 60.0), (4, 60.0)]);
        // With days of at most 24 km, two days cannot cover 60 km, nor three 75 km.
        let mut p = params(3);
        p.day_limits.max_m = Some(24_000.0);
        let shape: Vec<(u32, f64)> = nearby(&p)
            .iter()
            .map(|(p, _)| (p.days, p.target_m / 1000.0))
            .collect();
        assert_eq!(shape, [(3, 48.0), (4, 60.0)]);
    }

    fn place(node_id: i64, osm_id: i64, kind: PoiKind, snap_distance_m: f64) -> PoiRecord {
        PoiRecord {
            node_id,
            kind,
            name: None,
            coord: trailloop_geo::Coord { lon: 0.0, lat: 0.0 },
            osm_id,
            osm_type: trailloop_osm::OsmType::Node,
            snap_distance_m,
            details: Default::default(),
        }
    }

    #[test]
    fn each_node_keeps_the_place_cheapest_to_sleep_at_walk_to_it_included() {
        let far_hut = place(1, 10, PoiKind::Hut, 300.0);
        let camp = place(1, 11, PoiKind::CampSite, 0.0);
        let shelter = place(2, 12, PoiKind::Shelter, 50.0);
        let near_hut = place(2, 13, PoiKind::Hut, 50.0);
        let lodging = place(3, 14, PoiKind::Lodging, 0.0);
        let records = vec![&lodging, &shelter, &far_hut, &near_hut, &camp];
        // On 20 km, 300 m there and back is 0.03: more than a camp site is wanted less.
        let p = NightPlaces::one_per_node(records.clone(), 20_000.0);
        let kept: Vec<i64> = p.records.iter().map(|r| r.osm_id).collect();
        assert_eq!(kept, [11, 13, 14]);
        assert_eq!(p.query.len(), 3);
        assert_eq!((p.query[0].node, p.query[0].kind), (1, PoiKind::CampSite));
        assert!((p.query[1].cost(20_000.0) - 2.0 * 50.0 / 20_000.0).abs() < 1e-12);
        assert!((p.query[2].cost(20_000.0) - 0.05).abs() < 1e-12);
        // On 200 km the walk off matters ten times less: the hut wins.
        let p = NightPlaces::one_per_node(records, 200_000.0);
        let kept: Vec<i64> = p.records.iter().map(|r| r.osm_id).collect();
        assert_eq!(kept, [10, 13, 14]);
        assert_eq!(p.query[0].snap_m, 300.0);
    }

    #[test]
    fn the_kinds_are_named_as_a_hiker_would() {
        assert_eq!(kinds_named(&[PoiKind::Hut]), "huts");
        assert_eq!(
            kinds_named(&[PoiKind::Hut, PoiKind::CampSite, PoiKind::Shelter]),
            "huts, camp sites or shelters"
        );
    }
}
