// Command gatehouse is identity and access management you run yourself, with the
// semantics and wire protocols of AWS IAM, STS, Organizations and IAM Access
// Analyzer. See `gatehouse --help`.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
