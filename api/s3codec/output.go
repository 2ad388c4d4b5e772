package s3codec

import (
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
)

// Output returns out, an output of the S3 service (see s3api.Output), as
// restxml writes it: s3api's status and header wrappers and its
// hand-written documents become restxml Outputs; generated output types
// are left to the service's generated encoders (restxml.Response.Encode).
func Output(out s3api.Output) any {
	switch o := out.(type) {
	case s3api.StatusOutput:
		return restxml.WithStatus(Output(o.Output), o.Status)
	case s3api.HeaderOutput:
		return headerOutput{out: Output(o.Output), h: o.Header}
	case *s3api.ListBucketsPage:
		return listBucketsPage{o}
	case *s3api.AccountPublicAccessBlock:
		return accountPublicAccessBlock{o}
	case s3api.Document:
		return document{o}
	}
	return out
}

type headerOutput struct {
	out any
	h   map[string]string
}

// EncodeResponse implements restxml.Output.
func (o headerOutput) EncodeResponse(r *restxml.Response) {
	r.Encode(o.out)
	for k, v := range o.h {
		r.Header.Set(k, v)
	}
}

// listBucketsPage writes ListBuckets' output with the members of paged
// listing (see s3api.ListBucketsPage).
type listBucketsPage struct{ p *s3api.ListBucketsPage }

// EncodeResponse implements restxml.Output.
func (l listBucketsPage) EncodeResponse(r *restxml.Response) {
	p := l.p
	r.XML(func(e *restxml.Encoder) {
		e.Start("ListAllMyBucketsResult")
		e.Start("Buckets")
		for _, b := range p.Buckets {
			e.Start("Bucket")
			e.String("Name", b.Name)
			e.Time("CreationDate", b.CreationDate)
			if b.Region != "" {
				e.String("BucketRegion", b.Region)
			}
			e.End("Bucket")
		}
		e.End("Buckets")
		if p.Owner != nil {
			encodeXMLOwner(e, "Owner", p.Owner)
		}
		if p.ContinuationToken != "" {
			e.String("ContinuationToken", p.ContinuationToken)
		}
		if p.Prefix != "" {
			e.String("Prefix", p.Prefix)
		}
		e.End("ListAllMyBucketsResult")
	})
}

// accountPublicAccessBlock writes S3 Control's GetPublicAccessBlock
// document (see s3api.AccountPublicAccessBlock).
type accountPublicAccessBlock struct {
	a *s3api.AccountPublicAccessBlock
}

// EncodeResponse implements restxml.Output.
func (p accountPublicAccessBlock) EncodeResponse(r *restxml.Response) {
	a := p.a
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<PublicAccessBlockConfiguration xmlns="` + s3api.ControlNamespace + `">`)
	for _, f := range []struct {
		name string
		v    bool
	}{{"BlockPublicAcls", a.BlockPublicAcls}, {"IgnorePublicAcls", a.IgnorePublicAcls},
		{"BlockPublicPolicy", a.BlockPublicPolicy}, {"RestrictPublicBuckets", a.RestrictPublicBuckets}} {
		b.WriteString("<" + f.name + ">" + strconv.FormatBool(f.v) + "</" + f.name + ">")
	}
	b.WriteString("</PublicAccessBlockConfiguration>")
	r.Body, r.ContentType = []byte(b.String()), "application/xml"
}
