# People and their credentials: users, groups and memberships, managed and
# inline policies with every attachment resource (including the exclusive
# ones), a permissions boundary, access keys, a console password, a virtual
# MFA device, an SSH key, a signing certificate, a service-specific
# credential, and the data sources that read them back.

resource "aws_iam_group" "developers" {
  name = "developers"
  path = "/teams/"
}

resource "aws_iam_group" "ops" {
  name = "ops"
}

resource "aws_iam_user" "alice" {
  name = "alice"
  path = "/teams/"
  tags = { team = "platform" }
}

resource "aws_iam_user" "carol" {
  name = "carol"
  tags = { team = "ops" }
}

resource "aws_iam_user_group_membership" "alice" {
  user   = aws_iam_user.alice.name
  groups = [aws_iam_group.developers.name]
}

resource "aws_iam_group_membership" "ops" {
  name  = "ops-members"
  group = aws_iam_group.ops.name
  users = [aws_iam_user.bob.name, aws_iam_user.carol.name]
}

resource "aws_iam_policy" "read_reports" {
  name        = "read-reports"
  description = "Read the reports bucket"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
    }]
  })
  tags = { owner = "data" }
}

resource "aws_iam_policy" "audit" {
  name = "audit"
  path = "/audit/"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["iam:GenerateCredentialReport", "iam:GetCredentialReport"], Resource = "*" }]
  })
}

resource "aws_iam_group_policy_attachment" "developers_read" {
  group      = aws_iam_group.developers.name
  policy_arn = aws_iam_policy.read_reports.arn
}

resource "aws_iam_group_policy_attachments_exclusive" "developers" {
  group_name  = aws_iam_group.developers.name
  policy_arns = [aws_iam_group_policy_attachment.developers_read.policy_arn]
}

resource "aws_iam_group_policy" "developers" {
  name  = "list-users"
  group = aws_iam_group.developers.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:ListUsers", Resource = "*" }]
  })
}

resource "aws_iam_group_policies_exclusive" "developers" {
  group_name   = aws_iam_group.developers.name
  policy_names = [aws_iam_group_policy.developers.name]
}

# The one non-exclusive-per-entity resource: every user, group and role the
# policy is attached to.
resource "aws_iam_policy_attachment" "audit" {
  name       = "audit"
  policy_arn = aws_iam_policy.audit.arn
  users      = [aws_iam_user.carol.name]
  groups     = [aws_iam_group.ops.name]
}

resource "aws_iam_user_policy" "alice_inline" {
  name = "own-keys"
  user = aws_iam_user.alice.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:DeleteAccessKey"]
      Resource = "arn:aws:iam::*:user/$${aws:username}"
    }]
  })
}

resource "aws_iam_user_policies_exclusive" "alice" {
  user_name    = aws_iam_user.alice.name
  policy_names = [aws_iam_user_policy.alice_inline.name]
}

resource "aws_iam_user_policy_attachment" "carol_read" {
  user       = aws_iam_user.carol.name
  policy_arn = aws_iam_policy.read_reports.arn
}

resource "aws_iam_user_policy_attachments_exclusive" "carol" {
  user_name   = aws_iam_user.carol.name
  policy_arns = [aws_iam_user_policy_attachment.carol_read.policy_arn, aws_iam_policy_attachment.audit.policy_arn]
}

resource "aws_iam_access_key" "alice" {
  user = aws_iam_user.alice.name
}

resource "aws_iam_policy" "boundary" {
  name = "boundary"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:*", "iam:Get*", "iam:List*"], Resource = "*" }]
  })
}

resource "aws_iam_user" "bob" {
  name                 = "bob"
  permissions_boundary = aws_iam_policy.boundary.arn
  force_destroy        = true
}

resource "aws_iam_user_login_profile" "bob" {
  user                    = aws_iam_user.bob.name
  password_reset_required = true
  # What IAM cannot return, so an import cannot read (the resource's import
  # documentation asks for this).
  lifecycle { ignore_changes = [password_length, password_reset_required, pgp_key] }
}

resource "aws_iam_virtual_mfa_device" "bob" {
  virtual_mfa_device_name = "bob"
  tags                    = { owner = "bob" }
}

resource "aws_iam_user_ssh_key" "carol" {
  username   = aws_iam_user.carol.name
  encoding   = "SSH"
  public_key = var.ssh_public_key
}

resource "aws_iam_signing_certificate" "carol" {
  user_name        = aws_iam_user.carol.name
  certificate_body = var.cert_pem
}

resource "aws_iam_service_specific_credential" "carol" {
  user_name    = aws_iam_user.carol.name
  service_name = "codecommit.amazonaws.com"
}

data "aws_iam_access_keys" "alice" {
  user       = aws_iam_user.alice.name
  depends_on = [aws_iam_access_key.alice]
}

data "aws_iam_group" "ops" {
  group_name = aws_iam_group_membership.ops.group
}

data "aws_iam_user" "bob" {
  user_name = aws_iam_user.bob.name
}

data "aws_iam_users" "teams" {
  path_prefix = "/teams/"
  depends_on  = [aws_iam_user.alice]
}

data "aws_iam_user_ssh_key" "carol" {
  username          = aws_iam_user.carol.name
  ssh_public_key_id = aws_iam_user_ssh_key.carol.ssh_public_key_id
  encoding          = "PEM"
}

data "aws_iam_policy" "ro" {
  arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

# What the simulator says carol may do: read reports (her attached policy),
# not delete users.
data "aws_iam_principal_policy_simulation" "carol" {
  policy_source_arn = aws_iam_user.carol.arn
  action_names      = ["s3:GetObject", "iam:DeleteUser"]
  resource_arns     = ["arn:aws:s3:::reports/q1.csv"]
  depends_on        = [aws_iam_user_policy_attachments_exclusive.carol]
}

output "alice_key" { value = aws_iam_access_key.alice.id }
output "alice_keys" { value = length(data.aws_iam_access_keys.alice.access_keys) }
output "ops_users" { value = sort(data.aws_iam_group.ops.users[*].user_name) }
output "bob_boundary" { value = data.aws_iam_user.bob.permissions_boundary }
output "team_users" { value = data.aws_iam_users.teams.names }
output "carol_pem_key" { value = data.aws_iam_user_ssh_key.carol.public_key }
output "carol_simulation" { value = { for r in data.aws_iam_principal_policy_simulation.carol.results : r.action_name => r.allowed } }
output "ro_policy" { value = data.aws_iam_policy.ro.name }
