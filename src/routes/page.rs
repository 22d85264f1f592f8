//! The map page at `/`: its files embedded in the binary (its ES modules under `/js/`,
//! loaded as they are, no bundler), Leaflet among them at the version
//! `web/package-lock.json` pins (installed by `build.rs`), so that the page needs nothing
//! from another host but map tiles, and none of those when `web.tile_url` is empty.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

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
    // One of the page's modules, `web/js/<name>.js` at `/js/<name>.js`.
    (module $name:literal) => {
        Asset {
            path: concat!("/js/", $name, ".js"),
            content_type: "text/javascript; charset=utf-8",
            body: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/web/js/",
                $name,
                ".js"
            )),
            vendored: false,
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("/", "text/html; charset=utf-8", "index.html", false),
    asset!(module "api"),
    asset!(module "config"),
    asset!(module "days"),
    asset!(module "days-view"),
    asset!(module "form"),
    asset!(module "format"),
    asset!(module "list"),
    asset!(module "main"),
    asset!(module "map"),
    asset!(module "places"),
    asset!(module "profile"),
    asset!(module "profile-view"),
    asset!(module "search"),
    asset!(module "state"),
    asset!(module "status"),
    asset!(module "ui"),
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

/// Registers the page and its files (what it reads at start is `app_config`'s).
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

    fn asset(path: &str) -> Option<&'static Asset> {
        ASSETS.iter().find(|a| a.path == path)
    }

    /// Every file under `web/js` is served at `/js/...`, as it is on disk, and nothing
    /// is served there that is not on disk: a module added to the page but not here
    /// would load in no browser.
    #[test]
    fn every_module_of_the_page_is_served_and_only_those() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/js");
        let mut on_disk = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            assert!(
                entry.file_type().unwrap().is_file() && name.ends_with(".js"),
                "web/js/{name}: only modules live there (or serve it and change this test)"
            );
            let a = asset(&format!("/js/{name}"))
                .unwrap_or_else(|| panic!("web/js/{name} is not in ASSETS (src/routes/page.rs)"));
            assert_eq!(a.content_type, "text/javascript; charset=utf-8", "{name}");
            assert!(!a.vendored, "{name}: the page's own files are revalidated");
            assert_eq!(a.body, std::fs::read(entry.path()).unwrap(), "{name}");
            on_disk.push(format!("/js/{name}"));
        }
        let served: Vec<_> = ASSETS
            .iter()
            .filter(|a| a.path.starts_with("/js/"))
            .collect();
        assert_eq!(
            served.len(),
            on_disk.len(),
            "ASSETS serves a module not in web/js"
        );
        assert!(on_disk.len() >= 5);
    }

    /// The page loads its entry module, and every module's relative imports are served.
    #[test]
    fn the_page_and_its_imports_resolve_to_served_files() {
        let html = std::str::from_utf8(asset("/").unwrap().body).unwrap();
        assert!(
            html.contains(r#"<script src="/js/main.js" type="module"></script>"#),
            "index.html loads /js/main.js as a module"
        );
        for a in ASSETS.iter().filter(|a| a.path.starts_with("/js/")) {
            let text = std::str::from_utf8(a.body).unwrap();
            let imports: Vec<&str> = text
                .split("from '")
                .skip(1)
                .filter_map(|rest| rest.split('\'').next())
                .collect();
            for import in imports {
                let name = import.strip_prefix("./").unwrap_or_else(|| {
                    panic!("{}: import {import} is not ./ (no bundler)", a.path)
                });
                assert!(
                    asset(&format!("/js/{name}")).is_some(),
                    "{} imports {import}, which is not served",
                    a.path
                );
            }
        }
    }
}
