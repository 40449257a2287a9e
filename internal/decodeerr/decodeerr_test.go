package decodeerr

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

type entry struct {
	File   string `yaml:"file"`
	Status int    `yaml:"status"`
}

type doc struct {
	Name  string           `yaml:"name"`
	Start time.Time        `yaml:"start"`
	URLs  map[string]entry `yaml:"urls"`
	Tags  []string         `yaml:"tags"`
	On    bool             `yaml:"on"`
}

func decode(data string) error {
	var d doc
	dec := yaml.NewDecoder(bytes.NewReader([]byte(data)))
	dec.KnownFields(true)
	return Word(dec.Decode(&d), []byte(data))
}

func TestWord(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"name: x\nflie: y\n", `line 2: unknown field "flie"`},
		{"urls: [a, b]\n", "line 1: a list where a mapping (key: value) belongs"},
		{`{"urls": [1]}`, "line 1: an array where an object belongs"},
		{"tags: {a: b}\n", "line 1: a mapping (key: value) where a list belongs"},
		{`{"tags": {"a": "b"}}`, "line 1: an object where an array belongs"},
		{"urls: {u: {status: many}}\n", "line 1: a string (many) where a number belongs"},
		{"on: maybe\n", "line 1: a string (maybe) where true or false belongs"},
		{"start: soon\n", `"soon" is not a date and time (RFC 3339, example: 2026-11-24T08:00:00Z)`},
		{"name: a\nname: b\n", `line 2: mapping key "name" already defined at line 1`},
		{"urls: [a\n", "line 1: not valid YAML: did not find expected ',' or ']'"},
		{"{\"name\": \"a\",\n \"tags\": [1,}\n", "line 2, column 13: not valid JSON: invalid character '}' looking for beginning of value"},
	} {
		err := decode(c.in)
		if err == nil {
			t.Errorf("%q: no error", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %q\n want %q", c.in, err.Error(), c.want)
		}
		for _, goName := range []string{"decodeerr.", "map[string]", "[]string", "!!"} {
			if strings.Contains(err.Error(), goName) {
				t.Errorf("%q: %q names a Go or YAML type (%s)", c.in, err.Error(), goName)
			}
		}
	}
	if Word(nil, nil) != nil {
		t.Error("Word(nil) is not nil")
	}
}

func TestIsJSON(t *testing.T) {
	for in, want := range map[string]bool{`{"a":1}`: true, "  \n[1]": true, "a: 1": false, "": false, "- a": false} {
		if IsJSON([]byte(in)) != want {
			t.Errorf("IsJSON(%q) = %v", in, !want)
		}
	}
}
