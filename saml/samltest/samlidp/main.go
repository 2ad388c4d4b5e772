// Command samlidp is the test identity provider of samltest on the command
// line, for acceptance scenarios driven by the aws CLI:
//
//	samlidp init DIR
//	    makes DIR/key.pem and DIR/cert.pem (a fresh RSA key and self-signed
//	    certificate) and DIR/metadata.xml for create-saml-provider.
//	samlidp response DIR ROLE-ARN PROVIDER-ARN SESSION-NAME SUBJECT [NAME=VALUE...]
//	    prints a base64 SAML Response signed with DIR's key, asserting SUBJECT
//	    (a persistent NameID) with the Role pair and RoleSessionName, and
//	    one attribute per NAME=VALUE (repeat a NAME for several values).
//
// It is a test tool: never a part of the server.
package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/saml/samltest"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "samlidp:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 2 && args[0] == "init":
		return initDir(args[1])
	case len(args) >= 6 && args[0] == "response":
		return response(args[1], args[2], args[3], args[4], args[5], args[6:])
	}
	return errors.New("usage: samlidp init DIR | samlidp response DIR ROLE-ARN PROVIDER-ARN SESSION-NAME SUBJECT [NAME=VALUE...]")
}

func initDir(dir string) error {
	p, err := samltest.New("https://idp.gatehouse.test/saml", time.Now())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	files := map[string][]byte{
		"key.pem":      pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(p.Key)}),
		"cert.pem":     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Cert.Raw}),
		"metadata.xml": []byte(p.Metadata()),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func load(dir string) (*samltest.IdP, error) {
	read := func(name string) (*pem.Block, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		blk, _ := pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("%s: no PEM block", name)
		}
		return blk, nil
	}
	kb, err := read("key.pem")
	if err != nil {
		return nil, err
	}
	cb, err := read("cert.pem")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS1PrivateKey(kb.Bytes)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, err
	}
	if !key.PublicKey.Equal(cert.PublicKey.(*rsa.PublicKey)) {
		return nil, errors.New("key.pem does not match cert.pem")
	}
	return &samltest.IdP{EntityID: cert.Subject.CommonName, Key: key, Cert: cert}, nil
}

func response(dir, role, provider, sessionName, subject string, extra []string) error {
	p, err := load(dir)
	if err != nil {
		return err
	}
	attrs := []samltest.Attribute{
		{Name: samltest.RoleAttribute, Values: []string{role + "," + provider}},
		{Name: samltest.RoleSessionNameAttr, Values: []string{sessionName}},
	}
	for _, kv := range extra {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("attribute %q is not NAME=VALUE", kv)
		}
		found := false
		for i := range attrs {
			if attrs[i].Name == name {
				attrs[i].Values = append(attrs[i].Values, value)
				found = true
			}
		}
		if !found {
			attrs = append(attrs, samltest.Attribute{Name: name, Values: []string{value}})
		}
	}
	raw, err := p.Response(samltest.Assertion{
		Subject: subject, SubjectFormat: samltest.PersistentNameIDFormat, Attributes: attrs, SignResponse: true, SignAssertion: true,
	})
	if err != nil {
		return err
	}
	fmt.Println(raw)
	return nil
}
