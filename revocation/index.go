package revocation

// A parsed CRL as the checker keeps it: the certs.CRL (the DER, its header
// and its compact serial index, see certs.ParseCRL) and what the revocation
// provider derives from its extensions.

import (
	"container/list"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/winchain/winchain/certs"
)

// crlDoc is one parsed CRL.
type crlDoc struct {
	crl       *certs.CRL
	der       []byte
	sum       [32]byte
	tbs, sig  []byte
	sigAlg    x509.SignatureAlgorithm
	rawIssuer []byte
	aki       []byte

	thisUpdate, nextUpdate time.Time
	number                 *big.Int

	idp      *certs.IssuingDistributionPoint
	freshest []certs.DistributionPoint
	isDelta  bool
	base     *big.Int // BaseCRLNumber of a delta CRL

	// unusable says why the CRL can never be used (an unknown critical
	// extension, an indirect CRL entry, a malformed extension); "" if
	// usable.
	unusable string

	mu       sync.Mutex
	verified map[[32]byte]error // signature result per issuer key
}

// entry is one revoked certificate, read from the DER on a hit.
type entry struct {
	revoked time.Time
	reason  int // -1 when the entry has no reasonCode
}

// parseCRLDoc builds a crlDoc from DER. parsed may be the same CRL already
// parsed (a store CRL); nil parses it here with certs.ParseCRL, the one
// CRL parser.
func parseCRLDoc(der []byte, parsed *certs.CRL) (*crlDoc, error) {
	if parsed == nil {
		var err error
		if parsed, err = certs.ParseCRL(der); err != nil {
			return nil, err
		}
	}
	d := &crlDoc{
		crl:        parsed,
		der:        parsed.Raw,
		sum:        sha256.Sum256(der),
		tbs:        parsed.RawTBSRevocationList,
		sig:        parsed.Signature,
		sigAlg:     parsed.SignatureAlgorithm,
		rawIssuer:  parsed.RawIssuer,
		aki:        parsed.AuthorityKeyID,
		thisUpdate: parsed.ThisUpdate,
		nextUpdate: parsed.NextUpdate,
		number:     parsed.Number,
		isDelta:    parsed.IsDelta,
		base:       parsed.BaseNumber,
		verified:   map[[32]byte]error{},
	}
	for _, ext := range parsed.Extensions {
		var err error
		switch {
		case ext.Id.Equal(oidIssuingDistPoint):
			d.idp, err = certs.ParseIssuingDistributionPoint(ext.Value)
		case ext.Id.Equal(oidFreshestCRL):
			d.freshest, err = certs.ParseDistributionPoints(ext.Value)
		case ext.Id.Equal(certs.OIDDeltaCRLIndicator):
			if parsed.BaseNumber == nil {
				err = errMalformed
			}
		case certs.HandledCRLExtension(ext.Id):
		default:
			if ext.Critical && d.unusable == "" {
				d.unusable = fmt.Sprintf("unsupported critical CRL extension %v", ext.Id)
			}
		}
		if err != nil && d.unusable == "" {
			d.unusable = fmt.Sprintf("CRL extension %v: %v", ext.Id, err)
		}
	}
	// An unknown critical entry extension does not make the CRL unusable,
	// though RFC 5280 §5.3 says it should: Mono's PKITS run on Windows
	// recorded Revoked for 4.4.8 (the listed certificate counts as
	// revoked, mono/mono Pkits_4_04_BasicCertificateRevocationTests.cs
	// T08), where an unknown critical CRL extension (4.4.9, 4.4.10) gave
	// RevocationStatusUnknown.
	if d.unusable == "" && parsed.IndirectEntries {
		// PKITS 4.14.33: a certificateIssuer entry extension.
		d.unusable = "indirect CRL (certificateIssuer entry extension): not supported by Windows (spec §3.3)"
	}
	return d, nil
}

// find looks serial (the contents of the certificate's serial INTEGER) up
// on the CRL.
func (d *crlDoc) find(serial []byte) (entry, bool) {
	e, ok := d.crl.Lookup(serial)
	if !ok {
		return entry{}, false
	}
	return entry{revoked: e.RevocationTime, reason: e.ReasonCode}, true
}

// heldBytes estimates the memory a crlDoc holds: the DER and the index.
func (d *crlDoc) heldBytes() int { return d.crl.HeldBytes() }

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
// A store CRL (Request.StoreCRLs) is the same *certs.CRL on every
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
	byPtr map[*certs.CRL]*list.Element
}

// docEntry is one LRU element: the doc and the store CRLs known to be it.
type docEntry struct {
	doc  *crlDoc
	ptrs []*certs.CRL
}

func newDocCache(max int) *docCache {
	return &docCache{max: max, ll: list.New(), items: map[[32]byte]*list.Element{}, byPtr: map[*certs.CRL]*list.Element{}}
}

// get returns the doc for der, parsing it on a miss.
func (c *docCache) get(der []byte) (*crlDoc, error) {
	return c.lookup(der, nil)
}

// getStore returns the doc for a store CRL, identified by its pointer after
// the first call.
func (c *docCache) getStore(crl *certs.CRL) (*crlDoc, error) {
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
// is the store CRL it came from (its parsed form is reused and its
// pointer remembered).
func (c *docCache) lookup(der []byte, parsed *certs.CRL) (*crlDoc, error) {
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
func (c *docCache) remember(el *list.Element, p *certs.CRL) {
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
