//! Closure classes: what may close a way to walkers on some dates (its conditional
//! restrictions and season, [`WayConditions`]), as the solver's graph carries it. Each
//! import of a region numbers its own ([`ClosureClasses`], held by the tile cache beside
//! the region's tiles and dropped with them): each distinct set of conditions met in
//! the region gets a class of its own, 1..=63, in the order its tiles are built; the rest
//! share class 64. A dated request closes the classes that are closed on one of its days
//! ([`ClosureClasses::closed_on`]), and the solver does not walk their edges. Most ways
//! have no conditions (class 0) and cost nothing.
//!
//! Classes are numbered per region and process, which is why tiles are built here from
//! their records (never stored built).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::NaiveDateTime;
use trailloop_osm::WayConditions;

use crate::dates::way_closed;

/// Classes of their own; the rest share [`SHARED`].
const OWN: usize = 63;
/// The class the conditions met after the first [`OWN`] share.
const SHARED: u8 = 64;
/// Most answers of [`ClosureClasses::closed_on`] remembered (then all are forgotten at
/// once).
const MEMO: usize = 4096;

/// Walking windows, local times, one a day.
pub type Windows = Vec<(NaiveDateTime, NaiveDateTime)>;

/// The closure classes of one import of a region.
#[derive(Default)]
pub struct ClosureClasses {
    registry: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    /// Class `i + 1` for the first [`OWN`]; the rest in class [`SHARED`].
    classes: Vec<WayConditions>,
    index: HashMap<WayConditions, u8>,
    /// What [`ClosureClasses::closed_on`] answered, by windows and hemisphere, with the
    /// number of conditions known then.
    memo: HashMap<(Windows, bool), (usize, u64)>,
}

impl std::fmt::Debug for ClosureClasses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClosureClasses")
            .field("classes", &self.registry().classes.len())
            .finish()
    }
}

impl ClosureClasses {
    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        // The registry holds no invariant a panic elsewhere could break half-way.
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The closure class of a way with conditions `c`: 0 when nothing may close it.
    pub fn class_of(&self, c: &WayConditions) -> u8 {
        if c.is_empty() {
            return 0;
        }
        let mut r = self.registry();
        if let Some(&class) = r.index.get(c) {
            return class;
        }
        let class = if r.classes.len() < OWN {
            r.classes.len() as u8 + 1
        } else {
            SHARED
        };
        r.classes.push(c.clone());
        r.index.insert(c.clone(), class);
        class
    }

    /// The classes closed to walkers at some time in one of `windows` (one bit each,
    /// bit `c - 1` for class `c`); `south` for a trip south of the equator (named
    /// seasons). The shared class is closed when any of its conditions is.
    pub fn closed_on(&self, windows: &[(NaiveDateTime, NaiveDateTime)], south: bool) -> u64 {
        let key = (windows.to_vec(), south);
        let classes = {
            let r = self.registry();
            match r.memo.get(&key) {
                Some(&(known, mask)) if known == r.classes.len() => return mask,
                _ => r.classes.clone(),
            }
        };
        // Evaluated without the lock: tiles being built meanwhile must not wait on it.
        let lat = if south { -45.0 } else { 45.0 };
        let mut mask = 0u64;
        for (i, c) in classes.iter().enumerate() {
            let class = if i < OWN { i as u8 + 1 } else { SHARED };
            let bit = trailloop_solver::closure_bit(class);
            if mask & bit == 0
                && windows
                    .iter()
                    .any(|&(from, to)| way_closed(c, from, to, lat))
            {
                mask |= bit;
            }
        }
        let mut r = self.registry();
        if r.memo.len() >= MEMO {
            r.memo.clear();
        }
        r.memo.insert(key, (classes.len(), mask));
        mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> (NaiveDateTime, NaiveDateTime) {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        (
            date.and_hms_opt(8, 0, 0).unwrap(),
            date.and_hms_opt(17, 0, 0).unwrap(),
        )
    }

    #[test]
    fn a_way_closed_in_winter_is_closed_on_a_december_trip_only() {
        let winter = WayConditions {
            foot_conditional: Some("no @ (Nov-Apr)".into()),
            ..WayConditions::default()
        };
        let night = WayConditions {
            foot_conditional: Some("no @ (22:00-06:00)".into()),
            ..WayConditions::default()
        };
        let region = ClosureClasses::default();
        let class_of = |c: &WayConditions| region.class_of(c);
        let closed_on = |w: &[(NaiveDateTime, NaiveDateTime)], south| region.closed_on(w, south);
        assert_eq!(class_of(&WayConditions::default()), 0);
        let (a, b) = (class_of(&winter), class_of(&night));
        assert!(a >= 1 && b >= 1 && a != b, "{a} {b}");
        assert_eq!(
            class_of(&winter.clone()),
            a,
            "the same conditions, the same class"
        );
        let bit = |c| trailloop_solver::closure_bit(c);
        let december = closed_on(&[day(2026, 12, 15)], false);
        assert_ne!(december & bit(a), 0);
        assert_eq!(december & bit(b), 0, "closed at night only");
        assert_eq!(closed_on(&[day(2026, 7, 15)], false) & bit(a), 0);
        // A trip from the last day of April into May walks no way closed on its first.
        let across = closed_on(&[day(2026, 4, 30), day(2026, 5, 1)], false);
        assert_ne!(across & bit(a), 0);
        // Remembered answers follow new classes.
        let later = WayConditions {
            access_conditional: Some("no @ (Dec 01-Dec 31)".into()),
            ..WayConditions::default()
        };
        let c = class_of(&later);
        assert_ne!(closed_on(&[day(2026, 12, 15)], false) & bit(c), 0);
    }

    #[test]
    fn each_region_numbers_its_own_classes() {
        let winter = WayConditions {
            foot_conditional: Some("no @ (Nov-Apr)".into()),
            ..WayConditions::default()
        };
        let summer = WayConditions {
            foot_conditional: Some("no @ (May-Oct)".into()),
            ..WayConditions::default()
        };
        let (a, b) = (ClosureClasses::default(), ClosureClasses::default());
        assert_eq!(a.class_of(&winter), 1);
        assert_eq!(b.class_of(&summer), 1, "a region's first class is its own");
        let december = [day(2026, 12, 15)];
        assert_eq!(
            a.closed_on(&december, false),
            trailloop_solver::closure_bit(1)
        );
        assert_eq!(b.closed_on(&december, false), 0);
        // The 64th and later conditions of a region share one class.
        let many = ClosureClasses::default();
        let classes: Vec<u8> = (0..70)
            .map(|i| {
                many.class_of(&WayConditions {
                    foot_conditional: Some(format!("no @ (Jan {:02})", i % 28 + 1)),
                    access_conditional: Some(format!("no @ ({i:02}:00-{i:02}:30)")),
                    ..WayConditions::default()
                })
            })
            .collect();
        assert_eq!(classes[62], 63);
        assert!(classes[63..].iter().all(|&c| c == SHARED));
    }
}
