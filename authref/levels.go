package authref

import (
	"fmt"
	"slices"
	"strings"
)

// AccessLevels is the access level of every action of the reference, and
// nothing else: what the audit trail reads to classify an event as
// read-only. It holds about 0.6 MB where the whole decoded reference
// (Lookup) holds about 8.5 MB (server BenchmarkPrincipalsRSS), which a
// server then loads only if a request needs the rest. It is immutable and
// safe for concurrent use.
type AccessLevels struct {
	names  string   // the actions' lower-cased "prefix:name", sorted, one after the other
	ends   []uint32 // the i-th name is names[ends[i-1]:ends[i]] (from 0 for the first)
	levels []uint8  // the i-th action's level, an index into table
	table  []string // the distinct access levels
}

// LoadAccessLevels decodes the embedded reference and keeps the access
// levels only: the process-wide reference of Lookup is not loaded by it.
func LoadAccessLevels() (*AccessLevels, error) {
	d, err := Decode(embedded)
	if err != nil {
		return nil, err
	}
	return accessLevels(d)
}

// accessLevels extracts the access levels of d.
func accessLevels(d *Data) (*AccessLevels, error) {
	type entry struct{ name, level string }
	var all []entry
	for _, prefix := range d.Services() {
		s, _ := d.Service(prefix)
		for _, a := range s.Actions {
			all = append(all, entry{strings.ToLower(a.Service + ":" + a.Name), a.AccessLevel})
		}
	}
	slices.SortFunc(all, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	l := &AccessLevels{ends: make([]uint32, 0, len(all)), levels: make([]uint8, 0, len(all))}
	var b strings.Builder
	for i, e := range all {
		if i > 0 && e.name == all[i-1].name {
			continue // one entry per name, as Data.Action finds one
		}
		li := slices.Index(l.table, e.level)
		if li < 0 {
			if len(l.table) == 256 {
				return nil, fmt.Errorf("authref: more than 256 access levels")
			}
			li = len(l.table)
			l.table = append(l.table, e.level)
		}
		b.WriteString(e.name)
		l.ends = append(l.ends, uint32(b.Len()))
		l.levels = append(l.levels, uint8(li))
	}
	l.names = b.String()
	return l, nil
}

// name returns the i-th action's lower-cased name.
func (l *AccessLevels) name(i int) string {
	start := uint32(0)
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.names[start:l.ends[i]]
}

// Level returns the access level of an action ("prefix:Name",
// case-insensitive), as Data.Action's AccessLevel, and whether the
// reference knows the action.
func (l *AccessLevels) Level(action string) (string, bool) {
	if !strings.Contains(action, ":") {
		return "", false
	}
	action = strings.ToLower(action)
	lo, hi := 0, len(l.ends)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if l.name(m) < action {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(l.ends) && l.name(lo) == action {
		return l.table[l.levels[lo]], true
	}
	return "", false
}
