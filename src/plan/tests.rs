//! Planning on the real Andorra network, tile by tile as the service holds it: loops
//! start and end at their trailhead, follow edge geometry, hit the length, differ from
//! each other, and repeat exactly.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use trailloop_geo::{distance_m, length_m, Coord};
use trailloop_osm::TrailData;
use trailloop_solver::{Limits, LoopKind};

use super::*;
use crate::domain::{RegionVersion, TrailheadRecord};
use crate::network::{NetworkTile, PlanningNetwork};
use crate::store::EmbeddedStore;

static STORE: LazyLock<EmbeddedStore> = LazyLock::new(|| {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    EmbeddedStore::new(
        crate::import::build(
            &data.join("andorra.osm.pbf"),
            &[data.join("N42E001.hgt.zip")],
        )
        .expect("building Andorra"),
    )
});

fn andorra() -> &'static TrailData {
    STORE.network()
}

/// Every tile of Andorra, stitched.
static NETWORK: LazyLock<PlanningNetwork> = LazyLock::new(|| {
    let (_, tiles) = STORE.regions().remove(0);
    let closures = Arc::default();
    let tiles = tiles
        .into_iter()
        .map(|t| {
            let profile = trailloop_osm::Profile::hiking();
            let tile = NetworkTile::build(STORE.tile(t), &profile, Arc::clone(&closures));
            Arc::new(tile.expect("a valid tile"))
        })
        .collect();
    PlanningNetwork::over(tiles)
});

fn plan(
    network: &PlanningNetwork,
    starts: &[TrailheadStart],
    params: &Hike,
    limits: &Limits,
) -> Result<PlanOutcome, PlanError> {
    solve_network(network, starts, params, limits)
}

/// The trailheads within `radius_m` of `origin`, nearest first.
fn candidates(origin: Coord, radius_m: f64, n: usize) -> Vec<TrailheadStart> {
    let net = andorra();
    let mut found: Vec<TrailheadStart> = net
        .trailheads
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let d = distance_m(origin, t.coord);
            (d <= radius_m).then(|| TrailheadStart {
                trailhead: TrailheadRecord {
                    id: i as i64,
                    version: RegionVersion {
                        region: "embedded".into(),
                        import_id: 0,
                    },
                    node_id: net.nodes[t.node as usize].osm_id,
                    name: t.name.clone(),
                    name_derived: t.name_derived,
                    kind: t.kind,
                    coord: t.coord,
                    distance_m: d,
                    snap_distance_m: t.snap_distance_m,
                    potential: t.potential,
                    road: t.road,
                },
                drive: super::drive::estimate(d, 1.3),
                drive_share: (d / 1000.0 * 1.3 / 25.0).min(1.0),
            })
        })
        .collect();
    found.sort_by(|a, b| a.drive.km.total_cmp(&b.drive.km));
    found.truncate(n);
    found
}

fn params(target_km: f64) -> Hike {
    Hike {
        target_m: target_km * 1000.0,
        tolerance: 0.05,
        max_results: 3,
        days: 1,
        day_limits: Default::default(),
        overnight: crate::domain::DEFAULT_OVERNIGHT.to_vec(),
        base_camp: false,
        preferences: Default::default(),
        seed: 7,
        target_hours: None,
        dates: None,
    }
}

/// Every consecutive pair of vertices of every edge, both ways: what "on the trails" means.
static SEGMENTS: LazyLock<HashSet<[u64; 4]>> = LazyLock::new(|| {
    let key = |a: Coord, b: Coord| {
        [
            a.lon.to_bits(),
            a.lat.to_bits(),
            b.lon.to_bits(),
            b.lat.to_bits(),
        ]
    };
    andorra()
        .edges
        .iter()
        .flat_map(|e| {
            e.geometry
                .windows(2)
                .flat_map(move |w| [key(w[0], w[1]), key(w[1], w[0])])
        })
        .collect()
});

fn assert_follows_trails(l: &PlannedLoop) {
    let node: HashMap<i64, Coord> = andorra()
        .nodes
        .iter()
        .map(|n| (n.osm_id, n.coord))
        .collect();
    // At the trailhead's node, or at the end of its approach from the trailhead.
    let start = match &l.approach {
        None => node[&l.trailhead.trailhead.node_id],
        Some(a) => {
            assert_eq!(a.geometry[0], l.trailhead.trailhead.coord);
            if a.geometry.len() > 2 {
                assert_eq!(a.geometry[1], node[&l.trailhead.trailhead.node_id]);
            }
            *a.geometry.last().unwrap()
        }
    };
    assert_eq!(
        l.geometry.first(),
        Some(&start),
        "starts where the approach ends"
    );
    assert_eq!(l.geometry.last(), Some(&start), "ends there");
    for w in l.geometry.windows(2) {
        let k = [
            w[0].lon.to_bits(),
            w[0].lat.to_bits(),
            w[1].lon.to_bits(),
            w[1].lat.to_bits(),
        ];
        assert!(
            SEGMENTS.contains(&k),
            "{:?} -> {:?} is not a trail segment",
            w[0],
            w[1]
        );
    }
    let drawn = length_m(&l.geometry);
    assert!(
        (drawn - l.distance_m).abs() <= 0.01 * l.distance_m,
        "drawn {drawn} vs {}",
        l.distance_m
    );
    let seg_km: f64 = l.segments.iter().map(|s| s.distance_km).sum();
    assert!((seg_km * 1000.0 - l.distance_m).abs() < 1.0);
}

#[test]
fn loops_from_andorra_la_vella_follow_the_trails_and_hit_the_length() {
    let origin = Coord {
        lon: 1.5211,
        lat: 42.5078,
    };
    for target_km in [8.0, 15.0, 25.0] {
        let cands = candidates(origin, 15_000.0, 8);
        assert!(cands.len() >= 4);
        let out = plan(&NETWORK, &cands, &params(target_km), &Limits::none()).unwrap();
        assert_eq!(out.loops.len(), 3, "{target_km} km");
        assert_eq!(out.stats.trailheads, cands.len());
        let best = &out.loops[0];
        assert_eq!(
            best.kind,
            LoopKind::Loop,
            "{target_km} km: a true loop exists here"
        );
        assert!(
            best.length_error <= 0.05,
            "{target_km} km: e = {}",
            best.length_error
        );
        assert_eq!(best.sharing, 0.0);
        for l in &out.loops {
            assert_follows_trails(l);
            assert!(
                l.length_error <= 0.05,
                "{target_km} km: alternative e = {}",
                l.length_error
            );
            assert!(l.duration_h > l.distance_m / 1000.0 / 5.0 - 1e-9);
            assert_eq!(l.stages.len(), 1);
        }
        for (i, a) in out.loops.iter().enumerate() {
            for b in &out.loops[i + 1..] {
                assert!(shared_m(a, b) <= 0.4 * a.distance_m.min(b.distance_m) + 1.0);
            }
        }
    }
}

/// Length two loops share, from their geometry (shared undirected vertex pairs).
fn shared_m(a: &PlannedLoop, b: &PlannedLoop) -> f64 {
    let key = |p: Coord, q: Coord| {
        let (x, y) = (
            [p.lon.to_bits(), p.lat.to_bits()],
            [q.lon.to_bits(), q.lat.to_bits()],
        );
        if x < y {
            (x, y)
        } else {
            (y, x)
        }
    };
    let in_a: HashSet<_> = a.geometry.windows(2).map(|w| key(w[0], w[1])).collect();
    let mut seen = HashSet::new();
    b.geometry
        .windows(2)
        .filter(|w| in_a.contains(&key(w[0], w[1])) && seen.insert(key(w[0], w[1])))
        .map(|w| distance_m(w[0], w[1]))
        .sum()
}

#[test]
fn a_two_day_trip_sleeps_at_an_allowed_place_in_days_that_add_up() {
    let origin = Coord {
        lon: 1.5211,
        lat: 42.5078,
    };
    let mut p = params(36.0);
    p.days = 2;
    p.day_limits.max_m = Some(22_000.0);
    let out = plan(
        &NETWORK,
        &candidates(origin, 20_000.0, 8),
        &p,
        &Limits::none(),
    )
    .unwrap();
    assert!(!out.loops.is_empty(), "Andorra has huts for a 2-day trip");
    for l in &out.loops {
        assert_follows_trails(l);
        assert_eq!((l.days, l.base_camp), (2, false));
        assert_eq!(l.stages.len(), 2);
        let km: f64 = l.stages.iter().map(|s| s.distance_m).sum();
        assert!((km - l.distance_m).abs() < 1.0);
        let climb: f64 = l.stages.iter().map(|s| s.ascent_m).sum();
        assert!(
            (climb - l.ascent_m).abs() < 1.0,
            "{climb} vs {}",
            l.ascent_m
        );
        // The days cut the line where the night is, and cover it all.
        assert_eq!(l.stages[0].start_index, 0);
        assert_eq!(l.stages[0].end_index, l.stages[1].start_index);
        assert_eq!(l.stages[1].end_index, l.geometry.len() - 1);
        let night = l.stages[0].night.as_ref().expect("a night after day 1");
        let place = night.place.as_ref().expect("at a place, not the trailhead");
        assert!(p.overnight.contains(&place.kind), "{:?}", place.kind);
        // The day ends at the place's node, or the walk off to it is counted.
        let at = l.geometry[l.stages[0].end_index];
        assert!(
            distance_m(at, place.coord) <= night.off_trail_m + 1.0,
            "{at:?} is {} m from {:?}, off trail {}",
            distance_m(at, place.coord),
            place.coord,
            night.off_trail_m
        );
        assert!(l.stages[1].night.is_none());
        for s in &l.stages {
            assert!(s.distance_m + s.off_trail_m <= 22_000.0 * (1.0 + 1e-6));
        }
        let hours: Vec<f64> = l.stages.iter().map(|s| s.duration_h).collect();
        assert!(
            hours[0].max(hours[1]) <= 1.5 * hours[0].min(hours[1]) + 1e-6,
            "{hours:?}"
        );
    }
}

#[test]
fn a_base_camp_trip_is_one_loop_a_day_from_the_trailhead() {
    let origin = Coord {
        lon: 1.5211,
        lat: 42.5078,
    };
    let mut p = params(30.0);
    p.days = 2;
    p.base_camp = true;
    // No place to sleep is allowed but the car park.
    p.overnight = Vec::new();
    let out = plan(
        &NETWORK,
        &candidates(origin, 15_000.0, 6),
        &p,
        &Limits::none(),
    )
    .unwrap();
    assert!(!out.loops.is_empty());
    for l in &out.loops {
        assert!(l.base_camp);
        assert_eq!(l.stages.len(), 2);
        let node = l.geometry[l.stages[0].end_index];
        assert_eq!(node, l.geometry[0], "day 1 ends where it began");
        let night = l.stages[0].night.as_ref().unwrap();
        assert!(night.place.is_none(), "the night is at the trailhead");
        assert!(l.length_error <= 0.05 + 1e-9, "{}", l.length_error);
        let km: f64 = l.stages.iter().map(|s| s.distance_m).sum();
        assert!((km - l.distance_m).abs() < 1.0);
    }
}

#[test]
fn the_same_request_gives_the_same_loops() {
    let origin = Coord {
        lon: 1.60,
        lat: 42.55,
    };
    let cands = candidates(origin, 12_000.0, 6);
    let a = plan(&NETWORK, &cands, &params(12.0), &Limits::none()).unwrap();
    let b = plan(&NETWORK, &cands, &params(12.0), &Limits::none()).unwrap();
    assert_eq!(a.loops, b.loops);
}

#[test]
fn a_hard_sac_limit_keeps_loops_off_harder_trails() {
    let origin = Coord {
        lon: 1.5211,
        lat: 42.5078,
    };
    let mut p = params(15.0);
    p.preferences.max_sac_grade = Some(trailloop_osm::SacScale::Hiking.grade());
    let out = plan(
        &NETWORK,
        &candidates(origin, 15_000.0, 8),
        &p,
        &Limits::none(),
    )
    .unwrap();
    assert!(!out.loops.is_empty());
    for l in &out.loops {
        assert!(l
            .max_sac_scale
            .is_none_or(|s| s <= trailloop_osm::SacScale::Hiking));
    }
}

#[test]
fn a_raised_cancel_flag_ends_planning_with_a_timeout() {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let limits = Limits {
        deadline: None,
        cancel: Some(flag),
    };
    let cands = candidates(
        Coord {
            lon: 1.5211,
            lat: 42.5078,
        },
        15_000.0,
        4,
    );
    assert!(matches!(
        plan(&NETWORK, &cands, &params(10.0), &limits),
        Err(PlanError::TimeBudget)
    ));
}

/// A request whose range reaches beyond the near drive solves first exactly what the
/// near request would, then at most a quarter as many again.
#[test]
fn a_wide_range_solves_the_near_requests_starts_first() {
    use trailloop_drive::DriveLimit;
    let origin = Coord {
        lon: 1.5211,
        lat: 42.5078,
    };
    let near = DriveLimit {
        metres: 15_000.0,
        seconds: f64::INFINITY,
    };
    let with_share = |starts: Vec<TrailheadStart>, limit_km: f64| -> Vec<TrailheadStart> {
        starts
            .into_iter()
            .filter(|s| s.drive.km <= limit_km)
            .map(|s| TrailheadStart {
                drive_share: s.drive.km / limit_km,
                ..s
            })
            .collect()
    };
    let all = candidates(origin, 40_000.0, usize::MAX);
    let ids = |v: &[TrailheadStart]| v.iter().map(|s| s.trailhead.id).collect::<Vec<_>>();
    let params = params(15.0);
    let road = 0.8;
    let n = 12;
    let near_request = trailheads::choose(with_share(all.clone(), 15.0), &params, road, n, None);
    assert_eq!(near_request.len(), n);
    let wide = trailheads::choose(with_share(all.clone(), 50.0), &params, road, n, Some(&near));
    assert_eq!(
        ids(&wide[..n]),
        ids(&near_request),
        "the near request's starts first"
    );
    assert!(
        wide.len() > n && wide.len() <= n + n / 4,
        "{} starts",
        wide.len()
    );
    // Weighed by promise alone, the wide range would have crowded some of them out.
    let alone = trailheads::choose(with_share(all, 50.0), &params, road, n, None);
    assert_eq!(alone.len(), n);
    assert!(ids(&near_request)
        .iter()
        .any(|id| !ids(&alone).contains(id)));
}
