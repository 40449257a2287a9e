package capi2

import (
	"fmt"
	"strings"
	"time"

	"github.com/winchain/winchain/chain"
)

// ProviderName is the System/Provider Name of every CAPI2 event (spec §7.3).
const ProviderName = "Microsoft-Windows-CAPI2"

// The event IDs the package models (spec §7.3).
const (
	EventChainStart      = 10 // CertGetCertificateChainStart
	EventChain           = 11 // CertGetCertificateChain
	EventPolicy          = 30 // CertVerifyCertificateChainPolicy
	EventRevocationStart = 40 // CertVerifyRevocationStart
	EventRevocation      = 41 // CertVerifyRevocation
	EventRejected        = 42 // CertRejectedRevocationInfo
	EventCacheStart      = 50 // CryptRetrieveObjectByUrlCacheStart
	EventCache           = 51 // CryptRetrieveObjectByUrlCache
	EventWireStart       = 52 // CryptRetrieveObjectByUrlWireStart
	EventWire            = 53 // CryptRetrieveObjectByUrlWire
	EventObjects         = 90 // X509Objects
)

// Event is one CAPI2 event with its envelope and, by EventID, one typed
// body.
type Event struct {
	// RecordID is EventRecordID; ID the EventID; Level 2 (error) or 4
	// (success).
	RecordID uint64
	ID       int
	Level    int
	// Time is TimeCreated SystemTime (UTC).
	Time                time.Time
	ProcessID, ThreadID int
	Computer            string
	// Element is the name of the UserData element (the API's name).
	Element string
	// Process is EventAuxInfo ProcessName.
	Process string
	// TaskID and Seq are CorrelationAuxInfo TaskId and SeqNumber: one
	// TaskId for all events of one operation, SeqNumber counting up.
	TaskID string
	Seq    int
	// Result is the event's Result (absent in start events).
	Result Code

	// One of these is set, by EventID.
	Chain      *ChainBuild      // 10, 11
	Policy     *PolicyCheck     // 30
	Revocation *RevocationCheck // 40, 41
	Rejected   *Rejection       // 42
	Retrieval  *Retrieval       // 50–53
	Objects    *Objects         // 90
}

// CertRef names a certificate as the log does: fileRef "<SHA1>.cer" and
// subjectName (the display name, often only the CN).
type CertRef struct {
	FileRef string
	SHA1    string
	Subject string
}

func certRefOf(n *node) CertRef {
	if n == nil {
		return CertRef{}
	}
	f := n.attr("fileRef")
	return CertRef{FileRef: f, SHA1: thumbprintOf(f), Subject: n.attr("subjectName")}
}

// thumbprintOf returns the upper-case SHA-1 of a fileRef "<SHA1>.cer",
// "" when the name is not one.
func thumbprintOf(fileRef string) string {
	base := fileRef
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	if b := parseHexBytes(base); len(b) == 20 {
		return strings.ToUpper(base)
	}
	return ""
}

// Usage is an EKU OID with the (localised) name Windows printed.
type Usage struct {
	OID  string
	Name string
}

func usagesOf(n *node) []Usage {
	var out []Usage
	for _, u := range n.children("Usage") {
		out = append(out, Usage{OID: u.attr("oid"), Name: u.attr("name")})
	}
	return out
}

// ChainBuild is event 11 (CertGetCertificateChain), or the start event 10
// with only the envelope.
type ChainBuild struct {
	// Certificate is the end certificate asked about.
	Certificate CertRef
	// Additional is hAdditionalStore as listed.
	Additional []CertRef
	// Usage is the requested EKU (RequestedUsage) and UsageOr its
	// USAGE_MATCH_TYPE_OR.
	Usage   []Usage
	UsageOr bool
	// Flags are the dwFlags of the call.
	Flags Flags
	// Engine is ChainEngineInfo context: "user" or "machine".
	Engine string
	// Chains are the simple chains (CertificateChain elements); one for
	// X.509 paths.
	Chains []SimpleChain
}

// SimpleChain is one CertificateChain: its chainRef, roll-up status and
// elements (element 0 the end certificate).
type SimpleChain struct {
	ChainRef    string
	TrustStatus chain.TrustStatus
	Elements    []Element
}

// Element is one ChainElement.
type Element struct {
	Cert CertRef
	// SignatureAlgorithm and PublicKey as logged.
	SignatureAlgorithm Algorithm
	PublicKey          Algorithm
	TrustStatus        chain.TrustStatus
	// ApplicationUsage/IssuanceUsage; the *Any fields are any="true".
	ApplicationUsage []Usage
	ApplicationAny   bool
	IssuanceUsage    []Usage
	IssuanceAny      bool
	// Revocation is RevocationInfo, nil when absent (not checked).
	Revocation *ElementRevocation
}

// Algorithm is a SignatureAlgorithm or PublicKeyAlgorithm element.
type Algorithm struct {
	OID string
	// Hash is hashName (signatures); Key publicKeyName; Bits publicKeyLength.
	Hash string
	Key  string
	Bits int
}

func algorithmOf(n *node) Algorithm {
	if n == nil {
		return Algorithm{}
	}
	return Algorithm{OID: n.attr("oid"), Hash: n.attr("hashName"), Key: n.attr("publicKeyName"),
		Bits: parseInt(n.attr("publicKeyLength"), 0)}
}

// ElementRevocation is a ChainElement's RevocationInfo.
type ElementRevocation struct {
	// Freshness is freshnessTime: how old the revocation data was.
	Freshness Duration
	// Result is RevocationResult (0, 80092013, 80092010 …).
	Result Code
	// Object is the CRL or OCSP response used, nil when none.
	Object *ObjectRef
}

// ObjectRef names a CRL, OCSP response or certificate used or refused.
type ObjectRef struct {
	// Kind is "crl", "ocsp" or "cert".
	Kind string
	// Location is where Windows found it: "TvoCache" (the process memory
	// cache), "UrlCache" (the CryptnetUrlCache on disk), "Wire" (the
	// network), or as logged.
	Location   string
	URL        string
	FileRef    string
	IssuerName string
}

// objectRefIn returns the first CRL/OCSP/certificate child of n.
func objectRefIn(n *node) *ObjectRef {
	if n == nil {
		return nil
	}
	for _, k := range n.elems() {
		if kind := objectKind(k.name); kind != "" && kind != "cert" {
			return &ObjectRef{Kind: kind, Location: k.attr("location"), URL: k.attr("url"),
				FileRef: k.attr("fileRef"), IssuerName: k.attr("issuerName")}
		}
	}
	return nil
}

func objectKind(element string) string {
	switch element {
	case "CertificateRevocationList", "CRL":
		return "crl"
	case "OCSPResponse":
		return "ocsp"
	case "Certificate":
		return "cert"
	}
	return ""
}

// PolicyCheck is event 30 (CertVerifyCertificateChainPolicy).
type PolicyCheck struct {
	// Policy is the Policy type ("CERT_CHAIN_POLICY_SSL") and PolicyOID
	// its constant (4).
	Policy      string
	PolicyConst int
	Certificate CertRef
	ChainRef    string
	// Flags are CERT_CHAIN_POLICY_PARA.dwFlags.
	Flags Flags
	// SSL extra parameters, when the policy is SSL.
	AuthType    string
	ServerName  string
	IgnoreFlags Flags
	// ChainIndex and ElementIndex are the Status (PolicyStatus) indexes.
	ChainIndex, ElementIndex int
}

// RevocationCheck is event 41 (CertVerifyRevocation), or its start 40.
type RevocationCheck struct {
	Certificate CertRef
	Issuer      CertRef
	Flags       Flags
	// TimeToUse and CurrentTime are AdditionalParameters; URLTimeout its
	// urlRetrievalTimeout.
	TimeToUse, CurrentTime time.Time
	URLTimeout             Duration
	// Status is RevocationStatus: index, error, reason,
	// actualFreshnessTime, thirdPartyProviderUsed.
	Index           int
	Error           Code
	Reason          int
	ActualFreshness Duration
	Provider        string
	// Object is the CRL or OCSP response used.
	Object *ObjectRef
}

// Rejection is event 42 (CertRejectedRevocationInfo): an object refused.
type Rejection struct {
	Subject CertRef
	Issuer  CertRef
	Object  *ObjectRef
	// Action is the check that refused it ("CheckTimeValidity" for a
	// stale CRL).
	Action string
}

// Retrieval is a URL-cache lookup (50/51) or a network fetch (52/53).
type Retrieval struct {
	// Wire is true for 52/53 (the network), false for 50/51 (the cache).
	Wire   bool
	URL    string
	Scheme string
	// ObjectType is Object type ("CONTEXT_OID_CRL", "CONTEXT_OID_OCSP_RESP" …).
	ObjectType string
	// Timeout is the time the fetch was allowed.
	Timeout Duration
	Flags   Flags
	// MaxBytes is AuxInfo maxUrlRetrievalByteCount.
	MaxBytes uint64
	// Cache describes the cache entry (51).
	Cache *CacheInfo
	// Network is NetworkConnectivityStatus (53).
	Network Flags
	// Action and ActionError are the failing step ("Call_WinHttpSendRequest")
	// and its WinHTTP error.
	Action      string
	ActionError Code
	// Retrieved are the objects the call returned.
	Retrieved []ObjectRef
}

// CacheInfo is event 51's CacheInfo.
type CacheInfo struct {
	LastSync                          time.Time
	PrefetchType                      string
	ThisUpdate, NextUpdate, Published time.Time
	Expire                            time.Time
	ResponseType                      string
	Validated                         bool
	LastModified                      time.Time
}

// Kind returns "crl", "ocsp", "aia" (an issuer certificate) or "".
func (r *Retrieval) Kind() string {
	t := strings.ToUpper(r.ObjectType)
	switch {
	case strings.Contains(t, "OCSP"):
		return "ocsp"
	case strings.Contains(t, "CRL"):
		return "crl"
	case strings.Contains(t, "CERT") || strings.Contains(t, "PKCS7") || strings.Contains(t, "CAPI2_ANY"):
		return "aia"
	}
	u := strings.ToLower(r.URL)
	switch {
	case strings.HasSuffix(u, ".crl"):
		return "crl"
	case strings.HasSuffix(u, ".crt") || strings.HasSuffix(u, ".cer") || strings.HasSuffix(u, ".p7c"):
		return "aia"
	}
	return ""
}

// parseEvent models one <Event>. It returns a non-empty reason when the
// event is skipped (the event is then returned for its envelope, or nil).
func parseEvent(n *node) (*Event, string) {
	sys := n.child("System")
	if sys == nil {
		return nil, "no System element"
	}
	ev := &Event{
		RecordID: parseUint(sys.childText("EventRecordID")),
		ID:       parseInt(sys.childText("EventID"), 0),
		Level:    parseInt(sys.childText("Level"), 0),
		Time:     parseTime(sys.child("TimeCreated").attr("SystemTime")),
		Computer: sys.childText("Computer"),
	}
	ev.ProcessID = parseInt(sys.child("Execution").attr("ProcessID"), 0)
	ev.ThreadID = parseInt(sys.child("Execution").attr("ThreadID"), 0)
	if p := sys.child("Provider").attr("Name"); p != ProviderName {
		return ev, fmt.Sprintf("not a CAPI2 event (provider %q)", p)
	}
	ud := n.child("UserData")
	if ud == nil || len(ud.kids) == 0 {
		return ev, fmt.Sprintf("event %d has no UserData", ev.ID)
	}
	body := ud.kids[0]
	ev.Element = body.name
	ev.Process = body.child("EventAuxInfo").attr("ProcessName")
	if c := body.child("CorrelationAuxInfo"); c != nil {
		ev.TaskID = strings.ToUpper(c.attr("TaskId"))
		ev.Seq = parseInt(c.attr("SeqNumber"), 0)
	}
	if r := body.child("Result"); r != nil {
		ev.Result = codeOf(r)
	}
	switch ev.ID {
	case EventChainStart, EventChain:
		ev.Chain = parseChain(body)
	case EventPolicy:
		ev.Policy = parsePolicy(body)
	case EventRevocationStart, EventRevocation:
		ev.Revocation = parseRevocation(body)
	case EventRejected:
		ev.Rejected = &Rejection{Subject: certRefOf(body.child("SubjectCertificate")),
			Issuer: certRefOf(body.child("IssuerCertificate")), Object: objectRefIn(body),
			Action: body.child("Action").attr("name")}
	case EventCacheStart, EventCache, EventWireStart, EventWire:
		ev.Retrieval = parseRetrieval(body, ev.ID >= EventWireStart)
	case EventObjects:
		ev.Objects = parseObjects(body)
	default:
		return ev, fmt.Sprintf("event %d (%s) is not modelled", ev.ID, body.name)
	}
	return ev, ""
}

func parseChain(b *node) *ChainBuild {
	c := &ChainBuild{Certificate: certRefOf(b.child("Certificate")), Flags: flagsOf(b.child("Flags")),
		Engine: b.child("ChainEngineInfo").attr("context")}
	for _, a := range b.child("AdditionalStore").elems() {
		c.Additional = append(c.Additional, certRefOf(a))
	}
	if u := b.child("ExtendedKeyUsage"); u != nil {
		c.Usage, c.UsageOr = usagesOf(u), boolAttr(u, "orMatch")
	}
	for _, cc := range b.children("CertificateChain") {
		sc := SimpleChain{ChainRef: strings.ToUpper(cc.attr("chainRef")), TrustStatus: trustStatusOf(cc.child("TrustStatus"))}
		for _, e := range cc.children("ChainElement") {
			el := Element{Cert: certRefOf(e.child("Certificate")), SignatureAlgorithm: algorithmOf(e.child("SignatureAlgorithm")),
				PublicKey: algorithmOf(e.child("PublicKeyAlgorithm")), TrustStatus: trustStatusOf(e.child("TrustStatus"))}
			if u := e.child("ApplicationUsage"); u != nil {
				el.ApplicationUsage, el.ApplicationAny = usagesOf(u), boolAttr(u, "any")
			}
			if u := e.child("IssuanceUsage"); u != nil {
				el.IssuanceUsage, el.IssuanceAny = usagesOf(u), boolAttr(u, "any")
			}
			if ri := e.child("RevocationInfo"); ri != nil {
				el.Revocation = &ElementRevocation{Freshness: durationAttr(ri, "freshnessTime"),
					Result: codeOf(ri.child("RevocationResult")), Object: objectRefIn(ri)}
			}
			sc.Elements = append(sc.Elements, el)
		}
		c.Chains = append(c.Chains, sc)
	}
	return c
}

func parsePolicy(b *node) *PolicyCheck {
	p := &PolicyCheck{Policy: b.child("Policy").attr("type"), PolicyConst: parseInt(b.child("Policy").attr("constant"), 0),
		Certificate: certRefOf(b.child("Certificate")), ChainRef: strings.ToUpper(b.child("CertificateChain").attr("chainRef")),
		Flags: flagsOf(b.child("Flags")), ChainIndex: -1, ElementIndex: -1}
	if ssl := b.child("SSLAdditionalPolicyInfo"); ssl != nil {
		p.AuthType, p.ServerName = ssl.attr("authType"), ssl.attr("serverName")
		p.IgnoreFlags = flagsOf(ssl.child("IgnoreFlags"))
	}
	st := b.child("Status")
	if st == nil {
		st = b.child("PolicyStatus")
	}
	if st != nil {
		p.ChainIndex, p.ElementIndex = parseInt(st.attr("chainIndex"), -1), parseInt(st.attr("elementIndex"), -1)
	}
	return p
}

func parseRevocation(b *node) *RevocationCheck {
	r := &RevocationCheck{Certificate: certRefOf(b.child("Certificate")), Issuer: certRefOf(b.child("IssuerCertificate")),
		Flags: flagsOf(b.child("Flags")), Object: objectRefIn(b)}
	if ap := b.child("AdditionalParameters"); ap != nil {
		r.TimeToUse, r.CurrentTime = parseTime(ap.attr("timeToUse")), parseTime(ap.attr("currentTime"))
		r.URLTimeout = durationAttr(ap, "urlRetrievalTimeout")
	}
	if st := b.child("RevocationStatus"); st != nil {
		r.Index = parseInt(st.attr("index"), 0)
		if v, ok := parseHex32(st.attr("error")); ok {
			r.Error = Code{Value: v, Set: true}
		}
		r.Reason = parseInt(st.attr("reason"), 0)
		r.ActualFreshness = durationAttr(st, "actualFreshnessTime")
		r.Provider = st.attr("thirdPartyProviderUsed")
	}
	return r
}

func parseRetrieval(b *node, wire bool) *Retrieval {
	u := b.child("URL")
	r := &Retrieval{Wire: wire, URL: u.body(), Scheme: u.attr("scheme"), ObjectType: b.child("Object").attr("type"),
		Timeout: durationText(b.child("Timeout")), Flags: flagsOf(b.child("Flags")),
		MaxBytes: parseUint(b.child("AuxInfo").attr("maxUrlRetrievalByteCount"))}
	if r.URL == "" {
		r.URL = u.attr("url")
	}
	if ci := b.child("CacheInfo"); ci != nil {
		c := &CacheInfo{LastSync: parseTime(ci.attr("lastSyncTime"))}
		if p := ci.child("URLCachePrefetchInfo"); p != nil {
			c.PrefetchType = p.attr("objectType")
			c.ThisUpdate, c.NextUpdate = parseTime(p.attr("thisUpdateTime")), parseTime(p.attr("nextUpdateTime"))
			c.Published = parseTime(p.attr("publishTime"))
		}
		c.Expire = parseTime(ci.child("URLCacheFlushInfo").attr("expireTime"))
		if rp := ci.child("URLCacheResponseInfo"); rp != nil {
			c.ResponseType, c.Validated = rp.attr("responseType"), boolAttr(rp, "responseValidated")
			c.LastModified = parseTime(rp.attr("lastModifiedTime"))
		}
		r.Cache = c
	}
	r.Network = flagsOf(b.child("AdditionalInfo").child("NetworkConnectivityStatus"))
	if a := b.child("Action"); a != nil {
		r.Action = a.attr("name")
		r.ActionError = codeOf(a.child("Error"))
		if !r.ActionError.Set {
			r.ActionError = codeOf(b.child("Error"))
		}
	} else if e := b.child("Error"); e != nil {
		r.ActionError = codeOf(e)
	}
	for _, o := range b.child("RetrievedObjects").elems() {
		kind := objectKind(o.name)
		if kind == "" {
			kind = kindOfFileRef(o.attr("fileRef"))
		}
		r.Retrieved = append(r.Retrieved, ObjectRef{Kind: kind, FileRef: o.attr("fileRef"), IssuerName: o.attr("issuerName"),
			Location: o.attr("location"), URL: r.URL})
	}
	return r
}

func kindOfFileRef(f string) string {
	switch strings.ToLower(f[strings.LastIndexByte(f, '.')+1:]) {
	case "crl":
		return "crl"
	case "cer", "crt":
		return "cert"
	case "bin":
		return "ocsp"
	}
	return ""
}
