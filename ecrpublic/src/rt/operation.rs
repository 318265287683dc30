//! What the generated code implements for each operation, and the awsJson rules for reading
//! an error response.

use super::error::Unhandled;
use super::json::{self, Json, JsonReader};

/// One operation of the service: its wire name and its types.
pub trait Operation: 'static {
    /// The operation's name, as in `X-Amz-Target: <Service>.<NAME>`.
    const NAME: &'static str;
    type Input: Json + Clone + Send + Sync + Unpin + 'static;
    type Output: Json + Output + Send + 'static;
    type Error: OperationError;
}

/// Implemented by every output: the runtime records the response's request id.
pub trait Output {
    fn set_request_id(&mut self, request_id: Option<String>);
}

/// An operation's error enum: built from an error response.
pub trait OperationError: std::error::Error + Send + Sync + Sized + 'static {
    fn from_wire(raw: &RawError<'_>) -> Self;
    /// The `Unhandled` variant, if this is one.
    fn unhandled(&self) -> Option<&Unhandled>;
}

/// Whether the model blames the caller or the service for an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Client,
    Server,
}

/// A modeled error structure.
pub trait ModeledError: Json {
    const FAULT: Fault;
    /// Records the request id, and the message when the body had it under another name.
    fn set_meta(&mut self, request_id: Option<&str>, message: Option<&str>);
}

/// An error response, read as far as awsJson says: code, message, request id.
#[derive(Debug)]
pub struct RawError<'a> {
    pub code: &'a str,
    pub message: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub status: u16,
    pub body: &'a [u8],
}

impl RawError<'_> {
    /// The body read as the modeled error `T`; a body that does not fit becomes `Unhandled`.
    pub fn modeled<T: ModeledError>(&self) -> Result<T, Unhandled> {
        match json::from_slice::<T>(self.body) {
            Ok(mut e) => {
                e.set_meta(self.request_id, self.message);
                Ok(e)
            }
            Err(_) => Err(self.unhandled()),
        }
    }

    pub fn unhandled(&self) -> Unhandled {
        Unhandled {
            code: self.code.to_owned(),
            message: self.message.map(str::to_owned),
            request_id: self.request_id.map(str::to_owned),
            status: self.status,
        }
    }
}

/// Code and message of an error response body; both optional.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ErrorFields {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// Reads an awsJson error: the code from the `X-Amzn-Errortype` header, else the body's `code`,
/// else its `__type`; the message from `message` or `Message`. A body that is not a JSON object
/// still yields the header's code.
pub fn error_fields(header_code: Option<&str>, body: &[u8]) -> ErrorFields {
    let mut code = None;
    let mut type_ = None;
    let mut message = None;
    let mut r = JsonReader::new(body);
    let _ = r.read_object(|key, r| {
        match key {
            "code" => code = Some(r.read_string()?),
            "__type" => type_ = Some(r.read_string()?),
            "message" | "Message" if message.is_none() => message = Some(r.read_string()?),
            _ => r.skip_value()?,
        }
        Ok(())
    });
    let code = header_code.map(str::to_owned).or(code).or(type_).map(|c| sanitize_code(&c).to_owned());
    ErrorFields { code: code.filter(|c| !c.is_empty()), message }
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
}
