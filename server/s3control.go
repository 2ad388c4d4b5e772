package server

import (
	"encoding/xml"
	"io"
	"net/http"

	"github.com/gatehouse-iam/gatehouse/api/s3codec"
	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
	"github.com/gatehouse-iam/gatehouse/s3"
	"github.com/gatehouse-iam/gatehouse/store"
)

// S3 Control's account-level Block Public Access shares S3's signing name:
// /v20180820/configuration/publicAccessBlock with x-amz-account-id (a bucket
// named v20180820 is addressed without that header).
const controlBlockPath = "/v20180820/configuration/publicAccessBlock"

// controlCall is one account-level Block Public Access request.
type controlCall struct {
	op      string
	account string
	r       *http.Request
}

// parseControl returns the S3 Control call r makes, if it is one.
func parseControl(r *http.Request) (streamCall, bool, error) {
	account := r.Header.Get("X-Amz-Account-Id")
	if account == "" || r.URL.Path != controlBlockPath {
		return nil, false, nil
	}
	c := controlCall{account: account, r: r}
	switch r.Method {
	case http.MethodPut:
		c.op = s3.OpPutAccountPublicAccessBlock
	case http.MethodGet:
		c.op = s3.OpGetAccountPublicAccessBlock
	case http.MethodDelete:
		c.op = s3.OpDeleteAccountPublicAccessBlock
	default:
		return nil, true, restxml.MethodNotAllowed(r.Method, "PUBLICACCESSBLOCK")
	}
	if !store.IsAccountID(account) {
		return nil, true, restxml.InvalidArgument("Invalid account id", "x-amz-account-id", account)
	}
	return c, true, nil
}

func (c controlCall) operation() string { return c.op }

// decodeBody reads a PUT's PublicAccessBlockConfiguration (at most 64 KiB).
func (c controlCall) decodeBody(body io.Reader) (any, error) {
	in := &s3.AccountBlockRequest{AccountID: c.account}
	if c.op != s3.OpPutAccountPublicAccessBlock {
		return &s3.Request{Operation: c.op, Header: c.r.Header, Query: c.r.URL.Query(), Input: in}, nil
	}
	var doc struct {
		XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
		BlockPublicAcls       bool
		IgnorePublicAcls      bool
		BlockPublicPolicy     bool
		RestrictPublicBuckets bool
	}
	data, err := io.ReadAll(io.LimitReader(body, 64<<10+1))
	if err != nil {
		return nil, err
	}
	if len(data) > 64<<10 || xml.Unmarshal(data, &doc) != nil {
		return nil, restxml.MalformedXML()
	}
	in.Config = &store.PublicAccessBlock{BlockPublicAcls: doc.BlockPublicAcls, IgnorePublicAcls: doc.IgnorePublicAcls,
		BlockPublicPolicy: doc.BlockPublicPolicy, RestrictPublicBuckets: doc.RestrictPublicBuckets}
	return &s3.Request{Operation: c.op, Header: c.r.Header, Query: c.r.URL.Query(), Input: in}, nil
}

// writeControl writes a successful S3 Control response.
func writeControl(w http.ResponseWriter, requestID string, out any) error {
	resp := &restxml.Response{Header: w.Header()}
	resp.Encode(s3codec.Output(out))
	w.Header().Set("x-amz-request-id", requestID)
	w.Header().Set("x-amz-id-2", restxml.HostID(requestID))
	if resp.Body == nil {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	w.Header().Set("Content-Type", resp.ContentType)
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(resp.Body)
	return err
}
