// Package saml reads what SAML 2.0 identity providers send IAM and STS: the
// metadata document of a provider (its entity id, signing certificates and
// validity) and the signed Response of a browser SSO login, whose XML
// signature is verified with github.com/russellhaering/goxmldsig against the
// provider's certificates. Only the element the library verified is read, so
// an assertion wrapped around a signed one is never trusted. Services get
// typed values; the XML stays here.
package saml
