//! Processes the WebDriver test needs: Xvfb, tauri-driver (which starts
//! WebKitWebDriver) and the app binary, each checked before use so that a
//! missing tool fails the test with what to install.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Maximum wait for a started process to become reachable.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Finds `name` on `PATH` or in the extra folders, or panics with `install`.
pub fn require_tool(name: &str, extra_dirs: &[PathBuf], install: &str) -> PathBuf {
    let path_dirs = std::env::var_os("PATH").map(|path| std::env::split_paths(&path).collect::<Vec<_>>()).unwrap_or_default();
    for dir in path_dirs.iter().chain(extra_dirs) {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("{name} was not found on PATH; install it with: {install}");
}

/// Folders where `cargo install` puts binaries.
pub fn cargo_bin_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(root) = std::env::var_os("CARGO_INSTALL_ROOT") {
        dirs.push(PathBuf::from(root).join("bin"));
    }
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs
}

/// Returns the target profile folder this test was built into (`target/debug`).
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test binary");
    // The test binary is target/<profile>/deps/<name>-<hash>.
    exe.parent().and_then(Path::parent).expect("target profile folder").to_path_buf()
}

/// Returns the app binary built beside this test, or the one `SAMANTHA_APP_BINARY` names.
pub fn app_binary() -> PathBuf {
    let path = std::env::var_os("SAMANTHA_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| profile_dir().join("samantha-app"));
    assert!(
        path.is_file(),
        "the app binary {} is missing; build it first with `npm ci && npm run build` in ui/ and `cargo build -p samantha-app` (scripts/test does both)",
        path.display()
    );
    path
}

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port on 127.0.0.1");
    listener.local_addr().expect("local address").port()
}

/// A child process that is sent SIGTERM and reaped when dropped.
pub struct Process {
    name: &'static str,
    child: Child,
}

impl Process {
    pub fn spawn(name: &'static str, command: &mut Command) -> Self {
        let child = command
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("failed to start {name}: {error}"));
        Self { name, child }
    }

    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{} exited early with {status}", self.name);
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // SIGTERM lets tauri-driver stop WebKitWebDriver; SIGKILL would
        // leave it running.
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts Xvfb on the first free display from :90 and returns it with its name.
pub fn start_xvfb(xvfb: &Path) -> (Process, String) {
    for number in 90..140 {
        let lock = PathBuf::from(format!("/tmp/.X{number}-lock"));
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        if lock.exists() || socket.exists() {
            continue;
        }
        let display = format!(":{number}");
        let mut process = Process::spawn(
            "Xvfb",
            Command::new(xvfb).args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"]).stderr(Stdio::null()),
        );
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if socket.exists() {
                return (process, display);
            }
            process.assert_running();
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("Xvfb did not open display {display}");
    }
    panic!("no free X display between :90 and :139");
}

/// Starts tauri-driver on free loopback ports and waits until both it and
/// the WebKitWebDriver it starts listen; a session requested earlier fails.
pub fn start_tauri_driver(tauri_driver: &Path, webkit_driver: &Path, display: &str, home: &Path) -> (Process, u16) {
    let port = free_port();
    let native_port = free_port();
    let mut process = Process::spawn(
        "tauri-driver",
        Command::new(tauri_driver)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .arg("--native-driver")
            .arg(webkit_driver)
            .env("DISPLAY", display)
            .env("SAMANTHA_HOME", home),
    );

    let started = Instant::now();
    while started.elapsed() < START_TIMEOUT {
        let listening = |port: u16| std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        if listening(port) && listening(native_port) {
            return (process, port);
        }
        process.assert_running();
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("tauri-driver did not listen on 127.0.0.1:{port}, or WebKitWebDriver on 127.0.0.1:{native_port}");
}
