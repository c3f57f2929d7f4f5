//! `ruangkerja-sandbox`: serve the sandbox API on loopback until stopped.

use std::net::{Ipv4Addr, SocketAddr};

use clap::Parser;
use ruangkerja_sandbox::{router, SandboxConfig};

/// A local stand-in for the Ruangkerja user API.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// The access token the sandbox accepts.
    #[arg(long, default_value = "sandbox-token")]
    token: String,
    /// Seed for generated serials, for reproducible runs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port))).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = router(SandboxConfig {
        token: args.token.clone(),
        seed: args.seed,
        public_url: url.clone(),
    });
    // Tests read these two lines to find the sandbox; keep their shape.
    println!("Ruangkerja sandbox listening on {url}");
    println!("Access token: {}", args.token);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
