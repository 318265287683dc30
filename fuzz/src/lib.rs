//! The fuzz targets' bodies. Each takes arbitrary bytes and must return, never panic, hang or
//! overflow its stack, whatever the bytes: every outcome is a value or a typed error. The
//! binaries under `fuzz_targets/` hand them to libFuzzer; `tests/corpus.rs` replays the
//! committed corpus through them on stable.
#![forbid(unsafe_code)]

use awsjson_runtime::__private::json;
use awsjson_runtime::__private::operation::{error_fields, Operation, OperationError, RawError};

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// Every target, by the name of its folder under `corpus/`.
pub const TARGETS: [(&str, Target); 6] = [
    ("responses", responses),
    ("json_reader", json_reader),
    ("profile", profile),
    ("endpoint_rules", endpoint_rules),
    ("emulator", emulator),
    ("codegen", codegen),
];

/// A response to one of the 42 operations, read as the client reads it: the first byte picks
/// the operation, the second whether it is a success (even) or an error (odd), the rest is the
/// body, parsed by the generated deserializers.
pub fn responses(data: &[u8]) {
    let [op, kind, body @ ..] = data else { return };
    let parse = PARSERS[usize::from(*op) % PARSERS.len()];
    parse(kind % 2 == 0, body);
}

fn parse<O: Operation>(success: bool, body: &[u8]) {
    if success {
        let _ = json::from_slice::<O::Output>(body);
        return;
    }
    let fields = error_fields(None, body);
    let code = fields.code.unwrap_or_default();
    let raw = RawError {
        code: &code,
        query_code: None,
        message: fields.message.as_deref(),
        meta: Default::default(),
        status: 400,
        body,
    };
    // Display walks the parsed members, as a logged error would.
    let _ = O::Error::from_wire(&raw).to_string();
}

macro_rules! parsers {
    ($($op:ident,)*) => {
        const PARSERS: &[fn(bool, &[u8])] = &[$(parse::<ecrpublic::operation::$op>,)*];
    };
}

parsers! {
    AssociateRepositories,
    BatchCheckLayerAvailability,
    BatchDeleteImage,
    CompleteLayerUpload,
    CreatePremiumRepository,
    CreateRepository,
    DeletePremiumRepository,
    DeletePremiumRepositoryPolicy,
    DeleteRepository,
    DeleteRepositoryPolicy,
    DescribeEntitledImageTags,
    DescribeEntitledImages,
    DescribeEntitledRepositories,
    DescribeImageScanFindings,
    DescribeImageTags,
    DescribeImages,
    DescribePremiumRepositories,
    DescribeRegistries,
    DescribeRepositories,
    DisassociateRepositories,
    GetAuthorizationToken,
    GetDownloadUrlForPublisherReport,
    GetPremiumRepositoryCatalogData,
    GetPremiumRepositoryPolicy,
    GetRegistryCatalogData,
    GetRepositoryCatalogData,
    GetRepositoryPolicy,
    InitiateLayerUpload,
    ListPublisherReports,
    ListTagsForResource,
    PutImage,
    PutPremiumRepositoryCatalogData,
    PutPremiumRepositoryProducts,
    PutRegistryCatalogData,
    PutRepositoryCatalogData,
    SetImageStatus,
    SetPremiumRepositoryPolicy,
    SetRepositoryPolicy,
    SetRepositoryState,
    TagResource,
    UntagResource,
    UploadLayerPart,
}

/// Any bytes as a JSON document, through the runtime's reader.
pub fn json_reader(data: &[u8]) {
    let _ = json::from_slice::<serde_json::Value>(data);
    let _ = json::from_slice::<Vec<Option<String>>>(data);
}

/// A `config` and a `credentials` file (split at the first NUL byte), through the profile
/// parser, then the lookups credential resolution makes.
pub fn profile(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (config, credentials) = text.split_once('\0').unwrap_or((&text, ""));
    let Ok(files) = awsjson_runtime::profile::ProfileFiles::parse(config, credentials) else { return };
    for name in ["default", "dev", ""] {
        if let Some(p) = files.profile(name) {
            let _ = (p.get("aws_access_key_id"), p.get("sso_session"), p.sub_property("s3", "endpoint_url"));
            let _ = format!("{p:?}");
        }
        let _ = files.service_setting(name, "ecr_public", "endpoint_url");
    }
    let _ = files.sso_session("dev");
}

/// ECR Public's endpoint rules, evaluated for parameters read off the bytes: two flags, then
/// `Region` and `Endpoint` split at the first NUL byte (each left unset when empty).
pub fn endpoint_rules(data: &[u8]) {
    use awsjson_runtime::endpoint::{Params, RuleSet};
    use std::sync::OnceLock;
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(|| {
        let model: serde_json::Value =
            serde_json::from_str(include_str!("../../model/ecr-public.json")).expect("our model is JSON");
        let service = model["shapes"]
            .as_object()
            .and_then(|shapes| shapes.values().find(|s| s["type"] == "service"))
            .expect("our model has a service");
        RuleSet::from_value(&service["traits"]["smithy.rules#endpointRuleSet"]).expect("our rule set is valid")
    });
    let [flags, rest @ ..] = data else { return };
    let text = String::from_utf8_lossy(rest);
    let (region, endpoint) = text.split_once('\0').unwrap_or((&text, ""));
    let mut params = Params::new();
    params.set("UseFIPS", flags & 1 != 0).set("UseDualStack", flags & 2 != 0);
    if !region.is_empty() {
        params.set("Region", region.to_owned());
    }
    if !endpoint.is_empty() {
        params.set("Endpoint", endpoint.to_owned());
    }
    let _ = rules.resolve(&params);
}

/// A request to the emulator: the first byte picks the operation, the rest is its body.
/// Requests run one after another on one registry, so state built by one reaches the next
/// within an input (split at NUL bytes).
pub fn emulator(data: &[u8]) {
    let mut session = ecrpublic::emulator::Session::new(&ecrpublic::emulator::EmulatorOptions::default());
    for request in data.split(|b| *b == 0).take(16) {
        let [op, body @ ..] = request else { continue };
        let operation = ecrpublic::emulator::OPERATIONS[usize::from(*op) % ecrpublic::emulator::OPERATIONS.len()];
        let _ = session.handle(operation, body);
    }
}

/// Any bytes as a Smithy JSON AST model, through the generator: a crate's files or a typed
/// error.
pub fn codegen(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = codegen::generate(text);
}
