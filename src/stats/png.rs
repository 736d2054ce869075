//! SVG to PNG, for Discord (which shows PNGs but not SVGs): drawn by `resvg` with the DejaVu
//! Sans font bundled in the binary (`assets/fonts`, licence beside it). No system font is
//! read, so the picture is the same on every machine.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// The bundled font: DejaVu Sans (Bitstream Vera licence, DejaVu changes public domain).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    #[error(
        "the chart is not valid SVG: {0}\n  fix: report this; the text figures are unaffected"
    )]
    Svg(String),
    #[error("the chart has no area to draw ({width}×{height})\n  fix: report this; the text figures are unaffected")]
    Size { width: f32, height: f32 },
    #[error("the chart could not be encoded as PNG: {0}\n  fix: report this; the text figures are unaffected")]
    Encode(String),
}

/// The font database, parsed once: only the bundled font.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(FONT.to_vec());
            db.set_sans_serif_family("DejaVu Sans");
            Arc::new(db)
        })
        .clone()
}

/// Draws `svg` at its own size (one pixel per SVG unit) on its own background.
pub fn render(svg: &str) -> Result<Vec<u8>, PngError> {
    let options = usvg::Options {
        font_family: "DejaVu Sans".to_string(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| PngError::Svg(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or(PngError::Size {
        width: tree.size().width(),
        height: tree.size().height(),
    })?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| PngError::Encode(e.to_string()))
}
