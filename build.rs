//! The map page's one third-party asset, Leaflet, comes from the npm registry at the
//! version `web/package-lock.json` pins: installed here (`npm ci`) when it is missing or
//! another version, then embedded in the binary by `routes::web`. The image build
//! installs it in a stage of its own, so this finds it in place there.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=web/package-lock.json");
    println!("cargo:rerun-if-changed=web/node_modules/leaflet/package.json");
    let web = Path::new("web");
    let pinned = version_in_lock(&web.join("package-lock.json"));
    let installed = installed_version(&web.join("node_modules/leaflet/package.json"));
    if installed.as_deref() != Some(pinned.as_str()) {
        let status = Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(web)
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "the map page needs Leaflet from the npm registry: running `npm ci` in \
                     web/ failed to start ({e}); install Node.js and npm, or run it by hand"
                )
            });
        assert!(
            status.success(),
            "`npm ci` in web/ failed ({status}): the map page needs Leaflet from the npm \
             registry, as web/package-lock.json pins it"
        );
        let now = installed_version(&web.join("node_modules/leaflet/package.json"));
        assert_eq!(
            now.as_deref(),
            Some(pinned.as_str()),
            "npm installed another Leaflet than web/package-lock.json pins"
        );
    }
}

fn version_in_lock(lock: &Path) -> String {
    let text =
        std::fs::read_to_string(lock).unwrap_or_else(|e| panic!("reading {}: {e}", lock.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("web/package-lock.json");
    json["packages"]["node_modules/leaflet"]["version"]
        .as_str()
        .expect("web/package-lock.json pins leaflet")
        .to_owned()
}

fn installed_version(package: &Path) -> Option<String> {
    let text = std::fs::read_to_string(package).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(json["version"].as_str()?.to_owned())
}
