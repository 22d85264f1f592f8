//! The min-heap every Dijkstra in the crate uses: a 4-ary heap of `(dist, node)`,
//! smallest distance first, the node index breaking ties so runs repeat exactly.
//!
//! The order is total (distances are never NaN), so the pop sequence is the same as
//! any other min-heap's on the same pushes; a 4-ary heap is just shallower, and its
//! sift-down compares children that share a cache line.

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Item {
    pub dist: f64,
    pub node: u32,
}

impl Item {
    #[inline(always)]
    fn before(&self, other: &Item) -> bool {
        self.dist < other.dist || (self.dist == other.dist && self.node < other.node)
    }
}

const ARITY: usize = 4;

#[derive(Debug, Clone, Default)]
pub(crate) struct MinHeap {
    items: Vec<Item>,
}

impl MinHeap {
    pub fn new() -> MinHeap {
        MinHeap::default()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    #[inline]
    pub fn push(&mut self, item: Item) {
        let mut i = self.items.len();
        self.items.push(item);
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if !item.before(&self.items[parent]) {
                break;
            }
            self.items[i] = self.items[parent];
            i = parent;
        }
        self.items[i] = item;
    }

    #[inline]
    pub fn pop(&mut self) -> Option<Item> {
        let last = self.items.pop()?;
        let n = self.items.len();
        if n == 0 {
            return Some(last);
        }
        let top = self.items[0];
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let end = (first + ARITY).min(n);
            let mut best = first;
            for c in first + 1..end {
                if self.items[c].before(&self.items[best]) {
                    best = c;
                }
            }
            if !self.items[best].before(&last) {
                break;
            }
            self.items[i] = self.items[best];
            i = best;
        }
        self.items[i] = last;
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_dist_then_node_order() {
        let mut heap = MinHeap::new();
        let mut reference = std::collections::BTreeSet::new();
        let mut x = 12345u64;
        for _ in 0..2000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let item = Item {
                dist: ((x >> 40) % 50) as f64,
                node: ((x >> 20) % 300) as u32,
            };
            heap.push(item);
            reference.insert(((x >> 40) % 50, item.node, reference.len()));
            if x.is_multiple_of(3) {
                let got = heap.pop().expect("non-empty");
                let want = *reference.iter().next().expect("non-empty");
                reference.remove(&want);
                assert_eq!((got.dist as u64, got.node), (want.0, want.1));
            }
        }
        while let Some(got) = heap.pop() {
            let want = *reference.iter().next().expect("non-empty");
            reference.remove(&want);
            assert_eq!((got.dist as u64, got.node), (want.0, want.1));
        }
        assert!(reference.is_empty());
    }

    #[test]
    fn orders_fractional_zero_and_infinite_distances_like_the_numbers() {
        let mut x = 987654321u64;
        let mut items: Vec<Item> = (0..3000)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let dist = match i % 10 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => f64::INFINITY,
                    3 => f64::MIN_POSITIVE * (x >> 60) as f64,
                    _ => (x >> 11) as f64 / (1u64 << 53) as f64 * 1e5,
                };
                Item {
                    dist,
                    node: (x >> 40) as u32 % 500,
                }
            })
            .collect();
        let mut heap = MinHeap::new();
        for &item in &items {
            heap.push(item);
        }
        items.sort_by(|a, b| {
            // -0.0 == 0.0 as numbers; total_cmp alone would put it first.
            (a.dist + 0.0)
                .total_cmp(&(b.dist + 0.0))
                .then(a.node.cmp(&b.node))
        });
        for want in items {
            let got = heap.pop().expect("as many pops as pushes");
            assert_eq!((got.dist, got.node), (want.dist + 0.0, want.node));
        }
        assert!(heap.pop().is_none());
    }
}
