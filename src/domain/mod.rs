//! Request values checked once, at the edge: a [`Coordinate`] cannot hold latitude 91, a
//! [`DistanceKm`] cannot be negative, NaN or 10,000 km. Handlers only see these types;
//! every rejection names the field it came from.

mod area;
mod coordinate;
mod distance;
mod loop_request;
mod plan_request;
mod records;
mod trailhead_query;

pub use area::{Area, TrailsQuery};
pub use coordinate::Coordinate;
pub use distance::{
    parse_drive_limit, DistanceKm, Tolerance, Units, FT_PER_M, KM_PER_MI, MAX_DRIVE_MINUTES,
};
pub use loop_request::{
    AvoidRoads, Hike, LoopQuery, LoopRequest, LoopRequestBody, OriginBody, PreferencesBody,
    TripDates, DEFAULT_OVERNIGHT,
};
pub use plan_request::{LoopGeometry, SavePlanBody, SavePlanRequest, SavedLoop};
pub use records::{EdgeRecord, PoiRecord, RegionVersion, TileRecords, TrailheadRecord};
pub use trailhead_query::{TrailheadQuery, TrailheadSearch};
// The bounds the checks use, for `/app-config.json` to state them to the page.
pub use distance::MAX_MI;
pub use loop_request::{
    FIRST_DATE, LAST_DATE, MAX_RESULTS, MIN_DAYS, MIN_TARGET_KM, MIN_TARGET_MI,
};
pub use plan_request::MAX_NAME_CHARS;

pub use crate::codes::FieldError;

/// Collects every problem of a request, so that one answer names them all.
#[derive(Debug, Default)]
pub(crate) struct Problems(pub(crate) Vec<FieldError>);

impl Problems {
    /// Keeps the value, or records the error and gives `None`.
    pub(crate) fn check<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    /// The value, or `None` with its errors recorded.
    pub(crate) fn check_all<T>(&mut self, r: Result<T, Vec<FieldError>>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.extend(e);
                None
            }
        }
    }

    /// Records an error.
    pub(crate) fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// `Ok(value)` when nothing was recorded.
    pub(crate) fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self.0)
        }
    }
}
