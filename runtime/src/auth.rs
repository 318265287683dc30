//! How a request is signed. An endpoint rule may name the schemes its endpoint accepts
//! (`authSchemes` in the endpoint's properties) with the name, region or region set to sign
//! for: a global service answering in one region, or a multi-region endpoint signed with
//! SigV4a. The first scheme this client supports wins; without any, a request is signed with
//! SigV4 for the service's signing name and the configured region.

use std::time::SystemTime;

use serde_json::Value;

use super::error::ConfigError;
use super::transport::HttpRequest;

/// The region a request is signed for when neither the endpoint nor the configuration names one.
pub(crate) const DEFAULT_SIGNING_REGION: &str = "us-east-1";

/// The region set of a SigV4a signature when neither the endpoint nor the configuration names one.
const ANY_REGION: &str = "*";

/// The signature algorithms this client signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Algorithm {
    /// `sigv4`: HMAC-SHA256, for one region.
    V4,
    /// `sigv4a`: ECDSA P-256, for a set of regions.
    V4a,
}

/// An endpoint's chosen auth scheme, with what it overrides. `None` fields fall back to the
/// service's signing name and the configured region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AuthScheme {
    pub algorithm: Algorithm,
    pub signing_name: Option<String>,
    /// SigV4 only.
    pub signing_region: Option<String>,
    /// SigV4a only: the regions joined with commas, as `X-Amz-Region-Set` carries them.
    pub signing_region_set: Option<String>,
    /// Percent-encode the canonical path once instead of twice.
    pub disable_double_encoding: bool,
    /// Leave `.` and `..` path segments as they are in the canonical path.
    pub disable_normalize_path: bool,
}

impl AuthScheme {
    /// The first scheme of `properties["authSchemes"]` this client supports, skipping others.
    /// `Ok(None)` when the endpoint names no scheme: the service's defaults apply. An endpoint
    /// whose schemes are all unknown here is an error naming them, since any signature this
    /// client could make would be refused.
    pub(crate) fn choose(properties: &serde_json::Map<String, Value>) -> Result<Option<AuthScheme>, ConfigError> {
        let Some(schemes) = properties.get("authSchemes") else { return Ok(None) };
        let Some(schemes) = schemes.as_array() else {
            return Err(ConfigError::new(format!("the endpoint's `authSchemes` is not a list: {schemes}")));
        };
        if schemes.is_empty() {
            return Ok(None);
        }
        let mut unsupported = Vec::new();
        for scheme in schemes {
            let name = scheme.get("name").and_then(Value::as_str);
            let algorithm = match name {
                Some("sigv4") => Algorithm::V4,
                Some("sigv4a") if cfg!(feature = "sigv4a") => Algorithm::V4a,
                Some("sigv4a") => {
                    unsupported.push("`sigv4a` (the runtime's `sigv4a` feature is off)".to_owned());
                    continue;
                }
                Some(other) => {
                    unsupported.push(format!("`{other}`"));
                    continue;
                }
                None => {
                    unsupported.push(format!("{scheme} (no name)"));
                    continue;
                }
            };
            return AuthScheme::parse(scheme, algorithm).map(Some);
        }
        Err(ConfigError::new(format!(
            "the endpoint accepts only auth schemes this client cannot sign with: {} (supported: `sigv4`{})",
            unsupported.join(", "),
            if cfg!(feature = "sigv4a") { ", `sigv4a`" } else { "" }
        )))
    }

    fn parse(scheme: &Value, algorithm: Algorithm) -> Result<AuthScheme, ConfigError> {
        let name = scheme.get("name").and_then(Value::as_str).unwrap_or_default();
        let wrong = |field: &str, want: &str| {
            ConfigError::new(format!("the endpoint's `{name}` auth scheme has a `{field}` that is not {want}"))
        };
        let string = |field: &str| match scheme.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(wrong(field, "a string")),
        };
        let flag = |field: &str| match scheme.get(field) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(wrong(field, "a boolean")),
        };
        let region_set = match scheme.get("signingRegionSet") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                let regions = items
                    .iter()
                    .map(|r| r.as_str().ok_or_else(|| wrong("signingRegionSet", "a list of strings")))
                    .collect::<Result<Vec<_>, _>>()?;
                (!regions.is_empty()).then(|| regions.join(","))
            }
            Some(_) => return Err(wrong("signingRegionSet", "a list of strings")),
        };
        Ok(AuthScheme {
            algorithm,
            signing_name: string("signingName")?,
            signing_region: string("signingRegion")?,
            signing_region_set: region_set,
            disable_double_encoding: flag("disableDoubleEncoding")?,
            disable_normalize_path: flag("disableNormalizePath")?,
        })
    }
}

/// What one signature is made with: the scheme's choices over the service's and the
/// configuration's defaults.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Signer<'a> {
    pub algorithm: Algorithm,
    pub name: &'a str,
    /// The region (SigV4) or the comma-separated region set (SigV4a).
    pub region: &'a str,
    pub disable_double_encoding: bool,
    pub disable_normalize_path: bool,
}

impl<'a> Signer<'a> {
    /// SigV4 for `name` in `region`, with the default settings.
    pub(crate) fn v4(name: &'a str, region: &'a str) -> Signer<'a> {
        Signer { algorithm: Algorithm::V4, name, region, disable_double_encoding: false, disable_normalize_path: false }
    }

    /// The signer for an endpoint's scheme (`None`: the service's defaults), given the service's
    /// signing name and the configured region.
    pub(crate) fn new(scheme: Option<&'a AuthScheme>, name: &'a str, region: Option<&'a str>) -> Signer<'a> {
        let Some(scheme) = scheme else { return Signer::v4(name, region.unwrap_or(DEFAULT_SIGNING_REGION)) };
        let region = match scheme.algorithm {
            Algorithm::V4 => scheme.signing_region.as_deref().or(region).unwrap_or(DEFAULT_SIGNING_REGION),
            Algorithm::V4a => scheme.signing_region_set.as_deref().or(region).unwrap_or(ANY_REGION),
        };
        Signer {
            algorithm: scheme.algorithm,
            name: scheme.signing_name.as_deref().unwrap_or(name),
            region,
            disable_double_encoding: scheme.disable_double_encoding,
            disable_normalize_path: scheme.disable_normalize_path,
        }
    }

    /// Signs the request in place; `sha256` is the body's, in hex.
    pub(crate) fn sign(
        &self,
        request: &mut HttpRequest,
        sha256: &str,
        credentials: &aws_credential_types::Credentials,
        time: SystemTime,
    ) -> Result<(), ConfigError> {
        use aws_sigv4::http_request::{
            sign, PercentEncodingMode, SignableBody, SignableRequest, SigningParams, SigningSettings,
            UriPathNormalizationMode,
        };
        use aws_sigv4::sign::v4;
        #[cfg(feature = "sigv4a")]
        use aws_sigv4::sign::v4a;

        let cannot = |e: &dyn std::fmt::Display| ConfigError::new(format!("cannot sign: {e}"));
        let mut settings = SigningSettings::default();
        if self.disable_double_encoding {
            settings.percent_encoding_mode = PercentEncodingMode::Single;
        }
        if self.disable_normalize_path {
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        }
        let identity = credentials.clone().into();
        let params: SigningParams<'_> = match self.algorithm {
            Algorithm::V4 => v4::SigningParams::builder()
                .identity(&identity)
                .region(self.region)
                .name(self.name)
                .time(time)
                .settings(settings)
                .build()
                .map_err(|e| cannot(&e))?
                .into(),
            #[cfg(feature = "sigv4a")]
            Algorithm::V4a => v4a::SigningParams::builder()
                .identity(&identity)
                .region_set(self.region)
                .name(self.name)
                .time(time)
                .settings(settings)
                .build()
                .map_err(|e| cannot(&e))?
                .into(),
            // `choose` never picks it without the feature.
            #[cfg(not(feature = "sigv4a"))]
            Algorithm::V4a => return Err(ConfigError::new("SigV4a needs the runtime's `sigv4a` feature")),
        };
        let headers = request.headers().iter().filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
        let uri = request.uri().to_string();
        let signable = SignableRequest::new(
            request.method().as_str(),
            &uri,
            headers,
            SignableBody::Precomputed(sha256.to_owned()),
        )
        .map_err(|e| cannot(&e))?;
        let (instructions, _signature) = sign(signable, &params).map_err(|e| cannot(&e))?.into_parts();
        instructions.apply_to_request_http1x(request);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(properties: serde_json::Value) -> Result<Option<AuthScheme>, ConfigError> {
        AuthScheme::choose(properties.as_object().expect("an object"))
    }

    #[test]
    fn no_schemes_means_the_defaults() {
        assert_eq!(choose(serde_json::json!({})), Ok(None));
        assert_eq!(choose(serde_json::json!({"authSchemes": []})), Ok(None));
        let signer = Signer::new(None, "organizations", Some("eu-west-1"));
        assert_eq!(signer, Signer::v4("organizations", "eu-west-1"));
        assert_eq!(Signer::new(None, "organizations", None).region, "us-east-1");
    }

    #[test]
    #[cfg(feature = "sigv4a")]
    fn the_first_supported_scheme_wins_and_unknown_ones_are_skipped() {
        let scheme = choose(serde_json::json!({"authSchemes": [
            {"name": "sigv4-s3express", "signingRegion": "eu-west-1"},
            {"name": "sigv4a", "signingName": "events", "signingRegionSet": ["us-east-1", "eu-west-1"]},
            {"name": "sigv4", "signingRegion": "us-east-1"},
        ]}))
        .unwrap()
        .unwrap();
        assert_eq!(scheme.algorithm, Algorithm::V4a);
        let signer = Signer::new(Some(&scheme), "service", Some("eu-west-2"));
        assert_eq!((signer.name, signer.region), ("events", "us-east-1,eu-west-1"));
    }

    #[test]
    fn a_scheme_overrides_only_what_it_names() {
        let scheme = choose(serde_json::json!({"authSchemes": [{"name": "sigv4", "signingRegion": "us-east-1",
            "disableDoubleEncoding": true}]}))
        .unwrap()
        .unwrap();
        let signer = Signer::new(Some(&scheme), "organizations", Some("eu-west-1"));
        assert_eq!((signer.name, signer.region, signer.disable_double_encoding), ("organizations", "us-east-1", true));
        let bare = choose(serde_json::json!({"authSchemes": [{"name": "sigv4"}]})).unwrap().unwrap();
        assert_eq!(Signer::new(Some(&bare), "svc", Some("eu-west-1")), Signer::v4("svc", "eu-west-1"));
    }

    #[test]
    #[cfg(feature = "sigv4a")]
    fn sigv4a_without_a_region_set_signs_for_the_configured_region_else_any() {
        let v4a = choose(serde_json::json!({"authSchemes": [{"name": "sigv4a"}]})).unwrap().unwrap();
        assert_eq!(Signer::new(Some(&v4a), "svc", Some("eu-west-1")).region, "eu-west-1");
        assert_eq!(Signer::new(Some(&v4a), "svc", None).region, "*");
    }

    #[test]
    #[cfg(not(feature = "sigv4a"))]
    fn without_the_sigv4a_feature_sigv4a_is_skipped_for_sigv4_or_named_in_the_error() {
        let scheme = choose(serde_json::json!({"authSchemes": [
            {"name": "sigv4a", "signingRegionSet": ["*"]},
            {"name": "sigv4", "signingRegion": "us-east-1"},
        ]}))
        .unwrap()
        .unwrap();
        assert_eq!(scheme.algorithm, Algorithm::V4);
        let e = choose(serde_json::json!({"authSchemes": [{"name": "sigv4a"}]})).unwrap_err();
        assert!(e.message().contains("the runtime's `sigv4a` feature is off"), "{e}");
    }

    #[test]
    fn only_unsupported_schemes_is_an_error_naming_them() {
        let e =
            choose(serde_json::json!({"authSchemes": [{"name": "sigv4-s3express"}, {"name": "bearer"}]})).unwrap_err();
        assert!(e.message().contains("`sigv4-s3express`, `bearer`"), "{e}");
        assert!(choose(serde_json::json!({"authSchemes": "sigv4"})).is_err());
        let e = choose(serde_json::json!({"authSchemes": [{"name": "sigv4", "signingRegion": 1}]})).unwrap_err();
        assert!(e.message().contains("signingRegion"), "{e}");
    }
}
