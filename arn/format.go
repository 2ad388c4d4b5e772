package arn

// Partition is the ARN partition Gatehouse issues.
const Partition = "aws"

// iam forms arn:aws:iam::ACCOUNT:TYPE/PATH/NAME; path "" means "/".
func iam(account, typ, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:" + Partition + ":iam::" + account + ":" + typ + path + name
}

// User is the ARN of user name with path (e.g. "/" or "/division/").
func User(account, path, name string) string { return iam(account, "user", path, name) }

// Group is the ARN of a group.
func Group(account, path, name string) string { return iam(account, "group", path, name) }

// Role is the ARN of a role.
func Role(account, path, name string) string { return iam(account, "role", path, name) }

// Policy is the ARN of a managed policy; account is "aws" (store.AWSAccount)
// for AWS managed policies.
func Policy(account, path, name string) string { return iam(account, "policy", path, name) }

// InstanceProfile is the ARN of an instance profile.
func InstanceProfile(account, path, name string) string {
	return iam(account, "instance-profile", path, name)
}

// MFADevice is the ARN (and serial number) of a virtual MFA device.
func MFADevice(account, path, name string) string { return iam(account, "mfa", path, name) }

// Root is the ARN of an account's root user.
func Root(account string) string { return "arn:" + Partition + ":iam::" + account + ":root" }

// OIDCProvider is the ARN of an OpenID Connect provider in an account; url
// is the provider's URL as store.OIDCProviderURL normalises it.
func OIDCProvider(account, url string) string {
	return "arn:" + Partition + ":iam::" + account + ":oidc-provider/" + url
}

// ServerCertificate is the ARN of an IAM server certificate.
func ServerCertificate(account, path, name string) string {
	return iam(account, "server-certificate", path, name)
}

// SAMLProvider is the ARN of a SAML provider in an account.
func SAMLProvider(account, name string) string {
	return "arn:" + Partition + ":iam::" + account + ":saml-provider/" + name
}

// Workload is the ARN of a workload: EC2's instance ARN, so that
// ec2:SourceInstanceARN conditions read as on AWS.
func Workload(region, account, id string) string {
	return "arn:" + Partition + ":ec2:" + region + ":" + account + ":instance/" + id
}
