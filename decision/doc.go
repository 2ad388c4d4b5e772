// Package decision is Gatehouse's decision API for other services: the
// request a service sends to POST /v1/authorize (a signed request it
// received and forwards, or a principal it vouches for, with the action, the
// resource, the resource's policy and the request's condition keys), the
// bounded decoder of that request, and the decision itself — made through
// authz.Authorizer.Assemble and explained by policy.Explain, so SCPs, RCPs,
// permissions boundaries and session policies apply exactly as they do to
// Gatehouse's own calls — returned as a stable Response.
//
// It does not speak HTTP: the server authenticates the API's caller and the
// forwarded request (sigv4), resolves the principal and renders errors;
// this package decodes, checks the caller's own permission
// (gatehouse:Authorize or gatehouse:AuthorizePrincipal) and decides.
// docs/decision-api.md documents the wire format.
package decision
