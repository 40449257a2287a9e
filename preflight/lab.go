package preflight

import (
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/client"
)

// LabCase is what a lab kit reproduces on a Windows test machine: the
// certificate (with the chain the server sends), the machine's stores and
// the ChainEngine\Config registry values of the case.
type LabCase struct {
	// Name labels the kit and its results ("[A-Za-z0-9._-]"; empty means
	// "case").
	Name string
	// Chain is the certificate to verify, with what the server sends.
	Chain *Chain
	// Roots and CAs go to the LocalMachine Root and CA stores.
	Roots, CAs []*certs.Certificate
	// CRLs (DER) go to the LocalMachine CA store.
	CRLs [][]byte
	// Registry holds the values to set, from a `reg export` of
	// ChainEngine\Config (cache.ParseRegExport). Only values under the
	// two ChainEngine\Config keys of spec §8 (and their CrlPreFetch
	// sub-key) are accepted.
	Registry []client.RegValue
}

// LabLayout documents the results a lab run zips, relative to the results
// folder (and the zip's root), and the winchain command that reads each
// back (`winchain diff --certutil`, `winchain urlcache`, `winchain capi2
// --replay`); "[verify flags]" stands for the case's stores and network. The
// test of the layout builds such a folder and runs these commands on it.
var LabLayout = []struct{ Path, What, ReadBy string }{
	{LabCertutilFile, "certutil -verify -urlfetch output (UTF-8)", "winchain diff --certutil results/" + LabCertutilFile + " [verify flags] results/" + LabLeafFile},
	{LabCAPI2File, "the CAPI2 Operational log (wevtutil qe … /f:xml /e:Events)", "winchain capi2 --replay --certs results/" + LabCertsDir + " results/" + LabCAPI2File},
	{LabURLCacheDir + "/", "the user's CryptnetUrlCache folder (MetaData, Content) after the run", "winchain urlcache --cache-dir results/" + LabURLCacheDir},
	{LabCertsDir + "/", "every certificate of the case, named <SHA1>.cer (DER), as CAPI2 events name them (fileRef)", "the --certs folder of winchain capi2 --replay"},
	{LabLeafFile, "the verified certificate (DER)", "the CERT of winchain diff --certutil"},
	{LabManifestFile, "the kit's manifest (case, files, registry values)", "people"},
}

// Names in the results folder (LabLayout).
const (
	LabCertutilFile = "certutil-verify.txt"
	LabCAPI2File    = "capi2.xml"
	LabURLCacheDir  = "CryptnetUrlCache"
	LabCertsDir     = "certs"
	LabLeafFile     = "leaf.cer"
	LabManifestFile = "lab.json"
	// LabScript is the script of the kit.
	LabScript = "run.ps1"
)

// LabError is a case that cannot be turned into a kit.
type LabError struct {
	What string
	Err  error
}

// Error names what is wrong.
func (e *LabError) Error() string { return "lab: " + e.What + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *LabError) Unwrap() error { return e.Err }

var labName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// labFile is one file of the kit.
type labFile struct {
	rel   string // path in the kit, with forward slashes
	data  []byte
	store string // Root, CA or "" (the verified chain)
	sha1  string
	crl   bool
}

// labReg is one registry value in PowerShell terms.
type labReg struct {
	key, name, kind, value string // kind: DWord, String, Binary, delete
}

// WriteLab writes the kit for c into dir (created if needed; existing kit
// files are overwritten, nothing else is touched): run.ps1, lab.json and
// the case/ folder of certificates and CRLs. The script is deterministic:
// the same case gives the same bytes.
func WriteLab(dir string, c LabCase) error {
	if c.Chain.Leaf() == nil {
		return &LabError{What: "certificate", Err: errors.New("no certificate to verify")}
	}
	if c.Name == "" {
		c.Name = "case"
	}
	if !labName.MatchString(c.Name) {
		return &LabError{What: "name " + c.Name, Err: errors.New("use letters, digits, '.', '_' or '-' (at most 64)")}
	}
	files := labFiles(c)
	regs, err := labRegistry(c.Registry)
	if err != nil {
		return err
	}
	script := labScript(c, files, regs)
	manifest, err := labManifest(c, files, regs)
	if err != nil {
		return err
	}
	out := map[string][]byte{LabScript: script, LabManifestFile: manifest}
	for _, f := range files {
		out[f.rel] = f.data
	}
	for rel, data := range out {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return &LabError{What: "folder " + dir, Err: err}
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return &LabError{What: "file " + p, Err: err}
		}
	}
	return nil
}

func labFiles(c LabCase) []labFile {
	var fs []labFile
	add := func(rel, store string, cert *certs.Certificate) {
		fs = append(fs, labFile{rel: rel, data: cert.X.Raw, store: store, sha1: thumb(cert)})
	}
	add("case/"+LabLeafFile, "", c.Chain.Leaf())
	for i, x := range c.Chain.Extra() {
		add(fmt.Sprintf("case/sent-%d.cer", i+1), "", x)
	}
	for i, x := range c.Roots {
		add(fmt.Sprintf("case/root-%d.cer", i+1), "Root", x)
	}
	for i, x := range c.CAs {
		add(fmt.Sprintf("case/ca-%d.cer", i+1), "CA", x)
	}
	for i, der := range c.CRLs {
		h := sha1.Sum(der)
		fs = append(fs, labFile{rel: fmt.Sprintf("case/crl-%d.crl", i+1), data: der, store: "CA", sha1: fmt.Sprintf("%X", h[:]), crl: true})
	}
	return fs
}

func labRegistry(vals []client.RegValue) ([]labReg, error) {
	var out []labReg
	for _, v := range vals {
		key := strings.TrimSuffix(v.Key, `\`)
		upper := strings.ToUpper(key)
		ok := false
		for _, allowed := range []string{client.RegLocalConfigKey, client.RegPolicyConfigKey} {
			a := strings.ToUpper(allowed)
			if upper == a || upper == a+`\CRLPREFETCH` {
				ok = true
			}
		}
		if !ok {
			return nil, &LabError{What: fmt.Sprintf("registry value %s (line %d)", v.Name, v.Line), Err: fmt.Errorf("key %s is not ChainEngine\\Config (spec §8); the lab writes only there", v.Key)}
		}
		if v.Name == "" {
			return nil, &LabError{What: fmt.Sprintf("registry line %d", v.Line), Err: errors.New("the default value (@) is not a ChainEngine setting")}
		}
		r := labReg{key: "HKLM:" + key[len(`HKEY_LOCAL_MACHINE`):], name: v.Name}
		switch v.Type {
		case "dword":
			r.kind, r.value = "DWord", fmt.Sprintf("0x%08X", v.DWORD)
		case "string":
			r.kind, r.value = "String", psQuote(v.String)
		case "hex":
			var b strings.Builder
			for i, x := range v.Binary {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, "0x%02X", x)
			}
			r.kind, r.value = "Binary", "([byte[]]@("+b.String()+"))"
		case "delete":
			r.kind = "delete"
		default:
			return nil, &LabError{What: fmt.Sprintf("registry value %s (line %d)", v.Name, v.Line), Err: fmt.Errorf("type %s is not supported by the lab (REG_DWORD, REG_SZ, REG_BINARY)", v.Type)}
		}
		out = append(out, r)
	}
	return out, nil
}

// psQuote quotes s as a PowerShell single-quoted string (no expansion).
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func psPath(rel string) string { return strings.ReplaceAll(rel, "/", `\`) }

func labManifest(c LabCase, files []labFile, regs []labReg) ([]byte, error) {
	type mfile struct {
		File  string `json:"file"`
		Store string `json:"store,omitempty"`
		SHA1  string `json:"sha1"`
		Kind  string `json:"kind"`
	}
	type mreg struct {
		Key   string `json:"key"`
		Name  string `json:"name"`
		Type  string `json:"type"`
		Value string `json:"value,omitempty"`
	}
	type mlayout struct {
		Path   string `json:"path"`
		What   string `json:"what"`
		ReadBy string `json:"readBy"`
	}
	m := struct {
		Case     string    `json:"case"`
		Subject  string    `json:"subject"`
		SHA1     string    `json:"sha1"`
		Files    []mfile   `json:"files"`
		Registry []mreg    `json:"registry"`
		Results  []mlayout `json:"results"`
	}{Case: c.Name, Subject: c.Chain.Leaf().Subject(), SHA1: thumb(c.Chain.Leaf()), Files: []mfile{}, Registry: []mreg{}}
	for _, f := range files {
		k := "certificate"
		if f.crl {
			k = "crl"
		}
		m.Files = append(m.Files, mfile{File: f.rel, Store: f.store, SHA1: f.sha1, Kind: k})
	}
	for _, r := range regs {
		m.Registry = append(m.Registry, mreg{Key: r.key, Name: r.name, Type: r.kind, Value: r.value})
	}
	for _, l := range LabLayout {
		m.Results = append(m.Results, mlayout{Path: l.Path, What: l.What, ReadBy: l.ReadBy})
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
