//! The map page at `/`: its files embedded in the binary, Leaflet among them at the
//! version `web/package-lock.json` pins (installed by `build.rs`), so that the page
//! needs nothing from another host but map tiles, and none of those when
//! `web.tile_url` is empty.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::settings::WebSettings;

/// One embedded file.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// Vendored files change only with the lock file; the page's own with the binary.
    vendored: bool,
}

macro_rules! asset {
    ($path:literal, $type:literal, $file:literal, $vendored:literal) => {
        Asset {
            path: $path,
            content_type: $type,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/", $file)),
            vendored: $vendored,
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("/", "text/html; charset=utf-8", "index.html", false),
    asset!("/app.js", "text/javascript; charset=utf-8", "app.js", false),
    asset!("/app.css", "text/css; charset=utf-8", "app.css", false),
    asset!(
        "/vendor/leaflet/leaflet.js",
        "text/javascript; charset=utf-8",
        "node_modules/leaflet/dist/leaflet.js",
        true
    ),
    asset!(
        "/vendor/leaflet/leaflet.css",
        "text/css; charset=utf-8",
        "node_modules/leaflet/dist/leaflet.css",
        true
    ),
    asset!(
        "/vendor/leaflet/images/layers.png",
        "image/png",
        "node_modules/leaflet/dist/images/layers.png",
        true
    ),
    asset!(
        "/vendor/leaflet/images/layers-2x.png",
        "image/png",
        "node_modules/leaflet/dist/images/layers-2x.png",
        true
    ),
    asset!(
        "/vendor/leaflet/images/marker-icon.png",
        "image/png",
        "node_modules/leaflet/dist/images/marker-icon.png",
        true
    ),
    asset!(
        "/vendor/leaflet/images/marker-icon-2x.png",
        "image/png",
        "node_modules/leaflet/dist/images/marker-icon-2x.png",
        true
    ),
    asset!(
        "/vendor/leaflet/images/marker-shadow.png",
        "image/png",
        "node_modules/leaflet/dist/images/marker-shadow.png",
        true
    ),
];

/// What the page reads at start: where its tiles come from.
#[derive(Debug, Clone, Serialize)]
struct AppConfig {
    tile_url: Option<String>,
    tile_attribution: String,
    tile_max_zoom: u8,
}

/// The tile server's origin for the page's Content-Security-Policy (`{s}` subdomains
/// as a wildcard), or nothing for no tiles.
fn tile_source(tile_url: &str) -> Option<String> {
    let (scheme, rest) = tile_url.split_once("://")?;
    let host = rest.split('/').next().filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{}", host.replace("{s}", "*")))
}

/// The page's policy: its own scripts and styles, the API, and tiles from one host.
fn content_security_policy(web: &WebSettings) -> String {
    let tiles = tile_source(&web.tile_url).unwrap_or_default();
    format!(
        "default-src 'self'; img-src 'self' data: {tiles}; style-src 'self'; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// Registers the page, its files and `/app-config.json`.
pub fn configure(cfg: &mut web::ServiceConfig, settings: &WebSettings) {
    let csp = content_security_policy(settings);
    for asset in ASSETS {
        let csp = csp.clone();
        cfg.service(web::resource(asset.path).route(web::get().to(move || {
            let csp = csp.clone();
            async move {
                let mut res = HttpResponse::Ok();
                res.insert_header((header::CONTENT_TYPE, asset.content_type))
                    .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .insert_header((
                        header::CACHE_CONTROL,
                        if asset.vendored {
                            "public, max-age=86400"
                        } else {
                            "no-cache"
                        },
                    ));
                if asset.path == "/" {
                    res.insert_header((header::CONTENT_SECURITY_POLICY, csp))
                        .insert_header((header::REFERRER_POLICY, "no-referrer"));
                }
                res.body(asset.body)
            }
        })));
    }
    let config = AppConfig {
        tile_url: Some(settings.tile_url.trim().to_owned()).filter(|u| !u.is_empty()),
        tile_attribution: settings.tile_attribution.clone(),
        tile_max_zoom: settings.tile_max_zoom,
    };
    cfg.service(
        web::resource("/app-config.json").route(web::get().to(move || {
            let config = config.clone();
            async move {
                HttpResponse::Ok()
                    .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
                    .json(config)
            }
        })),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_lets_tiles_come_from_their_host_only() {
        assert_eq!(
            tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tile.openstreetmap.org")
        );
        assert_eq!(
            tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.example.org")
        );
        assert_eq!(tile_source(""), None);
        assert_eq!(tile_source("tiles/{z}/{x}/{y}.png"), None);
    }

    #[test]
    fn every_embedded_file_is_there() {
        for a in ASSETS {
            assert!(a.body.len() > 100, "{} is {} bytes", a.path, a.body.len());
        }
        let js = ASSETS
            .iter()
            .find(|a| a.path.ends_with("leaflet.js"))
            .unwrap();
        assert!(std::str::from_utf8(js.body).unwrap().contains("Leaflet"));
    }
}
