//! What the generated code implements for each operation, and the awsJson rules for reading
//! an error response.

use super::error::Unhandled;
use super::json::{self, Json, JsonReader};

/// One operation of the service: its wire name and its types.
pub trait Operation: 'static {
    /// The operation's name, as in `X-Amz-Target: <Service>.<NAME>`.
    const NAME: &'static str;
    /// The generated input structure, sent as the JSON request body.
    type Input: Json + Clone + Send + Sync + Unpin + 'static;
    /// The generated output structure, read from a 2xx response body.
    type Output: Json + Output + Send + 'static;
    /// The generated error enum, built from any other response.
    type Error: OperationError;

    /// `@requestCompression` with gzip: large request bodies are sent gzip-compressed.
    const REQUEST_COMPRESSION: bool = false;

    /// `@httpChecksumRequired`: the request carries the body's `Content-MD5`.
    const CHECKSUM_REQUIRED: bool = false;

    /// Whether the output has a `@sensitive` member (or is sensitive itself): a response that
    /// cannot be read then never shows its body in a [`ResponseError`](super::error::ResponseError),
    /// not even for an error status.
    const SENSITIVE_OUTPUT: bool = false;

    /// Whether the endpoint rules read this operation's input (context parameters).
    const ENDPOINT_PARAMS: bool = false;

    /// Sets the endpoint parameters the operation binds: static ones and ones read from the input.
    fn endpoint_params(input: &Self::Input, params: &mut super::endpoint::Params) {
        let _ = (input, params);
    }

    /// The operation's host prefix, with its labels filled in from the input.
    fn host_prefix(input: &Self::Input) -> Result<Option<String>, String> {
        let _ = input;
        Ok(None)
    }

    /// Checks the input against the model's constraints.
    fn validate(input: &Self::Input, v: &mut super::validate::Validator) {
        let _ = (input, v);
    }
}

/// Implemented by every output: the runtime records the response's request id.
pub trait Output {
    /// Stores the response's request id (`x-amzn-requestid` or `x-amz-request-id`; `None` when
    /// it had neither).
    fn set_request_id(&mut self, request_id: Option<String>);
}

/// An operation's error enum: built from an error response.
pub trait OperationError: std::error::Error + Send + Sync + Sized + 'static {
    /// The variant for the response's error code, or `Unhandled` for a code the operation
    /// does not model.
    fn from_wire(raw: &RawError<'_>) -> Self;
    /// The `Unhandled` variant, if this is one.
    fn unhandled(&self) -> Option<&Unhandled>;
    /// The error as the service would send it (for stubs and the emulator).
    fn to_wire(&self) -> WireError;
}

/// An error response: status, code (sent as `X-Amzn-Errortype` and `__type`) and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// The HTTP status code.
    pub status: u16,
    /// The error code, without namespace.
    pub code: String,
    /// The JSON body, with `__type` set to the code.
    pub body: Vec<u8>,
}

impl WireError {
    /// The response the service sends for modeled error `e`: its `@httpError` status, its code,
    /// and its members as the body.
    pub fn modeled<T: ModeledError>(e: &T) -> WireError {
        WireError { status: T::STATUS, code: T::CODE.to_owned(), body: with_type(json::to_vec(e), T::CODE) }
    }

    /// The response for an unmodeled error: its code and message, and its status (400 when it
    /// has none, i.e. 0).
    pub fn unhandled(e: &Unhandled) -> WireError {
        let mut w = super::json::JsonWriter::new();
        w.begin_object();
        w.member("__type", &e.code);
        w.member("message", &e.message);
        w.end_object();
        WireError { status: if e.status == 0 { 400 } else { e.status }, code: e.code.clone(), body: w.into_bytes() }
    }
}

/// Adds `"__type": code` at the front of a JSON object body, as the service does.
fn with_type(body: Vec<u8>, code: &str) -> Vec<u8> {
    let mut w = super::json::JsonWriter::new();
    w.begin_object();
    w.member("__type", &code.to_owned());
    w.end_object();
    let mut head = w.into_bytes();
    head.pop(); // `}`
    match body.get(1) {
        Some(b'}') | None => head.push(b'}'),
        Some(_) => {
            head.push(b',');
            head.extend_from_slice(&body[1..]);
            return head;
        }
    }
    head
}

/// Whether the model blames the caller or the service for an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request was wrong (`@error("client")`; status 400 unless `@httpError` says otherwise).
    Client,
    /// The service failed (`@error("server")`; status 500 unless `@httpError` says otherwise).
    Server,
}

/// A modeled error structure.
pub trait ModeledError: Json {
    /// The error code on the wire, the structure's name.
    const CODE: &'static str;
    /// The awsQuery code (`@awsQueryError`) of an error of an `@awsQueryCompatible` service:
    /// the code its users know, so `code()` gives it.
    const QUERY_CODE: Option<&'static str> = None;
    /// Whose fault the error is, from the model's `@error` trait.
    const FAULT: Fault;
    /// The HTTP status the service answers with (`@httpError`, else 400 or 500 by fault).
    const STATUS: u16;
    /// Records the request ids, and the message when the body had it under another name.
    fn set_meta(&mut self, meta: &ResponseMeta<'_>, message: Option<&str>);
    /// The error's `message` member, if the service sent one.
    fn message(&self) -> Option<&str>;
    /// The request id recorded by [`set_meta`](Self::set_meta).
    fn request_id(&self) -> Option<&str>;
    /// The `x-amz-id-2` recorded by [`set_meta`](Self::set_meta).
    fn extended_request_id(&self) -> Option<&str>;
}

/// The request ids of a response, as headers give them.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResponseMeta<'a> {
    /// `x-amzn-requestid` (or `x-amz-request-id`), when sent.
    pub request_id: Option<&'a str>,
    /// `x-amz-id-2`, when sent.
    pub extended_request_id: Option<&'a str>,
}

/// What every service error tells: code, message, request id, and `Code: message (request id: ...)`.
pub trait ErrorInfo: std::fmt::Display {
    /// The error code: the awsQuery code when the service is `@awsQueryCompatible` and has one,
    /// else the structure's name.
    fn code(&self) -> &str;
    /// The human-readable message, if the service sent one.
    fn message(&self) -> Option<&str>;
    /// The response's request id, which AWS support asks for.
    fn request_id(&self) -> Option<&str>;
    /// The response's `x-amz-id-2`, when sent.
    fn extended_request_id(&self) -> Option<&str>;
}

impl<T: ModeledError + std::fmt::Display> ErrorInfo for T {
    fn code(&self) -> &str {
        T::QUERY_CODE.unwrap_or(T::CODE)
    }
    fn message(&self) -> Option<&str> {
        ModeledError::message(self)
    }
    fn request_id(&self) -> Option<&str> {
        ModeledError::request_id(self)
    }
    fn extended_request_id(&self) -> Option<&str> {
        ModeledError::extended_request_id(self)
    }
}

impl ErrorInfo for Unhandled {
    fn code(&self) -> &str {
        Unhandled::code(self)
    }
    fn message(&self) -> Option<&str> {
        Unhandled::message(self)
    }
    fn request_id(&self) -> Option<&str> {
        Unhandled::request_id(self)
    }
    fn extended_request_id(&self) -> Option<&str> {
        self.extended_request_id.as_deref()
    }
}

/// An error response, read as far as awsJson says: code, message, request id.
#[derive(Debug)]
pub struct RawError<'a> {
    /// The error code with any namespace (`ns#`) and `:` suffix removed ([`sanitize_code`]).
    pub code: &'a str,
    /// The awsQuery code of an `@awsQueryCompatible` service (`x-amzn-query-error`), when sent.
    pub query_code: Option<&'a str>,
    /// The body's `message` (or `Message`) member.
    pub message: Option<&'a str>,
    /// The response's request ids.
    pub meta: ResponseMeta<'a>,
    /// The HTTP status code.
    pub status: u16,
    /// The whole response body.
    pub body: &'a [u8],
}

impl RawError<'_> {
    /// The body read as the modeled error `T`; a body that does not fit becomes `Unhandled`.
    pub fn modeled<T: ModeledError>(&self) -> Result<T, Unhandled> {
        // A known code with a body that does not parse (an HTML page from a proxy, say) is
        // still that error: callers match on it. Its members are then zero.
        let mut e = json::from_slice::<T>(self.body).unwrap_or_else(|_| T::zero());
        e.set_meta(&self.meta, self.message);
        Ok(e)
    }

    /// The error as variant `wrap` of an operation's error enum, when the code is `T`'s
    /// (a body that does not fit becomes `unhandled`); `None` for another code.
    #[inline]
    pub fn variant<T: ModeledError, E>(
        &self,
        wrap: impl FnOnce(T) -> E,
        unhandled: impl FnOnce(Unhandled) -> E,
    ) -> Option<E> {
        (self.code == T::CODE).then(|| self.modeled().map_or_else(unhandled, wrap))
    }

    /// The error as `Unhandled`, for a code the operation does not model (the awsQuery code
    /// when one was sent).
    pub fn unhandled(&self) -> Unhandled {
        Unhandled {
            // An awsQuery-compatible service's own code is the one its users know.
            code: self.query_code.unwrap_or(self.code).to_owned(),
            message: self.message.map(str::to_owned),
            request_id: self.meta.request_id.map(str::to_owned),
            extended_request_id: self.meta.extended_request_id.map(str::to_owned),
            status: self.status,
        }
    }
}

/// Code and message of an error response body; both optional.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ErrorFields {
    /// The sanitized error code, `None` when neither the header nor the body had one.
    pub code: Option<String>,
    /// The body's `message` or `Message` member.
    pub message: Option<String>,
}

/// Reads an awsJson error: the code from the `X-Amzn-Errortype` header, else the body's `code`,
/// else its `__type` (the first that is not empty once sanitized); the message from `message` or
/// `Message`. A body that is not a JSON object still yields the header's code, and a member of
/// an unexpected type is ignored rather than hiding the others.
pub fn error_fields(header_code: Option<&str>, body: &[u8]) -> ErrorFields {
    let mut code = None;
    let mut type_ = None;
    let mut message = None;
    let mut r = JsonReader::new(body);
    // Only string values count; anything else is skipped, so the members after it are still read.
    fn string(r: &mut JsonReader<'_>) -> Result<Option<String>, json::JsonError> {
        Ok(match r.read_document()? {
            serde_json::Value::String(s) => Some(s),
            _ => None,
        })
    }
    let _ = r.read_object(|key, r| {
        match key {
            "code" => code = string(r)?,
            "__type" => type_ = string(r)?,
            "message" | "Message" if message.is_none() => message = string(r)?,
            _ => r.skip_value()?,
        }
        Ok(())
    });
    let code = [header_code.map(str::to_owned), code, type_]
        .into_iter()
        .flatten()
        .map(|c| sanitize_code(&c).to_owned())
        .find(|c| !c.is_empty());
    ErrorFields { code, message }
}

/// `aws.protocoltests#FooError:http://...` -> `FooError`.
pub fn sanitize_code(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    let code = code.rsplit('#').next().unwrap_or(code);
    code.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unhandled_prefers_the_query_code() {
        let raw = RawError {
            code: "QueueDoesNotExist",
            query_code: Some("AWS.SimpleQueueService.NonExistentQueue"),
            message: Some("gone"),
            meta: ResponseMeta::default(),
            status: 400,
            body: b"{}",
        };
        assert_eq!(raw.unhandled().code(), "AWS.SimpleQueueService.NonExistentQueue");
        let raw = RawError { query_code: None, ..raw };
        assert_eq!(raw.unhandled().code(), "QueueDoesNotExist");
    }

    #[test]
    fn code_sources_in_order() {
        let body = br#"{"__type":"ns#TypeCode","code":"BodyCode","message":"m"}"#;
        assert_eq!(error_fields(Some("HeaderCode:http://x"), body).code.as_deref(), Some("HeaderCode"));
        assert_eq!(error_fields(None, body).code.as_deref(), Some("BodyCode"));
        let body = br#"{"__type":"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/","Message":"big"}"#;
        let f = error_fields(None, body);
        assert_eq!(f.code.as_deref(), Some("FooError"));
        assert_eq!(f.message.as_deref(), Some("big"));
        assert_eq!(error_fields(None, b"<html>").code, None);
        assert_eq!(error_fields(Some("X"), b"").code.as_deref(), Some("X"));
    }

    #[test]
    fn empty_or_mistyped_fields_do_not_hide_the_others() {
        let body = br#"{"__type":"ns#TypeCode","message":"m"}"#;
        // An empty header (or one that sanitizes to nothing) falls through to the body.
        assert_eq!(error_fields(Some(""), body).code.as_deref(), Some("TypeCode"));
        assert_eq!(error_fields(Some("ns#"), body).code.as_deref(), Some("TypeCode"));
        let body = br#"{"code":"","__type":"TypeCode"}"#;
        assert_eq!(error_fields(None, body).code.as_deref(), Some("TypeCode"));
        // A message of the wrong type is dropped; the code after it is still read.
        let f = error_fields(None, br#"{"message":5,"Message":"text","__type":"TypeCode"}"#);
        assert_eq!(f.code.as_deref(), Some("TypeCode"));
        assert_eq!(f.message.as_deref(), Some("text"));
        assert_eq!(error_fields(None, br#"{"code":{"nested":1},"__type":"T"}"#).code.as_deref(), Some("T"));
    }
}
