//! Test doubles for the transport, so tests need no network, credentials or region.
//!
//! - [`Stubs`]: answers each operation from typed responses you queue, and records the inputs.
//!   For testing your own code that calls a client.
//! - [`Capture`]: records every HTTP request and answers with one canned response. For testing
//!   what goes on the wire: host, headers, signature, body.

// Test authors read these docs first; keep every public item documented.
#![deny(missing_docs)]

mod capture;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;

use super::config::{Config, ConfigBuilder};
use super::error::{TransportError, TransportErrorKind, Unhandled};
use super::json::{self, Json as _};
use super::operation::{Operation, OperationError as _, WireError};
use super::retry::RetryConfig;
use super::transport::{BoxFuture, HttpRequest, HttpResponse, Transport};

pub use capture::Capture;

/// The error code of the response to a call that nothing is stubbed for.
pub const NO_STUBBED_RESPONSE: &str = "NoStubbedResponse";

/// The request id every stubbed response carries.
pub const STUB_REQUEST_ID: &str = "stub-request";

type OnceResponder = Box<dyn FnOnce(&[u8]) -> HttpResponse + Send>;
// An `Arc` so a call can take it out of the lock before running it: a responder may then use
// the same `Stubs` (read inputs, queue more) without deadlocking.
type AlwaysResponder = Arc<dyn Fn(&[u8]) -> HttpResponse + Send + Sync>;

/// Which method set the fallback, for `Debug`.
#[derive(Clone, Copy, Debug)]
enum FallbackKind {
    RespondWith,
    RespondDefault,
}

#[derive(Default)]
struct OpStubs {
    /// One-shot answers, in the order they were queued.
    queued: VecDeque<OnceResponder>,
    /// Answers every call once `queued` is empty.
    fallback: Option<(FallbackKind, AlwaysResponder)>,
    /// Request bodies, in the order the calls came.
    sent: Vec<Bytes>,
}

#[derive(Default)]
struct State {
    operations: HashMap<String, OpStubs>,
    strict: bool,
}

impl State {
    fn unconsumed(&self) -> Vec<(String, usize)> {
        let mut left: Vec<_> = self
            .operations
            .iter()
            .filter(|(_, op)| !op.queued.is_empty())
            .map(|(name, op)| (name.clone(), op.queued.len()))
            .collect();
        left.sort();
        left
    }
}

impl Drop for State {
    // Runs when the last clone of a strict `Stubs` goes, the client's included.
    fn drop(&mut self) {
        if self.strict && !std::thread::panicking() {
            if let Some(message) = unconsumed_message(&self.unconsumed()) {
                panic!("{message}");
            }
        }
    }
}

fn unconsumed_message(left: &[(String, usize)]) -> Option<String> {
    if left.is_empty() {
        return None;
    }
    let list: Vec<String> = left.iter().map(|(name, n)| format!("{name} ({n} left)")).collect();
    Some(format!("stubbed responses were never used: {}", list.join(", ")))
}

/// A [`Transport`] that answers each operation from typed responses queued for it, and records
/// every input. Cloning shares the same stubs, so keep one clone and give another to the client
/// through [`Stubs::config`].
///
/// For each call of an operation, in this order:
/// 1. the next one-shot answer queued for it ([`respond`](Stubs::respond),
///    [`respond_sequence`](Stubs::respond_sequence),
///    [`respond_once_with`](Stubs::respond_once_with)), used up by the call;
/// 2. else its fallback, which answers every call ([`respond_with`](Stubs::respond_with) or
///    [`respond_default`](Stubs::respond_default); the last one set wins);
/// 3. else an error with code [`NO_STUBBED_RESPONSE`] whose message names the operation.
///    It has status 400, so it is never retried, whatever the retry configuration.
///
/// So once a sequence is used up, the fallback answers if one is set, and the error otherwise.
/// One-shot answers take precedence over the fallback whichever was set first.
///
/// With the ECR Public client:
// The runtime cannot depend on a generated crate: ecrpublic/tests/stubs.rs runs this example.
/// ```ignore
/// # async fn demo() {
/// use ecrpublic::error::{CreateRepositoryError, RepositoryAlreadyExistsException};
/// use ecrpublic::operation::{CreateRepository, DescribeRepositories};
/// use ecrpublic::output::{CreateRepositoryOutput, DescribeRepositoriesOutput};
/// use ecrpublic::{stub::Stubs, types::Repository, Client};
///
/// let stubs = Stubs::new();
/// // One answer, then a sequence: `create_repository` succeeds twice, then fails.
/// stubs.respond::<CreateRepository>(Ok(CreateRepositoryOutput::default()));
/// stubs.respond_sequence::<CreateRepository>([
///     Ok(CreateRepositoryOutput::default()),
///     Err(CreateRepositoryError::RepositoryAlreadyExistsException(
///         RepositoryAlreadyExistsException::default().with_message("taken"),
///     )),
/// ]);
/// // Every `describe_repositories` call: the repositories it asked for.
/// stubs.respond_with::<DescribeRepositories>(|input| {
///     let names = input.repository_names.clone().unwrap_or_default();
///     let repos = names.into_iter().map(|n| Repository::default().with_repository_name(n));
///     Ok(DescribeRepositoriesOutput::default().with_repositories(repos))
/// });
///
/// let client = Client::new(&stubs.config());
/// client.create_repository("web").send().await.unwrap();
/// client.create_repository("api").send().await.unwrap();
/// let err = client.create_repository("ops").send().await.unwrap_err();
/// assert_eq!(err.to_string(), "RepositoryAlreadyExistsException: taken (request id: stub-request)");
/// let out = client.describe_repositories().repository_names(["web"]).send().await.unwrap();
/// assert_eq!(out.repositories[0].repository_name.as_deref(), Some("web"));
///
/// let names: Vec<_> = stubs.inputs::<CreateRepository>().into_iter().map(|i| i.repository_name).collect();
/// assert_eq!(names, ["web", "api", "ops"]);
/// stubs.assert_all_consumed();
/// # }
/// ```
#[derive(Clone, Default)]
pub struct Stubs {
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for Stubs {
    // Counts only: queued answers and inputs may hold secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Summary {
            queued: usize,
            fallback: Option<FallbackKind>,
            calls: usize,
        }
        impl fmt::Debug for Summary {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut s = f.debug_struct("Operation");
                s.field("queued", &self.queued);
                if let Some(kind) = self.fallback {
                    s.field("fallback", &kind);
                }
                s.field("calls", &self.calls).finish()
            }
        }
        let state = self.lock();
        let operations: BTreeMap<&str, Summary> = state
            .operations
            .iter()
            .map(|(name, op)| {
                let summary = Summary {
                    queued: op.queued.len(),
                    fallback: op.fallback.as_ref().map(|(kind, _)| *kind),
                    calls: op.sent.len(),
                };
                (name.as_str(), summary)
            })
            .collect();
        f.debug_struct("Stubs").field("strict", &state.strict).field("operations", &operations).finish()
    }
}

impl Stubs {
    /// Stubs with nothing queued: every call gets the [`NO_STUBBED_RESPONSE`] error until you
    /// queue answers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Like [`new`](Stubs::new), and when the last clone is dropped (the client's included) it
    /// panics if any queued answer was never used, as [`assert_all_consumed`](Stubs::assert_all_consumed)
    /// does. Not when the thread is already panicking, so a failing test shows its own panic.
    pub fn strict() -> Self {
        let stubs = Self::default();
        stubs.lock().strict = true;
        stubs
    }

    /// A configuration whose client talks to these stubs: region `us-east-1`, test
    /// credentials, no retries.
    pub fn config(&self) -> Config {
        self.config_builder().build()
    }

    /// [`config`](Stubs::config) before it is built, to change other settings.
    pub fn config_builder(&self) -> ConfigBuilder {
        test_config(self.clone())
    }

    /// Queues one answer for the next call of `O`: its output, or one of its errors.
    pub fn respond<O: Operation>(&self, response: Result<O::Output, O::Error>) {
        let reply = encode::<O>(&response);
        self.queue(O::NAME, Box::new(move |_| reply));
    }

    /// Queues one answer per item, for the next calls of `O` in order; the same as calling
    /// [`respond`](Stubs::respond) for each.
    pub fn respond_sequence<O: Operation>(&self, responses: impl IntoIterator<Item = Result<O::Output, O::Error>>) {
        for response in responses {
            self.respond::<O>(response);
        }
    }

    /// Queues one answer for the next call of `O`, computed from that call's input.
    pub fn respond_once_with<O: Operation>(
        &self,
        f: impl FnOnce(&O::Input) -> Result<O::Output, O::Error> + Send + 'static,
    ) {
        self.queue(O::NAME, Box::new(move |body| with_input::<O>(body, f)));
    }

    /// Answers every call of `O` that finds no queued answer with a function of its input.
    /// Replaces an earlier [`respond_with`](Stubs::respond_with) or
    /// [`respond_default`](Stubs::respond_default) of `O`.
    pub fn respond_with<O: Operation>(
        &self,
        f: impl Fn(&O::Input) -> Result<O::Output, O::Error> + Send + Sync + 'static,
    ) {
        let responder: AlwaysResponder = Arc::new(move |body| with_input::<O>(body, &f));
        self.lock().operations.entry(O::NAME.to_owned()).or_default().fallback =
            Some((FallbackKind::RespondWith, responder));
    }

    /// Answers every call of `O` that finds no queued answer with the output's default value
    /// (`Output::default()`: required members zero, the rest absent). Replaces an earlier
    /// [`respond_with`](Stubs::respond_with) or [`respond_default`](Stubs::respond_default) of `O`.
    pub fn respond_default<O: Operation>(&self) {
        let reply = encode::<O>(&Ok(O::Output::zero()));
        let responder: AlwaysResponder = Arc::new(move |_| reply.clone());
        self.lock().operations.entry(O::NAME.to_owned()).or_default().fallback =
            Some((FallbackKind::RespondDefault, responder));
    }

    /// Every input of `O` received so far, in order.
    pub fn inputs<O: Operation>(&self) -> Vec<O::Input> {
        let state = self.lock();
        let sent = state.operations.get(O::NAME).map(|op| op.sent.as_slice()).unwrap_or_default();
        sent.iter().filter_map(|b| json::from_slice(b).ok()).collect()
    }

    /// How many calls of any operation were received.
    pub fn calls(&self) -> usize {
        self.lock().operations.values().map(|op| op.sent.len()).sum()
    }

    /// The operations with queued answers no call has used yet, and how many each has, sorted
    /// by name. Fallbacks are not counted: they never run out.
    pub fn unconsumed(&self) -> Vec<(String, usize)> {
        self.lock().unconsumed()
    }

    /// Panics if any queued answer was never used, naming every such operation and how many
    /// answers it has left.
    #[track_caller]
    pub fn assert_all_consumed(&self) {
        // The lock is released before panicking, so it is not poisoned.
        let message = unconsumed_message(&self.unconsumed());
        if let Some(message) = message {
            panic!("{message}");
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked holding the lock leaves the stubs usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn queue(&self, operation: &str, responder: OnceResponder) {
        self.lock().operations.entry(operation.to_owned()).or_default().queued.push_back(responder);
    }

    fn answer(&self, operation: &str, body: &Bytes) -> HttpResponse {
        enum Next {
            Once(OnceResponder),
            Always(AlwaysResponder),
        }
        let next = {
            let mut state = self.lock();
            let op = state.operations.entry(operation.to_owned()).or_default();
            op.sent.push(body.clone());
            match op.queued.pop_front() {
                Some(f) => Some(Next::Once(f)),
                None => op.fallback.as_ref().map(|(_, f)| Next::Always(f.clone())),
            }
        };
        match next {
            Some(Next::Once(f)) => f(body),
            Some(Next::Always(f)) => f(body),
            None => stub_error(
                400,
                NO_STUBBED_RESPONSE,
                &format!(
                    "no response is stubbed for {operation}: queue one with respond, respond_with or respond_default"
                ),
            ),
        }
    }
}

impl Transport for Stubs {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let target = request.headers().get("x-amz-target").and_then(|v| v.to_str().ok());
        let result = match target {
            // `X-Amz-Target: <Service>.<Operation>`
            Some(target) => Ok(self.answer(target.rsplit('.').next().unwrap_or(target), request.body())),
            None => Err(TransportError::new(TransportErrorKind::Request, "no X-Amz-Target header")),
        };
        Box::pin(std::future::ready(result))
    }
}

/// Region `us-east-1`, test credentials, no retries (a stubbed error comes back at once), and
/// `transport`.
fn test_config(transport: impl Transport) -> ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials(aws_credential_types::Credentials::new("AKIDSTUB", "stub-secret", None, None, "stub"))
        .retry(RetryConfig::disabled())
        .transport(transport)
}

fn with_input<O: Operation>(body: &[u8], f: impl FnOnce(&O::Input) -> Result<O::Output, O::Error>) -> HttpResponse {
    match json::from_slice::<O::Input>(body) {
        Ok(input) => encode::<O>(&f(&input)),
        Err(e) => stub_error(400, "SerializationException", &format!("the stub cannot read the input: {e}")),
    }
}

fn encode<O: Operation>(response: &Result<O::Output, O::Error>) -> HttpResponse {
    match response {
        Ok(output) => match json::try_to_vec(output) {
            Some(body) => reply(200, None, body),
            None => stub_error(
                400,
                "StubOutputTooDeep",
                &format!("the stubbed {} output nests deeper than {} levels", O::NAME, json::MAX_DEPTH),
            ),
        },
        Err(e) => {
            let WireError { status, code, body } = e.to_wire();
            reply(status, Some(&code), body)
        }
    }
}

fn reply(status: u16, code: Option<&str>, body: Vec<u8>) -> HttpResponse {
    let mut b = http::Response::builder().status(status).header("x-amzn-requestid", STUB_REQUEST_ID);
    if let Some(code) = code {
        b = b.header("x-amzn-errortype", code);
    }
    b.body(Bytes::from(body)).unwrap_or_default()
}

fn stub_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let w = WireError::unhandled(&Unhandled::new(code, Some(message.to_owned()), None, status));
    reply(w.status, Some(&w.code), w.body)
}
