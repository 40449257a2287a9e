package urlcache

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A Put killed at each point between its steps leaves the old entry or the
// new one, never a miss or a corrupt read (issue 9: none that was good
// before is lost).
func TestPutJournal_EveryCrashPoint(t *testing.T) {
	const url = "http://pki.example.test/journal.crl"
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	oldBody, newBody := bytes.Repeat([]byte{1}, 100), bytes.Repeat([]byte{2}, 150)
	for _, crashAfter := range []string{"journal", "content", "metadata"} {
		t.Run("killed after "+crashAfter, func(t *testing.T) {
			d, err := Open(t.TempDir(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Put("", NewMetaData(url, len(oldBody), t0, `"v1"`), oldBody); err != nil {
				t.Fatal(err)
			}
			name := URLName(url)
			md := NewMetaData(url, len(newBody), t0.Add(time.Hour), `"v2"`)
			md.ContentSize = uint32(len(newBody))
			rec := md.Marshal()
			sum := sha256.Sum256(newBody)
			// Replay Put's steps by hand and stop after one of them.
			must := func(err error) {
				if err != nil {
					t.Fatal(err)
				}
			}
			must(d.fsys.WriteFile(metaName(name)+pendingSuffix, append(append([]byte(nil), rec...), sum[:]...)))
			wantNew := false
			if crashAfter != "journal" {
				must(d.fsys.WriteFile(contentName(name), newBody))
				wantNew = true
			}
			if crashAfter == "metadata" {
				must(d.fsys.WriteFile(metaName(name), rec))
			}
			e, err := d.Get(url)
			if err != nil || e == nil {
				t.Fatalf("entry lost or corrupt after a crash: %v", err)
			}
			if wantNew {
				if !bytes.Equal(e.Body, newBody) || e.Meta.ETag != `"v2"` {
					t.Fatalf("want the new entry, got %d bytes etag %s", len(e.Body), e.Meta.ETag)
				}
			} else if !bytes.Equal(e.Body, oldBody) || e.Meta.ETag != `"v1"` {
				t.Fatalf("want the old entry, got %d bytes etag %s", len(e.Body), e.Meta.ETag)
			}
			// The next complete Put cleans up.
			must(d.Put("", NewMetaData(url, 3, t0, `"v3"`), []byte("abc")))
			if _, err := os.Stat(filepath.Join(d.Dir(), MetaDataDir, name+pendingSuffix)); !os.IsNotExist(err) {
				t.Fatalf("journal left behind: %v", err)
			}
			ents, problems, err := d.List()
			if err != nil || len(problems) != 0 || len(ents) != 1 {
				t.Fatalf("listing: %d entries, problems %v, err %v", len(ents), problems, err)
			}
		})
	}
}
