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
