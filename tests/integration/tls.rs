//! TLS to the database, against the test cluster of `scripts/lib/pg.sh`: TCP only with
//! TLS, a certificate for `localhost` only signed by the CA in
//! `TRAILLOOP_TEST_DATABASE_CA_FILE`, and `sslmode=require` in the cluster URL. The
//! service and the CLI connect only to a server whose certificate chains to their roots
//! and names the host they dialled, and their errors say why without the password.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tokio_postgres::config::SslMode;
use trailloop::settings::Settings;
use trailloop::startup::Application;

use crate::helpers::{
    cluster_ca_file, cluster_url, free_port, test_settings, Running, TestDatabase,
};

const BIN: &str = env!("CARGO_BIN_EXE_trailloop");
const PASSWORD: &str = "hunter2-secret";

/// The cluster must be the TLS one: these tests prove nothing on a plaintext cluster.
fn assert_tls_cluster() {
    let config: tokio_postgres::Config = cluster_url().parse().expect("a valid test URL");
    assert_eq!(
        config.get_ssl_mode(),
        SslMode::Require,
        "TRAILLOOP_TEST_DATABASE_URL must say sslmode=require (scripts/lib/pg.sh)"
    );
    assert!(
        cluster_ca_file().is_some(),
        "TRAILLOOP_TEST_DATABASE_CA_FILE"
    );
}

/// `url` changed by `f`.
fn edit_url(url: &str, f: impl FnOnce(&mut url::Url)) -> String {
    let mut url = url::Url::parse(url).unwrap();
    f(&mut url);
    url.to_string()
}

/// `url` with the test password in it (the cluster trusts, so it goes unchecked).
fn with_password(url: &str) -> String {
    edit_url(url, |u| u.set_password(Some(PASSWORD)).unwrap())
}

/// `url` with another `sslmode` (or none).
fn with_sslmode(url: &str, mode: Option<&str>) -> String {
    edit_url(url, |u| {
        let others: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| k != "sslmode")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        u.set_query(None);
        let mut query = u.query_pairs_mut();
        query.extend_pairs(others);
        if let Some(mode) = mode {
            query.append_pair("sslmode", mode);
        }
    })
}

/// A CA of the test's own, in a PEM file: it signed nothing the cluster presents.
fn stranger_ca(dir: &tempfile::TempDir) -> PathBuf {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Not the cluster's CA");
    let key = rcgen::KeyPair::generate().unwrap();
    let file = dir.path().join("stranger-ca.pem");
    std::fs::write(&file, params.self_signed(&key).unwrap().pem()).unwrap();
    file
}

/// `trailloop migrate` with exactly these database settings.
fn cli_migrate(url: &str, ca_file: Option<&std::path::Path>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("migrate")
        .env("TRAILLOOP__DATABASE__URL", url)
        .env_remove("TRAILLOOP__DATABASE__CA_FILE")
        .env("RUST_LOG", "warn");
    if let Some(ca) = ca_file {
        cmd.env("TRAILLOOP__DATABASE__CA_FILE", ca);
    }
    cmd.output().expect("running trailloop migrate")
}

/// Asserts that the CLI failed, saying each of `expected`, never the password.
fn assert_cli_failed(out: &Output, expected: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "migrate succeeded: {stderr}");
    for word in expected {
        assert!(stderr.contains(word), "{word:?} not in the error: {stderr}");
    }
    assert!(
        !stderr.contains(PASSWORD) && !stdout.contains(PASSWORD),
        "the password leaked: {stderr}\n{stdout}"
    );
    stderr
}

/// The service built as `main` builds it, from settings (its pool included), on a
/// random port; its address.
async fn serve(env: &[(String, String)]) -> anyhow::Result<String> {
    let extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = Application::build(test_settings(&extra)).await?;
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Ok(address)
}

async fn get(url: String) -> (u16, String) {
    let r = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .expect("the service answers");
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn uses_tls(client: &tokio_postgres::Client) -> bool {
    client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_on_verified_tls_is_ready_and_reads_the_database() {
    assert_tls_cluster();
    let db = TestDatabase::andorra().await;
    let address = serve(&db.env()).await.expect("building the service");
    let (status, body) = get(format!("{address}/readyz")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = get(format!(
        "{address}/v1/trailheads?lat=42.5078&lon=1.5211&radius_km=5&limit=3"
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(!body["trailheads"].as_array().unwrap().is_empty(), "{body}");
    // And the session really is encrypted.
    assert!(uses_tls(&db.client().await).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_migrates_over_verified_tls() {
    assert_tls_cluster();
    let db = TestDatabase::empty().await;
    let out = cli_migrate(&db.url, cluster_ca_file().as_deref());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let client = db.client().await;
    assert!(uses_tls(&client).await);
    let applied: i64 = client
        .query_one("SELECT count(*) FROM refinery_schema_history", &[])
        .await
        .unwrap()
        .get(0);
    assert!(applied > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_that_did_not_sign_the_server_certificate_is_refused() {
    assert_tls_cluster();
    let dir = tempfile::tempdir().unwrap();
    let stranger = stranger_ca(&dir);
    let db = TestDatabase::andorra().await;
    let url = with_password(&db.url);

    // The CLI exits non-zero and says why.
    let out = cli_migrate(&url, Some(&stranger));
    assert_cli_failed(
        &out,
        &[
            "not trusted",
            "UnknownIssuer",
            "TRAILLOOP__DATABASE__CA_FILE",
        ],
    );

    // The service starts (its pool is lazy) but is not ready, and its reason says why.
    let env = vec![
        ("TRAILLOOP__DATABASE__URL".to_string(), url.clone()),
        (
            "TRAILLOOP__DATABASE__CA_FILE".to_string(),
            stranger.display().to_string(),
        ),
    ];
    let address = serve(&env).await.expect("the service starts");
    let (status, body) = get(format!("{address}/readyz")).await;
    assert_eq!(status, 503, "{body}");
    assert!(!body.contains(PASSWORD), "{body}");
    let settings = Settings::load_from(None, env.clone()).unwrap();
    let store = trailloop::store::Store::Postgres(trailloop::store::PgStore::new(
        trailloop::db::pool(&settings.database).unwrap(),
    ));
    let reason = store.ready().await.unwrap_err().to_string();
    assert!(reason.contains("not trusted"), "{reason}");
    assert!(reason.contains("TRAILLOOP__DATABASE__CA_FILE"), "{reason}");
    assert!(!reason.contains(PASSWORD), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_an_untrusted_ca_answers_503_and_logs_why() {
    assert_tls_cluster();
    let dir = tempfile::tempdir().unwrap();
    let stranger = stranger_ca(&dir);
    let db = TestDatabase::andorra().await;
    let port = free_port();
    let log = dir.path().join("serve.log");
    let _child = Running(
        Command::new(BIN)
            .arg("serve")
            .env("TRAILLOOP__DATABASE__URL", with_password(&db.url))
            .env("TRAILLOOP__DATABASE__CA_FILE", &stranger)
            .env("TRAILLOOP__SERVER__HOST", "127.0.0.1")
            .env("TRAILLOOP__SERVER__PORT", port.to_string())
            .env("TRAILLOOP__NETWORK__PRELOAD", "false")
            .env("RUST_LOG", "info")
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting trailloop serve"),
    );
    let client = reqwest::Client::new();
    let started = Instant::now();
    let status = loop {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
        {
            break r.status().as_u16();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status, 503);
    let started = Instant::now();
    let logs = loop {
        let logs = std::fs::read_to_string(&log).unwrap();
        if logs.contains("not trusted") || started.elapsed() > Duration::from_secs(10) {
            break logs;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(logs.contains("not trusted"), "{logs}");
    assert!(logs.contains("TRAILLOOP__DATABASE__CA_FILE"), "{logs}");
    assert!(!logs.contains(PASSWORD), "the password leaked: {logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefer_uses_tls_when_offered_and_still_verifies_the_certificate() {
    assert_tls_cluster();
    let db = TestDatabase::empty().await;
    // No sslmode in the URL: tokio-postgres' default, prefer.
    let url = with_sslmode(&db.url, None);
    let mut env = db.env();
    env[0].1 = url.clone();
    let settings = Settings::load_from(None, env).unwrap().database;
    assert_eq!(
        settings.pg_config().unwrap().get_ssl_mode(),
        SslMode::Prefer
    );
    let client = trailloop::db::connect(&settings).await.unwrap();
    assert!(uses_tls(&client).await);
    // A certificate that fails is an error, not a reason to try plaintext.
    let dir = tempfile::tempdir().unwrap();
    let out = cli_migrate(&with_password(&url), Some(&stranger_ca(&dir)));
    assert_cli_failed(&out, &["not trusted"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_disable_is_refused_by_a_server_that_requires_tls() {
    assert_tls_cluster();
    let db = TestDatabase::empty().await;
    let url = with_password(&with_sslmode(&db.url, Some("disable")));
    let out = cli_migrate(&url, cluster_ca_file().as_deref());
    assert_cli_failed(&out, &["pg_hba.conf rejects connection", "no encryption"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_the_certificate_does_not_name_is_refused() {
    assert_tls_cluster();
    let db = TestDatabase::empty().await;
    assert_eq!(
        url::Url::parse(&db.url).unwrap().host_str(),
        Some("localhost"),
        "the cluster's certificate names localhost only (scripts/lib/pg.sh)"
    );
    // The same server by its address: the certificate does not list 127.0.0.1.
    let url = with_password(&edit_url(&db.url, |u| {
        u.set_host(Some("127.0.0.1")).unwrap()
    }));
    let out = cli_migrate(&url, cluster_ca_file().as_deref());
    assert_cli_failed(&out, &["not valid for the host", "127.0.0.1"]);
    // The same in the library, for the pool's connections.
    let mut env = db.env();
    env[0].1 = url;
    let settings = Settings::load_from(None, env).unwrap().database;
    let err = format!("{:#}", trailloop::db::connect(&settings).await.unwrap_err());
    assert!(err.contains("not valid for the host"), "{err}");
    assert!(!err.contains(PASSWORD), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_ca_file_stops_the_start_naming_the_setting_and_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing-ca.pem");
    let empty = dir.path().join("empty-ca.pem");
    std::fs::write(&empty, "").unwrap();
    let url = with_password(&cluster_url());
    for (file, reason) in [(&missing, "cannot read"), (&empty, "holds no certificate")] {
        let env = vec![
            ("TRAILLOOP__DATABASE__URL".to_string(), url.clone()),
            (
                "TRAILLOOP__DATABASE__CA_FILE".to_string(),
                file.display().to_string(),
            ),
        ];
        let err = format!("{:#}", serve(&env).await.unwrap_err());
        for word in [
            reason,
            "TRAILLOOP__DATABASE__CA_FILE",
            &file.display().to_string(),
        ] {
            assert!(err.contains(word), "{word:?} not in {err}");
        }
        assert!(!err.contains(PASSWORD), "{err}");
        let out = cli_migrate(&url, Some(file));
        assert_cli_failed(&out, &[reason, &file.display().to_string()]);
    }
}
