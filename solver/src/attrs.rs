//! What walks are made of: input edges walked in a direction ([`TrailStep`]) and the
//! additive measures of any piece of walk ([`Attrs`]), so that the measures of a walk
//! are sums over its pieces and a move can be priced from prefix sums.

/// One input edge walked in a direction: the unit every path is made of. `edge` is a
/// graph-wide edge index (see `graph`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TrailStep {
    pub edge: u32,
    pub fwd: bool,
}

impl TrailStep {
    /// The same edge walked the other way.
    pub fn reversed(self) -> TrailStep {
        TrailStep {
            edge: self.edge,
            fwd: !self.fwd,
        }
    }
}

/// Additive measures of a walk piece in its forward direction: everything the score
/// reads is a sum over the pieces, so a move is priced from prefix sums in O(1).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Attrs {
    pub len: f64,
    /// Profile cost of the road metres: `sum(road_cost * length)`.
    pub road: f64,
    /// Profile cost of the other metres: `sum(trail_cost * length)`.
    pub trail: f64,
    /// Metres in nature: `sum(nature * length)`.
    pub nature: f64,
    /// Metres on hiking routes.
    pub route: f64,
    pub ascent: f64,
    pub descent: f64,
    /// Shoelace sum in degrees² (see `score`): a closed walk's sum is twice its signed
    /// area, whatever the pieces.
    pub area: f64,
    /// Junctions passed where three or more ways meet, each counted half at both ends
    /// of the pieces that meet there, so that a closed walk counts each pass once and
    /// the sum does not depend on the direction.
    pub junctions: f64,
    /// Junction turns inside the piece (see `turns`); the turns where two pieces meet
    /// are added by whoever joins them. The same either way round.
    pub turns: f64,
}

impl Attrs {
    pub fn add(&mut self, other: &Attrs) {
        self.len += other.len;
        self.road += other.road;
        self.trail += other.trail;
        self.nature += other.nature;
        self.route += other.route;
        self.ascent += other.ascent;
        self.descent += other.descent;
        self.area += other.area;
        self.junctions += other.junctions;
        self.turns += other.turns;
    }

    pub fn sub(&mut self, other: &Attrs) {
        self.len -= other.len;
        self.road -= other.road;
        self.trail -= other.trail;
        self.nature -= other.nature;
        self.route -= other.route;
        self.ascent -= other.ascent;
        self.descent -= other.descent;
        self.area -= other.area;
        self.junctions -= other.junctions;
        self.turns -= other.turns;
    }

    /// The same piece walked the other way.
    pub fn reversed(&self) -> Attrs {
        Attrs {
            ascent: self.descent,
            descent: self.ascent,
            area: -self.area,
            ..*self
        }
    }

    pub fn oriented(&self, fwd: bool) -> Attrs {
        if fwd {
            *self
        } else {
            self.reversed()
        }
    }
}

/// Shoelace terms of a polyline of `[lon, lat]` points, relative to `origin`.
pub(crate) fn shoelace(points: &[[f64; 2]], origin: [f64; 2]) -> f64 {
    points
        .windows(2)
        .map(|w| {
            let (x0, y0) = (w[0][0] - origin[0], w[0][1] - origin[1]);
            let (x1, y1) = (w[1][0] - origin[0], w[1][1] - origin[1]);
            x0 * y1 - x1 * y0
        })
        .sum()
}
