package certs

import (
	"errors"
	"fmt"
)

// Bounds on a BER object (a PKCS#7 bundle with indefinite lengths), checked
// while its structure is scanned and before any of it is converted. The
// library converter used before, github.com/smallstep/pkcs7's ber2der,
// recursed once per level with no bound: 3.5 million nested
// indefinite-length SEQUENCEs (14 MB) overflowed the goroutine stack, a
// fatal error no recover catches, 4 MB of them took 5 s and 800 MB, and an
// indefinite-length element with a million children took 6 minutes (it
// searches the rest of the input for the end-of-contents octets after each
// child). [berToDER] is iterative and linear in its input.
const (
	// MaxBERDepth bounds the nesting of constructed elements: the limit of
	// BoringSSL's BER-to-DER converter (crypto/bytestring/ber.c,
	// kMaxDepth = 128), which BoringSSL applies to the PKCS#7 bundles it
	// reads. The deepest element of a real certs-only bundle is about 13
	// levels down (ContentInfo, [0], SignedData, certificates,
	// Certificate, TBSCertificate, subjectPublicKeyInfo, then RSASSA-PSS
	// parameters four levels deep). Windows' limit is not documented.
	MaxBERDepth = 128
	// MaxBERSize bounds the bytes of one BER object (16 MiB): more than a
	// BER bundle of thousands of certificates, and it holds the conversion
	// to about 3 bytes of memory per input byte at most. DER bundles are
	// not converted and have only the file limit (certs.MaxFileSize); AIA
	// objects are far smaller already (MaxAIAUrlRetrievalByteCount).
	MaxBERSize = 16 << 20
)

// ErrBERLimit is wrapped by the *ParseError of [ParsePKCS7] (and of the
// readers built on it) when a BER bundle is refused for exceeding
// MaxBERDepth or MaxBERSize.
var ErrBERLimit = errors.New("BER object over a decoding limit")

var errBERTruncated = errors.New("truncated BER element")

// berToDER converts the first BER element of b to DER: indefinite lengths
// become definite, and every length takes its shortest form. Identifier
// octets and primitive contents are copied as they are (constructed
// strings stay constructed, as smallstep/pkcs7 kept them: the PKCS#7 reader
// skips everything but the certificates). Bytes after the element are
// ignored, as they were before.
//
// Two flat passes over the same walk, no recursion: the first checks the
// structure and the limits and computes each constructed element's DER
// length, the second writes. Time is linear in len(b); memory is the
// output plus 4 bytes per constructed element.
func berToDER(b []byte) ([]byte, error) {
	if len(b) > MaxBERSize {
		return nil, fmt.Errorf("%w: %d bytes, more than MaxBERSize (%d)", ErrBERLimit, len(b), MaxBERSize)
	}
	// Pass 1: DER content lengths of the constructed elements, in order.
	var lengths []uint32
	var open [MaxBERDepth]struct{ index, size int } // size: DER bytes of the children so far
	depth := 0
	total := 0
	add := func(n int) {
		if depth > 0 {
			open[depth-1].size += n
		} else {
			total += n
		}
	}
	err := walkBER(b,
		func(id []byte, constructed bool, content []byte) error {
			if !constructed {
				add(derElementSize(len(id), len(content)))
				return nil
			}
			open[depth] = struct{ index, size int }{len(lengths), 0}
			lengths = append(lengths, 0)
			depth++
			return nil
		},
		func(id []byte) error {
			depth--
			// At most 2 bytes longer per element than its BER (an
			// indefinite length of 2 octets becomes one of at most 4), so
			// a uint32 holds it.
			n := open[depth].size
			lengths[open[depth].index] = uint32(n)
			add(derElementSize(len(id), n))
			return nil
		})
	if err != nil {
		return nil, err
	}
	// Pass 2: write.
	out := make([]byte, 0, total)
	next := 0
	err = walkBER(b,
		func(id []byte, constructed bool, content []byte) error {
			out = append(out, id...)
			if !constructed {
				out = appendDERLength(out, len(content))
				out = append(out, content...)
				return nil
			}
			out = appendDERLength(out, int(lengths[next]))
			next++
			return nil
		},
		func([]byte) error { return nil })
	return out, err
}

// walkBER visits the elements of the first BER element of b in order: visit
// for each element (content is nil for a constructed one), leave when a
// constructed element ends. It fails on malformed input, on nesting deeper
// than MaxBERDepth, and on an element that runs past its parent's end.
func walkBER(b []byte, visit func(id []byte, constructed bool, content []byte) error, leave func(id []byte) error) error {
	type frame struct {
		id         []byte
		end        int // definite length: the offset just past the content
		indefinite bool
	}
	var stack [MaxBERDepth]frame
	depth, off := 0, 0
	for {
		// Close the elements that end here.
		for depth > 0 {
			top := &stack[depth-1]
			if top.indefinite {
				if off+2 > len(b) || b[off] != 0 || b[off+1] != 0 {
					break
				}
				off += 2
			} else if off < top.end {
				break
			}
			depth--
			if depth > 0 && !stack[depth-1].indefinite && off > stack[depth-1].end {
				return fmt.Errorf("BER element at depth %d runs past its parent's end", depth+1)
			}
			if err := leave(top.id); err != nil {
				return err
			}
		}
		if depth == 0 && off > 0 {
			return nil
		}
		id, constructed, indefinite, length, next, err := berHeader(b, off)
		if err != nil {
			return err
		}
		end := next + length
		if depth > 0 && !stack[depth-1].indefinite && end > stack[depth-1].end {
			return fmt.Errorf("BER element at depth %d runs past its parent's end", depth+1)
		}
		if !constructed {
			if err := visit(id, false, b[next:end]); err != nil {
				return err
			}
			off = end
			if depth == 0 {
				return nil
			}
			continue
		}
		if depth == MaxBERDepth {
			return fmt.Errorf("%w: nested deeper than %d levels (MaxBERDepth)", ErrBERLimit, MaxBERDepth)
		}
		if err := visit(id, true, nil); err != nil {
			return err
		}
		stack[depth] = frame{id: id, end: end, indefinite: indefinite}
		depth++
		off = next
	}
}

// berHeader reads the identifier and length octets at off. It returns the
// identifier octets, where the content starts and, for a definite length,
// the content length (the content fits in b).
func berHeader(b []byte, off int) (id []byte, constructed, indefinite bool, length, next int, err error) {
	start := off
	if off+2 > len(b) {
		return nil, false, false, 0, 0, errBERTruncated
	}
	constructed = b[off]&0x20 != 0
	if b[off]&0x1f == 0x1f { // high tag number: base-128 octets, the last below 0x80
		off++
		for b[off] >= 0x80 {
			off++
			if off >= len(b) {
				return nil, false, false, 0, 0, errBERTruncated
			}
		}
	}
	off++
	if off >= len(b) {
		return nil, false, false, 0, 0, errBERTruncated
	}
	id = b[start:off]
	l := b[off]
	off++
	switch {
	case l == 0x80:
		if !constructed {
			return nil, false, false, 0, 0, errors.New("indefinite length on a primitive BER element")
		}
		return id, true, true, 0, off, nil
	case l > 0x80:
		n := int(l & 0x7f)
		if n > 4 || off+n > len(b) {
			return nil, false, false, 0, 0, errors.New("bad BER length")
		}
		for i := 0; i < n; i++ {
			length = length<<8 | int(b[off])
			off++
		}
	default:
		length = int(l)
	}
	if length > len(b)-off {
		return nil, false, false, 0, 0, errBERTruncated
	}
	return id, constructed, false, length, off, nil
}

// derElementSize is the DER size of an element with idLen identifier
// octets and n content octets.
func derElementSize(idLen, n int) int {
	size := idLen + 1 + n
	if n >= 0x80 {
		for ; n > 0; n >>= 8 {
			size++
		}
	}
	return size
}

// appendDERLength appends n in the DER length form (X.690 §10.1: the
// shortest one).
func appendDERLength(out []byte, n int) []byte {
	if n < 0x80 {
		return append(out, byte(n))
	}
	var tmp [8]byte
	i := len(tmp)
	for ; n > 0; n >>= 8 {
		i--
		tmp[i] = byte(n)
	}
	out = append(out, 0x80|byte(len(tmp)-i))
	return append(out, tmp[i:]...)
}
