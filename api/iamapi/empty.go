package iamapi

import "github.com/gatehouse-iam/gatehouse/protocol/query"

// Empty is the input of the operations that declare none
// (GetAccountSummary, GetCredentialReport, ...).
type Empty = query.Empty
