//! Per-test databases on the cluster named by `TRAILLOOP_TEST_DATABASE_URL`.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::LazyLock;

use trailloop::settings::{DatabaseSettings, Settings};
use trailloop_osm::Network;

/// The sample data shipped in `data/`.
pub fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file)
}

/// Andorra with elevation, built once per test process.
pub static ANDORRA: LazyLock<Network> = LazyLock::new(|| {
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

/// A database that exists only for one test.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
}

async fn admin() -> tokio_postgres::Client {
    let config = tokio_postgres::Config::from_str(&cluster_url()).expect("a valid test URL");
    let (client, conn) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("the test cluster must be reachable");
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
        let url = format!("{}/{}", cluster_url().rsplit_once('/').unwrap().0, name);
        TestDatabase { url }
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

    /// Settings pointing at this database.
    pub fn settings(&self) -> DatabaseSettings {
        Settings::load_from(
            None,
            [("TRAILLOOP__DATABASE__URL".to_string(), self.url.clone())],
        )
        .unwrap()
        .database
    }

    /// A fresh connection.
    pub async fn client(&self) -> tokio_postgres::Client {
        trailloop::db::connect(&self.settings())
            .await
            .expect("connecting to the test database")
    }
}
