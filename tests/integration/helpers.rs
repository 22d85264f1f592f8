//! Per-test databases on the cluster named by `TRAILLOOP_TEST_DATABASE_URL`, over TLS
//! verified against `TRAILLOOP_TEST_DATABASE_CA_FILE` (see `scripts/lib/pg.sh`).

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use trailloop::settings::{DatabaseSettings, Settings};
use trailloop::startup::Application;
use trailloop::store::{EmbeddedStore, PgStore, Store};
use trailloop_osm::TrailData;

/// A port nothing listens on now (for a process or a listener the test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process, killed if the test fails before it is done with it.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The sample data shipped in `data/`.
pub fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file)
}

/// Andorra with elevation, built once per test process.
pub static ANDORRA: LazyLock<TrailData> = LazyLock::new(|| {
    trailloop::import::build(&data("andorra.osm.pbf"), &[data("N42E001.hgt.zip")])
        .expect("building the Andorra network")
});

/// The admin URL of the test cluster. Without it the test fails: a database test that
/// cannot reach its database must not pass by skipping.
pub fn cluster_url() -> String {
    std::env::var("TRAILLOOP_TEST_DATABASE_URL").expect(
        "TRAILLOOP_TEST_DATABASE_URL is not set: run the tests through scripts/test.sh, \
         which starts a throwaway PostGIS cluster",
    )
}

/// The CA that signed the test cluster's certificate, from
/// `TRAILLOOP_TEST_DATABASE_CA_FILE`. Required when the cluster URL asks for TLS: the
/// test then fails rather than trying without.
pub fn cluster_ca_file() -> Option<PathBuf> {
    match std::env::var_os("TRAILLOOP_TEST_DATABASE_CA_FILE") {
        Some(file) => Some(PathBuf::from(file)),
        None => {
            assert!(
                !cluster_url().contains("sslmode=require"),
                "TRAILLOOP_TEST_DATABASE_URL asks for sslmode=require but \
                 TRAILLOOP_TEST_DATABASE_CA_FILE (the CA of the cluster's certificate) is not \
                 set: run the tests through scripts/test.sh, or export PG_CA_FILE of \
                 scripts/lib/pg.sh as it"
            );
            None
        }
    }
}

/// The `TRAILLOOP__DATABASE__*` settings that point the service or the CLI at `url` on the
/// test cluster (its CA included), for `Settings::load_from` or a child's environment.
pub fn database_env(url: &str) -> Vec<(String, String)> {
    let mut env = vec![("TRAILLOOP__DATABASE__URL".to_string(), url.to_string())];
    if let Some(ca) = cluster_ca_file() {
        env.push((
            "TRAILLOOP__DATABASE__CA_FILE".to_string(),
            ca.display().to_string(),
        ));
    }
    env
}

/// The cluster URL with another database (and the same `sslmode`).
fn url_of(database: &str) -> String {
    let mut url = url::Url::parse(&cluster_url()).expect("a valid test URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

/// A database that exists only for one test.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
}

/// A connection to the test cluster's administrative database, over the service's own
/// TLS connector.
async fn admin() -> tokio_postgres::Client {
    let config = tokio_postgres::Config::from_str(&cluster_url()).expect("a valid test URL");
    let tls = trailloop::db::tls::connector(cluster_ca_file().as_deref())
        .expect("the test cluster's CA file");
    let (client, conn) = config.connect(tls).await.unwrap_or_else(|e| {
        panic!(
            "the test cluster must be reachable: {}",
            trailloop::db::tls::describe(&e)
        )
    });
    tokio::spawn(conn);
    client
}

impl TestDatabase {
    /// A new, empty database (not migrated).
    pub async fn empty() -> TestDatabase {
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        admin()
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("creating the test database");
        TestDatabase { url: url_of(&name) }
    }

    /// A new database with the schema applied.
    pub async fn migrated() -> TestDatabase {
        let db = TestDatabase::empty().await;
        let mut client = db.client().await;
        trailloop::db::migrate(&mut client)
            .await
            .expect("migrating");
        db
    }

    /// The `TRAILLOOP__DATABASE__*` environment of a service or CLI on this database.
    pub fn env(&self) -> Vec<(String, String)> {
        database_env(&self.url)
    }

    /// Settings pointing at this database.
    pub fn settings(&self) -> DatabaseSettings {
        Settings::load_from(None, self.env()).unwrap().database
    }

    /// Runs the `trailloop` binary with `args` on this database (warnings logged only).
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_trailloop"))
            .args(args)
            .envs(self.env())
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    }

    /// A fresh connection.
    pub async fn client(&self) -> tokio_postgres::Client {
        trailloop::db::connect(&self.settings())
            .await
            .expect("connecting to the test database")
    }
}

// ---------------------------------------------------------------------------------------
// Andorra template database: imported once per cluster, cloned per test.

/// Held while one test process builds the template, so that the others wait for it
/// (nextest runs every test in its own process: an in-process lock would not do).
const TEMPLATE_LOCK_KEY: i64 = 0x7472_6169_6c6c_6f6f;

/// The template's name changes whenever the schema, the sample data or the importer's
/// code do.
fn template_name() -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut migrations: Vec<_> = std::fs::read_dir(root.join("migrations"))
        .expect("reading migrations/")
        .map(|e| e.unwrap().path())
        .collect();
    // The importer's code too: a change to what it writes must not meet an old template.
    for dir in ["osm/src", "src/db"] {
        migrations.extend(
            std::fs::read_dir(root.join(dir))
                .expect("reading the importer's sources")
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_file()),
        );
    }
    migrations.sort();
    for path in migrations
        .iter()
        .chain([&data("andorra.osm.pbf"), &data("N42E001.hgt.zip")])
    {
        hash.update(path.file_name().unwrap().as_encoded_bytes());
        hash.update(std::fs::read(path).expect("reading template inputs"));
    }
    hash.update(env!("CARGO_PKG_VERSION"));
    let digest = hash.finalize();
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("trailloop_template_{hex}")
}

async fn build_template(admin: &tokio_postgres::Client, name: &str) {
    let building = format!("{name}_building");
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
        .await
        .expect("dropping a half-built template");
    admin
        .batch_execute(&format!("CREATE DATABASE {building}"))
        .await
        .expect("creating the template database");
    {
        let db = TestDatabase {
            url: url_of(&building),
        };
        let mut client = db.client().await;
        trailloop::db::migrate(&mut client)
            .await
            .expect("migrating");
        let network = tokio::task::spawn_blocking(|| &*ANDORRA).await.unwrap();
        let source = trailloop::db::region_writer::ImportSource {
            region: "andorra".into(),
            source: "andorra.osm.pbf".into(),
            sha256: "template".into(),
            dem_sources: vec!["N42E001.hgt.zip".into()],
            started_at: chrono::Utc::now(),
        };
        trailloop::db::region_writer::replace_region(&mut client, &source, network)
            .await
            .expect("importing Andorra into the template");
    }
    // The import connection's backend may outlive the client by a moment, and a database
    // with sessions cannot be renamed: end them and retry.
    let mut attempts = 0;
    loop {
        admin
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                &[&building],
            )
            .await
            .expect("ending the import session");
        let renamed = admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await;
        match renamed {
            Ok(()) => break,
            Err(e) if attempts < 50 => {
                attempts += 1;
                eprintln!("template not published yet ({e}), retrying");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("publishing the template database: {e}"),
        }
    }
}

impl TestDatabase {
    /// A new database with the schema and Andorra, cloned from a template that the first
    /// caller on the cluster imports.
    pub async fn andorra() -> TestDatabase {
        let admin = admin().await;
        let template = template_name();
        admin
            .execute("SELECT pg_advisory_lock($1)", &[&TEMPLATE_LOCK_KEY])
            .await
            .expect("taking the template lock");
        let exists = admin
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template])
            .await
            .unwrap()
            .is_some();
        if !exists {
            build_template(&admin, &template).await;
        }
        admin
            .execute("SELECT pg_advisory_unlock($1)", &[&TEMPLATE_LOCK_KEY])
            .await
            .unwrap();
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await
            .expect("cloning the template database");
        TestDatabase { url: url_of(&name) }
    }
}

// ---------------------------------------------------------------------------------------
// The app on a random port, on either backend.

/// Which store the app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostGIS, a fresh database cloned from the Andorra template.
    Postgres,
    /// Andorra in memory.
    Embedded,
}

/// One Andorra embedded store per test process: building it is the slow part.
static EMBEDDED: LazyLock<Arc<EmbeddedStore>> =
    LazyLock::new(|| Arc::new(EmbeddedStore::new(ANDORRA.clone())));

/// A running app.
pub struct TestApp {
    /// `http://127.0.0.1:port`.
    pub address: String,
    /// A client with a generous timeout.
    pub client: reqwest::Client,
    /// Its database, for Postgres apps (kept for the app's lifetime).
    pub _db: Option<TestDatabase>,
    /// The planner it serves, to look at its network cache.
    pub planner: trailloop::plan::Planner,
    /// The saved plans it serves.
    pub plans: trailloop::plan::SavedPlans,
}

/// Settings of a test app: port 0 on loopback; `TEST_LOG=1` turns the JSON logs on.
pub fn test_settings(extra: &[(&str, &str)]) -> Settings {
    if std::env::var_os("TEST_LOG").is_some() {
        trailloop::telemetry::init();
    }
    let mut env = vec![
        (
            "TRAILLOOP__SERVER__HOST".to_string(),
            "127.0.0.1".to_string(),
        ),
        ("TRAILLOOP__SERVER__PORT".to_string(), "0".to_string()),
        // Tests that want the network loaded at start-up say so.
        (
            "TRAILLOOP__NETWORK__PRELOAD".to_string(),
            "false".to_string(),
        ),
        // Every test is one client on loopback; the tests of the limit set one.
        (
            "TRAILLOOP__RATE_LIMIT__PER_SECOND".to_string(),
            "0".to_string(),
        ),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Settings::load_from(None, env).expect("test settings")
}

/// The app on `backend` with default settings.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// The app on `backend` with extra `TRAILLOOP__...` settings.
pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let (store, db) = match backend {
        Backend::Postgres => {
            let db = TestDatabase::andorra().await;
            let store = Store::Postgres(PgStore::new(trailloop::db::pool(&db.settings()).unwrap()));
            (store, Some(db))
        }
        Backend::Embedded => {
            let store = tokio::task::spawn_blocking(|| EMBEDDED.clone())
                .await
                .unwrap();
            (Store::Embedded(store), None)
        }
    };
    spawn_app_on(store, db, extra)
}

/// The app on a given store.
/// The app over a fixture's `network`: in memory, or imported into a fresh migrated
/// database as region `region` (from `source`).
pub async fn spawn_app_over(
    backend: Backend,
    network: &TrailData,
    region: &str,
    source: &str,
) -> TestApp {
    match backend {
        Backend::Embedded => spawn_app_on(
            Store::Embedded(Arc::new(EmbeddedStore::new(network.clone()))),
            None,
            &[],
        ),
        Backend::Postgres => {
            let db = TestDatabase::migrated().await;
            let mut client = db.client().await;
            let source = trailloop::db::region_writer::ImportSource {
                region: region.into(),
                source: source.into(),
                sha256: "fixture".into(),
                dem_sources: Vec::new(),
                started_at: chrono::Utc::now(),
            };
            trailloop::db::region_writer::replace_region(&mut client, &source, network)
                .await
                .expect("importing the fixture");
            let store = Store::Postgres(PgStore::new(trailloop::db::pool(&db.settings()).unwrap()));
            spawn_app_on(store, Some(db), &[])
        }
    }
}

pub fn spawn_app_on(store: Store, db: Option<TestDatabase>, extra: &[(&str, &str)]) -> TestApp {
    let app = Application::build_with_store(test_settings(extra), store).expect("building the app");
    let port = app.port();
    let planner = app.planner();
    let plans = app.plans();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap(),
        _db: db,
        planner,
        plans,
    }
}

impl TestApp {
    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("sending GET")
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .json(body)
            .send()
            .await
            .expect("sending POST")
    }

    /// The GPX of `the_loop` saved as a plan, checked against the GPX 1.1 schema.
    pub async fn saved_gpx(&self, the_loop: &serde_json::Value) -> gpx::Gpx {
        let r = self
            .post_json(
                "/v1/plans",
                &serde_json::json!({"name": "Plan", "loop": the_loop}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let saved: serde_json::Value = r.json().await.unwrap();
        let r = self
            .get(&format!("/v1/plans/{}/gpx", saved["id"].as_str().unwrap()))
            .await;
        assert_eq!(r.status(), 200);
        let xml = r.bytes().await.unwrap();
        assert_valid_gpx(&xml);
        gpx::read(xml.as_ref()).expect("GPX")
    }

    /// `POST /v1/loops`, asserting 200, returning the answer.
    pub async fn loops(&self, body: &serde_json::Value) -> serde_json::Value {
        let r = self.post_json("/v1/loops", body).await;
        let status = r.status();
        let text = r.text().await.unwrap();
        assert_eq!(status, 200, "POST /v1/loops {body}: {text}");
        serde_json::from_str(&text).unwrap()
    }
}

/// Runs an `async fn(Backend)` test once per backend, as `name::postgres` and
/// `name::embedded`: the assertions are written once.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(crate::helpers::Backend::Postgres).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn embedded() {
                    super::$name(crate::helpers::Backend::Embedded).await
                }
            }
        )*
    };
}

/// Asserts `xml` is valid against the GPX 1.1 schema, by a real validator (xmllint).
pub fn assert_valid_gpx(xml: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.gpx");
    std::fs::write(&file, xml).unwrap();
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/gpx-1.1.xsd");
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("xmllint (libxml2-utils) must be installed: scripts/test.sh installs it");
    assert!(
        out.status.success(),
        "GPX 1.1 schema: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Waits until a service started at `base` answers `/healthz`, at most `limit`.
pub async fn wait_until_up(base: &str, limit: std::time::Duration) {
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(started.elapsed() < limit, "{base} did not come up");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
