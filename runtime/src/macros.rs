//! What is the same for every generated error, enum, JSON impl, output and request builder,
//! written once.
//!
//! Generated code keeps its types' definitions and docs and calls these macros with what differs
//! per shape only (a code, a fault, a status, a list of variants, member and wire-name pairs), as
//! `crate::rt::modeled_error!` and so on (the macros are re-exported under `__private`). They
//! expand to the impls a generator would otherwise write out, so nothing changes per call.
//!
//! Like the rest of `__private`, they follow no semver promise beyond the generator of the same
//! release.

/// The impls of a modeled error structure: `CODE`, `code()`, `message()`, `request_id()`,
/// `Display`, `std::error::Error`, [`ProvideErrorMetadata`](crate::ProvideErrorMetadata) and
/// [`ModeledError`](crate::__private::operation::ModeledError).
///
/// ```ignore
/// crate::rt::modeled_error!(
///     ConflictException,
///     code("ConflictException"),
///     // query_code("AWS.SimpleQueueService.Conflict"),   (an @awsQueryCompatible service's)
///     fault(Client),
///     status(400),
///     message(optional(message)), // or `required(message)`, or `none`
/// );
/// ```
///
/// The structure has `request_id` and `extended_request_id` fields (`Option<String>`); `message`
/// names the member holding the
/// message (an `Option<String>` for `optional`, a `String` for `required`).
#[doc(hidden)]
#[macro_export]
macro_rules! __modeled_error {
    (
        $ty:ident,
        code($code:literal),
        $(query_code($query:literal),)?
        fault($fault:ident),
        status($status:literal),
        message($kind:ident $(($field:ident))?) $(,)?
    ) => {
        impl $ty {
            /// The error code the service sends for this error.
            pub const CODE: &'static str = $code;
            /// The error code users know this error by: the code the service sends, or for an
            /// awsQuery-compatible service the error's awsQuery code.
            pub fn code(&self) -> &'static str {
                <Self as $crate::__private::operation::ModeledError>::QUERY_CODE.unwrap_or(Self::CODE)
            }
            /// The message the service gave, when it gave one.
            pub fn message(&self) -> Option<&str> {
                $crate::__modeled_error!(@get self, $kind $(($field))?)
            }
            /// The request id the service gave the response, when it gave one.
            pub fn request_id(&self) -> Option<&str> {
                self.request_id.as_deref()
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::__private::error::fmt_service_error(f, self.code(), self.message(), self.request_id())
            }
        }
        impl ::std::error::Error for $ty {}
        impl $crate::__private::operation::ModeledError for $ty {
            const CODE: &'static str = $code;
            $(const QUERY_CODE: Option<&'static str> = Some($query);)?
            const FAULT: $crate::__private::operation::Fault = $crate::__private::operation::Fault::$fault;
            const STATUS: u16 = $status;
            fn set_meta(&mut self, meta: &$crate::__private::operation::ResponseMeta<'_>, message: Option<&str>) {
                self.request_id = meta.request_id.map(str::to_owned);
                self.extended_request_id = meta.extended_request_id.map(str::to_owned);
                $crate::__modeled_error!(@fill self, message, $kind $(($field))?);
            }
            // Method calls pick the inherent methods above, not these.
            fn message(&self) -> Option<&str> {
                self.message()
            }
            fn request_id(&self) -> Option<&str> {
                self.request_id()
            }
            fn extended_request_id(&self) -> Option<&str> {
                self.extended_request_id.as_deref()
            }
        }
        impl $crate::__private::error::ProvideErrorMetadata for $ty {
            fn code(&self) -> Option<&str> {
                Some(self.code())
            }
            fn message(&self) -> Option<&str> {
                self.message()
            }
            fn request_id(&self) -> Option<&str> {
                self.request_id()
            }
            fn extended_request_id(&self) -> Option<&str> {
                self.extended_request_id.as_deref()
            }
        }
    };
    (@get $s:ident, optional($f:ident)) => { $s.$f.as_deref() };
    (@get $s:ident, required($f:ident)) => { Some($s.$f.as_str()) };
    (@get $s:ident, none) => { None };
    (@fill $s:ident, $m:ident, optional($f:ident)) => {
        if $s.$f.is_none() {
            $s.$f = $m.map(str::to_owned);
        }
    };
    (@fill $s:ident, $m:ident, required($f:ident)) => {
        if $s.$f.is_empty() {
            if let Some(m) = $m {
                $s.$f = m.to_owned();
            }
        }
    };
    (@fill $s:ident, $m:ident, none) => { let _ = $m; };
}

/// The impls of an operation's error enum, from its variants (each holding the modeled error of
/// the same name) besides `Unhandled(crate::Unhandled)`: `code()`, `message()`, `request_id()`,
/// `Display`, `std::error::Error`, [`ProvideErrorMetadata`](crate::ProvideErrorMetadata) and
/// [`OperationError`](crate::__private::operation::OperationError).
///
/// ```ignore
/// crate::rt::operation_error!(DeleteRepositoryError, [RepositoryNotFoundException, ServerException]);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __operation_error {
    ($ty:ident, [$($variant:ident),* $(,)?]) => {
        impl $ty {
            /// The error inside, whichever it is.
            fn info(&self) -> &dyn $crate::__private::operation::ErrorInfo {
                match self {
                    $(Self::$variant(e) => e,)*
                    Self::Unhandled(e) => e,
                }
            }
            /// The error code the service sent.
            pub fn code(&self) -> &str {
                self.info().code()
            }
            /// The message the service gave, when it gave one.
            pub fn message(&self) -> Option<&str> {
                self.info().message()
            }
            /// The request id the service gave the response, when it gave one.
            pub fn request_id(&self) -> Option<&str> {
                self.info().request_id()
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.info().fmt(f)
            }
        }
        impl ::std::error::Error for $ty {}
        impl $crate::__private::error::ProvideErrorMetadata for $ty {
            fn code(&self) -> Option<&str> {
                Some(self.info().code())
            }
            fn message(&self) -> Option<&str> {
                self.info().message()
            }
            fn request_id(&self) -> Option<&str> {
                self.info().request_id()
            }
            fn extended_request_id(&self) -> Option<&str> {
                self.info().extended_request_id()
            }
        }
        impl $crate::__private::operation::OperationError for $ty {
            fn from_wire(raw: &$crate::__private::operation::RawError<'_>) -> Self {
                $(if let Some(e) = raw.variant(Self::$variant, Self::Unhandled) {
                    return e;
                })*
                Self::Unhandled(raw.unhandled())
            }
            // With no modeled errors the `_` arm is unreachable.
            #[allow(unreachable_patterns)]
            fn unhandled(&self) -> Option<&$crate::Unhandled> {
                match self {
                    Self::Unhandled(e) => Some(e),
                    _ => None,
                }
            }
            fn to_wire(&self) -> $crate::__private::operation::WireError {
                match self {
                    $(Self::$variant(e) => $crate::__private::operation::WireError::modeled(e),)*
                    Self::Unhandled(e) => $crate::__private::operation::WireError::unhandled(e),
                }
            }
        }
    };
}

/// The impls of a service-wide error enum, from its variants (each holding the modeled error of
/// the same name) besides `Unhandled(crate::UnhandledError)`, and from each operation's error
/// enum with its variants: `Display`, `std::error::Error`,
/// [`ProvideErrorMetadata`](crate::ProvideErrorMetadata), and `From<XError>` and
/// `From<SdkError<XError>>` for every operation error `XError`, so `?` works across operations.
///
/// ```ignore
/// crate::rt::service_error!(Error, [RepositoryNotFoundException, ServerException], {
///     DeleteRepositoryError(RepositoryNotFoundException, ServerException),
///     ListTagsError(ServerException),
/// });
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __service_error {
    (
        $ty:ident,
        [$($variant:ident),* $(,)?],
        { $($op:ident($($op_variant:ident),* $(,)?)),* $(,)? } $(,)?
    ) => {
        impl $ty {
            /// The error inside, whichever it is.
            fn meta(&self) -> &dyn $crate::__private::error::ProvideErrorMetadata {
                match self {
                    $(Self::$variant(e) => e,)*
                    Self::Unhandled(e) => e,
                }
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $(Self::$variant(e) => e.fmt(f),)*
                    Self::Unhandled(e) => e.fmt(f),
                }
            }
        }
        impl ::std::error::Error for $ty {
            fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
                match self {
                    $(Self::$variant(e) => Some(e),)*
                    // The original error itself, not its wrapper, so it downcasts.
                    Self::Unhandled(e) => ::std::error::Error::source(e),
                }
            }
        }
        impl $crate::__private::error::ProvideErrorMetadata for $ty {
            fn code(&self) -> Option<&str> {
                self.meta().code()
            }
            fn message(&self) -> Option<&str> {
                self.meta().message()
            }
            fn request_id(&self) -> Option<&str> {
                self.meta().request_id()
            }
            fn extended_request_id(&self) -> Option<&str> {
                self.meta().extended_request_id()
            }
        }
        $(
            impl ::std::convert::From<$op> for $ty {
                fn from(e: $op) -> Self {
                    match e {
                        $($op::$op_variant(e) => Self::$op_variant(e),)*
                        $op::Unhandled(e) => Self::Unhandled(e.into()),
                    }
                }
            }
            impl ::std::convert::From<$crate::SdkError<$op>> for $ty {
                fn from(e: $crate::SdkError<$op>) -> Self {
                    match $crate::__private::error::split_sdk_error(e) {
                        Ok(e) => e.into(),
                        Err(e) => Self::Unhandled(e),
                    }
                }
            }
        )*
    };
}

/// The [`Json`](crate::__private::json::Json) impl of a generated structure, from its members
/// and their names on the wire. After the wire name a member may say, in this order:
/// `nonempty` (a list or map written only when it holds something), `timestamp(FORMAT)` (a
/// timestamp in a `TimestampFormat` other than epoch seconds) and `default(EXPR)` (its value when absent, else its type's
/// zero). Trailing identifiers name private `Option` fields kept besides the members: `request_id`
/// for outputs, and `request_id, extended_request_id` for errors.
///
/// ```ignore
/// crate::rt::json_struct!(
///     crate::output::DescribeImagesOutput,
///     [image_details("imageDetails", nonempty), next_token("nextToken")],
///     request_id
/// );
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __json_struct {
    ($ty:path, [] $(, $extra:ident)* $(,)?) => {
        impl $crate::__private::json::Json for $ty {
            fn zero() -> Self {
                Self { $($extra: None,)* }
            }
            fn read(r: &mut $crate::__private::json::JsonReader<'_>) -> Result<Self, $crate::__private::json::JsonError> {
                r.skip_value()?;
                Ok(<Self as $crate::__private::json::Json>::zero())
            }
            fn write(&self, w: &mut $crate::__private::json::JsonWriter) {
                w.begin_object();
                w.end_object();
            }
        }
    };
    ($ty:path, [$($field:ident($wire:literal $(, $($opt:tt)*)?)),+ $(,)?] $(, $extra:ident)* $(,)?) => {
        impl $crate::__private::json::Json for $ty {
            fn zero() -> Self {
                Self {
                    $($field: $crate::__json_struct!(@zero [$($($opt)*)?]),)+
                    $($extra: None,)*
                }
            }
            fn read(r: &mut $crate::__private::json::JsonReader<'_>) -> Result<Self, $crate::__private::json::JsonError> {
                let mut out = <Self as $crate::__private::json::Json>::zero();
                r.read_object(|key, r| {
                    match key {
                        $($wire => out.$field = $crate::__json_struct!(@read r, [$($($opt)*)?]),)+
                        _ => r.skip_value()?,
                    }
                    Ok(())
                })?;
                Ok(out)
            }
            fn write(&self, w: &mut $crate::__private::json::JsonWriter) {
                w.begin_object();
                $($crate::__json_struct!(@write w, self.$field, $wire, [], [], [$($($opt)*)?]);)+
                w.end_object();
            }
        }
    };

    // A member's zero: its `default(...)`, else its type's.
    (@zero []) => { $crate::__private::json::Json::zero() };
    (@zero [default($e:expr) $($rest:tt)*]) => { $e };
    (@zero [$skip:tt $($rest:tt)*]) => { $crate::__json_struct!(@zero [$($rest)*]) };

    // Reading a member's value.
    (@read $r:ident, []) => { $r.read()? };
    (@read $r:ident, [timestamp($f:ident) $($rest:tt)*]) => {
        $crate::__private::json::Timestamps::read_ts($r, $crate::__private::json::TimestampFormat::$f)?
    };
    (@read $r:ident, [$skip:tt $($rest:tt)*]) => { $crate::__json_struct!(@read $r, [$($rest)*]) };

    // Writing a member: first collect `nonempty` and `timestamp(...)`, then write.
    (@write $w:ident, $v:expr, $wire:literal, [], [$($ts:tt)*], [nonempty $($rest:tt)*]) => {
        $crate::__json_struct!(@write $w, $v, $wire, [nonempty], [$($ts)*], [$($rest)*])
    };
    (@write $w:ident, $v:expr, $wire:literal, [$($ne:tt)*], [], [timestamp($f:ident) $($rest:tt)*]) => {
        $crate::__json_struct!(@write $w, $v, $wire, [$($ne)*], [$f], [$($rest)*])
    };
    (@write $w:ident, $v:expr, $wire:literal, [$($ne:tt)*], [$($ts:tt)*], [, $($rest:tt)*]) => {
        $crate::__json_struct!(@write $w, $v, $wire, [$($ne)*], [$($ts)*], [$($rest)*])
    };
    (@write $w:ident, $v:expr, $wire:literal, [$($ne:tt)*], [$($ts:tt)*], [default($e:expr) $($rest:tt)*]) => {
        $crate::__json_struct!(@write $w, $v, $wire, [$($ne)*], [$($ts)*], [$($rest)*])
    };
    (@write $w:ident, $v:expr, $wire:literal, [nonempty], [$($ts:tt)*], []) => {
        if !$v.is_empty() {
            $crate::__json_struct!(@write $w, $v, $wire, [], [$($ts)*], [])
        }
    };
    (@write $w:ident, $v:expr, $wire:literal, [], [], []) => { $w.member($wire, &$v) };
    (@write $w:ident, $v:expr, $wire:literal, [], [$f:ident], []) => {
        if !$crate::__private::json::Timestamps::ts_absent(&$v) {
            $w.key($wire);
            $crate::__private::json::Timestamps::write_ts(&$v, $w, $crate::__private::json::TimestampFormat::$f);
        }
    };
}

/// The [`Json`](crate::__private::json::Json) impl of a generated enum: `str` for a string enum
/// (`From<&str>`, `as_str`), `int` for an intEnum (`From<i32>`, `as_i32`).
#[doc(hidden)]
#[macro_export]
macro_rules! __json_enum {
    ($ty:path, str) => {
        impl $crate::__private::json::Json for $ty {
            fn zero() -> Self {
                Self::from("")
            }
            fn read(
                r: &mut $crate::__private::json::JsonReader<'_>,
            ) -> Result<Self, $crate::__private::json::JsonError> {
                Ok(Self::from(r.read_str()?.as_ref()))
            }
            fn write(&self, w: &mut $crate::__private::json::JsonWriter) {
                w.string(self.as_str())
            }
        }
    };
    ($ty:path, int) => {
        impl $crate::__private::json::Json for $ty {
            fn zero() -> Self {
                Self::from(0)
            }
            fn read(
                r: &mut $crate::__private::json::JsonReader<'_>,
            ) -> Result<Self, $crate::__private::json::JsonError> {
                Ok(Self::from(r.read::<i32>()?))
            }
            fn write(&self, w: &mut $crate::__private::json::JsonWriter) {
                w.i64(self.as_i32().into())
            }
        }
    };
}

/// The plumbing of an operation's request builder, a struct with the fields
/// `handle: Handle`, `input: INPUT` and `options: CallOptions`: `new` (for the client),
/// `input()` and `options()`. The setters and `send` stay with the struct.
///
/// ```ignore
/// crate::rt::request_builder!(DeleteRepository, input::DeleteRepositoryInput);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __request_builder {
    ($ty:ident, $input:ty) => {
        impl $ty {
            pub(crate) fn new(handle: $crate::__private::client::Handle, input: $input) -> Self {
                Self { handle, input, options: $crate::CallOptions::default() }
            }
            /// The input as built so far.
            pub fn input(&self) -> &$input {
                &self.input
            }
            /// Overrides the client's configuration for this call: timeouts, retries, validation,
            /// progress callbacks. Replaces any options set before.
            pub fn options(mut self, options: $crate::CallOptions) -> Self {
                self.options = options;
                self
            }
            /// Changes this call's [`CallOptions`]($crate::CallOptions): region, endpoint,
            /// credentials, timeouts, retries, extra headers, request mutations.
            /// `client.op(..).customize(|c| c.operation_timeout(Duration::from_secs(5)))`.
            pub fn customize(mut self, f: impl FnOnce($crate::CallOptions) -> $crate::CallOptions) -> Self {
                self.options = f(::std::mem::take(&mut self.options));
                self
            }
        }
    };
}

/// `Default` as the type's [`Json::zero`](crate::__private::json::Json::zero): every member
/// absent, or its modeled default.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_default {
    ($ty:ident) => {
        impl ::std::default::Default for $ty {
            fn default() -> Self {
                $crate::__private::json::Json::zero()
            }
        }
    };
}

/// What an operation output has besides its members: `request_id()` and the
/// [`Output`](crate::__private::operation::Output) impl that records it, in the private field
/// `request_id: Option<String>`.
#[doc(hidden)]
#[macro_export]
macro_rules! __output {
    ($ty:ident) => {
        impl $ty {
            /// The request id the service gave the response, when it gave one.
            pub fn request_id(&self) -> Option<&str> {
                self.request_id.as_deref()
            }
        }
        impl $crate::__private::operation::Output for $ty {
            fn set_request_id(&mut self, request_id: Option<String>) {
                self.request_id = request_id;
            }
        }
    };
}

/// The conversions of a generated string enum, from its variants and their values on the wire
/// besides the catch-all variant holding any other value as a `String`: `VALUES`, `as_str()`,
/// `From<&str>`, `From<String>`, `AsRef<str>` and `Display`.
///
/// ```ignore
/// crate::rt::string_enum!(ImageStatus, [Active("ACTIVE"), Deprecated("DEPRECATED")], Unknown);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __string_enum {
    ($ty:ident, [$($variant:ident($value:literal)),* $(,)?], $unknown:ident) => {
        impl $ty {
            /// The known values, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[$($value),*];
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::$unknown(v) => v,
                }
            }
        }
        impl ::std::convert::From<&str> for $ty {
            fn from(v: &str) -> Self {
                match v {
                    $($value => Self::$variant,)*
                    other => Self::$unknown(other.to_owned()),
                }
            }
        }
        impl ::std::convert::From<String> for $ty {
            fn from(v: String) -> Self {
                match v.as_str() {
                    $($value => Self::$variant,)*
                    _ => Self::$unknown(v),
                }
            }
        }
        impl ::std::convert::AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// The conversions of a generated intEnum, from its variants and their values, besides the
/// catch-all variant holding any other `i32`: `as_i32()` and `From<i32>`.
#[doc(hidden)]
#[macro_export]
macro_rules! __int_enum {
    ($ty:ident, [$($variant:ident($value:literal)),* $(,)?], $unknown:ident) => {
        impl $ty {
            /// The value on the wire.
            pub fn as_i32(&self) -> i32 {
                match self {
                    $(Self::$variant => $value,)*
                    Self::$unknown(v) => *v,
                }
            }
        }
        impl ::std::convert::From<i32> for $ty {
            fn from(v: i32) -> Self {
                match v {
                    $($value => Self::$variant,)*
                    other => Self::$unknown(other),
                }
            }
        }
    };
}

/// The [`Json`](crate::__private::json::Json) impl of a generated union, from its variants and
/// their member names on the wire (`timestamp(FORMAT)` as for [`json_struct!`](crate::__json_struct)),
/// besides the catch-all variant holding the name of a member this version does not know.
///
/// Members that target `smithy.api#Unit` are unit variants, listed after the catch-all; on the
/// wire they are an empty object, and whatever value the service sends for one is skipped.
///
/// ```ignore
/// crate::rt::json_union!(types::Shape, [Circle("circle"), Square("square")], Unknown);
/// crate::rt::json_union!(types::Key, [Kms("kms")], Unknown, unit [Default("default")]);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __json_union {
    (
        $ty:path,
        [$($variant:ident($wire:literal $(, $($opt:tt)*)?)),* $(,)?],
        $unknown:ident
        $(, unit [$($unit:ident($unit_wire:literal)),* $(,)?])?
    ) => {
        impl $crate::__private::json::Json for $ty {
            fn zero() -> Self {
                Self::$unknown(String::new())
            }
            fn read(r: &mut $crate::__private::json::JsonReader<'_>) -> Result<Self, $crate::__private::json::JsonError> {
                let mut out = None;
                r.read_object(|key, r| {
                    let value = match key {
                        $($wire => Self::$variant($crate::__json_struct!(@read r, [$($($opt)*)?])),)*
                        $($($unit_wire => {
                            r.skip_value()?;
                            Self::$unit
                        })*)?
                        // The service may name the member type; it is not a member.
                        "__type" => {
                            r.skip_value()?;
                            return Ok(());
                        }
                        other => {
                            r.skip_value()?;
                            Self::$unknown(other.to_owned())
                        }
                    };
                    out = Some(value);
                    Ok(())
                })?;
                out.ok_or_else(|| $crate::__private::json::JsonError::new(r.offset(), "a union value has no member set"))
            }
            fn write(&self, w: &mut $crate::__private::json::JsonWriter) {
                w.begin_object();
                match self {
                    $(Self::$variant(v) => $crate::__json_union!(@write w, v, $wire, [$($($opt)*)?]),)*
                    $($(Self::$unit => {
                        w.key($unit_wire);
                        w.begin_object();
                        w.end_object();
                    })*)?
                    Self::$unknown(_) => {}
                }
                w.end_object();
            }
        }
    };
    (@write $w:ident, $v:ident, $wire:literal, []) => { $w.member($wire, $v) };
    (@write $w:ident, $v:ident, $wire:literal, [timestamp($f:ident)]) => {{
        $w.key($wire);
        $crate::__private::json::Timestamps::write_ts($v, $w, $crate::__private::json::TimestampFormat::$f);
    }};
}
