// Command gen writes servicedata's embedded data file from the shared reference
// data. It is run by go generate in package servicedata.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gatehouse-iam/gatehouse/authref/internal/compact"
)

func main() {
	auth := flag.String("auth", "", "service-authorization.json.gz")
	global := flag.String("global", "", "global-condition-keys.json")
	out := flag.String("o", "", "output file (gzip'd JSON)")
	flag.Parse()
	if err := run(*auth, *global, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(auth, global, out string) error {
	if auth == "" || global == "" || out == "" {
		return fmt.Errorf("-auth, -global and -o are required")
	}
	f, err := compact.BuildFiles(auth, global)
	if err != nil {
		return err
	}
	raw, err := compact.Encode(f)
	if err != nil {
		return err
	}
	gz, err := compact.Gzip(raw)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, gz, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Printf("gen: %s: %d services, %d bytes (%d uncompressed)\n", out, len(f.Services), len(gz), len(raw))
	return nil
}
