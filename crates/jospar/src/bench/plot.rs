//! The plot of BENCHMARKS.md: p50 of the consolidated financing plan by scope (institution,
//! administrator, region, republic), kept totals against the `GROUP BY` baseline, per engine,
//! on a log scale. Drawn with plotters into a PNG, lettered in the DejaVu font the PDF reports
//! already embed.

use super::BenchReport;
use anyhow::{Result, anyhow};
use plotters::prelude::*;
use std::path::Path;

const SCOPES: [&str; 4] = ["institution", "administrator", "region", "republic"];
const PLAN: &str = "consolidated financing plan";

/// A line of the plot: its label, its colour and its points (scope index, ms).
type Series = (String, RGBColor, Vec<(f64, f64)>);

pub fn draw(report: &BenchReport, path: &Path) -> Result<()> {
    plotters::style::register_font("sans-serif", FontStyle::Normal, jospar_reports::FONT)
        .map_err(|_| anyhow!("the plot's font cannot be read"))?;
    let scopes: Vec<&str> = SCOPES
        .iter()
        .copied()
        .filter(|s| {
            report
                .engines
                .iter()
                .any(|e| e.figures.iter().any(|f| f.scope == *s && f.name == PLAN))
        })
        .collect();
    let mut series: Vec<Series> = Vec::new();
    let colours = [
        (RGBColor(31, 119, 180), RGBColor(174, 199, 232)),
        (RGBColor(214, 39, 40), RGBColor(255, 152, 150)),
        (RGBColor(44, 160, 44), RGBColor(152, 223, 138)),
    ];
    for (run, (strong, light)) in report.engines.iter().zip(colours) {
        let points = |pick: &dyn Fn(&super::Figure) -> Option<f64>| -> Vec<(f64, f64)> {
            scopes
                .iter()
                .enumerate()
                .filter_map(|(i, scope)| {
                    run.figures
                        .iter()
                        .find(|f| f.scope == *scope && f.name == PLAN)
                        .and_then(pick)
                        .map(|ms| (i as f64, ms.max(0.001)))
                })
                .collect()
        };
        series.push((
            format!("{}: kept totals", run.engine),
            strong,
            points(&|f| Some(f.timing.p50_ms)),
        ));
        series.push((
            format!("{}: GROUP BY baseline", run.engine),
            light,
            points(&|f| f.baseline.as_ref().map(|b| b.p50_ms)),
        ));
    }
    let all: Vec<f64> = series
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|(_, y)| *y))
        .collect();
    let low = all.iter().copied().fold(f64::MAX, f64::min).max(0.001) / 2.0;
    let high = all.iter().copied().fold(0.0, f64::max).max(1.0) * 2.0;
    let root = BitMapBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Consolidated financing plan, p50 by scope",
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(
            -0.2f64..(scopes.len().max(1) as f64 - 0.8),
            (low..high).log_scale(),
        )
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_labels(scopes.len().max(1))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && i >= 0.0 {
                scopes.get(i as usize).copied().unwrap_or("").to_string()
            } else {
                String::new()
            }
        })
        .y_desc("p50, ms (log scale)")
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    for (label, colour, points) in series {
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(3)))
            .map_err(|e| anyhow!("{e}"))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
            });
        chart
            .draw_series(PointSeries::of_element(
                points,
                5,
                colour.filled(),
                &|c, s, st| Circle::new(c, s, st),
            ))
            .map_err(|e| anyhow!("{e}"))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow!("{e}"))?;
    Ok(())
}
