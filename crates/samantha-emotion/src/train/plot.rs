//! Writes the training curves as a small standalone SVG.

use std::fmt::Write;

/// One line of a chart.
pub struct Series<'a> {
    pub name: &'a str,
    pub color: &'a str,
    /// `(epoch, value)` points.
    pub points: Vec<(f64, f64)>,
}

const PANEL_WIDTH: f64 = 420.0;
const PANEL_HEIGHT: f64 = 320.0;
const MARGIN: f64 = 50.0;

fn panel(svg: &mut String, left: f64, title: &str, series: &[Series<'_>]) {
    let points = series.iter().flat_map(|s| s.points.iter());
    let (mut x_max, mut y_min, mut y_max) = (1.0f64, f64::INFINITY, f64::NEG_INFINITY);
    for (x, y) in points {
        x_max = x_max.max(*x);
        y_min = y_min.min(*y);
        y_max = y_max.max(*y);
    }
    if !y_min.is_finite() {
        (y_min, y_max) = (0.0, 1.0);
    }
    if y_max - y_min < 1e-6 {
        y_max = y_min + 1.0;
    }
    let pad = (y_max - y_min) * 0.1;
    let (y_min, y_max) = (y_min - pad, y_max + pad);

    let plot_left = left + MARGIN;
    let plot_width = PANEL_WIDTH - MARGIN - 20.0;
    let plot_top = 40.0;
    let plot_height = PANEL_HEIGHT - 110.0;
    let to_x = |x: f64| plot_left + (x - 1.0) / (x_max - 1.0).max(1.0) * plot_width;
    let to_y = |y: f64| plot_top + (y_max - y) / (y_max - y_min) * plot_height;

    let _ = writeln!(svg, r#"<text x="{:.1}" y="24" font-size="15" text-anchor="middle">{title}</text>"#, left + PANEL_WIDTH / 2.0);
    let _ = writeln!(
        svg,
        r##"<rect x="{plot_left:.1}" y="{plot_top:.1}" width="{plot_width:.1}" height="{plot_height:.1}" fill="none" stroke="#888"/>"##
    );
    for tick in 0..=4 {
        let value = y_min + (y_max - y_min) * f64::from(tick) / 4.0;
        let y = to_y(value);
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{value:.3}</text>"#,
            plot_left - 4.0,
            y + 4.0
        );
    }
    let last_epoch = x_max.round() as usize;
    for epoch in 1..=last_epoch {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{epoch}</text>"#,
            to_x(epoch as f64),
            plot_top + plot_height + 16.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">epoch</text>"#,
        plot_left + plot_width / 2.0,
        plot_top + plot_height + 32.0
    );

    for (index, line) in series.iter().enumerate() {
        let path: Vec<String> = line.points.iter().map(|(x, y)| format!("{:.1},{:.1}", to_x(*x), to_y(*y))).collect();
        let _ = writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            path.join(" "),
            line.color
        );
        for (x, y) in &line.points {
            let _ = writeln!(svg, r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"/>"#, to_x(*x), to_y(*y), line.color);
        }
        let legend_y = PANEL_HEIGHT - 8.0;
        let legend_x = plot_left + index as f64 * 130.0;
        let _ = writeln!(
            svg,
            r#"<rect x="{legend_x:.1}" y="{:.1}" width="12" height="4" fill="{}"/><text x="{:.1}" y="{legend_y:.1}" font-size="11">{}</text>"#,
            legend_y - 6.0,
            line.color,
            legend_x + 16.0,
            line.name
        );
    }
}

/// Renders a loss panel and an F1 panel side by side.
pub fn curves_svg(loss: &[Series<'_>], f1: &[Series<'_>]) -> String {
    let width = PANEL_WIDTH * 2.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{PANEL_HEIGHT}" viewBox="0 0 {width} {PANEL_HEIGHT}" font-family="sans-serif">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    panel(&mut svg, 0.0, "Binary cross-entropy loss", loss);
    // burn reports F-beta scores in percent.
    panel(&mut svg, PANEL_WIDTH, "Macro-F1 (%) at threshold 0.5", f1);
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_has_one_line_per_series() {
        let loss = [
            Series { name: "train", color: "#1f77b4", points: vec![(1.0, 0.3), (2.0, 0.2)] },
            Series { name: "dev", color: "#ff7f0e", points: vec![(1.0, 0.35), (2.0, 0.3)] },
        ];
        let f1 = [Series { name: "dev", color: "#ff7f0e", points: vec![(1.0, 0.5), (2.0, 0.6)] }];
        let svg = curves_svg(&loss, &f1);
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 3);
    }

    #[test]
    fn single_point_and_flat_lines_render() {
        let flat = [Series { name: "dev", color: "black", points: vec![(1.0, 0.5)] }];
        let svg = curves_svg(&flat, &flat);
        assert!(!svg.contains("NaN"), "{svg}");
    }
}
