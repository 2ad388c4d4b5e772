// Package policy is AWS's policy language: it parses policy documents with AWS's
// grammar and MalformedPolicyDocument messages, compiles them into matchers, and
// decides requests by AWS's documented evaluation logic — explicit deny first, then
// organization guardrails (service and resource control policies), VPC endpoint
// policies, resource-based policies, identity-based policies, permissions
// boundaries and session policies — and explains each decision.
//
// The package does no I/O and imports only the standard library and Gatehouse's
// own pure packages. Time and every other request fact arrive in the request
// context (aws:CurrentTime and the rest); nothing is read from the environment.
//
// Use it in three steps: Parse and Compile each document once when it changes,
// assemble the policies that apply to a caller into a Set (and Prepare a set that
// is kept for many requests: its identity policies' indexes are merged into one),
// and call Evaluate (no allocation) or Explain (with reasons) for each request.
package policy
