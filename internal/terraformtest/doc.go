// Package terraformtest proves Gatehouse with Terraform's AWS provider, the
// client most teams manage IAM with. coverage.go lists every aws_iam_*,
// aws_organizations_* and aws_accessanalyzer_* resource and data source of
// hashicorp/aws 5.100.0; TestCoverage fails when the configurations in
// testdata stop using one (unless it is listed as not coverable, with the
// reason), and TestTerraform checks the list against the installed
// provider's schema. TestTerraform applies each configuration against a
// server of its own (the configurations run at once), checks what the data
// sources read back, plans again expecting no changes, forgets a resource
// of each importable kind and imports it through import blocks expecting no
// change, and destroys everything. It skips, saying why, where no terraform
// binary or no local mirror of the hashicorp/aws provider is found (the
// machine has no network).
package terraformtest
