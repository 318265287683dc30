//! Premium repositories (paid content sold through Marketplace): creating, describing and
//! deleting them, their catalog data, policies, Marketplace products and state
//! (`DRAFT` → `AVAILABLE` ⇄ `HIDDEN`), and the associations between a free and a premium
//! repository. They need a verified registry with an approved custom alias.

use super::catalog;
use super::errors::{invalid, validation, ApiError};
use super::ops::{
    already_exists, associated, catalog_or_not_found, check_room, delete_policy, get_policy, remove_repository,
    set_policy, store_catalog,
};
use super::paging::Listing;
use super::state::{Kind, Repository, State};
use super::validate::{
    check_count, check_enum, check_own_registry_id, check_products, check_repository_name, check_tags, kind,
    merge_tags, repository, repository_mut,
};
use crate::types::{PremiumRepository, RepositoryState, RepositoryType};
use crate::{error as e, input as i, output as o};

/// A premium repository as the service describes it.
pub(crate) fn premium_shape(st: &State, repo: &Repository) -> PremiumRepository {
    PremiumRepository {
        repository_arn: Some(st.repository_arn(Kind::Premium, &repo.name)),
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(repo.name.clone()),
        repository_uri: Some(st.repository_uri(Kind::Premium, &repo.name)),
        created_at: Some(repo.created_at),
        marketplace_products: repo.products.clone(),
        associated_repositories: associated(repo),
        state: Some(repo.state.clone()),
    }
}

/// The checks every operation on an existing premium repository makes.
fn premium_repository<'a>(st: &'a State, registry_id: Option<&String>, name: &str) -> Result<&'a Repository, ApiError> {
    check_own_registry_id(st, registry_id)?;
    check_repository_name("repositoryName", name)?;
    repository(st, Kind::Premium, name)
}

pub(crate) fn create_premium_repository(
    st: &mut State,
    input: i::CreatePremiumRepositoryInput,
) -> Result<o::CreatePremiumRepositoryOutput, ApiError> {
    check_repository_name("repositoryName", &input.repository_name)?;
    if let Some(c) = &input.catalog_data {
        catalog::check_input(c)?;
    }
    check_products(&input.marketplace_products)?;
    let tags = input.tags.as_deref().map(check_tags).transpose()?.unwrap_or_default();
    let tags = merge_tags(&[], tags)?;
    if !st.premium_enabled() {
        let why = match (st.verified, &st.custom_alias) {
            (false, _) => "the registry is not verified".to_owned(),
            (true, None) => "the registry has no custom alias".to_owned(),
            (true, Some((alias, status))) => format!("the custom alias '{alias}' is {status}, not approved"),
        };
        return Err(validation(format!(
            "Premium repositories need a verified registry with an approved custom registry alias: {why}"
        )));
    }
    let name = input.repository_name;
    if st.premium.contains_key(&name) {
        return Err(already_exists(st, Kind::Premium, &name));
    }
    check_room(st, Kind::Premium)?;
    let mut repo = Repository::new(Kind::Premium, &name);
    repo.tags = tags;
    repo.products = input.marketplace_products;
    let owner = format!("{}/{name}", st.primary_alias());
    repo.catalog = input.catalog_data.map(|c| catalog::apply(&owner, None, c));
    let out = o::CreatePremiumRepositoryOutput {
        premium_repository: Some(premium_shape(st, &repo)),
        catalog_data: catalog::output(&repo),
        request_id: None,
    };
    st.premium.insert(name, repo);
    Ok(out)
}

pub(crate) fn describe_premium_repositories(
    st: &mut State,
    input: i::DescribePremiumRepositoriesInput,
) -> Result<o::DescribePremiumRepositoriesOutput, ApiError> {
    check_own_registry_id(st, input.registry_id.as_ref())?;
    if let Some(names) = &input.repository_names {
        check_count("repositoryNames", names.len(), 1, 100)?;
        if input.next_token.is_some() || input.max_results.is_some() {
            return Err(invalid("nextToken and maxResults cannot be used together with repositoryNames"));
        }
        let mut repositories: Vec<PremiumRepository> = Vec::new();
        for (n, name) in names.iter().enumerate() {
            check_repository_name("repositoryNames", name)?;
            let repo = repository(st, Kind::Premium, name)?;
            if !names[..n].contains(name) {
                repositories.push(premium_shape(st, repo));
            }
        }
        return Ok(o::DescribePremiumRepositoriesOutput { repositories, next_token: None, request_id: None });
    }
    let listing = Listing {
        operation: "DescribePremiumRepositories",
        scope: String::new(),
        token: input.next_token.as_ref(),
        max_results: input.max_results,
        limit: 1000,
    };
    let (repositories, next_token) =
        listing.page(st, st.premium.values().map(|r| (r.name.clone(), premium_shape(st, r))).collect())?;
    Ok(o::DescribePremiumRepositoriesOutput { repositories, next_token, request_id: None })
}

pub(crate) fn delete_premium_repository(
    st: &mut State,
    input: i::DeletePremiumRepositoryInput,
) -> Result<o::DeletePremiumRepositoryOutput, ApiError> {
    let name = &input.repository_name;
    let repo = premium_repository(st, input.registry_id.as_ref(), name)?;
    if !repo.images.is_empty() {
        return Err(ApiError::new(
            e::RepositoryNotEmptyException::CODE,
            format!(
                "The premium repository with name '{name}' still holds {} images: delete them (in DRAFT) or let \
                 their scheduled deletion happen first",
                repo.images.len()
            ),
        ));
    }
    // Only these members are returned.
    let shape = PremiumRepository {
        repository_arn: Some(st.repository_arn(Kind::Premium, name)),
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(name.clone()),
        repository_uri: Some(st.repository_uri(Kind::Premium, name)),
        created_at: Some(repo.created_at),
        marketplace_products: Vec::new(),
        associated_repositories: Vec::new(),
        state: None,
    };
    remove_repository(st, Kind::Premium, name);
    Ok(o::DeletePremiumRepositoryOutput { premium_repository: Some(shape), request_id: None })
}

pub(crate) fn get_premium_repository_catalog_data(
    st: &mut State,
    input: i::GetPremiumRepositoryCatalogDataInput,
) -> Result<o::GetPremiumRepositoryCatalogDataOutput, ApiError> {
    let repo = premium_repository(st, input.registry_id.as_ref(), &input.repository_name)?;
    let catalog_data = catalog_or_not_found(repo)?;
    Ok(o::GetPremiumRepositoryCatalogDataOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        catalog_data: Some(catalog_data),
        request_id: None,
    })
}

pub(crate) fn put_premium_repository_catalog_data(
    st: &mut State,
    input: i::PutPremiumRepositoryCatalogDataInput,
) -> Result<o::PutPremiumRepositoryCatalogDataOutput, ApiError> {
    check_own_registry_id(st, input.registry_id.as_ref())?;
    check_repository_name("repositoryName", &input.repository_name)?;
    catalog::check_input(&input.catalog_data)?;
    let data = store_catalog(st, Kind::Premium, &input.repository_name, input.catalog_data)?;
    Ok(o::PutPremiumRepositoryCatalogDataOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        catalog_data: Some(data),
        request_id: None,
    })
}

pub(crate) fn set_premium_repository_policy(
    st: &mut State,
    input: i::SetPremiumRepositoryPolicyInput,
) -> Result<o::SetPremiumRepositoryPolicyOutput, ApiError> {
    check_own_registry_id(st, input.registry_id.as_ref())?;
    check_repository_name("repositoryName", &input.repository_name)?;
    set_policy(st, Kind::Premium, &input.repository_name, &input.policy_text, input.force.unwrap_or(false))?;
    Ok(o::SetPremiumRepositoryPolicyOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        policy_text: Some(input.policy_text),
        request_id: None,
    })
}

pub(crate) fn get_premium_repository_policy(
    st: &mut State,
    input: i::GetPremiumRepositoryPolicyInput,
) -> Result<o::GetPremiumRepositoryPolicyOutput, ApiError> {
    premium_repository(st, input.registry_id.as_ref(), &input.repository_name)?;
    let policy = get_policy(st, Kind::Premium, &input.repository_name)?;
    Ok(o::GetPremiumRepositoryPolicyOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        policy_text: Some(policy),
        request_id: None,
    })
}

pub(crate) fn delete_premium_repository_policy(
    st: &mut State,
    input: i::DeletePremiumRepositoryPolicyInput,
) -> Result<o::DeletePremiumRepositoryPolicyOutput, ApiError> {
    premium_repository(st, input.registry_id.as_ref(), &input.repository_name)?;
    let policy = delete_policy(st, Kind::Premium, &input.repository_name)?;
    Ok(o::DeletePremiumRepositoryPolicyOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        policy_text: Some(policy),
        request_id: None,
    })
}

pub(crate) fn put_premium_repository_products(
    st: &mut State,
    input: i::PutPremiumRepositoryProductsInput,
) -> Result<o::PutPremiumRepositoryProductsOutput, ApiError> {
    check_own_registry_id(st, input.registry_id.as_ref())?;
    check_repository_name("repositoryName", &input.repository_name)?;
    check_products(&input.marketplace_products)?;
    let repo = repository(st, Kind::Premium, &input.repository_name)?;
    if repo.state != RepositoryState::Draft {
        if let Some(dropped) = repo.products.iter().find(|p| !input.marketplace_products.contains(p)) {
            return Err(invalid(format!(
                "Invalid parameter at 'marketplaceProducts': the product '{dropped}' is left out, but products can \
                 only be removed while the repository is DRAFT (it is {}); give the full list",
                repo.state
            )));
        }
    }
    let repo = repository_mut(st, Kind::Premium, &input.repository_name)?;
    repo.products = input.marketplace_products.clone();
    Ok(o::PutPremiumRepositoryProductsOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        marketplace_products: input.marketplace_products,
        request_id: None,
    })
}

pub(crate) fn set_repository_state(
    st: &mut State,
    input: i::SetRepositoryStateInput,
) -> Result<o::SetRepositoryStateOutput, ApiError> {
    check_own_registry_id(st, input.registry_id.as_ref())?;
    check_repository_name("repositoryName", &input.repository_name)?;
    let kind = kind("repositoryType", Some(&input.repository_type))?;
    check_enum("state", &input.state, RepositoryState::VALUES)?;
    if kind != Kind::Premium {
        return Err(invalid(
            "Invalid parameter at 'repositoryType': the state can only be set on a PREMIUM repository",
        ));
    }
    let repo = repository_mut(st, kind, &input.repository_name)?;
    let allowed = repo.state == input.state
        || matches!(
            (&repo.state, &input.state),
            (RepositoryState::Draft, RepositoryState::Available)
                | (RepositoryState::Available, RepositoryState::Hidden)
                | (RepositoryState::Hidden, RepositoryState::Available)
        );
    if !allowed {
        return Err(invalid(format!(
            "Invalid parameter at 'state': a repository that is {} cannot become {} (DRAFT can become AVAILABLE, \
             AVAILABLE and HIDDEN each other, and none DRAFT again)",
            repo.state, input.state
        )));
    }
    repo.state = input.state.clone();
    Ok(o::SetRepositoryStateOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        repository_type: Some(RepositoryType::Premium),
        state: Some(input.state),
        request_id: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Associations
// ---------------------------------------------------------------------------------------------

/// The two repositories of an (dis)association request, checked: `(source kind, target kind)`.
fn pair(
    st: &State,
    registry_id: Option<&String>,
    name: &str,
    source: &RepositoryType,
    other: &str,
    target: &RepositoryType,
) -> Result<(Kind, Kind), ApiError> {
    check_own_registry_id(st, registry_id)?;
    check_repository_name("repositoryName", name)?;
    check_repository_name("associatedRepositoryName", other)?;
    let source = kind("repositoryType", Some(source))?;
    let target = kind("associatedRepositoryType", Some(target))?;
    if source == target {
        return Err(invalid(
            "Invalid parameter at 'associatedRepositoryType': one repository must be FREE and the other PREMIUM",
        ));
    }
    repository(st, source, name)?;
    repository(st, target, other)?;
    Ok((source, target))
}

pub(crate) fn associate_repositories(
    st: &mut State,
    input: i::AssociateRepositoriesInput,
) -> Result<o::AssociateRepositoriesOutput, ApiError> {
    let (name, other) = (&input.repository_name, &input.associated_repository_name);
    let (source, target) =
        pair(st, input.registry_id.as_ref(), name, &input.repository_type, other, &input.associated_repository_type)?;
    for (kind, n) in [(source, name), (target, other)] {
        if let Some(current) = &repository(st, kind, n)?.associated {
            return Err(ApiError::new(
                e::AssociationAlreadyExistsException::CODE,
                format!(
                    "The {} '{n}' is already associated with the {} '{current}'; a repository can have only one \
                     associated repository",
                    kind.noun(),
                    kind.other().noun()
                ),
            ));
        }
    }
    repository_mut(st, source, name)?.associated = Some(other.clone());
    repository_mut(st, target, other)?.associated = Some(name.clone());
    Ok(o::AssociateRepositoriesOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        repository_type: Some(source.repository_type()),
        associated_repository_name: Some(input.associated_repository_name),
        associated_repository_type: Some(target.repository_type()),
        request_id: None,
    })
}

pub(crate) fn disassociate_repositories(
    st: &mut State,
    input: i::DisassociateRepositoriesInput,
) -> Result<o::DisassociateRepositoriesOutput, ApiError> {
    let (name, other) = (&input.repository_name, &input.associated_repository_name);
    let (source, target) =
        pair(st, input.registry_id.as_ref(), name, &input.repository_type, other, &input.associated_repository_type)?;
    if repository(st, source, name)?.associated.as_ref() != Some(other) {
        return Err(ApiError::new(
            e::AssociationNotFoundException::CODE,
            format!("The {} '{name}' and the {} '{other}' are not associated", source.noun(), target.noun()),
        ));
    }
    repository_mut(st, source, name)?.associated = None;
    repository_mut(st, target, other)?.associated = None;
    Ok(o::DisassociateRepositoriesOutput {
        registry_id: Some(st.account_id.clone()),
        repository_name: Some(input.repository_name),
        repository_type: Some(source.repository_type()),
        associated_repository_name: Some(input.associated_repository_name),
        associated_repository_type: Some(target.repository_type()),
        request_id: None,
    })
}
