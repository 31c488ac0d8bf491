//! The back office mounted in an axum app at `/back-office`, on a SQLite file in a temp folder.
//!
//! `cargo run -p memberkit-examples --example console_axum` (then open the address it prints;
//! `PORT=8080` picks the port).

use memberkit::*;
use memberkit_open::OpenHub;

#[tokio::main]
async fn main() -> Result<()> {
    let dir = tempfile::tempdir().map_err(Error::storage)?;
    let hub = Hub::open(dir.path().join("memberkit.db"))?;
    let (app, _) = memberkit_examples::back_office_app(&hub)?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "0".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .map_err(Error::storage)?;
    let address = listener.local_addr().map_err(Error::storage)?;
    println!("the back office: http://{address}/back-office/");
    axum::serve(listener, app).await.map_err(Error::storage)
}
