//! The HTTP side: accepting connections, the awsJson 1.1 envelope, authentication, and
//! turning handler results into responses.

use std::convert::Infallible;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::dispatch::{dispatch, OPERATIONS};
use super::errors::ApiError;
use super::state::State;
use super::{sigv4, uuid_v4};

const TARGET_PREFIX: &str = "SpencerFrontendService.";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// Enough for the largest request the model allows: a 20 MiB layer part in base64.
const MAX_BODY: usize = 32 * 1024 * 1024;

/// What every connection shares.
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub credentials: Vec<(String, String)>,
    /// The Regions served; empty: any.
    pub regions: Vec<String>,
}

/// Accepts connections until `stop` turns true, then waits for the open ones to finish the
/// requests they are serving.
pub(crate) async fn serve(listener: TcpListener, shared: std::sync::Arc<Shared>, stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    let mut stop_accepting = stop.clone();
    loop {
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
                    let service = service_fn(move |request| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(handle(&shared, request).await) }
                    });
                    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
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

/// Resolves once the emulator is told to stop (or is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`: drop it here.
    let _ = stop.wait_for(|s| *s).await.map(|_| ());
}

async fn handle(shared: &Shared, request: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let request_id = uuid_v4();
    let (status, body, error_code) = match process(shared, request).await {
        Ok(body) => (200, body, None),
        Err(e) => (e.status, e.body, Some(e.code)),
    };
    let mut response = hyper::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
        .header("x-amzn-RequestId", &request_id);
    if let Some(code) = error_code {
        response = response.header("x-amzn-ErrorType", code);
    }
    response.body(Full::new(Bytes::from(body))).unwrap_or_else(|_| {
        // Only reachable with an unusable header value, which the codes above never are.
        let mut r = hyper::Response::new(Full::new(Bytes::new()));
        *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

async fn process(shared: &Shared, request: hyper::Request<Incoming>) -> Result<Vec<u8>, ApiError> {
    let (parts, body) = request.into_parts();
    if parts.uri.path() != "/" {
        return Err(ApiError::with_status(
            404,
            "UnknownOperationException",
            format!("No operation at path {}; awsJson requests go to /", parts.uri.path()),
        ));
    }
    if parts.method != http::Method::POST {
        return Err(ApiError::with_status(
            405,
            "UnknownOperationException",
            format!("Method {} is not allowed; awsJson requests are POSTs", parts.method),
        ));
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            let too_large = e.downcast_ref::<http_body_util::LengthLimitError>().is_some();
            return Err(if too_large {
                ApiError::with_status(
                    413,
                    "SerializationException",
                    format!("The request body exceeds {MAX_BODY} bytes"),
                )
            } else {
                ApiError::new("SerializationException", format!("Cannot read the request body: {e}"))
            });
        }
    };
    let region = sigv4::check(&parts, &body, &shared.credentials, SystemTime::now())
        .map_err(|f| ApiError::with_status(403, f.code(), f.message()))?;
    if let Some(signed) = &region {
        if !shared.regions.is_empty() && !shared.regions.contains(signed) {
            return Err(ApiError::new(
                "UnsupportedCommandException",
                format!("Amazon ECR Public is not served in {signed}; it is served in {}", shared.regions.join(", ")),
            ));
        }
    }
    let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
    let operation = target.strip_prefix(TARGET_PREFIX).filter(|op| OPERATIONS.contains(op)).ok_or_else(|| {
        ApiError::unknown_operation(if target.is_empty() { "(no X-Amz-Target header)" } else { target })
    })?;
    let content_type = parts.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.split(';').next().map(str::trim) != Some(CONTENT_TYPE) {
        return Err(ApiError::unknown_operation(&format!("{target} with Content-Type `{content_type}`")));
    }
    let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    dispatch(&mut state, operation, &body)
}
