package sqlmigrate

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migration is one schema change of a backend, applied once, in version
// order.
type Migration struct {
	Version int
	Name    string // the file name, NNNN_description.sql
	SQL     string
}

// Load reads the migrations in the directory "migrations" of fsys (a
// backend embeds it), named NNNN_description.sql, in version order. Other
// files and subdirectories are ignored; a name without a positive version,
// or two files with one version, is an error.
func Load(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must start with a positive version and '_'", name)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %q and %q share version %d", prev, name, v)
		}
		seen[v] = name
		body, err := fs.ReadFile(fsys, path.Join("migrations", name))
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) })
	return ms, nil
}

// Pending returns the migrations of ms whose versions are not in applied
// (the versions a database has recorded in table), in order. A database
// holding a version ms does not know was written by a newer Gatehouse: it
// is refused, with an error naming the version and table.
func Pending(ms []Migration, applied []int, table string) ([]Migration, error) {
	done := map[int]bool{}
	for _, v := range applied {
		if !slices.ContainsFunc(ms, func(m Migration) bool { return m.Version == v }) {
			return nil, fmt.Errorf("database has migration %d in %s, unknown to this version of gatehouse", v, table)
		}
		done[v] = true
	}
	var todo []Migration
	for _, m := range ms {
		if !done[m.Version] {
			todo = append(todo, m)
		}
	}
	return todo, nil
}
