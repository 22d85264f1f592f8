//! The days a trip is walked, as a leaf that `network` and `plan` both use and that
//! imports nothing of theirs: the sun ([`sun`]: a place's time zone, its sunrise and
//! sunset), whether a place to sleep is open on a night ([`place_open`]) and whether a
//! way is closed to walkers at some time of a day ([`way_closed`]), read from what OSM
//! says of them with the opening-hours grammar they share (`hours`, `seasons`).
//!
//! Times are local times of the place or the way; nothing here changes time zones but
//! [`sun`]. What cannot be read says nothing: an unreadable value leaves a place's
//! openness unknown and does not close a way.

mod hours;
mod places;
mod restrictions;
mod seasons;
pub mod sun;
#[cfg(test)]
mod tests;

pub use hours::Open;
pub use places::{place_open, Opening};
pub use restrictions::way_closed;
