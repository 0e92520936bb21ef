//! `persistence`: sluice's append-only file. It knows argv vectors and files, never what a
//! command means.
//!
//! Layout (Redis 7 multi-part AOF), inside `dir/appenddirname/`:
//!
//! ```text
//!   appendonly.aof.manifest          file appendonly.aof.1.base.aof seq 1 type b
//!                                    file appendonly.aof.1.incr.aof seq 1 type i
//!   appendonly.aof.1.base.aof        RESP arrays (may be empty)
//!   appendonly.aof.1.incr.aof        RESP arrays of the effects of write commands, with
//!                                    *2 $6 SELECT $<n> <db> whenever the database changes,
//!                                    and after each written batch a `#CRC32:<crc>:<len>`
//!                                    annotation (see [`checksum`]) that Redis skips
//! ```
//!
//! Durability: [`Aof::append`] buffers a record; [`Aof::write`] hands the buffer to the kernel
//! (done before replies are sent). Under `always` the server writes everything its clients
//! buffered in one go with [`Aof::write_and_sync`], which also fsyncs on the calling thread,
//! and a reply waits until the synced offset covers its records: one fsync covers every
//! record written meanwhile (group commit). Under `everysec` the sync thread
//! ([`spawn_syncer`]) fsyncs once a second; it is also the safety net that retries a failed
//! fsync. A failed write or fsync is reported, never ignored: the caller refuses writes
//! (MISCONF).

pub mod checksum;
pub mod hidden;
pub mod load;
pub mod manifest;
pub mod rdb;
pub mod rdb_load;
pub mod rdb_save;

use bytes::Bytes;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub use manifest::{FileType, Manifest, ManifestEntry};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fsync {
    Always,
    Everysec,
    No,
}

/// An I/O error as C's `strerror` words it ("No space left on device"), which is what Redis
/// puts in its MISCONF error and INFO; Rust's own text appends " (os error N)".
pub fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match e.raw_os_error() {
        Some(code) => text
            .strip_suffix(&format!(" (os error {code})"))
            .map(str::to_string)
            .unwrap_or(text),
        None => text,
    }
}

/// Encodes one command as a RESP array of bulk strings.
/// An argv marked [`hidden::MARK`] is written as a hidden record instead.
pub fn encode_command(out: &mut Vec<u8>, argv: &[Bytes]) {
    if hidden::is_hidden(argv) {
        return hidden::encode(out, &argv[1..]);
    }
    encode_header(out, argv.len());
    for a in argv {
        encode_arg(out, a);
    }
}

/// `*<argc>\r\n`: the start of a command whose arguments follow ([`encode_arg`]).
pub fn encode_header(out: &mut Vec<u8>, argc: usize) {
    out.push(b'*');
    put_decimal(out, argc as u64);
    out.extend_from_slice(b"\r\n");
}

/// One bulk-string argument.
pub fn encode_arg(out: &mut Vec<u8>, a: &[u8]) {
    out.push(b'$');
    put_decimal(out, a.len() as u64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(a);
    out.extend_from_slice(b"\r\n");
}

/// Appends `v` in decimal without allocating.
pub use resp::push_u64 as put_decimal;

/// Called with the new synced offset after each successful fsync.
pub type SyncedCallback = Box<dyn Fn(u64) + Send>;

/// State shared between the writer and the sync thread.
pub struct SyncState {
    /// Bytes handed to the kernel so far (offset in the current incr file's stream).
    pub written: AtomicU64,
    /// Bytes known to be on stable storage.
    pub synced: AtomicU64,
    /// Set when an fsync failed; cleared by a later successful one.
    pub failed: AtomicBool,
    pub last_error: Mutex<Option<String>>,
    wake: (Mutex<bool>, Condvar),
    /// Called after each fsync with the new synced offset (lets async waiters wake).
    pub on_synced: Mutex<Option<SyncedCallback>>,
    pub stop: AtomicBool,
    /// The file fsyncs go to: the current incr file (replaced when a rewrite starts).
    pub file: Mutex<Option<File>>,
    /// The fsync policy in force (0 always, 1 everysec, 2 no); CONFIG SET changes it live.
    pub policy: std::sync::atomic::AtomicU8,
    /// Fault injection for tests (DEBUG AOF-FSYNC-DELAY / AOF-FAIL-FSYNC): a delay before
    /// each fsync, and fsyncs that fail.
    pub inject_fsync_delay_ms: AtomicU64,
    pub inject_fsync_failure: AtomicBool,
}

fn policy_code(p: Fsync) -> u8 {
    match p {
        Fsync::Always => 0,
        Fsync::Everysec => 1,
        Fsync::No => 2,
    }
}

fn policy_of(code: u8) -> Fsync {
    match code {
        0 => Fsync::Always,
        2 => Fsync::No,
        _ => Fsync::Everysec,
    }
}

/// The open AOF: the current incr file and its manifest.
pub struct Aof {
    pub dir: PathBuf,
    pub filename: String,
    pub manifest: Manifest,
    file: File,
    buf: Vec<u8>,
    selected_db: Option<usize>,
    pub policy: Fsync,
    pub sync: Arc<SyncState>,
    /// Size of the incr file (bytes written to it).
    pub incr_size: u64,
    /// Fault injection for tests (DEBUG AOF-FAIL-WRITES): writes fail while set.
    pub inject_write_failure: bool,
    pub base_size: u64,
    /// How long the last [`Aof::write_and_sync`] spent in its fsync (zero when it had none):
    /// the server samples it as the `aof-fsync-always` latency event.
    pub last_inline_sync: Duration,
}

impl Aof {
    /// Opens (creating if needed) the AOF directory: returns the writer, positioned at the end
    /// of the current incr file, and the files to load in order.
    pub fn open(dir: &Path, filename: &str, policy: Fsync) -> io::Result<(Aof, Vec<PathBuf>)> {
        std::fs::create_dir_all(dir)?;
        let mpath = dir.join(format!("{filename}.manifest"));
        let manifest = if mpath.exists() {
            Manifest::parse(&std::fs::read_to_string(&mpath)?)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?
        } else {
            let m = Manifest::fresh(filename);
            File::create(dir.join(&m.base().expect("fresh has a base").name))?.sync_all()?;
            File::create(dir.join(&m.last_incr().expect("fresh has an incr").name))?.sync_all()?;
            m.write_atomically(&mpath)?;
            sync_dir(dir)?;
            m
        };
        let files: Vec<PathBuf> = manifest.load_order().map(|e| dir.join(&e.name)).collect();
        let incr = manifest.last_incr().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "manifest has no incr file")
        })?;
        let path = dir.join(&incr.name);
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let incr_size = file.metadata()?.len();
        let base_size = manifest
            .base()
            .map(|b| dir.join(&b.name).metadata().map(|m| m.len()).unwrap_or(0))
            .unwrap_or(0);
        let sync = Arc::new(SyncState {
            written: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            last_error: Mutex::new(None),
            wake: (Mutex::new(false), Condvar::new()),
            on_synced: Mutex::new(None),
            stop: AtomicBool::new(false),
            file: Mutex::new(Some(file.try_clone()?)),
            policy: std::sync::atomic::AtomicU8::new(policy_code(policy)),
            inject_fsync_delay_ms: AtomicU64::new(0),
            inject_fsync_failure: AtomicBool::new(false),
        });
        Ok((
            Aof {
                dir: dir.to_path_buf(),
                filename: filename.to_string(),
                manifest,
                file,
                buf: Vec::with_capacity(64 * 1024),
                selected_db: None,
                policy,
                sync,
                incr_size,
                inject_write_failure: false,
                base_size,
                last_inline_sync: Duration::ZERO,
            },
            files,
        ))
    }

    /// Buffers one record, preceded by SELECT when the database changes.
    pub fn append(&mut self, db: usize, argv: &[Bytes]) {
        if self.selected_db != Some(db) {
            let d = Bytes::from(db.to_string());
            encode_command(&mut self.buf, &[Bytes::from_static(b"SELECT"), d]);
            self.selected_db = Some(db);
        }
        encode_command(&mut self.buf, argv);
    }

    /// Switches the fsync policy (CONFIG SET appendfsync): the sync thread follows at once.
    pub fn set_policy(&mut self, p: Fsync) {
        self.policy = p;
        self.sync.policy.store(policy_code(p), Ordering::SeqCst);
        self.sync.request();
    }

    pub fn has_pending(&self) -> bool {
        !self.buf.is_empty()
    }

    /// The logical offset the log reaches once the pending buffer is written.
    pub fn pending_target(&self) -> u64 {
        self.sync.written.load(Ordering::SeqCst) + self.buf.len() as u64
    }

    /// Writes the buffer to the file (the kernel has it afterwards). Returns the offset that
    /// an fsync must reach to cover everything written so far. On error the buffer is kept
    /// and retried by the next call.
    pub fn write(&mut self) -> io::Result<u64> {
        let off = self.write_buffer()?;
        if self.policy == Fsync::Always && self.sync.synced.load(Ordering::SeqCst) < off {
            self.sync.request();
        }
        Ok(off)
    }

    /// [`Aof::write`], then under `always` the fsync right here on the caller's thread instead
    /// of the sync thread's, as Redis does in its event loop: no hand-off to another thread
    /// and back on the path every acknowledged write waits on.
    pub fn write_and_sync(&mut self) -> io::Result<u64> {
        let off = self.write_buffer()?;
        self.last_inline_sync = Duration::ZERO;
        if self.policy == Fsync::Always {
            let started = std::time::Instant::now();
            let synced = self.sync.sync_written(self.policy);
            self.last_inline_sync = started.elapsed();
            if !synced {
                // Recorded in the sync state (MISCONF for writers); the sync thread retries.
                self.sync.request();
            }
        }
        Ok(off)
    }

    fn write_buffer(&mut self) -> io::Result<u64> {
        if !self.buf.is_empty() {
            // The batch goes out with its checksum annotation in the same write.
            let records = self.buf.len();
            let crc = crc32fast::hash(&self.buf);
            checksum::annotate_with(&mut self.buf, crc, records);
            let res = if self.inject_write_failure {
                Err(io::Error::other("injected write failure"))
            } else {
                self.file.write_all(&self.buf)
            };
            if let Err(e) = res {
                // A partial write may have happened: truncate back so the log stays whole,
                // and keep only the records (the retry annotates them again).
                let _ = self.file.set_len(self.incr_size);
                self.buf.truncate(records);
                return Err(e);
            }
            self.incr_size += self.buf.len() as u64;
            self.sync
                .written
                .fetch_add(self.buf.len() as u64, Ordering::SeqCst);
            self.buf.clear();
        }
        Ok(self.sync.written.load(Ordering::SeqCst))
    }

    /// Run once loading is done (it may have cut a torn tail), with where the current incr
    /// file's last checksum annotation ends as loading found it
    /// ([`load::Loaded::covered`]): re-reads the file's size and, if records at its end are
    /// not covered (whole records of a torn batch, or records another writer such as Redis
    /// appended), certifies them with one annotation, so the annotations sluice writes next
    /// start where the previous one ended (the rule [`checksum::verify`] holds files to).
    pub fn adopt_tail(&mut self, covered: u64) -> io::Result<()> {
        let path = self.dir.join(
            &self
                .manifest
                .last_incr()
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no incr file"))?
                .name,
        );
        let file = File::open(&path)?;
        let len = file.metadata()?.len();
        self.incr_size = len;
        if covered >= len {
            return Ok(());
        }
        // Safety: nothing else writes the file while loading is over and before appends start.
        let map = unsafe { memmap2::Mmap::map(&file)? };
        {
            let mut line = Vec::new();
            checksum::annotate(&mut line, &map[covered as usize..]);
            self.file.write_all(&line)?;
            self.file.sync_data()?;
            self.incr_size += line.len() as u64;
        }
        Ok(())
    }

    /// A handle to the current file for the sync thread.
    pub fn sync_handle(&self) -> io::Result<File> {
        self.file.try_clone()
    }
}

impl SyncState {
    /// One fsync covering everything written so far, if anything is unsynced, then the new
    /// synced offset is published (never moving back: the sync thread and an inline caller
    /// may race). An error is recorded and reported, never ignored: false then.
    pub fn sync_written(&self, policy: Fsync) -> bool {
        let target = self.written.load(Ordering::SeqCst);
        if target <= self.synced.load(Ordering::SeqCst) {
            return true;
        }
        let delay = self.inject_fsync_delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            std::thread::sleep(Duration::from_millis(delay));
        }
        let res = if policy == Fsync::No {
            Ok(())
        } else if self.inject_fsync_failure.load(Ordering::SeqCst) {
            Err(io::Error::other("injected fsync failure"))
        } else {
            match self.file.lock().unwrap().as_ref() {
                Some(f) => f.sync_data(),
                None => Ok(()),
            }
        };
        match res {
            Ok(()) => {
                self.failed.store(false, Ordering::SeqCst);
                let now = self.synced.fetch_max(target, Ordering::SeqCst).max(target);
                if let Some(cb) = self.on_synced.lock().unwrap().as_ref() {
                    cb(now);
                }
                true
            }
            Err(e) => {
                tracing::error!("AOF fsync failed: {e}");
                *self.last_error.lock().unwrap() = Some(strerror(&e));
                self.failed.store(true, Ordering::SeqCst);
                false
            }
        }
    }

    /// Asks the sync thread for an fsync now.
    pub fn request(&self) {
        let (m, c) = &self.wake;
        *m.lock().unwrap() = true;
        c.notify_one();
    }

    fn wait(&self, timeout: Duration) {
        let (m, c) = &self.wake;
        let g = m.lock().unwrap();
        let (mut g, _) = c
            .wait_timeout_while(g, timeout, |pending| !*pending)
            .unwrap();
        *g = false;
    }
}

/// Runs fsyncs: on request (`always`) or once a second (`everysec`); with `no`, only
/// publishes the written offset (the OS syncs). It syncs whatever file is current in
/// `sync.file`, so a rewrite can switch files under it.
pub fn spawn_syncer(sync: Arc<SyncState>) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("aof-fsync".into())
        .spawn(move || loop {
            let policy = policy_of(sync.policy.load(Ordering::SeqCst));
            let period = match policy {
                Fsync::Always => Duration::from_millis(100),
                _ => Duration::from_secs(1),
            };
            sync.wait(period);
            let stop = sync.stop.load(Ordering::SeqCst);
            if !sync.sync_written(policy) {
                std::thread::sleep(Duration::from_millis(100));
                sync.request();
            }
            if stop {
                return;
            }
        })
        .expect("spawn fsync thread")
}

/// What a rewrite in progress needs to finish: the new base's sequence and the first incr
/// file that belongs with it.
#[derive(Debug, Clone)]
pub struct RewriteTicket {
    pub base_seq: u64,
    pub incr_seq: u64,
    pub base_tmp: PathBuf,
}

impl Aof {
    /// Starts a rewrite (Redis 7's multi-part scheme): writes so far are fsynced, new writes
    /// go to a fresh incr file, and the manifest lists it, so a crash at any point still
    /// loads everything. The caller then writes the new base from a snapshot taken at this
    /// instant and calls [`Aof::finish_rewrite`].
    pub fn start_rewrite(&mut self) -> io::Result<RewriteTicket> {
        self.write()?;
        self.file.sync_data()?;
        let incr_seq = self.manifest.last_incr().map(|e| e.seq).unwrap_or(0) + 1;
        let base_seq = self.manifest.base().map(|e| e.seq).unwrap_or(0) + 1;
        let name = format!("{}.{incr_seq}.incr.aof", self.filename);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(&name))?;
        file.sync_all()?;
        self.manifest.entries.push(ManifestEntry {
            name,
            seq: incr_seq,
            kind: FileType::Incr,
        });
        self.manifest
            .write_atomically(&self.dir.join(format!("{}.manifest", self.filename)))?;
        sync_dir(&self.dir)?;
        *self.sync.file.lock().unwrap() = Some(file.try_clone()?);
        self.file = file;
        // The next record re-selects its database in the new file.
        self.selected_db = None;
        self.incr_size = 0;
        let base_tmp = self
            .dir
            .join(format!("temp-rewriteaof-{}.aof", std::process::id()));
        Ok(RewriteTicket {
            base_seq,
            incr_seq,
            base_tmp,
        })
    }

    /// Installs the base written to `ticket.base_tmp`: renames it, switches the manifest to
    /// it plus the incr files from `ticket.incr_seq` on, and removes the files it replaces.
    ///
    /// Returns the replaced files' paths: the caller removes them ([`remove_files`]) after
    /// releasing its locks, since unlinking a large file can take milliseconds (Redis leaves
    /// it to a background thread too).
    pub fn finish_rewrite(&mut self, ticket: &RewriteTicket) -> io::Result<Vec<PathBuf>> {
        let base_name = format!("{}.{}.base.aof", self.filename, ticket.base_seq);
        std::fs::rename(&ticket.base_tmp, self.dir.join(&base_name))?;
        let old: Vec<ManifestEntry> = self
            .manifest
            .entries
            .iter()
            .filter(|e| {
                e.kind == FileType::Base || (e.kind == FileType::Incr && e.seq < ticket.incr_seq)
            })
            .cloned()
            .collect();
        let mut m = Manifest {
            entries: vec![ManifestEntry {
                name: base_name.clone(),
                seq: ticket.base_seq,
                kind: FileType::Base,
            }],
        };
        m.entries.extend(
            self.manifest
                .entries
                .iter()
                .filter(|e| e.kind == FileType::Incr && e.seq >= ticket.incr_seq)
                .cloned(),
        );
        m.write_atomically(&self.dir.join(format!("{}.manifest", self.filename)))?;
        sync_dir(&self.dir)?;
        self.manifest = m;
        self.base_size = self
            .dir
            .join(&base_name)
            .metadata()
            .map(|m| m.len())
            .unwrap_or(0);
        Ok(old
            .into_iter()
            .filter(|e| e.name != base_name)
            .map(|e| self.dir.join(&e.name))
            .collect())
    }
}

/// Removes files a rewrite replaced (they are out of the manifest already).
pub fn remove_files(paths: &[PathBuf]) {
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
}

/// With the AOF off, BGREWRITEAOF still writes a base (as Redis does): the next base sequence
/// number for `dir` and the temp path to write it to.
pub fn standalone_base_ticket(dir: &Path, filename: &str) -> io::Result<RewriteTicket> {
    std::fs::create_dir_all(dir)?;
    let mpath = dir.join(format!("{filename}.manifest"));
    let seq = match std::fs::read_to_string(&mpath) {
        Ok(t) => {
            Manifest::parse(&t)
                .ok()
                .and_then(|m| m.base().map(|b| b.seq))
                .unwrap_or(0)
                + 1
        }
        Err(_) => 1,
    };
    Ok(RewriteTicket {
        base_seq: seq,
        incr_seq: 0,
        base_tmp: dir.join(format!("temp-rewriteaof-bg-{}.aof", std::process::id())),
    })
}

/// Installs a base written with the AOF off: the manifest lists only it; files it replaces are
/// removed.
pub fn install_standalone_base(
    dir: &Path,
    filename: &str,
    ticket: &RewriteTicket,
) -> io::Result<()> {
    let mpath = dir.join(format!("{filename}.manifest"));
    let old = std::fs::read_to_string(&mpath)
        .ok()
        .and_then(|t| Manifest::parse(&t).ok());
    let name = format!("{filename}.{}.base.aof", ticket.base_seq);
    std::fs::rename(&ticket.base_tmp, dir.join(&name))?;
    let m = Manifest {
        entries: vec![ManifestEntry {
            name: name.clone(),
            seq: ticket.base_seq,
            kind: FileType::Base,
        }],
    };
    m.write_atomically(&mpath)?;
    sync_dir(dir)?;
    if let Some(old) = old {
        for e in old.entries {
            if e.name != name {
                let _ = std::fs::remove_file(dir.join(&e.name));
            }
        }
    }
    Ok(())
}

/// fsyncs a directory so renames and creations in it are durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
