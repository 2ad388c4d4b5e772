# Organizations and Access Analyzer: an organization with SCPs and trusted
# access, an OU with a policy, the organization data source (which once failed
# on ListAWSServiceAccessForOrganization), and an account analyzer.
resource "aws_organizations_organization" "org" {
  feature_set                   = "ALL"
  enabled_policy_types          = ["SERVICE_CONTROL_POLICY"]
  aws_service_access_principals = ["access-analyzer.amazonaws.com"]
}

resource "aws_organizations_organizational_unit" "workloads" {
  name      = "workloads"
  parent_id = aws_organizations_organization.org.roots[0].id
}

resource "aws_organizations_policy" "deny_leave" {
  name = "deny-leave"
  type = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }]
  })
  depends_on = [aws_organizations_organization.org]
}

resource "aws_organizations_policy_attachment" "workloads" {
  policy_id = aws_organizations_policy.deny_leave.id
  target_id = aws_organizations_organizational_unit.workloads.id
}

data "aws_organizations_organization" "current" {
  depends_on = [aws_organizations_organization.org]
}

resource "aws_accessanalyzer_analyzer" "account" {
  analyzer_name = "account"
  type          = "ACCOUNT"
}

output "org_id" { value = data.aws_organizations_organization.current.id }
