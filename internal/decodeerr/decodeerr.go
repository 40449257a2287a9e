// Package decodeerr words the errors of the YAML decoder (which also reads
// winchain's JSON files) for the person who wrote the file: the line, the
// field and the problem, in the file's own terms — no Go type names
// ("field flie not found in type netsim.entrySpec", "cannot unmarshal
// !!seq into map[string]netsim.entrySpec"). A JSON file gets JSON words
// (object, array) and a JSON syntax error with its line and column; a YAML
// file gets YAML words (mapping, list).
package decodeerr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// IsJSON reports whether data looks like a JSON document (its first
// non-blank byte opens an object or an array). Such a file is still decoded
// by the YAML decoder (JSON is YAML), but its errors speak JSON.
func IsJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// Error is a decoding error in user words.
type Error struct {
	// Problems are the problems, one per line of the file, in file order
	// ("line 3: unknown field \"flie\"").
	Problems []string
	// Err is the decoder's error.
	Err error
}

// Error joins the problems, one per line (the CLI joins them with "; ").
func (e *Error) Error() string { return strings.Join(e.Problems, "\n") }

// Unwrap returns the decoder's error.
func (e *Error) Unwrap() error { return e.Err }

var (
	reUnknownField = regexp.MustCompile(`^line (\d+): field (.+) not found in type \S+$`)
	reAlreadySet   = regexp.MustCompile(`^line (\d+): field (.+) already set in type \S+$`)
	reCannot       = regexp.MustCompile("^line (\\d+): cannot unmarshal (!!\\w+)(?: `(.*)`)? into (\\S+)$")
	reYAMLSyntax   = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)
	reTime         = regexp.MustCompile(`^parsing time "(.*?)" as "[^"]*": `)
)

// Word rewrites err, returned by the YAML decoder for data, in user words.
// Errors that are not the decoder's (a custom field's own message, an I/O
// error) are returned unchanged.
func Word(err error, data []byte) error {
	if err == nil {
		return nil
	}
	isJSON := IsJSON(data)
	if isJSON {
		// A JSON syntax error: say it with encoding/json's line and column,
		// which point at the character, not the YAML parser's guess.
		var v any
		if jerr := json.Unmarshal(data, &v); jerr != nil {
			var se *json.SyntaxError
			if errors.As(jerr, &se) {
				// Offset counts the bytes read, the bad one included.
				line, col := position(data, max(se.Offset-1, 0))
				return &Error{Problems: []string{fmt.Sprintf("line %d, column %d: not valid JSON: %s", line, col, strings.TrimPrefix(se.Error(), "json: "))}, Err: err}
			}
		}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		out := &Error{Err: err}
		for _, p := range te.Errors {
			out.Problems = append(out.Problems, wordLine(p, isJSON))
		}
		return out
	}
	if m := reTime.FindStringSubmatch(err.Error()); m != nil {
		// time.Time's own error, which the decoder passes on without a line.
		return &Error{Problems: []string{fmt.Sprintf("%q is not a date and time (RFC 3339, example: 2026-11-24T08:00:00Z)", m[1])}, Err: err}
	}
	if m := reYAMLSyntax.FindStringSubmatch(err.Error()); m != nil && !isJSON {
		if m[1] != "" {
			return &Error{Problems: []string{fmt.Sprintf("line %s: not valid YAML: %s", m[1], m[2])}, Err: err}
		}
		return &Error{Problems: []string{"not valid YAML: " + m[2]}, Err: err}
	}
	return err
}

// wordLine rewrites one line of a *yaml.TypeError.
func wordLine(p string, isJSON bool) string {
	if m := reUnknownField.FindStringSubmatch(p); m != nil {
		return fmt.Sprintf("line %s: unknown field %q", m[1], m[2])
	}
	if m := reAlreadySet.FindStringSubmatch(p); m != nil {
		return fmt.Sprintf("line %s: field %q is given twice", m[1], m[2])
	}
	if m := reCannot.FindStringSubmatch(p); m != nil {
		got := kindWord(m[2], isJSON)
		if m[3] != "" {
			got += " (" + m[3] + ")"
		}
		return fmt.Sprintf("line %s: %s where %s belongs", m[1], got, goTypeWord(m[4], isJSON))
	}
	return p
}

// kindWord names a YAML node tag in the file's terms.
func kindWord(tag string, isJSON bool) string {
	switch tag {
	case "!!seq":
		if isJSON {
			return "an array"
		}
		return "a list"
	case "!!map":
		if isJSON {
			return "an object"
		}
		return "a mapping (key: value)"
	case "!!str":
		return "a string"
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "true/false"
	case "!!null":
		return "null"
	case "!!timestamp":
		return "a date"
	}
	return "a value"
}

// goTypeWord names what a Go type holds, in the file's terms.
func goTypeWord(t string, isJSON bool) string {
	switch {
	case strings.HasPrefix(t, "map["):
		if isJSON {
			return "an object"
		}
		return "a mapping (key: value)"
	case strings.HasPrefix(t, "[]"):
		if isJSON {
			return "an array"
		}
		return "a list"
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "time.Time":
		return "a date and time (RFC 3339)"
	case strings.Contains(t, "."):
		// A struct type of the package (netsim.entrySpec, scenario.Spec).
		if isJSON {
			return "an object"
		}
		return "a mapping (key: value)"
	}
	return "another kind of value"
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	if col < 1 {
		col = 1
	}
	return line, col
}
