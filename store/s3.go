package store

import (
	"encoding/json"
	"time"
)

// Bucket is an S3 bucket's configuration: who owns it and the policies that
// guard it. Its objects are kept by the object backend, not here.
type Bucket struct {
	// Name is the bucket's name, unique across the server.
	Name string `json:"name"`
	// Account owns the bucket: the account whose principal created it.
	Account string `json:"account"`
	// Region is the bucket's region (its LocationConstraint, us-east-1 when
	// none was given).
	Region string `json:"region"`
	// CreateDate is when the bucket was created.
	CreateDate time.Time `json:"createDate"`
	// Policy is the bucket policy document as it was put, "" when none.
	Policy string `json:"policy,omitempty"`
	// ACL is the bucket's access control list, encoded by package s3/acl.
	ACL json.RawMessage `json:"acl,omitempty"`
	// Ownership is the Object Ownership setting (BucketOwnerEnforced,
	// BucketOwnerPreferred or ObjectWriter); "" when the controls were
	// deleted.
	Ownership string `json:"ownership,omitempty"`
	// PublicAccessBlock is the bucket's Block Public Access configuration,
	// nil when none is set.
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
	// Tags are the bucket's tags, nil when it has no tag set.
	Tags []Tag `json:"tags,omitempty"`
	// Configs are the bucket's other configurations, by sub-resource
	// ("cors", "website", "lifecycle", "encryption", "logging",
	// "requestPayment", "accelerate", "notification", "replication",
	// "object-lock"): each the S3 XML document its GET answers, absent
	// when none is set.
	Configs map[string]string `json:"configs,omitempty"`
}

// PublicAccessBlock is an S3 Block Public Access configuration.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// AccountS3 is an account's S3 settings.
type AccountS3 struct {
	// PublicAccessBlock is the account-level Block Public Access, nil when
	// none is set.
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
}

// AccountBucket indexes a bucket under its owner's account, so that
// ListBuckets reads one account's buckets without a scan.
type AccountBucket struct {
	Name string `json:"name"`
}
