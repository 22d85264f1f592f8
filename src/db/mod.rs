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
