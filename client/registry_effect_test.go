package client_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/netsim"
)

// regFile writes a .reg export with the given value lines under the local
// chain engine Config key and returns its path.
func regFile(t *testing.T, lines ...string) string {
	t.Helper()
	text := "Windows Registry Editor Version 5.00\r\n\r\n[" + client.RegLocalConfigKey + "]\r\n" + strings.Join(lines, "\r\n") + "\r\n"
	p := filepath.Join(t.TempDir(), "config.reg")
	if err := os.WriteFile(p, utf16File(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func dword(name string, v uint32) string { return fmt.Sprintf("%q=dword:%08x", name, v) }

// world is one test PKI on a simulated network.
type world struct {
	t    *testing.T
	clk  *clock.Manual
	net  *netsim.Network
	root *testpki.CA
	// dir is a cache folder shared by the runs of one case (empty: none).
	dir string
	// cfg is the client configuration before the registry is applied.
	cfg  client.Config
	leaf *certs.Certificate
	opts client.VerifyOptions
	// before runs once, before the client under test is built (priming a
	// cache folder).
	before func(w *world)
}

func newWorld(t *testing.T) *world {
	clk := clock.NewManual(t0)
	w := &world{t: t, clk: clk, net: netsim.New(clk), root: testpki.NewRoot("Reg Root", testpki.ECDSA)}
	w.cfg = client.Config{Clock: clk, Network: w.net, Root: chain.NewStore("Root", w.root.Cert)}
	return w
}

func (w *world) verify(c *client.Client) *client.Result {
	w.t.Helper()
	res, err := c.Verify(context.Background(), w.leaf, w.opts)
	if err != nil {
		w.t.Fatal(err)
	}
	return res
}

// summary is what the cases compare: the chain's error bits, the policy
// result and where the leaf's revocation answer came from.
func summary(res *client.Result) string {
	s := fmt.Sprintf("%s / %s", res.Chain.TrustStatus.ErrorStatus, res.Policy.Error.Name())
	if r := res.Chain.Chains[0].Elements[0].Revocation; r != nil {
		s += fmt.Sprintf(" / revocation %s %s %s", r.Result, r.Source, r.From)
		if r.ValidityExtended {
			s += " extended"
		}
	}
	return s
}

func blocked(res *client.Result) string {
	var d time.Duration
	for _, r := range res.Chain.Retrievals {
		d += r.Blocked
	}
	return "blocked " + d.String()
}

const (
	cdp     = "http://pki.reg.test/root.crl"
	ocspURL = "http://ocsp.reg.test/"
	aiaURL  = "http://pki.reg.test/inter.crt"
	deadURL = "http://pki.reg.test/dead.crt"
)

var revChain = chain.Params{Flags: chain.RevocationCheckChainExclRoot}

// crlLeaf issues a leaf with a CDP and serves a CRL valid around t0.
func (w *world) crlLeaf(mods ...func(*x509.Certificate)) {
	w.leaf = w.root.NewLeaf("mail.reg.test", testpki.ECDSA, append([]func(*x509.Certificate){func(c *x509.Certificate) {
		c.CRLDistributionPoints = []string{cdp}
	}}, mods...)...).Cert
	w.net.Serve(cdp, w.root.CRL(1, t0.Add(-time.Hour), t0.Add(24*time.Hour), time.Time{}))
	w.opts = client.VerifyOptions{Params: revChain}
}

// aiaLeaf issues an intermediate fetched through AIA and a leaf under it;
// the client knows only the root.
func (w *world) aiaLeaf(urls ...string) *testpki.CA {
	inter := w.root.NewIntermediate("Reg Inter", testpki.ECDSA)
	w.leaf = inter.NewLeaf("mail.reg.test", testpki.ECDSA, func(c *x509.Certificate) { c.IssuingCertificateURL = urls }).Cert
	w.net.Serve(aiaURL, inter.Cert.X.Raw)
	w.net.Handle(deadURL, netsim.Response{Fail: netsim.FailOffline})
	return inter
}

// ocspResponse signs a good OCSP response for leaf by the root, with only a
// thisUpdate.
func (w *world) ocspResponse(leaf *certs.Certificate, this time.Time) []byte {
	b, err := ocsp.CreateResponse(w.root.Cert.X, w.root.Cert.X, ocsp.Response{Status: ocsp.Good, SerialNumber: leaf.X.SerialNumber, ThisUpdate: this}, w.root.Key)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

// TestRegistryValuesReachTheirLayer: every chain engine registry value
// winchain models (spec §8), set through a .reg file, changes what a
// client observes; the same setup without it gives the Windows default.
// The table lists each value of client.Registry once.
func TestRegistryValuesReachTheirLayer(t *testing.T) {
	cases := []struct {
		name string
		// base are values set in both runs; value is the one under test.
		base         []string
		value        string
		setup        func(w *world)
		observe      func(w *world, c *client.Client) string
		def, withReg string
	}{
		{
			name:  "ChainUrlRetrievalTimeoutMilliseconds: a CDP answering in 10 s",
			value: dword("ChainUrlRetrievalTimeoutMilliseconds", 5000),
			setup: func(w *world) {
				w.crlLeaf()
				w.net.Handle(cdp, netsim.Response{Body: w.root.CRL(1, t0.Add(-time.Hour), t0.Add(24*time.Hour), time.Time{}), Latency: 10 * time.Second})
			},
			def:     "CERT_TRUST_NO_ERROR /  / revocation good crl network",
			withReg: "CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION / CRYPT_E_REVOCATION_OFFLINE / revocation offline crl network",
		},
		{
			name:  "ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds: a hanging CDP under ACCUMULATIVE_TIMEOUT gets half the budget",
			value: dword("ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds", 4000),
			setup: func(w *world) {
				w.crlLeaf()
				w.net.Handle(cdp, netsim.Response{Fail: netsim.FailTimeout})
				w.opts.Params.Flags |= chain.RevocationAccumulativeTimeout
			},
			observe: func(w *world, c *client.Client) string { return blocked(w.verify(c)) },
			def:     "blocked 10s",
			withReg: "blocked 2s",
		},
		{
			name:    "MaxUrlRetrievalByteCount: a CRL over the limit",
			value:   dword("MaxUrlRetrievalByteCount", 100),
			setup:   func(w *world) { w.crlLeaf() },
			def:     "CERT_TRUST_NO_ERROR /  / revocation good crl network",
			withReg: "CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION / CRYPT_E_REVOCATION_OFFLINE / revocation offline crl network",
		},
		{
			name:    "MaxAIAUrlRetrievalByteCount: an issuer certificate over the limit",
			value:   dword("MaxAIAUrlRetrievalByteCount", 100),
			setup:   func(w *world) { w.aiaLeaf(aiaURL) },
			def:     "CERT_TRUST_NO_ERROR / ",
			withReg: "CERT_TRUST_IS_PARTIAL_CHAIN / CERT_E_CHAINING",
		},
		{
			name:    "MaxAIAUrlCountInCert: the issuer behind the second caIssuers URL",
			value:   dword("MaxAIAUrlCountInCert", 1),
			setup:   func(w *world) { w.aiaLeaf(deadURL, aiaURL) },
			def:     "CERT_TRUST_NO_ERROR / ",
			withReg: "CERT_TRUST_IS_PARTIAL_CHAIN / CERT_E_CHAINING",
		},
		{
			name:    "MaxAIAUrlRetrievalCountPerChain: the second retrieval of the build",
			value:   dword("MaxAIAUrlRetrievalCountPerChain", 1),
			setup:   func(w *world) { w.aiaLeaf(deadURL, aiaURL) },
			def:     "CERT_TRUST_NO_ERROR / ",
			withReg: "CERT_TRUST_IS_PARTIAL_CHAIN / CERT_E_CHAINING",
		},
		{
			name:  "MaxAIAUrlRetrievalCertCount: a PKCS#7 AIA object with two certificates",
			value: dword("MaxAIAUrlRetrievalCertCount", 1),
			setup: func(w *world) {
				inter := w.aiaLeaf(aiaURL)
				p7, err := pkcs7.DegenerateCertificate(append(append([]byte(nil), inter.Cert.X.Raw...), w.root.Cert.X.Raw...))
				if err != nil {
					w.t.Fatal(err)
				}
				w.net.Serve(aiaURL, p7)
			},
			def:     "CERT_TRUST_NO_ERROR / ",
			withReg: "CERT_TRUST_IS_PARTIAL_CHAIN / CERT_E_CHAINING",
		},
		{
			name:    "DisableAIAUrlRetrieval",
			value:   dword("DisableAIAUrlRetrieval", 1),
			setup:   func(w *world) { w.aiaLeaf(aiaURL) },
			def:     "CERT_TRUST_NO_ERROR / ",
			withReg: "CERT_TRUST_IS_PARTIAL_CHAIN / CERT_E_CHAINING",
		},
		{
			name:    "Options 0x2 (CERT_CHAIN_OPTION_DISABLE_AIA_URL_RETRIEVAL)",
			value:   dword("Options", 2),
			setup:   func(w *world) { w.aiaLeaf(aiaURL) },
			def:     "CERT_TRUST_NO_ERROR / ",
			withReg: "CERT_TRUST_IS_PARTIAL_CHAIN / CERT_E_CHAINING",
		},
		{
			name:  "CRLValidityExtensionPeriod: a CRL 2 h past nextUpdate, CDP down",
			value: dword("CRLValidityExtensionPeriod", 1),
			setup: func(w *world) {
				w.crlLeaf()
				w.net.Serve(cdp, w.root.CRL(1, t0.Add(-26*time.Hour), t0.Add(-2*time.Hour), time.Time{}))
				w.clk.Set(t0.Add(-3 * time.Hour)) // fetched while fresh…
			},
			observe: func(w *world, c *client.Client) string {
				w.verify(c)
				w.net.Handle(cdp, netsim.Response{Fail: netsim.FailOffline})
				w.clk.Set(t0) // …used once expired
				return summary(w.verify(c))
			},
			def:     "CERT_TRUST_NO_ERROR /  / revocation good crl memory extended",
			withReg: "CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION / CRYPT_E_REVOCATION_OFFLINE / revocation offline crl memory",
		},
		{
			name:  "OcspValiditySeconds: an OCSP response without nextUpdate, 13 h old",
			value: dword("OcspValiditySeconds", 86400),
			setup: func(w *world) {
				w.leaf = w.root.NewLeaf("mail.reg.test", testpki.ECDSA, func(c *x509.Certificate) { c.OCSPServer = []string{ocspURL} }).Cert
				w.net.AddPrefix(ocspURL, netsim.Rule{Response: netsim.Response{Body: w.ocspResponse(w.leaf, t0.Add(-13*time.Hour))}})
				w.opts = client.VerifyOptions{Params: revChain}
			},
			def:     "CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION / CRYPT_E_REVOCATION_OFFLINE / revocation offline ocsp network",
			withReg: "CERT_TRUST_NO_ERROR /  / revocation good ocsp network",
		},
		{
			name:  "CryptnetCachedOcspSwitchToCrlCount 0xFFFFFFFF: CRLs before OCSP",
			value: dword("CryptnetCachedOcspSwitchToCrlCount", 0xFFFFFFFF),
			setup: func(w *world) {
				w.crlLeaf(func(c *x509.Certificate) { c.OCSPServer = []string{ocspURL} })
				w.net.AddPrefix(ocspURL, netsim.Rule{Response: netsim.Response{Body: w.ocspResponse(w.leaf, t0.Add(-time.Hour))}})
			},
			def:     "CERT_TRUST_NO_ERROR /  / revocation good ocsp network",
			withReg: "CERT_TRUST_NO_ERROR /  / revocation good crl network",
		},
		{
			name:  "CryptnetMaxCachedOcspPerCrlCount 0xFFFFFFFF: no OCSP after a failed CRL",
			base:  []string{dword("CryptnetCachedOcspSwitchToCrlCount", 0xFFFFFFFF)},
			value: dword("CryptnetMaxCachedOcspPerCrlCount", 0xFFFFFFFF),
			setup: func(w *world) {
				w.crlLeaf(func(c *x509.Certificate) { c.OCSPServer = []string{ocspURL} })
				w.net.Handle(cdp, netsim.Response{Fail: netsim.FailOffline})
				w.net.AddPrefix(ocspURL, netsim.Rule{Response: netsim.Response{Body: w.ocspResponse(w.leaf, t0.Add(-time.Hour))}})
			},
			def:     "CERT_TRUST_NO_ERROR /  / revocation good ocsp network",
			withReg: "CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION / CRYPT_E_REVOCATION_OFFLINE / revocation offline crl network",
		},
		{
			name:  "CryptnetDefaultFlushExemptSeconds: a disk entry 2 h past its expiry",
			value: dword("CryptnetDefaultFlushExemptSeconds", 3600),
			setup: func(w *world) {
				w.crlLeaf()
				w.cfg.CacheDir = w.dir
				w.net.Serve(cdp, w.root.CRL(1, t0.Add(-26*time.Hour), t0.Add(-2*time.Hour), time.Time{}))
				w.clk.Set(t0.Add(-3 * time.Hour))
			},
			observe: func(w *world, c *client.Client) string {
				w.verify(c)
				if err := c.Restart(); err != nil {
					w.t.Fatal(err)
				}
				w.net.Handle(cdp, netsim.Response{Fail: netsim.FailOffline})
				w.clk.Set(t0)
				w.verify(c)
				l, err := c.ListURLCache(client.SelectAll)
				if err != nil {
					w.t.Fatal(err)
				}
				return fmt.Sprintf("%d entries", len(l.Entries))
			},
			def:     "1 entries",
			withReg: "0 entries",
		},
		{
			name: "ChainCacheResyncFiletime: a CRL cached on disk before the resync time",
			value: fmt.Sprintf(`"ChainCacheResyncFiletime"=hex:%s`, func() string {
				b := binary.LittleEndian.AppendUint64(nil, urlcache.TimeToFiletime(t0.Add(30*time.Minute)))
				var parts []string
				for _, x := range b {
					parts = append(parts, fmt.Sprintf("%02x", x))
				}
				return strings.Join(parts, ",")
			}()),
			setup: func(w *world) {
				w.crlLeaf()
				w.cfg.CacheDir = w.dir
				w.before = func(w *world) {
					// Another process of the machine cached the CRL at t0.
					cfg := w.cfg
					cfg.Registry = client.Registry{}
					c, err := client.New(cfg)
					if err != nil {
						w.t.Fatal(err)
					}
					w.verify(c)
					w.clk.Set(t0.Add(time.Hour))
				}
			},
			def:     "CERT_TRUST_NO_ERROR /  / revocation good crl disk",
			withReg: "CERT_TRUST_NO_ERROR /  / revocation good crl network",
		},
		{
			name:  "AllowFileUrlScheme: a file:// CDP",
			value: dword("AllowFileUrlScheme", 1),
			setup: func(w *world) {
				w.leaf = w.root.NewLeaf("mail.reg.test", testpki.ECDSA, func(c *x509.Certificate) {
					c.CRLDistributionPoints = []string{"file:///pki/root.crl"}
				}).Cert
				w.net.Serve("file:///pki/root.crl", w.root.CRL(1, t0.Add(-time.Hour), t0.Add(24*time.Hour), time.Time{}))
				w.opts = client.VerifyOptions{Params: revChain}
			},
			def:     "CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION / CRYPT_E_REVOCATION_OFFLINE / revocation offline crl ",
			withReg: "CERT_TRUST_NO_ERROR /  / revocation good crl network",
		},
		{
			name:  "MinRsaPubKeyBitLength: a leaf signed by a 2048-bit RSA root",
			value: dword("MinRsaPubKeyBitLength", 4096),
			setup: func(w *world) {
				w.root = testpki.NewRoot("Reg RSA Root", testpki.RSA)
				w.cfg.Root = chain.NewStore("Root", w.root.Cert)
				w.leaf = w.root.NewLeaf("mail.reg.test", testpki.ECDSA).Cert
			},
			def:     "CERT_TRUST_NO_ERROR / ",
			withReg: "CERT_TRUST_IS_NOT_SIGNATURE_VALID | CERT_TRUST_HAS_WEAK_SIGNATURE / TRUST_E_CERT_SIGNATURE",
		},
		{
			name:  "DisableMandatoryBasicConstraints: a v3 CA without basicConstraints",
			value: dword("DisableMandatoryBasicConstraints", 1),
			setup: func(w *world) {
				inter := w.root.NewIntermediate("Reg Inter", testpki.ECDSA, func(c *x509.Certificate) {
					c.BasicConstraintsValid, c.IsCA = false, false
				})
				w.cfg.CA = chain.NewStore("CA", inter.Cert)
				w.leaf = inter.NewLeaf("mail.reg.test", testpki.ECDSA).Cert
			},
			def:     "CERT_TRUST_INVALID_BASIC_CONSTRAINTS / TRUST_E_BASIC_CONSTRAINTS",
			withReg: "CERT_TRUST_NO_ERROR / ",
		},
		{
			name:  "DisableCANameConstraints: a CA permitted only other.test",
			value: dword("DisableCANameConstraints", 1),
			setup: func(w *world) {
				inter := w.root.NewIntermediate("Reg Inter", testpki.ECDSA, func(c *x509.Certificate) {
					c.PermittedDNSDomains = []string{"other.test"}
				})
				w.cfg.CA = chain.NewStore("CA", inter.Cert)
				w.leaf = inter.NewLeaf("mail.reg.test", testpki.ECDSA).Cert
			},
			def:     "CERT_TRUST_HAS_NOT_PERMITTED_NAME_CONSTRAINT / CERT_E_INVALID_NAME",
			withReg: "CERT_TRUST_NO_ERROR / ",
		},
		{
			name:  "DisableUnsupportedCriticalExtensions: a leaf with an unknown critical extension",
			value: dword("DisableUnsupportedCriticalExtensions", 1),
			setup: func(w *world) {
				w.leaf = w.root.NewLeaf("mail.reg.test", testpki.ECDSA, func(c *x509.Certificate) {
					c.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Critical: true, Value: []byte{5, 0}}}
				}).Cert
			},
			def:     "CERT_TRUST_INVALID_EXTENSION | CERT_TRUST_HAS_NOT_SUPPORTED_CRITICAL_EXT / CERT_E_CRITICAL",
			withReg: "CERT_TRUST_NO_ERROR / ",
		},
	}
	if n := reflect.TypeOf(client.Registry{}).NumField(); len(cases) != n {
		t.Fatalf("%d cases for the %d fields of client.Registry: every modelled value needs its case", len(cases), n)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cache")
			run := func(lines []string) string {
				w := newWorld(t)
				w.dir = dir + fmt.Sprint(len(lines))
				tc.setup(w)
				if w.before != nil {
					w.before(w)
				}
				cfg := w.cfg
				if err := cfg.Registry.LoadRegExport(regFile(t, append([]string{`"Unmodelled"=dword:00000001`}, lines...)...)); err != nil {
					t.Fatal(err)
				}
				c, err := client.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if tc.observe != nil {
					return tc.observe(w, c)
				}
				return summary(w.verify(c))
			}
			def := run(tc.base)
			withReg := run(append(append([]string(nil), tc.base...), tc.value))
			if def != tc.def {
				t.Errorf("default:\n got  %s\n want %s", def, tc.def)
			}
			if withReg != tc.withReg {
				t.Errorf("with %s:\n got  %s\n want %s", tc.value, withReg, tc.withReg)
			}
		})
	}
}
