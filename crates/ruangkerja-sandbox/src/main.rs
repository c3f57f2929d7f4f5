//! `ruangkerja-sandbox`: serve the sandbox API on loopback until stopped.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Parser;
use ruangkerja_sandbox::{directory, router, seed, FaultConfig, SandboxConfig};

/// A local stand-in for the Ruangkerja user API, with fault injection.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// The static access token the sandbox accepts; it never expires by time.
    #[arg(long, default_value = "sandbox-token")]
    token: String,
    /// Seed for serials, issued tokens and fault decisions.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Client ID `POST /oauth/token` accepts.
    #[arg(long, default_value = "sandbox-client")]
    client_id: String,
    /// Client secret `POST /oauth/token` accepts.
    #[arg(long, default_value = "sandbox-secret")]
    client_secret: String,
    /// Lifetime of issued tokens in seconds (the answer's `expiresIn`).
    #[arg(long, default_value_t = 43199)]
    token_expires_in: u64,
    /// Users present from start: a JSON list of create items,
    /// `{"items": [...]}`, or an .xlsx the app could import.
    #[arg(long, value_name = "FILE")]
    seed_users: Option<PathBuf>,
    /// How many tags exist, the 4 fixed ones included (the rest generated
    /// from --seed).
    #[arg(long, value_name = "N", default_value_t = directory::DEFAULT_TAGS)]
    tags: usize,
    /// How many organizations the company structure has in all, the 11
    /// fixed ones included (the rest generated from --seed).
    #[arg(long, value_name = "N", default_value_t = directory::DEFAULT_ORGANIZATIONS)]
    organizations: usize,
    #[command(flatten)]
    faults: FaultConfig,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    args.faults.check()?;
    directory::check_sizes(args.tags, args.organizations)?;
    let seed_users = match &args.seed_users {
        Some(path) => seed::load(path)?,
        None => Vec::new(),
    };
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port))).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = router(SandboxConfig {
        token: args.token.clone(),
        seed: args.seed,
        public_url: url.clone(),
        client_id: args.client_id.clone(),
        client_secret: args.client_secret.clone(),
        token_lifetime_seconds: args.token_expires_in,
        faults: args.faults.clone(),
        seed_users,
        tags: args.tags,
        organizations: args.organizations,
    });
    // Tests read these two lines to find the sandbox; keep their shape.
    say(&format!("Ruangkerja sandbox listening on {url}"));
    say(&format!("Access token: {}", args.token));
    say(&format!(
        "Client credentials for {url}/oauth/token: {} / {}",
        args.client_id, args.client_secret
    ));
    if args.faults != FaultConfig::default() {
        say(&format!("Faults: {}", serde_json::to_string(&args.faults)?));
    }
    let server = axum::serve(listener, app);
    // A hanging request never ends, so Ctrl-C stops at once instead of
    // waiting for open requests as a graceful shutdown would.
    tokio::select! {
        result = server => result?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

/// Prints a line; a reader that went away (a test that read what it
/// needed and closed the pipe) must not stop the sandbox, as `println!`
/// would by panicking.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}
