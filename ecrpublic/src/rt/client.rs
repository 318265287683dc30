//! The engine behind every generated operation: build the awsJson request, resolve the
//! endpoint, sign, send, and read the output or the error.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use bytes::Bytes;

use super::config::Config;
use super::credentials::EnvironmentCredentials;
use super::endpoint::{Params, RuleSet};
use super::error::{ConfigError, Error, ResponseError, TransportError, TransportErrorKind};
use super::json;
use super::operation::{error_fields, Operation, OperationError, Output, RawError};
use super::transport::{HttpRequest, HttpResponse, HyperTransport, Transport};

/// What the runtime needs to know of a service; generated from its model.
#[derive(Debug)]
pub struct ServiceInfo {
    /// The service shape's name: `X-Amz-Target` is `<target_prefix>.<Operation>`.
    pub target_prefix: &'static str,
    /// `1.0` or `1.1`, for `Content-Type: application/x-amz-json-<version>`.
    pub json_version: &'static str,
    /// The SigV4 signing name.
    pub signing_name: &'static str,
    pub sdk_id: &'static str,
    /// `AWS_ENDPOINT_URL_<env_suffix>` overrides the endpoint.
    pub env_suffix: &'static str,
    pub api_version: &'static str,
    /// The endpoint rule set, as JSON.
    pub endpoint_rules: &'static str,
}

/// A shared, cheaply cloned client core.
#[derive(Clone)]
pub struct Handle {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    service: &'static ServiceInfo,
    /// Resolved once: the ECR Public rules depend on configuration only, not on the input.
    endpoint: Result<http::Uri, ConfigError>,
    content_type: String,
    transport: Result<Arc<dyn Transport>, String>,
    credentials: SharedCredentialsProvider,
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.inner.service.sdk_id)
            .field("api_version", &self.inner.service.api_version)
            .field("region", &self.inner.config.region)
            .field("endpoint", &self.inner.endpoint.as_ref().map(|u| u.to_string()).ok())
            .finish()
    }
}

impl Handle {
    pub fn new(config: Config, service: &'static ServiceInfo) -> Self {
        let endpoint = resolve_endpoint(&config, service);
        let transport = match &config.transport {
            Some(t) => Ok(t.clone()),
            None => {
                HyperTransport::new(&config.http).map(|t| Arc::new(t) as Arc<dyn Transport>).map_err(|e| e.to_string())
            }
        };
        let credentials =
            config.credentials.clone().unwrap_or_else(|| SharedCredentialsProvider::new(EnvironmentCredentials));
        let content_type = format!("application/x-amz-json-{}", service.json_version);
        Handle { inner: Arc::new(Inner { config, service, endpoint, content_type, transport, credentials }) }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends one operation and reads its output or error.
    pub async fn call<O: Operation>(&self, input: &O::Input) -> Result<O::Output, Error<O::Error>> {
        let body = json::to_vec(input);
        let response = self.send(O::NAME, body).await.map_err(Error::widen)?;
        let status = response.status().as_u16();
        let request_id = request_id(&response);
        if response.status().is_success() {
            let mut output = json::from_slice::<O::Output>(response.body()).map_err(|e| {
                Error::Response(ResponseError::new(
                    status,
                    request_id.clone(),
                    response.body().clone(),
                    format!("the {} output is not valid: {e}", O::NAME),
                ))
            })?;
            output.set_request_id(request_id);
            return Ok(output);
        }
        let header_code = response.headers().get("x-amzn-errortype").and_then(|v| v.to_str().ok());
        let fields = error_fields(header_code, response.body());
        let Some(code) = fields.code else {
            return Err(Error::Response(ResponseError::new(
                status,
                request_id,
                response.body().clone(),
                "an error response without an error code",
            )));
        };
        let raw = RawError {
            code: &code,
            message: fields.message.as_deref(),
            request_id: request_id.as_deref(),
            status,
            body: response.body(),
        };
        Err(Error::Service(O::Error::from_wire(&raw)))
    }

    /// Builds, signs and sends the request. Not generic, so it is compiled once.
    async fn send(&self, operation: &str, body: Vec<u8>) -> Result<HttpResponse, Error<std::convert::Infallible>> {
        let inner = &*self.inner;
        let uri = inner.endpoint.clone().map_err(Error::Config)?;
        let transport = inner.transport.as_ref().map_err(|e| {
            Error::Transport(TransportError::new(TransportErrorKind::Tls, format!("cannot set up TLS: {e}")))
        })?;
        let region = inner.config.region.as_deref().unwrap_or("us-east-1");
        let credentials = inner
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| Error::Config(ConfigError::new(format!("no credentials: {}", error_chain(&e)))))?;
        let host = uri.authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
        let target = format!("{}.{}", inner.service.target_prefix, operation);
        let mut request: HttpRequest = http::Request::builder()
            .method(http::Method::POST)
            .uri(uri)
            .header(http::header::HOST, host)
            .header(http::header::CONTENT_TYPE, &inner.content_type)
            .header("x-amz-target", target)
            .header(http::header::CONTENT_LENGTH, body.len())
            .header(http::header::USER_AGENT, concat!("ecrpublic/", env!("CARGO_PKG_VERSION")))
            .body(Bytes::from(body))
            .map_err(|e| Error::Transport(TransportError::new(TransportErrorKind::Request, e.to_string())))?;
        sign(&mut request, &credentials, region, inner.service.signing_name, SystemTime::now())
            .map_err(Error::Config)?;
        transport.send(request).await.map_err(Error::Transport)
    }
}

fn request_id(response: &HttpResponse) -> Option<String> {
    let h = response.headers();
    h.get("x-amzn-requestid").or_else(|| h.get("x-amz-request-id")).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// The endpoint from the model's rule set, for the configured region, FIPS, dual-stack and
/// endpoint URL.
fn resolve_endpoint(config: &Config, service: &ServiceInfo) -> Result<http::Uri, ConfigError> {
    let rules = RuleSet::from_json(service.endpoint_rules)
        .map_err(|e| ConfigError::new(format!("the service's endpoint rules are invalid: {e}")))?;
    let mut params = Params::new();
    if let Some(r) = &config.region {
        params.set("Region", r.as_str());
    }
    params.set("UseFIPS", config.use_fips);
    params.set("UseDualStack", config.use_dual_stack);
    let env_url = config
        .from_env
        .then(|| std::env::var(format!("AWS_ENDPOINT_URL_{}", service.env_suffix)).ok())
        .flatten()
        .filter(|v| !v.trim().is_empty());
    if let Some(url) = env_url.as_deref().or(config.endpoint_url.as_deref()) {
        params.set("Endpoint", url);
    }
    let endpoint = rules.resolve(&params).map_err(|e| ConfigError::new(format!("cannot resolve the endpoint: {e}")))?;
    let uri: http::Uri =
        endpoint.url.parse().map_err(|e| ConfigError::new(format!("invalid endpoint URL `{}`: {e}", endpoint.url)))?;
    match uri.scheme_str() {
        Some("http") | Some("https") if uri.authority().is_some() => Ok(uri),
        _ => Err(ConfigError::new(format!("endpoint URL `{}` is not an http(s) URL with a host", endpoint.url))),
    }
}

/// SigV4-signs the request in place.
fn sign(
    request: &mut HttpRequest,
    credentials: &aws_credential_types::Credentials,
    region: &str,
    name: &str,
    time: SystemTime,
) -> Result<(), ConfigError> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;

    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(name)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| ConfigError::new(format!("cannot sign: {e}")))?
        .into();
    let headers = request.headers().iter().filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(request.method().as_str(), &uri, headers, SignableBody::Bytes(request.body()))
        .map_err(|e| ConfigError::new(format!("cannot sign: {e}")))?;
    let (instructions, _signature) =
        sign(signable, &params).map_err(|e| ConfigError::new(format!("cannot sign: {e}")))?.into_parts();
    instructions.apply_to_request_http1x(request);
    Ok(())
}
