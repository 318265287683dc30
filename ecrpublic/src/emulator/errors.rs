//! Error responses: [`ApiError`] and the service's errors the operations share.

use super::state::{Kind, State};
use crate::error as e;
use crate::rt::json::{to_vec, Json, JsonWriter};

/// An error response: status, code and the JSON body (`__type`, `message` and the error's
/// modeled members).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: String,
    pub body: Vec<u8>,
}

impl ApiError {
    /// `code` with a message; HTTP 500 for `ServerException`, 400 otherwise.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        let status = if code == e::ServerException::CODE { 500 } else { 400 };
        Self::with_status(status, code, message)
    }

    pub fn with_status(status: u16, code: &str, message: impl Into<String>) -> Self {
        let mut w = JsonWriter::new();
        w.begin_object();
        w.member("__type", &code.to_owned());
        w.member("message", &message.into());
        w.end_object();
        ApiError { status, code: code.to_owned(), body: w.into_bytes() }
    }

    /// A modeled error with all its members, `__type` added in front.
    pub fn modeled<E: Json>(code: &str, error: &E) -> Self {
        let members = to_vec(error);
        let mut body = to_vec(&code.to_owned());
        body.splice(0..0, *b"{\"__type\":");
        if members.len() > 2 {
            body.push(b',');
        }
        body.extend_from_slice(members.get(1..).unwrap_or(b"}"));
        ApiError { status: 400, code: code.to_owned(), body }
    }

    pub fn unknown_operation(what: &str) -> Self {
        Self::new("UnknownOperationException", format!("Unknown operation {what}"))
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(e::InvalidParameterException::CODE, message)
}

pub(crate) fn validation(message: impl Into<String>) -> ApiError {
    ApiError::new(e::ValidationException::CODE, message)
}

pub(crate) fn limit_exceeded(message: impl Into<String>) -> ApiError {
    ApiError::new(e::LimitExceededException::CODE, message)
}

/// The service's message for a member that breaks a constraint of the model.
pub(crate) fn constraint(member: &str, value: impl std::fmt::Debug, constraint: impl std::fmt::Display) -> ApiError {
    invalid(format!(
        "1 validation error detected: Value {value:?} at '{member}' failed to satisfy constraint: {constraint}"
    ))
}

pub(crate) fn repository_not_found(st: &State, kind: Kind, name: &str) -> ApiError {
    ApiError::new(
        e::RepositoryNotFoundException::CODE,
        format!("The {} with name '{name}' does not exist in the registry with id '{}'", kind.noun(), st.account_id),
    )
}

pub(crate) fn policy_not_found(st: &State, kind: Kind, name: &str) -> ApiError {
    ApiError::new(
        e::RepositoryPolicyNotFoundException::CODE,
        format!(
            "Repository policy does not exist for the {} with name '{name}' in the registry with id '{}'",
            kind.noun(),
            st.account_id
        ),
    )
}

pub(crate) fn image_not_found(st: &State, name: &str, digest: Option<&str>, tag: Option<&str>) -> ApiError {
    ApiError::new(
        e::ImageNotFoundException::CODE,
        format!(
            "The image with imageId {{imageDigest:'{}', imageTag:'{}'}} does not exist within the repository with \
             name '{name}' in the registry with id '{}'",
            digest.unwrap_or("null"),
            tag.unwrap_or("null"),
            st.account_id
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modeled_error_body() {
        let error = e::InvalidLayerPartException { last_valid_byte_received: Some(4), ..Default::default() };
        let body = ApiError::modeled("InvalidLayerPartException", &error).body;
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(v, serde_json::json!({"__type": "InvalidLayerPartException", "lastValidByteReceived": 4}));
        let empty = ApiError::modeled("X", &e::InvalidLayerException::default()).body;
        assert_eq!(empty, br#"{"__type":"X"}"#);
    }
}
