package inspect

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints objects for a person: winchain's facts first (what
// Windows does with the object), then, for a certificate, the certinfo
// dump.
func WriteText(w io.Writer, objs []*Object) {
	for i, o := range objs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		o.writeText(w, "")
	}
}

func (o *Object) writeText(w io.Writer, indent string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, indent+format+"\n", args...) }
	kv := func(k, v string) {
		if v != "" {
			p("%-14s %s", k+":", v)
		}
	}
	// loading says whether crypto/x509 loads the object, and what the
	// lenient layer tolerated when it does not.
	loading := func() {
		if o.X509Refuses == "" {
			kv("crypto/x509", "loads it")
			return
		}
		kv("crypto/x509", "refuses it: "+o.X509Refuses)
		kv("Windows", "loads it (winchain loads it with its lenient layer)")
		for _, t := range o.Tolerated {
			p("%-14s %s", "", "tolerated: "+t)
		}
	}
	title := o.File
	if o.Index > 0 {
		title = fmt.Sprintf("%s, object %d", o.File, o.Index)
	}
	p("== %s: %s ==", title, o.Kind)
	switch o.Kind {
	case KindCertificate:
		kv("Subject", o.Subject)
		kv("Issuer", o.Issuer)
		kv("Serial", o.Serial)
		kv("Valid", o.NotBefore+" to "+o.NotAfter)
		kv("Cert Hash", o.SHA1+" (sha1, the thumbprint Windows shows)")
		kv("Key ID", o.KeyID+" (CERT_KEY_IDENTIFIER_PROP_ID)")
		loading()
		if len(o.Retrievals) == 0 {
			p("Windows retrieves: nothing (no AIA, CDP or OCSP URL)")
		} else {
			p("Windows retrieves, in this order:")
			for i, r := range o.Retrievals {
				p("  %d. %-9s %s", i+1, r.Kind, r.URL)
				p("     %-9s %s", "when", r.When)
				if r.Request != "" && r.Request != r.URL {
					p("     %-9s %s", "GET", r.Request)
				}
				if r.CacheName != "" {
					p("     %-9s %s", "cache", r.CacheName+" (CryptnetUrlCache file name)")
				}
			}
		}
	case KindCRL:
		kv("Issuer", o.Issuer)
		kv("CRL number", o.Number)
		kv("ThisUpdate", o.ThisUpdate)
		kv("NextUpdate", orNone(o.NextUpdate))
		kv("CRL hash", o.SHA1+" (sha1, as certutil prints it)")
		if o.Entries != nil {
			kv("Entries", fmt.Sprint(*o.Entries))
		}
		if e := o.Entry; e != nil {
			kv("Serial", e.Serial)
			kv("Revoked", e.Revoked)
			if e.ReasonCode != nil {
				kv("Reason", fmt.Sprintf("%s (%d)", e.Reason, *e.ReasonCode))
			} else {
				kv("Reason", "(no reasonCode)")
			}
		}
		loading()
		kv("Signature", o.Signature)
	case KindOCSP:
		if oi := o.OCSP; oi != nil {
			kv("Status", oi.Status)
			kv("Serial", oi.Serial)
			kv("Responder", oi.Responder)
			kv("Signer cert", oi.ResponderCertificate)
			kv("ProducedAt", oi.ProducedAt)
			kv("ThisUpdate", o.ThisUpdate)
			kv("NextUpdate", o.NextUpdate)
			kv("Revoked", oi.RevokedAt)
			kv("Reason", oi.Reason)
		}
		kv("Signature", o.Signature)
	case KindPKCS7:
		kv("Certificates", fmt.Sprint(len(o.Objects)))
	case KindCacheEntry:
		if e := o.CacheEntry; e != nil {
			kv("URL", e.URL)
			kv("Name", e.Name)
			kv("URLName", e.ExpectedName)
			kv("LastDownload", e.LastDownload)
			kv("ETag", e.ETag)
			kv("Size", fmt.Sprintf("%d bytes in the record, %d in Content", e.ContentSize, e.ContentBytes))
			kv("Expires", e.Expires)
		}
	}
	for _, n := range o.Notes {
		p("%-14s %s", "Note:", n)
	}
	if o.Text != "" {
		for _, l := range strings.Split(strings.TrimRight(o.Text, "\n"), "\n") {
			p("%s", l)
		}
	}
	for _, c := range o.Objects {
		c.writeText(w, indent+"  ")
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
