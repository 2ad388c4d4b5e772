package gen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrNoModel is returned by CheckFresh when a model file is absent, so that
// freshness tests can skip outside a checkout with the shared reference data.
var ErrNoModel = errors.New("model file not found")

// CheckFresh regenerates committed from the models with generate and
// reports an error if the committed file differs.
func CheckFresh(committed string, generate func([]*Model) ([]byte, error), modelPaths ...string) error {
	var models []*Model
	for _, p := range modelPaths {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", p, ErrNoModel)
		}
		m, err := Load(p)
		if err != nil {
			return err
		}
		models = append(models, m)
	}
	want, err := generate(models)
	if err != nil {
		return err
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		return fmt.Errorf("read committed file: %w", err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s is stale: run go generate (committed %d bytes, generated %d bytes)", committed, len(got), len(want))
	}
	return nil
}

// CheckFreshFiles regenerates an api package and its codec package from
// the models with generate and reports an error if apiFile or codecFile, the
// committed files, differ.
func CheckFreshFiles(apiFile, codecFile string, generate func([]*Model) (*Files, error), modelPaths ...string) error {
	var files *Files
	err := CheckFresh(apiFile, func(ms []*Model) ([]byte, error) {
		var err error
		files, err = generate(ms)
		if err != nil {
			return nil, err
		}
		return files.API, nil
	}, modelPaths...)
	if err != nil {
		return err
	}
	return CheckFresh(codecFile, func([]*Model) ([]byte, error) { return files.Codec, nil }, modelPaths...)
}
