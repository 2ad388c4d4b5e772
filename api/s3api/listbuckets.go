package s3api

import "time"

// BucketEntry is one bucket of a ListBuckets page, with its region.
type BucketEntry struct {
	Name         string
	CreationDate time.Time
	Region       string
}

// ListBucketsPage is ListBuckets' output with the members of paged
// listing — BucketRegion, ContinuationToken, Prefix — which S3 added to the
// operation after the model this package is generated from
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html);
// api/s3codec writes it by hand.
type ListBucketsPage struct {
	Buckets           []BucketEntry
	Owner             *Owner
	ContinuationToken string
	Prefix            string
}
