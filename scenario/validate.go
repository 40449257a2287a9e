package scenario

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Explicit values: a field left out gets its default, but a field written
// with a value outside its range is an error naming the field and the range
// (issue 17: `count: 0`, `step: 0s` were silently replaced by defaults).
// Go's zero value cannot tell "left out" from "written as 0", so Parse
// records the paths the file wrote (presentPaths) and the normaliser checks
// those.

// presentPaths returns the path of every key the YAML document sets, in
// the normaliser's field notation: "step", "groups[0].count",
// "groups[0].profile.urlTimeout". Paths deeper than maxPathDepth are not
// needed and not recorded. badShare is the path and value of the first
// share (fraction, atLeast, atMost) written as a bare number above 1
// ("fraction: 50" for 50 %), "" if none.
func presentPaths(data []byte) (present map[string]bool, badShare, value string) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil, "", ""
	}
	out := map[string]bool{}
	var walk func(n *yaml.Node, path string, depth int)
	walk = func(n *yaml.Node, path string, depth int) {
		if depth > maxPathDepth {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := n.Content[i].Value
				if path != "" {
					p = path + "." + p
				}
				out[p] = true
				if v := n.Content[i+1]; badShare == "" && shareKeys[n.Content[i].Value] && v.Kind == yaml.ScalarNode {
					if f, err := strconv.ParseFloat(v.Value, 64); err == nil && (f > 1 || f < 0) {
						badShare, value = p, v.Value
					}
				}
				walk(n.Content[i+1], p, depth+1)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, path+"["+strconv.Itoa(i)+"]", depth+1)
			}
		}
	}
	walk(doc.Content[0], "", 0)
	return out, badShare, value
}

// shareKeys are the fields of type Percent.
var shareKeys = map[string]bool{"fraction": true, "atLeast": true, "atMost": true}

// bareShareError is the error for a share written as a bare number > 1.
func bareShareError(value string) error {
	return fmt.Errorf("%s is not a share: write a percentage from 0%% to 100%% (%s%%) or a fraction from 0 to 1", value, value)
}

// maxPathDepth: the deepest field checked is groups[i].profile.x (depth 3).
const maxPathDepth = 4

// given reports whether the file wrote path.
func (n *normaliser) given(path string) bool { return n.present[path] }

// positiveDuration fails when the file wrote field with a value ≤ 0.
func (n *normaliser) positiveDuration(field string, d Duration, want string) error {
	if n.given(field) && d <= 0 {
		return n.fail(field, "%s: want %s", d.D(), want)
	}
	return nil
}

// share checks a percentage field: 0 to 100 %.
func (n *normaliser) share(field string, p *Percent) error {
	if p != nil && (*p < 0 || *p > 1) {
		return n.fail(field, "%s is outside 0%%..100%%", formatPercent(*p))
	}
	return nil
}

func formatPercent(p Percent) string {
	return strconv.FormatFloat(float64(p)*100, 'g', -1, 64) + "%"
}

// explicitTiming checks the run's timing fields the file wrote.
func (n *normaliser) explicitTiming() error {
	if err := n.positiveDuration("duration", n.s.Duration, "more than 0s"); err != nil {
		return err
	}
	if err := n.positiveDuration("step", n.s.Step, "at least 1s"); err != nil {
		return err
	}
	return n.positiveDuration("hungAfter", n.s.HungAfter, "more than 0s")
}

// explicitGroup checks a group's count, connectEvery and URL timeout.
func (n *normaliser) explicitGroup(f string, g *GroupSpec) error {
	if n.given(f+".count") && g.Count <= 0 {
		return n.fail(f+".count", "%d: want 1 to %d clients", g.Count, MaxClients)
	}
	if err := n.positiveDuration(f+".connectEvery", g.ConnectEvery, "at least the step"); err != nil {
		return err
	}
	return n.positiveDuration(f+".profile.urlTimeout", g.Profile.URLTimeout, "more than 0s")
}

// explicitPublishers checks the CRL publication periods the file wrote.
func (n *normaliser) explicitPublishers() error {
	for i := range n.s.CRLs {
		f := fmt.Sprintf("crls[%d]", i)
		if err := n.positiveDuration(f+".publishEvery", n.s.CRLs[i].PublishEvery, "more than 0s"); err != nil {
			return err
		}
		if err := n.positiveDuration(f+".validity", n.s.CRLs[i].Validity, "more than 0s"); err != nil {
			return err
		}
	}
	for i := range n.s.OCSP {
		if err := n.positiveDuration(fmt.Sprintf("ocsp[%d].validity", i), n.s.OCSP[i].Validity, "more than 0s"); err != nil {
			return err
		}
	}
	return nil
}
