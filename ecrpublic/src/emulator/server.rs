//! The HTTP side: accepting connections, the `Host` check, the awsJson 1.1 envelope,
//! authentication, and turning handler results into responses. Registry paths (`/v2/...`,
//! `/token`) go to [`registry`](super::registry).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use super::dispatch::{dispatch, OPERATIONS};
use super::errors::ApiError;
use super::registry::{self, Tokens};
use super::state::State;
use super::{sigv4, uuid_v4, EmulatorOptions};

const TARGET_PREFIX: &str = "SpencerFrontendService.";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// How long a client may take to send a request's headers, so that idle or trickling
/// connections do not hold one of the connection slots for ever.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a request's body may take to arrive: a 32 MiB body at 1 MiB/s fits.
const BODY_TIMEOUT: Duration = Duration::from_secs(120);
/// The host names a request may always name, with the emulator's port.
const LOOPBACK_NAMES: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// What every connection shares.
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub credentials: Vec<(String, String)>,
    /// The Regions served; empty: any.
    pub regions: Vec<String>,
    /// Lower-case host names `Host` may carry (with `port`).
    hosts: Vec<String>,
    pub port: u16,
    max_request_bytes: usize,
    /// One permit per connection being served.
    connections: Arc<Semaphore>,
    /// Signs and checks the registry's bearer tokens.
    pub tokens: Tokens,
}

impl Shared {
    pub fn new(options: &EmulatorOptions, port: u16) -> Self {
        let extra = options.allowed_hosts.iter().filter_map(|h| host_name(h));
        Shared {
            state: Mutex::new(State::new(options)),
            credentials: options.credentials.clone(),
            regions: options.regions.clone(),
            hosts: LOOPBACK_NAMES.iter().map(|h| (*h).to_owned()).chain(extra).collect(),
            port,
            max_request_bytes: options.max_request_bytes,
            connections: Arc::new(Semaphore::new(options.max_connections)),
            tokens: Tokens::new(),
        }
    }

    /// Whether a `Host` header value names this emulator: an allowed name, with its port or
    /// none. The name is what keeps a rebinding page out; the port is only checked when given.
    pub fn serves_host(&self, host: &str) -> bool {
        let (name, port_ok) = match host.rsplit_once(':') {
            // `[::1]` has colons of its own; a port follows the bracket.
            Some((name, port)) if !port.contains(']') => (name, port.parse::<u16>().ok() == Some(self.port)),
            _ => (host, true),
        };
        port_ok && self.hosts.iter().any(|h| h.eq_ignore_ascii_case(name))
    }
}

/// `name` lower-cased, if it is a host name or IP literal without a port.
pub(crate) fn host_name(name: &str) -> Option<String> {
    let ip_v6 = name.starts_with('[') && name.ends_with(']');
    let plain = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    (ip_v6 || plain).then(|| name.to_ascii_lowercase())
}

/// Accepts connections until `stop` turns true, then waits for the open ones to finish the
/// requests they are serving.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    let mut stop_accepting = stop.clone();
    loop {
        // Past `max_connections`, new ones wait in the listen queue until a slot frees.
        let permit = tokio::select! {
            () = stopped(&mut stop_accepting) => break,
            permit = shared.connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        tokio::select! {
            () = stopped(&mut stop_accepting) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::debug!("emulator: accept failed: {e}");
                        // E.g. out of file descriptors: do not spin.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let mut stop = stop.clone();
                connections.spawn(async move {
                    let _permit = permit;
                    let service = service_fn(move |request| {
                        let shared = shared.clone();
                        // An error makes hyper close the connection without answering.
                        async move { handle(&shared, request).await }
                    });
                    let connection = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEADER_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        () = stopped(&mut stop) => {
                            connection.as_mut().graceful_shutdown();
                            let _ = connection.await;
                        }
                    }
                });
            }
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

fn too_large(max: usize) -> ApiError {
    ApiError::with_status(413, "SerializationException", format!("The request body exceeds {max} bytes"))
}

/// Resolves once the emulator is told to stop (or is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`: drop it here.
    let _ = stop.wait_for(|s| *s).await.map(|_| ());
}

/// Why no response is sent: [`Emulator::lose_response_next`](super::Emulator::lose_response_next)
/// asked to lose it.
#[derive(Debug)]
pub(crate) struct LostResponse;

impl std::fmt::Display for LostResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the emulator was told to lose this response")
    }
}

impl std::error::Error for LostResponse {}

/// How a request ends short of a 200.
enum Failure {
    Api(ApiError),
    Lost,
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

fn misdirected(shared: &Shared, host: &str) -> String {
    format!(
        "Host `{host}` is not this emulator (127.0.0.1:{}); add the name to the emulator's allowed hosts",
        shared.port
    )
}

async fn handle(
    shared: &Shared,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, LostResponse> {
    let host = request.headers().get(http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    if registry::is_registry_path(request.uri().path()) {
        if !shared.serves_host(host) {
            return Ok(registry::misdirected(&misdirected(shared, host)));
        }
        let host = host.to_owned();
        return Ok(registry::handle(shared, &host, &request));
    }
    let request_id = uuid_v4();
    let (status, body, error_code) = match process(shared, request).await {
        Ok(body) => (200, body, None),
        Err(Failure::Api(e)) => (e.status, e.body, Some(e.code)),
        Err(Failure::Lost) => return Err(LostResponse),
    };
    let mut response = hyper::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
        .header("x-amzn-RequestId", &request_id);
    if let Some(code) = error_code {
        response = response.header("x-amzn-ErrorType", code);
    }
    Ok(response.body(Full::new(Bytes::from(body))).unwrap_or_else(|_| {
        // Only reachable with an unusable header value, which the codes above never are.
        let mut r = hyper::Response::new(Full::new(Bytes::new()));
        *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        r
    }))
}

async fn process(shared: &Shared, request: hyper::Request<Incoming>) -> Result<Vec<u8>, Failure> {
    let (parts, body) = request.into_parts();
    let host = parts.headers.get(http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !shared.serves_host(host) {
        // Not a modeled error: no client of the service would get here by mistake.
        return Err(ApiError::with_status(421, "MisdirectedRequestException", misdirected(shared, host)).into());
    }
    if parts.uri.path() != "/" {
        return Err(ApiError::with_status(
            404,
            "UnknownOperationException",
            format!("No operation at path {}; awsJson requests go to /", parts.uri.path()),
        )
        .into());
    }
    if parts.method != http::Method::POST {
        return Err(ApiError::with_status(
            405,
            "UnknownOperationException",
            format!("Method {} is not allowed; awsJson requests are POSTs", parts.method),
        )
        .into());
    }
    let max = shared.max_request_bytes;
    let announced = parts.headers.get(http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return Err(too_large(max).into());
    }
    let read = tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, max).collect()).await;
    let body = match read {
        Err(_) => {
            return Err(ApiError::with_status(
                408,
                "RequestTimeoutException",
                format!("The request body did not arrive within {} s", BODY_TIMEOUT.as_secs()),
            )
            .into())
        }
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) => {
            let over_limit = e.downcast_ref::<http_body_util::LengthLimitError>().is_some();
            return Err(if over_limit {
                too_large(max)
            } else {
                ApiError::new("SerializationException", format!("Cannot read the request body: {e}"))
            }
            .into());
        }
    };
    let region = sigv4::check(&parts, &body, &shared.credentials, SystemTime::now())
        .map_err(|f| ApiError::with_status(403, f.code(), f.message()))?;
    if let Some(signed) = &region {
        if !shared.regions.is_empty() && !shared.regions.contains(signed) {
            return Err(ApiError::new(
                "UnsupportedCommandException",
                format!("Amazon ECR Public is not served in {signed}; it is served in {}", shared.regions.join(", ")),
            )
            .into());
        }
    }
    let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
    let operation = target.strip_prefix(TARGET_PREFIX).filter(|op| OPERATIONS.contains(op)).ok_or_else(|| {
        ApiError::unknown_operation(if target.is_empty() { "(no X-Amz-Target header)" } else { target })
    })?;
    let content_type = parts.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.split(';').next().map(str::trim) != Some(CONTENT_TYPE) {
        return Err(ApiError::unknown_operation(&format!("{target} with Content-Type `{content_type}`")).into());
    }
    let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    let result = dispatch(&mut state, operation, &body);
    if state.take_lost(operation) {
        return Err(Failure::Lost);
    }
    Ok(result?)
}
