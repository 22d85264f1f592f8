//! The service's own login: a member of `trailloop_api` (migration V9: read the network,
//! read, save and expire plans), so that the API never holds the owner's credential
//! that `migrate` and `import` use.

use anyhow::Context;

/// The role migrations grant the service's privileges to.
pub const API_ROLE: &str = "trailloop_api";
/// Shortest password taken for the service's login.
pub const MIN_PASSWORD_CHARS: usize = 16;

/// Whether `name` is a plain lower-case PostgreSQL identifier (no quoting games).
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63
        && name != API_ROLE
}

/// Creates the login `name` (or sets its password when it exists) and makes it a member
/// of [`API_ROLE`], in one transaction. Run with the owner's credential, after
/// `migrate`. The password travels to the server inside `ALTER ROLE` (over TLS); it is
/// never logged here.
pub async fn ensure_api_user(
    client: &mut tokio_postgres::Client,
    name: &str,
    password: &str,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        valid_name(name),
        "the login name must be a lower-case identifier (a-z, 0-9, _; at most 63) other than {API_ROLE}, got {name:?}"
    );
    anyhow::ensure!(
        password.chars().count() >= MIN_PASSWORD_CHARS,
        "the login's password must be at least {MIN_PASSWORD_CHARS} characters"
    );
    let tx = client.transaction().await?;
    let role_exists = tx
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&API_ROLE])
        .await?
        .is_some();
    anyhow::ensure!(
        role_exists,
        "the role {API_ROLE} does not exist: run `trailloop migrate` first"
    );
    let exists = tx
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&name])
        .await?
        .is_some();
    // The server quotes the name and the password (format's %I and %L): no SQL built
    // from strings here.
    let verb = if exists { "ALTER" } else { "CREATE" };
    let statement: String = tx
        .query_one(
            "SELECT format('%s ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', $1::text, $2::text, $3::text)",
            &[&verb, &name, &password],
        )
        .await?
        .get(0);
    tx.batch_execute(&statement).await.map_err(|e| {
        anyhow::anyhow!(
            "{verb} ROLE {name}: {}",
            e.as_db_error().map_or("failed", |d| d.message())
        )
    })?;
    let grant: String = tx
        .query_one(
            "SELECT format('GRANT %I TO %I', $1::text, $2::text)",
            &[&API_ROLE, &name],
        )
        .await?
        .get(0);
    tx.batch_execute(&grant)
        .await
        .with_context(|| format!("granting {API_ROLE} to {name}"))?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_identifiers_name_a_login() {
        for ok in ["trailloop_app", "api2", "_x"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            "App",
            "a-b",
            "a;drop",
            "1abc",
            API_ROLE,
            &"a".repeat(64),
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
