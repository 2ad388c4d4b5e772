// Package gen turns a botocore-format AWS API model (service-2.json) into Go
// source: the shapes as Go types with AWS Query decoders and XML encoders
// (GenerateAPI), and the error-code table of package awserr
// (GenerateErrors). Output is gofmt'd and deterministic, so a test can check
// that committed files are fresh.
package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// Model is the part of a botocore service model the generators read.
type Model struct {
	Metadata   Metadata              `json:"metadata"`
	Operations map[string]*Operation `json:"operations"`
	Shapes     map[string]*Shape     `json:"shapes"`
}

// Metadata is the model's service metadata.
type Metadata struct {
	APIVersion     string `json:"apiVersion"`
	EndpointPrefix string `json:"endpointPrefix"`
	Protocol       string `json:"protocol"`
	ServiceID      string `json:"serviceId"`
	SigningName    string `json:"signingName"`
	TargetPrefix   string `json:"targetPrefix"`
	UID            string `json:"uid"`
	XMLNamespace   string `json:"xmlNamespace"`
}

// Operation is one API operation.
type Operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *Ref `json:"input"`
	Output *Ref `json:"output"`
	// Deprecated marks an operation replaced by another (S3's
	// GetBucketLifecycle by GetBucketLifecycleConfiguration).
	Deprecated bool `json:"deprecated"`
	// HTTPChecksumRequired and HTTPChecksum.RequestChecksumRequired mark
	// an operation whose request must carry a checksum of its body (S3's
	// Content-MD5 or x-amz-checksum-*).
	HTTPChecksumRequired bool `json:"httpChecksumRequired"`
	HTTPChecksum         struct {
		RequestChecksumRequired bool `json:"requestChecksumRequired"`
	} `json:"httpChecksum"`
	Errors        []*Ref `json:"errors"`
	Documentation string `json:"documentation"`
}

// Ref is a reference to a shape, from an operation or a structure member.
type Ref struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
	// Location is where a REST member travels: "uri", "querystring",
	// "header", "headers" or "statusCode"; "" is the body.
	Location      string `json:"location"`
	ResultWrapper string `json:"resultWrapper"`
	Flattened     bool   `json:"flattened"`
	XMLAttribute  bool   `json:"xmlAttribute"`
	// Streaming marks a blob payload read or written as a stream (S3's
	// object bodies).
	Streaming     bool   `json:"streaming"`
	Documentation string `json:"documentation"`
}

// Member is a named structure member, in model order.
type Member struct {
	Name string
	Ref
}

// Members keeps a structure's members in the order of the model, which is
// the order AWS writes them in XML.
type Members []Member

// UnmarshalJSON reads a JSON object, keeping the order of its keys.
func (ms *Members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("members: %w", err)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("members: %w", err)
		}
		name, ok := t.(string)
		if !ok {
			return fmt.Errorf("members: unexpected token %v", t)
		}
		var m Member
		if err := dec.Decode(&m.Ref); err != nil {
			return fmt.Errorf("member %s: %w", name, err)
		}
		m.Name = name
		*ms = append(*ms, m)
	}
	return nil
}

// XMLNamespace is an xmlNamespace trait: a prefix (none for the default
// namespace) and its URI.
type XMLNamespace struct {
	Prefix string `json:"prefix"`
	URI    string `json:"uri"`
}

// ErrorInfo is an exception shape's `error` trait.
type ErrorInfo struct {
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	SenderFault    bool   `json:"senderFault"`
}

// Shape is one model shape.
type Shape struct {
	Type      string       `json:"type"`
	Members   Members      `json:"members"`
	Required  []string     `json:"required"`
	Member    *Ref         `json:"member"`
	Key       *Ref         `json:"key"`
	Value     *Ref         `json:"value"`
	Min       *json.Number `json:"min"`
	Max       *json.Number `json:"max"`
	Pattern   string       `json:"pattern"`
	Enum      []string     `json:"enum"`
	Box       bool         `json:"box"`
	Sensitive bool         `json:"sensitive"`
	Flattened bool         `json:"flattened"`
	Union     bool         `json:"union"`
	// Payload names the member that is a REST input's or output's whole
	// body.
	Payload string `json:"payload"`
	// XMLNamespace is a REST-XML structure's namespace declaration
	// (S3's Grantee declares the xsi prefix).
	XMLNamespace *XMLNamespace `json:"xmlNamespace"`
	// TimestampFormat is "iso8601", "epoch-seconds", "rfc822" or "" (the
	// protocol's default).
	TimestampFormat string     `json:"timestampFormat"`
	Exception       bool       `json:"exception"`
	Error           *ErrorInfo `json:"error"`
	Documentation   string     `json:"documentation"`
}

func bound(n *json.Number) (int64, bool, error) {
	if n == nil {
		return 0, false, nil
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("bound %s: %w", n, err)
	}
	return v, true, nil
}

func (s *Shape) isRequired(member string) bool {
	for _, r := range s.Required {
		if r == member {
			return true
		}
	}
	return false
}

// Load reads and parses a service-2.json model.
func Load(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	return Parse(b)
}

// Parse parses a service-2.json model and checks that every shape reference
// resolves.
func Parse(b []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	check := func(r *Ref, where string) error {
		if r == nil {
			return nil
		}
		if _, ok := m.Shapes[r.Shape]; !ok {
			return fmt.Errorf("%s refers to unknown shape %q", where, r.Shape)
		}
		return nil
	}
	for name, op := range m.Operations {
		if err := check(op.Input, name); err != nil {
			return nil, err
		}
		if err := check(op.Output, name); err != nil {
			return nil, err
		}
		for _, e := range op.Errors {
			if err := check(e, name); err != nil {
				return nil, err
			}
		}
	}
	for name, s := range m.Shapes {
		for _, r := range []*Ref{s.Member, s.Key, s.Value} {
			if err := check(r, name); err != nil {
				return nil, err
			}
		}
		for i := range s.Members {
			if err := check(&s.Members[i].Ref, name+"."+s.Members[i].Name); err != nil {
				return nil, err
			}
		}
	}
	return &m, nil
}
