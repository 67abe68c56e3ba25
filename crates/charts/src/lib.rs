//! The one chart stack (issue 21): a chart is a specification — a title, the categories along
//! the bottom, named series of amounts in tiyn, bars or lines — that the browser draws for
//! interaction (`crates/web/static/chart.js`, from the specification embedded in the page) and
//! the server draws to PNG and JPEG for download, from the same specification. Modules build
//! specifications from their data; none draws on its own.

use jospar_core::Tenge;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

/// How the series are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Bars side by side in each category.
    Bar,
    /// A line per series through the categories.
    Line,
}

/// One named series: an amount in tiyn per category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Series {
    pub name: String,
    pub values: Vec<i64>,
}

/// A chart as data, in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Chart {
    pub title: String,
    pub kind: ChartKind,
    /// The unit the axis shows amounts in ("тыс. тенге"): amounts are drawn in thousands.
    pub unit: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

/// A raster format the server draws in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raster {
    Png,
    Jpeg,
}

impl Raster {
    pub fn from_code(code: &str) -> Option<Raster> {
        match code {
            "png" => Some(Raster::Png),
            "jpeg" | "jpg" => Some(Raster::Jpeg),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Raster::Png => "image/png",
            Raster::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Raster::Png => "png",
            Raster::Jpeg => "jpg",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("drawing the chart: {0}")]
    Draw(String),
    #[error("encoding the chart: {0}")]
    Encode(#[from] image::ImageError),
    #[error("writing the chart's PDF: {0}")]
    Pdf(#[from] lopdf::Error),
}

/// The colours of the series, in order (the same list as chart.js).
pub const PALETTE: [(u8, u8, u8); 6] = [
    (11, 92, 173),
    (222, 124, 0),
    (23, 102, 58),
    (180, 35, 24),
    (106, 76, 147),
    (87, 96, 106),
];

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 560;

/// An amount in thousands of tenge, rounded half away from zero: the unit the axis shows.
pub fn thousands(tiyn: i64) -> i64 {
    jospar_reports::amount::round_half_away(tiyn, 100_000)
}

impl Chart {
    /// The largest amount of any series, in thousands (at least 1, for an empty chart's axis).
    pub fn top(&self) -> i64 {
        self.series
            .iter()
            .flat_map(|s| s.values.iter())
            .map(|v| thousands(*v))
            .max()
            .unwrap_or(0)
            .max(1)
    }

    /// The sum of a series, as a check of what is drawn against the data.
    pub fn total(&self, series: usize) -> Tenge {
        self.series
            .get(series)
            .map(|s| s.values.iter().map(|v| Tenge::from_tiyn(*v)).sum())
            .unwrap_or_default()
    }
}

/// Draws the chart as PNG or JPEG, 1000 × 560 pixels.
pub fn render(chart: &Chart, raster: Raster) -> Result<Vec<u8>, ChartError> {
    register_font();
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        draw(chart, &root).map_err(|e| ChartError::Draw(e.to_string()))?;
        root.present()
            .map_err(|e| ChartError::Draw(e.to_string()))?;
    }
    let image = image::RgbImage::from_raw(WIDTH, HEIGHT, pixels)
        .ok_or_else(|| ChartError::Draw("the buffer does not match the size".into()))?;
    let mut out = std::io::Cursor::new(Vec::new());
    let format = match raster {
        Raster::Png => image::ImageFormat::Png,
        Raster::Jpeg => image::ImageFormat::Jpeg,
    };
    image.write_to(&mut out, format)?;
    Ok(out.into_inner())
}

/// The chart on an A4 landscape page as PDF: the server's JPEG of it (kept as JPEG inside the
/// PDF), fitted to the page's width, the chart's title in the document information.
pub fn render_pdf(chart: &Chart) -> Result<Vec<u8>, ChartError> {
    use lopdf::{Document, Object, Stream, dictionary};
    let jpeg = render(chart, Raster::Jpeg)?;
    let (page_w, page_h, margin) = (842.0_f64, 595.0_f64, 31.0_f64);
    let shown_w = page_w - 2.0 * margin;
    let shown_h = shown_w * f64::from(HEIGHT) / f64::from(WIDTH);
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut image = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => WIDTH as i64,
            "Height" => HEIGHT as i64,
            "ColorSpace" => "DeviceRGB",
            "BitsPerComponent" => 8,
            "Filter" => "DCTDecode",
        },
        jpeg,
    );
    image.allows_compression = false;
    let image_id = doc.add_object(image);
    let content = format!(
        "q {shown_w} 0 0 {shown_h} {margin} {} cm /Im0 Do Q",
        (page_h - shown_h) / 2.0
    );
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), Object::Real(page_w), Object::Real(page_h)],
        "Contents" => content_id,
        "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    // A title beyond Latin-1 is UTF-16BE behind a byte order mark (PDF 1.7, 7.9.2.2).
    let title: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(chart.title.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let info_id = doc.add_object(dictionary! {
        "Title" => Object::String(title, lopdf::StringFormat::Hexadecimal),
    });
    doc.trailer.set("Info", info_id);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| ChartError::Draw(e.to_string()))?;
    Ok(out)
}

/// The font of the printed forms, registered once for the charts' text (Cyrillic and the
/// Kazakh letters included).
fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ =
            plotters::style::register_font("sans-serif", FontStyle::Normal, jospar_reports::FONT);
    });
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

fn draw(chart: &Chart, root: &Area<'_>) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let count = chart.categories.len().max(1);
    let top = chart.top();
    // Many categories (fifteen functional groups) stand their names upright.
    let upright = count > 6;
    let mut area = ChartBuilder::on(root)
        .caption(&chart.title, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(if upright { 170 } else { 50 })
        .y_label_area_size(110)
        .build_cartesian_2d(0f64..count as f64, 0f64..(top as f64 * 1.1))?;
    let categories = chart.categories.clone();
    area.configure_mesh()
        .disable_x_mesh()
        .x_labels(count * 2 + 1)
        .x_label_formatter(&|x| {
            // Labels sit in the middle of each category.
            let index = x.floor() as usize;
            if (x - index as f64 - 0.5).abs() < 0.01 {
                categories.get(index).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_label_style(if upright {
            ("sans-serif", 12)
                .into_font()
                .transform(FontTransform::Rotate90)
        } else {
            ("sans-serif", 13).into_font()
        })
        .y_desc(&chart.unit)
        .y_label_formatter(&|v| jospar_core::money::group_digits(v.max(0.0) as u64))
        .label_style(("sans-serif", 13))
        .light_line_style(WHITE)
        .draw()?;
    let width = 0.8 / chart.series.len().max(1) as f64;
    for (i, series) in chart.series.iter().enumerate() {
        let (r, g, b) = PALETTE[i % PALETTE.len()];
        let colour = RGBColor(r, g, b);
        let points: Vec<(f64, f64)> = series
            .values
            .iter()
            .enumerate()
            .map(|(c, v)| (c as f64, thousands(*v) as f64))
            .collect();
        let drawn = match chart.kind {
            ChartKind::Bar => area.draw_series(points.iter().map(|(c, v)| {
                let left = c + 0.1 + width * i as f64;
                Rectangle::new([(left, 0.0), (left + width, *v)], colour.filled())
            }))?,
            ChartKind::Line => area.draw_series(LineSeries::new(
                points.iter().map(|(c, v)| (c + 0.5, *v)),
                colour.stroke_width(3),
            ))?,
        };
        drawn
            .label(&series.name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled()));
    }
    area.configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 14))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(kind: ChartKind) -> Chart {
        Chart {
            title: "Исполнение по месяцам".into(),
            kind,
            unit: "тыс. тенге".into(),
            categories: vec!["Январь".into(), "Февраль".into(), "Наурыз".into()],
            series: vec![
                Series {
                    name: "План".into(),
                    values: vec![100_000_000, 250_000_000, 400_000_000],
                },
                Series {
                    name: "Исполнено".into(),
                    values: vec![90_000_000, 260_000_049, 0],
                },
            ],
        }
    }

    #[test]
    fn the_axis_counts_in_thousands_rounded_half_away() {
        assert_eq!(thousands(260_000_049), 2_600);
        assert_eq!(thousands(150_000), 2);
        assert_eq!(thousands(-150_000), -2);
        assert_eq!(chart(ChartKind::Bar).top(), 4_000);
        assert_eq!(chart(ChartKind::Bar).total(1).tiyn(), 350_000_049);
    }

    #[test]
    fn bars_and_lines_draw_to_png_and_jpeg() {
        for kind in [ChartKind::Bar, ChartKind::Line] {
            let png = render(&chart(kind), Raster::Png).expect("png");
            assert!(png.starts_with(b"\x89PNG"), "a PNG");
            let jpeg = render(&chart(kind), Raster::Jpeg).expect("jpeg");
            assert!(jpeg.starts_with(&[0xff, 0xd8]), "a JPEG");
            let decoded = image::load_from_memory(&png).expect("decodes").to_rgb8();
            // Something of the first series' colour is drawn.
            let (r, g, b) = PALETTE[0];
            assert!(decoded.pixels().any(|p| p.0 == [r, g, b]), "{kind:?}");
        }
    }

    #[test]
    fn the_pdf_holds_the_chart_and_its_title() {
        let pdf = render_pdf(&chart(ChartKind::Bar)).expect("pdf");
        let doc = lopdf::Document::load_mem(&pdf).expect("a PDF");
        assert_eq!(doc.get_pages().len(), 1);
        let info = doc
            .trailer
            .get(b"Info")
            .and_then(lopdf::Object::as_reference)
            .and_then(|id| doc.get_dictionary(id))
            .expect("info");
        let title = info
            .get(b"Title")
            .and_then(lopdf::Object::as_str)
            .expect("title");
        let units: Vec<u16> = title[2..]
            .chunks(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect();
        assert_eq!(String::from_utf16_lossy(&units), "Исполнение по месяцам");
    }
}
