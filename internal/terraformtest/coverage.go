package terraformtest

// providerResources are the resources of hashicorp/aws 5.100.0 whose
// names start with aws_iam_, aws_organizations_ or aws_accessanalyzer_
// (from `terraform providers schema -json`). TestTerraform checks the list
// against the installed provider's schema, and TestCoverage that the
// configurations in testdata use every one not in notCoverable.
var providerResources = []string{
	"aws_accessanalyzer_analyzer",
	"aws_accessanalyzer_archive_rule",
	"aws_iam_access_key",
	"aws_iam_account_alias",
	"aws_iam_account_password_policy",
	"aws_iam_group",
	"aws_iam_group_membership",
	"aws_iam_group_policies_exclusive",
	"aws_iam_group_policy",
	"aws_iam_group_policy_attachment",
	"aws_iam_group_policy_attachments_exclusive",
	"aws_iam_instance_profile",
	"aws_iam_openid_connect_provider",
	"aws_iam_organizations_features",
	"aws_iam_policy",
	"aws_iam_policy_attachment",
	"aws_iam_role",
	"aws_iam_role_policies_exclusive",
	"aws_iam_role_policy",
	"aws_iam_role_policy_attachment",
	"aws_iam_role_policy_attachments_exclusive",
	"aws_iam_saml_provider",
	"aws_iam_security_token_service_preferences",
	"aws_iam_server_certificate",
	"aws_iam_service_linked_role",
	"aws_iam_service_specific_credential",
	"aws_iam_signing_certificate",
	"aws_iam_user",
	"aws_iam_user_group_membership",
	"aws_iam_user_login_profile",
	"aws_iam_user_policies_exclusive",
	"aws_iam_user_policy",
	"aws_iam_user_policy_attachment",
	"aws_iam_user_policy_attachments_exclusive",
	"aws_iam_user_ssh_key",
	"aws_iam_virtual_mfa_device",
	"aws_organizations_account",
	"aws_organizations_delegated_administrator",
	"aws_organizations_organization",
	"aws_organizations_organizational_unit",
	"aws_organizations_policy",
	"aws_organizations_policy_attachment",
	"aws_organizations_resource_policy",
}

// providerDataSources are the data sources of the same families.
var providerDataSources = []string{
	"aws_iam_access_keys",
	"aws_iam_account_alias",
	"aws_iam_group",
	"aws_iam_instance_profile",
	"aws_iam_instance_profiles",
	"aws_iam_openid_connect_provider",
	"aws_iam_policy",
	"aws_iam_policy_document",
	"aws_iam_principal_policy_simulation",
	"aws_iam_role",
	"aws_iam_roles",
	"aws_iam_saml_provider",
	"aws_iam_server_certificate",
	"aws_iam_session_context",
	"aws_iam_user",
	"aws_iam_user_ssh_key",
	"aws_iam_users",
	"aws_organizations_delegated_administrators",
	"aws_organizations_delegated_services",
	"aws_organizations_organization",
	"aws_organizations_organizational_unit",
	"aws_organizations_organizational_unit_child_accounts",
	"aws_organizations_organizational_unit_descendant_accounts",
	"aws_organizations_organizational_unit_descendant_organizational_units",
	"aws_organizations_organizational_units",
	"aws_organizations_policies",
	"aws_organizations_policies_for_target",
	"aws_organizations_policy",
	"aws_organizations_resource_tags",
}

// notCoverable names the resources and data sources ("data.NAME") of the
// lists above that no configuration uses, each with the reason. Empty:
// every one is used.
var notCoverable = map[string]string{}
