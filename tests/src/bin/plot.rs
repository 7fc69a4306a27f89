//! Draws the scaling benches' curves as one SVG: `curve,SERIES,UNIT,X,NS` lines on stdin, one
//! panel per unit (bytes, records), both axes logarithmic so that a straight line of slope one
//! is linear growth.
//!
//! ```text
//! grep '^curve,' bench.out | plot docs/scaling.svg
//! ```

use std::collections::BTreeMap;
use std::io::BufRead;
use std::process::ExitCode;

use plotters::prelude::*;

/// The points of each series, by unit.
type Curves = BTreeMap<String, BTreeMap<String, Vec<(f64, f64)>>>;

fn read(input: impl BufRead) -> Result<Curves, String> {
    let mut curves = Curves::new();
    for line in input.lines() {
        let line = line.map_err(|err| format!("cannot read the input: {err}"))?;
        let fields: Vec<&str> = line.trim().split(',').collect();
        let ["curve", series, unit, x, ns] = fields[..] else {
            continue;
        };
        let number = |text: &str| {
            text.parse::<f64>()
                .map_err(|_| format!("`{text}` is not a number in `{line}`"))
        };
        curves
            .entry(unit.to_owned())
            .or_default()
            .entry(series.to_owned())
            .or_default()
            .push((number(x)?, number(ns)? / 1000.0));
    }
    if curves.is_empty() {
        return Err("no `curve,SERIES,UNIT,X,NS` lines on stdin".into());
    }
    Ok(curves)
}

fn draw(curves: &Curves, path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (1100, 460)).into_drawing_area();
    root.fill(&WHITE)?;
    let panels = root.split_evenly((1, curves.len()));
    let colors = [BLUE, RED, GREEN, MAGENTA, BLACK, CYAN];
    for ((unit, series), panel) in curves.iter().zip(panels) {
        let all = series.values().flatten();
        let (x_max, y_max) = all.fold((1.0f64, 1.0f64), |(x, y), p| (x.max(p.0), y.max(p.1)));
        let all = series.values().flatten();
        let (x_min, y_min) = all.fold((f64::MAX, f64::MAX), |(x, y), p| (x.min(p.0), y.min(p.1)));
        let mut chart = ChartBuilder::on(&panel)
            .caption(format!("one invocation vs {unit}"), ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (x_min * 0.8..x_max * 1.25).log_scale(),
                (y_min * 0.8..y_max * 1.25).log_scale(),
            )?;
        chart
            .configure_mesh()
            .x_desc(unit.as_str())
            .y_desc("µs per invocation")
            .draw()?;
        for ((name, points), color) in series.iter().zip(colors.iter().cycle()) {
            let mut points = points.clone();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart
                .draw_series(LineSeries::new(points.iter().copied(), color))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color));
            chart.draw_series(
                points
                    .iter()
                    .map(|&point| Circle::new(point, 3, color.filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: plot OUT.svg < curves");
        return ExitCode::from(2);
    };
    let curves = match read(std::io::stdin().lock()) {
        Ok(curves) => curves,
        Err(err) => {
            eprintln!("plot: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(err) = draw(&curves, &path) {
        eprintln!("plot: cannot draw {path}: {err}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
