//! The service runs as its own login, a member of `trailloop_api`: it plans and saves on
//! the real PostGIS, and cannot change the network or the schema.

use serde_json::json;
use trailloop::store::{PgStore, Store};

use crate::helpers::{spawn_app_on, TestDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_login_reads_the_network_and_saves_plans_and_nothing_more() {
    let db = TestDatabase::andorra().await;
    let login = format!("api_{}", uuid::Uuid::new_v4().simple());
    {
        let mut owner = db.client().await;
        trailloop::db::roles::ensure_api_user(&mut owner, &login, "correct horse battery")
            .await
            .expect("making the service login");
        // Again: the password is set anew, nothing fails.
        trailloop::db::roles::ensure_api_user(&mut owner, &login, "another long password")
            .await
            .expect("updating the service login");
        let bad = trailloop::db::roles::ensure_api_user(&mut owner, "x; drop", "long enough pw!!")
            .await
            .unwrap_err();
        assert!(bad.to_string().contains("identifier"), "{bad}");
    }
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_username(&login).unwrap();
    let as_api = TestDatabase {
        url: url.to_string(),
    };

    // The service on that login: loops from the network, a plan saved and read back.
    let store = Store::Postgres(PgStore::new(
        trailloop::db::pool(&as_api.settings()).unwrap(),
    ));
    let app = spawn_app_on(store, None, &[]);
    let answer = app
        .loops(&json!({
            "origin": {"lat": 42.5667, "lon": 1.6000}, "max_drive_km": 20, "target_km": 8,
            "max_results": 1
        }))
        .await;
    let r = app
        .post_json("/v1/plans", &json!({"loop": answer["loops"][0]}))
        .await;
    assert_eq!(r.status(), 201);
    let saved: serde_json::Value = r.json().await.unwrap();
    let got = app
        .get(&format!("/v1/plans/{}", saved["id"].as_str().unwrap()))
        .await;
    assert_eq!(got.status(), 200);
    assert_eq!(app.plans.purge_expired().await.unwrap(), 0);

    // And nothing else.
    let client = as_api.client().await;
    for statement in [
        "DELETE FROM edges",
        "UPDATE regions SET import_id = import_id",
        "INSERT INTO trailheads SELECT * FROM trailheads LIMIT 1",
        "UPDATE plans SET name = 'Official TrailLoop route'",
        "DROP TABLE plans",
        "CREATE TABLE mine (x int)",
        "CREATE ROLE intruder",
    ] {
        let err = client.batch_execute(statement).await.expect_err(statement);
        let code = err.code().map(|c| c.code().to_string());
        assert!(
            matches!(code.as_deref(), Some("42501")),
            "{statement}: {err} ({code:?})"
        );
    }
}
