package urlcache_test

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/winchain/winchain/cache/urlcache"
)

const fuzzURL = "http://pki.example.test/fuzz.crl"

// journal is the record of a Put in progress: the new MetaData and the
// SHA-256 of the new Content (MetaData/NAME.winchain-pending).
func journal(md *urlcache.MetaData, body []byte) []byte {
	md.ContentSize = uint32(len(body))
	sum := sha256.Sum256(body)
	return append(md.Marshal(), sum[:]...)
}

// FuzzFolderReadEntry reads a generated folder — one entry's MetaData,
// Content and journal, each present or not (bits of files) — through
// ReadEntry, Get and List. Properties: nothing panics; the three agree; an
// entry read has exactly the Content file's bytes, as many as its record's
// ContentSize, and its record is either the MetaData file's or, only when
// the journal hashes exactly that Content, the journal's; Get never returns
// another URL's entry. Then a Put over whatever was there leaves the new
// entry whole, with no journal behind.
//
// Seeds: a whole entry, the torn states of issue 15 (same-size Content of
// another write under the old MetaData, with and without the journal of a
// second crashed write), a journal that rolls forward, and large and
// hostile records (a 1 MiB URL, a 1 MiB Content, garbage journals).
func FuzzFolderReadEntry(f *testing.F) {
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	v := func(n int) (*urlcache.MetaData, []byte) {
		body := bytes.Repeat([]byte{byte('0' + n)}, 64)
		return urlcache.NewMetaData(fuzzURL, len(body), at.Add(time.Duration(n)*time.Hour), ""), body
	}
	md1, b1 := v(1)
	md2, b2 := v(2)
	md3, b3 := v(3)
	rec1 := md1.Marshal()
	f.Add(rec1, b1, []byte(nil), uint8(3))
	f.Add(rec1, b2, journal(md2, b2), uint8(7))          // crashed after the Content rename: rolls forward
	f.Add(rec1, b2, journal(md3, b3), uint8(7))          // two crashes in a row (issue 15)
	f.Add(rec1, b2, []byte(nil), uint8(3))               // same-size Content of another write
	f.Add(rec1, b1, journal(md2, b2), uint8(7))          // crashed before the Content rename
	f.Add(rec1, b1, []byte("short"), uint8(7))           // a garbage journal
	f.Add([]byte(nil), b1, journal(md1, b1), uint8(6))   // no MetaData at all
	f.Add(rec1, []byte(nil), journal(md1, b1), uint8(5)) // no Content
	bigURL := urlcache.NewMetaData(fuzzURL+"?"+string(bytes.Repeat([]byte{'a'}, 1<<19)), 0, at, "").Marshal()
	f.Add(bigURL, b1, []byte(nil), uint8(3))
	bigBody := bytes.Repeat([]byte{0xA5}, 1<<20)
	bigMD := urlcache.NewMetaData(fuzzURL, len(bigBody), at, `"big"`)
	f.Add(bigMD.Marshal(), bigBody, journal(bigMD, bigBody), uint8(7))
	f.Add(make([]byte, urlcache.MetaDataHeaderSize), []byte{}, make([]byte, 200), uint8(7))

	name := urlcache.URLName(fuzzURL)
	metaName := urlcache.MetaDataDir + "/" + name
	f.Fuzz(func(t *testing.T, meta, content, jrnl []byte, files uint8) {
		mem := urlcache.NewMemFS()
		fold, err := urlcache.OpenFS(mem, urlcache.Options{})
		if err != nil {
			t.Fatal(err)
		}
		write := func(bit uint8, p string, b []byte) {
			if files&bit != 0 {
				if err := mem.WriteFile(p, b); err != nil {
					t.Fatal(err)
				}
			}
		}
		write(1, metaName, meta)
		write(2, urlcache.ContentDir+"/"+name, content)
		write(4, metaName+".winchain-pending", jrnl)

		e, err := fold.ReadEntry(name)
		ents, problems, lerr := fold.List()
		if lerr != nil {
			t.Fatal(lerr)
		}
		switch {
		case e != nil && err != nil:
			t.Fatalf("both an entry and an error: %v", err)
		case e != nil:
			if len(ents) != 1 || len(problems) != 0 || !bytes.Equal(ents[0].Body, e.Body) {
				t.Fatalf("List disagrees: %v, %v", ents, problems)
			}
			if !bytes.Equal(e.Body, content) || int64(len(e.Body)) != int64(e.Meta.ContentSize) {
				t.Fatalf("entry of %d bytes (ContentSize %d), Content file %d bytes", len(e.Body), e.Meta.ContentSize, len(content))
			}
			rec := e.Meta.Marshal()
			fromJournal := len(jrnl) >= sha256.Size && bytes.Equal(rec, jrnl[:len(jrnl)-sha256.Size])
			if !bytes.Equal(rec, meta) && !fromJournal {
				t.Fatal("the record is neither the MetaData file nor the journal")
			}
			if !bytes.Equal(rec, meta) {
				if sum := sha256.Sum256(content); !bytes.Equal(sum[:], jrnl[len(jrnl)-sha256.Size:]) {
					t.Fatal("journal record used for a Content it does not hash")
				}
			}
			if g, gerr := fold.Get(fuzzURL); (g != nil) != (e.Meta.URL == fuzzURL) || (g != nil && gerr != nil) {
				t.Fatalf("Get(%q) = %v, %v for a record of %q", fuzzURL, g != nil, gerr, e.Meta.URL)
			}
		case err != nil:
			if len(ents) != 0 || len(problems) != 1 {
				t.Fatalf("List disagrees: %d entries, problems %v", len(ents), problems)
			}
		default:
			if len(ents) != 0 || len(problems) != 0 {
				t.Fatalf("a miss, but List has %v, %v", ents, problems)
			}
		}

		// Whatever was there, a Put leaves the new entry whole.
		nmd := urlcache.NewMetaData(fuzzURL, 5, at, `"new"`)
		if err := fold.Put("", nmd, []byte("fresh")); err != nil {
			t.Fatal(err)
		}
		got, err := fold.Get(fuzzURL)
		if err != nil || got == nil || string(got.Body) != "fresh" || got.Meta.ETag != `"new"` {
			t.Fatalf("after a Put: %+v, %v", got, err)
		}
		if _, err := mem.ReadFile(metaName+".winchain-pending", 1<<30); err == nil {
			t.Fatal("a journal left behind by a complete Put")
		}
	})
}
