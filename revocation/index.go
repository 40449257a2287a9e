package revocation

// A parsed CRL as the checker keeps it: the DER, the header fields it
// needs, and a serial-number index over the DER.
//
// Memory: crypto/x509 turns every entry into a RevocationListEntry (a
// big.Int, a time, a Raw slice, extension slices: about 250 bytes each), far
// above the ~25-60 bytes of DER per entry. crlDoc keeps none of them. The
// index is an open-addressing hash table of uint32 offsets into the DER
// (load factor at most 1/2, so 8-16 bytes per entry); a lookup hashes the
// serial, probes, and compares against the serial read in place from the
// DER. Lookups are O(1) and the memory held is the DER plus 8-16 bytes per
// entry (BenchmarkCRLIndexMemory reports the ratio).

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash/maphash"
	"math/big"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// crlDoc is one parsed CRL.
type crlDoc struct {
	der       []byte
	sum       [32]byte
	tbs, sig  []byte
	sigAlg    x509.SignatureAlgorithm
	rawIssuer []byte
	aki       []byte

	thisUpdate, nextUpdate time.Time
	number                 *big.Int

	idp      *issuingDistributionPoint
	freshest []distributionPoint
	isDelta  bool
	base     *big.Int // BaseCRLNumber of a delta CRL

	// unusable says why the CRL can never be used (an unknown critical
	// extension, an indirect CRL entry, a malformed extension); "" if
	// usable.
	unusable string

	index serialIndex

	mu       sync.Mutex
	verified map[[32]byte]error // signature result per issuer SPKI hash
}

// entry is one revoked certificate, read from the DER on a hit.
type entry struct {
	revoked time.Time
	reason  int // -1 when the entry has no reasonCode
}

// parseCRLDoc builds a crlDoc from DER. parsed may be the same CRL already
// parsed by crypto/x509 (a store CRL); nil parses it here.
func parseCRLDoc(der []byte, parsed *x509.RevocationList) (*crlDoc, error) {
	if parsed == nil {
		var err error
		if parsed, err = x509.ParseRevocationList(der); err != nil {
			return nil, err
		}
	}
	d := &crlDoc{
		der:        der,
		sum:        sha256.Sum256(der),
		tbs:        parsed.RawTBSRevocationList,
		sig:        parsed.Signature,
		sigAlg:     parsed.SignatureAlgorithm,
		rawIssuer:  parsed.RawIssuer,
		aki:        parsed.AuthorityKeyId,
		thisUpdate: parsed.ThisUpdate,
		nextUpdate: parsed.NextUpdate,
		number:     parsed.Number,
		verified:   map[[32]byte]error{},
	}
	for _, ext := range parsed.Extensions {
		var err error
		switch {
		case ext.Id.Equal(oidIssuingDistPoint):
			d.idp, err = parseIDP(ext.Value)
		case ext.Id.Equal(oidFreshestCRL):
			d.freshest, err = parseDistributionPoints(ext.Value)
		case ext.Id.Equal(oidDeltaCRLIndicator):
			d.isDelta = true
			d.base, err = parseCRLNumber(ext.Value)
		case ext.Id.Equal(oidCRLNumber), ext.Id.Equal(oidAuthorityKeyID),
			ext.Id.Equal(oidIssuerAltName), ext.Id.Equal(oidAuthorityInfoAccess):
		default:
			if ext.Critical {
				d.unusable = fmt.Sprintf("unsupported critical CRL extension %v", ext.Id)
			}
		}
		if err != nil && d.unusable == "" {
			d.unusable = fmt.Sprintf("CRL extension %v: %v", ext.Id, err)
		}
	}
	offs, why, err := walkEntries(der)
	if err != nil {
		return nil, err
	}
	if why != "" && d.unusable == "" {
		d.unusable = why
	}
	d.index = buildIndex(der, offs)
	return d, nil
}

// walkEntries returns the DER offset of every revokedCertificates entry and
// checks the entry extensions: a certificateIssuer (indirect CRL) or an
// unknown critical extension makes the CRL unusable (PKITS 4.4.8).
func walkEntries(der []byte) (offs []uint32, unusable string, err error) {
	bad := errors.New("malformed CRL")
	in := cryptobyte.String(der)
	var outer, tbs cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) || !outer.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, "", bad
	}
	if tbs.PeekASN1Tag(cbasn1.INTEGER) && !tbs.SkipASN1(cbasn1.INTEGER) {
		return nil, "", bad
	}
	if !tbs.SkipASN1(cbasn1.SEQUENCE) || !tbs.SkipASN1(cbasn1.SEQUENCE) {
		return nil, "", bad
	}
	for i := 0; i < 2; i++ { // thisUpdate, optional nextUpdate
		if tbs.PeekASN1Tag(cbasn1.UTCTime) {
			tbs.SkipASN1(cbasn1.UTCTime)
		} else if tbs.PeekASN1Tag(cbasn1.GeneralizedTime) {
			tbs.SkipASN1(cbasn1.GeneralizedTime)
		}
	}
	if !tbs.PeekASN1Tag(cbasn1.SEQUENCE) {
		return nil, "", nil
	}
	var revoked cryptobyte.String
	if !tbs.ReadASN1(&revoked, cbasn1.SEQUENCE) {
		return nil, "", bad
	}
	for !revoked.Empty() {
		off := uint32(cap(der) - cap(revoked))
		var e cryptobyte.String
		if !revoked.ReadASN1(&e, cbasn1.SEQUENCE) {
			return nil, "", bad
		}
		offs = append(offs, off)
		if !e.SkipASN1(cbasn1.INTEGER) {
			return nil, "", bad
		}
		if !skipTime(&e) {
			return nil, "", bad
		}
		if e.Empty() {
			continue
		}
		var exts cryptobyte.String
		if !e.ReadASN1(&exts, cbasn1.SEQUENCE) {
			return nil, "", bad
		}
		for !exts.Empty() {
			var ext cryptobyte.String
			var id asn1.ObjectIdentifier
			critical := false
			if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&id) {
				return nil, "", bad
			}
			if ext.PeekASN1Tag(cbasn1.BOOLEAN) && !ext.ReadASN1Boolean(&critical) {
				return nil, "", bad
			}
			switch {
			case id.Equal(oidCertificateIssuer):
				if unusable == "" {
					unusable = "indirect CRL (certificateIssuer entry extension): not supported by Windows (spec §3.3)"
				}
			case id.Equal(oidReasonCode), id.Equal(oidInvalidityDate), id.Equal(oidHoldInstruction):
			default:
				if critical && unusable == "" {
					unusable = fmt.Sprintf("unsupported critical CRL entry extension %v", id)
				}
			}
		}
	}
	return offs, unusable, nil
}

func skipTime(s *cryptobyte.String) bool {
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		return s.SkipASN1(cbasn1.UTCTime)
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		return s.SkipASN1(cbasn1.GeneralizedTime)
	}
	return false
}

// entrySerial reads the serial INTEGER contents of the entry at off.
func entrySerial(der []byte, off uint32) []byte {
	s := cryptobyte.String(der[off:])
	var e, serial cryptobyte.String
	if !s.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1(&serial, cbasn1.INTEGER) {
		return nil
	}
	return serial
}

// readEntry decodes the entry at off: revocation date and reason code.
func readEntry(der []byte, off uint32) (entry, bool) {
	s := cryptobyte.String(der[off:])
	var e cryptobyte.String
	out := entry{reason: -1}
	if !s.ReadASN1(&e, cbasn1.SEQUENCE) || !e.SkipASN1(cbasn1.INTEGER) {
		return out, false
	}
	switch {
	case e.PeekASN1Tag(cbasn1.UTCTime):
		if !e.ReadASN1UTCTime(&out.revoked) {
			return out, false
		}
	case e.PeekASN1Tag(cbasn1.GeneralizedTime):
		if !e.ReadASN1GeneralizedTime(&out.revoked) {
			return out, false
		}
	default:
		return out, false
	}
	if e.Empty() {
		return out, true
	}
	var exts cryptobyte.String
	if !e.ReadASN1(&exts, cbasn1.SEQUENCE) {
		return out, false
	}
	for !exts.Empty() {
		var ext, val cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&oid) {
			return out, false
		}
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) {
			ext.SkipASN1(cbasn1.BOOLEAN)
		}
		if !ext.ReadASN1(&val, cbasn1.OCTET_STRING) {
			return out, false
		}
		if oid.Equal(oidReasonCode) {
			var r int
			if val.ReadASN1Enum(&r) {
				out.reason = r
			}
		}
	}
	return out, true
}

// serialIndex is an open-addressing hash table of entry offsets + 1 (0 is
// an empty slot), keyed by the trimmed serial bytes.
type serialIndex struct {
	seed  maphash.Seed
	slots []uint32
}

func buildIndex(der []byte, offs []uint32) serialIndex {
	n := 4
	for n < 2*len(offs) {
		n <<= 1
	}
	ix := serialIndex{seed: maphash.MakeSeed(), slots: make([]uint32, n)}
	mask := uint64(n - 1)
	for _, off := range offs {
		key := trimInt(entrySerial(der, off))
		for i := maphash.Bytes(ix.seed, key) & mask; ; i = (i + 1) & mask {
			v := ix.slots[i]
			if v == 0 {
				ix.slots[i] = off + 1
				break
			}
			if bytes.Equal(trimInt(entrySerial(der, v-1)), key) {
				break // duplicate serial: keep the first entry
			}
		}
	}
	return ix
}

// lookup returns the offset of the entry for serial (trimmed contents).
func (ix *serialIndex) lookup(der, serial []byte) (uint32, bool) {
	if len(ix.slots) == 0 {
		return 0, false
	}
	key := trimInt(serial)
	mask := uint64(len(ix.slots) - 1)
	for i := maphash.Bytes(ix.seed, key) & mask; ; i = (i + 1) & mask {
		v := ix.slots[i]
		if v == 0 {
			return 0, false
		}
		if bytes.Equal(trimInt(entrySerial(der, v-1)), key) {
			return v - 1, true
		}
	}
}

// find looks serial up on the CRL.
func (d *crlDoc) find(serial []byte) (entry, bool) {
	off, ok := d.index.lookup(d.der, serial)
	if !ok {
		return entry{}, false
	}
	return readEntry(d.der, off)
}

// heldBytes estimates the memory a crlDoc holds: the DER and the index.
func (d *crlDoc) heldBytes() int { return len(d.der) + 4*len(d.index.slots) }

// checkSignature verifies the CRL signature with issuer's key, once per key.
func (d *crlDoc) checkSignature(spkiSum [32]byte, verify func() error) error {
	d.mu.Lock()
	err, ok := d.verified[spkiSum]
	d.mu.Unlock()
	if ok {
		return err
	}
	err = verify()
	d.mu.Lock()
	d.verified[spkiSum] = err
	d.mu.Unlock()
	return err
}

// docCache is a bounded LRU of parsed CRLs keyed by the SHA-256 of the DER,
// so each CRL is parsed and indexed once however often it is consulted.
//
// A store CRL (Request.StoreCRLs) is the same *x509.RevocationList on every
// Check of every chain build: it is identified once, the first time it is
// seen, and found again by that pointer. Hashing its DER on every Check
// cost two SHA-256 passes over the whole CRL per certificate checked
// (3.6 ms at 100,000 entries, issue 16) where a lookup by URL costs
// microseconds. The pointer entries live and die with the doc's LRU entry,
// so they stay bounded by max; a store CRL must not be modified once it is
// handed to a Checker (chain.Store never does).
type docCache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List
	items map[[32]byte]*list.Element
	byPtr map[*x509.RevocationList]*list.Element
}

// docEntry is one LRU element: the doc and the store CRLs known to be it.
type docEntry struct {
	doc  *crlDoc
	ptrs []*x509.RevocationList
}

func newDocCache(max int) *docCache {
	return &docCache{max: max, ll: list.New(), items: map[[32]byte]*list.Element{}, byPtr: map[*x509.RevocationList]*list.Element{}}
}

// get returns the doc for der, parsing it on a miss.
func (c *docCache) get(der []byte) (*crlDoc, error) {
	return c.lookup(der, nil)
}

// getStore returns the doc for a store CRL, identified by its pointer after
// the first call.
func (c *docCache) getStore(crl *x509.RevocationList) (*crlDoc, error) {
	c.mu.Lock()
	if el, ok := c.byPtr[crl]; ok {
		c.ll.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*docEntry).doc, nil
	}
	c.mu.Unlock()
	return c.lookup(crl.Raw, crl)
}

// lookup finds der by its hash, parsing it on a miss; parsed, when not nil,
// is the store CRL it came from (its crypto/x509 form is reused and its
// pointer remembered).
func (c *docCache) lookup(der []byte, parsed *x509.RevocationList) (*crlDoc, error) {
	sum := sha256.Sum256(der)
	c.mu.Lock()
	if el, ok := c.items[sum]; ok {
		c.ll.MoveToFront(el)
		c.remember(el, parsed)
		c.mu.Unlock()
		return el.Value.(*docEntry).doc, nil
	}
	c.mu.Unlock()
	d, err := parseCRLDoc(der, parsed)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[sum]; ok {
		c.remember(el, parsed)
		return el.Value.(*docEntry).doc, nil
	}
	el := c.ll.PushFront(&docEntry{doc: d})
	c.items[sum] = el
	c.remember(el, parsed)
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		e := old.Value.(*docEntry)
		delete(c.items, e.doc.sum)
		for _, p := range e.ptrs {
			delete(c.byPtr, p)
		}
	}
	return d, nil
}

// remember records that the store CRL p is el's doc; c.mu is held.
func (c *docCache) remember(el *list.Element, p *x509.RevocationList) {
	if p == nil {
		return
	}
	if _, ok := c.byPtr[p]; ok {
		return
	}
	e := el.Value.(*docEntry)
	e.ptrs = append(e.ptrs, p)
	c.byPtr[p] = el
}
