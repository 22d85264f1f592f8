//! PostgreSQL/PostGIS access: migrations, the network writer used by imports, and
//! geometry encoding.

pub mod region_writer;
pub mod roles;
pub mod tls;
pub mod wkb;

use std::time::Duration;

use anyhow::Context;

use crate::settings::DatabaseSettings;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Applies every pending migration; a no-op when the schema is current.
pub async fn migrate(client: &mut tokio_postgres::Client) -> anyhow::Result<usize> {
    let report = embedded::migrations::runner()
        .set_grouped(true)
        .run_async(client)
        .await?;
    Ok(report.applied_migrations().len())
}

/// Connects once, outside any pool (for the command-line tools), with TLS as the URL's
/// `sslmode` says (see [`tls`]).
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<tokio_postgres::Client> {
    let (config, tls) = connection(settings)?;
    let (client, connection) = config
        .connect(tls)
        .await
        .map_err(|e| anyhow::anyhow!("connecting to the database: {}", tls::describe(&e)))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!(error = %e, "database connection closed");
        }
    });
    Ok(client)
}

/// What every connection is made with, the pool's and the command-line tools': the
/// URL's settings (its `sslmode` included) and the TLS connector, whose roots come
/// from `ca_file` (an unreadable file is an error here, at start-up).
pub fn connection(
    settings: &DatabaseSettings,
) -> anyhow::Result<(tokio_postgres::Config, tls::MakeRustlsConnect)> {
    let config = settings.pg_config()?;
    let tls = tls::connector(settings.ca_file.as_deref())?;
    tracing::info!(
        sslmode = ?config.get_ssl_mode(),
        ca_file = %settings.ca_file.as_deref().map_or("(webpki roots)".into(), |p| p.display().to_string()),
        "database connection settings"
    );
    Ok((config, tls))
}

/// A connection pool; connections are opened lazily, so this succeeds while the
/// database is down and the service reports not-ready until it is back.
pub fn pool(settings: &DatabaseSettings) -> anyhow::Result<deadpool_postgres::Pool> {
    let (config, tls) = connection(settings)?;
    let manager = deadpool_postgres::Manager::from_config(
        config,
        tls,
        deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Fast,
        },
    );
    let timeout = Some(Duration::from_secs(settings.connect_timeout_secs));
    deadpool_postgres::Pool::builder(manager)
        .max_size(settings.pool_max_size)
        .wait_timeout(timeout)
        .create_timeout(timeout)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()
        .context("building the database pool")
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailloop_places::PoiKind;

    #[test]
    fn the_ca_file_comes_from_the_environment_and_a_bad_one_stops_the_start() {
        let s = crate::settings::Settings::load_from(None, Vec::new()).unwrap();
        assert!(s.database.ca_file.is_none());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("no-such-ca.pem");
        let s = crate::settings::Settings::load_from(
            None,
            [
                ("TRAILLOOP__DATABASE__URL", "postgres://u:hunter2@h/db"),
                ("TRAILLOOP__DATABASE__CA_FILE", file.to_str().unwrap()),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .unwrap();
        assert_eq!(s.database.ca_file.as_deref(), Some(file.as_path()));
        // The pool is built at start-up: a CA file it cannot use stops the service there.
        let err = format!("{:#}", pool(&s.database).unwrap_err());
        assert!(err.contains("TRAILLOOP__DATABASE__CA_FILE"), "{err}");
        assert!(err.contains(&file.display().to_string()), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    /// The kinds `pois.kind` takes, as the last migration that sets its check lists them.
    fn kinds_the_database_takes() -> Vec<String> {
        let runner = super::embedded::migrations::runner();
        let mut migrations: Vec<_> = runner.get_migrations().iter().collect();
        migrations.sort_by_key(|m| m.version());
        let list = migrations
            .iter()
            .rev()
            .filter_map(|m| m.sql())
            .find_map(|sql| {
                let rest = &sql[sql.find("ADD CONSTRAINT pois_kind_check")?..];
                let open = rest.find("IN (")? + "IN (".len();
                let close = open + rest[open..].find(')')?;
                Some(rest[open..close].to_owned())
            })
            .expect("a migration sets pois_kind_check");
        let mut names: Vec<String> = list
            .split(',')
            .map(|n| n.trim().trim_matches('\'').to_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_database_takes_every_kind_of_place_of_the_list_and_no_other() {
        let mut names: Vec<String> = PoiKind::ALL.iter().map(|k| k.as_str().into()).collect();
        names.sort();
        assert_eq!(
            kinds_the_database_takes(),
            names,
            "a new kind of place needs a migration of pois_kind_check"
        );
    }
}
