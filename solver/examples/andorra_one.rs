#[path = "../tests/support/mod.rs"]
mod support;
use trailloop_solver::*;
fn main() {
    let a = support::andorra();
    let args: Vec<String> = std::env::args().collect();
    let q = Query::new(args[1].parse().unwrap(), args[2].parse().unwrap());
    let s = solve(&a.graph, &q, &Limits::none()).unwrap();
    for l in &s.loops {
        eprintln!(
            "e={:.4} s={:.3} c={:.2} {:?} L={:.0}",
            l.length_error, l.sharing, l.compactness, l.kind, l.length_m
        );
    }
    eprintln!("{:?}", s.stats);
}
