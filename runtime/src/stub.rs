//! Typed stubs: a client whose transport answers from queued, typed responses instead of the
//! network, and records every input for assertions. No network, credentials or region needed.
//!
//! See the crate documentation for an example.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::config::Config;
use super::error::{TransportError, TransportErrorKind};
use super::json;
use super::operation::{Operation, OperationError as _, WireError};
use super::retry::RetryConfig;
use super::transport::{BoxFuture, HttpRequest, HttpResponse, Transport};

type Responder = Box<dyn Fn(&[u8]) -> HttpResponse + Send + Sync>;

enum Queued {
    /// Answers one call, then is gone.
    Once(Responder),
    /// Answers every call from now on.
    Always(Responder),
}

#[derive(Default)]
struct State {
    queues: HashMap<String, VecDeque<Queued>>,
    /// Request bodies by operation, in order.
    sent: HashMap<String, Vec<Bytes>>,
}

/// Queued responses per operation, and the inputs received. Cloning shares the same stubs.
#[derive(Clone, Default)]
pub struct Stubs {
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for Stubs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Stubs")
    }
}

impl Stubs {
    pub fn new() -> Self {
        Self::default()
    }

    /// A configuration whose client talks to these stubs: region `us-east-1`, dummy credentials,
    /// no retries (a stubbed error comes back at once).
    pub fn config(&self) -> Config {
        Config::builder()
            .region("us-east-1")
            .credentials(aws_credential_types::Credentials::new("STUB", "STUB", None, None, "stub"))
            .retry(RetryConfig::disabled())
            .transport(self.clone())
            .build()
    }

    /// Queues one response of operation `O`: its output, or one of its errors.
    pub fn respond<O: Operation>(&self, response: Result<O::Output, O::Error>) {
        let reply = encode::<O>(&response);
        self.push(O::NAME, Queued::Once(Box::new(move |_| reply.clone())));
    }

    /// Answers every later call of `O` with a function of its input.
    pub fn respond_with<O: Operation>(
        &self,
        f: impl Fn(&O::Input) -> Result<O::Output, O::Error> + Send + Sync + 'static,
    ) {
        self.push(
            O::NAME,
            Queued::Always(Box::new(move |body| match json::from_slice::<O::Input>(body) {
                Ok(input) => encode::<O>(&f(&input)),
                Err(e) => stub_error(400, "SerializationException", &format!("the stub cannot read the input: {e}")),
            })),
        );
    }

    /// Every input of `O` received so far, in order.
    pub fn inputs<O: Operation>(&self) -> Vec<O::Input> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.sent.get(O::NAME).into_iter().flatten().filter_map(|b| json::from_slice(b).ok()).collect()
    }

    /// How many calls of any operation were received.
    pub fn calls(&self) -> usize {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).sent.values().map(Vec::len).sum()
    }

    fn push(&self, operation: &str, q: Queued) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.queues.entry(operation.to_owned()).or_default().push_back(q);
    }
}

fn encode<O: Operation>(response: &Result<O::Output, O::Error>) -> HttpResponse {
    match response {
        Ok(output) => reply(200, None, json::to_vec(output)),
        Err(e) => {
            let WireError { status, code, body } = e.to_wire();
            reply(status, Some(&code), body)
        }
    }
}

fn reply(status: u16, code: Option<&str>, body: Vec<u8>) -> HttpResponse {
    let mut b = http::Response::builder().status(status).header("x-amzn-requestid", "stub-request");
    if let Some(code) = code {
        b = b.header("x-amzn-errortype", code);
    }
    b.body(Bytes::from(body)).unwrap_or_default()
}

fn stub_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let e = super::error::Unhandled::new(code, Some(message.to_owned()), None, status);
    let w = WireError::unhandled(&e);
    reply(w.status, Some(&w.code), w.body)
}

impl Transport for Stubs {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let result = (|| {
            let target = request
                .headers()
                .get("x-amz-target")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| TransportError::new(TransportErrorKind::Request, "no X-Amz-Target header"))?;
            let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            state.sent.entry(operation.clone()).or_default().push(request.body().clone());
            let queue = state.queues.entry(operation.clone()).or_default();
            // An `Always` responder stays at the front; a `Once` one is used up.
            if let Some(Queued::Always(f)) = queue.front() {
                return Ok(f(request.body()));
            }
            Ok(match queue.pop_front() {
                Some(Queued::Once(f) | Queued::Always(f)) => f(request.body()),
                None => stub_error(500, "NoStubbedResponse", &format!("no response is stubbed for {operation}")),
            })
        })();
        Box::pin(std::future::ready(result))
    }
}
