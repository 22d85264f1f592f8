//! What the service keeps of each region besides its tiles: the trailheads (with their
//! potentials) of its live import and its road graph for the drive to them, loaded on
//! first use and replaced together when the region's import changes. A request's
//! database work is then one small query for the regions' versions; the trailheads in
//! reach are found in memory. While the database is away the regions held answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use prometheus::IntGauge;

use trailloop_drive::DriveGraph;
use trailloop_geo::{self as geo, distance_m, Coord};

use crate::domain::TrailheadRecord;
use crate::store::{ImportOrigin, NamedPlace, RegionInfo, Store, StoreError};

/// One region's trailheads.
#[derive(Debug)]
pub struct RegionIndex {
    /// The import they belong to.
    pub info: RegionInfo,
    /// By id.
    pub trailheads: Vec<TrailheadRecord>,
    /// The roads cars drive (empty for an import made before roads were).
    pub drive: DriveGraph,
    /// Its named trailheads, highlights and places to sleep, once each by name and
    /// kind, with their names folded for the place search.
    pub names: Vec<SearchName>,
    /// Where the import's data came from: attribution and report.
    pub origin: ImportOrigin,
}

/// A name the place search finds.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchName {
    /// `name` lower-cased without accents ([`fold`]).
    pub folded: String,
    /// The place, as the store has it.
    pub place: NamedPlace,
}

/// `s` lower-cased without accents, for matching names as typed.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The search names of a region's trailheads and places: one per name and kind (a car
/// park mapped twice, a lake's parts), folded once at load rather than per search.
fn search_names(trailheads: &[TrailheadRecord], places: Vec<NamedPlace>) -> Vec<SearchName> {
    let named = trailheads.iter().filter_map(|t| {
        Some(NamedPlace {
            name: t.name.clone()?,
            kind: t.kind.as_str().into(),
            coord: t.coord,
        })
    });
    let mut seen = std::collections::HashSet::new();
    named
        .chain(places)
        .filter(|p| seen.insert((p.name.clone(), p.kind.clone())))
        .map(|place| SearchName {
            folded: fold(&place.name),
            place,
        })
        .collect()
}

impl RegionIndex {
    fn bytes(&self) -> usize {
        self.drive.bytes()
            + self
                .names
                .iter()
                .map(|n| {
                    std::mem::size_of_val(n)
                        + n.folded.capacity()
                        + n.place.name.capacity()
                        + n.place.kind.capacity()
                })
                .sum::<usize>()
            + self
                .trailheads
                .iter()
                .map(|t| {
                    std::mem::size_of::<TrailheadRecord>()
                        + t.name.as_ref().map_or(0, String::capacity)
                })
                .sum::<usize>()
    }
}

/// How long the version check may take when regions are held: past it the database
/// counts as away for this request, and the held regions answer.
const CHECK_TIMEOUT: Duration = Duration::from_millis(250);

/// After the database failed a check, requests plan from the held regions this long
/// before one tries it again (so that each does not wait on a database that is away).
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// The live regions' indexes.
pub struct RegionCache {
    regions: Mutex<HashMap<String, Arc<RegionIndex>>>,
    /// When the database last failed the version check, while it has not answered since.
    away_since: Mutex<Option<(Instant, Instant)>>,
    /// 1 while the database is away and the held regions answer (`store_degraded`).
    degraded: IntGauge,
}

impl RegionCache {
    /// An empty cache, reporting the database away on `degraded`.
    pub fn new(degraded: IntGauge) -> RegionCache {
        RegionCache {
            regions: Mutex::default(),
            away_since: Mutex::default(),
            degraded,
        }
    }

    /// How many regions' trailheads and road graphs are held.
    pub fn held(&self) -> usize {
        self.regions.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Since when the database has been away (the held regions answer), if it is.
    pub fn away_since(&self) -> Option<Instant> {
        self.away().map(|(since, _)| since)
    }

    fn away(&self) -> Option<(Instant, Instant)> {
        *self.away_since.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The regions held now, without asking the database whether they are current.
    pub fn held_now(&self) -> Vec<Arc<RegionIndex>> {
        self.held_all()
    }

    /// The attribution of an answer from the named regions (see
    /// [`crate::store::combined_attribution`]).
    pub fn attribution_of<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> String {
        let held = self.held_all();
        let names: Vec<&str> = names.into_iter().collect();
        crate::store::combined_attribution(
            held.iter()
                .filter(|r| names.contains(&r.info.version.region.as_str()))
                .map(|r| &r.origin),
        )
    }

    /// The attribution of an answer showing the area from `south_west` to `north_east`:
    /// that of every region whose box meets it.
    pub fn attribution_in(&self, south_west: Coord, north_east: Coord) -> String {
        let held = self.held_all();
        crate::store::combined_attribution(
            held.iter()
                .filter(|r| {
                    let i = &r.info;
                    i.south_west.lon <= north_east.lon
                        && i.north_east.lon >= south_west.lon
                        && i.south_west.lat <= north_east.lat
                        && i.north_east.lat >= south_west.lat
                })
                .map(|r| &r.origin),
        )
    }

    fn held_all(&self) -> Vec<Arc<RegionIndex>> {
        let map = self.regions.lock().unwrap_or_else(|p| p.into_inner());
        let mut held: Vec<Arc<RegionIndex>> = map.values().cloned().collect();
        held.sort_by(|a, b| a.info.version.region.cmp(&b.info.version.region));
        held
    }

    /// The database failed the version check: the held regions answer until it is back.
    fn went_away(&self, why: &str) {
        let now = Instant::now();
        let mut away = self.away_since.lock().unwrap_or_else(|p| p.into_inner());
        if away.is_none() {
            tracing::warn!(
                error = why,
                "the database cannot be reached: planning from the network held in memory"
            );
            self.degraded.set(1);
        }
        *away = Some((away.map_or(now, |(since, _)| since), now));
    }

    fn came_back(&self) {
        let mut away = self.away_since.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((since, _)) = away.take() {
            tracing::info!(
                away_s = since.elapsed().as_secs_f64(),
                "the database answers again"
            );
            self.degraded.set(0);
        }
    }

    /// The indexes of the regions the store serves now, loading those that are new or
    /// whose import changed. While the database is away (it fails the check, or does
    /// not answer it within [`CHECK_TIMEOUT`]) the regions held answer, as of the last
    /// import known; it is tried again every [`RETRY_EVERY`]. Only a region never
    /// loaded needs the database.
    pub async fn current(&self, store: &Store) -> Result<Vec<Arc<RegionIndex>>, StoreError> {
        // The held regions are gathered only when the database fails them, not on every
        // request.
        let holds = self.held() > 0;
        if holds
            && self
                .away()
                .is_some_and(|(_, last)| last.elapsed() < RETRY_EVERY)
        {
            return Ok(self.held_all());
        }
        let checked = if !holds {
            store.region_versions().await
        } else {
            tokio::time::timeout(CHECK_TIMEOUT, store.region_versions())
                .await
                .unwrap_or_else(|_| {
                    Err(StoreError::Unavailable(format!(
                        "the region versions took longer than {} ms",
                        CHECK_TIMEOUT.as_millis()
                    )))
                })
        };
        let infos = match checked {
            Ok(infos) => {
                self.came_back();
                infos
            }
            Err(StoreError::Unavailable(why)) if holds => {
                self.went_away(&why);
                return Ok(self.held_all());
            }
            Err(e) => return Err(e),
        };
        let mut out = Vec::with_capacity(infos.len());
        for info in infos {
            let held = {
                let map = self.regions.lock().unwrap_or_else(|p| p.into_inner());
                map.get(&info.version.region).cloned()
            };
            let index = match held {
                Some(index) if index.info.version == info.version => index,
                _ => {
                    let data = store.region_data(&info.version.region).await?;
                    let version = data.version;
                    if version != info.version {
                        return Err(StoreError::Stale(format!(
                            "{} changed while its trailheads were read",
                            version.region
                        )));
                    }
                    let origin = data.origin;
                    let trailheads = data.trailheads;
                    let places = data.places;
                    let roads = data.roads;
                    let (trailheads, drive, names) = tokio::task::spawn_blocking(move || {
                        let names = search_names(&trailheads, places);
                        (trailheads, DriveGraph::new(&roads), names)
                    })
                    .await
                    .map_err(|e| StoreError::Other(e.into()))?;
                    let index = Arc::new(RegionIndex {
                        info,
                        trailheads,
                        drive,
                        names,
                        origin,
                    });
                    tracing::info!(
                        region = %index.info.version.region,
                        import = index.info.version.import_id,
                        trailheads = index.trailheads.len(),
                        road_edges = index.drive.edge_count(),
                        bytes = index.bytes(),
                        "loaded the region's trailheads"
                    );
                    let mut map = self.regions.lock().unwrap_or_else(|p| p.into_inner());
                    map.insert(index.info.version.region.clone(), index.clone());
                    index
                }
            };
            out.push(index);
        }
        // Regions no longer served are forgotten.
        let mut map = self.regions.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|name, _| out.iter().any(|i| &i.info.version.region == name));
        Ok(out)
    }
}

/// The trailheads of `regions` within `radius_m` of `origin` (geodesic), nearest first
/// (ties by region and id), at most `limit`, each with its distance.
pub fn within(
    regions: &[Arc<RegionIndex>],
    origin: Coord,
    radius_m: f64,
    limit: usize,
) -> Vec<TrailheadRecord> {
    let (dlon, dlat) = geo::box_half_degrees(origin.lat, radius_m);
    let mut found: Vec<TrailheadRecord> = Vec::new();
    for r in regions {
        let (sw, ne) = (r.info.south_west, r.info.north_east);
        if origin.lat + dlat < sw.lat
            || origin.lat - dlat > ne.lat
            || origin.lon + dlon < sw.lon
            || origin.lon - dlon > ne.lon
        {
            continue;
        }
        for t in &r.trailheads {
            // A box first: the geodesic is the costly part.
            if (t.coord.lat - origin.lat).abs() > dlat || (t.coord.lon - origin.lon).abs() > dlon {
                continue;
            }
            let d = distance_m(origin, t.coord);
            if d <= radius_m {
                found.push(TrailheadRecord {
                    distance_m: d,
                    ..t.clone()
                });
            }
        }
    }
    found.sort_by(|a, b| {
        a.distance_m
            .total_cmp(&b.distance_m)
            .then_with(|| a.version.cmp(&b.version))
            .then(a.id.cmp(&b.id))
    });
    found.truncate(limit);
    found
}

/// One trailhead by id (ids are unique across regions in PostGIS; embedded there is one
/// region), with its distance from `origin`.
pub fn by_id(regions: &[Arc<RegionIndex>], id: i64, origin: Coord) -> Option<TrailheadRecord> {
    regions.iter().find_map(|r| {
        let i = r.trailheads.binary_search_by_key(&id, |t| t.id).ok()?;
        let t = &r.trailheads[i];
        Some(TrailheadRecord {
            distance_m: distance_m(origin, t.coord),
            ..t.clone()
        })
    })
}
