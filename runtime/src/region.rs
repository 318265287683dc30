//! Regions: where one comes from (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`,
//! then EC2 instance metadata) and what one may look like.

use super::env::Env;
use super::profile::ProfileFiles;

/// Checks that `region` can go into a host name: one DNS label of letters, digits and `-`, not
/// starting or ending with `-`, at most 63 characters. Anything else (a dot, a slash, a space, a
/// `@`) would change which host a request goes to, so it is refused before any URL is built.
pub fn check(region: &str) -> Result<(), String> {
    let ok = !region.is_empty()
        && region.len() <= 63
        && !region.starts_with('-')
        && !region.ends_with('-')
        && region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "region `{}` is not valid: a region is one DNS label of letters, digits and `-` (such as `us-east-1`)",
            region.escape_debug()
        ))
    }
}

/// Where the region came from, for messages and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    AwsRegion,
    AwsDefaultRegion,
    Profile,
}

impl Source {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Source::AwsRegion => "AWS_REGION",
            Source::AwsDefaultRegion => "AWS_DEFAULT_REGION",
            Source::Profile => "the profile's `region`",
        }
    }
}

/// The region the environment and the profile give, without asking IMDS: `AWS_REGION`, then
/// `AWS_DEFAULT_REGION`, then the profile's `region`.
pub(crate) fn from_env_and_profile(env: &Env, files: &ProfileFiles, profile: &str) -> Option<(String, Source)> {
    env.get("AWS_REGION")
        .map(|r| (r, Source::AwsRegion))
        .or_else(|| env.get("AWS_DEFAULT_REGION").map(|r| (r, Source::AwsDefaultRegion)))
        .or_else(|| files.profile(profile)?.get("region").map(|r| (r.to_owned(), Source::Profile)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_labels_only() {
        for ok in ["us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "local", "x"] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        for bad in ["", "us-east-1.evil.com", "us east 1", "-us", "us-", "a/b", "attacker.com#", "x@y", "é"] {
            let err = check(bad).unwrap_err();
            assert!(err.contains("is not valid"), "{bad}: {err}");
        }
        assert!(check(&"a".repeat(64)).is_err());
    }
}
