//! A fault-injecting HTTP/1.1 server on 127.0.0.1: each request it reads is answered by the next
//! fault of its script, then by its fallback (`{}` with 200 unless [`FaultServer::always`]). It works on raw TCP, so that it can reset
//! connections, cut bodies short and drip bytes, which a well-behaved server library would not.
//!
//! It is bounded: at most [`MAX_CONNECTIONS`] connections, each served for at most
//! [`CONNECTION_LIFETIME`], and everything stops when the server is dropped.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub const MAX_CONNECTIONS: usize = 64;
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(30);

/// How one request is answered.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// 200 with `body` as `application/x-amz-json-1.1`.
    Ok(&'static str),
    /// The connection is reset (RST) once the request is read.
    ResetBeforeResponse,
    /// Headers and half the announced body, then a reset.
    ResetMidBody,
    /// A correct `Content-Length`, half of the body, then a clean close.
    Truncated,
    /// An awsJson error: `status`, the `__type` code.
    Error(u16, &'static str),
    /// The request is read and never answered.
    Silent,
    /// These bytes (the start of a response, say), then nothing more.
    Stall(&'static [u8]),
    /// Headers announcing 100 bytes, then one byte every `interval`.
    Drip(Duration),
    /// A `Content-Length` of 8 GiB, then zeros as fast as the client reads.
    HugeAnnounced,
    /// A chunked body of zeros with no end.
    HugeChunked,
    /// 200 with a body that is not JSON.
    InvalidJson,
    /// 200 with valid JSON labelled `text/plain`.
    WrongContentType,
    /// A proxy's HTML error page with `status`.
    HtmlPage(u16),
}

struct Shared {
    script: Mutex<VecDeque<Fault>>,
    /// The answer once the script is used up.
    fallback: Fault,
    requests: AtomicUsize,
    connections: AtomicUsize,
}

pub struct FaultServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl FaultServer {
    pub async fn start(script: impl IntoIterator<Item = Fault>) -> FaultServer {
        Self::with_fallback(script.into_iter().collect(), Fault::Ok("{}")).await
    }

    /// A server that answers every request with `fault`.
    pub async fn always(fault: Fault) -> FaultServer {
        Self::with_fallback(VecDeque::new(), fault).await
    }

    async fn with_fallback(script: VecDeque<Fault>, fallback: Fault) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            fallback,
            requests: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
        });
        let accepting = shared.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while accepting.connections.load(Ordering::SeqCst) < MAX_CONNECTIONS {
                let Ok((stream, _)) = listener.accept().await else { break };
                accepting.connections.fetch_add(1, Ordering::SeqCst);
                let shared = accepting.clone();
                connections.spawn(async move {
                    let _ = tokio::time::timeout(CONNECTION_LIFETIME, serve(stream, &shared)).await;
                });
            }
            while connections.join_next().await.is_some() {}
        });
        FaultServer { addr, shared, task }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The same port, as an `https://` endpoint: the server never answers a TLS handshake.
    pub fn tls_endpoint(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Requests read so far (a TLS client hello counts as none).
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An endpoint where nothing listens: a port that was just bound and released.
pub async fn refused_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

/// Serves requests on one connection until a fault ends it or the client closes it.
async fn serve(mut stream: TcpStream, shared: &Shared) {
    let mut buffer = Vec::new();
    loop {
        if !read_request(&mut stream, &mut buffer).await {
            return;
        }
        shared.requests.fetch_add(1, Ordering::SeqCst);
        let fault = shared.script.lock().unwrap().pop_front().unwrap_or(shared.fallback);
        if !answer(&mut stream, fault).await {
            return;
        }
    }
}

/// Reads one request (head and `Content-Length` body) off `stream`; false at end of stream.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let total = end + 4 + length;
            while buffer.len() < total {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return false,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                }
            }
            buffer.drain(..total);
            return true;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

fn response(status: u16, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} Fault\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\
         x-amzn-requestid: fault-{status}\r\n\r\n{body}",
        body.len()
    )
}

/// Sends the fault's answer; false when the connection is done.
async fn answer(stream: &mut TcpStream, fault: Fault) -> bool {
    const JSON: &str = "application/x-amz-json-1.1";
    let reset = |stream: &mut TcpStream| {
        // Linger 0: closing sends RST instead of FIN. (Deprecated for the blocking a non-zero
        // linger causes on drop; a zero one closes at once.)
        #[allow(deprecated)]
        let _ = stream.set_linger(Some(Duration::ZERO));
    };
    let write = |text: String| text.into_bytes();
    let bytes = match fault {
        Fault::Ok(body) => write(response(200, JSON, body)),
        Fault::Error(status, code) => {
            write(response(status, JSON, &format!(r#"{{"__type":"{code}","message":"injected {code}"}}"#)))
        }
        Fault::InvalidJson => write(response(200, JSON, "{\"repositories\": [ {\"repositoryName\": ")),
        Fault::WrongContentType => write(response(200, "text/plain", r#"{"repositories":[]}"#)),
        Fault::HtmlPage(status) => write(response(
            status,
            "text/html",
            "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>",
        )),
        Fault::ResetBeforeResponse => {
            reset(stream);
            return false;
        }
        Fault::ResetMidBody => {
            let head = format!("HTTP/1.1 200 OK\r\ncontent-type: {JSON}\r\ncontent-length: 40\r\n\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(br#"{"repositories":["#).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            reset(stream);
            return false;
        }
        Fault::Truncated => {
            let head = format!("HTTP/1.1 200 OK\r\ncontent-type: {JSON}\r\ncontent-length: 40\r\n\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(br#"{"repositories":["#).await;
            let _ = stream.shutdown().await;
            return false;
        }
        Fault::Silent | Fault::Stall(_) => {
            if let Fault::Stall(prefix) = fault {
                if stream.write_all(prefix).await.is_err() {
                    return false;
                }
            }
            // Hold the connection open, unanswered, until the server or the client gives up.
            let mut sink = [0u8; 1024];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            return false;
        }
        Fault::Drip(interval) => {
            let head = format!("HTTP/1.1 200 OK\r\ncontent-type: {JSON}\r\ncontent-length: 100\r\n\r\n");
            if stream.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            for _ in 0..100 {
                tokio::time::sleep(interval).await;
                if stream.write_all(b" ").await.is_err() {
                    return false;
                }
            }
            return false;
        }
        Fault::HugeAnnounced | Fault::HugeChunked => {
            let head = match fault {
                Fault::HugeAnnounced => {
                    format!("HTTP/1.1 200 OK\r\ncontent-type: {JSON}\r\ncontent-length: {}\r\n\r\n", 8u64 << 30)
                }
                _ => format!("HTTP/1.1 200 OK\r\ncontent-type: {JSON}\r\ntransfer-encoding: chunked\r\n\r\n"),
            };
            if stream.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            let zeros = vec![b'0'; 64 * 1024];
            let chunked = matches!(fault, Fault::HugeChunked);
            // At most 1 GiB, so that a client without a limit ends the test instead of the machine.
            for _ in 0..(1 << 14) {
                let sent = if chunked {
                    let mut piece = format!("{:x}\r\n", zeros.len()).into_bytes();
                    piece.extend_from_slice(&zeros);
                    piece.extend_from_slice(b"\r\n");
                    stream.write_all(&piece).await
                } else {
                    stream.write_all(&zeros).await
                };
                if sent.is_err() {
                    return false;
                }
            }
            return false;
        }
    };
    stream.write_all(&bytes).await.is_ok()
}
