// Package bench compares Gatehouse's policy engine with cedar-go, OPA (Rego) and a
// naive Go evaluator on equivalent policies and requests. It lives in its own
// module so that the peers' dependencies never reach Gatehouse's go.mod.
//
// Everything is in the tests: TestAgreement proves that every engine decides every
// request of every workload alike, and the BenchmarkW* functions time one decision.
// See README.md.
package bench
