//! Charts drawn on the server as SVG: readable without JavaScript, with
//! a text table beside each for screen readers. Every number in them is
//! escaped text the chart's own code wrote; nothing from a member reaches
//! an attribute unescaped (titles go through askama).

use std::fmt::Write;

use trellis_core::growth::GrowthPoint;

/// The size of a skill's chart.
const WIDTH: f32 = 320.0;
const HEIGHT: f32 = 168.0;
const LEFT: f32 = 30.0;
const RIGHT: f32 = 12.0;
const TOP: f32 = 10.0;
const BOTTOM: f32 = 22.0;

/// One series of levels (1–7), review by review.
struct Series<'a> {
    points: Vec<(usize, u8)>,
    class: &'a str,
}

fn x_of(index: usize, count: usize) -> f32 {
    let inner = WIDTH - LEFT - RIGHT;
    if count <= 1 {
        LEFT + inner / 2.0
    } else {
        LEFT + inner * index as f32 / (count - 1) as f32
    }
}

fn y_of(level: u8) -> f32 {
    let inner = HEIGHT - TOP - BOTTOM;
    TOP + inner * (7.0 - f32::from(level)) / 6.0
}

/// The inner SVG of a skill's chart: level lines, the self ratings
/// (dashed) and the mentor's ratings (solid), one mark a review. The
/// caller wraps it in an `<svg>` with its title.
pub fn growth_lines(points: &[GrowthPoint]) -> String {
    let count = points.len();
    let series = [
        Series {
            points: points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.self_rating.map(|l| (i, l.get())))
                .collect(),
            class: "self",
        },
        Series {
            points: points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.mentor_rating.map(|l| (i, l.get())))
                .collect(),
            class: "mentor",
        },
    ];
    let mut svg = String::new();
    for level in 1..=7u8 {
        let y = y_of(level);
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d5dbe1\" stroke-width=\"1\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#4a5560\" text-anchor=\"end\">{level}</text>",
            WIDTH - RIGHT,
            LEFT - 8.0,
            y + 4.0
        );
    }
    for (i, _) in points.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#4a5560\" text-anchor=\"middle\">{}</text>",
            x_of(i, count),
            HEIGHT - 6.0,
            i + 1
        );
    }
    for s in &series {
        let (colour, dash) = match s.class {
            "self" => ("#7a4b00", " stroke-dasharray=\"5 4\""),
            _ => ("#1d5a86", ""),
        };
        if s.points.len() > 1 {
            let path: Vec<String> = s
                .points
                .iter()
                .map(|&(i, l)| format!("{:.1},{:.1}", x_of(i, count), y_of(l)))
                .collect();
            let _ = write!(
                svg,
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash} points=\"{}\"/>",
                path.join(" ")
            );
        }
        for &(i, l) in &s.points {
            let (x, y) = (x_of(i, count), y_of(l));
            if s.class == "self" {
                let _ = write!(
                    svg,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"{colour}\"/>",
                    x - 4.0,
                    y - 4.0
                );
            } else {
                let _ = write!(
                    svg,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4.5\" fill=\"{colour}\"/>"
                );
            }
        }
    }
    svg
}

/// The chart's view box.
pub fn view_box() -> String {
    format!("0 0 {WIDTH} {HEIGHT}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::Utc;
    use trellis_core::skill::SkillLevel;

    use super::*;

    #[test]
    fn a_chart_draws_both_series_at_their_levels() {
        let level = |n: u8| Some(SkillLevel::try_from(n).unwrap());
        let points = [
            GrowthPoint {
                at: Utc::now(),
                self_rating: level(2),
                mentor_rating: level(3),
            },
            GrowthPoint {
                at: Utc::now(),
                self_rating: level(4),
                mentor_rating: None,
            },
        ];
        let svg = growth_lines(&points);
        assert_eq!(svg.matches("<polyline").count(), 1, "{svg}");
        assert_eq!(svg.matches("<rect").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 1);
        // Level 7 is at the top, level 1 at the bottom.
        assert!(y_of(7) < y_of(1));
    }
}

/// Text for an SVG, escaped (labels can be what an admin typed).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A bar chart: one bar a value, a label under every `label_every`-th.
/// Returns the view box and the inner SVG.
pub fn bars(values: &[(String, u64)], label_every: usize) -> (String, String) {
    let (width, height, left, bottom, top) = (640.0_f32, 200.0_f32, 34.0_f32, 26.0_f32, 10.0_f32);
    let max = values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let slot = (width - left - 8.0) / values.len().max(1) as f32;
    let inner = height - top - bottom;
    let mut svg = String::new();
    for tick in [0, max / 2, max] {
        let y = top + inner * (1.0 - tick as f32 / max as f32);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d5dbe1\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#4a5560\" text-anchor=\"end\">{tick}</text>",
            width - 8.0,
            left - 6.0,
            y + 4.0
        );
    }
    for (i, (label, value)) in values.iter().enumerate() {
        let h = inner * *value as f32 / max as f32;
        let x = left + slot * i as f32 + slot * 0.15;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"#1d5a86\"/>",
            top + inner - h,
            (slot * 0.7).max(1.0)
        );
        if label_every > 0 && i % label_every == 0 {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#4a5560\" text-anchor=\"middle\">{}</text>",
                x + slot * 0.35,
                height - 8.0,
                escape(label)
            );
        }
    }
    (format!("0 0 {width} {height}"), svg)
}

/// A horizontal bar for each labelled value, the value written beside it.
pub fn hbars(values: &[(String, u64)]) -> (String, String) {
    let (width, row, label) = (640.0_f32, 28.0_f32, 170.0_f32);
    let max = values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = row * values.len().max(1) as f32 + 8.0;
    let mut svg = String::new();
    for (i, (name, value)) in values.iter().enumerate() {
        let y = 4.0 + row * i as f32;
        let w = (width - label - 60.0) * *value as f32 / max as f32;
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#1b1f24\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"#1d5a86\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#1b1f24\">{value}</text>",
            label - 8.0,
            y + row * 0.6,
            escape(name),
            y + 3.0,
            row - 8.0,
            label + w + 6.0,
            y + row * 0.6,
        );
    }
    (format!("0 0 {width} {height:.0}"), svg)
}

/// Who mentors whom, drawn in layers: people nobody here mentors at the
/// top, each mentee below their mentor. Mentors without a mentor of their
/// own get a thick border. Returns the `<svg>` element's size attributes
/// (drawn at its natural size, so a small program is not blown up) and its
/// content.
pub fn tree(edges: &[(String, String)]) -> (String, String) {
    use std::collections::{BTreeMap, BTreeSet};
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut has_mentor: BTreeSet<&str> = BTreeSet::new();
    let mut people: BTreeSet<&str> = BTreeSet::new();
    for (mentor, mentee) in edges {
        children.entry(mentor).or_default().push(mentee);
        has_mentor.insert(mentee);
        people.insert(mentor);
        people.insert(mentee);
    }
    // Depth: the longest chain of mentors above (bounded, should mentoring
    // ever go round in a circle).
    let mut depth: BTreeMap<&str, usize> = people.iter().map(|p| (*p, 0)).collect();
    for _ in 0..people.len().min(32) {
        let mut changed = false;
        for (mentor, mentee) in edges {
            let d = depth[mentor.as_str()] + 1;
            if d > depth[mentee.as_str()] && d < 32 {
                depth.insert(mentee, d);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut layers: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (person, d) in &depth {
        layers.entry(*d).or_default().push(person);
    }
    let (box_w, box_h, gap_x, gap_y) = (170.0_f32, 34.0_f32, 20.0_f32, 60.0_f32);
    let widest = layers.values().map(Vec::len).max().unwrap_or(1).max(1);
    let width = widest as f32 * (box_w + gap_x) + gap_x;
    let height = layers.len().max(1) as f32 * (box_h + gap_y) + 10.0;
    let mut at: BTreeMap<&str, (f32, f32)> = BTreeMap::new();
    for (d, row) in &layers {
        let offset = (width - row.len() as f32 * (box_w + gap_x)) / 2.0;
        for (i, person) in row.iter().enumerate() {
            let x = offset + gap_x / 2.0 + i as f32 * (box_w + gap_x);
            let y = 10.0 + *d as f32 * (box_h + gap_y);
            at.insert(person, (x, y));
        }
    }
    let mut svg = String::new();
    for (mentor, mentee) in edges {
        let (a, b) = (at[mentor.as_str()], at[mentee.as_str()]);
        let _ = write!(
            svg,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#6b7785\" stroke-width=\"1.5\"/>",
            a.0 + box_w / 2.0,
            a.1 + box_h,
            b.0 + box_w / 2.0,
            b.1
        );
    }
    for (person, (x, y)) in &at {
        let mentors = children.contains_key(person);
        let unmentored = mentors && !has_mentor.contains(person);
        let stroke = if unmentored { 3.5 } else { 1.2 };
        let fill = if mentors { "#e8f0f6" } else { "#ffffff" };
        let label: String = person.chars().take(24).collect();
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{box_w}\" height=\"{box_h}\" rx=\"6\" fill=\"{fill}\" \
             stroke=\"#1d5a86\" stroke-width=\"{stroke}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1b1f24\" text-anchor=\"middle\">{}</text>",
            x + box_w / 2.0,
            y + box_h / 2.0 + 4.0,
            escape(&label)
        );
    }
    (
        format!(
            "viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\""
        ),
        svg,
    )
}

#[cfg(test)]
mod program_charts {
    use super::*;

    #[test]
    fn labels_are_escaped_and_each_value_has_its_bar() {
        let (_, svg) = hbars(&[("<b>Spring</b>".into(), 3), ("Autumn".into(), 0)]);
        assert!(svg.contains("&lt;b&gt;Spring&lt;/b&gt;"));
        assert!(!svg.contains("<b>"));
        assert_eq!(svg.matches("<rect").count(), 2);
        let (_, svg) = bars(&[("a".into(), 1), ("b".into(), 4)], 1);
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn the_tree_puts_each_mentee_below_their_mentor_and_marks_the_unmentored() {
        let edges = [
            ("bo".to_owned(), "ada".to_owned()),
            ("cy".to_owned(), "bo".to_owned()),
        ];
        let (_, svg) = tree(&edges);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert_eq!(svg.matches("<line").count(), 2);
        // cy mentors and has no mentor: the one thick border.
        assert_eq!(svg.matches("stroke-width=\"3.5\"").count(), 1);
    }
}
