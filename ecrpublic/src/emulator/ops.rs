//! The classic operations on free repositories and the registry: repositories, their catalog
//! data and policies, tags (of free and premium repositories), the registry and its catalog
//! data, and authorization tokens. Layers are in `layers`, images in `images`.

use super::errors::{invalid, policy_not_found, ApiError};
use super::state::{Kind, Repository, State};
use super::validate::{
    check_count, check_registry_id, check_repository_name, check_tags, merge_tags, repository, repository_mut,
};
use super::{catalog, hex, paging::Listing, policy, random_bytes};
use crate::types::{
    AssociatedRepository, AuthorizationData, Registry, RegistryAlias, RegistryAliasStatus, RegistryCatalogData,
    RegistryPremiumStatus, Tag,
};
use crate::{error as e, input as i, output as o, DateTime};

/// A free repository as the service describes it.
pub(crate) fn repository_shape(st: &State, repo: &Repository) -> crate::types::Repository {
    crate::types::Repository {
        repository_arn: Some(st.repository_arn(repo.kind, &repo.name)),
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(repo.name.clone()),
        repository_uri: Some(st.repository_uri(repo.kind, &repo.name)),
        created_at: Some(repo.created_at),
        associated_repositories: associated(repo),
    }
}

/// The repository associated with `repo`, as a list of at most one.
pub(crate) fn associated(repo: &Repository) -> Vec<AssociatedRepository> {
    repo.associated
        .iter()
        .map(|name| AssociatedRepository {
            repository_name: Some(name.clone()),
            repository_type: Some(repo.kind.other().repository_type()),
        })
        .collect()
}

/// Removes a repository, its uploads and the association pointing at it.
pub(crate) fn remove_repository(st: &mut State, kind: Kind, name: &str) -> Option<Repository> {
    let repo = st.repositories_mut(kind).remove(name)?;
    if let Some(other) = &repo.associated {
        if let Some(o) = st.repositories_mut(kind.other()).get_mut(other) {
            o.associated = None;
        }
    }
    st.close_uploads_of(kind, name);
    Some(repo)
}

/// Checks the repository count against the quota before one more of `kind` is created.
pub(crate) fn check_room(st: &State, kind: Kind) -> Result<(), ApiError> {
    if st.repositories(kind).len() >= st.max_repositories {
        return Err(super::errors::limit_exceeded(format!(
            "The registry already holds the most {}s it may ({})",
            kind.noun(),
            st.max_repositories
        )));
    }
    Ok(())
}

pub(crate) fn already_exists(st: &State, kind: Kind, name: &str) -> ApiError {
    ApiError::new(
        e::RepositoryAlreadyExistsException::CODE,
        format!("The {} with name '{name}' already exists in the registry with id '{}'", kind.noun(), st.account_id),
    )
}

// ---------------------------------------------------------------------------------------------
// Repositories
// ---------------------------------------------------------------------------------------------

pub(crate) fn create_repository(
    st: &mut State,
    input: i::CreateRepositoryInput,
) -> Result<o::CreateRepositoryOutput, ApiError> {
    check_repository_name("repositoryName", &input.repository_name)?;
    if let Some(c) = &input.catalog_data {
        catalog::check_input(c)?;
    }
    let tags = input.tags.as_deref().map(check_tags).transpose()?.unwrap_or_default();
    let tags = merge_tags(&[], tags)?;
    let name = input.repository_name;
    if st.free.contains_key(&name) {
        return Err(already_exists(st, Kind::Free, &name));
    }
    check_room(st, Kind::Free)?;
    let mut repo = Repository::new(Kind::Free, &name);
    repo.tags = tags;
    let owner = format!("{}/{name}", st.primary_alias());
    repo.catalog = input.catalog_data.map(|c| catalog::apply(&owner, None, c));
    let out = o::CreateRepositoryOutput {
        repository: Some(repository_shape(st, &repo)),
        catalog_data: catalog::output(&repo),
        request_id: None,
    };
    st.free.insert(name, repo);
    Ok(out)
}

pub(crate) fn delete_repository(
    st: &mut State,
    input: i::DeleteRepositoryInput,
) -> Result<o::DeleteRepositoryOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name("repositoryName", name)?;
    let repo = repository(st, Kind::Free, name)?;
    if !repo.images.is_empty() && !input.force {
        return Err(ApiError::new(
            e::RepositoryNotEmptyException::CODE,
            format!(
                "The repository with name '{name}' in registry with id '{}' cannot be deleted because it still \
                 contains images",
                st.account_id
            ),
        ));
    }
    let shape = repository_shape(st, repo);
    remove_repository(st, Kind::Free, name);
    Ok(o::DeleteRepositoryOutput { repository: Some(shape), request_id: None })
}

pub(crate) fn describe_repositories(
    st: &mut State,
    input: i::DescribeRepositoriesInput,
) -> Result<o::DescribeRepositoriesOutput, ApiError> {
    check_registry_id(st, input.registry_id.as_ref(), "")?;
    let listing = Listing {
        operation: "DescribeRepositories",
        scope: String::new(),
        token: input.next_token.as_ref(),
        max_results: input.max_results,
        limit: 1000,
    };
    let names: Vec<(String, String)> = match &input.repository_names {
        Some(names) => {
            check_count("repositoryNames", names.len(), 1, 100)?;
            if input.next_token.is_some() || input.max_results.is_some() {
                return Err(invalid("nextToken and maxResults cannot be used together with repositoryNames"));
            }
            for name in names {
                check_repository_name("repositoryNames", name)?;
                repository(st, Kind::Free, name)?;
            }
            // In the order asked for, each once.
            let mut unique: Vec<&String> = Vec::new();
            for n in names {
                if !unique.contains(&n) {
                    unique.push(n);
                }
            }
            let repositories = unique.iter().filter_map(|n| st.free.get(*n)).map(|r| repository_shape(st, r)).collect();
            return Ok(o::DescribeRepositoriesOutput { repositories, next_token: None, request_id: None });
        }
        None => st.free.keys().map(|k| (k.clone(), k.clone())).collect(),
    };
    let (names, next_token) = listing.page(st, names)?;
    let repositories = names.iter().filter_map(|n| st.free.get(n)).map(|r| repository_shape(st, r)).collect();
    Ok(o::DescribeRepositoriesOutput { repositories, next_token, request_id: None })
}

pub(crate) fn get_repository_catalog_data(
    st: &mut State,
    input: i::GetRepositoryCatalogDataInput,
) -> Result<o::GetRepositoryCatalogDataOutput, ApiError> {
    check_registry_id(st, input.registry_id.as_ref(), &input.repository_name)?;
    check_repository_name("repositoryName", &input.repository_name)?;
    let repo = repository(st, Kind::Free, &input.repository_name)?;
    let catalog = catalog_or_not_found(repo)?;
    Ok(o::GetRepositoryCatalogDataOutput { catalog_data: Some(catalog), request_id: None })
}

pub(crate) fn catalog_or_not_found(repo: &Repository) -> Result<crate::types::RepositoryCatalogData, ApiError> {
    catalog::output(repo).ok_or_else(|| {
        ApiError::new(
            e::RepositoryCatalogDataNotFoundException::CODE,
            format!("The {} with name '{}' has no catalog data", repo.kind.noun(), repo.name),
        )
    })
}

pub(crate) fn put_repository_catalog_data(
    st: &mut State,
    input: i::PutRepositoryCatalogDataInput,
) -> Result<o::PutRepositoryCatalogDataOutput, ApiError> {
    check_registry_id(st, input.registry_id.as_ref(), &input.repository_name)?;
    check_repository_name("repositoryName", &input.repository_name)?;
    catalog::check_input(&input.catalog_data)?;
    let data = store_catalog(st, Kind::Free, &input.repository_name, input.catalog_data)?;
    Ok(o::PutRepositoryCatalogDataOutput { catalog_data: Some(data), request_id: None })
}

/// Stores checked catalog data on a repository; the data as it now reads.
pub(crate) fn store_catalog(
    st: &mut State,
    kind: Kind,
    name: &str,
    input: crate::types::RepositoryCatalogDataInput,
) -> Result<crate::types::RepositoryCatalogData, ApiError> {
    let owner = format!("{}/{name}", st.primary_alias());
    let repo = repository_mut(st, kind, name)?;
    repo.catalog = Some(catalog::apply(&owner, repo.catalog.take(), input));
    catalog_or_not_found(repo)
}

// ---------------------------------------------------------------------------------------------
// Repository policies (shared with premium repositories)
// ---------------------------------------------------------------------------------------------

/// Checks and sets the policy of a repository.
pub(crate) fn set_policy(st: &mut State, kind: Kind, name: &str, text: &str, force: bool) -> Result<(), ApiError> {
    super::validate::check_len("policyText", text, 0, 10240)?;
    repository(st, kind, name)?;
    let arn = st.repository_arn(kind, name);
    let action = match kind {
        Kind::Free => "ecr-public:SetRepositoryPolicy",
        Kind::Premium => "ecr-public:SetPremiumRepositoryPolicy",
    };
    let target = policy::Target { account_id: &st.account_id, repository_arn: &arn, set_policy_action: action };
    policy::check(text, &target, force)?;
    repository_mut(st, kind, name)?.policy = Some(text.to_owned());
    Ok(())
}

pub(crate) fn get_policy(st: &State, kind: Kind, name: &str) -> Result<String, ApiError> {
    repository(st, kind, name)?.policy.clone().ok_or_else(|| policy_not_found(st, kind, name))
}

pub(crate) fn delete_policy(st: &mut State, kind: Kind, name: &str) -> Result<String, ApiError> {
    get_policy(st, kind, name)?;
    repository_mut(st, kind, name)?.policy.take().ok_or_else(|| policy_not_found(st, kind, name))
}

pub(crate) fn set_repository_policy(
    st: &mut State,
    input: i::SetRepositoryPolicyInput,
) -> Result<o::SetRepositoryPolicyOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name("repositoryName", name)?;
    set_policy(st, Kind::Free, name, &input.policy_text, input.force)?;
    Ok(o::SetRepositoryPolicyOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        policy_text: Some(input.policy_text),
        request_id: None,
    })
}

pub(crate) fn get_repository_policy(
    st: &mut State,
    input: i::GetRepositoryPolicyInput,
) -> Result<o::GetRepositoryPolicyOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name("repositoryName", name)?;
    let policy = get_policy(st, Kind::Free, name)?;
    Ok(o::GetRepositoryPolicyOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        policy_text: Some(policy),
        request_id: None,
    })
}

pub(crate) fn delete_repository_policy(
    st: &mut State,
    input: i::DeleteRepositoryPolicyInput,
) -> Result<o::DeleteRepositoryPolicyOutput, ApiError> {
    let name = &input.repository_name;
    check_registry_id(st, input.registry_id.as_ref(), name)?;
    check_repository_name("repositoryName", name)?;
    let policy = delete_policy(st, Kind::Free, name)?;
    Ok(o::DeleteRepositoryPolicyOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        policy_text: Some(policy),
        request_id: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------------------------

/// The repository an ARN names: `arn:PARTITION:ecr-public:REGION:ACCOUNT:repository/NAME` or
/// `...:premium-repository/NAME`.
fn repository_from_arn(st: &State, arn: &str) -> Result<(Kind, String), ApiError> {
    super::validate::check_len("resourceArn", arn, 1, 2048)?;
    let malformed =
        || invalid(format!("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN' ({arn})"));
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (account, resource) = match parts[..] {
        ["arn", partition, "ecr-public", _region, account, resource] if !partition.is_empty() => (account, resource),
        _ => return Err(malformed()),
    };
    let (kind, name) = if let Some(name) = resource.strip_prefix("repository/") {
        (Kind::Free, name)
    } else if let Some(name) = resource.strip_prefix("premium-repository/") {
        (Kind::Premium, name)
    } else {
        return Err(malformed());
    };
    if account != st.account_id || !st.repositories(kind).contains_key(name) {
        return Err(ApiError::new(
            e::RepositoryNotFoundException::CODE,
            format!("The repository with ARN '{arn}' does not exist in the registry with id '{}'", st.account_id),
        ));
    }
    Ok((kind, name.to_owned()))
}

pub(crate) fn tag_resource(st: &mut State, input: i::TagResourceInput) -> Result<o::TagResourceOutput, ApiError> {
    let (kind, name) = repository_from_arn(st, &input.resource_arn)?;
    let tags = check_tags(&input.tags)?;
    let repo = repository_mut(st, kind, &name)?;
    repo.tags = merge_tags(&repo.tags, tags)?;
    Ok(o::TagResourceOutput { request_id: None })
}

pub(crate) fn untag_resource(st: &mut State, input: i::UntagResourceInput) -> Result<o::UntagResourceOutput, ApiError> {
    let (kind, name) = repository_from_arn(st, &input.resource_arn)?;
    check_count("tagKeys", input.tag_keys.len(), 0, 200)?;
    for key in &input.tag_keys {
        if !(1..=128).contains(&key.chars().count()) {
            return Err(ApiError::new(
                e::InvalidTagParameterException::CODE,
                format!("Tag key '{key}' must have length between 1 and 128"),
            ));
        }
    }
    repository_mut(st, kind, &name)?.tags.retain(|(k, _)| !input.tag_keys.contains(k));
    Ok(o::UntagResourceOutput { request_id: None })
}

pub(crate) fn list_tags_for_resource(
    st: &mut State,
    input: i::ListTagsForResourceInput,
) -> Result<o::ListTagsForResourceOutput, ApiError> {
    let (kind, name) = repository_from_arn(st, &input.resource_arn)?;
    let tags = repository(st, kind, &name)?
        .tags
        .iter()
        .map(|(k, v)| Tag { key: Some(k.clone()), value: Some(v.clone()) })
        .collect();
    Ok(o::ListTagsForResourceOutput { tags, request_id: None })
}

// ---------------------------------------------------------------------------------------------
// Registries
// ---------------------------------------------------------------------------------------------

/// The registry as `DescribeRegistries` describes it.
pub(crate) fn registry_shape(st: &State) -> Registry {
    let custom_primary = st.approved_alias().is_some();
    let mut aliases = vec![RegistryAlias {
        name: st.default_alias.clone(),
        status: RegistryAliasStatus::Active,
        primary_registry_alias: !custom_primary,
        default_registry_alias: true,
    }];
    if let Some((name, status)) = &st.custom_alias {
        aliases.push(RegistryAlias {
            name: name.clone(),
            status: status.clone(),
            primary_registry_alias: *status == RegistryAliasStatus::Active,
            default_registry_alias: false,
        });
    }
    let premium = st.premium_enabled();
    Registry {
        registry_id: st.account_id.clone(),
        registry_arn: st.registry_arn(),
        registry_uri: format!("public.ecr.aws/{}", st.primary_alias()),
        verified: st.verified,
        aliases,
        premium_status: Some(if premium { RegistryPremiumStatus::Enabled } else { RegistryPremiumStatus::Disabled }),
        premium_registry_uri: premium.then(|| st.premium_registry_uri()),
    }
}

pub(crate) fn describe_registries(
    st: &mut State,
    input: i::DescribeRegistriesInput,
) -> Result<o::DescribeRegistriesOutput, ApiError> {
    let listing = Listing {
        operation: "DescribeRegistries",
        scope: String::new(),
        token: input.next_token.as_ref(),
        max_results: input.max_results,
        limit: 1000,
    };
    let (registries, next_token) = listing.page(st, vec![(st.account_id.clone(), registry_shape(st))])?;
    Ok(o::DescribeRegistriesOutput { registries, next_token, request_id: None })
}

fn registry_catalog(st: &State) -> RegistryCatalogData {
    RegistryCatalogData {
        display_name: st.registry_catalog.display_name.clone(),
        description: st.registry_catalog.description.clone(),
        logo_url: st.registry_catalog.logo_url.clone(),
    }
}

pub(crate) fn get_registry_catalog_data(
    st: &mut State,
    _input: i::GetRegistryCatalogDataInput,
) -> Result<o::GetRegistryCatalogDataOutput, ApiError> {
    Ok(o::GetRegistryCatalogDataOutput { registry_catalog_data: registry_catalog(st), request_id: None })
}

pub(crate) fn put_registry_catalog_data(
    st: &mut State,
    input: i::PutRegistryCatalogDataInput,
) -> Result<o::PutRegistryCatalogDataOutput, ApiError> {
    let alias = st.primary_alias().to_owned();
    catalog::apply_registry(
        &alias,
        &mut st.registry_catalog,
        input.display_name,
        input.description,
        input.logo_image_blob,
    )?;
    Ok(o::PutRegistryCatalogDataOutput { registry_catalog_data: registry_catalog(st), request_id: None })
}

pub(crate) fn get_authorization_token(
    _st: &mut State,
    _input: i::GetAuthorizationTokenInput,
) -> Result<o::GetAuthorizationTokenOutput, ApiError> {
    let secret = format!("{}{}", hex(&random_bytes()), hex(&random_bytes()));
    let token = base64_simd::STANDARD.encode_to_string(format!("AWS:{secret}"));
    Ok(o::GetAuthorizationTokenOutput {
        authorization_data: Some(AuthorizationData {
            authorization_token: Some(token),
            expires_at: Some(now_plus(12 * 3600)),
        }),
        request_id: None,
    })
}

pub(crate) fn now_plus(secs: i64) -> DateTime {
    let now = DateTime::now();
    DateTime::new(now.secs().saturating_add(secs), now.subsec_nanos())
}
