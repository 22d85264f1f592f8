//! PostgreSQL/PostGIS access: migrations, the network writer used by imports, and
//! geometry encoding.

pub mod region_writer;
pub mod roles;
pub mod tls;
pub mod wkb;

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
pub async fn connect(
    settings: &crate::settings::DatabaseSettings,
) -> anyhow::Result<tokio_postgres::Client> {
    let (config, tls) = settings.connection()?;
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

#[cfg(test)]
mod tests {
    use trailloop_places::PoiKind;

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
