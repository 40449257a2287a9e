package certs

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"unicode"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// NameType is the CHOICE tag of a GeneralName (RFC 5280 4.2.1.6).
type NameType int

// GeneralName CHOICE tags.
const (
	NameOther     NameType = 0 // otherName (Windows supports only the UPN form)
	NameRFC822    NameType = 1 // rfc822Name (e-mail)
	NameDNS       NameType = 2 // dNSName
	NameX400      NameType = 3 // x400Address (unsupported by Windows name constraints)
	NameDirectory NameType = 4 // directoryName
	NameEDIParty  NameType = 5 // ediPartyName (unsupported)
	NameURI       NameType = 6 // uniformResourceIdentifier
	NameIP        NameType = 7 // iPAddress
	NameRID       NameType = 8 // registeredID (unsupported)
)

// OIDUPN is the Microsoft UPN otherName (szOID_NT_PRINCIPAL_NAME), the only
// otherName Windows name constraints support (spec §1.6).
var OIDUPN = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}

// GeneralName is one decoded GeneralName. Value holds the string form for
// rfc822, dNS and URI names and the UPN; Raw holds the DER contents of a
// directoryName (a Name SEQUENCE) or the octets of an iPAddress.
type GeneralName struct {
	Type NameType
	// Value is the text of an rfc822Name, dNSName, URI, or a UPN.
	Value string
	// Raw is the contents: a directoryName's Name DER, an iPAddress's bytes
	// (4 or 16, or 8/32 with a mask inside name constraints), an otherName's
	// full DER.
	Raw []byte
	// OtherOID is the type-id of an otherName.
	OtherOID asn1.ObjectIdentifier
}

// IsUPN reports whether the name is a UPN otherName.
func (g GeneralName) IsUPN() bool { return g.Type == NameOther && g.OtherOID.Equal(OIDUPN) }

// String prints the name the way certutil labels it ("DNS Name=…").
func (g GeneralName) String() string {
	switch g.Type {
	case NameDNS:
		return "DNS Name=" + g.Value
	case NameRFC822:
		return "RFC822 Name=" + g.Value
	case NameURI:
		return "URL=" + g.Value
	case NameIP:
		return "IP Address=" + net.IP(g.Raw).String()
	case NameDirectory:
		if rdn, err := ParseName(g.Raw); err == nil {
			var n pkix.Name
			n.FillFromRDNSequence(&rdn)
			return "Directory Address=" + n.String()
		}
		return "Directory Address=?"
	case NameOther:
		if g.IsUPN() {
			return "Principal Name=" + g.Value
		}
		return "Other Name=" + g.OtherOID.String()
	}
	return fmt.Sprintf("GeneralName[%d]", g.Type)
}

// Equal reports whether two names are the same: directory names compare as
// [NamesEqual] does, the string forms by their text, the others by their
// bytes. Distribution-point and issuer matching use it.
func (g GeneralName) Equal(o GeneralName) bool {
	if g.Type != o.Type {
		return false
	}
	switch g.Type {
	case NameDirectory:
		return NamesEqual(g.Raw, o.Raw)
	case NameRFC822, NameDNS, NameURI:
		return g.Value == o.Value
	}
	return bytes.Equal(g.Raw, o.Raw)
}

// parseGeneralNames parses a GeneralNames SEQUENCE.
func parseGeneralNames(der []byte) ([]GeneralName, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("GeneralNames is not a SEQUENCE")
	}
	return ParseGeneralNames(seq)
}

// ParseGeneralNames parses the contents of a GeneralNames SEQUENCE (what
// follows its tag and length, as inside an IMPLICIT [n] GeneralNames of a
// distribution point or an AKI). It is the one GeneralName decoder: the
// certificate's SAN, AKI and name constraints, the distribution point
// extensions ([ParseDistributionPoints]) and, through its lenient walk, the
// x509 fields of a leniently parsed certificate all use it. Any element
// that does not decode fails it.
func ParseGeneralNames(contents []byte) ([]GeneralName, error) {
	return readGeneralNames(contents, false)
}

// readGeneralNames walks the GeneralName elements of contents. A badly
// framed element fails it either way. Strictly, so does any element that
// does not decode. Leniently (the view crypto/x509 takes of a SAN, which
// lenient.go reproduces for the certificates crypto/x509 refuses), only the
// primitive context-tagged elements are decoded (rfc822Name, dNSName, URI,
// iPAddress, registeredID; otherName, x400Address, directoryName and
// ediPartyName are constructed) and one that does not decode is skipped.
func readGeneralNames(contents []byte, lenient bool) ([]GeneralName, error) {
	seq := cryptobyte.String(contents)
	var out []GeneralName
	for !seq.Empty() {
		g, ok, err := nextGeneralName(&seq, lenient)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, g)
		}
	}
	return out, nil
}

// readGeneralName reads one GeneralName off s, strictly.
func readGeneralName(s *cryptobyte.String) (GeneralName, error) {
	g, _, err := nextGeneralName(s, false)
	return g, err
}

// nextGeneralName reads one GeneralName element off s and decodes it; ok is
// false when the lenient walk skips it (see readGeneralNames).
func nextGeneralName(s *cryptobyte.String, lenient bool) (g GeneralName, ok bool, err error) {
	var body cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&body, &tag) {
		return GeneralName{}, false, errors.New("malformed GeneralName")
	}
	if lenient && int(tag)&0xe0 != 0x80 {
		return GeneralName{}, false, nil
	}
	g, err = decodeGeneralName(body, tag)
	if err != nil {
		if lenient {
			return GeneralName{}, false, nil
		}
		return GeneralName{}, false, err
	}
	return g, true, nil
}

// decodeGeneralName decodes one GeneralName element (full: its tag, length
// and contents).
func decodeGeneralName(full []byte, tag cbasn1.Tag) (GeneralName, error) {
	// Re-read the element to get its contents without the header.
	var contents cryptobyte.String
	el := cryptobyte.String(full)
	if !el.ReadASN1(&contents, tag) {
		return GeneralName{}, errors.New("malformed GeneralName")
	}
	num := NameType(int(tag) & 0x1f)
	if int(tag)&0xc0 != 0x80 {
		return GeneralName{}, fmt.Errorf("GeneralName has non-context tag 0x%x", int(tag))
	}
	g := GeneralName{Type: num}
	switch num {
	case NameRFC822, NameDNS, NameURI:
		g.Value = string(contents)
	case NameIP:
		g.Raw = append([]byte(nil), contents...)
	case NameDirectory:
		// [4] EXPLICIT Name: contents is the Name SEQUENCE.
		g.Raw = append([]byte(nil), contents...)
	case NameOther:
		g.Raw = full
		var oid asn1.ObjectIdentifier
		c := contents
		if !c.ReadASN1ObjectIdentifier(&oid) {
			return GeneralName{}, errors.New("malformed otherName type-id")
		}
		g.OtherOID = oid
		if oid.Equal(OIDUPN) {
			// [0] EXPLICIT UTF8String
			var v cryptobyte.String
			if c.ReadASN1(&v, cbasn1.Tag(0).Constructed().ContextSpecific()) {
				var str cryptobyte.String
				var t cbasn1.Tag
				if v.ReadAnyASN1(&str, &t) {
					g.Value = string(str)
				}
			}
		}
	default:
		g.Raw = append([]byte(nil), contents...)
	}
	return g, nil
}

func (c *Certificate) parseExtensions() {
	var san, sanObsolete []byte
	for _, e := range c.X.Extensions {
		switch {
		// The first of duplicate extensions counts, as CertFindExtension
		// returns the first.
		case e.Id.Equal(OIDSubjectAltName):
			if san == nil {
				san = e.Value
			}
			c.HasSAN = true
		case e.Id.Equal(OIDSubjectAltNameObsolete):
			if sanObsolete == nil {
				sanObsolete = e.Value
			}
			c.HasSAN = true
		case e.Id.Equal(OIDAuthorityKeyID):
			aki, err := parseAKI(e.Value)
			if err != nil {
				c.AKIMalformed = true
			} else {
				c.AKI = aki
			}
		case e.Id.Equal(OIDNameConstraints):
			nc, err := parseNameConstraints(e.Value)
			if err != nil {
				c.NameConstraintsInvalid = true
			} else {
				nc.Critical = e.Critical
				c.NameConstraints = nc
			}
		}
	}
	raw := san
	if raw == nil {
		raw = sanObsolete
	}
	if raw != nil {
		names, err := parseGeneralNames(raw)
		if err != nil {
			c.SANInvalid = true
		}
		for _, n := range names {
			if (n.Type == NameDNS || n.Type == NameRFC822 || n.Type == NameURI) && strings.IndexByte(n.Value, 0) >= 0 {
				c.SANInvalid = true
			}
		}
		c.SAN = names
	}
}

func parseAKI(der []byte) (*AuthorityKeyID, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("AKI is not a SEQUENCE")
	}
	aki := &AuthorityKeyID{}
	var kid cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&kid, &present, cbasn1.Tag(0).ContextSpecific()) {
		return nil, errors.New("malformed AKI keyIdentifier")
	}
	if present {
		aki.KeyID = append([]byte(nil), kid...)
	}
	var iss cryptobyte.String
	if !seq.ReadOptionalASN1(&iss, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, errors.New("malformed AKI authorityCertIssuer")
	}
	if present {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(iss) })
		names, err := parseGeneralNames(b.BytesOrPanic())
		if err != nil {
			return nil, err
		}
		aki.Issuer = names
	}
	var serial cryptobyte.String
	if !seq.ReadOptionalASN1(&serial, &present, cbasn1.Tag(2).ContextSpecific()) {
		return nil, errors.New("malformed AKI serial")
	}
	if present {
		aki.Serial = bytesToSignedInt(serial)
	}
	if !seq.Empty() {
		return nil, errors.New("trailing data in AKI")
	}
	return aki, nil
}

func bytesToSignedInt(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return n
}

// NameConstraints is the name constraints extension with every subtree form,
// including the ones crypto/x509 drops (directoryName, otherName, x400, EDI,
// RID) and the minimum/maximum fields Windows refuses.
type NameConstraints struct {
	Critical  bool
	Permitted []Subtree
	Excluded  []Subtree
}

// Subtree is one GeneralSubtree.
type Subtree struct {
	Base GeneralName
	// HasMinMax is true when minimum is not 0 or maximum is present: Windows
	// does not support either (CERT_TRUST_HAS_NOT_SUPPORTED_NAME_CONSTRAINT).
	HasMinMax bool
}

func parseNameConstraints(der []byte) (*NameConstraints, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("NameConstraints is not a SEQUENCE")
	}
	nc := &NameConstraints{}
	for _, part := range []struct {
		tag  cbasn1.Tag
		dest *[]Subtree
	}{
		{cbasn1.Tag(0).Constructed().ContextSpecific(), &nc.Permitted},
		{cbasn1.Tag(1).Constructed().ContextSpecific(), &nc.Excluded},
	} {
		var subtrees cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&subtrees, &present, part.tag) {
			return nil, errors.New("malformed GeneralSubtrees")
		}
		for present && !subtrees.Empty() {
			var st cryptobyte.String
			if !subtrees.ReadASN1(&st, cbasn1.SEQUENCE) {
				return nil, errors.New("malformed GeneralSubtree")
			}
			g, err := readGeneralName(&st)
			if err != nil {
				return nil, err
			}
			s := Subtree{Base: g}
			if !st.Empty() {
				var min, max cryptobyte.String
				var hasMin, hasMax bool
				if !st.ReadOptionalASN1(&min, &hasMin, cbasn1.Tag(0).ContextSpecific()) ||
					!st.ReadOptionalASN1(&max, &hasMax, cbasn1.Tag(1).ContextSpecific()) {
					return nil, errors.New("malformed GeneralSubtree minimum/maximum")
				}
				if hasMax || (hasMin && !(len(min) == 1 && min[0] == 0)) {
					s.HasMinMax = true
				}
			}
			*part.dest = append(*part.dest, s)
		}
	}
	if !seq.Empty() {
		return nil, errors.New("trailing data in NameConstraints")
	}
	return nc, nil
}

// NamesEqual compares two DER-encoded distinguished names. Identical bytes
// are equal; otherwise the names are compared attribute by attribute after
// RFC 5280 §7.1 preparation (case folding, insignificant whitespace, string
// type ignored), so PKITS 4.3.3–4.3.5 style encodings still chain.
func NamesEqual(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	ra, err := ParseName(a)
	if err != nil {
		return false
	}
	rb, err := ParseName(b)
	if err != nil {
		return false
	}
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if !rdnEqual(ra[i], rb[i]) {
			return false
		}
	}
	return true
}

func rdnEqual(a, b pkix.RelativeDistinguishedNameSET) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
outer:
	for _, x := range a {
		for j, y := range b {
			if !used[j] && x.Type.Equal(y.Type) && valueEqual(x.Value, y.Value) {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}

func valueEqual(a, b any) bool {
	sa, oka := a.(string)
	sb, okb := b.(string)
	if oka && okb {
		return PrepareString(sa) == PrepareString(sb)
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// PrepareString applies the RFC 5280 §7.1 / RFC 4518 essentials used for name
// comparison: case folding and insignificant-space handling.
func PrepareString(s string) string {
	f := strings.FieldsFunc(s, unicode.IsSpace)
	return strings.ToLower(strings.Join(f, " "))
}

// ParseName decodes a DER Name into RDNs, leniently: any string type, a
// NUL inside a PrintableString (spec §11.3), T61 read as Latin-1, as the
// lenient certificate parser does.
func ParseName(der []byte) (pkix.RDNSequence, error) {
	return parseRDNSequenceLenient(der)
}

// ekuOIDs returns the EKU OIDs, nil for any usage.
func ekuOIDs(x *x509.Certificate) []string {
	for _, e := range x.Extensions {
		if !e.Id.Equal(oidExtKeyUsage) {
			continue
		}
		var oids []asn1.ObjectIdentifier
		if rest, err := asn1.Unmarshal(e.Value, &oids); err != nil || len(rest) != 0 {
			return []string{}
		}
		out := make([]string, 0, len(oids))
		for _, o := range oids {
			if o.Equal(oidAnyExtKeyUsage) {
				return nil
			}
			out = append(out, o.String())
		}
		return out
	}
	return nil
}

func keyIdentifier(x *x509.Certificate) []byte {
	if len(x.SubjectKeyId) > 0 {
		return x.SubjectKeyId
	}
	in := cryptobyte.String(x.RawSubjectPublicKeyInfo)
	var seq cryptobyte.String
	var bits cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) ||
		!seq.ReadASN1(&bits, cbasn1.BIT_STRING) || len(bits) < 1 {
		return nil
	}
	h := sha1.Sum(bits[1:])
	return h[:]
}

// NameKey is a cheap bucket key for a DER name: the RFC 5280-prepared
// string form ([PrepareString]), so that encodings differing only in case
// or string type share a key; [NamesEqual] then decides. A name that does
// not parse keys by its raw bytes.
func NameKey(raw []byte) string {
	rdn, err := ParseName(raw)
	if err != nil {
		return "raw:" + string(raw)
	}
	var b strings.Builder
	for _, set := range rdn {
		b.WriteByte('/')
		for _, atv := range set {
			b.WriteString(atv.Type.String())
			b.WriteByte('=')
			if s, ok := atv.Value.(string); ok {
				b.WriteString(PrepareString(s))
			} else {
				fmt.Fprint(&b, atv.Value)
			}
			b.WriteByte('+')
		}
	}
	return b.String()
}
