package certutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRenderGolden pins the certutil-shaped text of every scenario on the
// fixed PKI (testdata/certutil/pki). Regenerate with -update.
func TestRenderGolden(t *testing.T) {
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			cc, st := s.run(t)
			got := render(t, cc, st)
			path := filepath.Join(fixtures, "golden", s.name+".txt")
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./certutil -update to create the golden file")
			require.Equal(t, string(want), got)
		})
	}
}
