//! Compares a Smithy JSON AST with AWS's botocore model of the same service (`service-2.json`,
//! `paginators-1.json`, `waiters-2.json`), fact by fact, so that a new botocore release shows
//! exactly what our model must learn.
//!
//! Shapes map 1:1 by name (`ns#Name` ↔ `Name`), a botocore member's `shape` ↔ a Smithy member's
//! `target`. Documentation is never compared. Whatever one side states and this comparison does
//! not understand is reported too (as "not compared"), so that no fact is passed over in silence.
//!
//! It reads the JSON itself (only `serde_json` and `std`), independent of the generator's model
//! resolution, so that a bug there cannot hide a difference here. `apply` and mixins are refused
//! rather than resolved.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

const SERVICE_FILE: &str = "service-2.json";
const PAGINATORS_FILE: &str = "paginators-1.json";
const WAITERS_FILE: &str = "waiters-2.json";
/// How errors name a model handed over as JSON; [`compare_files`] puts the real path in its place.
const MODEL_LABEL: &str = "the Smithy model";

const DOC: &str = "smithy.api#documentation";
const LENGTH: &str = "smithy.api#length";
const RANGE: &str = "smithy.api#range";
const PATTERN: &str = "smithy.api#pattern";
const SENSITIVE: &str = "smithy.api#sensitive";
const DEPRECATED: &str = "smithy.api#deprecated";
const ERROR: &str = "smithy.api#error";
const HTTP_ERROR: &str = "smithy.api#httpError";
const ENUM_TRAIT: &str = "smithy.api#enum";
const ENUM_VALUE: &str = "smithy.api#enumValue";
const REQUIRED: &str = "smithy.api#required";
const IDEMPOTENCY_TOKEN: &str = "smithy.api#idempotencyToken";
const READONLY: &str = "smithy.api#readonly";
const IDEMPOTENT: &str = "smithy.api#idempotent";
const PAGINATED: &str = "smithy.api#paginated";
const WAITABLE: &str = "smithy.waiters#waitable";
const UNIT: &str = "smithy.api#Unit";
const PRELUDE: &str = "smithy.api#";

/// Traits with no botocore counterpart, skipped on purpose: docs are never compared; botocore
/// marks neither operation inputs and outputs nor defaults (its members are all optional).
const IGNORED_TRAITS: &[&str] = &[DOC, "smithy.api#input", "smithy.api#output", "smithy.api#default"];
const SHAPE_TRAITS: &[&str] = &[LENGTH, RANGE, PATTERN, SENSITIVE, DEPRECATED, ERROR, HTTP_ERROR, ENUM_TRAIT];
const MEMBER_TRAITS: &[&str] = &[REQUIRED, IDEMPOTENCY_TOKEN, DEPRECATED, ENUM_VALUE];
const OPERATION_TRAITS: &[&str] = &[READONLY, IDEMPOTENT, DEPRECATED, PAGINATED, WAITABLE];
/// The service traits compared with botocore's `metadata`, or merged into operations
/// (`paginated`); protocol traits are recognised by their namespace.
const SERVICE_TRAITS: &[&str] = &["aws.api#service", "aws.auth#sigv4", "smithy.api#title", PAGINATED];
/// Service traits botocore has no counterpart for. The endpoint rules are checked by evaluating
/// them (`ecrpublic/src/rt/endpoint/tests.rs`), not here.
const IGNORED_SERVICE_TRAITS: &[&str] =
    &["smithy.api#xmlNamespace", "smithy.rules#endpointRuleSet", "smithy.rules#endpointTests"];
const PROTOCOL_NAMESPACES: &[&str] = &["aws.protocols#", "smithy.protocols#"];

/// The botocore keys each kind of object may carry; any other is reported as not compared.
const BOTOCORE_SHAPE_KEYS: &[&str] = &[
    "type",
    "documentation",
    "members",
    "required",
    "member",
    "key",
    "value",
    "enum",
    "min",
    "max",
    "pattern",
    "sensitive",
    "deprecated",
    "deprecatedMessage",
    "exception",
    "fault",
    "error",
    "union",
    "document",
];
const BOTOCORE_MEMBER_KEYS: &[&str] =
    &["shape", "documentation", "idempotencyToken", "deprecated", "deprecatedMessage"];
/// awsJson sends every operation as `POST /`, so `http` has no Smithy counterpart.
const BOTOCORE_OPERATION_KEYS: &[&str] = &[
    "name",
    "http",
    "input",
    "output",
    "errors",
    "documentation",
    "readonly",
    "idempotent",
    "deprecated",
    "deprecatedMessage",
];
/// `serviceAbbreviation` and `uid` name the service for botocore alone.
const BOTOCORE_METADATA_KEYS: &[&str] = &[
    "apiVersion",
    "endpointPrefix",
    "jsonVersion",
    "protocol",
    "protocols",
    "serviceAbbreviation",
    "serviceFullName",
    "serviceId",
    "signatureVersion",
    "signingName",
    "targetPrefix",
    "uid",
    "auth",
];
/// `non_aggregate_keys` (members to keep from the first page) has no Smithy counterpart.
const BOTOCORE_PAGINATOR_KEYS: &[&str] =
    &["input_token", "output_token", "result_key", "limit_key", "non_aggregate_keys"];
/// `maxAttempts` has no Smithy counterpart: a Smithy waiter's caller sets the total time it may
/// wait instead. `description` is documentation.
const BOTOCORE_WAITER_KEYS: &[&str] = &["operation", "delay", "maxAttempts", "acceptors", "description"];
const BOTOCORE_ACCEPTOR_KEYS: &[&str] = &["state", "matcher", "argument", "expected"];
/// `maxDelay` and `tags` have no botocore counterpart (botocore waits a fixed `delay`).
const SMITHY_WAITER_KEYS: &[&str] = &["documentation", "acceptors", "minDelay", "maxDelay", "tags"];
const SMITHY_ACCEPTOR_KEYS: &[&str] = &["state", "matcher"];
/// Smithy's `minDelay` when a waiter does not state it.
const DEFAULT_MIN_DELAY: f64 = 2.0;

/// Why two models could not be compared.
#[derive(Debug)]
pub enum DiffError {
    Read {
        file: PathBuf,
        error: std::io::Error,
    },
    Parse {
        file: PathBuf,
        error: serde_json::Error,
    },
    /// Valid JSON that is not a model this comparison can read.
    Unusable {
        file: PathBuf,
        problem: String,
    },
}

impl fmt::Display for DiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiffError::Read { file, error } => write!(f, "cannot read {}: {error}", file.display()),
            DiffError::Parse { file, error } => write!(f, "{} is not valid JSON: {error}", file.display()),
            DiffError::Unusable { file, problem } => write!(f, "cannot compare {}: {problem}", file.display()),
        }
    }
}

impl std::error::Error for DiffError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DiffError::Read { error, .. } => Some(error),
            DiffError::Parse { error, .. } => Some(error),
            DiffError::Unusable { .. } => None,
        }
    }
}

fn unusable(file: &str, problem: impl Into<String>) -> DiffError {
    DiffError::Unusable { file: PathBuf::from(file), problem: problem.into() }
}

/// What a difference is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Service,
    Operation(String),
    OperationError { operation: String, error: String },
    Shape(String),
    Member { shape: String, member: String },
    EnumValue { shape: String, value: String },
    Paginator(String),
    Waiter(String),
    Acceptor { waiter: String, index: usize },
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Service => write!(f, "service"),
            Subject::Operation(name) => write!(f, "operation {name}"),
            Subject::OperationError { operation, error } => write!(f, "operation {operation} error {error}"),
            Subject::Shape(name) => write!(f, "{name}"),
            Subject::Member { shape, member } => write!(f, "{shape}${member}"),
            Subject::EnumValue { shape, value } => write!(f, "{shape} value {}", json_string(value)),
            Subject::Paginator(operation) => write!(f, "paginator {operation}"),
            Subject::Waiter(name) => write!(f, "waiter {name}"),
            Subject::Acceptor { waiter, index } => write!(f, "waiter {waiter} acceptors[{index}]"),
        }
    }
}

/// Which model states something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Ours,
    Botocore,
}

/// How the two models differ on a subject. Values are shown as JSON (`"text"`, `3`, `none`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    MissingFromOurs,
    NotInBotocore,
    Differs {
        property: String,
        ours: String,
        botocore: String,
    },
    /// botocore states something Smithy has no way to say.
    Unrepresentable {
        property: String,
        botocore: String,
        reason: &'static str,
    },
    /// One side states something this comparison does not know how to check.
    NotCompared {
        property: String,
        side: Side,
    },
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Detail::MissingFromOurs => write!(f, "missing from our model"),
            Detail::NotInBotocore => write!(f, "not in botocore"),
            Detail::Differs { property, ours, botocore } => write!(f, "{property} ours {ours}, botocore {botocore}"),
            Detail::Unrepresentable { property, botocore, reason } => {
                write!(f, "botocore's {property} {botocore} cannot be stated in Smithy: {reason}")
            }
            Detail::NotCompared { property, side } => {
                let who = match side {
                    Side::Ours => "our model",
                    Side::Botocore => "botocore",
                };
                write!(f, "{who} states {property}, which model_diff does not compare")
            }
        }
    }
}

/// One difference between the models; its `Display` is one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub subject: Subject,
    pub detail: Detail,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.detail)
    }
}

/// A botocore service folder, parsed. Paginators and waiters are optional, as in botocore.
#[derive(Debug, Clone)]
pub struct Botocore {
    pub service: Value,
    pub paginators: Option<Value>,
    pub waiters: Option<Value>,
}

impl Botocore {
    pub fn load(dir: &Path) -> Result<Botocore, DiffError> {
        let service = read_botocore_file(dir, SERVICE_FILE, Presence::Required)?;
        Ok(Botocore {
            service: service.expect("a required file is read or fails"),
            paginators: read_botocore_file(dir, PAGINATORS_FILE, Presence::Optional)?,
            waiters: read_botocore_file(dir, WAITERS_FILE, Presence::Optional)?,
        })
    }
}

pub fn read_json(path: &Path) -> Result<Value, DiffError> {
    let text = std::fs::read_to_string(path).map_err(|error| DiffError::Read { file: path.into(), error })?;
    serde_json::from_str(&text).map_err(|error| DiffError::Parse { file: path.into(), error })
}

enum Presence {
    Required,
    Optional,
}

/// One file of a botocore folder; an optional one may be absent (`None`). botocore's wheel ships
/// some files gzip-compressed (`.json.gz`), which this module cannot read (it has no gzip): say so.
fn read_botocore_file(dir: &Path, name: &str, presence: Presence) -> Result<Option<Value>, DiffError> {
    match read_json(&dir.join(name)) {
        Err(DiffError::Read { file, error }) if error.kind() == std::io::ErrorKind::NotFound => {
            let gzipped = dir.join(format!("{name}.gz"));
            if gzipped.exists() {
                return Err(DiffError::Unusable { file: gzipped, problem: "gzip-compressed: gunzip it first".into() });
            }
            match presence {
                Presence::Optional => Ok(None),
                Presence::Required => Err(DiffError::Read { file, error }),
            }
        }
        other => other.map(Some),
    }
}

/// Compares the Smithy model in `model` with the botocore folder `botocore_dir`.
pub fn compare_files(model: &Path, botocore_dir: &Path) -> Result<Vec<Difference>, DiffError> {
    let smithy = read_json(model)?;
    let botocore = Botocore::load(botocore_dir)?;
    compare(&smithy, &botocore).map_err(|e| match e {
        DiffError::Unusable { file, problem } => {
            let file = if file == Path::new(MODEL_LABEL) { model.to_path_buf() } else { botocore_dir.join(file) };
            DiffError::Unusable { file, problem }
        }
        other => other,
    })
}

/// Every difference between a Smithy JSON AST and a botocore model, service first, then
/// operations, shapes, paginators and waiters, each sorted by name.
pub fn compare(smithy: &Value, botocore: &Botocore) -> Result<Vec<Difference>, DiffError> {
    let ours = Ours::index(smithy)?;
    let theirs = Theirs::index(botocore)?;
    let mut report = Report::default();
    compare_service(&mut report, &ours, &theirs);
    compare_operations(&mut report, &ours, &theirs);
    compare_shapes(&mut report, &ours, &theirs);
    compare_paginators(&mut report, &ours, &theirs);
    compare_waiters(&mut report, &ours, &theirs);
    Ok(report.0)
}

/// Our shapes by botocore-style name.
struct Ours<'a> {
    service: Option<(&'a str, &'a Value)>,
    operations: BTreeMap<&'a str, &'a Value>,
    /// Every shape but the service, the operations and the prelude.
    shapes: BTreeMap<&'a str, &'a Value>,
}

impl<'a> Ours<'a> {
    fn index(model: &'a Value) -> Result<Ours<'a>, DiffError> {
        let shapes = model.get("shapes").and_then(Value::as_object);
        let shapes = shapes.ok_or_else(|| unusable(MODEL_LABEL, "no `shapes` object"))?;
        let mut ours = Ours { service: None, operations: BTreeMap::new(), shapes: BTreeMap::new() };
        let mut ids_by_name: BTreeMap<&str, &str> = BTreeMap::new();
        for (id, shape) in shapes {
            if id.starts_with(PRELUDE) {
                continue;
            }
            let kind = shape.get("type").and_then(Value::as_str);
            let kind = kind.ok_or_else(|| unusable(MODEL_LABEL, format!("shape `{id}` has no `type`")))?;
            if kind == "apply" || shape.get("mixins").is_some() {
                return Err(unusable(MODEL_LABEL, format!("`{id}` uses `apply` or mixins, which are not resolved")));
            }
            let name = name_of(id);
            if let Some(other) = ids_by_name.insert(name, id) {
                let problem = format!("`{other}` and `{id}` share the name botocore would know them by");
                return Err(unusable(MODEL_LABEL, problem));
            }
            match kind {
                "service" => ours.service = Some((id.as_str(), shape)),
                "operation" => {
                    ours.operations.insert(name, shape);
                }
                _ => {
                    ours.shapes.insert(name, shape);
                }
            }
        }
        Ok(ours)
    }
}

/// The parts of a botocore folder that are compared.
struct Theirs<'a> {
    metadata: &'a Value,
    operations: &'a Map<String, Value>,
    shapes: &'a Map<String, Value>,
    paginators: Option<&'a Map<String, Value>>,
    waiters: Option<&'a Map<String, Value>>,
}

impl<'a> Theirs<'a> {
    fn index(botocore: &'a Botocore) -> Result<Theirs<'a>, DiffError> {
        let object = |key: &str| {
            let value = botocore.service.get(key).filter(|v| v.is_object());
            value.ok_or_else(|| unusable(SERVICE_FILE, format!("no `{key}` object")))
        };
        let as_map = |v: &'a Value| v.as_object().expect("checked to be an object");
        Ok(Theirs {
            metadata: object("metadata")?,
            operations: object("operations").map(as_map)?,
            shapes: object("shapes").map(as_map)?,
            paginators: botocore.paginators.as_ref().map(pagination_of).transpose()?,
            waiters: botocore.waiters.as_ref().map(waiters_of).transpose()?,
        })
    }
}

fn pagination_of(file: &Value) -> Result<&Map<String, Value>, DiffError> {
    file.get("pagination").and_then(Value::as_object).ok_or_else(|| unusable(PAGINATORS_FILE, "no `pagination` object"))
}

fn waiters_of(file: &Value) -> Result<&Map<String, Value>, DiffError> {
    let version = file.get("version").and_then(Value::as_u64);
    if version != Some(2) {
        return Err(unusable(WAITERS_FILE, format!("waiter format version {version:?}, only 2 is understood")));
    }
    file.get("waiters").and_then(Value::as_object).ok_or_else(|| unusable(WAITERS_FILE, "no `waiters` object"))
}

/// The differences found so far.
#[derive(Default)]
struct Report(Vec<Difference>);

impl Report {
    fn push(&mut self, subject: &Subject, detail: Detail) {
        self.0.push(Difference { subject: subject.clone(), detail });
    }

    /// Reports `property` when the two shown values differ.
    fn same(&mut self, subject: &Subject, property: &str, ours: String, botocore: String) {
        if ours != botocore {
            self.push(subject, Detail::Differs { property: property.into(), ours, botocore });
        }
    }

    /// Reports a yes/no fact on which the sides disagree.
    fn flags(&mut self, subject: &Subject, property: &str, ours: bool, botocore: bool) {
        self.same(subject, property, ours.to_string(), botocore.to_string());
    }

    /// Reports a name that one side has and the other lacks.
    fn presence(&mut self, subject: Subject, ours: bool, theirs: bool) {
        match (ours, theirs) {
            (false, true) => self.push(&subject, Detail::MissingFromOurs),
            (true, false) => self.push(&subject, Detail::NotInBotocore),
            _ => {}
        }
    }

    /// Reports every key of a botocore object that is not in `known`.
    fn botocore_keys(&mut self, subject: &Subject, prefix: &str, object: &Value, known: &[&str]) {
        for key in object.as_object().into_iter().flat_map(Map::keys) {
            if !known.contains(&key.as_str()) {
                let property = format!("`{prefix}{key}`");
                self.push(subject, Detail::NotCompared { property, side: Side::Botocore });
            }
        }
    }

    /// Reports every trait of ours that is neither compared (`known`) nor deliberately ignored.
    fn our_traits(&mut self, subject: &Subject, shape: &Value, known: &[&str]) {
        for id in traits_of(shape).into_iter().flat_map(Map::keys) {
            if !known.contains(&id.as_str()) && !IGNORED_TRAITS.contains(&id.as_str()) {
                let property = format!("trait `{id}`");
                self.push(subject, Detail::NotCompared { property, side: Side::Ours });
            }
        }
    }

    /// Reports every key of one of our trait values (a waiter, an acceptor) not in `known`.
    fn our_keys(&mut self, subject: &Subject, object: &Value, known: &[&str]) {
        for key in object.as_object().into_iter().flat_map(Map::keys) {
            if !known.contains(&key.as_str()) {
                self.push(subject, Detail::NotCompared { property: format!("`{key}`"), side: Side::Ours });
            }
        }
    }
}

// --- Small readers of both sides -------------------------------------------------------------

/// `ns#Name` -> `Name`.
fn name_of(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, name)| name)
}

fn traits_of(shape: &Value) -> Option<&Map<String, Value>> {
    shape.get("traits").and_then(Value::as_object)
}

fn trait_value<'a>(shape: &'a Value, id: &str) -> Option<&'a Value> {
    traits_of(shape).and_then(|traits| traits.get(id))
}

fn has_trait(shape: &Value, id: &str) -> bool {
    trait_value(shape, id).is_some()
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A botocore boolean such as `required` or `exception`; absent means false.
fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// The name a Smithy member or `input`/`output` reference points to.
fn target_name(reference: Option<&Value>) -> Option<&str> {
    reference.and_then(|r| str_field(r, "target")).map(name_of)
}

/// The shape a botocore member or `input`/`output` reference points to.
fn shape_name(reference: Option<&Value>) -> Option<&str> {
    reference.and_then(|r| str_field(r, "shape"))
}

fn members_of(shape: &Value) -> Option<&Map<String, Value>> {
    shape.get("members").and_then(Value::as_object)
}

fn json_string(s: &str) -> String {
    Value::from(s).to_string()
}

fn show_str(v: Option<&str>) -> String {
    v.map_or_else(|| "none".into(), json_string)
}

fn show_num(v: Option<f64>) -> String {
    v.map_or_else(|| "none".into(), |n| n.to_string())
}

fn show_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items.into_iter().map(json_string).collect();
    format!("[{}]", quoted.join(", "))
}

/// Names from both sides, sorted, each once.
fn union<'a>(a: impl Iterator<Item = &'a str>, b: impl Iterator<Item = &'a str>) -> BTreeSet<&'a str> {
    a.chain(b).collect()
}

// --- Service ---------------------------------------------------------------------------------

fn compare_service(report: &mut Report, ours: &Ours, theirs: &Theirs) {
    let subject = Subject::Service;
    let Some((id, service)) = ours.service else {
        report.push(&subject, Detail::MissingFromOurs);
        return;
    };
    let metadata = theirs.metadata;
    report.botocore_keys(&subject, "metadata.", metadata, BOTOCORE_METADATA_KEYS);
    check_service_traits(report, &subject, service);

    let meta = |key: &str| str_field(metadata, key);
    report.same(&subject, "version", show_str(str_field(service, "version")), show_str(meta("apiVersion")));
    if let Some(prefix) = meta("targetPrefix") {
        // awsJson's `X-Amz-Target` starts with the service shape's name.
        report.same(&subject, "name (targetPrefix)", show_str(Some(name_of(id))), show_str(Some(prefix)));
    }
    let aws_service = trait_value(service, "aws.api#service");
    let aws = |key: &str| aws_service.and_then(|t| str_field(t, key));
    report.same(&subject, "sdkId (serviceId)", show_str(aws("sdkId")), show_str(meta("serviceId")));
    report.same(&subject, "endpointPrefix", show_str(aws("endpointPrefix")), show_str(meta("endpointPrefix")));
    let title = trait_value(service, "smithy.api#title").and_then(Value::as_str);
    report.same(&subject, "title (serviceFullName)", show_str(title), show_str(meta("serviceFullName")));
    let sigv4 = trait_value(service, "aws.auth#sigv4").and_then(|t| str_field(t, "name"));
    report.same(&subject, "sigv4 name (signingName)", show_str(sigv4), show_str(botocore_signing_name(metadata)));
    let our_protocols: Vec<&str> = protocol_traits(service).collect();
    let their_protocols = botocore_protocols(metadata);
    report.same(&subject, "protocols", show_list(our_protocols), show_list(their_protocols.iter().map(String::as_str)));
}

fn check_service_traits(report: &mut Report, subject: &Subject, service: &Value) {
    for id in traits_of(service).into_iter().flat_map(Map::keys) {
        let compared = SERVICE_TRAITS.contains(&id.as_str()) || is_protocol(id);
        let ignored = IGNORED_SERVICE_TRAITS.contains(&id.as_str()) || IGNORED_TRAITS.contains(&id.as_str());
        if !compared && !ignored {
            report.push(subject, Detail::NotCompared { property: format!("trait `{id}`"), side: Side::Ours });
        }
    }
}

fn is_protocol(trait_id: &str) -> bool {
    PROTOCOL_NAMESPACES.iter().any(|ns| trait_id.starts_with(ns))
}

/// Our protocol traits, sorted.
fn protocol_traits(service: &Value) -> impl Iterator<Item = &str> {
    let mut ids: Vec<&str> = traits_of(service).into_iter().flat_map(Map::keys).map(String::as_str).collect();
    ids.retain(|id| is_protocol(id));
    ids.sort_unstable();
    ids.into_iter()
}

/// The Smithy protocol traits botocore's `protocols` (or `protocol`) stand for, sorted.
fn botocore_protocols(metadata: &Value) -> Vec<String> {
    let json_version = str_field(metadata, "jsonVersion");
    let listed: Vec<&str> = match metadata.get("protocols").and_then(Value::as_array) {
        Some(list) => list.iter().filter_map(Value::as_str).collect(),
        None => str_field(metadata, "protocol").into_iter().collect(),
    };
    let mut traits: Vec<String> = listed.into_iter().map(|p| protocol_trait(p, json_version)).collect();
    traits.sort_unstable();
    traits
}

fn protocol_trait(protocol: &str, json_version: Option<&str>) -> String {
    let id = match (protocol, json_version) {
        ("json", Some("1.0")) => "aws.protocols#awsJson1_0",
        ("json", Some("1.1")) => "aws.protocols#awsJson1_1",
        ("rest-json", _) => "aws.protocols#restJson1",
        ("rest-xml", _) => "aws.protocols#restXml",
        ("query", _) => "aws.protocols#awsQuery",
        ("ec2", _) => "aws.protocols#ec2Query",
        ("smithy-rpc-v2-cbor", _) => "smithy.protocols#rpcv2Cbor",
        _ => return format!("botocore protocol {protocol} (jsonVersion {})", show_str(json_version)),
    };
    id.to_string()
}

/// botocore signs with SigV4 when `signatureVersion` or `auth` says so, under `signingName`,
/// which defaults to `endpointPrefix`.
fn botocore_signing_name(metadata: &Value) -> Option<&str> {
    let auth = metadata.get("auth").and_then(Value::as_array);
    let sigv4 = str_field(metadata, "signatureVersion") == Some("v4")
        || auth.is_some_and(|list| list.iter().any(|a| a.as_str() == Some("aws.auth#sigv4")));
    sigv4.then(|| str_field(metadata, "signingName").or(str_field(metadata, "endpointPrefix"))).flatten()
}

// --- Operations ------------------------------------------------------------------------------

fn compare_operations(report: &mut Report, ours: &Ours, theirs: &Theirs) {
    // A service's `errors` are errors of every operation it binds.
    let service_errors: BTreeSet<&str> = ours.service.map(|(_, s)| error_names(s)).unwrap_or_default();
    for name in union(ours.operations.keys().copied(), theirs.operations.keys().map(String::as_str)) {
        match (ours.operations.get(name), theirs.operations.get(name)) {
            (Some(a), Some(b)) => compare_operation(report, name, a, b, &service_errors),
            (a, b) => report.presence(Subject::Operation(name.into()), a.is_some(), b.is_some()),
        }
    }
}

fn compare_operation(report: &mut Report, name: &str, ours: &Value, theirs: &Value, service_errors: &BTreeSet<&str>) {
    let subject = Subject::Operation(name.into());
    report.botocore_keys(&subject, "", theirs, BOTOCORE_OPERATION_KEYS);
    report.our_traits(&subject, ours, OPERATION_TRAITS);
    for field in ["input", "output"] {
        let our_target = target_name(ours.get(field)).filter(|t| *t != name_of(UNIT));
        report.same(&subject, field, show_str(our_target), show_str(shape_name(theirs.get(field))));
    }
    let our_errors: BTreeSet<&str> = error_names(ours).union(service_errors).copied().collect();
    let their_errors: BTreeSet<&str> = theirs
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| shape_name(Some(e)))
        .collect();
    for error in union(our_errors.iter().copied(), their_errors.iter().copied()) {
        let subject = Subject::OperationError { operation: name.into(), error: error.into() };
        report.presence(subject, our_errors.contains(error), their_errors.contains(error));
    }
    report.flags(&subject, "readonly", has_trait(ours, READONLY), flag(theirs, "readonly"));
    report.flags(&subject, "idempotent", has_trait(ours, IDEMPOTENT), flag(theirs, "idempotent"));
    compare_deprecated(report, &subject, ours, theirs);
}

/// The names of the errors a Smithy operation or service lists.
fn error_names(shape: &Value) -> BTreeSet<&str> {
    shape.get("errors").and_then(Value::as_array).into_iter().flatten().filter_map(|e| target_name(Some(e))).collect()
}

/// botocore's `deprecated` (and `deprecatedMessage`) ↔ Smithy's `deprecated` trait (`message`).
fn compare_deprecated(report: &mut Report, subject: &Subject, ours: &Value, theirs: &Value) {
    let our_trait = trait_value(ours, DEPRECATED);
    report.flags(subject, "deprecated", our_trait.is_some(), flag(theirs, "deprecated"));
    if let (Some(our_trait), Some(message)) = (our_trait, str_field(theirs, "deprecatedMessage")) {
        report.same(subject, "deprecated message", show_str(str_field(our_trait, "message")), show_str(Some(message)));
    }
}

// --- Shapes ----------------------------------------------------------------------------------

fn compare_shapes(report: &mut Report, ours: &Ours, theirs: &Theirs) {
    for name in union(ours.shapes.keys().copied(), theirs.shapes.keys().map(String::as_str)) {
        match (ours.shapes.get(name), theirs.shapes.get(name)) {
            (Some(a), Some(b)) => compare_shape(report, name, a, b),
            (a, b) => report.presence(Subject::Shape(name.into()), a.is_some(), b.is_some()),
        }
    }
}

fn compare_shape(report: &mut Report, name: &str, ours: &Value, theirs: &Value) {
    let subject = Subject::Shape(name.into());
    report.botocore_keys(&subject, "", theirs, BOTOCORE_SHAPE_KEYS);
    report.our_traits(&subject, ours, SHAPE_TRAITS);
    let (kind, their_kind) = (our_kind(ours), botocore_kind(theirs));
    if kind != their_kind {
        report.same(&subject, "type", show_str(Some(kind)), show_str(Some(their_kind)));
        return;
    }
    compare_bounds(report, &subject, kind, ours, theirs);
    report.same(
        &subject,
        "pattern",
        show_str(trait_value(ours, PATTERN).and_then(Value::as_str)),
        show_str(str_field(theirs, "pattern")),
    );
    // Redacting more than botocore does is our choice (the ECR auth token, which AWS's model
    // leaves unmarked) and changes nothing on the wire; redacting less would be a leak.
    let (sensitive, their_sensitive) = (has_trait(ours, SENSITIVE), flag(theirs, "sensitive"));
    if their_sensitive && !sensitive {
        report.flags(&subject, "sensitive", sensitive, their_sensitive);
    }
    compare_deprecated(report, &subject, ours, theirs);
    compare_error(report, &subject, ours, theirs);
    match kind {
        "enum" => compare_enum_values(report, name, ours, theirs),
        "list" => compare_member(report, name, "member", ours.get("member"), theirs.get("member"), false),
        "map" => {
            for part in ["key", "value"] {
                compare_member(report, name, part, ours.get(part), theirs.get(part), false);
            }
        }
        "structure" | "union" => compare_members(report, name, ours, theirs),
        _ => {}
    }
}

/// Smithy's type, with Smithy 1.0's enum-trait strings counted as enums.
fn our_kind(shape: &Value) -> &str {
    match str_field(shape, "type").unwrap_or_default() {
        "string" if has_trait(shape, ENUM_TRAIT) => "enum",
        kind => kind,
    }
}

/// botocore's type spelled as Smithy spells it.
fn botocore_kind(shape: &Value) -> &str {
    match str_field(shape, "type").unwrap_or_default() {
        "string" if shape.get("enum").is_some() => "enum",
        "structure" if flag(shape, "union") => "union",
        "structure" if flag(shape, "document") => "document",
        kind => kind,
    }
}

/// A `min`/`max` pair, from botocore or from a Smithy `length` or `range` trait.
#[derive(Default, Clone, Copy)]
struct Bounds {
    min: Option<f64>,
    max: Option<f64>,
}

impl Bounds {
    fn of(v: Option<&Value>) -> Bounds {
        let bound = |key: &str| v.and_then(|v| v.get(key)).and_then(Value::as_f64);
        Bounds { min: bound("min"), max: bound("max") }
    }

    fn is_stated(self) -> bool {
        self.min.is_some() || self.max.is_some()
    }
}

/// botocore's `min`/`max` ↔ `length` for strings, blobs, lists and maps, ↔ `range` for numbers.
/// Whatever kind a shape has, both traits of ours are compared (with what botocore states for
/// that kind), so a `length` on a number is reported too.
fn compare_bounds(report: &mut Report, subject: &Subject, kind: &str, ours: &Value, theirs: &Value) {
    let stated = Bounds::of(Some(theirs));
    let none = Bounds::default();
    let (length, range) = match kind {
        "string" | "enum" | "blob" | "list" | "map" => (stated, none),
        "byte" | "short" | "integer" | "long" | "float" | "double" | "bigInteger" | "bigDecimal" => (none, stated),
        _ => {
            if stated.is_stated() {
                report.push(subject, Detail::NotCompared { property: "`min`/`max`".into(), side: Side::Botocore });
            }
            (none, none)
        }
    };
    let our_length = Bounds::of(trait_value(ours, LENGTH));
    // A length of at least 0 says nothing, so an absent minimum and 0 are the same.
    if our_length.min.unwrap_or(0.0) != length.min.unwrap_or(0.0) {
        report.same(subject, "length min", show_num(our_length.min), show_num(length.min));
    }
    report.same(subject, "length max", show_num(our_length.max), show_num(length.max));
    let our_range = Bounds::of(trait_value(ours, RANGE));
    report.same(subject, "range min", show_num(our_range.min), show_num(range.min));
    report.same(subject, "range max", show_num(our_range.max), show_num(range.max));
}

/// botocore `exception` (`fault` for a server error) ↔ `error`; `error.httpStatusCode` ↔ `httpError`.
fn compare_error(report: &mut Report, subject: &Subject, ours: &Value, theirs: &Value) {
    let fault = if flag(theirs, "fault") { "server" } else { "client" };
    let their_error = flag(theirs, "exception").then_some(fault);
    report.same(subject, "error", show_str(trait_value(ours, ERROR).and_then(Value::as_str)), show_str(their_error));
    let their_status = theirs.get("error").and_then(|e| e.get("httpStatusCode")).and_then(Value::as_f64);
    let our_status = trait_value(ours, HTTP_ERROR).and_then(Value::as_f64);
    report.same(subject, "httpError", show_num(our_status), show_num(their_status));
    if let Some(error) = theirs.get("error") {
        report.botocore_keys(subject, "error.", error, &["httpStatusCode"]);
    }
}

fn compare_enum_values(report: &mut Report, name: &str, ours: &Value, theirs: &Value) {
    let our_values = our_enum_values(report, name, ours);
    let their_values: BTreeSet<&str> =
        theirs.get("enum").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    for value in union(our_values.iter().copied(), their_values.iter().copied()) {
        let subject = Subject::EnumValue { shape: name.into(), value: value.into() };
        report.presence(subject, our_values.contains(value), their_values.contains(value));
    }
}

/// An enum's values: each member's `enumValue`, or its name when it has none (as Smithy
/// specifies), or the `value`s of a Smithy 1.0 `enum` trait.
fn our_enum_values<'a>(report: &mut Report, name: &str, shape: &'a Value) -> BTreeSet<&'a str> {
    if let Some(list) = trait_value(shape, ENUM_TRAIT).and_then(Value::as_array) {
        return list.iter().filter_map(|e| str_field(e, "value")).collect();
    }
    let mut values = BTreeSet::new();
    for (member, body) in members_of(shape).into_iter().flatten() {
        let subject = Subject::Member { shape: name.into(), member: member.clone() };
        report.our_traits(&subject, body, &[ENUM_VALUE]);
        values.insert(trait_value(body, ENUM_VALUE).and_then(Value::as_str).unwrap_or(member));
    }
    values
}

fn compare_members(report: &mut Report, name: &str, ours: &Value, theirs: &Value) {
    let empty = Map::new();
    let (our_members, their_members) = (members_of(ours).unwrap_or(&empty), members_of(theirs).unwrap_or(&empty));
    let required: BTreeSet<&str> =
        theirs.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    for member in union(our_members.keys().map(String::as_str), their_members.keys().map(String::as_str)) {
        let (a, b) = (our_members.get(member), their_members.get(member));
        compare_member(report, name, member, a, b, required.contains(member));
    }
}

/// One structure, union, list or map member: its target and (for structures) its traits.
fn compare_member(
    report: &mut Report,
    shape: &str,
    member: &str,
    ours: Option<&Value>,
    theirs: Option<&Value>,
    required: bool,
) {
    let subject = Subject::Member { shape: shape.into(), member: member.into() };
    let (Some(ours), Some(theirs)) = (ours, theirs) else {
        report.presence(subject, ours.is_some(), theirs.is_some());
        return;
    };
    report.botocore_keys(&subject, "", theirs, BOTOCORE_MEMBER_KEYS);
    report.our_traits(&subject, ours, MEMBER_TRAITS);
    report.same(&subject, "target", show_str(target_name(Some(ours))), show_str(shape_name(Some(theirs))));
    report.flags(&subject, "required", has_trait(ours, REQUIRED), required);
    let token = "idempotencyToken";
    report.flags(&subject, token, has_trait(ours, IDEMPOTENCY_TOKEN), flag(theirs, token));
    compare_deprecated(report, &subject, ours, theirs);
}

// --- Paginators ------------------------------------------------------------------------------

/// botocore paginator keys and the `paginated` members they correspond to.
const PAGINATOR_FIELDS: &[(&str, &str)] = &[
    ("input_token", "inputToken"),
    ("output_token", "outputToken"),
    ("result_key", "items"),
    ("limit_key", "pageSize"),
];

fn compare_paginators(report: &mut Report, ours: &Ours, theirs: &Theirs) {
    let defaults = ours.service.and_then(|(_, s)| trait_value(s, PAGINATED)).and_then(Value::as_object);
    let our_paginated: BTreeMap<&str, Map<String, Value>> = ours
        .operations
        .iter()
        .filter_map(|(name, op)| Some((*name, merged_paginated(defaults, trait_value(op, PAGINATED)?))))
        .collect();
    let empty = Map::new();
    let their_paginators = theirs.paginators.unwrap_or(&empty);
    for name in union(our_paginated.keys().copied(), their_paginators.keys().map(String::as_str)) {
        let subject = Subject::Paginator(name.into());
        match (our_paginated.get(name), their_paginators.get(name)) {
            (Some(a), Some(b)) => compare_paginator(report, &subject, a, b),
            (a, b) => report.presence(subject, a.is_some(), b.is_some()),
        }
    }
}

/// An operation's `paginated` trait over the service's, which supplies defaults member by member.
fn merged_paginated(service: Option<&Map<String, Value>>, operation: &Value) -> Map<String, Value> {
    let mut merged = service.cloned().unwrap_or_default();
    for (key, value) in operation.as_object().into_iter().flatten() {
        merged.insert(key.clone(), value.clone());
    }
    merged
}

fn compare_paginator(report: &mut Report, subject: &Subject, ours: &Map<String, Value>, theirs: &Value) {
    report.botocore_keys(subject, "", theirs, BOTOCORE_PAGINATOR_KEYS);
    for (botocore_key, smithy_key) in PAGINATOR_FIELDS {
        let our_path = ours.get(*smithy_key).and_then(Value::as_str);
        match single_path(theirs.get(*botocore_key)) {
            Ok(path) => report.same(subject, botocore_key, show_str(our_path), show_str(path)),
            Err(stated) => report.push(
                subject,
                Detail::Unrepresentable {
                    property: (*botocore_key).into(),
                    botocore: stated,
                    reason: "the paginated trait takes a single path",
                },
            ),
        }
    }
}

/// A botocore token or result key as one path; a list of one counts as that path. Anything
/// else (several paths, a non-string) comes back as its JSON, for the report.
fn single_path(v: Option<&Value>) -> Result<Option<&str>, String> {
    match v {
        None => Ok(None),
        Some(Value::String(path)) => Ok(Some(path)),
        Some(Value::Array(items)) if items.len() == 1 => single_path(items.first()),
        Some(other) => Err(other.to_string()),
    }
}

// --- Waiters ---------------------------------------------------------------------------------

fn compare_waiters(report: &mut Report, ours: &Ours, theirs: &Theirs) {
    let mut our_waiters: BTreeMap<&str, (&str, &Value)> = BTreeMap::new();
    for (operation, shape) in &ours.operations {
        let waitable = trait_value(shape, WAITABLE).and_then(Value::as_object);
        for (name, waiter) in waitable.into_iter().flatten() {
            our_waiters.insert(name.as_str(), (*operation, waiter));
        }
    }
    let empty = Map::new();
    let their_waiters = theirs.waiters.unwrap_or(&empty);
    for name in union(our_waiters.keys().copied(), their_waiters.keys().map(String::as_str)) {
        match (our_waiters.get(name), their_waiters.get(name)) {
            (Some((operation, a)), Some(b)) => compare_waiter(report, name, operation, a, b),
            (a, b) => report.presence(Subject::Waiter(name.into()), a.is_some(), b.is_some()),
        }
    }
}

fn compare_waiter(report: &mut Report, name: &str, operation: &str, ours: &Value, theirs: &Value) {
    let subject = Subject::Waiter(name.into());
    report.botocore_keys(&subject, "", theirs, BOTOCORE_WAITER_KEYS);
    report.our_keys(&subject, ours, SMITHY_WAITER_KEYS);
    report.same(&subject, "operation", show_str(Some(operation)), show_str(str_field(theirs, "operation")));
    // botocore waits `delay` seconds between attempts; Smithy starts its backoff at `minDelay`.
    let min_delay = ours.get("minDelay").and_then(Value::as_f64).unwrap_or(DEFAULT_MIN_DELAY);
    let delay = theirs.get("delay").and_then(Value::as_f64);
    report.same(&subject, "delay (minDelay)", show_num(Some(min_delay)), show_num(delay));
    let (our_acceptors, their_acceptors) = (acceptors_of(ours), acceptors_of(theirs));
    report.same(&subject, "acceptor count", our_acceptors.len().to_string(), their_acceptors.len().to_string());
    for (index, (a, b)) in our_acceptors.iter().zip(their_acceptors).enumerate() {
        compare_acceptor(report, &Subject::Acceptor { waiter: name.into(), index }, a, b);
    }
}

fn acceptors_of(waiter: &Value) -> &[Value] {
    waiter.get("acceptors").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn compare_acceptor(report: &mut Report, subject: &Subject, ours: &Value, theirs: &Value) {
    report.botocore_keys(subject, "", theirs, BOTOCORE_ACCEPTOR_KEYS);
    report.our_keys(subject, ours, SMITHY_ACCEPTOR_KEYS);
    report.same(subject, "state", show_str(str_field(ours, "state")), show_str(str_field(theirs, "state")));
    let our_matcher = Matcher::smithy(ours.get("matcher"));
    match Matcher::botocore(theirs) {
        Ok(expected) => report.same(subject, "matcher", our_matcher.to_string(), expected.to_string()),
        Err(reason) => {
            let stated = [theirs.get("matcher"), theirs.get("argument"), theirs.get("expected")];
            let stated: Vec<String> = stated.into_iter().flatten().map(Value::to_string).collect();
            let property = "matcher".to_string();
            report.push(subject, Detail::Unrepresentable { property, botocore: stated.join(" "), reason });
        }
    }
}

/// A waiter acceptor's matcher, in Smithy's terms.
#[derive(Debug, PartialEq)]
enum Matcher {
    Output {
        path: String,
        comparator: String,
        expected: String,
    },
    ErrorType(String),
    Success(bool),
    /// Any other Smithy matcher (such as `inputOutput`), shown as its JSON.
    Other(String),
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::Output { path, comparator, expected } => {
                write!(f, "output {} {comparator} {}", json_string(path), json_string(expected))
            }
            Matcher::ErrorType(name) => write!(f, "errorType {}", json_string(name)),
            Matcher::Success(success) => write!(f, "success {success}"),
            Matcher::Other(json) => write!(f, "{json}"),
        }
    }
}

impl Matcher {
    fn smithy(matcher: Option<&Value>) -> Matcher {
        let Some(object) = matcher.and_then(Value::as_object).filter(|m| m.len() == 1) else {
            return Matcher::Other(matcher.map_or_else(|| "none".into(), Value::to_string));
        };
        let path_matcher = object.get("output").and_then(Value::as_object).filter(|o| o.len() == 3);
        let part = |key: &str| path_matcher.and_then(|o| o.get(key)).and_then(Value::as_str).map(str::to_string);
        if let (Some(path), Some(comparator), Some(expected)) = (part("path"), part("comparator"), part("expected")) {
            return Matcher::Output { path, comparator, expected };
        }
        // An absolute shape id matches by its name alone.
        if let Some(error) = object.get("errorType").and_then(Value::as_str) {
            return Matcher::ErrorType(name_of(error).into());
        }
        if let Some(success) = object.get("success").and_then(Value::as_bool) {
            return Matcher::Success(success);
        }
        Matcher::Other(Value::Object(object.clone()).to_string())
    }

    /// The Smithy matcher a botocore acceptor stands for, or why there is none.
    fn botocore(acceptor: &Value) -> Result<Matcher, &'static str> {
        let path = || str_field(acceptor, "argument").unwrap_or_default().to_string();
        let output = |comparator: &str, expected: String| Matcher::Output {
            path: path(),
            comparator: comparator.into(),
            expected,
        };
        match (str_field(acceptor, "matcher").unwrap_or_default(), acceptor.get("expected")) {
            ("error", Some(Value::String(code))) => Ok(Matcher::ErrorType(code.clone())),
            // `expected: true` matches any error, `false` no error.
            ("error", Some(Value::Bool(any_error))) => Ok(Matcher::Success(!any_error)),
            ("path", Some(Value::String(s))) => Ok(output("stringEquals", s.clone())),
            ("path", Some(Value::Bool(b))) => Ok(output("booleanEquals", b.to_string())),
            ("pathAll", Some(Value::String(s))) => Ok(output("allStringEquals", s.clone())),
            ("pathAny", Some(Value::String(s))) => Ok(output("anyStringEquals", s.clone())),
            ("pathAll" | "pathAny", Some(Value::Bool(_))) => {
                Err("allStringEquals and anyStringEquals match strings only; no comparator tests booleans of an array")
            }
            ("path" | "pathAll" | "pathAny", _) => Err("a path is compared only with a string or a boolean"),
            ("status", _) => Err("a Smithy waiter cannot match an HTTP status code"),
            _ => Err("this botocore matcher is unknown"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A tiny service stated both ways, identically: one paginated, waitable operation.
    fn smithy() -> Value {
        json!({
            "smithy": "2.0",
            "shapes": {
                "ex#Svc": {
                    "type": "service",
                    "version": "2020-01-01",
                    "operations": [{"target": "ex#GetThing"}],
                    "traits": {
                        "aws.api#service": {"sdkId": "Ex", "endpointPrefix": "ex"},
                        "aws.auth#sigv4": {"name": "ex"},
                        "aws.protocols#awsJson1_1": {},
                        "smithy.api#title": "Example",
                        "smithy.api#documentation": "Docs are not compared."
                    }
                },
                "ex#GetThing": {
                    "type": "operation",
                    "input": {"target": "ex#GetThingRequest"},
                    "output": {"target": "ex#GetThingResponse"},
                    "errors": [{"target": "ex#Oops"}],
                    "traits": {
                        "smithy.api#readonly": {},
                        "smithy.api#paginated": {
                            "inputToken": "nextToken", "outputToken": "nextToken",
                            "items": "things", "pageSize": "maxResults"
                        },
                        "smithy.waiters#waitable": {
                            "ThingReady": {
                                "minDelay": 5,
                                "acceptors": [
                                    {"state": "success", "matcher": {"output": {
                                        "path": "status", "expected": "READY", "comparator": "stringEquals"}}},
                                    {"state": "retry", "matcher": {"errorType": "Oops"}}
                                ]
                            }
                        }
                    }
                },
                "ex#GetThingRequest": {
                    "type": "structure",
                    "members": {
                        "name": {"target": "ex#Name", "traits": {"smithy.api#required": {}}},
                        "nextToken": {"target": "ex#Token"},
                        "maxResults": {"target": "ex#Max"}
                    },
                    "traits": {"smithy.api#input": {}}
                },
                "ex#GetThingResponse": {
                    "type": "structure",
                    "members": {
                        "things": {"target": "ex#Names"},
                        "status": {"target": "ex#Status"},
                        "nextToken": {"target": "ex#Token"}
                    },
                    "traits": {"smithy.api#output": {}}
                },
                "ex#Name": {
                    "type": "string",
                    "traits": {"smithy.api#length": {"min": 1, "max": 10}, "smithy.api#pattern": "^[a-z]+$"}
                },
                "ex#Names": {"type": "list", "member": {"target": "ex#Name"}},
                "ex#Token": {"type": "string"},
                "ex#Max": {"type": "integer", "traits": {"smithy.api#range": {"min": 1, "max": 100}}},
                "ex#Status": {
                    "type": "enum",
                    "members": {
                        "READY": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "READY"}},
                        "BUSY": {"target": "smithy.api#Unit"}
                    }
                },
                "ex#Oops": {
                    "type": "structure",
                    "members": {"message": {"target": "ex#Token"}},
                    "traits": {"smithy.api#error": "client"}
                }
            }
        })
    }

    fn botocore() -> Botocore {
        let service = json!({
            "version": "2.0",
            "metadata": {
                "apiVersion": "2020-01-01", "protocol": "json", "jsonVersion": "1.1", "serviceId": "Ex",
                "endpointPrefix": "ex", "signingName": "ex", "signatureVersion": "v4", "targetPrefix": "Svc",
                "serviceFullName": "Example"
            },
            "operations": {
                "GetThing": {
                    "name": "GetThing",
                    "http": {"method": "POST", "requestUri": "/"},
                    "input": {"shape": "GetThingRequest"},
                    "output": {"shape": "GetThingResponse"},
                    "errors": [{"shape": "Oops"}],
                    "readonly": true,
                    "documentation": "<p>Never compared.</p>"
                }
            },
            "shapes": {
                "GetThingRequest": {
                    "type": "structure",
                    "required": ["name"],
                    "members": {
                        "name": {"shape": "Name"},
                        "nextToken": {"shape": "Token"},
                        "maxResults": {"shape": "Max"}
                    }
                },
                "GetThingResponse": {
                    "type": "structure",
                    "members": {
                        "things": {"shape": "Names"},
                        "status": {"shape": "Status"},
                        "nextToken": {"shape": "Token"}
                    }
                },
                "Name": {"type": "string", "min": 1, "max": 10, "pattern": "^[a-z]+$"},
                "Names": {"type": "list", "member": {"shape": "Name"}},
                "Token": {"type": "string"},
                "Max": {"type": "integer", "min": 1, "max": 100},
                "Status": {"type": "string", "enum": ["READY", "BUSY"]},
                "Oops": {"type": "structure", "members": {"message": {"shape": "Token"}}, "exception": true}
            }
        });
        let paginators = json!({"pagination": {"GetThing": {
            "input_token": "nextToken", "output_token": "nextToken", "limit_key": "maxResults",
            "result_key": "things", "non_aggregate_keys": ["status"]
        }}});
        let waiters = json!({"version": 2, "waiters": {"ThingReady": {
            "operation": "GetThing", "delay": 5, "maxAttempts": 10,
            "description": "Never compared.",
            "acceptors": [
                {"state": "success", "matcher": "path", "argument": "status", "expected": "READY"},
                {"state": "retry", "matcher": "error", "expected": "Oops"}
            ]
        }}});
        Botocore { service, paginators: Some(paginators), waiters: Some(waiters) }
    }

    /// The differences, one line each.
    fn lines(smithy: &Value, botocore: &Botocore) -> Vec<String> {
        compare(smithy, botocore).expect("comparable").iter().map(ToString::to_string).collect()
    }

    /// Sets (or, with `None`, removes) the value at a JSON pointer.
    fn set(root: &mut Value, pointer: &str, value: Option<Value>) {
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
        let parent = root.pointer_mut(parent).and_then(Value::as_object_mut).expect("parent object exists");
        match value {
            Some(v) => {
                parent.insert(key.to_string(), v);
            }
            None => assert!(parent.remove(key).is_some(), "{pointer} was not there to remove"),
        }
    }

    /// Plants one change in botocore's service file and returns what is reported.
    fn with_botocore(pointer: &str, value: Option<Value>) -> Vec<String> {
        let mut theirs = botocore();
        set(&mut theirs.service, pointer, value);
        lines(&smithy(), &theirs)
    }

    /// Plants one change in our model and returns what is reported.
    fn with_ours(pointer: &str, value: Option<Value>) -> Vec<String> {
        let mut ours = smithy();
        set(&mut ours, pointer, value);
        lines(&ours, &botocore())
    }

    #[test]
    fn equal_models_have_no_differences() {
        assert_eq!(lines(&smithy(), &botocore()), Vec::<String>::new());
    }

    #[test]
    fn missing_member_is_reported() {
        let found = with_botocore("/shapes/GetThingRequest/members/repositoryType", Some(json!({"shape": "Token"})));
        assert_eq!(found, ["GetThingRequest$repositoryType: missing from our model"]);
        let found = with_ours("/shapes/ex#GetThingResponse/members/status", None);
        assert_eq!(found, ["GetThingResponse$status: missing from our model"]);
    }

    #[test]
    fn extra_shape_and_missing_operation_are_reported() {
        let found = with_ours("/shapes/ex#Spare", Some(json!({"type": "string"})));
        assert_eq!(found, ["Spare: not in botocore"]);
        let found = with_botocore("/operations/PutThing", Some(json!({"name": "PutThing"})));
        assert_eq!(found, ["operation PutThing: missing from our model"]);
    }

    #[test]
    fn sensitive_is_reported_only_when_ours_redacts_less() {
        let found = with_botocore("/shapes/Name/sensitive", Some(json!(true)));
        assert_eq!(found, ["Name: sensitive ours false, botocore true"]);
        let found = with_ours("/shapes/ex#Name/traits/smithy.api#sensitive", Some(json!({})));
        assert_eq!(found, Vec::<String>::new());
    }

    #[test]
    fn changed_pattern_is_reported() {
        let found = with_ours("/shapes/ex#Name/traits/smithy.api#pattern", Some(json!("^[a-z]*$")));
        assert_eq!(found, [r#"Name: pattern ours "^[a-z]*$", botocore "^[a-z]+$""#]);
    }

    #[test]
    fn length_min_is_compared_treating_absent_as_zero() {
        let found = with_botocore("/shapes/Name/min", Some(json!(2)));
        assert_eq!(found, ["Name: length min ours 1, botocore 2"]);

        // A length minimum of 0 and none at all say the same.
        let mut ours = smithy();
        set(&mut ours, "/shapes/ex#Name/traits/smithy.api#length/min", None);
        let mut theirs = botocore();
        set(&mut theirs.service, "/shapes/Name/min", Some(json!(0)));
        assert_eq!(lines(&ours, &theirs), Vec::<String>::new());

        // A range minimum of 0 is a real bound.
        let found = with_ours("/shapes/ex#Max/traits/smithy.api#range/min", Some(json!(0)));
        assert_eq!(found, ["Max: range min ours 0, botocore 1"]);
    }

    #[test]
    fn enum_values_are_compared() {
        let found = with_botocore("/shapes/Status/enum", Some(json!(["READY", "BUSY", "GONE"])));
        assert_eq!(found, [r#"Status value "GONE": missing from our model"#]);
        // A member without `enumValue` stands for its own name.
        let found = with_ours("/shapes/ex#Status/members/BUSY/traits", Some(json!({"smithy.api#enumValue": "BUSIER"})));
        assert_eq!(
            found,
            [r#"Status value "BUSIER": not in botocore"#, r#"Status value "BUSY": missing from our model"#]
        );
    }

    #[test]
    fn required_is_compared() {
        let found = with_ours("/shapes/ex#GetThingRequest/members/name/traits", None);
        assert_eq!(found, ["GetThingRequest$name: required ours false, botocore true"]);
    }

    #[test]
    fn error_fault_and_status_are_compared() {
        let found = with_botocore("/shapes/Oops/fault", Some(json!(true)));
        assert_eq!(found, [r#"Oops: error ours "client", botocore "server""#]);
        let found = with_botocore("/shapes/Oops/error", Some(json!({"httpStatusCode": 400})));
        assert_eq!(found, ["Oops: httpError ours none, botocore 400"]);
    }

    #[test]
    fn operation_errors_and_readonly_are_compared() {
        let found = with_botocore("/operations/GetThing/errors", Some(json!([{"shape": "Oops"}, {"shape": "Boom"}])));
        assert_eq!(found, ["operation GetThing error Boom: missing from our model"]);
        let found = with_botocore("/operations/GetThing/readonly", None);
        assert_eq!(found, ["operation GetThing: readonly ours true, botocore false"]);
    }

    #[test]
    fn paginator_result_key_is_compared() {
        let mut theirs = botocore();
        set(theirs.paginators.as_mut().unwrap(), "/pagination/GetThing/result_key", Some(json!("page.things")));
        assert_eq!(
            lines(&smithy(), &theirs),
            [r#"paginator GetThing: result_key ours "things", botocore "page.things""#]
        );

        set(theirs.paginators.as_mut().unwrap(), "/pagination/GetThing/result_key", Some(json!(["things", "more"])));
        assert_eq!(
            lines(&smithy(), &theirs),
            [
                r#"paginator GetThing: botocore's result_key ["things","more"] cannot be stated in Smithy: the paginated trait takes a single path"#
            ]
        );
    }

    #[test]
    fn service_paginated_defaults_are_merged() {
        let mut ours = smithy();
        let tokens = json!({"inputToken": "nextToken", "outputToken": "nextToken", "pageSize": "maxResults"});
        set(&mut ours, "/shapes/ex#Svc/traits/smithy.api#paginated", Some(tokens));
        set(&mut ours, "/shapes/ex#GetThing/traits/smithy.api#paginated", Some(json!({"items": "things"})));
        assert_eq!(lines(&ours, &botocore()), Vec::<String>::new());
    }

    /// Plants one change in the first or second botocore acceptor.
    fn with_acceptor(index: usize, key: &str, value: Value) -> Vec<String> {
        let mut theirs = botocore();
        let pointer = format!("/waiters/ThingReady/acceptors/{index}/{key}");
        set(theirs.waiters.as_mut().unwrap(), &pointer, Some(value));
        lines(&smithy(), &theirs)
    }

    #[test]
    fn waiter_acceptor_is_compared() {
        assert_eq!(
            with_acceptor(0, "expected", json!("DONE")),
            [
                r#"waiter ThingReady acceptors[0]: matcher ours output "status" stringEquals "READY", botocore output "status" stringEquals "DONE""#
            ]
        );
        assert_eq!(
            with_acceptor(1, "state", json!("failure")),
            [r#"waiter ThingReady acceptors[1]: state ours "retry", botocore "failure""#]
        );
        // botocore's `error: true` is "any error", Smithy's `success: false`.
        assert_eq!(
            with_acceptor(1, "expected", json!(true)),
            [r#"waiter ThingReady acceptors[1]: matcher ours errorType "Oops", botocore success false"#]
        );
    }

    #[test]
    fn waiter_acceptors_smithy_cannot_state_are_reported() {
        assert_eq!(
            with_acceptor(1, "matcher", json!("status")),
            [
                r#"waiter ThingReady acceptors[1]: botocore's matcher "status" "Oops" cannot be stated in Smithy: a Smithy waiter cannot match an HTTP status code"#
            ]
        );
        let mut theirs = botocore();
        let acceptor = json!({"state": "success", "matcher": "pathAll", "argument": "flags[]", "expected": true});
        *theirs.waiters.as_mut().unwrap().pointer_mut("/waiters/ThingReady/acceptors/0").unwrap() = acceptor;
        assert_eq!(
            lines(&smithy(), &theirs),
            [
                r#"waiter ThingReady acceptors[0]: botocore's matcher "pathAll" "flags[]" true cannot be stated in Smithy: allStringEquals and anyStringEquals match strings only; no comparator tests booleans of an array"#
            ]
        );
    }

    #[test]
    fn waiter_delay_is_compared_with_smithy_default() {
        let found = with_ours("/shapes/ex#GetThing/traits/smithy.waiters#waitable/ThingReady/minDelay", None);
        assert_eq!(found, ["waiter ThingReady: delay (minDelay) ours 2, botocore 5"]);
    }

    #[test]
    fn facts_not_understood_are_reported() {
        let found = with_botocore("/shapes/Token/timestampFormat", Some(json!("iso8601")));
        assert_eq!(found, ["Token: botocore states `timestampFormat`, which model_diff does not compare"]);
        let found = with_ours("/shapes/ex#Token/traits", Some(json!({"smithy.api#jsonName": "t"})));
        assert_eq!(found, ["Token: our model states trait `smithy.api#jsonName`, which model_diff does not compare"]);
    }

    #[test]
    fn unreadable_files_are_named() {
        let dir = Path::new("/nonexistent/botocore");
        let error = compare_files(Path::new("/nonexistent/model.json"), dir).unwrap_err();
        assert!(matches!(&error, DiffError::Read { file, .. } if file == Path::new("/nonexistent/model.json")));
        assert!(error.to_string().starts_with("cannot read /nonexistent/model.json: "), "{error}");
    }

    #[test]
    fn gzipped_botocore_files_are_named() {
        let dir = std::env::temp_dir().join(format!("model-diff-gz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("service-2.json.gz"), b"not read").unwrap();
        let error = Botocore::load(&dir).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            error.to_string(),
            format!("cannot compare {}: gzip-compressed: gunzip it first", dir.join("service-2.json.gz").display())
        );
    }

    #[test]
    fn unusable_models_are_errors() {
        let error = compare(&json!({"shapes": []}), &botocore()).unwrap_err();
        assert_eq!(error.to_string(), "cannot compare the Smithy model: no `shapes` object");
        let mut theirs = botocore();
        theirs.waiters = Some(json!({"version": 1, "waiters": {}}));
        let error = compare(&smithy(), &theirs).unwrap_err();
        assert!(error.to_string().starts_with("cannot compare waiters-2.json: "), "{error}");
    }
}
