package orgapi

import "github.com/gatehouse-iam/gatehouse/protocol/awsjson"

// Empty is the input of the operations that declare none
// (DescribeOrganization, DeleteOrganization, ...).
type Empty = awsjson.Empty
