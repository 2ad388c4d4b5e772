# Organizations: an organization with service and resource control policies and
# trusted access, a member account in an OU, policies attached to it, a
# delegated administrator, the organization's resource policy, IAM's
# centralized root access, and every organizations data source.
resource "aws_organizations_organization" "org" {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]
  aws_service_access_principals = [
    "access-analyzer.amazonaws.com",
    "iam.amazonaws.com",
  ]
}

resource "aws_organizations_organizational_unit" "workloads" {
  name      = "workloads"
  parent_id = aws_organizations_organization.org.roots[0].id
  tags      = { tier = "workloads" }
}

resource "aws_organizations_organizational_unit" "prod" {
  name      = "prod"
  parent_id = aws_organizations_organizational_unit.workloads.id
}

resource "aws_organizations_account" "reports" {
  name      = "reports"
  email     = "reports@example.com"
  parent_id = aws_organizations_organizational_unit.prod.id
  role_name = "OrganizationAccountAccessRole"
  tags      = { app = "reports" }
  # The role name is only used at creation: AWS cannot read it back.
  lifecycle { ignore_changes = [role_name] }
}

resource "aws_organizations_policy" "deny_leave" {
  name        = "deny-leave"
  description = "Members stay in the organization"
  type        = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }]
  })
  tags       = { guard = "membership" }
  depends_on = [aws_organizations_organization.org]
}

resource "aws_organizations_policy" "secure_transport" {
  name = "secure-transport"
  type = "RESOURCE_CONTROL_POLICY"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyPlainHTTP"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = "*"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_organizations_organization.org]
}

resource "aws_organizations_policy_attachment" "workloads" {
  policy_id = aws_organizations_policy.deny_leave.id
  target_id = aws_organizations_organizational_unit.workloads.id
}

resource "aws_organizations_policy_attachment" "reports_transport" {
  policy_id = aws_organizations_policy.secure_transport.id
  target_id = aws_organizations_account.reports.id
}

resource "aws_organizations_delegated_administrator" "analyzer" {
  account_id        = aws_organizations_account.reports.id
  service_principal = "access-analyzer.amazonaws.com"
  depends_on        = [aws_organizations_organization.org]
}

resource "aws_organizations_resource_policy" "describe" {
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "MembersDescribe"
      Effect    = "Allow"
      Principal = { AWS = aws_organizations_account.reports.id }
      Action    = ["organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit"]
      Resource  = "*"
    }]
  })
  tags       = { purpose = "describe" }
  depends_on = [aws_organizations_organization.org]
}

resource "aws_iam_organizations_features" "root" {
  enabled_features = ["RootCredentialsManagement", "RootSessions"]
  depends_on       = [aws_organizations_organization.org]
}

data "aws_organizations_organization" "current" {
  depends_on = [aws_organizations_account.reports]
}

data "aws_organizations_organizational_unit" "workloads" {
  parent_id = aws_organizations_organization.org.roots[0].id
  name      = aws_organizations_organizational_unit.workloads.name
}

data "aws_organizations_organizational_units" "root" {
  parent_id  = aws_organizations_organization.org.roots[0].id
  depends_on = [aws_organizations_organizational_unit.workloads]
}

data "aws_organizations_organizational_unit_child_accounts" "prod" {
  parent_id  = aws_organizations_organizational_unit.prod.id
  depends_on = [aws_organizations_account.reports]
}

data "aws_organizations_organizational_unit_descendant_accounts" "workloads" {
  parent_id  = aws_organizations_organizational_unit.workloads.id
  depends_on = [aws_organizations_account.reports]
}

data "aws_organizations_organizational_unit_descendant_organizational_units" "root" {
  parent_id  = aws_organizations_organization.org.roots[0].id
  depends_on = [aws_organizations_organizational_unit.prod]
}

data "aws_organizations_policies" "scps" {
  filter     = "SERVICE_CONTROL_POLICY"
  depends_on = [aws_organizations_policy.deny_leave]
}

data "aws_organizations_policies_for_target" "workloads" {
  target_id  = aws_organizations_organizational_unit.workloads.id
  filter     = "SERVICE_CONTROL_POLICY"
  depends_on = [aws_organizations_policy_attachment.workloads]
}

data "aws_organizations_policy" "deny_leave" {
  policy_id = aws_organizations_policy.deny_leave.id
}

data "aws_organizations_resource_tags" "reports" {
  resource_id = aws_organizations_account.reports.id
}

data "aws_organizations_delegated_administrators" "analyzer" {
  service_principal = aws_organizations_delegated_administrator.analyzer.service_principal
}

data "aws_organizations_delegated_services" "reports" {
  account_id = aws_organizations_delegated_administrator.analyzer.account_id
}

output "org_id" { value = data.aws_organizations_organization.current.id }
output "accounts" { value = length(data.aws_organizations_organization.current.accounts) }
output "ou_arn" { value = data.aws_organizations_organizational_unit.workloads.arn }
output "root_ous" { value = data.aws_organizations_organizational_units.root.children[*].name }
output "prod_accounts" { value = data.aws_organizations_organizational_unit_child_accounts.prod.accounts[*].name }
output "workload_accounts" { value = data.aws_organizations_organizational_unit_descendant_accounts.workloads.accounts[*].name }
output "all_ous" { value = sort(data.aws_organizations_organizational_unit_descendant_organizational_units.root.children[*].name) }
output "scps" { value = length(data.aws_organizations_policies.scps.ids) }
output "workload_scps" { value = length(data.aws_organizations_policies_for_target.workloads.ids) }
output "deny_leave_name" { value = data.aws_organizations_policy.deny_leave.name }
output "reports_tags" { value = data.aws_organizations_resource_tags.reports.tags }
output "analyzer_admins" { value = data.aws_organizations_delegated_administrators.analyzer.delegated_administrators[*].name }
output "delegated_services" { value = data.aws_organizations_delegated_services.reports.delegated_services[*].service_principal }
