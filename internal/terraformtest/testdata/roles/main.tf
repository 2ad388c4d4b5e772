# Roles and the account: roles with inline and managed policies (including
# the exclusive resources), an instance profile, a service-linked role,
# OIDC and SAML providers, a server certificate, the account's alias,
# password policy and STS preferences, a bucket guarded by a policy, an
# account analyzer with an archive rule, and the data sources that read
# them back.

resource "aws_iam_policy" "read_reports" {
  name = "read-reports"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
    }]
  })
}

resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  max_session_duration = 7200
  tags                 = { app = "reports" }
}

resource "aws_iam_role_policy" "app_inline" {
  name = "write-results"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::results/*" }]
  })
}

resource "aws_iam_role_policies_exclusive" "app" {
  role_name    = aws_iam_role.app.name
  policy_names = [aws_iam_role_policy.app_inline.name]
}

resource "aws_iam_role_policy_attachment" "app_read" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.read_reports.arn
}

resource "aws_iam_role_policy_attachment" "app_managed" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy_attachments_exclusive" "app" {
  role_name   = aws_iam_role.app.name
  policy_arns = [aws_iam_role_policy_attachment.app_read.policy_arn, aws_iam_role_policy_attachment.app_managed.policy_arn]
}

resource "aws_iam_instance_profile" "app" {
  name = "app"
  role = aws_iam_role.app.name
}

resource "aws_iam_service_linked_role" "analyzer" {
  aws_service_name = "access-analyzer.amazonaws.com"
}

resource "aws_iam_service_linked_role" "autoscaling" {
  aws_service_name = "autoscaling.amazonaws.com"
  custom_suffix    = "reports"
  description      = "Scales the report workers"
}

resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length        = 14
  require_symbols                = true
  require_numbers                = true
  require_uppercase_characters   = true
  require_lowercase_characters   = true
  allow_users_to_change_password = true
  max_password_age               = 90
  password_reuse_prevention      = 5
}

resource "aws_iam_account_alias" "alias" {
  account_alias = "gatehouse-tf-test"
}

resource "aws_iam_security_token_service_preferences" "v2" {
  global_endpoint_token_version = "v2Token"
}

resource "aws_iam_openid_connect_provider" "ci" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
  tags            = { ci = "github" }
}

resource "aws_iam_saml_provider" "idp" {
  name                   = "corp-idp"
  saml_metadata_document = var.saml_metadata
  tags                   = { sso = "corp" }
}

resource "aws_iam_server_certificate" "www" {
  name             = "www"
  path             = "/cloudfront/"
  certificate_body = var.cert_pem
  private_key      = var.key_pem
  tags             = { site = "www" }
  # IAM never returns the private key, so an import cannot read it.
  lifecycle { ignore_changes = [private_key] }
}

data "aws_iam_policy_document" "assume_from_account" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.me.account_id}:root"]
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
  statement {
    actions = ["sts:AssumeRoleWithSAML"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_saml_provider.idp.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "SAML:aud"
      values   = ["https://signin.aws.amazon.com/saml"]
    }
  }
}

resource "aws_iam_role" "admin" {
  name               = "admin"
  path               = "/ops/"
  assume_role_policy = data.aws_iam_policy_document.assume_from_account.json
}

resource "aws_s3_bucket" "reports" {
  bucket = "reports"
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = aws_s3_bucket.reports.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = aws_iam_role.app.arn }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.reports.arn}/*"
    }]
  })
}

resource "aws_s3_object" "q1" {
  bucket  = aws_s3_bucket.reports.id
  key     = "q1.csv"
  content = "a,b\n1,2\n"
}

resource "aws_accessanalyzer_analyzer" "account" {
  analyzer_name = "account"
  type          = "ACCOUNT"
  tags          = { scope = "account" }
}

resource "aws_accessanalyzer_archive_rule" "own_buckets" {
  analyzer_name = aws_accessanalyzer_analyzer.account.analyzer_name
  rule_name     = "own-buckets"
  filter {
    criteria = "resourceType"
    eq       = ["AWS::S3::Bucket"]
  }
  filter {
    criteria = "isPublic"
    eq       = ["false"]
  }
}

data "aws_iam_role" "app" {
  name = aws_iam_role.app.name
}

data "aws_iam_roles" "ops" {
  path_prefix = "/ops/"
  depends_on  = [aws_iam_role.admin]
}

data "aws_iam_instance_profile" "app" {
  name = aws_iam_instance_profile.app.name
}

data "aws_iam_instance_profiles" "app" {
  role_name  = aws_iam_role.app.name
  depends_on = [aws_iam_instance_profile.app]
}

data "aws_iam_openid_connect_provider" "ci" {
  arn = aws_iam_openid_connect_provider.ci.arn
}

data "aws_iam_saml_provider" "idp" {
  arn = aws_iam_saml_provider.idp.arn
}

data "aws_iam_server_certificate" "www" {
  name   = aws_iam_server_certificate.www.name
  latest = true
}

data "aws_iam_account_alias" "current" {
  depends_on = [aws_iam_account_alias.alias]
}

# An assumed-role ARN resolved to the role that issued it.
data "aws_iam_session_context" "admin" {
  arn = "arn:aws:sts::${data.aws_caller_identity.me.account_id}:assumed-role/${aws_iam_role.admin.name}/session-1"
}

output "role_arn" { value = data.aws_iam_role.app.arn }
output "ops_roles" { value = data.aws_iam_roles.ops.names }
output "profile_role" { value = data.aws_iam_instance_profile.app.role_name }
output "profiles" { value = data.aws_iam_instance_profiles.app.names }
output "oidc_clients" { value = data.aws_iam_openid_connect_provider.ci.client_id_list }
output "saml_name" { value = data.aws_iam_saml_provider.idp.name }
output "cert_path" { value = data.aws_iam_server_certificate.www.path }
output "alias" { value = data.aws_iam_account_alias.current.account_alias }
output "session_issuer" { value = data.aws_iam_session_context.admin.issuer_arn }
output "account" { value = data.aws_caller_identity.me.account_id }
