//! PostgreSQL/PostGIS access: migrations, the network writer used by imports, and
//! geometry encoding.

pub mod import;
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

/// Connects once, outside any pool (for the command-line tools).
pub async fn connect(
    settings: &crate::settings::DatabaseSettings,
) -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = settings
        .pg_config()?
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(|e| anyhow::anyhow!("connecting to the database: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!(error = %e, "database connection closed");
        }
    });
    Ok(client)
}
