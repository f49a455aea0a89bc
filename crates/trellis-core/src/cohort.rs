//! Cohort matching: pairing a program's mentees with its mentors.
//!
//! A program admin supplies the number of mentees, each mentor's capacity
//! and the allowed (mentee, mentor) pairs, each with a score from 0 to 100.
//! [`assign`] finds an optimal assignment: first as many mentees matched as
//! possible, then, among all assignments matching that many, the largest
//! total score. [`greedy`] is the naive first-come-first-served baseline,
//! kept so the two can be compared. [`plan`] puts matching and assignment
//! together for a cohort of members: it scores every pair with the rules of
//! `matching`, assigns optimally, and says why each mentee it leaves
//! without a mentor has none.
//!
//! # Method
//!
//! [`assign`] solves a min-cost max-flow problem on the network
//!
//! ```text
//! source ──(cap 1, cost 0)──▶ mentee ──(cap 1, cost 100 − score)──▶ mentor ──(cap c, cost 0)──▶ sink
//! ```
//!
//! with successive shortest paths: one unit of flow (one more matched
//! mentee) per round, along a cheapest augmenting path found by Dijkstra on
//! reduced costs (Johnson potentials). With `F ≤ min(mentees, Σ capacity)`
//! augmentations, `V = mentees + mentors + 2` nodes and `E` arcs (about the
//! number of distinct allowed pairs), the running time is
//! `O(F · E · log V)` plus `O(P log P)` to sort the `P` input candidates, and
//! memory is `O(V + E)`. For 1,000 mentees, 300 mentors and 30,000 pairs
//! that is well under a second in a release build.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::matching::{Candidate as Mentor, Excluded, Seeker, Values, Weights, values};

/// The highest score a candidate pair may carry; anything above is ignored.
const MAX_SCORE: u8 = 100;

/// One allowed pairing and how good it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index into the mentees.
    pub mentee: usize,
    /// Index into the mentors.
    pub mentor: usize,
    /// How good the pairing is, 0..=100; higher is better.
    pub score: u8,
}

/// The result: for each mentee index, the chosen mentor index (or None).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// `mentor_of[i]` is the mentor of mentee `i`, if any.
    pub mentor_of: Vec<Option<usize>>,
    /// Sum of the scores of the chosen pairs.
    pub total_score: u64,
}

impl Assignment {
    /// How many mentees got a mentor.
    pub fn assigned(&self) -> usize {
        self.mentor_of.iter().filter(|m| m.is_some()).count()
    }
}

/// Optimal assignment: most mentees assigned, then highest total score.
///
/// `capacities[m]` is mentor m's capacity. Candidates naming an index out of
/// range, or with score > 100, are ignored. Duplicate (mentee, mentor)
/// pairs: the highest score counts.
///
/// Runs in `O(F · E · log V)` time, where `F ≤ min(mentee_count, Σ
/// capacities)` is the number of mentees matched, `E` the number of distinct
/// valid candidate pairs plus `mentee_count + capacities.len()`, and `V =
/// mentee_count + capacities.len() + 2` (see the module documentation).
pub fn assign(mentee_count: usize, capacities: &[u16], candidates: &[Candidate]) -> Assignment {
    let mentor_count = capacities.len();
    let pairs = normalise(mentee_count, mentor_count, candidates);

    // Node numbering: mentees 0..n, mentors n..n+m, then source and sink.
    let source = mentee_count + mentor_count;
    let sink = source + 1;
    let mut net = Network::new(sink + 1);

    // Why `100 - score` and no huge constant: successive shortest paths
    // keeps, after every augmentation, a flow that is cheapest among all
    // flows of the same value (its residual graph has no negative cycle).
    // We keep augmenting until no augmenting path is left at all, even when
    // the next path is expensive, so the final flow has the maximum value —
    // the most mentees matched — and is the cheapest among maximum flows.
    // "Count first" thus comes from running to completion, not from the
    // cost scale; a BIG offset would only be needed if we stopped once paths
    // stopped paying off. Each unit of flow crosses exactly one
    // mentee→mentor arc, so a flow matching F mentees costs
    // `100·F − total_score`; with F at its maximum, least cost is greatest
    // score. The offset 100 just makes every original arc cost non-negative,
    // so all-zero potentials are valid and Dijkstra works from the first
    // round without a Bellman-Ford pass.
    let mut pair_arcs = Vec::with_capacity(pairs.len());
    let mut has_candidate = vec![false; mentee_count];
    for pair in &pairs {
        if capacities[pair.mentor] == 0 {
            continue;
        }
        has_candidate[pair.mentee] = true;
        let cost = i64::from(MAX_SCORE - pair.score);
        let arc = net.add_arc(pair.mentee, mentee_count + pair.mentor, 1, cost);
        pair_arcs.push((arc, *pair));
    }
    for (mentee, _) in has_candidate.iter().enumerate().filter(|(_, has)| **has) {
        net.add_arc(source, mentee, 1, 0);
    }
    for (mentor, &capacity) in capacities.iter().enumerate() {
        if capacity > 0 {
            // A mentor can never take more mentees than there are.
            let cap = u32::from(capacity).min(u32::try_from(mentee_count).unwrap_or(u32::MAX));
            net.add_arc(mentee_count + mentor, sink, cap, 0);
        }
    }
    net.finish();

    let mut search = Search::new(net.node_count());
    while net.shortest_path(source, sink, &mut search) {
        net.augment_unit(source, sink, &search.parent_arc);
    }

    let mut mentor_of = vec![None; mentee_count];
    let mut total_score = 0;
    for (arc, pair) in pair_arcs {
        if net.arcs[arc].cap == 0 {
            mentor_of[pair.mentee] = Some(pair.mentor);
            total_score += u64::from(pair.score);
        }
    }
    Assignment {
        mentor_of,
        total_score,
    }
}

/// The first-come-first-served baseline, for comparison: mentees in index
/// order each take their best-scoring allowed mentor with room left (ties:
/// lowest mentor index).
///
/// The same candidate rules as [`assign`] apply. Runs in `O(P log P)` for
/// `P` candidates.
pub fn greedy(mentee_count: usize, capacities: &[u16], candidates: &[Candidate]) -> Assignment {
    let pairs = normalise(mentee_count, capacities.len(), candidates);
    let mut room = capacities.to_vec();
    let mut mentor_of = vec![None; mentee_count];
    let mut total_score = 0;
    // `pairs` is sorted by mentee, then mentor, so each chunk is one
    // mentee's options in mentor order; a strict `>` keeps the lowest index
    // among equal scores.
    for options in pairs.chunk_by(|a, b| a.mentee == b.mentee) {
        let mut best: Option<Candidate> = None;
        for option in options {
            if room[option.mentor] > 0 && best.is_none_or(|b| option.score > b.score) {
                best = Some(*option);
            }
        }
        if let Some(chosen) = best {
            room[chosen.mentor] -= 1;
            mentor_of[chosen.mentee] = Some(chosen.mentor);
            total_score += u64::from(chosen.score);
        }
    }
    Assignment {
        mentor_of,
        total_score,
    }
}

/// Why a mentee of a cohort was left without a mentor. The variants are in
/// the order a search for a mentor gets through (`Ord` follows it): a
/// mentee is told the furthest stage any mentor reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Unassigned {
    /// The cohort has no mentor but, perhaps, the mentee themselves.
    NoMentors,
    /// No mentor of the cohort shares a language with the mentee.
    NoSharedLanguage,
    /// The mentors who share a language have no place left.
    NoRoom,
    /// The mentee already has an open request or mentorship with every
    /// mentor who could take them.
    AlreadyPaired,
    /// Mentors who suit them exist, but the best assignment for the whole
    /// cohort gives their places to other mentees.
    PlacesTaken,
}

impl Unassigned {
    const ALL: [Self; 5] = [
        Self::NoMentors,
        Self::NoSharedLanguage,
        Self::NoRoom,
        Self::AlreadyPaired,
        Self::PlacesTaken,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoMentors => "no_mentors",
            Self::NoSharedLanguage => "no_shared_language",
            Self::NoRoom => "no_room",
            Self::AlreadyPaired => "already_paired",
            Self::PlacesTaken => "places_taken",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|reason| reason.as_str() == raw)
            .ok_or_else(|| CoreError::invalid("reason", format_args!("unknown reason {raw:?}")))
    }

    /// The reason in words, for the admin who reviews the proposal.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::NoMentors => "the cohort has no mentor for them",
            Self::NoSharedLanguage => "no mentor of the cohort shares a language with them",
            Self::NoRoom => "the mentors who share a language with them have no place left",
            Self::AlreadyPaired => {
                "they already have an open request or mentorship with every mentor who could take them"
            }
            Self::PlacesTaken => {
                "the places of the mentors who suit them go to other mentees: \
                 any other assignment would match fewer mentees or score lower in total"
            }
        }
    }
}

/// Why a (mentee, mentor) pair of a cohort may not be proposed, apart from
/// the required matching factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Barred {
    /// The mentee and the mentor are the same member.
    Oneself,
    /// The two have an open request or mentorship already.
    AlreadyPaired,
}

/// The mentor chosen for one mentee.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Choice {
    /// Index into the mentors.
    pub mentor: usize,
    pub score: u8,
    /// The factors' values, to explain the score with.
    pub values: Values,
}

/// A proposed assignment of a cohort, with the greedy baseline's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// For each mentee, in order: their mentor, or why they have none.
    pub choices: Vec<Result<Choice, Unassigned>>,
    /// Sum of the chosen pairs' scores.
    pub total_score: u64,
    pub assigned: usize,
    /// What first-come-first-served ([`greedy`]) would have achieved.
    pub greedy_total_score: u64,
    pub greedy_assigned: usize,
}

/// Plans a cohort: scores every (mentee, mentor) pair with the matching
/// rules (a shared language and room are required), then finds the
/// optimal assignment with [`assign`]. A mentor's places for the cohort are
/// their capacity minus the places they hold (`capacity − active`); give a
/// mentor who is not taking mentees capacity 0. `barred` rules pairs out
/// for other reasons.
///
/// Scores `mentees × mentors` pairs, then runs [`assign`] and [`greedy`]
/// on the allowed ones (see their costs).
pub fn plan(
    mentees: &[Seeker<'_>],
    mentors: &[Mentor<'_>],
    barred: impl Fn(usize, usize) -> Option<Barred>,
    weights: &Weights,
) -> Plan {
    let capacities: Vec<u16> = mentors
        .iter()
        .map(|m| m.capacity.saturating_sub(m.active))
        .collect();
    let mut candidates = Vec::new();
    // Per mentee, how far the best mentor got before being ruled out; a
    // mentee with no candidate at all is told the furthest stage.
    let mut unassigned = vec![Unassigned::NoMentors; mentees.len()];
    for (i, seeker) in mentees.iter().enumerate() {
        for (j, mentor) in mentors.iter().enumerate() {
            let barred = barred(i, j);
            if barred == Some(Barred::Oneself) {
                continue;
            }
            let stage = match values(seeker, mentor) {
                Err(Excluded::NoSharedLanguage) => Unassigned::NoSharedLanguage,
                Err(Excluded::NoRoomLeft) => Unassigned::NoRoom,
                Ok(_) if barred == Some(Barred::AlreadyPaired) => Unassigned::AlreadyPaired,
                Ok(v) => {
                    candidates.push(Candidate {
                        mentee: i,
                        mentor: j,
                        score: v.score(weights),
                    });
                    Unassigned::PlacesTaken
                }
            };
            unassigned[i] = unassigned[i].max(stage);
        }
    }
    let optimal = assign(mentees.len(), &capacities, &candidates);
    let baseline = greedy(mentees.len(), &capacities, &candidates);
    let choices = optimal
        .mentor_of
        .iter()
        .zip(&unassigned)
        .enumerate()
        .map(|(i, (chosen, why))| match chosen {
            Some(j) => values(&mentees[i], &mentors[*j])
                .map(|values| Choice {
                    mentor: *j,
                    score: values.score(weights),
                    values,
                })
                // `assign` only picks allowed pairs, which have values.
                .map_err(|_| *why),
            None => Err(*why),
        })
        .collect();
    Plan {
        choices,
        total_score: optimal.total_score,
        assigned: optimal.assigned(),
        greedy_total_score: baseline.total_score,
        greedy_assigned: baseline.assigned(),
    }
}

/// Drops invalid candidates and keeps the best score of each duplicated
/// pair. The result is sorted by mentee, then mentor, one entry per pair.
fn normalise(mentee_count: usize, mentor_count: usize, candidates: &[Candidate]) -> Vec<Candidate> {
    let mut pairs: Vec<Candidate> = candidates
        .iter()
        .filter(|c| c.mentee < mentee_count && c.mentor < mentor_count && c.score <= MAX_SCORE)
        .copied()
        .collect();
    pairs.sort_unstable_by_key(|c| (c.mentee, c.mentor, Reverse(c.score)));
    // Within a pair the highest score sorts first, and `dedup_by_key` keeps
    // the first of each run.
    pairs.dedup_by_key(|c| (c.mentee, c.mentor));
    pairs
}

/// A residual arc. Arcs are added in pairs, so arc `i`'s reverse is `i ^ 1`.
#[derive(Debug, Clone, Copy)]
struct Arc {
    to: usize,
    cap: u32,
    cost: i64,
}

/// A flow network stored as an arc list plus a compressed adjacency index.
#[derive(Debug)]
struct Network {
    arcs: Vec<Arc>,
    /// Tail node of each arc, only used to build the index.
    tails: Vec<usize>,
    /// Arcs leaving node `v` are `out[start[v]..start[v + 1]]`.
    start: Vec<usize>,
    out: Vec<usize>,
}

/// Scratch space for Dijkstra, reused across rounds.
#[derive(Debug)]
struct Search {
    /// Johnson potentials: reduced cost `cost + potential[u] - potential[v]`
    /// is non-negative on every arc with residual capacity.
    potential: Vec<i64>,
    dist: Vec<i64>,
    done: Vec<bool>,
    parent_arc: Vec<usize>,
    heap: BinaryHeap<Reverse<(i64, usize)>>,
}

impl Search {
    fn new(node_count: usize) -> Self {
        Self {
            potential: vec![0; node_count],
            dist: vec![i64::MAX; node_count],
            done: vec![false; node_count],
            parent_arc: vec![usize::MAX; node_count],
            heap: BinaryHeap::new(),
        }
    }
}

impl Network {
    fn new(node_count: usize) -> Self {
        Self {
            arcs: Vec::new(),
            tails: Vec::new(),
            start: vec![0; node_count + 1],
            out: Vec::new(),
        }
    }

    fn node_count(&self) -> usize {
        self.start.len() - 1
    }

    /// Adds an arc and its zero-capacity reverse; returns the forward arc.
    fn add_arc(&mut self, from: usize, to: usize, cap: u32, cost: i64) -> usize {
        let id = self.arcs.len();
        self.arcs.push(Arc { to, cap, cost });
        self.arcs.push(Arc {
            to: from,
            cap: 0,
            cost: -cost,
        });
        self.tails.push(from);
        self.tails.push(to);
        id
    }

    /// Builds the adjacency index; call once, after the last `add_arc`.
    fn finish(&mut self) {
        let nodes = self.node_count();
        self.start.iter_mut().for_each(|s| *s = 0);
        for &tail in &self.tails {
            self.start[tail + 1] += 1;
        }
        for v in 0..nodes {
            self.start[v + 1] += self.start[v];
        }
        let mut next = self.start.clone();
        self.out = vec![0; self.arcs.len()];
        for (arc, &tail) in self.tails.iter().enumerate() {
            self.out[next[tail]] = arc;
            next[tail] += 1;
        }
    }

    /// Dijkstra on reduced costs from `source`, stopping once `sink` is
    /// settled. On success, fills `search.parent_arc` along a cheapest path
    /// and updates the potentials; returns false if `sink` is unreachable.
    ///
    /// Potentials become `potential[v] + min(dist[v], dist[sink])`. That
    /// keeps every residual reduced cost non-negative although the search
    /// stopped early: for an arc u→v, if u was settled then `dist[v] ≤
    /// dist[u] + reduced cost` from its relaxation, and if not, u gets the
    /// maximal shift `dist[sink]`, which v's shift cannot exceed. Arcs on the
    /// chosen path end with reduced cost 0, so the reverses created by the
    /// augmentation are fine too.
    fn shortest_path(&self, source: usize, sink: usize, search: &mut Search) -> bool {
        let Search {
            potential,
            dist,
            done,
            parent_arc,
            heap,
        } = search;
        dist.fill(i64::MAX);
        done.fill(false);
        heap.clear();
        dist[source] = 0;
        heap.push(Reverse((0, source)));
        while let Some(Reverse((d, u))) = heap.pop() {
            if done[u] {
                continue;
            }
            done[u] = true;
            if u == sink {
                break;
            }
            for &id in &self.out[self.start[u]..self.start[u + 1]] {
                let arc = self.arcs[id];
                if arc.cap == 0 || done[arc.to] {
                    continue;
                }
                let reduced = arc.cost + potential[u] - potential[arc.to];
                debug_assert!(reduced >= 0, "negative reduced cost {reduced}");
                let candidate = d + reduced;
                if candidate < dist[arc.to] {
                    dist[arc.to] = candidate;
                    parent_arc[arc.to] = id;
                    heap.push(Reverse((candidate, arc.to)));
                }
            }
        }
        if !done[sink] {
            return false;
        }
        let reach = dist[sink];
        for (p, &d) in potential.iter_mut().zip(dist.iter()) {
            *p += d.min(reach);
        }
        true
    }

    /// Pushes one unit of flow back along the parent arcs from `sink`.
    /// One unit is always the bottleneck: every path starts with a
    /// capacity-1 source arc.
    fn augment_unit(&mut self, source: usize, sink: usize, parent_arc: &[usize]) {
        let mut v = sink;
        while v != source {
            let id = parent_arc[v];
            self.arcs[id].cap -= 1;
            self.arcs[id ^ 1].cap += 1;
            v = self.arcs[id ^ 1].to;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::time::Instant;

    fn c(mentee: usize, mentor: usize, score: u8) -> Candidate {
        Candidate {
            mentee,
            mentor,
            score,
        }
    }

    /// SplitMix64: tiny, deterministic, good enough for test instances.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform-enough in `0..n` (n > 0).
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Best score per allowed pair, computed independently of `normalise`.
    fn allowed_pairs(
        mentee_count: usize,
        capacities: &[u16],
        candidates: &[Candidate],
    ) -> HashMap<(usize, usize), u8> {
        let mut best = HashMap::new();
        for cand in candidates {
            if cand.mentee >= mentee_count || cand.mentor >= capacities.len() || cand.score > 100 {
                continue;
            }
            let entry = best.entry((cand.mentee, cand.mentor)).or_insert(cand.score);
            *entry = (*entry).max(cand.score);
        }
        best
    }

    /// Panics unless `result` uses only allowed pairs, respects capacities
    /// and reports the right total.
    fn check_valid(
        mentee_count: usize,
        capacities: &[u16],
        candidates: &[Candidate],
        result: &Assignment,
    ) {
        let allowed = allowed_pairs(mentee_count, capacities, candidates);
        assert_eq!(result.mentor_of.len(), mentee_count);
        let mut load = vec![0u32; capacities.len()];
        let mut total = 0u64;
        for (mentee, chosen) in result.mentor_of.iter().enumerate() {
            if let Some(mentor) = *chosen {
                let score = allowed
                    .get(&(mentee, mentor))
                    .unwrap_or_else(|| panic!("pair ({mentee}, {mentor}) is not allowed"));
                total += u64::from(*score);
                load[mentor] += 1;
            }
        }
        for (mentor, (&used, &cap)) in load.iter().zip(capacities).enumerate() {
            assert!(used <= u32::from(cap), "mentor {mentor} over capacity");
        }
        assert_eq!(result.total_score, total);
    }

    /// Exhaustive search: the best (assigned count, total score).
    fn brute_force(
        mentee_count: usize,
        capacities: &[u16],
        candidates: &[Candidate],
    ) -> (usize, u64) {
        fn go(
            mentee: usize,
            options: &[Vec<(usize, u8)>],
            room: &mut [u16],
            so_far: (usize, u64),
            best: &mut (usize, u64),
        ) {
            if mentee == options.len() {
                *best = (*best).max(so_far);
                return;
            }
            go(mentee + 1, options, room, so_far, best);
            for &(mentor, score) in &options[mentee] {
                if room[mentor] > 0 {
                    room[mentor] -= 1;
                    let next = (so_far.0 + 1, so_far.1 + u64::from(score));
                    go(mentee + 1, options, room, next, best);
                    room[mentor] += 1;
                }
            }
        }
        let mut options = vec![Vec::new(); mentee_count];
        for ((mentee, mentor), score) in allowed_pairs(mentee_count, capacities, candidates) {
            options[mentee].push((mentor, score));
        }
        let mut best = (0, 0);
        go(0, &options, &mut capacities.to_vec(), (0, 0), &mut best);
        best
    }

    /// Up to 6 mentees and 3 mentors with capacities 0..=2, about half the
    /// pairs allowed, plus some duplicates and invalid candidates, shuffled.
    fn random_small(rng: &mut Rng) -> (usize, Vec<u16>, Vec<Candidate>) {
        let mentees = rng.below(7) as usize;
        let mentors = rng.below(4) as usize;
        let capacities: Vec<u16> = (0..mentors).map(|_| rng.below(3) as u16).collect();
        let mut candidates = Vec::new();
        for mentee in 0..mentees {
            for mentor in 0..mentors {
                if rng.below(100) < 55 {
                    candidates.push(c(mentee, mentor, rng.below(101) as u8));
                    if rng.below(8) == 0 {
                        candidates.push(c(mentee, mentor, rng.below(101) as u8));
                    }
                    if rng.below(12) == 0 {
                        candidates.push(c(mentee, mentor, 101 + rng.below(155) as u8));
                    }
                }
            }
        }
        if rng.below(4) == 0 {
            candidates.push(c(mentees + rng.below(3) as usize, 0, 100));
            candidates.push(c(0, mentors + rng.below(3) as usize, 100));
        }
        for i in (1..candidates.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            candidates.swap(i, j);
        }
        (mentees, capacities, candidates)
    }

    fn key(a: &Assignment) -> (usize, u64) {
        (a.assigned(), a.total_score)
    }

    #[test]
    fn empty_cohort() {
        let result = assign(0, &[], &[]);
        assert_eq!(result.mentor_of, Vec::<Option<usize>>::new());
        assert_eq!(result.total_score, 0);
        assert_eq!(result.assigned(), 0);
        assert_eq!(greedy(0, &[], &[]), result);

        // Mentees but no mentors, or mentors but no candidates.
        assert_eq!(assign(3, &[], &[]).mentor_of, vec![None; 3]);
        let result = assign(2, &[5, 5], &[]);
        assert_eq!(result.mentor_of, vec![None, None]);
        assert_eq!(result.total_score, 0);
    }

    #[test]
    fn mentor_with_capacity_zero_takes_nobody() {
        let candidates = [c(0, 0, 100), c(0, 1, 10), c(1, 0, 90)];
        let result = assign(2, &[0, 1], &candidates);
        assert_eq!(result.mentor_of, vec![Some(1), None]);
        assert_eq!(result.total_score, 10);
        assert_eq!(greedy(2, &[0, 1], &candidates), result);
        check_valid(2, &[0, 1], &candidates, &result);
    }

    #[test]
    fn optimal_assigns_more_than_greedy() {
        // Mentee 0 slightly prefers mentor 0, the only option of mentee 1.
        let caps = [1, 1];
        let candidates = [c(0, 0, 60), c(0, 1, 50), c(1, 0, 10)];
        let g = greedy(2, &caps, &candidates);
        assert_eq!(g.mentor_of, vec![Some(0), None]);
        assert_eq!(g.total_score, 60);
        let a = assign(2, &caps, &candidates);
        assert_eq!(a.mentor_of, vec![Some(1), Some(0)]);
        assert_eq!(a.total_score, 60);

        // Count comes first even when it lowers the total score.
        let candidates = [c(0, 0, 60), c(0, 1, 50), c(1, 0, 0)];
        let a = assign(2, &caps, &candidates);
        assert_eq!(a.mentor_of, vec![Some(1), Some(0)]);
        assert_eq!(a.total_score, 50);
        assert_eq!(key(&greedy(2, &caps, &candidates)), (1, 60));
    }

    #[test]
    fn optimal_scores_higher_than_greedy_with_same_count() {
        let caps = [1, 1];
        let candidates = [c(0, 0, 90), c(0, 1, 80), c(1, 0, 100), c(1, 1, 10)];
        let g = greedy(2, &caps, &candidates);
        assert_eq!(g.mentor_of, vec![Some(0), Some(1)]);
        assert_eq!(g.total_score, 100);
        let a = assign(2, &caps, &candidates);
        assert_eq!(a.mentor_of, vec![Some(1), Some(0)]);
        assert_eq!(a.total_score, 180);
    }

    #[test]
    fn duplicates_count_their_highest_score() {
        let candidates = [c(0, 0, 20), c(0, 0, 70), c(0, 0, 40)];
        let result = assign(1, &[1], &candidates);
        assert_eq!(result.mentor_of, vec![Some(0)]);
        assert_eq!(result.total_score, 70);
        assert_eq!(greedy(1, &[1], &candidates), result);

        // The duplicate's best score decides between mentors.
        let candidates = [c(0, 0, 30), c(0, 1, 60), c(0, 0, 90)];
        let result = assign(1, &[1, 1], &candidates);
        assert_eq!(result.mentor_of, vec![Some(0)]);
        assert_eq!(result.total_score, 90);
        assert_eq!(greedy(1, &[1, 1], &candidates), result);
    }

    #[test]
    fn invalid_candidates_are_ignored() {
        let candidates = [
            c(5, 0, 100), // no such mentee
            c(0, 3, 100), // no such mentor
            c(1, 0, 101), // score out of range
            c(0, 0, 200), // out-of-range duplicate of a valid pair
            c(0, 0, 50),
            c(usize::MAX, usize::MAX, 100),
        ];
        let result = assign(2, &[2], &candidates);
        assert_eq!(result.mentor_of, vec![Some(0), None]);
        assert_eq!(result.total_score, 50);
        assert_eq!(greedy(2, &[2], &candidates), result);
    }

    #[test]
    fn greedy_breaks_ties_by_lowest_mentor_index() {
        let candidates = [c(0, 2, 70), c(0, 1, 70), c(0, 0, 40)];
        let g = greedy(1, &[1, 1, 1], &candidates);
        assert_eq!(g.mentor_of, vec![Some(1)]);
        assert_eq!(g.total_score, 70);
    }

    #[test]
    fn large_capacity_takes_everyone() {
        let candidates: Vec<Candidate> = (0..40).map(|i| c(i, 0, (i % 101) as u8)).collect();
        let result = assign(40, &[50], &candidates);
        assert_eq!(result.assigned(), 40);
        assert_eq!(result.total_score, (0..40).sum::<u64>());
        check_valid(40, &[50], &candidates, &result);
    }

    #[test]
    fn matches_brute_force_and_beats_greedy_on_random_instances() {
        let mut rng = Rng(0x7E11_15C0_4047);
        let mut strictly_better = 0;
        for round in 0..500 {
            let (mentees, caps, candidates) = random_small(&mut rng);
            let a = assign(mentees, &caps, &candidates);
            check_valid(mentees, &caps, &candidates, &a);
            assert_eq!(
                key(&a),
                brute_force(mentees, &caps, &candidates),
                "round {round}: {mentees} mentees, caps {caps:?}, {candidates:?}"
            );
            let g = greedy(mentees, &caps, &candidates);
            check_valid(mentees, &caps, &candidates, &g);
            assert!(key(&a) >= key(&g), "round {round}: greedy won");
            if key(&a) > key(&g) {
                strictly_better += 1;
            }
        }
        assert!(strictly_better > 0, "assign never beat greedy");
    }

    mod planning {
        use super::super::*;
        use super::{Rng, brute_force, c};
        use crate::profile::{GoalTarget, LanguageTag, ProfileSkill};
        use crate::skill::{SkillKey, SkillLevel};

        fn langs(tags: &[&str]) -> Vec<LanguageTag> {
            tags.iter()
                .map(|t| LanguageTag::parse(t).unwrap())
                .collect()
        }

        fn skills(list: &[(&str, u8)]) -> Vec<ProfileSkill> {
            list.iter()
                .map(|(k, l)| ProfileSkill {
                    skill: SkillKey::parse(k).unwrap(),
                    level: SkillLevel::try_from(*l).unwrap(),
                    wants_to_grow: false,
                })
                .collect()
        }

        fn targets(list: &[(&str, u8)]) -> Vec<GoalTarget> {
            list.iter()
                .map(|(k, l)| GoalTarget {
                    skill: SkillKey::parse(k).unwrap(),
                    level: SkillLevel::try_from(*l).unwrap(),
                })
                .collect()
        }

        fn seeker<'a>(languages: &'a [LanguageTag], goals: &'a [GoalTarget]) -> Seeker<'a> {
            Seeker {
                targets: goals,
                skills: &[],
                languages,
                utc_offset: None,
            }
        }

        fn mentor<'a>(
            languages: &'a [LanguageTag],
            skills: &'a [ProfileSkill],
            capacity: u16,
            active: u16,
        ) -> Mentor<'a> {
            Mentor {
                skills,
                languages,
                utc_offset: None,
                capacity,
                active,
                pending: 0,
                completed: 0,
                same_organization: true,
            }
        }

        const SKILLS_ONLY: Weights = Weights {
            skills: 1,
            timezone: 0,
            load: 0,
            track_record: 0,
            organization: 0,
        };

        #[test]
        fn the_optimum_beats_first_come_first_served() {
            let en = langs(&["en"]);
            let (dns, routing) = (targets(&[("net.dns", 5)]), targets(&[("net.routing", 5)]));
            let strong = skills(&[("net.dns", 5), ("net.routing", 5)]);
            let narrow = skills(&[("net.dns", 4), ("net.routing", 1)]);
            let mentees = [seeker(&en, &dns), seeker(&en, &routing)];
            let mentors = [mentor(&en, &strong, 1, 0), mentor(&en, &narrow, 1, 0)];
            let plan = plan(&mentees, &mentors, |_, _| None, &SKILLS_ONLY);
            // Greedy: mentee 0 takes the strong mentor (100), mentee 1 is left
            // the narrow one (routing 1 of 5: 20). Optimal: 80 + 100.
            assert_eq!((plan.greedy_assigned, plan.greedy_total_score), (2, 120));
            assert_eq!((plan.assigned, plan.total_score), (2, 180));
            let chosen: Vec<(usize, u8)> = plan
                .choices
                .iter()
                .map(|c| c.map(|c| (c.mentor, c.score)).unwrap())
                .collect();
            assert_eq!(chosen, [(1, 80), (0, 100)]);
        }

        #[test]
        fn every_unassigned_mentee_is_told_why() {
            let (en, fr, it, en_it, de) = (
                langs(&["en"]),
                langs(&["fr"]),
                langs(&["it"]),
                langs(&["en", "it"]),
                langs(&["de"]),
            );
            let none: Vec<GoalTarget> = Vec::new();
            let no_skills: Vec<ProfileSkill> = Vec::new();
            let mentors = [
                mentor(&en, &no_skills, 1, 0),    // 0: one place
                mentor(&en_it, &no_skills, 2, 2), // 1: full
                mentor(&de, &no_skills, 0, 0),    // 2: not taking mentees
                mentor(&de, &no_skills, 3, 0),    // 3: mentee 5 themselves
            ];
            let mentees = [
                seeker(&en, &none), // 0: competes for mentor 0
                seeker(&fr, &none), // 1: nobody speaks French
                seeker(&it, &none), // 2: only the full mentor speaks Italian
                seeker(&en, &none), // 3: already paired with mentor 0
                seeker(&en, &none), // 4: competes for mentor 0
                seeker(&de, &none), // 5: is mentor 3
            ];
            let barred = |i: usize, j: usize| match (i, j) {
                (3, 0) => Some(Barred::AlreadyPaired),
                (5, 3) => Some(Barred::Oneself),
                _ => None,
            };
            let plan = plan(&mentees, &mentors, barred, &Weights::default());
            assert_eq!(plan.assigned, 1);
            let taken = plan.choices[0].is_ok() as usize + plan.choices[4].is_ok() as usize;
            assert_eq!(taken, 1, "mentor 0 has one place for mentees 0 and 4");
            let loser = if plan.choices[0].is_ok() { 4 } else { 0 };
            assert_eq!(plan.choices[loser], Err(Unassigned::PlacesTaken));
            assert_eq!(plan.choices[1], Err(Unassigned::NoSharedLanguage));
            assert_eq!(plan.choices[2], Err(Unassigned::NoRoom));
            assert_eq!(plan.choices[3], Err(Unassigned::AlreadyPaired));
            assert_eq!(
                plan.choices[5],
                Err(Unassigned::NoRoom),
                "the other German speaker takes nobody"
            );
            let alone = plan_alone(&de, &no_skills);
            assert_eq!(alone, Err(Unassigned::NoMentors));
        }

        fn plan_alone(
            languages: &[LanguageTag],
            own: &[ProfileSkill],
        ) -> Result<Choice, Unassigned> {
            let mentors = [mentor(languages, own, 2, 0)];
            let mentees = [seeker(languages, &[])];
            let plan = plan(
                &mentees,
                &mentors,
                |_, _| Some(Barred::Oneself),
                &Weights::default(),
            );
            plan.choices[0]
        }

        #[test]
        fn reasons_round_trip_and_read_well() {
            for reason in Unassigned::ALL {
                assert_eq!(Unassigned::parse(reason.as_str()), Ok(reason));
                assert!(!reason.describe().is_empty());
            }
            assert!(Unassigned::parse("bored").is_err());
        }

        #[test]
        fn a_random_cohort_plans_as_well_as_brute_force_allows() {
            let mut rng = Rng(77);
            let pool = [langs(&["en"]), langs(&["de"]), langs(&["en", "de"])];
            let levels: Vec<Vec<ProfileSkill>> = (1..=7)
                .map(|l| skills(&[("net.dns", l), ("net.routing", 8 - l)]))
                .collect();
            let goals = [targets(&[("net.dns", 6)]), targets(&[("net.routing", 6)])];
            for round in 0..200 {
                let mentees: Vec<Seeker> = (0..rng.below(6) as usize)
                    .map(|_| seeker(&pool[rng.below(3) as usize], &goals[rng.below(2) as usize]))
                    .collect();
                let mentors: Vec<Mentor> = (0..rng.below(4) as usize)
                    .map(|_| {
                        mentor(
                            &pool[rng.below(3) as usize],
                            &levels[rng.below(7) as usize],
                            rng.below(3) as u16,
                            0,
                        )
                    })
                    .collect();
                let plan = plan(&mentees, &mentors, |_, _| None, &Weights::default());
                // The same pairs, scored independently, solved exhaustively.
                let mut pairs = Vec::new();
                for (i, s) in mentees.iter().enumerate() {
                    for (j, m) in mentors.iter().enumerate() {
                        if let Ok(v) = values(s, m) {
                            pairs.push(c(i, j, v.score(&Weights::default())));
                        }
                    }
                }
                let caps: Vec<u16> = mentors.iter().map(|m| m.capacity).collect();
                assert_eq!(
                    (plan.assigned, plan.total_score),
                    brute_force(mentees.len(), &caps, &pairs),
                    "round {round}"
                );
                assert!(
                    (plan.assigned, plan.total_score)
                        >= (plan.greedy_assigned, plan.greedy_total_score)
                );
                let mut load = vec![0u16; mentors.len()];
                for choice in plan.choices.iter().flatten() {
                    load[choice.mentor] += 1;
                }
                assert!(load.iter().zip(&caps).all(|(l, c)| l <= c));
            }
        }
    }

    #[test]
    fn thousand_by_three_hundred() {
        let mut rng = Rng(2024);
        let mentees = 1_000;
        let mentors = 300;
        // Total capacity near the number of mentees, where it matters most.
        let caps: Vec<u16> = (0..mentors).map(|_| 1 + rng.below(6) as u16).collect();
        let mut candidates = Vec::new();
        for mentee in 0..mentees {
            for _ in 0..(50 + rng.below(101)) {
                let mentor = rng.below(mentors as u64) as usize;
                candidates.push(c(mentee, mentor, rng.below(101) as u8));
            }
        }
        let started = Instant::now();
        let a = assign(mentees, &caps, &candidates);
        let elapsed = started.elapsed();
        println!(
            "assign: {mentees} mentees x {mentors} mentors, {} candidates, capacity {}: \
             {} assigned, total {} in {elapsed:?}",
            candidates.len(),
            caps.iter().map(|&x| u64::from(x)).sum::<u64>(),
            a.assigned(),
            a.total_score,
        );
        check_valid(mentees, &caps, &candidates, &a);
        let g = greedy(mentees, &caps, &candidates);
        check_valid(mentees, &caps, &candidates, &g);
        println!("greedy: {} assigned, total {}", g.assigned(), g.total_score);
        assert!(key(&a) >= key(&g));
    }
}
