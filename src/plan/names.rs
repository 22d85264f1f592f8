//! A name for each loop of an answer that a hiker recognises, made only from what the
//! loop passes: its best-known highlights (peaks first, then lakes, waterfalls, huts
//! and viewpoints), else its longest named trail, then its trailhead: "Estany de
//! l'Illa and Pic de la Portelleta from Aparcament del Grau Roig". Alternatives of one
//! answer never share a name: a later one takes other highlights, a trail it follows,
//! and at last its length.

use trailloop_osm::HighlightKind;

use super::PlannedLoop;

/// What a loop's name may be made of.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Namable {
    /// Named highlights in walking order: kind, name, elevation.
    pub highlights: Vec<(HighlightKind, String, Option<f64>)>,
    /// Named trails (not roads), with the km walked on each.
    pub trails: Vec<(String, f64)>,
    /// The trailhead's name.
    pub trailhead: Option<String>,
    /// Length, km.
    pub distance_km: f64,
}

impl Namable {
    pub(crate) fn of(l: &PlannedLoop) -> Namable {
        let mut trails: Vec<(String, f64)> = Vec::new();
        for s in &l.segments {
            let Some(name) = s.name.as_ref().filter(|_| !s.highway.is_road()) else {
                continue;
            };
            match trails.iter_mut().find(|(n, _)| n == name) {
                Some(t) => t.1 += s.distance_km,
                None => trails.push((name.clone(), s.distance_km)),
            }
        }
        Namable {
            highlights: l
                .highlights
                .iter()
                .filter_map(|h| Some((h.kind, h.name.clone()?, h.elevation_m)))
                .collect(),
            trails,
            trailhead: l.trailhead.trailhead.name.clone(),
            distance_km: l.distance_m / 1000.0,
        }
    }
}

/// How well known a kind of highlight is, for a name: peaks first.
fn standing(kind: HighlightKind, elevation: Option<f64>) -> f64 {
    match kind {
        // Higher peaks are better known; 0..1 for 0..4000 m.
        HighlightKind::Peak => 5.0 + elevation.unwrap_or(0.0).clamp(0.0, 4000.0) / 4000.0,
        HighlightKind::Lake => 4.0,
        HighlightKind::Waterfall => 3.0,
        HighlightKind::Hut => 2.0,
        HighlightKind::Viewpoint => 1.0,
    }
}

/// The titles a loop could have, best first, without their trailhead: a title that
/// holds the trailhead's name is left out ("Pic X from Pic X" says nothing).
fn titles(n: &Namable) -> Vec<String> {
    // Distinct highlight names, best known first, with their place along the loop.
    let mut known: Vec<(f64, usize, &str)> = Vec::new();
    for (i, (kind, name, elevation)) in n.highlights.iter().enumerate() {
        if !known.iter().any(|k| k.2 == name) {
            known.push((standing(*kind, *elevation), i, name));
        }
    }
    known.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    known.truncate(4);
    let mut trails: Vec<&(String, f64)> = n
        .trails
        .iter()
        .filter(|(t, _)| !known.iter().any(|k| k.2 == t))
        .collect();
    trails.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = Vec::new();
    // Pairs in walking order, then single highlights, then trails.
    for i in 0..known.len() {
        for j in i + 1..known.len() {
            let (a, b) = if known[i].1 < known[j].1 {
                (known[i].2, known[j].2)
            } else {
                (known[j].2, known[i].2)
            };
            out.push(format!("{a} and {b}"));
        }
    }
    out.extend(known.iter().map(|k| k.2.to_owned()));
    out.extend(trails.iter().map(|(t, _)| t.clone()));
    if let Some(t) = &n.trailhead {
        out.retain(|title| !title.contains(t.as_str()));
    }
    out.push("Loop".to_owned());
    out
}

/// A title with its trailhead: every loop's name ends "from <trailhead>" when the
/// trailhead has a name (every trailhead of a region imported since they all do).
fn with_start(title: &str, n: &Namable) -> String {
    match &n.trailhead {
        Some(t) => format!("{title} from {t}"),
        None if title == "Loop" => format!("{:.1} km loop", n.distance_km),
        None => title.to_owned(),
    }
}

/// Names for `loops`, best first, none twice.
pub(crate) fn names(loops: &[Namable]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::with_capacity(loops.len());
    for n in loops {
        let options = titles(n);
        let mut name = options
            .iter()
            .map(|title| with_start(title, n))
            .find(|c| !taken.contains(c))
            .unwrap_or_else(|| {
                // Every name of its own is taken: the first with a trail it follows,
                // then with its length.
                let first = &options[0];
                n.trails
                    .iter()
                    .filter(|(t, _)| !first.contains(t.as_str()))
                    .map(|(t, _)| with_start(&format!("{first} via {t}"), n))
                    .find(|c| !taken.contains(c))
                    .unwrap_or_else(|| with_start(&format!("{first}, {:.1} km", n.distance_km), n))
            });
        // Two loops of one length and the same everything: the rank tells them apart.
        let mut k = 2;
        while taken.contains(&name) {
            name = with_start(&format!("{}, {:.1} km ({k})", options[0], n.distance_km), n);
            k += 1;
        }
        taken.push(name);
    }
    taken
}

/// Names every loop of an answer (best first).
pub(crate) fn name_all(loops: &mut [PlannedLoop]) {
    let namable: Vec<Namable> = loops.iter().map(Namable::of).collect();
    for (l, name) in loops.iter_mut().zip(names(&namable)) {
        l.name = name;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loop_of(
        highlights: &[(HighlightKind, &str, Option<f64>)],
        trails: &[(&str, f64)],
    ) -> Namable {
        Namable {
            highlights: highlights
                .iter()
                .map(|(k, n, e)| (*k, n.to_string(), *e))
                .collect(),
            trails: trails.iter().map(|(n, km)| (n.to_string(), *km)).collect(),
            trailhead: Some("Coll d'Ordino".into()),
            distance_km: 12.34,
        }
    }

    #[test]
    fn the_best_known_highlights_name_a_loop_in_walking_order() {
        let l = loop_of(
            &[
                (HighlightKind::Viewpoint, "Mirador", None),
                (HighlightKind::Lake, "Estany Primer", None),
                (HighlightKind::Peak, "Pic de Casamanya", Some(2740.0)),
            ],
            &[("GR 11", 5.0)],
        );
        assert_eq!(
            names(&[l]),
            ["Estany Primer and Pic de Casamanya from Coll d'Ordino"]
        );
    }

    #[test]
    fn without_highlights_the_longest_trail_names_it_then_the_trailhead() {
        let l = loop_of(&[], &[("Cami de la Llosa", 2.0), ("GR 11", 5.0)]);
        assert_eq!(names(&[l]), ["GR 11 from Coll d'Ordino"]);
        let bare = Namable {
            trailhead: None,
            ..loop_of(&[], &[])
        };
        assert_eq!(names(&[bare]), ["12.3 km loop"]);
        assert_eq!(names(&[loop_of(&[], &[])]), ["Loop from Coll d'Ordino"]);
    }

    #[test]
    fn a_title_holding_the_trailheads_name_is_not_its_name() {
        let mut l = loop_of(
            &[(HighlightKind::Lake, "Estany Primer", None)],
            &[("GR 11", 5.0)],
        );
        l.trailhead = Some("Estany Primer".into());
        assert_eq!(names(&[l]), ["GR 11 from Estany Primer"]);
    }

    #[test]
    fn alternatives_never_share_a_name() {
        let peak = (HighlightKind::Peak, "Pic del Maia", Some(2500.0));
        let lake = (HighlightKind::Lake, "Estany Gran", None);
        let hut = (HighlightKind::Hut, "Refugi de Sorteny", None);
        let loops = vec![
            loop_of(&[peak, lake], &[("GR 11", 4.0)]),
            loop_of(&[peak, lake, hut], &[("GR 11", 4.0)]),
            loop_of(&[peak, lake], &[("GR 11", 4.0), ("HRP", 3.0)]),
            loop_of(&[peak, lake], &[("GR 11", 4.0)]),
            loop_of(&[], &[]),
            loop_of(&[], &[]),
        ];
        let got = names(&loops);
        let mut unique = got.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), got.len(), "{got:?}");
        for name in &got {
            assert!(name.ends_with(" from Coll d'Ordino"), "{name}");
        }
        assert_eq!(got[0], "Pic del Maia and Estany Gran from Coll d'Ordino");
        // The second takes another pair of what it passes.
        assert_eq!(
            got[1],
            "Pic del Maia and Refugi de Sorteny from Coll d'Ordino"
        );
        // Every name is made of the loop's own names.
        for (name, l) in got.iter().zip(&loops) {
            let words: Vec<&str> = l
                .highlights
                .iter()
                .map(|h| h.1.as_str())
                .chain(l.trails.iter().map(|t| t.0.as_str()))
                .chain(l.trailhead.as_deref())
                .collect();
            assert!(
                words.iter().any(|w| name.contains(w)),
                "{name} is made of {words:?}"
            );
        }
    }
}
