package s3api

import (
	"time"

	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
)

// BucketEntry is one bucket of a ListBuckets page, with its region.
type BucketEntry struct {
	Name         string
	CreationDate time.Time
	Region       string
}

// ListBucketsPage is ListBuckets' output with the members of paged
// listing — BucketRegion, ContinuationToken, Prefix — which S3 added to the
// operation after the model this package is generated from
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
type ListBucketsPage struct {
	Buckets           []BucketEntry
	Owner             *Owner
	ContinuationToken string
	Prefix            string
}

// EncodeResponse implements restxml.Output.
func (p *ListBucketsPage) EncodeResponse(r *restxml.Response) {
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
			p.Owner.EncodeXML(e, "Owner")
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
