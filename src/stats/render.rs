//! The charts, as SVG documents built element by element with the `svg` crate: the first
//! personal reply by day (median and p90 against the target), the share answered within the
//! target by topic, and the busiest hours of the week. Each has a `<title>` and a `<desc>`
//! that says in words what the picture shows, and ids prefixed by the chart's name, so
//! several can sit in one HTML page.
//!
//! Text uses [`FONT_FAMILY`], the font bundled for the PNG (see `png`), so the picture is the
//! same in a browser and in Discord.

use jiff::SignedDuration;
use svg::node::element::{Circle, Description, Group, Line, Polyline, Rectangle, Text, Title};
use svg::Document;

use super::summary::{Summary, Tally};
use crate::duration::Humane;

/// The bundled font first; a browser without it falls back to its own sans-serif.
pub const FONT_FAMILY: &str = "DejaVu Sans, sans-serif";

const INK: &str = "#1f2937";
const MUTED: &str = "#6b7280";
const GRID: &str = "#e5e7eb";
const MEDIAN: &str = "#2563eb";
const P90: &str = "#d97706";
const TARGET: &str = "#dc2626";

/// Size of the first-reply chart, also the PNG's size in pixels.
pub const FIRST_REPLY_SIZE: (u32, u32) = (720, 360);

/// A chart's frame: the document with its background, title and description.
fn document(id: &str, (w, h): (u32, u32), title: &str, desc: &str) -> Document {
    Document::new()
        .set("width", w)
        .set("height", h)
        .set("viewBox", (0, 0, w, h))
        .set("role", "img")
        .set("aria-labelledby", format!("{id}-title {id}-desc"))
        .set("font-family", FONT_FAMILY)
        .add(Title::new(title).set("id", format!("{id}-title")))
        .add(
            Description::new()
                .set("id", format!("{id}-desc"))
                .add(svg::node::Text::new(desc)),
        )
        .add(
            Rectangle::new()
                .set("width", w)
                .set("height", h)
                .set("fill", "#ffffff"),
        )
}

fn text(x: f64, y: f64, size: u32, fill: &str, anchor: &str, content: impl Into<String>) -> Text {
    Text::new(content)
        .set("x", x)
        .set("y", y)
        .set("font-size", size)
        .set("fill", fill)
        .set("text-anchor", anchor)
}

fn line(x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) -> Line {
    Line::new()
        .set("x1", x1)
        .set("y1", y1)
        .set("x2", x2)
        .set("y2", y2)
        .set("stroke", stroke)
        .set("stroke-width", 1)
}

/// The unit a duration axis counts in, and its top, chosen so the ticks are round numbers.
fn duration_axis(max: SignedDuration) -> (i64, &'static str, i64) {
    let secs = max.as_secs().max(60);
    let (unit, name) = if secs <= 2 * 3600 {
        (60, "min")
    } else if secs <= 72 * 3600 {
        (3600, "h")
    } else {
        (86_400, "d")
    };
    let top_units = (secs + unit - 1) / unit;
    let step = [1, 2, 5, 10, 15, 20, 30, 60, 120]
        .into_iter()
        .find(|s| top_units <= s * 4)
        .unwrap_or((top_units + 3) / 4);
    (unit, name, step)
}

/// What [`first_reply_chart`] shows, in a sentence (its `<desc>`, and the alt text of its PNG).
pub fn first_reply_description(s: &Summary) -> String {
    let answered_days = s.days.iter().filter(|d| d.tally.median().is_some()).count();
    match (s.all.median(), s.all.p90()) {
        (Some(m), Some(p)) => format!(
            "First personal reply by day: median {} and p90 {} over the period, in open hours; {} of {} days had answered conversations; target {}.",
            Humane(m),
            Humane(p),
            answered_days,
            s.days.len(),
            Humane(s.target)
        ),
        _ => format!(
            "First personal reply by day: no personal replies in the period yet; target {}.",
            Humane(s.target)
        ),
    }
}

/// First personal reply by day: median and p90 per day (open hours), with the target.
pub fn first_reply_chart(s: &Summary) -> String {
    let (w, h) = FIRST_REPLY_SIZE;
    let (left, right, top, bottom) = (64.0, 28.0, 48.0, 56.0);
    let plot_w = f64::from(w) - left - right;
    let plot_h = f64::from(h) - top - bottom;
    let title = match (s.days.first(), s.days.last()) {
        (Some(a), Some(b)) => format!(
            "First personal reply by day, {} {} – {} {}",
            a.date.day(),
            month_short(a.date.month()),
            b.date.day(),
            month_short(b.date.month())
        ),
        _ => "First personal reply by day".to_string(),
    };
    let desc = first_reply_description(s);
    let max = s
        .days
        .iter()
        .filter_map(|d| d.tally.p90())
        .chain([s.target])
        .max()
        .unwrap_or(s.target);
    let (unit, unit_name, step) = duration_axis(max);
    let top_value = (step * 4 * unit) as f64;
    let y_of =
        |d: SignedDuration| top + plot_h - (d.as_secs() as f64 / top_value).min(1.0) * plot_h;
    let n = s.days.len().max(1);
    let x_of = |i: usize| {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };

    let mut axes = Group::new();
    for k in 0..=4 {
        let v = k * step;
        let y = top + plot_h - plot_h * f64::from(k as u8) / 4.0;
        axes = axes.add(line(left, y, left + plot_w, y, GRID)).add(text(
            left - 8.0,
            y + 4.0,
            11,
            MUTED,
            "end",
            format!("{v} {unit_name}"),
        ));
    }
    let label_every = n.div_ceil(6).max(1);
    for (i, d) in s.days.iter().enumerate() {
        if i % label_every == 0 || i + 1 == n {
            let label = format!("{} {}", d.date.day(), month_short(d.date.month()));
            axes = axes.add(text(
                x_of(i),
                top + plot_h + 18.0,
                11,
                MUTED,
                "middle",
                label,
            ));
        }
    }
    axes = axes.add(line(left, top + plot_h, left + plot_w, top + plot_h, MUTED));

    let target_y = y_of(s.target);
    let target = Group::new()
        .add(line(left, target_y, left + plot_w, target_y, TARGET).set("stroke-dasharray", "6 4"))
        // Under the line at its right end: the line is often the top of the plot, and above it
        // the label would run into the legend.
        .add(text(
            left + plot_w - 4.0,
            target_y + 14.0,
            11,
            TARGET,
            "end",
            format!("target {}", Humane(s.target)),
        ));

    let points = |pick: fn(&Tally) -> Option<SignedDuration>| -> Vec<Option<(f64, f64)>> {
        s.days
            .iter()
            .enumerate()
            .map(|(i, d)| pick(&d.tally).map(|v| (x_of(i), y_of(v))))
            .collect()
    };

    let legend = Group::new()
        .add(text(left, 22.0, 15, INK, "start", title.clone()))
        .add(line(left, 36.0, left + 18.0, 36.0, MEDIAN).set("stroke-width", 2))
        .add(text(left + 24.0, 40.0, 11, INK, "start", "median"))
        .add(line(left + 84.0, 36.0, left + 102.0, 36.0, P90).set("stroke-width", 2))
        .add(text(left + 108.0, 40.0, 11, INK, "start", "p90"))
        .add(text(
            f64::from(w) - right,
            40.0,
            11,
            MUTED,
            "end",
            "open hours",
        ));

    document("first-reply", (w, h), &title, &desc)
        .add(legend)
        .add(axes)
        .add(target)
        .add(series(&points(Tally::p90), P90))
        .add(series(&points(Tally::median), MEDIAN))
        .to_string()
}

/// A line through consecutive points, with a dot on each; a missing point (a day without
/// answers) breaks the line rather than drawing a slope through it.
fn series(points: &[Option<(f64, f64)>], colour: &str) -> Group {
    let mut g = Group::new();
    for run in points.split(Option::is_none) {
        let run: Vec<(f64, f64)> = run.iter().flatten().copied().collect();
        for &(x, y) in &run {
            g = g.add(
                Circle::new()
                    .set("cx", x)
                    .set("cy", y)
                    .set("r", 2.5)
                    .set("fill", colour),
            );
        }
        if run.len() > 1 {
            let coords: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            g = g.add(
                Polyline::new()
                    .set("points", coords.join(" "))
                    .set("fill", "none")
                    .set("stroke", colour)
                    .set("stroke-width", 2),
            );
        }
    }
    g
}

/// The share of conversations answered within the target, one bar per topic.
pub fn within_target_by_topic(s: &Summary) -> String {
    let row_h = 28.0;
    let (left, right, top) = (160.0, 120.0, 48.0);
    let w = 720u32;
    let h = (top + row_h * s.topics.len().max(1) as f64 + 16.0) as u32;
    let plot_w = f64::from(w) - left - right;
    let title = format!("Answered within the {} target, by topic", Humane(s.target));
    let parts: Vec<String> = s
        .topics
        .iter()
        .map(|(name, t)| match t.within_percent() {
            Some(p) => format!("{name}: {p}% ({} of {})", t.within_target, t.decided),
            None => format!("{name}: too early to tell"),
        })
        .collect();
    let desc = if parts.is_empty() {
        "No conversations in the period.".to_string()
    } else {
        format!("{}.", parts.join("; "))
    };
    let mut bars = Group::new();
    for (i, (name, t)) in s.topics.iter().enumerate() {
        let y = top + row_h * i as f64;
        bars = bars
            .add(text(
                left - 10.0,
                y + 17.0,
                12,
                INK,
                "end",
                shorten(name, 22),
            ))
            .add(
                Rectangle::new()
                    .set("x", left)
                    .set("y", y + 4.0)
                    .set("width", plot_w)
                    .set("height", row_h - 8.0)
                    .set("fill", GRID),
            );
        let label = match t.within_percent() {
            Some(p) => {
                bars = bars.add(
                    Rectangle::new()
                        .set("x", left)
                        .set("y", y + 4.0)
                        .set("width", plot_w * p as f64 / 100.0)
                        .set("height", row_h - 8.0)
                        .set("fill", MEDIAN),
                );
                format!("{p}% ({} of {})", t.within_target, t.decided)
            }
            None => "too early".to_string(),
        };
        bars = bars.add(text(left + plot_w + 8.0, y + 17.0, 12, INK, "start", label));
    }
    if s.topics.is_empty() {
        bars = bars.add(text(
            left,
            top + 17.0,
            12,
            MUTED,
            "start",
            "No conversations yet",
        ));
    }
    document("within-target", (w, h), &title, &desc)
        .add(text(16.0, 26.0, 15, INK, "start", title.clone()))
        .add(bars)
        .to_string()
}

/// Conversations opened per weekday and hour (business time), darker for busier.
pub fn busy_hours_heatmap(s: &Summary) -> String {
    let (left, top, cell) = (48.0, 56.0, 26.0);
    let w = (left + cell * 24.0 + 16.0) as u32;
    let h = (top + cell * 7.0 + 16.0) as u32;
    let max = s.busy_hours.iter().flatten().copied().max().unwrap_or(0);
    let title = "Busiest hours of the week".to_string();
    let desc = match busiest(&s.busy_hours) {
        Some((day, hour, n)) => format!(
            "Conversations opened per weekday and hour, business time; the busiest hour is {} {:02}:00–{:02}:00 with {n}.",
            WEEKDAYS[day],
            hour,
            (hour + 1) % 24
        ),
        None => "No conversations opened in the period.".to_string(),
    };
    let mut grid = Group::new();
    for hour in (0..24).step_by(3) {
        let x = left + cell * hour as f64 + cell / 2.0;
        grid = grid.add(text(
            x,
            top - 8.0,
            11,
            MUTED,
            "middle",
            format!("{hour:02}"),
        ));
    }
    for (day, hours) in s.busy_hours.iter().enumerate() {
        let y = top + cell * day as f64;
        grid = grid.add(text(
            left - 8.0,
            y + cell / 2.0 + 4.0,
            11,
            INK,
            "end",
            WEEKDAYS[day],
        ));
        for (hour, &n) in hours.iter().enumerate() {
            let share = if max == 0 {
                0.0
            } else {
                f64::from(n) / f64::from(max)
            };
            let cell_rect = Rectangle::new()
                .set("x", left + cell * hour as f64 + 1.0)
                .set("y", y + 1.0)
                .set("width", cell - 2.0)
                .set("height", cell - 2.0)
                .set("fill", if n == 0 { GRID } else { MEDIAN })
                .set(
                    "fill-opacity",
                    if n == 0 { 1.0 } else { 0.15 + 0.85 * share },
                )
                .add(Title::new(format!(
                    "{} {hour:02}:00–{:02}:00: {n}",
                    WEEKDAYS[day],
                    (hour + 1) % 24
                )));
            grid = grid.add(cell_rect);
        }
    }
    document("busy-hours", (w, h), &title, &desc)
        .add(text(16.0, 26.0, 15, INK, "start", title.clone()))
        .add(grid)
        .to_string()
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn busiest(grid: &[[u32; 24]; 7]) -> Option<(usize, usize, u32)> {
    let mut best: Option<(usize, usize, u32)> = None;
    for (d, hours) in grid.iter().enumerate() {
        for (h, &n) in hours.iter().enumerate() {
            if n > 0 && best.is_none_or(|(_, _, b)| n > b) {
                best = Some((d, h, n));
            }
        }
    }
    best
}

fn month_short(m: i8) -> &'static str {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS[usize::try_from(m - 1).unwrap_or(0).min(11)]
}

fn shorten(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let mut s: String = name.chars().take(max - 1).collect();
    s.push('…');
    s
}
