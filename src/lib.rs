pub use trailloop_osm; pub use trailloop_solver;
