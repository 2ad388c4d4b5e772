package managedpolicies

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/gatehouse-iam/gatehouse/policy"
)

func TestCatalog(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() < 1000 {
		t.Fatalf("only %d policies", c.Len())
	}
	for _, name := range []string{"ReadOnlyAccess", "IAMReadOnlyAccess", "AmazonEC2FullAccess", "AmazonS3FullAccess", "AmazonRDSFullAccess", "AdministratorAccess"} {
		arn := "arn:aws:iam::aws:policy/" + name
		p, ok := c.Policy(arn)
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if !strings.HasPrefix(p.ID, "ANPA") || len(p.ID) != 21 || p.DefaultVersionID == "" {
			t.Errorf("%s: %+v", name, p)
		}
		doc, _ := c.Document(arn)
		if _, err := policy.ParseAndCompile(arn, doc, policy.KindIdentity); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, ok := c.Policy("arn:aws:iam::aws:policy/NoSuchPolicy"); ok {
		t.Error("unknown policy found")
	}
}

// TestDocuments reads every document, which the catalogue keeps compressed:
// each is indented JSON, the same text when read again (the same string:
// kept once read), and a compiled policy of its kind.
func TestDocuments(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.List() {
		doc, ok := c.Document(p.ARN)
		if !ok || !json.Valid([]byte(doc)) || !strings.HasPrefix(doc, "{\n    ") {
			t.Fatalf("%s: %q, %v", p.ARN, doc, ok)
		}
		again, _ := c.Document(p.ARN)
		if unsafe.StringData(again) != unsafe.StringData(doc) {
			t.Fatalf("%s: read twice, two copies", p.ARN)
		}
	}
	if _, ok := c.Document("arn:aws:iam::aws:policy/NoSuchPolicy"); ok {
		t.Error("unknown policy's document found")
	}
}

// BenchmarkLoad measures decoding the catalogue (once per process) and the
// live heap after it.
func BenchmarkLoad(b *testing.B) {
	var c *Catalog
	for b.Loop() {
		var err error
		if c, err = Load(); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "live-MB")
	runtime.KeepAlive(c)
}
