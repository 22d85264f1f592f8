//! The drive from the user's origin to the trailheads: the fastest route on the
//! region's road graph where the region has one (the origin snapped to its nearest
//! road), else the straight line times the circuity factor, named as an estimate.

use std::sync::Arc;

use trailloop_drive::{DriveLimit, RoadLink, ORIGIN_ROAD_RADIUS_M, TRAILHEAD_ROAD_RADIUS_M};
use trailloop_geo::Coord;

use crate::domain::TrailheadRecord;
use crate::network::regions::{self, RegionIndex};

/// The speed a straight-line estimate is timed at, km/h (before the circuity factor).
pub const ESTIMATE_KMH: f64 = 50.0;
/// No car averages more over a drive to a trailhead, km/h: the straight-line radius a
/// drive time can cover.
const FASTEST_KMH: f64 = 130.0;

/// How a drive was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DriveMethod {
    /// The fastest route on the road graph.
    RoadNetwork,
    /// The straight line times the circuity factor, at [`ESTIMATE_KMH`]: the region has
    /// no road graph, or the origin is nowhere near its roads.
    StraightLineEstimate,
}

impl DriveMethod {
    /// The name the API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            DriveMethod::RoadNetwork => "road_network",
            DriveMethod::StraightLineEstimate => "straight_line_estimate",
        }
    }
}

/// The drive to one trailhead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drive {
    /// Kilometres.
    pub km: f64,
    /// Minutes.
    pub minutes: f64,
    /// How it was found.
    pub method: DriveMethod,
}

/// What a drive search found.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Trailheads within the limit, with their drives, fastest first (ties by id); of
    /// [`Candidates::InReach`], the fastest it keeps.
    pub within: Vec<(TrailheadRecord, Drive)>,
    /// How many trailheads the drive reaches within the limit, before any were left
    /// out by [`Candidates::InReach`]'s bound.
    pub reachable: usize,
    /// Trailheads the search looked at that no road leads to within the limit (or no
    /// road passes near), nearest first.
    pub not_reached: Vec<TrailheadRecord>,
    /// How far the origin is from the road its drive starts on, metres (the nearest
    /// road of the first region with roads that it is near).
    pub origin_off_road_m: Option<f64>,
    /// Methods used, at most two.
    pub methods: Vec<DriveMethod>,
}

/// Which trailheads a drive search looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Candidates {
    /// Every one the drive reaches within the limit (the drive search decides, not the
    /// straight line), of which the fastest this many are kept.
    InReach(usize),
    /// Those within this straight-line radius, metres, at most this many per region.
    Within(f64, usize),
    /// This one.
    Id(i64),
}

/// The trailheads of `regions` within `limit` of `origin`, among `candidates`.
pub fn reach(
    regions: &[Arc<RegionIndex>],
    origin: Coord,
    limit: &DriveLimit,
    circuity: f64,
    candidates: Candidates,
) -> Reach {
    let mut out = Reach::default();
    let road_limit = *limit;
    // Of `InReach`: (region, trailhead index, drive) of every trailhead the drive
    // reaches; only those kept are copied out, once sorted.
    let mut reached: Vec<(usize, usize, Drive)> = Vec::new();
    for (ri, region) in regions.iter().enumerate() {
        let snapped = if region.drive.is_empty() {
            None
        } else {
            region.drive.snap(origin, ORIGIN_ROAD_RADIUS_M)
        };
        let one = std::slice::from_ref(region);
        let found = || match candidates {
            Candidates::Id(id) => regions::by_id(one, id, origin).into_iter().collect(),
            Candidates::InReach(_) => Vec::new(),
            Candidates::Within(r, n) => regions::within(one, origin, r, n),
        };
        match snapped {
            Some(start) => {
                // A road is never shorter than the straight line between its ends, and
                // the drive starts and ends at most this far off them.
                let slack = start.off_m + TRAILHEAD_ROAD_RADIUS_M;
                let radius = road_limit
                    .metres
                    .min(road_limit.seconds * FASTEST_KMH / 3.6)
                    + slack;
                if out.origin_off_road_m.is_none() {
                    out.origin_off_road_m = Some(start.off_m);
                }
                push_method(&mut out.methods, DriveMethod::RoadNetwork);
                if let Candidates::InReach(_) = candidates {
                    in_reach(region, &start, origin, radius, road_limit, |i, d| {
                        reached.push((ri, i, d))
                    });
                } else {
                    by_road(region, &start, found(), road_limit, &mut out);
                }
            }
            None => {
                let radius = (road_limit.metres / circuity)
                    .min(road_limit.seconds * ESTIMATE_KMH / 3.6 / circuity);
                let records = match candidates {
                    Candidates::InReach(_) => regions::within(one, origin, radius, usize::MAX),
                    _ => found(),
                };
                if !records.is_empty() {
                    push_method(&mut out.methods, DriveMethod::StraightLineEstimate);
                }
                for r in records {
                    let drive = estimate(r.distance_m, circuity);
                    if drive.km * 1000.0 <= road_limit.metres
                        && drive.minutes * 60.0 <= road_limit.seconds
                    {
                        out.within.push((r, drive));
                    } else {
                        out.not_reached.push(r);
                    }
                }
            }
        }
    }
    if let Candidates::InReach(keep) = candidates {
        // Fastest first, ties by version and id, as `within` is sorted below.
        let key = |&(ri, i, _): &(usize, usize, Drive)| {
            let t = &regions[ri].trailheads[i];
            (&t.version, t.id)
        };
        reached.sort_by(|a, b| {
            a.2.minutes
                .total_cmp(&b.2.minutes)
                .then_with(|| key(a).cmp(&key(b)))
        });
        out.reachable = reached.len() + out.within.len();
        out.within
            .extend(reached.into_iter().take(keep).map(|(ri, i, d)| {
                let t = &regions[ri].trailheads[i];
                (
                    TrailheadRecord {
                        // On the mean sphere: cheap for thousands, and nothing in-reach
                        // ranks by it.
                        distance_m: trailloop_geo::haversine_m(
                            [origin.lon, origin.lat],
                            [t.coord.lon, t.coord.lat],
                        ),
                        ..t.clone()
                    },
                    d,
                )
            }));
    }
    out.within.sort_by(|a, b| {
        a.1.minutes
            .total_cmp(&b.1.minutes)
            .then_with(|| a.0.version.cmp(&b.0.version))
            .then(a.0.id.cmp(&b.0.id))
    });
    match candidates {
        Candidates::InReach(keep) => out.within.truncate(keep),
        _ => out.reachable = out.within.len(),
    }
    out.not_reached
        .sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    out
}

/// Every trailhead of `region` (by index) with a road link that the drive from `start`
/// reaches within `limit`, those farther than `radius_m` in a box around `origin` left
/// out unread (no drive within the limit reaches them). Nothing is copied: the caller
/// copies what it keeps.
fn in_reach(
    region: &RegionIndex,
    start: &RoadLink,
    origin: Coord,
    radius_m: f64,
    limit: DriveLimit,
    mut each: impl FnMut(usize, Drive),
) {
    let (dlon, dlat) = trailloop_geo::box_half_degrees(origin.lat, radius_m);
    let (index, targets): (Vec<usize>, Vec<RoadLink>) = region
        .trailheads
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            (t.coord.lat - origin.lat).abs() <= dlat && (t.coord.lon - origin.lon).abs() <= dlon
        })
        .filter_map(|(i, t)| Some((i, t.road?)))
        .unzip();
    let drives = region.drive.drives(start, &targets, limit);
    for (i, d) in index.into_iter().zip(drives) {
        if let Some(d) = d {
            each(i, Drive::by_road(d));
        }
    }
}

impl Drive {
    /// A drive the road graph found.
    fn by_road(d: trailloop_drive::RoadDrive) -> Drive {
        Drive {
            km: d.metres / 1000.0,
            minutes: d.seconds / 60.0,
            method: DriveMethod::RoadNetwork,
        }
    }

    /// The drive as a limit weighs it.
    pub fn road(&self) -> trailloop_drive::RoadDrive {
        trailloop_drive::RoadDrive {
            metres: self.km * 1000.0,
            seconds: self.minutes * 60.0,
        }
    }
}

/// The last few drive searches, so that requests from the same origin (a hiker trying
/// another length or preference, the page asking for trailheads and then loops) reuse
/// the search instead of running it again. Keyed by everything the search depends on:
/// the origin, the limit, which trailheads, and the regions' imports.
#[derive(Default)]
pub struct RecentDrives {
    held: std::sync::Mutex<std::collections::VecDeque<(DriveKey, Arc<Reach>)>>,
}

/// What a drive search's answer depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct DriveKey {
    /// Where the drive starts.
    pub origin: Coord,
    /// How far it may go.
    pub limit: DriveLimit,
    /// Which trailheads it looks for.
    pub candidates: Candidates,
    /// The imports of the regions it drives on.
    pub imports: Vec<crate::domain::RegionVersion>,
}

impl RecentDrives {
    /// Searches kept: a few origins' worth of requests. Each holds the records of the
    /// trailheads it reached (some 2,400 for a two-hour drive on the 6 x 6 grid), so
    /// the bound is on their number, not bytes.
    pub const HELD: usize = 16;

    /// The search for `key`, if it was among the last ones.
    pub fn get(&self, key: &DriveKey) -> Option<Arc<Reach>> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let i = held.iter().position(|(k, _)| k == key)?;
        let entry = held.remove(i)?;
        let reach = entry.1.clone();
        held.push_back(entry);
        Some(reach)
    }

    /// Keeps a search, the oldest going when full.
    pub fn put(&self, key: DriveKey, reach: Arc<Reach>) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        held.retain(|(k, _)| *k != key);
        if held.len() >= Self::HELD {
            held.pop_front();
        }
        held.push_back((key, reach));
    }
}

fn push_method(methods: &mut Vec<DriveMethod>, m: DriveMethod) {
    if !methods.contains(&m) {
        methods.push(m);
    }
}

/// The straight-line estimate of a drive of `distance_m` as the crow flies.
pub fn estimate(distance_m: f64, circuity: f64) -> Drive {
    let km = distance_m / 1000.0 * circuity;
    Drive {
        km,
        minutes: km / ESTIMATE_KMH * 60.0,
        method: DriveMethod::StraightLineEstimate,
    }
}

fn by_road(
    region: &RegionIndex,
    start: &RoadLink,
    records: Vec<TrailheadRecord>,
    limit: DriveLimit,
    out: &mut Reach,
) {
    let (linked, unlinked): (Vec<TrailheadRecord>, Vec<TrailheadRecord>) =
        records.into_iter().partition(|r| r.road.is_some());
    out.not_reached.extend(unlinked);
    let targets: Vec<RoadLink> = linked.iter().filter_map(|r| r.road).collect();
    let drives = region.drive.drives(start, &targets, limit);
    for (r, d) in linked.into_iter().zip(drives) {
        match d {
            Some(d) => out.within.push((r, Drive::by_road(d))),
            None => out.not_reached.push(r),
        }
    }
}

/// The way the drive from `origin` to each of `trailheads` goes by road, from the
/// origin to the trailhead (the walk off the road at either end included as a straight
/// line); `None` where the drive is not by road. One search per region.
pub fn routes(
    regions: &[Arc<RegionIndex>],
    origin: Coord,
    limit: &DriveLimit,
    trailheads: &[&TrailheadRecord],
) -> Vec<Option<Vec<Coord>>> {
    let mut out: Vec<Option<Vec<Coord>>> = vec![None; trailheads.len()];
    for region in regions {
        if region.drive.is_empty() {
            continue;
        }
        let mine: Vec<(usize, RoadLink)> = trailheads
            .iter()
            .enumerate()
            .filter(|(_, t)| t.version == region.info.version)
            .filter_map(|(i, t)| Some((i, t.road?)))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let Some(start) = region.drive.snap(origin, ORIGIN_ROAD_RADIUS_M) else {
            continue;
        };
        let links: Vec<RoadLink> = mine.iter().map(|m| m.1).collect();
        for ((i, _), route) in mine.iter().zip(region.drive.routes(&start, &links, *limit)) {
            out[*i] = route.map(|mut line| {
                line.insert(0, origin);
                line.push(trailheads[*i].coord);
                line.dedup();
                line
            });
        }
    }
    out
}
