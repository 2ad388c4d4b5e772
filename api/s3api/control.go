package s3api

import (
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
)

// ControlNamespace is the XML namespace of S3 Control documents.
const ControlNamespace = "http://awss3control.amazonaws.com/doc/2018-08-20/"

// AccountPublicAccessBlock is an account's Block Public Access settings as
// S3 Control's GetPublicAccessBlock returns them
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html),
// an S3 Control document this package writes by hand: the S3 model it is
// generated from does not hold S3 Control.
type AccountPublicAccessBlock struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
}

// EncodeResponse implements restxml.Output.
func (a *AccountPublicAccessBlock) EncodeResponse(r *restxml.Response) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<PublicAccessBlockConfiguration xmlns="` + ControlNamespace + `">`)
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
