package certs_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/winchain/winchain/certs"
)

// indefinite re-encodes DER with an indefinite length on every constructed
// element, down to the leaves: the BER form some CMS producers write.
func indefinite(t testing.TB, der []byte) []byte {
	var out []byte
	in := cryptobyte.String(der)
	for !in.Empty() {
		var el, content cryptobyte.String
		var tag cbasn1.Tag
		var hdr int
		require.True(t, in.ReadAnyASN1Element(&el, &tag))
		require.True(t, el.ReadAnyASN1Element(&content, &tag)) // re-read for the header length
		full := []byte(content)
		hdr = 2
		if full[1]&0x80 != 0 {
			hdr += int(full[1] & 0x7f)
		}
		if tag&0x20 == 0 {
			out = append(out, full...)
			continue
		}
		out = append(out, byte(tag), 0x80)
		out = append(out, indefinite(t, full[hdr:])...)
		out = append(out, 0, 0)
	}
	return out
}

func nestedBER(depth int, inner []byte) []byte {
	b := bytes.Repeat([]byte{0x30, 0x80}, depth)
	b = append(b, inner...)
	return append(b, make([]byte, 2*depth)...)
}

// deepP7 is a BER ContentInfo of type signedData whose content nests
// depth constructed levels in all (the ContentInfo and its [0] included)
// around inner: what a hostile PKCS#7 looks like to a reader that must
// convert it before it can see it is no SignedData.
func deepP7(depth int, inner []byte) []byte {
	b := []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80}
	b = append(b, nestedBER(depth-2, inner)...)
	return append(b, 0, 0, 0, 0)
}

// A bundle in BER with indefinite lengths at every level decodes to the
// same certificates as its DER form.
func TestDecodeObject_BERAtEveryLevel(t *testing.T) {
	der, err := os.ReadFile(filepath.Join(testdataDir, "bundle.p7c"))
	require.NoError(t, err)
	want, err := certs.DecodeObject(der, "test", 0)
	require.NoError(t, err)
	ber := indefinite(t, der)
	require.NotEqual(t, der, ber)
	got, err := certs.DecodeObject(ber, "test", 0)
	require.NoError(t, err)
	assert.Equal(t, certs.FormatPKCS7, got.Format)
	require.Len(t, got.Certificates, len(want.Certificates))
	for i := range want.Certificates {
		assert.Equal(t, want.Certificates[i].SHA256, got.Certificates[i].SHA256)
	}
	// The certificate limit applies to BER as to DER.
	_, err = certs.DecodeObject(ber, "test", 2)
	assert.ErrorIs(t, err, certs.ErrTooManyCertificates)
}

// Nesting is bounded by MaxBERDepth before anything is converted: the
// issue 15 input (3.5 million levels, 14 MB), which overflowed the stack,
// is refused at once and within bounded memory; MaxBERDepth levels are
// still read.
func TestDecodeObject_DeepBERIsBounded(t *testing.T) {
	deep := deepP7(3_500_000, nil)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := certs.DecodeObject(deep, "test", 0)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	t.Logf("%d bytes: %v, %d KB allocated: %v", len(deep), took, (after.TotalAlloc-before.TotalAlloc)>>10, err)
	require.Error(t, err)
	assert.ErrorIs(t, err, certs.ErrBERLimit)
	assert.ErrorIs(t, err, certs.ErrNotCertificate)
	assert.Contains(t, err.Error(), "MaxBERDepth")
	assert.Less(t, took, 2*time.Second)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "the refusal reads 256 bytes of structure")

	// At the limit the structure is converted (it is no ContentInfo, so
	// it is then refused as such, not for its depth).
	_, err = certs.DecodeObject(deepP7(certs.MaxBERDepth, nil), "test", 0)
	require.Error(t, err)
	assert.False(t, errors.Is(err, certs.ErrBERLimit), "%v", err)
	_, err = certs.DecodeObject(deepP7(certs.MaxBERDepth+1, nil), "test", 0)
	assert.ErrorIs(t, err, certs.ErrBERLimit)
}

// The conversion is linear: an indefinite-length element with half a
// million children (1 MB; the library converter used before searched the
// rest of the input after each child, minutes for this) and a BER object
// just over MaxBERSize.
func TestDecodeObject_WideBERIsLinear(t *testing.T) {
	wide := deepP7(certs.MaxBERDepth-1, bytes.Repeat([]byte{0x04, 0x00}, 500_000))
	start := time.Now()
	_, err := certs.DecodeObject(wide, "test", 0)
	took := time.Since(start)
	t.Logf("%d bytes, 500,000 children: %v (%v)", len(wide), took, err)
	require.ErrorIs(t, err, certs.ErrNotCertificate)
	assert.Less(t, took, 5*time.Second)

	big := deepP7(3, make([]byte, certs.MaxBERSize))
	_, err = certs.DecodeObject(big, "test", 0)
	assert.ErrorIs(t, err, certs.ErrBERLimit)
	assert.Contains(t, err.Error(), "MaxBERSize")
}
