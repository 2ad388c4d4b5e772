// Package terraformtest proves Gatehouse with Terraform's AWS provider, the
// client most teams manage IAM with: its test applies the configurations in
// testdata against a whole server on a loopback port, checks that a second
// plan finds nothing to change, and destroys them. It skips, saying why,
// where no terraform binary or no local mirror of the hashicorp/aws provider
// is found (the machine has no network).
package terraformtest
