// Command apigen generates Go code from botocore-format AWS API models.
//
// With -pkg, -codec and one -model it writes two packages: the api package
// (-out: the Go types of the shapes, their enumerations, the operation
// names), which services import, and beside it the codec package
// (-codec-out: the operation table and the AWS Query decoders and encoders
// over those types), which only the server imports:
//
//	go run ../../internal/apigen -model .../iam/2010-05-08/service-2.json -pkg iamapi -out zz_generated.go -codec iamcodec -codec-out ../iamcodec/zz_generated.go
//
// With -json, the package is generated for an AWS JSON 1.1 model
// (Organizations) with the protocol/awsjson runtime instead; with -restjson,
// for a REST-JSON model (IAM Access Analyzer) with the protocol/restjson
// runtime; with -restxml, for a REST-XML model (Amazon S3) with the
// protocol/restxml runtime.
//
// With -errors and one or more -model flags it writes the error-code table of
// package awserr from the models' exception shapes.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gatehouse-iam/gatehouse/internal/apigen/gen"
)

type modelList []string

func (l *modelList) String() string     { return strings.Join(*l, ",") }
func (l *modelList) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("apigen", flag.ContinueOnError)
	var models modelList
	fs.Var(&models, "model", "path of a service-2.json model (repeatable with -errors)")
	pkg := fs.String("pkg", "", "Go package name of the output")
	out := fs.String("out", "", "output file (of the api package)")
	codecPkg := fs.String("codec", "", "Go package name of the codec package (api packages)")
	codecOut := fs.String("codec-out", "", "output file of the codec package (api packages)")
	errs := fs.Bool("errors", false, "generate the awserr code table instead of an api package")
	jsonProto := fs.Bool("json", false, "generate an AWS JSON protocol api package (Organizations)")
	restProto := fs.Bool("restjson", false, "generate a REST-JSON protocol api package (Access Analyzer)")
	xmlProto := fs.Bool("restxml", false, "generate a REST-XML protocol api package (S3)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	if len(models) == 0 || *pkg == "" || *out == "" {
		return fmt.Errorf("need -model, -pkg and -out")
	}
	var loaded []*gen.Model
	for _, p := range models {
		m, err := gen.Load(p)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		loaded = append(loaded, m)
	}
	if *errs {
		src, err := gen.GenerateErrors(loaded, *pkg)
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		return write(*out, src)
	}
	if len(loaded) != 1 {
		return fmt.Errorf("an api package is generated from exactly one -model")
	}
	if *codecPkg == "" || *codecOut == "" {
		return fmt.Errorf("an api package needs -codec and -codec-out")
	}
	var files *gen.Files
	var err error
	switch {
	case *xmlProto:
		files, err = gen.GenerateRESTXMLAPI(loaded[0], *pkg, *codecPkg)
	case *restProto:
		files, err = gen.GenerateRESTJSONAPI(loaded[0], *pkg, *codecPkg)
	case *jsonProto:
		files, err = gen.GenerateJSONAPI(loaded[0], *pkg, *codecPkg)
	default:
		files, err = gen.GenerateAPI(loaded[0], *pkg, *codecPkg)
	}
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if err := write(*out, files.API); err != nil {
		return err
	}
	return write(*codecOut, files.Codec)
}

func write(path string, src []byte) error {
	if err := os.WriteFile(path, src, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
