package sqlmigrate

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name     string
		files    fstest.MapFS
		want     []int
		wantFail string
	}{
		{
			name: "ordered by number, not by name",
			files: fstest.MapFS{
				"migrations/10_ten.sql":  {Data: []byte("SELECT 10;")},
				"migrations/2_two.sql":   {Data: []byte("SELECT 2;")},
				"migrations/0001_a.sql":  {Data: []byte("SELECT 1;")},
				"migrations/README.md":   {Data: []byte("ignored")},
				"migrations/sub/3_x.sql": {Data: []byte("ignored: in a directory")},
			},
			want: []int{1, 2, 10},
		},
		{
			name:     "duplicate version",
			files:    fstest.MapFS{"migrations/1_a.sql": {}, "migrations/0001_b.sql": {}},
			wantFail: "share version 1",
		},
		{
			name:     "no version",
			files:    fstest.MapFS{"migrations/init.sql": {}},
			wantFail: "must start with a positive version",
		},
		{
			name:     "zero version",
			files:    fstest.MapFS{"migrations/0_init.sql": {}},
			wantFail: "must start with a positive version",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Load(tc.files)
			if tc.wantFail != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantFail) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantFail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("versions = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("versions = %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestPending: the versions not applied, in order; a recorded version the
// migrations do not know is refused.
func TestPending(t *testing.T) {
	ms := []Migration{{Version: 1, Name: "0001_a.sql"}, {Version: 2, Name: "0002_b.sql"}, {Version: 3, Name: "0003_c.sql"}}
	todo, err := Pending(ms, []int{2}, "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(todo) != 2 || todo[0].Version != 1 || todo[1].Version != 3 {
		t.Errorf("pending = %+v, want 1 and 3", todo)
	}
	if _, err := Pending(ms, []int{1, 4}, "trail_schema_migrations"); err == nil ||
		!strings.Contains(err.Error(), "migration 4 in trail_schema_migrations") {
		t.Errorf("unknown version: %v", err)
	}
}
