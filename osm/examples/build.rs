//! Builds the network of a PBF extract and prints timings and counts.
//!
//! `cargo run --release -p trailloop-osm --example build -- data/andorra.osm.pbf [tile.hgt.zip...]`

use std::collections::BTreeMap;
use std::time::Instant;

use trailloop_osm::{build_trail_data, BuildOptions, Dem, Highway, TrailData};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_target(false).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((pbf, tiles)) = args.split_first() else {
        return Err("usage: build <extract.osm.pbf> [tile.hgt[.zip]...]".into());
    };

    let started = Instant::now();
    let mut options = BuildOptions::default();
    if !tiles.is_empty() {
        options.dem = Some(Dem::open(tiles)?);
    }
    let dem_time = started.elapsed();
    let network = build_trail_data(pbf.as_ref(), &options)?;
    let total = started.elapsed();

    let mut by_class: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    for e in &network.edges {
        let entry = by_class.entry(e.highway.as_str()).or_default();
        entry.0 += 1;
        entry.1 += e.length_m / 1000.0;
    }
    for (class, (n, km)) in &by_class {
        println!("{class:>14}: {n:6} edges {km:9.1} km");
    }
    let km: f64 = network.edges.iter().map(|e| e.length_m).sum::<f64>() / 1000.0;
    let ascent: f64 = network.edges.iter().map(|e| e.ascent_m).sum();
    let descent: f64 = network.edges.iter().map(|e| e.descent_m).sum();
    println!(
        "nodes {} edges {} ({km:.1} km) trailheads {} pois {}",
        network.nodes.len(),
        network.edges.len(),
        network.trailheads.len(),
        network.pois.len()
    );
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &network.trailheads {
        *kinds.entry(t.kind.as_str()).or_default() += 1;
    }
    println!("trailheads by kind: {kinds:?}");
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &network.pois {
        *kinds.entry(p.kind.as_str()).or_default() += 1;
    }
    println!("POIs by kind: {kinds:?}");
    let km = |f: fn(&trailloop_osm::NatureShare) -> f32| -> f64 {
        network
            .edges
            .iter()
            .map(|e| e.length_m * f64::from(f(&e.nature)))
            .sum::<f64>()
            / 1000.0
    };
    println!(
        "nature km: any {:.1}, forest {:.1}, beside water {:.1}, open {:.1}, protected {:.1} ({} land areas)",
        km(|n| n.any),
        km(|n| n.forest),
        km(|n| n.water),
        km(|n| n.open),
        km(|n| n.protected),
        network.land.len()
    );
    let mut highlights = std::collections::BTreeMap::<&str, usize>::new();
    for h in &network.highlights {
        *highlights.entry(h.kind.as_str()).or_default() += 1;
    }
    println!("highlights by kind: {highlights:?}");
    println!("ascent {ascent:.0} m descent {descent:.0} m (edge directions as stored)");
    println!(
        "largest component holds {:.1}% of trail length",
        100.0 * largest_component_trail_share(&network)
    );
    println!(
        "DEM load {:.3} s, total {:.3} s",
        dem_time.as_secs_f64(),
        total.as_secs_f64()
    );
    Ok(())
}

/// Share of trail-class length in the connected component holding the most of it.
fn largest_component_trail_share(network: &TrailData) -> f64 {
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut parent: Vec<usize> = (0..network.nodes.len()).collect();
    for e in &network.edges {
        let (a, b) = (
            root(&mut parent, e.source as usize),
            root(&mut parent, e.target as usize),
        );
        parent[a] = b;
    }
    let mut by_root = std::collections::HashMap::<usize, f64>::new();
    let mut total = 0.0;
    for e in network
        .edges
        .iter()
        .filter(|e| !e.highway.is_road() && e.highway != Highway::Pedestrian)
    {
        *by_root
            .entry(root(&mut parent, e.source as usize))
            .or_default() += e.length_m;
        total += e.length_m;
    }
    by_root.values().copied().fold(0.0, f64::max) / total
}
