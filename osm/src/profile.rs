//! The hiking profile: a data-driven table (in the spirit of BRouter profiles and
//! GraphHopper's custom models) of what a metre of each kind of way costs a hiker beyond
//! an ideal trail, by `highway`, `surface`, `trail_visibility` and `sac_scale`. The
//! default is `profiles/hiking.toml`, compiled in; a deployment may load its own.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{Highway, SacScale};

/// The profile shipped with TrailLoop.
pub const HIKING_TOML: &str = include_str!("../profiles/hiking.toml");

/// Costs per metre by tag value; see `profiles/hiking.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// By `highway=*`.
    pub highway: BTreeMap<Highway, f64>,
    /// By `surface=*`.
    #[serde(default)]
    pub surface: BTreeMap<String, f64>,
    /// By `trail_visibility=*`.
    #[serde(default)]
    pub trail_visibility: BTreeMap<String, f64>,
    /// By `sac_scale=*`.
    #[serde(default)]
    pub sac_scale: BTreeMap<SacScale, f64>,
}

/// Why a profile was refused.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Not TOML of the profile's shape.
    #[error("the profile does not parse: {0}")]
    Syntax(#[from] toml::de::Error),
    /// A cost that is negative or not finite.
    #[error("the profile's cost for {0} must be a finite number of at least 0")]
    Cost(String),
}

impl Profile {
    /// The default hiking profile.
    pub fn hiking() -> Profile {
        Profile::from_toml(HIKING_TOML).expect("the shipped profile parses")
    }

    /// A profile from TOML text.
    pub fn from_toml(text: &str) -> Result<Profile, ProfileError> {
        let p: Profile = toml::from_str(text)?;
        let costs = p
            .highway
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), *v))
            .chain(p.surface.iter().map(|(k, v)| (k.clone(), *v)))
            .chain(p.trail_visibility.iter().map(|(k, v)| (k.clone(), *v)))
            .chain(
                p.sac_scale
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), *v)),
            );
        for (name, cost) in costs {
            if !(cost.is_finite() && cost >= 0.0) {
                return Err(ProfileError::Cost(name));
            }
        }
        Ok(p)
    }

    /// What a metre of a way with these tags costs.
    pub fn cost_per_m(
        &self,
        highway: Highway,
        surface: Option<&str>,
        trail_visibility: Option<&str>,
        sac_scale: Option<SacScale>,
    ) -> f64 {
        let by = |map: &BTreeMap<String, f64>, v: Option<&str>| {
            v.and_then(|v| map.get(v)).copied().unwrap_or(0.0)
        };
        self.highway.get(&highway).copied().unwrap_or(0.0)
            + by(&self.surface, surface)
            + by(&self.trail_visibility, trail_visibility)
            + sac_scale
                .and_then(|s| self.sac_scale.get(&s))
                .copied()
                .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_profile_puts_paths_first_and_busy_roads_last() {
        let p = Profile::hiking();
        let cost = |h| p.cost_per_m(h, None, None, None);
        assert_eq!(cost(Highway::Path), 0.0);
        assert!(cost(Highway::Path) < cost(Highway::Track));
        assert!(cost(Highway::Track) < cost(Highway::Residential));
        assert!(cost(Highway::Residential) < cost(Highway::Tertiary));
        let paved_track = p.cost_per_m(Highway::Track, Some("asphalt"), None, None);
        assert!(paved_track > cost(Highway::Track));
        assert!(p.cost_per_m(Highway::Path, None, Some("no"), None) > 0.0);
        assert!(p.cost_per_m(Highway::Path, None, None, Some(SacScale::AlpineHiking)) > 0.0);
    }

    #[test]
    fn negative_or_unknown_entries_are_refused() {
        assert!(matches!(
            Profile::from_toml("[highway]\npath = -1\n"),
            Err(ProfileError::Cost(_))
        ));
        assert!(Profile::from_toml("[highway]\nmotorway = 1\n").is_err());
        assert!(Profile::from_toml("[highway]\npath = 0\n[colour]\nred = 1\n").is_err());
    }
}
