//! The `sluice` binary: `sluice [/path/to/redis.conf] [--directive value ...]`, like
//! `redis-server`. Thin: it builds a `Config` and calls the library.

use clap::Parser;
use sluice::config::Config;

/// A Redis-protocol message-queue server: streams, lists with blocking pops, pub/sub, AOF.
///
/// Takes the same arguments as redis-server: an optional config file, then any directive as
/// `--name value` (for example `--port 7000 --appendfsync always`).
#[derive(Parser, Debug)]
#[command(
    name = "sluice",
    version,
    trailing_var_arg = true,
    allow_hyphen_values = true
)]
struct Args {
    /// redis.conf-style configuration file, then `--directive value ...`
    #[arg(num_args = 0..)]
    rest: Vec<String>,
}

fn main() {
    let args = Args::parse();
    let mut rest = args.rest;
    // `sluice check-aof [--fix] <manifest-or-file>`: the redis-check-aof of sluice.
    if rest.first().map(|s| s == "check-aof").unwrap_or(false) {
        let fix = rest.iter().any(|a| a == "--fix");
        let Some(path) = rest.iter().skip(1).find(|a| *a != "--fix") else {
            eprintln!("Usage: sluice check-aof [--fix] <file.manifest|file.aof>");
            std::process::exit(1);
        };
        exit_with_report(
            path,
            persistence::load::check_aof(std::path::Path::new(path), fix),
        );
    }
    // `sluice check-rdb <file>`: the redis-check-rdb of sluice.
    if rest.first().map(|s| s == "check-rdb").unwrap_or(false) {
        let Some(path) = rest.get(1) else {
            eprintln!("Usage: sluice check-rdb <rdb-file-name>");
            std::process::exit(1);
        };
        exit_with_report(
            path,
            persistence::rdb_load::check_rdb(std::path::Path::new(path)),
        );
    }
    let mut config = Config::default();
    let mut warnings = Vec::new();
    let mut config_file = None;
    if let Some(first) = rest.first() {
        if !first.starts_with("--") {
            let path = rest.remove(0);
            let text = if path == "-" {
                std::io::read_to_string(std::io::stdin()).unwrap_or_default()
            } else {
                match std::fs::read_to_string(&path) {
                    Ok(t) => t,
                    Err(e) => {
                        eprintln!("Fatal error, can't open config file '{path}': {e}");
                        std::process::exit(1);
                    }
                }
            };
            if path != "-" {
                config_file = std::fs::canonicalize(&path)
                    .ok()
                    .map(|p| p.display().to_string());
            }
            if let Err(e) = config.load_text(&text, &mut warnings) {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    let text = Config::args_to_text(&rest);
    if let Err(e) = config.load_text(&text, &mut warnings) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let level = match config.get("loglevel").unwrap_or("notice") {
        "debug" => "debug",
        "verbose" => "info",
        "notice" => "info",
        "warning" => "warn",
        _ => "error",
    };
    let logfile = config.get("logfile").unwrap_or("").to_string();
    let builder = tracing_subscriber::fmt().with_env_filter(
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
    );
    if logfile.is_empty() {
        builder.with_writer(std::io::stdout).init();
    } else {
        match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&logfile)
        {
            Ok(f) => builder
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(f))
                .init(),
            Err(e) => {
                eprintln!("Can't open the log file: {e}");
                std::process::exit(1);
            }
        }
    }
    for w in warnings {
        tracing::warn!("{w}");
    }
    if let Err(e) = std::env::set_current_dir(&config.dir) {
        eprintln!("Can't chdir to '{}': {e}", config.dir.display());
        std::process::exit(1);
    }
    config.dir = std::path::PathBuf::from(".");
    // io-threads as in Redis: 1 (the default) serves every client from one thread, as Redis
    // does; the data sits behind one lock anyway, so more threads mostly add wake-ups and lock
    // hand-offs. fsync and AOF loading/rewriting run on threads of their own either way.
    let io_threads = config
        .get("io-threads")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 128);
    sluice::alloc::tune(
        config
            .get("jemalloc-bg-thread")
            .map(|v| v.eq_ignore_ascii_case("yes"))
            .unwrap_or(true),
    );
    let rt = if io_threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .on_thread_park(sluice::busy_poll::before_park)
            .on_thread_unpark(sluice::busy_poll::after_unpark)
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(io_threads)
            .enable_all()
            .build()
    }
    .expect("tokio runtime");
    rt.block_on(async move {
        if io_threads == 1 {
            tokio::spawn(sluice::busy_poll::spinner());
        }
        let handle = match sluice::server::start(config, config_file).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("Failed listening: {e}");
                std::process::exit(1);
            }
        };
        tracing::info!(
            "sluice {} (Redis {} compatible) ready to accept connections on {:?}",
            env!("CARGO_PKG_VERSION"),
            sluice::REDIS_VERSION,
            handle.addrs
        );
        let shared = handle.shared.clone();
        tokio::spawn(async move {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal");
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => tracing::info!("Received SIGINT scheduling shutdown..."),
                    _ = term.recv() => tracing::info!("Received SIGTERM scheduling shutdown..."),
                }
                // A failed final save keeps the server up; the next signal tries again.
                if shared.shutdown_on_signal() {
                    break;
                }
            }
        });
        let _ = handle.join.await;
    });
    std::process::exit(0);
}

/// Prints a check-aof/check-rdb report and exits 0 if the file is valid, else 1.
fn exit_with_report(path: &str, r: std::io::Result<(String, bool)>) -> ! {
    match r {
        Ok((report, valid)) => {
            print!("{report}");
            std::process::exit(if valid { 0 } else { 1 });
        }
        Err(e) => {
            eprintln!("Cannot check {path}: {e}");
            std::process::exit(1);
        }
    }
}
